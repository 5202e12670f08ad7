"""The evidence-map page's module: numbers from the table, the table for readers, no claim."""

from __future__ import annotations

import math
from datetime import date

import matplotlib.pyplot as plt
import pytest
from scipy.stats import beta

from cart_autoimmunity import meta_analysis
from cart_autoimmunity.chapters import evidence_map
from cart_autoimmunity.evidence import cohort_map


def test_numbers_are_finite_and_computed_from_the_counts():
    numbers = evidence_map.numbers()
    assert all(math.isfinite(v) for v in numbers.values())
    table = cohort_map.cohorts()
    assert numbers["n_cohorts"] == len(table)
    assert numbers["n_primary"] + numbers["n_secondary"] == len(table)
    rows = cohort_map.analysable(table, "drug_free_remission")
    pooled = meta_analysis.pool(rows["events"], rows["patients"])
    assert numbers["dfr_pooled_pct"] == pytest.approx(100 * pooled["proportion"])
    assert numbers["dfr_patients"] == rows["patients"].sum()
    assert (
        numbers["dfr_low_pct"] <= numbers["dfr_pooled_pct"] <= numbers["dfr_high_pct"]
    )


def test_the_page_is_dated_and_glues_its_day():
    assert cohort_map.BOOK_DATE == date(2026, 12, 5)
    assert evidence_map.book_date_text() == "5 December 2026"
    assert evidence_map.numbers()["book_day"] == cohort_map.BOOK_DATE.day


def test_the_reader_table_has_a_row_per_cohort_and_four_columns():
    table = evidence_map.reader_table("tbl-evidence-cohorts")
    assert len(table.headers) <= 4
    assert len(table.rows) == len(cohort_map.cohorts())
    assert any("secondary" in row[2] for row in table.rows)
    assert all("{cite:t}" in row[3] for row in table.rows)
    with pytest.raises(ValueError, match="name"):
        evidence_map.reader_table("tbl-nothing")


def test_the_forest_rows_are_the_analysable_cohorts():
    rows, pooled = evidence_map.forest("drug_free_remission")
    assert len(rows) == len(
        cohort_map.analysable(cohort_map.cohorts(), "drug_free_remission")
    )
    assert rows["label"].str.contains(r"\(n=\d+\)").all()
    with pytest.raises(ValueError, match="outcome"):
        evidence_map.forest("deaths")


def test_the_figure_draws_both_outcomes():
    fig = evidence_map.figure()
    assert len(fig.axes) == len(evidence_map.FOREST_OUTCOMES)
    plt.close(fig)


def test_the_page_checks_no_claim_on_its_own():
    assert evidence_map.claims() == ()
    assert evidence_map.CHAPTER == "book/evidence_map"


def test_the_prose_on_severe_crs_still_holds():
    """The page says no severe CRS was reported, shows the total count with its exact
    interval instead of a random-effects pool, and pools the other outcomes; a new cohort
    that changes any of this fails here (and the renamed glue fails the notebook checks)."""
    numbers = evidence_map.numbers()
    rows, pooled = evidence_map.forest("crs_grade3_plus")
    assert pooled["method"] == meta_analysis.EXACT_TOTAL
    assert numbers["crs3_events"] == 0
    assert "crs3_pooled_pct" not in numbers
    n = numbers["crs3_patients"]
    assert n == rows["patients"].sum()
    assert numbers["crs3_total_high_pct"] == pytest.approx(100 * beta.ppf(0.975, 1, n))
    assert numbers["crs3_total_high_pct"] < numbers["crs3_largest_upper_pct"]
    for outcome in ("crs_any", "drug_free_remission"):
        assert evidence_map.forest(outcome)[1]["method"] == meta_analysis.RANDOM_EFFECTS


def test_the_prose_on_follow_up_still_holds():
    """The page cites Feng 2025 for the longest median follow-up of a primary cohort and
    says that no cohort made CAR T cells inside the body."""
    table = cohort_map.cohorts()
    primary = table[table["status"] == "primary"]
    longest = primary.loc[primary["follow_up_months"].idxmax()]
    assert longest["source"] == "feng2025"
    numbers = evidence_map.numbers()
    assert numbers["longest_follow_up_months"] == pytest.approx(
        longest["follow_up_months"]
    )
    assert numbers["n_in_vivo"] == 0
