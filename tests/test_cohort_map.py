"""The evidence map's cohort table: every row sourced, every count consistent, bad files refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pybtex.database import parse_file

from cart_autoimmunity.evidence import cohort_map

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return cohort_map.cohorts()


@pytest.fixture()
def raw() -> pd.DataFrame:
    return pd.read_csv(cohort_map.COHORTS_CSV, dtype=str, keep_default_na=False)


def test_every_source_is_in_the_bibliography(table):
    keys = set(parse_file(str(ROOT / "references.bib")).entries)
    assert set(table["source"]) <= keys, sorted(set(table["source"]) - keys)


def test_counts_never_exceed_patients_and_severe_never_exceeds_any(table):
    for column in cohort_map.COUNT_COLUMNS:
        reported = table[table[column].notna()]
        assert (reported[column] <= reported["patients"]).all(), column
        assert (reported[column] >= 0).all(), column
    for severe, any_grade in cohort_map.GRADE_PAIRS:
        both = table[table[severe].notna() & table[any_grade].notna()]
        assert (both[severe] <= both[any_grade]).all(), severe


def test_every_row_says_where_its_counts_were_read(table):
    assert (table["verification"].str.len() > 40).all()
    assert set(table["status"]) <= set(cohort_map.STATUSES)
    assert set(table["cell_source"]) <= set(cohort_map.CELL_SOURCES)


def test_the_erlangen_series_share_one_overlap_group(table):
    erlangen = table[table["source"].isin(["mackensen2022", "muller2024"])]
    assert erlangen["overlap_group"].nunique() == 1


def test_analysable_keeps_primary_rows_one_per_group(table):
    rows = cohort_map.analysable(table, "drug_free_remission")
    assert "muller2024" not in set(rows["source"])  # secondary
    groups = table.set_index("cohort").loc[rows["cohort"], "overlap_group"]
    assert groups.is_unique
    assert (rows["events"] <= rows["patients"]).all()
    with pytest.raises(ValueError, match="outcome"):
        cohort_map.analysable(table, "deaths")


def _refused(frame: pd.DataFrame, tmp_path: Path, match: str) -> None:
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=match):
        cohort_map.cohorts(path)


def test_the_good_file_round_trips(raw, tmp_path):
    path = tmp_path / "good.csv"
    raw.to_csv(path, index=False)
    assert len(cohort_map.cohorts(path)) == len(raw)


def test_a_missing_column_is_refused(raw, tmp_path):
    _refused(raw.drop(columns=["crs_any"]), tmp_path, "missing columns")


def test_an_unknown_cell_source_is_refused(raw, tmp_path):
    raw.loc[0, "cell_source"] = "xenogeneic"
    _refused(raw, tmp_path, "cell_source")


def test_an_unknown_status_is_refused(raw, tmp_path):
    raw.loc[0, "status"] = "press release"
    _refused(raw, tmp_path, "status")


def test_events_above_patients_are_refused(raw, tmp_path):
    raw.loc[0, "relapses"] = str(int(raw.loc[0, "patients"]) + 1)
    _refused(raw, tmp_path, "relapses exceeds patients")


def test_negative_counts_are_refused(raw, tmp_path):
    raw.loc[0, "crs_grade3_plus"] = "-1"
    _refused(raw, tmp_path, "crs_grade3_plus must not be negative")


def test_fractional_counts_are_refused(raw, tmp_path):
    raw.loc[0, "crs_grade3_plus"] = "0.5"
    _refused(raw, tmp_path, "whole counts")


def test_severe_above_any_grade_is_refused(raw, tmp_path):
    row = raw.index[raw["crs_any"] == "0"][0]
    raw.loc[row, "crs_grade3_plus"] = "1"
    _refused(raw, tmp_path, "crs_grade3_plus exceeds crs_any")


def test_a_repeated_cohort_is_refused(raw, tmp_path):
    _refused(pd.concat([raw, raw.iloc[[0]]]), tmp_path, "twice")


def test_a_remission_without_definition_is_refused(raw, tmp_path):
    row = raw.index[raw["drug_free_remission"] != ""][0]
    raw.loc[row, "remission_definition"] = ""
    _refused(raw, tmp_path, "remission_definition")


def test_zero_patients_are_refused(raw, tmp_path):
    raw.loc[0, "patients"] = "0"
    _refused(raw, tmp_path, "patients")
