"""Chapter 5 module: each number the prose quotes, recomputed here from its source."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_autoimmunity import cytokines, evidence
from cart_autoimmunity.chapters import ch05_safety as chapter
from cart_autoimmunity.claims import chapter_verdict
from cart_autoimmunity.evidence import safety
from cart_autoimmunity.parameters.kinetics import KineticsParameters

PARAMS = KineticsParameters()
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "05_safety.ipynb"
COHORTS = ROOT / "cart_autoimmunity" / "evidence" / "cohorts" / "autoimmune_cohorts.csv"
#: Where the story lives beside the worktrees (absent on a fresh clone: the test skips).
STORY = ROOT.parents[1] / "shared" / "seed" / "article.md"


def markdown() -> str:
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )


def independent(outcome: str) -> pd.DataFrame:
    """Primary rows reporting ``outcome``, the largest per overlap group (read here)."""
    raw = pd.read_csv(COHORTS, dtype=str, keep_default_na=False)
    rows = raw[(raw["status"] == "primary") & (raw[outcome] != "")].copy()
    rows["n"] = rows["patients"].astype(int)
    rows["k"] = rows[outcome].astype(int)
    return rows.sort_values("n", ascending=False).drop_duplicates("overlap_group")


@pytest.fixture(scope="module")
def numbers() -> dict:
    return chapter.numbers()


def other(quantity: str, cohort: str) -> float:
    return evidence.lookup("other_adverse_events", quantity, cohort)


def other_n(quantity: str, cohort: str) -> int:
    table = safety.other_adverse_events().set_index(["quantity", "cohort"])
    return int(table.loc[(quantity, cohort), "n"])


def test_erlangen_crs_counts(numbers):
    n = evidence.lookup(
        "erlangen_trials", "patients", "Müller et al. 2024, SLE + myositis + SSc"
    )
    assert numbers["muller_n"] == n == chapter.muller_n()
    for name, quantity in (
        ("muller_crs1", "crs_grade_1"),
        ("muller_crs2", "crs_grade_2"),
        ("muller_icans", "neurotoxicity_grade_1"),
    ):
        share = evidence.lookup("erlangen_trials", quantity)
        assert numbers[name] == pytest.approx(share * n, abs=0.5)
    assert numbers["muller_crs1"] + numbers["muller_crs2"] == pytest.approx(
        numbers["muller_any_pct"] / 100 * n
    )


def test_severe_crs_range_of_the_cancer_trials(numbers):
    rates = evidence.crs_rates()
    severe = rates[
        rates["quantity"].isin(["crs_grade_3_plus", "crs_severe"])
        & rates["cohort"].isin(safety.CANCER_TRIALS)
    ]
    assert numbers["severe_low_pct"] == pytest.approx(100 * severe["value"].min())
    assert numbers["severe_high_pct"] == pytest.approx(100 * severe["value"].max())
    assert numbers["severe_trials"] == severe["cohort"].nunique()


def test_zero_of_n_bounds_have_the_closed_form(numbers):
    """k = 0: the exact upper bound is 1 − (α/2)^(1/n); P(0 of n) = (1 − p)ⁿ."""
    n = numbers["muller_n"]
    assert numbers["cp_upper_pct"] == pytest.approx(100 * (1 - 0.025 ** (1 / n)))
    assert numbers["cp_one_sided_pct"] == pytest.approx(100 * (1 - 0.05 ** (1 / n)))
    for rate_name, zero_name, cohort, quantity in (
        ("zuma_crs3_pct", "p_zero_zuma_pct", safety.ZUMA1, "crs_grade_3_plus"),
        ("cibmtr_crs3_pct", "p_zero_cibmtr_pct", safety.CIBMTR, "crs_grade_3_plus"),
        ("park_severe_pct", "p_zero_park_pct", safety.MSKCC, "crs_severe"),
    ):
        rate = evidence.lookup("crs_rates", quantity, cohort)
        assert numbers[rate_name] == pytest.approx(100 * rate)
        assert numbers[zero_name] == pytest.approx(100 * (1 - rate) ** n)


def test_series_needed_to_exclude_the_registry_rate(numbers):
    """Smallest m with 1 − 0.025^(1/m) < p, i.e. m > ln 0.025 / ln(1 − p)."""
    rate = evidence.lookup("crs_rates", "crs_grade_3_plus", safety.CIBMTR)
    assert numbers["n_needed"] == math.floor(math.log(0.025) / math.log(1 - rate)) + 1
    assert chapter.series_needed(rate) == numbers["n_needed"]


def test_other_side_effects_are_the_cited_values(numbers):
    for name, quantity, cohort in (
        ("juliet_infection_pct", "infections_grade_3_plus", safety.JULIET),
        ("feng_neutropenia_pct", "neutropenia_grade_3_plus", safety.FENG),
        ("feng_thrombocytopenia_pct", "thrombocytopenia_grade_3_plus", safety.FENG),
        ("juliet_cytopenia_pct", "cytopenia_beyond_day_28", safety.JULIET),
        ("licats_pct", "licats_any", safety.HAGEN),
    ):
        assert numbers[name] == pytest.approx(100 * other(quantity, cohort)), name
    longevity = evidence.antibody_longevity().set_index(["quantity", "cohort"])
    viral = longevity.loc[("viral_infections_after_day_90", safety.HILL)]
    assert numbers["hill_viral_rate"] == viral["value"]
    assert numbers["hill_n"] == viral["n"]
    assert numbers["hill_igg_pct"] == pytest.approx(
        -100
        * longevity.loc[("total_igg_change_after_cd19_car_t", safety.HILL), "value"]
    )
    for name, quantity, cohort in (
        ("muller_pneumonia", "infection_hospitalisation", safety.MULLER),
        ("wang_withdrawn", "withdrawn_for_thrombocytopenia", safety.WANG2025),
        ("wang_gvhd", "gvhd_any_grade", safety.WANG2025),
        ("licats_patients", "licats_any", safety.HAGEN),
        ("licats_grade3", "licats_grade_3", safety.HAGEN),
    ):
        count = other(quantity, cohort) * other_n(quantity, cohort)
        assert numbers[name] == pytest.approx(count, abs=0.5), name
    assert numbers["feng_n"] == other_n("neutropenia_grade_3_plus", safety.FENG)
    assert numbers["wang_n"] == other_n("gvhd_any_grade", safety.WANG2025)
    assert numbers["licats_n"] == other_n("licats_any", safety.HAGEN)
    for name, quantity in (
        ("tcell_cases", "t_cell_cancer_cases_reported"),
        ("tcell_doses", "doses_given_min"),
        ("boxed_products", "boxed_warning_products"),
    ):
        assert numbers[name] == other(quantity, safety.APPROVED), name


def test_map_numbers_are_the_cohort_table_counts(numbers):
    """Totals over the independent primary cohorts, recomputed from the CSV itself."""
    severe = independent("crs_grade3_plus")
    n = int(severe["n"].sum())
    assert numbers["map_crs3_cohorts"] == len(severe) >= 2
    assert numbers["map_crs3_patients"] == n
    assert numbers["map_crs3_events"] == int(severe["k"].sum()) == 0
    # k = 0 of n: the exact two-sided 95% upper bound is 1 - 0.025^(1/n).
    assert numbers["map_crs3_upper_pct"] == pytest.approx(100 * (1 - 0.025 ** (1 / n)))
    rate = evidence.lookup("crs_rates", "crs_grade_3_plus", safety.CIBMTR)
    assert numbers["map_p_zero_cibmtr_pct"] == pytest.approx(100 * (1 - rate) ** n)
    # The prose: the pooled bound falls below every cancer rate of the zero-of-n table.
    assert numbers["map_crs3_upper_pct"] < min(
        numbers[k] for k in ("zuma_crs3_pct", "cibmtr_crs3_pct", "park_severe_pct")
    )
    icans = independent("icans_grade3_plus")
    assert numbers["map_icans3_cohorts"] == len(icans)
    assert numbers["map_icans3_patients"] == int(icans["n"].sum())
    assert numbers["map_icans3_events"] == int(icans["k"].sum())
    any_crs = independent("crs_any").set_index("source")
    assert numbers["qin_crs_any"] == any_crs.loc["qin2023", "k"]
    assert numbers["qin_n"] == any_crs.loc["qin2023", "n"]
    assert numbers["feng_crs_any"] == any_crs.loc["feng2025", "k"]
    donor = any_crs[any_crs["cell_source"] == "donor"]
    assert numbers["donor_crs_any"] == donor["k"].sum()
    assert numbers["donor_n"] == donor["n"].sum()
    raw = pd.read_csv(COHORTS)
    primary = raw[raw["status"] == "primary"]
    longest = primary["follow_up_months"].max()
    assert numbers["map_longest_follow_up"] == longest
    # The prose cites the cohort with that follow-up.
    assert primary.loc[primary["follow_up_months"].idxmax(), "source"] == "feng2025"


def test_cohort_table_lists_every_cohort_counting_crs_or_icans():
    raw = pd.read_csv(COHORTS, dtype=str, keep_default_na=False)
    counted = raw[
        raw[["crs_any", "crs_grade3_plus", "icans_any", "icans_grade3_plus"]]
        .ne("")
        .any(axis=1)
    ]
    table = chapter.tables()["tbl-safety-cohorts"]
    assert set(table["cohort"]) == set(counted["cohort"])
    assert chapter.numbers()["map_cohorts_silent"] == len(raw) - len(counted) > 0
    shown = chapter.reader_table("tbl-safety-cohorts")
    assert len(shown.rows) == len(counted)
    cells = [cell for row in shown.rows for cell in row]
    assert any("not reported" in cell for cell in cells)
    assert any("secondary" in cell for cell in cells)  # Müller 2024 is marked


def test_overview_counts_severe_events_over_the_map(numbers):
    overview = chapter.tables()["tbl-safety-overview"].set_index("event")
    crs = overview.loc["Severe CRS (grade 3 or higher)"]
    assert crs["autoimmune"] == (
        f"{numbers['map_crs3_events']} of {numbers['map_crs3_patients']} in "
        f"{numbers['map_crs3_cohorts']} cohorts"
    )
    assert "muller2024" not in crs["sources"]  # its counts are secondary
    assert set(independent("crs_grade3_plus")["source"]) <= set(
        crs["sources"].split(",")
    )
    icans = overview.loc["Severe neurotoxicity (ICANS)", "autoimmune"]
    assert icans.startswith(f"{numbers['map_icans3_events']} of ")


def test_plasma_cells_are_not_all_said_to_lack_cd19():
    """Mei 2015: many, not all, long-lived plasma cells lack CD19 (issue #20)."""
    sentences = re.split(r"(?<=[.;:])\s", markdown())
    said = [s for s in sentences if "lack" in s and "CD19" in s]
    assert said, "the chapter should still say which plasma cells lack CD19"
    for sentence in said:
        assert "many" in sentence or "not all" in sentence, sentence
        assert "mei2015" in sentence, sentence


def test_hill_rate_is_called_viral():
    text = markdown()
    at = text.index("hill_viral_rate")
    assert "viral infections" in text[at - 200 : at]


def test_label_changes_are_cited_to_label_text():
    text = markdown()
    assert "kymriah2025label" in text
    assert "not verified here" in text


@pytest.mark.skipif(not STORY.exists(), reason="the story is not beside the worktree")
def test_headline_claim_is_not_the_storys_wording():
    words = re.findall(r"[a-z'-]+", STORY.read_text().lower())
    runs = {tuple(words[i : i + 6]) for i in range(len(words) - 5)}
    claim = re.findall(r"[a-z'-]+", chapter.claims()[0].claim.lower())
    shared = [claim[i : i + 6] for i in range(len(claim) - 5)]
    assert not [run for run in shared if tuple(run) in runs]


def test_model_inputs_are_the_parameters(numbers):
    assert numbers["normal_b_billions"] == pytest.approx(PARAMS.normal_b_cells / 1e9)
    assert numbers["ld_survival_pct"] == pytest.approx(
        100 * PARAMS.lymphodepletion_survival_fraction
    )
    assert numbers["lymphoma_billions"] == pytest.approx(
        PARAMS.lymphoma_tumour_cells / 1e9
    )
    assert numbers["leukaemia_billions"] == pytest.approx(
        PARAMS.leukaemia_tumour_cells / 1e9
    )


def test_scenario_peaks_and_risks(numbers):
    table = cytokines.scenario_crs_table(PARAMS).set_index("scenario")
    peak = table["cytokine_peak"]
    assert numbers["peak_ratio_lymphoma"] == pytest.approx(
        peak["lymphoma"] / peak["autoimmune"]
    )
    assert numbers["peak_ratio_leukaemia"] == pytest.approx(
        peak["leukaemia"] / peak["autoimmune"]
    )
    for name, scenario in (
        ("p_auto_pct", "autoimmune"),
        ("p_lymph_pct", "lymphoma"),
        ("p_leuk_pct", "leukaemia"),
    ):
        # The probability is the assumed map applied to the computed peak.
        risk = cytokines.severe_crs_probability(peak[scenario])
        assert numbers[name] == pytest.approx(100 * risk), name
    assert numbers["p_auto_pct"] < numbers["p_lymph_pct"] < numbers["p_leuk_pct"]


def test_dose_matters_less_than_burden(numbers):
    def peak(tumour_cells, dose):
        run = cytokines.crs_vs_burden([tumour_cells], params=PARAMS, dose_cells=dose)
        return run["cytokine_peak"].iloc[0]

    base = peak(0.0, PARAMS.dose_cells)
    assert numbers["dose_effect"] == pytest.approx(
        peak(0.0, 3 * PARAMS.dose_cells) / base, rel=1e-6
    )
    assert numbers["burden_effect"] == pytest.approx(
        peak(PARAMS.leukaemia_tumour_cells, PARAMS.dose_cells) / base, rel=1e-6
    )
    assert 1 < numbers["dose_effect"] < numbers["burden_effect"]


def test_lymphodepletion_caveat(numbers):
    no_ld = PARAMS.replace(lymphodepletion_survival_fraction=1.0)
    both = {
        "with": cytokines.scenario_crs_table(PARAMS, scenarios=("autoimmune",)),
        "without": cytokines.scenario_crs_table(no_ld, scenarios=("autoimmune",)),
    }
    peak = {k: v["cytokine_peak"].iloc[0] for k, v in both.items()}
    assert numbers["no_ld_ratio"] == pytest.approx(peak["without"] / peak["with"])
    assert numbers["no_ld_p_pct"] == pytest.approx(
        100 * both["without"]["severe_crs_probability"].iloc[0]
    )
    assert numbers["no_ld_ratio"] > 1


def test_tables_show_the_quoted_numbers(numbers):
    tables = chapter.tables()
    assert set(tables) == set(chapter.TABLE_SPECS)
    zero = tables["tbl-safety-zero-of-n"].set_index("cohort")
    assert zero.loc[safety.ZUMA1, "p_zero"] == pytest.approx(numbers["p_zero_zuma_pct"])
    no_ld = tables["tbl-safety-no-ld"]["risk"]
    assert no_ld.iloc[1] == pytest.approx(numbers["no_ld_p_pct"])
    shown = chapter.reader_table("tbl-safety-zero-of-n")
    assert f"{numbers['muller_n']} patients" in shown.headers[-1]
    crs_map = chapter.reader_table("tbl-safety-crs-map")
    assert len(crs_map.rows) == len(tables["tbl-safety-crs-map"])


def test_claims_in_order_with_the_chapters_values(numbers):
    claims = chapter.claims()
    assert [c.id for c in claims] == [
        "autoimmune-side-effects-mild",
        "autoimmune-crs-cited",
        "milder-crs-in-autoimmunity",
    ]
    assert chapter_verdict(claims) == "supported with caveats"
    assert claims[2].verdict == "plausible, not yet measured"
    mild, cited, model = claims
    assert mild.value == pytest.approx(numbers["licats_grade3"] / numbers["licats_n"])
    assert mild.checks[1].value == numbers["map_crs3_events"]
    assert mild.checks[2].value == pytest.approx(numbers["map_crs3_upper_pct"] / 100)
    # A bound above the routine-care cancer rate would fail the headline claim.
    assert not mild.checks[2].bound.holds(numbers["cibmtr_crs3_pct"] / 100)
    assert cited.value == evidence.lookup(
        "crs_rates", "crs_grade_3_plus", safety.MULLER
    )
    assert [c.value for c in model.checks] == pytest.approx(
        [numbers["p_auto_pct"] / 100, numbers["p_leuk_pct"] / 100]
    )
    assert all(c.passed for c in claims)
    # One severe case, in Erlangen or anywhere in the map, would fail a cited claim.
    assert not cited.checks[0].bound.holds(1 / numbers["muller_n"])
    assert not mild.checks[1].bound.holds(1)
    # A caveat's numbers are the chapter's numbers.
    assert f"{numbers['cp_upper_pct']:.0f}%" in cited.caveat
    assert f"{numbers['licats_patients']} of {numbers['licats_n']}" in mild.caveat
    assert f"{numbers['map_crs3_patients']} patients" in mild.caveat
    assert f"{numbers['map_crs3_upper_pct']:.0f}%" in mild.caveat


@settings(max_examples=80, deadline=None)
@given(rate=st.floats(0.0, 1.0), n=st.integers(1, 5000))
def test_chance_of_no_case_is_the_binomial_probability_of_zero(rate, n):
    """The written-out (1 − p)ⁿ is scipy.stats' binomial probability of no event."""
    from scipy import stats

    expected = stats.binom.pmf(0, n, rate)
    assert chapter.chance_of_no_case(rate, n) == pytest.approx(
        expected, rel=1e-12, abs=1e-300
    )


def test_bad_input_fails_naming_the_parameter():
    with pytest.raises(ValueError, match="name"):
        chapter.reader_table("tbl-safety-nothing")
    with pytest.raises(ValueError, match="rate"):
        chapter.chance_of_no_case(1.5, 15)
    with pytest.raises(ValueError, match="^n must"):
        chapter.chance_of_no_case(0.1, 0)
    with pytest.raises(ValueError, match="rate"):
        chapter.series_needed(0.0)
    with pytest.raises(ValueError, match="rate"):
        chapter.series_needed(1e-4)  # needs more patients than the search allows
