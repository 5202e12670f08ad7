"""Chapter 6's module: each quoted number against the evidence or the model it comes from."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from cart_autoimmunity import antibodies, evidence, kinetics
from cart_autoimmunity.chapters import ch06_immune_reset as ch
from cart_autoimmunity.parameters.antibodies import AntibodyParameters


def cited(quantity: str, column: str = "value") -> float:
    table = evidence.antibody_longevity().set_index("quantity")
    return float(table.loc[quantity, column])


@pytest.fixture(scope="module")
def numbers() -> dict:
    return ch.numbers()


def test_antibody_numbers_are_the_cited_ones(numbers):
    assert numbers["bhoj_months"] == cited("plasma_cell_persistence_min")
    assert numbers["bhoj_n"] == cited("plasma_cell_persistence_min", "n")
    assert numbers["hill_n"] == cited("total_igg_change_after_cd19_car_t", "n")
    assert numbers["hill_total_pct"] == pytest.approx(
        100 * cited("total_igg_change_after_cd19_car_t")
    )
    assert numbers["hill_measles_pct"] == pytest.approx(
        100 * cited("measles_igg_change_after_cd19_car_t")
    )
    assert numbers["hill_viral"] == cited("viral_infections_after_day_90")
    assert numbers["tetanus_years"] == cited("antibody_half_life_tetanus")
    assert numbers["vzv_years"] == cited("antibody_half_life_varicella_zoster")
    assert numbers["measles_years"] == cited("antibody_half_life_measles_min")


def test_igg_half_lives_are_the_cited_ranges(numbers):
    for prefix, quantity in (
        ("igg_long", "igg1_igg2_igg4_half_life"),
        ("igg3", "igg3_half_life"),
    ):
        assert numbers[f"{prefix}_low"] == cited(quantity, "low")
        assert numbers[f"{prefix}_high"] == cited(quantity, "high")
    assert (
        numbers["igg3_high"] < numbers["igg_long_low"]
    )  # the third subclass is faster


def test_follow_up_numbers_are_the_cited_ones(numbers):
    trials = evidence.erlangen_trials().set_index("quantity")
    follow_up = trials.loc["follow_up_median"]
    assert numbers["mu_follow_up"] == follow_up["value"]
    assert numbers["mu_follow_up_low"] == follow_up["low"]
    assert numbers["mu_follow_up_high"] == follow_up["high"]
    assert numbers["drug_free_months"] == evidence.lookup(
        "erlangen_trials", "drug_free_follow_up_median"
    )


def test_returning_b_cells_are_newly_made_in_the_model(numbers):
    run = kinetics.simulate("autoimmune", days=365)
    out = kinetics.readouts(run)
    assert numbers["naive_pct"] == pytest.approx(100 * out["naive_fraction_at_return"])
    returned = run["time_days"] >= out["b_return_day"]
    old_share = run.loc[returned, "b_cells_old"] / run.loc[returned, "b_cells_total"]
    assert old_share.max() < 1e-3  # no pre-existing B cell is left when they return


def test_antibody_parameters_are_quoted_as_set(numbers):
    params = AntibodyParameters()
    assert numbers["window_days"] == params.depletion_window_days
    assert numbers["igg_half_life"] == params.igg_half_life_days
    short = 100 * params.short_lived_autoantibody_fraction
    assert numbers["short_lived_share_pct"] == pytest.approx(short)
    assert numbers["llpc_share_pct"] == pytest.approx(100 - short)


def test_antibody_levels_come_from_the_antibody_model(numbers):
    def left(quantity, day, target):
        run = antibodies.simulate_antibodies(target)
        return 100 * antibodies.value_at(run, quantity, day)

    assert numbers["cd19_auto_d90_pct"] == pytest.approx(
        left("autoantibody", 90, "CD19")
    )
    assert numbers["cd19_auto_d365_pct"] == pytest.approx(
        left("autoantibody", 365, "CD19")
    )
    assert numbers["cd19_vaccine_d365_pct"] == pytest.approx(
        left("vaccine_antibody", 365, "CD19")
    )
    assert numbers["bcma_auto_d90_pct"] == pytest.approx(
        left("autoantibody", 90, "BCMA")
    )
    assert numbers["bcma_auto_d365_pct"] == pytest.approx(
        left("autoantibody", 365, "BCMA")
    )
    assert numbers["bcma_vaccine_d365_pct"] == pytest.approx(
        left("vaccine_antibody", 365, "BCMA")
    )
    # The story of the chapter: CD19 keeps the vaccine antibody, BCMA does not.
    assert numbers["cd19_vaccine_d365_pct"] > 90 > 10 > numbers["bcma_vaccine_d365_pct"]


def test_the_floor_under_cd19_is_the_long_lived_share(numbers):
    params = AntibodyParameters()
    run = antibodies.simulate_antibodies(
        "CD19", params.replace(short_lived_autoantibody_fraction=0.5)
    )
    assert numbers["half_share_d365_pct"] == pytest.approx(
        100 * antibodies.value_at(run, "autoantibody", 365)
    )
    table = ch.tables()["tbl-reset-shares"]
    assert list(table["short_lived_share"]) == list(ch.SHARES)
    assert table["autoantibody_day_365"].is_monotonic_decreasing


def test_reseeding_numbers_come_from_the_reseeding_runs(numbers):
    runs = antibodies.reseeding_runs((0.25, 1.0), t_end_days=730)
    assert numbers["reseed_quarter_pct"] == pytest.approx(
        100 * antibodies.value_at(runs[0.25], "autoantibody", 730)
    )
    assert numbers["reseed_full_pct"] == pytest.approx(
        100 * antibodies.value_at(runs[1.0], "autoantibody", 730)
    )
    assert set(ch.reseeding_courses()) == {
        f"{f:.0%} re-seeding" for f in ch.RESEEDING_FRACTIONS
    }


def test_evidence_table_shows_every_cited_row():
    table = ch.reader_table("tbl-reset-evidence")
    assert len(table.rows) == len(evidence.antibody_longevity())
    values = {row[0]: row[1] for row in table.rows}
    assert values["Secreted antibody, half-life (at most)"] == "2–3 weeks"
    assert values["Total IgG after CD19 CAR T, change"] == "-17.5%"
    assert values["IgG subclass 3, half-life"] == "7–8 days"


def test_the_claim_checks_the_model_fraction(numbers):
    (claim,) = ch.claims()
    assert claim.id == "immune-reset-naive"
    assert claim.value == pytest.approx(numbers["naive_pct"] / 100)
    assert claim.passed
    assert not claim.checks[0].bound.holds(0.9)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: ch.reader_table("tbl-nothing"), "name"),
        (lambda: ch.antibody_left("autoantibody", 90, "CD20"), "target"),
        (lambda: ch.antibody_left("cytokine", 90, "CD19"), "quantity"),
        (lambda: ch.autoantibody_after_reseeding(0.5), "fraction"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


# --- issue #20 and #21: viral infections; numbers beyond any assay said as such ---------
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "06_immune_reset.ipynb"


def _prose() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )


def test_hill_rate_is_called_viral_infections_in_prose_and_table():
    prose = " ".join(_prose().split())
    after = prose[prose.index("`hill_viral:") :][:60]
    assert "viral infections per person-year" in after
    rows = ch.reader_table("tbl-reset-evidence").rows
    (row,) = [r for r in rows if "per person-year" in r[1]]
    assert row[0].startswith("Viral infections")


def test_fall_orders_are_the_runs_depth_and_said_to_be_beyond_detection(numbers):
    readouts = kinetics.readouts(kinetics.simulate("autoimmune", days=365))
    assert numbers["low_day"] == 14
    assert numbers["fall_orders"] == pytest.approx(
        -math.log10(readouts["b_fraction_day_14"]), rel=1e-6
    )
    prose = " ".join(_prose().split())
    after = prose[prose.index("`fall_orders:") :][:120]
    assert "far below what any flow cytometry test can detect" in after


def test_fall_orders_refuse_a_day_outside_the_run():
    with pytest.raises(ValueError, match="day"):
        ch.b_cell_fall_orders(ch.B_CELL_DAYS + 1)
