"""Tests of the cited-number tables in ``cart_autoimmunity.evidence``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cart_autoimmunity import evidence

BIB = Path(__file__).resolve().parents[1] / "references.bib"


def bib_keys() -> set[str]:
    text = BIB.read_text(encoding="utf-8")
    return set(re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", text, flags=re.MULTILINE))


TABLE_NAMES = list(evidence.TABLES)


@pytest.fixture(scope="module", params=TABLE_NAMES)
def table(request) -> pd.DataFrame:
    return evidence.TABLES[request.param]()


# --- the data files and their loader ---------------------------------------------------------

DATA = Path(evidence.__file__).resolve().parent / "data"
HEADER = ",".join(evidence.COLUMNS)
GOOD_ROW = (
    'crs_any_grade,0.5,0.25,0.75,fraction,"Trial A, adults",lymphoma,10,maude2018,primary,'
    '"Abstract: 5 of 10, range 25-75%"'
)


def write_csv(tmp_path, *lines: str) -> Path:
    path = tmp_path / "table.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_table_is_one_data_file():
    assert sorted(evidence.TABLES) == sorted(p.stem for p in DATA.glob("*.csv"))


def test_loader_reads_a_good_file(tmp_path):
    frame = evidence.read_table(write_csv(tmp_path, HEADER, GOOD_ROW))
    assert list(frame.columns) == evidence.COLUMNS
    assert frame.loc[0, "cohort"] == "Trial A, adults"
    assert (frame.loc[0, "value"], frame.loc[0, "n"]) == (0.5, 10.0)


@pytest.mark.parametrize(
    ("header", "row", "message"),
    [
        (HEADER.replace(",n,", ","), GOOD_ROW.replace(",10,", ","), "columns"),
        (HEADER, GOOD_ROW.replace("primary", "rumour"), "status"),
        (HEADER, GOOD_ROW.replace("0.5,", "0.9,"), "outside low..high"),
        (HEADER, GOOD_ROW.replace("0.5,", "0.1,"), "outside low..high"),
        (HEADER, GOOD_ROW.replace("fraction", "furlongs"), "unit"),
        (HEADER, GOOD_ROW.replace("lymphoma", "oncology"), "setting"),
        (HEADER, GOOD_ROW.replace("0.5,", "half,"), "value is not a number"),
        (HEADER, GOOD_ROW.replace(",10,", ",ten,"), "n is not a number"),
        (HEADER, GOOD_ROW.replace("0.5,", ","), "value is missing"),
        (HEADER, GOOD_ROW.replace("maude2018", ""), "source is empty"),
        (HEADER, GOOD_ROW.split(',"Abstract')[0] + ",", "verification is empty"),
    ],
)
def test_loader_rejects_a_bad_file(tmp_path, header, row, message):
    with pytest.raises(ValueError, match=message):
        evidence.read_table(write_csv(tmp_path, header, row))


def test_every_source_key_of_the_data_is_in_references_bib():
    missing = set(evidence.all_evidence()["source"]) - bib_keys()
    assert not missing, f"citation keys missing from references.bib: {sorted(missing)}"


def test_duplicates_finds_a_number_stored_in_two_tables():
    first = evidence.crs_rates().head(1).assign(table="crs_rates")
    twice = pd.concat([first, first.assign(table="another_table")], ignore_index=True)
    assert len(evidence.duplicates(twice)) == 2
    assert evidence.duplicates(first).empty
    with pytest.raises(ValueError, match="cohort"):
        evidence.duplicates(first.drop(columns="cohort"))


def test_no_number_is_stored_twice_across_tables():
    twice = evidence.duplicates(evidence.all_evidence())
    assert twice.empty, twice[["table", "quantity", "cohort", "source"]].to_string()


def test_no_number_is_restated_under_another_cohort_name():
    """Same quantity, source and value in two tables: one fact stored twice (a page that
    shows it with others joins it from its home, as chapter 10's donor table does)."""
    combined = evidence.all_evidence()
    spread = combined.groupby(["quantity", "source", "value"])["table"].nunique()
    assert [key for key, n in spread.items() if n > 1] == []


def test_columns_are_the_documented_ones(table):
    assert list(table.columns) == evidence.COLUMNS


def test_tables_are_not_empty(table):
    assert len(table) > 0


def test_every_source_key_is_in_references_bib(table):
    missing = set(table["source"]) - bib_keys()
    assert not missing, f"citation keys missing from references.bib: {sorted(missing)}"


def test_no_duplicate_rows(table):
    assert not table.duplicated(subset=["quantity", "cohort", "source"]).any()


def test_values_are_finite_numbers(table):
    assert np.all(np.isfinite(table["value"].to_numpy(dtype=float)))


def test_fractions_lie_between_zero_and_one(table):
    fractions = table[table["unit"] == "fraction"]
    values = fractions[
        "value"
    ].abs()  # signed changes (e.g. IgG change) are fractions too
    assert ((values >= 0) & (values <= 1)).all()
    bounds = fractions[["low", "high"]].to_numpy(dtype=float)
    finite = bounds[np.isfinite(bounds)]
    assert ((finite >= 0) & (finite <= 1)).all()


def test_patient_counts_are_positive_where_given(table):
    n = table["n"].dropna()
    assert (n > 0).all()
    assert np.all(n == np.round(n))


def test_ranges_bracket_the_value(table):
    both = table.dropna(subset=["low", "high"])
    assert (both["low"] <= both["value"]).all()
    assert (both["value"] <= both["high"]).all()


def test_settings_and_statuses_are_known(table):
    assert set(table["setting"]) <= set(evidence.SETTINGS)
    assert set(table["status"]) <= set(evidence.STATUSES)


def test_secondary_numbers_say_where_they_were_seen(table):
    notes = table.loc[table["status"] == "secondary", "verification"]
    assert notes.str.startswith("Secondary").all()


def test_every_row_has_a_verification_note(table):
    assert (table["verification"].str.len() > 10).all()


# Spot checks against the published abstracts (values typed from the sources, not the code).
def test_mackensen_numbers_match_the_abstract():
    df = evidence.erlangen_trials()
    mk = df[df["source"] == "mackensen2022"].set_index("quantity")
    assert mk.loc["patients", "value"] == 5  # "Five patients with SLE"
    assert mk.loc["dose_car_t_per_kg", "value"] == pytest.approx(
        1e6
    )  # 1 x 10^6 CAR T/kg
    assert mk.loc["sledai2k_baseline_median", "value"] == 16
    assert mk.loc["sledai2k_3_months_median", "value"] == 0
    assert mk.loc["doris_remission_3_months", "value"] == 1.0  # 5/5
    assert mk.loc["b_return_day_mean", "value"] == 110  # 110 +/- 32 days
    assert (
        mk.loc["b_return_day_mean", "high"] - mk.loc["b_return_day_mean", "value"] == 32
    )


def test_muller_cohort_adds_up():
    df = evidence.erlangen_trials()
    mu = df[df["source"] == "muller2024"].set_index("quantity")["value"]
    assert (
        mu["patients_sle"] + mu["patients_myositis"] + mu["patients_systemic_sclerosis"]
        == mu["patients"]
        == 15
    )


def test_autoimmune_crs_is_milder_than_cancer_trials():
    df = evidence.crs_rates()
    severe = df[df["quantity"] == "crs_grade_3_plus"]
    autoimmune = severe.loc[severe["setting"] == "autoimmune", "value"].max()
    cancer = severe.loc[
        severe["setting"].isin(evidence.CANCER_SETTINGS),
        "value",
    ].min()
    assert autoimmune < cancer


def test_conrad_numbers_match_the_abstract():
    df = evidence.prevalence().set_index("quantity")["value"]
    assert df["individuals_in_cohort"] == 22_009_375
    # Abstract: 625,879 of the 978,872 people diagnosed were female (63.9%).
    assert df["new_diagnoses"] == 978_872
    assert df["female_fraction_of_diagnosed"] == pytest.approx(
        625_879 / 978_872, abs=5e-4
    )


def test_unverified_numbers_are_not_in_the_tables():
    # facts.md marks these UNVERIFIED (memory or news items only); no chapter may use them.
    prevalence = set(evidence.prevalence()["quantity"])
    assert not prevalence & {
        "women_fraction_affected",
        "men_fraction_affected",
        "incidence_rate_ratio_2017_19_vs_2000_02",
    }
    crs = evidence.crs_rates()
    juliet_severe = crs[
        (crs["cohort"].str.startswith("JULIET"))
        & (crs["quantity"] == "crs_grade_3_plus")
    ]
    # JULIET's 22% grade 3-4 CRS was seen only in summaries (study.space, eviQ): secondary.
    assert juliet_severe["status"].tolist() == ["secondary"]


def test_lookup_returns_one_value_and_rejects_bad_requests():
    assert evidence.lookup("prevalence", "diseases_studied") == 19
    with pytest.raises(ValueError, match="table"):
        evidence.lookup("no_such_table", "x")
    with pytest.raises(ValueError, match="expected one row"):
        evidence.lookup("crs_rates", "crs_any_grade")  # several cohorts: ambiguous


def test_all_evidence_concatenates_every_table():
    combined = evidence.all_evidence()
    assert len(combined) == sum(len(fn()) for fn in evidence.TABLES.values())
    assert set(combined["table"]) == set(evidence.TABLES)
    assert evidence.citation_keys() <= bib_keys()


# --- chapter 4 and 6 additions (issue #14) ----------------------------------------------
def test_mackensen_sledai_ranges_are_widths_not_end_points():
    # Abstract: "median (range) ... 16 (8)" before and "0 (2)" after three months. The
    # baseline end points are not reported; 0-2 follows only because scores are >= 0.
    mk = evidence.erlangen_trials().set_index("quantity")
    base = mk.loc["sledai2k_baseline_median"]
    assert np.isnan(base["low"]) and np.isnan(base["high"])
    assert mk.loc["sledai2k_baseline_range_width", "value"] == 8
    assert mk.loc["sledai2k_3_months_range_width", "value"] == 2
    assert "inferred" in mk.loc["sledai2k_3_months_median", "verification"]


def test_headline_tables_name_cohorts_as_readers_know_them():
    from cart_autoimmunity.evidence import trials

    erlangen = evidence.erlangen_trials()
    mk = trials.headline_table(erlangen, "mackensen2022").set_index("measure")
    assert mk.loc["B cells back after", "value"] == "110 ± 32 days (mean ± SD)"
    assert mk.loc["DORIS remission at 3 months", "value"] == "5 of 5"
    mu = trials.headline_table(erlangen, "muller2024").set_index("measure")
    assert mu.loc["B-cell aplasia", "seen_in"] == "secondary summary"
    assert mu.loc["Patients", "value"].startswith("15 (8 lupus")
    assert trials.reader_name("muller2024") == "Müller et al. 2024"
    labels = trials.return_points(evidence.erlangen_trials())["label"]
    assert not labels.str.contains("Muller").any()
    with pytest.raises(ValueError, match="source must be one of"):
        trials.headline_table(erlangen, "wang2024")
    with pytest.raises(ValueError, match="erlangen is missing quantities"):
        trials.headline_table(
            erlangen[erlangen["quantity"] != "b_return_day_mean"], "muller2024"
        )


def test_igg_half_lives_are_secondary_and_igg3_is_short():
    longevity = evidence.antibody_longevity().set_index("quantity")
    igg3 = longevity.loc["igg3_half_life"]
    assert igg3["low"] == 7 and igg3["high"] == 8  # review table: IgG3 7-8 days
    assert longevity.loc["igg1_igg2_igg4_half_life", "low"] == 21
    mei = longevity.loc["secreted_ig_half_life_max"]
    assert mei["source"] == "mei2009" and mei["status"] == "secondary"
    assert (mei["low"], mei["high"]) == (14, 21)  # "a maximum of 2 to 3 weeks"
    assert (
        longevity.loc[["igg3_half_life", "igg1_igg2_igg4_half_life"], "status"]
        == "secondary"
    ).all()


def test_bhoj_row_quotes_25_months_in_8_patients():
    bhoj = (
        evidence.antibody_longevity()
        .set_index("quantity")
        .loc["plasma_cell_persistence_min"]
    )
    assert bhoj["value"] == 25 and bhoj["n"] == 8
    assert "at least 25 months" in bhoj["verification"]


# --- safety beyond CRS (issue #14) -------------------------------------------------------------


def test_other_adverse_events_meet_the_table_standards():
    from cart_autoimmunity.evidence import safety

    table = safety.other_adverse_events()
    assert list(table.columns) == evidence.COLUMNS
    assert set(table["source"]) <= bib_keys()
    assert not table.duplicated(subset=["quantity", "cohort", "source"]).any()
    fractions = table[table["unit"] == "fraction"]["value"].abs()
    assert ((fractions >= 0) & (fractions <= 1)).all()
    secondary = table.loc[table["status"] == "secondary", "verification"]
    assert secondary.str.startswith("Secondary").all()


def test_safety_numbers_match_the_sources():
    from cart_autoimmunity.evidence import safety

    other = safety.other_adverse_events().set_index(["quantity", "cohort"])
    # Hagen 2025: LICATS in 30 of 39 patients, 3 with grade 3.
    assert other.loc[("licats_any", safety.HAGEN), "value"] == pytest.approx(30 / 39)
    assert other.loc[("licats_grade_3", safety.HAGEN), "value"] * 39 == pytest.approx(3)
    # FDA staff (secondary): 22 T-cell cancers against more than 27,000 doses.
    cases = other.loc[("t_cell_cancer_cases_reported", safety.APPROVED)]
    assert cases["value"] == 22 and cases["status"] == "secondary"
    assert other.loc[("boxed_warning_products", safety.APPROVED), "status"] == "primary"
    # Wang 2025: no GvHD in 3 SLE patients.
    assert other.loc[("gvhd_any_grade", safety.WANG2025), ["value", "n"]].tolist() == [
        0.0,
        3.0,
    ]


def test_severe_crs_range_spans_the_cited_trials():
    from cart_autoimmunity.evidence import safety

    span = safety.severe_crs_range()
    # ZUMA-1 13% (secondary) is the lowest, ELIANA 46% (secondary, Penn scale) the highest.
    assert (span["low"], span["low_source"]) == (0.13, "neelapu2017")
    assert (span["high"], span["high_source"]) == (0.46, "maude2018")
    assert span["trials"] == 4
    assert "Penn" in span["high_grading"]
    # The real-world registry (11.6%) is not a trial and stays out unless asked for.
    wider = safety.severe_crs_range(cohorts=(*safety.CANCER_TRIALS, safety.CIBMTR))
    assert wider["low"] == pytest.approx(0.116)
    with pytest.raises(ValueError, match="no severe-CRS rows"):
        safety.severe_crs_range(cohorts=("no such trial",))
    with pytest.raises(ValueError, match="rates is missing columns"):
        safety.severe_crs_range(evidence.crs_rates().drop(columns="status"))


def test_safety_overview_fits_a_phone_table():
    from cart_autoimmunity.evidence import safety

    overview = safety.safety_overview()
    assert list(overview.columns) == ["event", "autoimmune", "cancer", "sources"]
    keys = {key for cell in overview["sources"] for key in cell.split(",")}
    assert keys <= bib_keys()
    severe = overview.set_index("event").loc["Severe CRS (grade 3 or higher)"]
    assert severe["cancer"].startswith("13% to 46%")
    assert "not reported" in set(overview["autoimmune"])


def test_manufacturing_failures_are_primary_only_where_the_trial_report_was_read():
    m = evidence.manufacturing()
    losses = m[m["quantity"] != "vein_to_vein_median"]
    review = losses["source"] == "fimmu2021manufacturing"
    assert (losses.loc[review, "status"] == "secondary").all()
    assert (losses.loc[~review, "status"] == "primary").all()
    assert (m.loc[m["source"] == "eha2023v2v", "status"] == "primary").all()


def test_vein_to_vein_medians_are_the_meta_analysis_and_glued_by_short_name():
    """EHA 2023 abstract (PMC10431072): 30.4 days axi-cel, 35.9 liso-cel, 48.4 tisa-cel."""
    from cart_autoimmunity.evidence import delivery

    assert delivery.vein_to_vein_days() == {
        "axi-cel": 30.4,
        "liso-cel": 35.9,
        "tisa-cel": 48.4,
    }
    assert delivery.vein_to_vein_glue() == {
        "v2v_axi": 30.4,
        "v2v_liso": 35.9,
        "v2v_tisa": 48.4,
    }
    with pytest.raises(ValueError, match="product 'cilta-cel'"):
        delivery.vein_to_vein_days(["cilta-cel"])


def test_zuma2_counts_are_the_reports():
    """Wang 2020 (ZUMA-2): 74 enrolled, KTE-X19 manufactured for 71 and given to 68."""
    zuma2 = evidence.manufacturing().query("source == 'wang2020zuma2'")
    counts = dict(zip(zuma2["quantity"], zuma2["value"] * zuma2["n"], strict=True))
    assert set(zuma2["n"]) == {74}
    assert counts == pytest.approx(
        {"manufacturing_failure": 74 - 71, "never_infused_any_reason": 74 - 68}
    )


def test_donor_cell_reports_match_the_abstracts():
    """Wang 2025 (Med): three lupus patients, 12 months, no CRS, ICANS or GvHD, one withdrawal."""
    reports = evidence.donor_cell_reports()
    everywhere = evidence.all_evidence()  # its GvHD has its home in the safety table
    wang25 = everywhere[everywhere["source"] == "wang2025"].set_index("quantity")[
        "value"
    ]
    assert wang25["patients"] == 3 and wang25["follow_up"] == 12
    assert (
        wang25["crs_any_grade"]
        == wang25["neurotoxicity_any_grade"]
        == wang25["gvhd_any_grade"]
        == 0
    )
    assert wang25["withdrawn_for_thrombocytopenia"] * wang25[
        "patients"
    ] == pytest.approx(1)
    feng = reports[reports["source"] == "feng2025"].set_index("quantity")["value"]
    assert feng["lldas_and_doris_week_12"] == pytest.approx(12 / 15)
    assert set(reports["status"]) == {"primary"}


def test_klinke_threshold_is_marked_as_measured_under_20_only():
    row = (
        evidence.organ_damage()
        .set_index("quantity")
        .loc["beta_cell_loss_at_onset_age_20"]
    )
    assert "under 20" in row["verification"] and "extrapolation" in row["verification"]


def test_refractory_lupus_gives_a_floor_below_the_assumed_candidate_share():
    from cart_autoimmunity import PopulationParameters

    population = PopulationParameters()
    floor = evidence.lookup("refractory_lupus", "sle_prevalence") * evidence.lookup(
        "refractory_lupus", "severe_refractory_share"
    )
    assert (
        floor / population.autoimmune_prevalence < population.car_t_candidate_fraction
    )
