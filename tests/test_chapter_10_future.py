"""Chapter 10 (off the shelf, and in vivo): every number its prose quotes, from its source.

Each number of :func:`ch10_future.numbers` is recomputed here from the evidence table or
the model call it comes from, by a route of its own (single runs instead of the chapter's
sweep and grid), so a wrong column, hazard or schedule in the module fails.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cart_autoimmunity import cytokines, evidence, in_vivo, kinetics, ledger
from cart_autoimmunity.chapters import ch10_future as chapter
from cart_autoimmunity.parameters.in_vivo import InVivoParameters
from cart_autoimmunity.parameters.kinetics import KineticsParameters

PARAMS = KineticsParameters()
IV = InVivoParameters()
DEFAULT_HAZARD = PARAMS.allogeneic_rejection_max_per_day


@pytest.fixture(scope="module")
def numbers():
    return chapter.numbers()


def _report(source: str, quantity: str) -> float:
    """A report's number from its home, whichever evidence table that is."""
    reports = evidence.all_evidence()
    rows = reports[(reports["source"] == source) & (reports["quantity"] == quantity)]
    assert len(rows) == 1, (source, quantity)
    return float(rows["value"].iloc[0])


def _rejection_run(hazard: float, days: float) -> dict:
    run_params = PARAMS.replace(rejection_max_per_day=hazard)
    return kinetics.readouts(
        kinetics.simulate("autoimmune", run_params, days=days), run_params
    )


@pytest.fixture(scope="module")
def own_and_donor():
    """Read-outs of the sweep's two named runs, each run on its own."""
    days = chapter.SWEEP_DAYS
    return _rejection_run(0.0, days), _rejection_run(DEFAULT_HAZARD, days)


@pytest.fixture(scope="module")
def schedules():
    """Read-outs of each named in vivo schedule, run on its own (not from the grid)."""
    return {
        name: in_vivo.in_vivo_readouts(in_vivo.simulate_in_vivo(name, PARAMS, IV))
        for name in in_vivo.SCHEDULES
    }


# ------------------------------------------------------------------------------------------
# Cited numbers and parameters
# ------------------------------------------------------------------------------------------
def test_donor_reports_join_the_safety_numbers_from_their_home(monkeypatch):
    """Wang 2024's CRS and Wang 2025's GvHD live in the safety tables only; the donor table
    shows them under the report's name, and a second copy in the donor table is refused."""
    reports = chapter.donor_reports().set_index(["source", "quantity"])
    own = evidence.donor_cell_reports().set_index(["source", "quantity"])
    for key, table in [
        (("wang2024", "crs_any_grade"), evidence.crs_rates()),
        (("wang2025", "gvhd_any_grade"), evidence.other_adverse_events()),
    ]:
        home = table.set_index(["source", "quantity"]).loc[key]
        assert key not in own.index
        assert reports.loc[key, "verification"] == home["verification"]
        assert reports.loc[key, "cohort"] == own.loc[(key[0], "patients"), "cohort"]
    copy = evidence.crs_rates().query("source == 'wang2024'")
    twice = pd.concat([evidence.donor_cell_reports(), copy], ignore_index=True)
    monkeypatch.setattr(chapter.evidence, "donor_cell_reports", lambda: twice)
    with pytest.raises(ValueError, match="stored in two evidence tables"):
        chapter.donor_reports.__wrapped__()


def test_donor_reports_are_quoted_from_the_evidence(numbers):
    assert numbers["wang_n"] == _report("wang2024", "patients")
    assert numbers["wang25_n"] == _report("wang2025", "patients")
    assert numbers["wang25_dose_m"] == _report("wang2025", "dose_car_t_per_kg") / 1e6
    assert numbers["wang25_months"] == _report("wang2025", "follow_up")
    assert numbers["wang25_peak_day"] == _report("wang2025", "car_t_peak_day")
    assert numbers["wang25_withdrawn"] == pytest.approx(
        _report("wang2025", "patients")
        * _report("wang2025", "withdrawn_for_thrombocytopenia")
    )
    assert numbers["feng_n"] == _report("feng2025", "patients")
    assert numbers["feng_remission_pct"] == pytest.approx(
        100 * _report("feng2025", "lldas_and_doris_week_12")
    )
    assert numbers["feng_crs_pct"] == pytest.approx(
        100 * _report("feng2025", "crs_any_grade")
    )


def test_wang2024_depletion_persistence_and_crs_come_from_their_tables(numbers):
    for table, quantity, name in (
        (
            "b_cell_depletion",
            "time_to_complete_b_cell_depletion_max",
            "wang_depletion_days",
        ),
        ("car_t_persistence", "min_detectable_persistence", "wang_persist_days"),
    ):
        rows = evidence.TABLES[table]()
        assert rows.loc[rows["quantity"] == quantity, "source"].tolist() == ["wang2024"]
        assert numbers[name] == evidence.lookup(table, quantity)
    crs = evidence.TABLES["crs_rates"]()
    wang = crs[(crs["source"] == "wang2024") & (crs["quantity"] == "crs_any_grade")]
    assert numbers["wang_crs_pct"] == pytest.approx(100 * wang["value"].iloc[0])


def test_parameters_are_quoted_in_the_prose_units(numbers):
    assert numbers["tau_rec"] == PARAMS.rejection_onset_days
    assert numbers["r_default"] == DEFAULT_HAZARD
    assert numbers["ld_survival_pct"] == pytest.approx(
        100 * PARAMS.lymphodepletion_survival_fraction
    )
    assert numbers["eta_billion"] * 1e9 == pytest.approx(IV.car_cells_per_dose)
    # half-life: the CAR pool halves in car_half_life_days (exp(-k t) = 1/2)
    k = IV.car_expression_loss_per_day
    assert math.exp(-k * numbers["car_half_life_days"]) == pytest.approx(0.5)
    assert numbers["marrow_weight_pct"] == pytest.approx(100 * IV.marrow_access_weight)
    assert numbers["depleted_pct"] == pytest.approx(100 * IV.b_depleted_fraction)


# ------------------------------------------------------------------------------------------
# Donor cells that the host rejects
# ------------------------------------------------------------------------------------------
def test_own_and_donor_cells_are_the_runs_at_zero_and_the_default_hazard(
    numbers, own_and_donor
):
    own, donor = own_and_donor
    approx = lambda value: pytest.approx(value, rel=1e-9)  # noqa: E731
    assert numbers["auto_last_day"] == approx(own["last_day_above_lod"])
    assert numbers["auto_b_return"] == approx(own["b_return_day"])
    assert numbers["auto_b14_logs"] == approx(-np.log10(own["b_fraction_day_14"]))
    assert numbers["allo_peak_day"] == approx(donor["car_t_peak_day"])
    assert numbers["allo_last_day"] == approx(donor["last_day_above_lod"])
    assert numbers["allo_b_return"] == approx(donor["b_return_day"])
    assert numbers["allo_b14_logs"] == approx(-np.log10(donor["b_fraction_day_14"]))
    # rejection shortens persistence and the B-cell-free window
    assert numbers["allo_last_day"] < numbers["auto_last_day"]
    assert numbers["allo_b_return"] < numbers["auto_b_return"]


def test_rejected_within_weeks_is_every_hazard_with_cells_gone_in_three_to_six_weeks(
    numbers,
):
    low, high = numbers["weeks_min_days"], numbers["weeks_max_days"]
    assert (low, high) == (21.0, 42.0)
    last_day = {
        r: _rejection_run(r, chapter.SWEEP_DAYS)["last_day_above_lod"]
        for r in chapter.SWEEP_HAZARDS_PER_DAY
    }
    inside = [r for r, day in last_day.items() if low <= day <= high]
    assert (numbers["weeks_r_low"], numbers["weeks_r_high"]) == (
        min(inside),
        max(inside),
    )
    days = [last_day[r] for r in inside]
    assert numbers["weeks_fastest_last_day"] == pytest.approx(min(days), rel=1e-9)
    assert numbers["weeks_slowest_last_day"] == pytest.approx(max(days), rel=1e-9)
    worst = max(
        _rejection_run(r, chapter.SWEEP_DAYS)["b_fraction_day_14"] for r in inside
    )
    assert numbers["weeks_worst_b14_per_million"] == pytest.approx(
        1e6 * worst, rel=1e-9
    )
    assert numbers["weeks_worst_b14_per_million"] < 1e3  # deep: below 1/1000 of normal


def test_depletion_turns_shallow_near_the_crossing_hazard(numbers):
    """A run at the interpolated hazard leaves day-14 B cells near 1/1000 of normal."""
    at_cross = _rejection_run(numbers["r_cross"], chapter.SWEEP_DAYS)
    assert at_cross["b_fraction_day_14"] == pytest.approx(1e-3, rel=0.3)
    assert at_cross["last_day_above_lod"] == pytest.approx(
        numbers["r_cross_last_day"], abs=0.5
    )


def test_the_rejection_table_is_the_sweep():
    table = chapter.tables()["tbl-future-rejection"]
    assert table["rejection_max_per_day"].tolist() == list(
        chapter.SWEEP_HAZARDS_PER_DAY
    )
    assert np.allclose(table["b14_per_million"], 1e6 * table["b_fraction_day_14"])


# ------------------------------------------------------------------------------------------
# CAR T cells made in the body
# ------------------------------------------------------------------------------------------
def _same_run(value):
    """The grid solves all schedules at once: separate runs agree to the solver's
    tolerance (far below the 4 figures the book shows), not bit for bit."""
    return pytest.approx(value, rel=1e-6)


def test_schedule_numbers_are_the_runs_of_those_schedules(numbers, schedules):
    single, weekly = schedules["single"], schedules["weekly_x6"]
    assert numbers["single_days_below"] == _same_run(single["days_b_below_1pct"])
    assert numbers["single_recovery_day"] == _same_run(single["b_return_day"])
    assert numbers["weekly_days_below"] == _same_run(weekly["days_b_below_1pct"])
    assert numbers["weekly_recovery_after"] == _same_run(
        weekly["recovery_after_last_dose_days"]
    )
    assert numbers["q2w_days_below"] == _same_run(
        schedules["every_2_weeks_x6"]["days_b_below_1pct"]
    )
    assert numbers["monthly_days_below"] == _same_run(
        schedules["monthly_x6"]["days_b_below_1pct"]
    )


def test_the_schedule_table_has_every_named_schedule(schedules):
    table = chapter.tables()["tbl-future-schedules"].set_index("schedule")
    assert list(table.index) == list(in_vivo.SCHEDULES)
    for name, expected in schedules.items():
        for column in ("b_return_day", "recovery_after_last_dose_days"):
            assert table.loc[name, column] == _same_run(expected[column]), name


def test_the_dose_count_sweep_is_the_models():
    expected = in_vivo.dose_count_sweep(6, chapter.WEEKLY_DAYS, PARAMS, IV)
    shown = chapter.dose_count_sweep()
    for column in expected.columns:
        assert shown[column].tolist() == _same_run(expected[column].tolist()), column


# ------------------------------------------------------------------------------------------
# The cytokine prediction
# ------------------------------------------------------------------------------------------
def test_cytokine_peaks_are_those_of_the_three_runs(numbers):
    days = chapter.COURSE_DAYS
    own = kinetics.simulate("autoimmune", PARAMS, days=days)
    donor = kinetics.simulate("allogeneic", PARAMS, days=days)
    one_dose = in_vivo.simulate_in_vivo("single", PARAMS, IV)
    peak = lambda run: float(run["cytokine_proxy"].max())  # noqa: E731
    assert numbers["cyt_auto"] == pytest.approx(peak(own), rel=1e-6)
    assert numbers["cyt_allo"] == pytest.approx(peak(donor), rel=1e-6)
    assert numbers["cyt_in_vivo"] == pytest.approx(peak(one_dose), rel=1e-9)
    at = one_dose["cytokine_proxy"].idxmax()
    assert numbers["cyt_in_vivo_day"] == one_dose.loc[at, "time_days"]
    assert numbers["cyt_ratio"] == pytest.approx(peak(one_dose) / peak(own), rel=1e-6)
    for name, run in (("p_severe_auto_pct", own), ("p_severe_in_vivo_pct", one_dose)):
        expected = 100 * cytokines.severe_crs_probability(peak(run))
        assert numbers[name] == pytest.approx(expected, rel=1e-6)


def test_a_quarter_dose_still_gives_a_large_peak(numbers):
    quarter = IV.replace(car_cells_per_dose=IV.car_cells_per_dose / 4)
    run = in_vivo.simulate_in_vivo("single", PARAMS, quarter, days=30.0)
    assert numbers["cyt_quarter"] == pytest.approx(run["cytokine_proxy"].max())
    assert numbers["cyt_auto"] < numbers["cyt_quarter"] < numbers["cyt_in_vivo"]


# ------------------------------------------------------------------------------------------
# Claims
# ------------------------------------------------------------------------------------------
def test_claims_are_the_chapters_and_reach_the_ledger():
    claims = chapter.claims()
    assert [c.id for c in claims] == ["off-the-shelf-enough", "in-vivo-transient"]
    in_ledger = {entry["id"]: entry for entry in ledger.evaluate()}
    for claim in claims:
        assert claim.chapter == chapter.CHAPTER
        assert in_ledger[claim.id]["criterion"] == claim.criterion
    assert claims[0].verdict == "supported with caveats"
    assert claims[1].verdict == "plausible, not yet measured"


def test_claim_checks_use_the_numbers_the_prose_quotes(numbers, own_and_donor):
    donor_cells, in_body = chapter.claims()
    worst, default, depletion, harms = donor_cells.checks
    assert worst.value == pytest.approx(numbers["weeks_worst_b14_per_million"] / 1e6)
    assert default.value == pytest.approx(own_and_donor[1]["b_fraction_day_14"])
    assert depletion.value == numbers["wang_depletion_days"]
    assert harms.value == max(
        _report("wang2025", q)
        for q in ("crs_any_grade", "neurotoxicity_any_grade", "gvhd_any_grade")
    )
    assert f"{numbers['wang_persist_days']:.0f} days" in donor_cells.caveat
    one, gained = in_body.checks
    assert one.value == numbers["single_days_below"]
    assert gained.value == pytest.approx(
        numbers["weekly_days_below"] - numbers["single_days_below"]
    )
    assert all(claim.passed for claim in (donor_cells, in_body))


def test_the_claims_would_fail_on_the_wrong_numbers():
    donor_cells, in_body = chapter.claims()
    assert not donor_cells.checks[0].bound.holds(1e-3)  # only as deep as 1/1000
    assert not donor_cells.checks[3].bound.holds(1 / 3)  # one patient in three harmed
    assert not in_body.checks[0].bound.holds(14.0)  # two weeks from one dose
    assert not in_body.checks[1].bound.holds(0.0)  # repeated doses gain nothing


# ------------------------------------------------------------------------------------------
# Tables and bad input
# ------------------------------------------------------------------------------------------
def test_donor_table_shows_percentages_and_million_cells():
    table = chapter.tables()["tbl-future-donor"]
    reports = chapter.donor_reports()
    assert len(table) == len(reports) == len(evidence.donor_cell_reports()) + 3
    crs = table["what"] == "CRS, any grade (%)"
    assert np.allclose(
        table.loc[crs, "value"],
        100 * reports.loc[reports["quantity"] == "crs_any_grade", "value"],
    )
    dose = table.loc[table["what"] == "Dose (million cells per kg)", "value"]
    assert dose.tolist() == [_report("wang2025", "dose_car_t_per_kg") / 1e6]
    shown = repr(chapter.reader_table("tbl-future-donor"))
    assert "87" in shown  # feng2025: 13 of 15 with CRS, shown as a whole percentage


def _one_panel():
    import matplotlib.pyplot as plt

    fig, _ = plt.subplots()
    return fig


NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "10_future.ipynb"


def _markdown() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )


def test_the_detection_limit_is_the_models_over_normal_b_cells(numbers):
    """Issue #21: depths far below any test are said as such, against the book's limit."""
    fraction = PARAMS.detection_limit_per_ul / PARAMS.normal_b_cells_per_ul
    assert numbers["detect_per_ul"] == pytest.approx(PARAMS.detection_limit_per_ul)
    assert numbers["detect_logs"] == pytest.approx(-math.log10(fraction))
    assert numbers["detect_per_million"] == pytest.approx(1e6 * fraction)
    # The depths the prose quotes are below it, so the prose must say so.
    assert numbers["allo_b14_logs"] > numbers["detect_logs"]
    assert numbers["weeks_worst_b14_per_million"] < numbers["detect_per_million"]
    assert " ".join(_markdown().split()).count("below what any test can detect") >= 3


def test_the_b_cell_panels_shade_what_no_test_can_see():
    import matplotlib.pyplot as plt

    from cart_autoimmunity import figures

    runs = kinetics.rejection_runs((0.0, DEFAULT_HAZARD), PARAMS, days=60.0)
    fig = figures.kinetics.plot_rejection_time_courses(
        runs, detection_limit_per_ul=PARAMS.detection_limit_per_ul
    )
    before = fig.axes[1].get_ylim()
    chapter.mark_undetectable(fig, PARAMS)
    band = fig.axes[1].patches[-1]
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert fig.axes[1].get_ylim() == before
    top = chapter.undetectable_fraction(PARAMS)
    assert band.get_y() + band.get_height() == pytest.approx(top)
    assert "below detection" in texts
    plt.close(fig)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    for cell in cells:
        name = cell["metadata"].get("mystnb", {}).get("figure", {}).get("name")
        if name in ("fig-future-rejection", "fig-future-rejection-sweep"):
            assert "chapter.mark_undetectable(fig" in "".join(cell["source"])
            assert "detection limit" in cell["metadata"]["mystnb"]["figure"]["caption"]


def test_captions_and_alt_texts_type_no_numbers():
    """Numbers in a caption or alt text cannot be glued, so the chapter writes none (the
    read-out day 14 is a definition, drawn as a line, not a result)."""
    for cell in json.loads(NOTEBOOK.read_text())["cells"]:
        figure = cell["metadata"].get("mystnb", {})
        for text in (
            figure.get("figure", {}).get("caption", ""),
            figure.get("image", {}).get("alt", ""),
        ):
            assert not re.search(r"\d", re.sub(r"CD19|day 14", "", text)), text
            for word in ("eighteen", "sixty", "thirteen", "five days", "billion"):
                assert word not in text, (word, text)


def test_monkeys_cite_hunter_in_parentheses():
    """Issue #21: "in monkeys Hunter et al. [2025];" was a textual citation mid-sentence."""
    text = _markdown()
    assert "{cite:p}`hunter2025`" in text
    assert "{cite:t}`hunter2025`" not in text


def test_donor_counts_are_the_evidence_maps(numbers):
    from cart_autoimmunity.evidence import cohort_map

    table = cohort_map.cohorts()
    donor = table[table["cell_source"] == "donor"]
    assert numbers["map_donor_cohorts"] == len(donor)
    assert numbers["map_donor_patients"] == donor["patients"].sum()
    # The prose says "both from this one trial": a new donor cohort must change it.
    assert set(donor["source"]) == {"wang2024", "wang2025"}


def test_unverified_in_vivo_reports_are_named_without_numbers():
    """ESO-T01 and the lupus reports were seen only in news summaries: named, not counted."""
    text = _markdown()
    start = text.index("The first human test, not yet checkable")
    paragraph = text[start : text.index("\n\n", start)]
    assert "ESO-T01" in paragraph
    assert "{glue:" not in paragraph and "{cite:" not in paragraph
    assert not any(ch.isdigit() for ch in re.sub(r"ESO-T01|CD19", "", paragraph))


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: chapter.reader_table("tbl-future-nothing"), "name"),
        (lambda: chapter.sweep_row(0.3), "hazard"),
        (lambda: chapter.report("nobody2020"), "source"),
        (lambda: chapter.mark_undetectable(_one_panel()), "fig"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()
