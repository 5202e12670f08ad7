"""Chapter 7 module: each number the prose quotes, recomputed here from its source."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cart_autoimmunity import beta_cells, evidence
from cart_autoimmunity.chapters import ch07_damage as chapter
from cart_autoimmunity.claims import chapter_verdict
from cart_autoimmunity.parameters.beta_cells import BetaCellParameters

PARAMS = BetaCellParameters()
YEAR = beta_cells.DAYS_PER_YEAR


def cited(quantity: str) -> float:
    return evidence.lookup("organ_damage", quantity)


@pytest.fixture(scope="module")
def numbers() -> dict:
    return chapter.numbers()


def test_cited_numbers_are_the_evidence_values(numbers):
    table = evidence.organ_damage().set_index("quantity")
    textbook = table.loc["beta_cell_loss_at_onset_textbook"]
    assert numbers["textbook_low_pct"] == pytest.approx(100 * textbook["low"])
    assert numbers["textbook_high_pct"] == pytest.approx(100 * textbook["high"])
    assert numbers["klinke_n"] == table.loc["beta_cell_loss_at_onset_age_20", "n"]
    assert numbers["klinke_age20_pct"] == pytest.approx(
        100 * cited("beta_cell_loss_at_onset_age_20")
    )
    assert numbers["slope_year1"] == -cited("c_peptide_slope_year_1") > 0
    assert numbers["slope_year2"] == -cited("c_peptide_slope_year_2") > 0
    assert numbers["detectable_pct"] == pytest.approx(
        100 * cited("detectable_c_peptide_at_2_years")
    )
    assert numbers["tep_months"] == cited("time_to_t1d_diagnosis_teplizumab")
    assert numbers["placebo_months"] == cited("time_to_t1d_diagnosis_placebo")
    for name, quantity in (
        ("axons_active", "transected_axons_active_lesions"),
        ("axons_edge", "transected_axons_chronic_lesion_edge"),
        ("axons_centre", "transected_axons_chronic_lesion_centre"),
    ):
        assert numbers[name] == cited(quantity)
    assert numbers["trapp_n"] == table.loc["transected_axons_active_lesions", "n"]


def test_c_peptide_fall_adds_up_the_two_cited_slopes(numbers):
    """Fall after a year = 12 s₁; after two = 12 (s₁ + s₂) (pmol/mL, slopes per month)."""
    s1, s2 = -cited("c_peptide_slope_year_1"), -cited("c_peptide_slope_year_2")
    assert numbers["cpep_fall_year1"] == pytest.approx(12 * s1)
    assert numbers["cpep_fall_two_years"] == pytest.approx(12 * (s1 + s2))
    assert numbers["cpep_share_in_year1"] == pytest.approx(100 * s1 / (s1 + s2))


def test_c_peptide_band_is_a_copy():
    band = chapter.c_peptide_band()
    band["change_pmol_per_ml"] = 0.0
    assert (chapter.c_peptide_band()["change_pmol_per_ml"] != 0.0).any()


def test_diagnosis_times_and_thresholds(numbers):
    klinke = beta_cells.diagnosis_day(None, PARAMS) / YEAR
    classical = (
        beta_cells.diagnosis_day(
            None, PARAMS, threshold_beta=PARAMS.classical_threshold_beta
        )
        / YEAR
    )
    assert numbers["untreated_dx_years"] == pytest.approx(klinke)
    assert numbers["classical_dx_years"] == pytest.approx(classical)
    assert numbers["classical_extra_years"] == pytest.approx(classical - klinke)
    assert numbers["klinke_loss_pct"] == pytest.approx(numbers["klinke_age20_pct"])
    assert numbers["classical_loss_pct"] == pytest.approx(numbers["textbook_low_pct"])


def test_mass_at_ten_years_after_each_quoted_intervention(numbers):
    sweep = beta_cells.sweep_intervention_times(chapter.QUOTED_YEARS, PARAMS)
    for year, mass in zip(chapter.QUOTED_YEARS, sweep["beta_at_horizon"]):
        assert numbers[f"beta10_year{year}"] == pytest.approx(mass)
    assert sweep["beta_at_horizon"].is_monotonic_decreasing


def test_mass_at_ten_years_when_treated_at_diagnosis(numbers):
    at_dx = beta_cells.sweep_intervention_times(
        [numbers["untreated_dx_years"], numbers["classical_dx_years"]], PARAMS
    )["beta_at_horizon"]
    assert numbers["beta10_at_klinke_dx"] == pytest.approx(at_dx.iloc[0])
    assert numbers["beta10_at_classical_dx"] == pytest.approx(at_dx.iloc[1])
    assert numbers["beta10_at_classical_dx"] < numbers["beta10_at_klinke_dx"]


def test_regrowth_stays_under_the_logistic_ceiling(numbers):
    """Logistic regrowth gains at most r_β/4 per day: r_β · 10 years / 4 in ten years."""
    ceiling = PARAMS.beta_regeneration_per_day * 10 * YEAR / 4
    assert numbers["regain_bound"] == pytest.approx(ceiling)
    sweep = chapter.tables()["tbl-damage-sweep"]
    regained = sweep["beta_at_horizon"] - sweep["beta_at_intervention"]
    assert regained.max() <= numbers["max_regained"] < ceiling


def test_delay_law_numbers(numbers):
    """Δt = ln(1/f) / g_A; f for the teplizumab shift solves it the other way."""
    g = PARAMS.attack_growth_per_day
    assert numbers["delay_f01"] == pytest.approx(math.log(10) / g / YEAR)
    assert numbers["delay_f0001"] == pytest.approx(math.log(1000) / g / YEAR)
    tep = (
        cited("time_to_t1d_diagnosis_teplizumab")
        - cited("time_to_t1d_diagnosis_placebo")
    ) / 12
    assert numbers["teplizumab_delay_years"] == pytest.approx(tep)
    assert chapter.teplizumab_delay_years() == pytest.approx(tep)
    depth = numbers["depth_for_teplizumab_pct"] / 100
    assert math.log(1 / depth) / g / YEAR == pytest.approx(tep)


def test_delay_law_error_is_the_full_models_largest_departure(numbers):
    delays = beta_cells.depletion_delay_table(list(chapter.DELAY_DEPTHS), PARAMS)
    ratio = delays["diagnosis_delay_years"] / delays["predicted_delay_years"]
    assert numbers["delay_law_error_pct"] == pytest.approx(
        100 * (ratio - 1).abs().max()
    )


def test_tables_hold_the_quoted_rows(numbers):
    tables = chapter.tables()
    sweep = tables["tbl-damage-sweep"].set_index("intervention_year")
    assert list(sweep.index) == list(chapter.TABLE_YEARS)
    for year in chapter.QUOTED_YEARS:
        assert sweep.loc[year, "beta_at_horizon"] == numbers[f"beta10_year{year}"]
    delays = tables["tbl-damage-delay"]
    assert list(delays["depth"]) == list(chapter.DELAY_DEPTHS)
    shown = chapter.reader_table("tbl-damage-sweep")
    assert {row[-1] for row in shown.rows} == {"yes", "no"}


def test_reader_table_refuses_an_unknown_name():
    with pytest.raises(ValueError, match="name"):
        chapter.reader_table("tbl-damage-nothing")


def test_damage_claim_is_the_largest_rise_of_the_chapters_sweep():
    sweep = beta_cells.sweep_intervention_times(chapter.INTERVENTION_YEARS, PARAMS)
    rise = np.max(np.diff(sweep["beta_at_horizon"].to_numpy()))
    (claim,) = chapter.claims()
    assert claim.id == "damage-irreversible"
    assert chapter_verdict(chapter.claims()) == "supported with caveats"
    assert claim.value == pytest.approx(rise, abs=1e-12)
    assert claim.passed and rise < 0
    # A later intervention that left more mass would fail the same bound.
    assert not claim.checks[0].bound.holds(1e-3)
    assert set(claim.sources) == {"klinke2008", "greenbaum2012", "trapp1998"}


def _markdown() -> str:
    import json
    from pathlib import Path

    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "07_damage.ipynb"
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )


def test_chapter_says_why_t_cell_diseases_are_harder_for_a_b_cell_therapy():
    """Issue #21: type 1 diabetes and MS are harder cases because T cells do the damage."""
    paragraphs = _markdown().split("\n\n")
    why = [p for p in paragraphs if "harder cases for a B-cell therapy" in p]
    assert len(why) == 1
    for needed in (
        "T cells",
        "willcox2009",
        "babbe2000",
        "type 1 diabetes",
        "sclerosis",
    ):
        assert needed in why[0], needed


def test_no_cohort_of_either_disease_is_in_the_evidence_map():
    """The prose says the map holds no type 1 diabetes or MS cohort: true of the table."""
    from cart_autoimmunity.evidence import cohort_map

    diseases = " ".join(cohort_map.cohorts()["disease"]).lower()
    for disease in ("type 1 diabetes", "multiple sclerosis"):
        assert disease not in diseases
    assert "holds no cohort with either disease" in _markdown()
