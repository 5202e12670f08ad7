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
    values = fractions["value"].abs()  # signed changes (e.g. IgG change) are fractions too
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
    assert mk.loc["dose_car_t_per_kg", "value"] == pytest.approx(1e6)  # 1 x 10^6 CAR T/kg
    assert mk.loc["sledai2k_baseline_median", "value"] == 16
    assert mk.loc["sledai2k_3_months_median", "value"] == 0
    assert mk.loc["doris_remission_3_months", "value"] == 1.0  # 5/5
    assert mk.loc["b_cell_reappearance_mean", "value"] == 110  # 110 +/- 32 days
    assert mk.loc["b_cell_reappearance_mean", "high"] - mk.loc["b_cell_reappearance_mean", "value"] == 32


def test_muller_cohort_adds_up():
    df = evidence.erlangen_trials()
    mu = df[df["source"] == "muller2024"].set_index("quantity")["value"]
    assert mu["patients_sle"] + mu["patients_myositis"] + mu["patients_systemic_sclerosis"] == mu["patients"] == 15


def test_autoimmune_crs_is_milder_than_cancer_trials():
    df = evidence.crs_rates()
    severe = df[df["quantity"] == "crs_grade_3_plus"]
    autoimmune = severe.loc[severe["setting"] == "autoimmune", "value"].max()
    cancer = severe.loc[severe["setting"].isin(["leukaemia", "lymphoma"]), "value"].min()
    assert autoimmune < cancer


def test_conrad_numbers_match_the_abstract():
    df = evidence.prevalence().set_index("quantity")["value"]
    assert df["individuals_in_cohort"] == 22_009_375
    # Abstract: 625,879 of the 978,872 people diagnosed were female (63.9%).
    assert df["new_diagnoses"] == 978_872
    assert df["female_fraction_of_diagnosed"] == pytest.approx(625_879 / 978_872, abs=5e-4)


def test_unverified_numbers_are_not_in_the_tables():
    # facts.md marks these UNVERIFIED (memory or news items only); no chapter may use them.
    prevalence = set(evidence.prevalence()["quantity"])
    assert not prevalence & {"women_fraction_affected", "men_fraction_affected", "incidence_rate_ratio_2017_19_vs_2000_02"}
    crs = evidence.crs_rates()
    juliet_severe = crs[(crs["cohort"].str.startswith("JULIET")) & (crs["quantity"] == "crs_grade_3_plus")]
    assert juliet_severe.empty


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
