"""Chapter 2's module: each quoted number against the evidence or the model it comes from."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cart_autoimmunity import clonal_escape, evidence
from cart_autoimmunity.chapters import ch02_rogue_cells as ch
from cart_autoimmunity.parameters.clonal_escape import CloneParameters
from cart_autoimmunity.units import DAYS_PER_YEAR


@pytest.fixture(scope="module")
def numbers() -> dict:
    return ch.numbers()


@pytest.fixture(scope="module")
def passage():
    """An independent run of the first-passage times with the chapter's settings."""
    return clonal_escape.time_to_size(ch.SIZE_CELLS, CloneParameters(), **ch.RUN)


def cited_range(quantity: str, cohort_start: str) -> tuple[float, float]:
    table = evidence.tolerance_checkpoints()
    row = table[
        (table["quantity"] == quantity) & table["cohort"].str.startswith(cohort_start)
    ]
    assert len(row) == 1
    return float(row["low"].iloc[0]), float(row["high"].iloc[0])


@pytest.mark.parametrize(
    ("prefix", "quantity", "cohort"),
    [
        ("early", "self_reactive_early_immature_b_cells", "Healthy donors"),
        ("healthy", "self_reactive_mature_naive_b_cells", "Healthy controls"),
        ("sle", "self_reactive_mature_naive_b_cells", "SLE"),
    ],
)
def test_tolerance_ranges_are_the_cited_ones(numbers, prefix, quantity, cohort):
    low, high = cited_range(quantity, cohort)
    assert numbers[f"{prefix}_low_pct"] == pytest.approx(100 * low)
    assert numbers[f"{prefix}_high_pct"] == pytest.approx(100 * high)


def test_leak_ratio_compares_the_midpoints(numbers):
    sle = sum(cited_range("self_reactive_mature_naive_b_cells", "SLE")) / 2
    healthy = sum(cited_range("self_reactive_mature_naive_b_cells", "Healthy")) / 2
    assert numbers["leak_ratio"] == pytest.approx(sle / healthy)


def test_run_settings_are_the_ones_quoted(numbers):
    params = CloneParameters()
    assert numbers["division_pct"] == pytest.approx(
        100 * params.memory_b_division_per_day
    )
    assert numbers["escape_pct"] == pytest.approx(100 * params.escape_fraction)
    assert numbers["n_clones"] == ch.RUN["n_replicates"]
    assert numbers["horizon_years"] == pytest.approx(
        ch.RUN["t_end_days"] / DAYS_PER_YEAR
    )
    assert 10 ** numbers["size_log10"] == ch.SIZE_CELLS


def test_growth_rates_follow_from_the_clone_rates(numbers):
    auto_birth, auto_death = clonal_escape.clone_rates("autoreactive")
    tumour_birth, tumour_death = clonal_escape.clone_rates("tumour")
    assert numbers["auto_net_pct"] == pytest.approx(100 * (auto_birth - auto_death))
    assert numbers["auto_doubling"] == pytest.approx(
        math.log(2) / (auto_birth - auto_death)
    )
    assert numbers["tumour_doubling"] == pytest.approx(
        math.log(2) / (tumour_birth - tumour_death)
    )
    assert numbers["auto_theory_years"] == pytest.approx(
        clonal_escape.approx_time_to_size(auto_birth, auto_death, 1e6) / DAYS_PER_YEAR
    )


def test_survival_is_the_share_of_simulated_clones_still_alive(numbers):
    run = ch.RUN
    _, sizes = clonal_escape.simulate_clone(
        "autoreactive",
        CloneParameters(),
        run["t_end_days"],
        n_replicates=run["n_replicates"],
        seed=run["seed"],
    )
    assert numbers["auto_survival_pct"] == pytest.approx(100 * np.mean(sizes[-1] > 0))
    # and it is near the branching-process survival probability, the escape fraction
    assert numbers["auto_survival_pct"] == pytest.approx(numbers["escape_pct"], abs=3)


def test_times_to_a_million_cells_come_from_the_first_passage_times(numbers, passage):
    median = passage.groupby("clone")["days"].median()
    assert numbers["auto_years"] == pytest.approx(
        median["autoreactive"] / DAYS_PER_YEAR
    )
    assert numbers["tumour_years"] == pytest.approx(median["tumour"] / DAYS_PER_YEAR)
    assert numbers["slowdown"] == pytest.approx(
        median["autoreactive"] / median["tumour"]
    )


def test_the_clone_table_follows_the_parameters_it_is_given():
    slower = CloneParameters(escape_fraction=0.1)
    table = ch.tables(slower)["tbl-rogue-clones"].set_index("clone")
    default = ch.tables()["tbl-rogue-clones"].set_index("clone")
    assert (
        table.loc["autoreactive", "doubling_days"]
        > default.loc["autoreactive", "doubling_days"]
    )


def test_claims_hold_and_carry_the_chapter_numbers(numbers):
    slow, escape, mutations = ch.claims()
    assert slow.id == "slow-motion-cancer" and slow.verdict == "oversimplified"
    assert slow.value == pytest.approx(numbers["slowdown"])
    sle = sum(cited_range("self_reactive_mature_naive_b_cells", "SLE")) / 2
    assert escape.id == "tolerance-escape" and escape.value == pytest.approx(sle)
    assert mutations.value == evidence.lookup(
        "tolerance_checkpoints", "patients_with_somatic_mutations_in_cd8_clones"
    )
    assert all(claim.passed for claim in (slow, escape, mutations))
    assert "3 adolescent patients" in escape.caveat  # n of the cited lupus cohort


def test_the_checks_would_fail_on_numbers_that_do_not_support_the_claims():
    slow, escape, mutations = ch.claims()
    assert not slow.checks[0].bound.holds(2.0)
    assert not escape.checks[0].bound.holds(escape.checks[1].value)
    assert not mutations.checks[0].bound.holds(0.6)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: ch.reader_table("tbl-nothing"), "name"),
        (lambda: ch.clone_summary(params=0.2), "params"),
        (lambda: ch.slowdown(params="fast"), "params"),
        (lambda: ch.tables(params=1), "params"),
        (lambda: ch.self_reactive(2, "healthy"), "stage"),
        (lambda: ch.self_reactive(1, "lupus"), "group"),
        (lambda: ch.self_reactive(0, "SLE"), "group"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()
