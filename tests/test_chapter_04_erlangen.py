"""Chapter 4's module: each quoted number against the evidence or the model it comes from,
and the vectorised memory grid against the single runs it stands for."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cart_autoimmunity import cohort, evidence, kinetics
from cart_autoimmunity.chapters import ch04_erlangen as ch
from cart_autoimmunity.evidence import cohort_map
from cart_autoimmunity.figures import _interactive
from cart_autoimmunity.parameters.kinetics import CohortParameters, KineticsParameters

#: A vectorised solve shares one error control: it equals the single runs this closely.
SOLVER_REL = 1e-5


@pytest.fixture(scope="module")
def numbers() -> dict:
    return ch.numbers()


def trial(quantity: str, cohort_label: str | None = None) -> float:
    return evidence.lookup("erlangen_trials", quantity, cohort_label)


# --- cited numbers ---------------------------------------------------------------------
def test_trial_numbers_are_the_cited_ones(numbers):
    assert numbers["mk_n"] == trial("patients", ch.MACKENSEN_2022)
    assert numbers["mu_n"] == trial("patients", ch.MULLER_2024)
    assert (
        numbers["mu_sle"] + numbers["mu_myositis"] + numbers["mu_ssc"]
        == (numbers["mu_n"])
    )
    assert numbers["mk_dose_million"] * 1e6 == trial("dose_car_t_per_kg")
    assert numbers["sledai_before"] == trial("sledai2k_baseline_median")
    assert numbers["sledai_after_width"] == trial("sledai2k_3_months_range_width")
    assert numbers["doris_pct"] == pytest.approx(
        100 * trial("doris_remission_3_months")
    )
    assert numbers["drug_free_months"] == trial("drug_free_follow_up_median")


def test_b_cell_return_mean_and_sd_are_the_cited_band(numbers):
    rows = evidence.erlangen_trials()
    rows = rows[rows["quantity"] == "b_return_day_mean"].set_index("source")
    for prefix, source in (("b_return", "mackensen2022"), ("aplasia", "muller2024")):
        row = rows.loc[source]
        assert numbers[f"{prefix}_mean"] == row["value"]
        assert numbers[f"{prefix}_mean"] - numbers[f"{prefix}_sd"] == row["low"]
        assert numbers[f"{prefix}_mean"] + numbers[f"{prefix}_sd"] == row["high"]


def test_cancer_persistence_is_the_cited_one(numbers):
    table = evidence.car_t_persistence().set_index(["source", "quantity"])
    cll = table.loc[("melenhorst2022", "max_detectable_persistence"), "value"]
    eliana = table.loc[("maude2018", "max_detectable_persistence"), "value"]
    assert numbers["melenhorst_years"] == pytest.approx(cll / 365.25)
    assert numbers["eliana_months"] == pytest.approx(eliana / 30.44)
    assert (
        numbers["juliet_qpcr"]
        == table.loc[
            ("awasthi2020", "max_detectable_persistence_qpcr_responders"), "value"
        ]
    )


# --- cohorts ---------------------------------------------------------------------------
def test_the_cohorts_are_the_models_cohorts():
    for label, spreads in (
        ("calibrated", CohortParameters()),
        ("uncalibrated", CohortParameters.uncalibrated()),
    ):
        sample = cohort.sample_cohort(300, "autoimmune", None, spreads, seed=2024)
        patients = ch.virtual_cohort(label).patients
        assert np.array_equal(sample["kappa_multiplier"], patients["kappa_multiplier"])
        assert patients["last_day_above_lod"].max() <= ch.DAYS


def test_cohort_numbers_summarise_the_cohorts(numbers):
    row = ch.published_b_cell_return()
    assert row["source"] == "mackensen2022" and row["value"] == evidence.lookup(
        "erlangen_trials", "b_return_day_mean", "Mackensen et al. 2022, refractory SLE"
    )
    low, high = row["low"], row["high"]
    for label in ("calibrated", "uncalibrated"):
        patients = ch.virtual_cohort(label).patients
        day, lod = patients["b_return_day"], patients["last_day_above_lod"]
        assert numbers[f"{label}_mean"] == pytest.approx(day.mean())
        assert numbers[f"{label}_sd"] == pytest.approx(day.std())
        assert numbers[f"{label}_p95"] == pytest.approx(np.nanquantile(day, 0.95))
        assert numbers[f"{label}_tail_pct"] == pytest.approx(
            100 * np.mean(lod.to_numpy() >= 365)
        )
        inside = ((day >= low) & (day <= high)).mean()
        assert ch.cohort_summary(label)["within_pct"] == pytest.approx(100 * inside)
    assert numbers["calibrated_median"] == pytest.approx(
        ch.virtual_cohort("calibrated").patients["b_return_day"].median()
    )
    assert numbers["uncalibrated_no_return"] == int(
        ch.virtual_cohort("uncalibrated").patients["b_return_day"].isna().sum()
    )
    assert numbers["cohort_n"] == len(ch.virtual_cohort("calibrated").patients)
    # The calibration narrows the spread: the point of the chapter's table.
    assert numbers["uncalibrated_sd"] > 2 * numbers["calibrated_sd"]


def test_spreads_are_the_parameters(numbers):
    fitted, prior = CohortParameters(), CohortParameters.uncalibrated()
    assert numbers["fitted_expansion_sd"] == fitted.homeostatic_expansion_log_sd
    assert numbers["prior_effector_sd"] == prior.effector_death_log_sd
    assert numbers["return_threshold_pct"] == pytest.approx(
        100 * KineticsParameters().b_return_fraction
    )


# --- single runs: points of the vectorised grid ----------------------------------------
@pytest.mark.parametrize(
    ("key", "scenario", "params", "burden_only"),
    [
        ("auto", "autoimmune", KineticsParameters(), False),
        ("burden", "autoimmune", KineticsParameters(), True),
        ("lymph", "lymphoma", KineticsParameters(), False),
        (
            "half",
            "autoimmune",
            KineticsParameters().replace(autoimmune_memory_factor=0.5),
            False,
        ),
    ],
)
def test_single_run_numbers_are_the_single_runs(
    numbers, key, scenario, params, burden_only
):
    run = kinetics.simulate(scenario, params, days=1000, burden_only=burden_only)
    out = kinetics.readouts(run, params)
    assert numbers[f"{key}_lod_day"] == pytest.approx(
        out["last_day_above_lod"], rel=SOLVER_REL
    )
    assert numbers[f"{key}_b_return"] == pytest.approx(
        out["b_return_day"], rel=SOLVER_REL
    )


def test_leukaemia_and_peak_numbers_are_the_single_runs(numbers):
    leukaemia = kinetics.readouts(kinetics.simulate("leukaemia", days=1000))
    assert numbers["leuk_lod_day"] == pytest.approx(
        leukaemia["last_day_above_lod"], rel=SOLVER_REL
    )
    auto = kinetics.readouts(kinetics.simulate("autoimmune", days=1000))
    assert numbers["auto_peak_day"] == auto["car_t_peak_day"]
    assert numbers["auto_peak_per_ul"] == pytest.approx(
        auto["car_t_peak_per_ul"], rel=SOLVER_REL
    )
    assert numbers["lod_per_ul"] == KineticsParameters().detection_limit_per_ul


def test_drawn_runs_are_the_tabled_runs():
    runs, table = ch.single_runs(), ch.tables()["tbl-erlangen-runs"]
    assert list(runs) == list(table["run"])
    for label, frame in runs.items():
        out = kinetics.readouts(frame)
        row = table.set_index("run").loc[label]
        assert out["last_day_above_lod"] == pytest.approx(row["last_day_above_lod"])


# --- memory formation ------------------------------------------------------------------
def test_memory_numbers(numbers):
    params = KineticsParameters()
    assert numbers["memory_fold"] == pytest.approx(1 / numbers["memory_factor"])
    assert numbers["memory_factor"] == params.autoimmune_memory_factor
    assert numbers["memory_half_life"] == pytest.approx(
        np.log(2) / params.memory_death_per_day
    )
    assert numbers["fold_six_months"] == pytest.approx(1 / numbers["factor_six_months"])


def test_six_month_factor_lies_between_the_sweep_runs_that_bracket_it(numbers):
    factor = numbers["factor_six_months"]
    sweep = ch.memory_sweep()
    below = sweep[sweep["autoimmune_memory_factor"] < factor].iloc[-1]
    above = sweep[sweep["autoimmune_memory_factor"] > factor].iloc[0]
    for row in (below, above):
        params = KineticsParameters().replace(
            autoimmune_memory_factor=row["autoimmune_memory_factor"]
        )
        single = kinetics.readouts(kinetics.simulate("autoimmune", params, days=1000))
        assert row["last_day_above_lod"] == pytest.approx(
            single["last_day_above_lod"], rel=SOLVER_REL
        )
    assert below["last_day_above_lod"] < ch.SIX_MONTHS_DAYS
    assert above["last_day_above_lod"] > ch.SIX_MONTHS_DAYS


def test_explorable_grid_shows_the_model_run_at_a_grid_point():
    # As tests/browser/test_explorable.py reads the page: memory factor 0.5, 1e11 cells.
    grid, courses = ch.memory_grid()
    params = KineticsParameters().replace(autoimmune_memory_factor=0.5)
    run = kinetics.simulate("autoimmune", params, days=1000.0, tumour_cells=1e11)
    out = kinetics.readouts(run, params)
    row = grid.set_index(["autoimmune_memory_factor", "tumour_cells"]).loc[(0.5, 1e11)]
    for name in ("last_day_above_lod", "b_return_day"):
        assert row[name] == pytest.approx(out[name], rel=SOLVER_REL)
        assert _interactive.format_number(row[name]) == _interactive.format_number(
            out[name]
        )
    assert len(courses) == len(grid) * (1000 // 5 + 1)


SMALL = dict(memory_factors=(0.1, 1.0), tumour_cells=(0.0, 1e11), days=400.0)


def test_vectorised_grid_has_the_tables_of_the_single_run_grid():
    serial_grid, serial_courses = kinetics.memory_burden_grid(**SMALL)
    grid, courses = kinetics.memory_burden_grid_vectorised(**SMALL)
    assert list(grid.columns) == list(serial_grid.columns)
    assert list(courses.columns) == list(serial_courses.columns)
    for name in ("autoimmune_memory_factor", "tumour_cells", "is_default", "time_days"):
        table = grid if name in grid else courses
        serial = serial_grid if name in grid else serial_courses
        assert table[name].tolist() == serial[name].tolist(), name
    for name in ("last_day_above_lod", "b_return_day", "car_t_peak_per_ul"):
        assert np.allclose(grid[name], serial_grid[name], rtol=SOLVER_REL), name
    assert np.allclose(
        courses["car_t_per_ul"], serial_courses["car_t_per_ul"], rtol=SOLVER_REL
    )


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"memory_factors": (-0.1,)}, "memory_factors"),
        ({"memory_factors": (0.1, 0.1)}, "memory_factors"),
        ({"tumour_cells": (float("nan"),)}, "tumour_cells"),
        ({"sample_every_days": 0.3}, "sample_every_days"),
        ({"days": -5.0}, "days"),
        ({"params": "defaults"}, "params"),
    ],
)
def test_vectorised_grid_rejects_impossible_input(kwargs, parameter):
    args = {"memory_factors": (0.1,), "tumour_cells": (0.0,), "days": 30.0, **kwargs}
    with pytest.raises(ValueError, match=parameter):
        kinetics.memory_burden_grid_vectorised(**args)


def test_grid_tables_refuse_runs_of_another_grid():
    runs = kinetics.memory_burden_runs((0.1,), (0.0,), days=30.0)
    with pytest.raises(ValueError, match="runs"):
        kinetics.memory_burden_tables(runs, (0.1, 1.0), (0.0,))


# --- tables and claims -----------------------------------------------------------------
def test_cohort_table_sets_the_published_row_above_both_cohorts(numbers):
    table = ch.reader_table("tbl-erlangen-cohort")
    published, calibrated, uncalibrated = table.rows
    assert published[0] == "Mackensen et al. 2022"
    assert (
        published[1] == f"{numbers['b_return_mean']:.0f} ± {numbers['b_return_sd']:.0f}"
    )
    assert published[2:] == ("–", "–")
    assert calibrated[3] == f"{numbers['calibrated_tail_pct']:.1f}%"
    assert f"{ch.COHORT_SIZE} virtual patients" in table.caption


def test_cancer_table_marks_the_lower_bound():
    table = ch.tables()["tbl-erlangen-cancer"]
    assert table["lower_bound"].sum() == 1
    rows = ch.reader_table("tbl-erlangen-cancer").rows
    assert any(row[2].startswith("more than") for row in rows)


def test_claims_in_order_with_their_checks(numbers):
    claims = ch.claims()
    assert [c.id for c in claims] == [
        "lupus-remission",
        "cells-vanish-in-autoimmunity",
        "why-cells-vanish",
        "cells-persist-in-cancer",
        "b-cells-return",
    ]
    by_id = {c.id: c for c in claims}
    assert by_id["lupus-remission"].value == numbers["doris_pct"] / 100
    assert by_id["cells-vanish-in-autoimmunity"].value == pytest.approx(
        numbers["auto_lod_day"]
    )
    assert by_id["why-cells-vanish"].value == pytest.approx(numbers["burden_lod_day"])
    assert by_id["cells-persist-in-cancer"].value == pytest.approx(
        numbers["leuk_lod_day"]
    )
    assert by_id["b-cells-return"].value == pytest.approx(numbers["auto_b_return"])
    assert all(c.passed for c in claims)
    # The checks can fail: burden alone would not make the cells vanish by day 180.
    assert (
        not by_id["cells-vanish-in-autoimmunity"]
        .checks[0]
        .bound.holds(numbers["burden_lod_day"])
    )


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: ch.reader_table("tbl-nothing"), "name"),
        (lambda: ch.virtual_cohort("prior"), "label"),
        (lambda: ch.cohort_summary("prior"), "label"),
        (lambda: ch.map_row("nobody2099"), "source"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


# --- the cohort map: larger series, relapses, follow-up (issue #20) --------------------
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "04_erlangen.ipynb"


def _prose() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )


def test_durability_numbers_are_the_cohort_maps(numbers):
    table = cohort_map.cohorts().set_index("source")
    assert numbers["hagen_n"] == table.loc["hagen2025", "patients"]
    assert numbers["castle_n"] == table.loc["hagen2025castle", "patients"]
    assert numbers["qin_relapses"] == table.loc["qin2023", "relapses"]
    assert numbers["qin_n"] == table.loc["qin2023", "patients"]
    assert numbers["qin_follow_up"] == table.loc["qin2023", "follow_up_months"]
    assert 0 < numbers["qin_relapses"] < numbers["qin_n"]  # relapses exist
    assert numbers["map_n"] == len(table)
    primary = table[table["status"] == "primary"]
    assert numbers["relapse_cohorts"] == primary["relapses"].notna().sum()
    assert numbers["longest_follow_up"] == primary["follow_up_months"].max()
    assert (
        numbers["mu_follow_up_high"]
        == evidence.erlangen_trials()
        .set_index("quantity")
        .loc["follow_up_median", "high"]
    )
    # The larger series are the larger ones, and every one is in the Erlangen group.
    series = ch.erlangen_series()
    assert numbers["series_n"] == len(series)
    assert set(series["overlap_group"]) == {ch.ERLANGEN_GROUP}
    assert numbers["hagen_n"] == series["patients"].max()
    assert (
        numbers["hagen_n"] > numbers["mu_n"] and numbers["castle_n"] > numbers["mu_n"]
    )
    read = series[
        (series["status"] == "primary") & series["drug_free_remission"].notna()
    ]
    assert numbers["series_dfr_read"] == len(read) == 1
    assert read["source"].tolist() == ["mackensen2022"]


def test_the_prose_cites_the_cohort_with_the_longest_follow_up():
    prose = _prose()
    source = ch.longest_follow_up_source()
    sentence = prose[prose.index("`longest_follow_up") :][:200]
    assert f"`{source}`" in sentence


def test_series_table_flags_secondary_counts_and_missing_ones():
    table = ch.reader_table("tbl-erlangen-series")
    rows = {row[0]: row for row in table.rows}
    assert "secondary summary only" in rows["{cite:t}`muller2024`"][3]
    assert "secondary" not in rows["{cite:t}`mackensen2022`"][3]
    assert rows["{cite:t}`hagen2025`"][2:] == (ch.NOT_REPORTED, ch.NOT_REPORTED)
    assert len(table.headers) <= 4


def test_headline_tables_state_their_source_once():
    for name, key in (
        ("tbl-erlangen-first", "mackensen2022"),
        ("tbl-erlangen-larger", "muller2024"),
    ):
        table = ch.reader_table(name)
        assert f"{{cite:t}}`{key}`" in table.caption
        assert "Source" not in table.headers
        assert not any(key in cell for row in table.rows for cell in row)


def test_persistence_table_names_how_many_patients_were_followed(numbers):
    table = ch.persistence_table().set_index("source")
    assert "all" not in " ".join(table["group"])
    assert numbers["melenhorst_n"] == table.loc["melenhorst2022", "n"] == 2
    assert table.loc["melenhorst2022", "group"].startswith("2 patients")


def test_the_headline_caveat_carries_the_larger_series_and_durability(numbers):
    claim = ch.claims()[0]
    assert claim.id == "lupus-remission"
    for key in ("hagen_n", "castle_n", "mu_follow_up_high"):
        assert f"{numbers[key]:.0f}" in claim.caveat
    assert "relapses occur" in claim.caveat and "not known" in claim.caveat
    assert {"hagen2025", "hagen2025castle", "muller2025"} <= set(claim.sources)


def test_curves_below_detection_are_said_in_words():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    captions = {
        c["metadata"]["mystnb"]["figure"]["name"]: c["metadata"]["mystnb"]["figure"][
            "caption"
        ]
        for c in cells
        if "figure" in c.get("metadata", {}).get("mystnb", {})
    }
    for name in ("fig-erlangen-persistence", "fig-erlangen-assumption"):
        assert "far below what any qPCR test can detect" in captions[name]
