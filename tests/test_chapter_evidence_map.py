"""The evidence-map page's module: numbers from the table, the table for readers, no claim."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pytest

from cart_autoimmunity import meta_analysis
from cart_autoimmunity.chapters import evidence_map
from cart_autoimmunity.evidence import cohort_map


def test_numbers_are_finite_and_computed_from_the_counts():
    numbers = evidence_map.numbers()
    assert all(math.isfinite(v) for v in numbers.values())
    table = cohort_map.cohorts()
    assert numbers["n_cohorts"] == len(table)
    assert numbers["n_primary"] + numbers["n_secondary"] == len(table)
    rows = cohort_map.analysable(table, "crs_grade3_plus")
    pooled = meta_analysis.pool(rows["events"], rows["patients"])
    assert numbers["crs3_pooled_pct"] == pytest.approx(100 * pooled["proportion"])
    assert numbers["crs3_patients"] == rows["patients"].sum()
    assert numbers["crs3_low_pct"] <= numbers["crs3_pooled_pct"]
    assert numbers["crs3_pooled_pct"] <= numbers["crs3_high_pct"]


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


def test_the_prose_on_the_zero_event_pool_still_holds():
    """The page says that no severe CRS was reported and quotes the lumped exact upper
    bound; a new cohort that changes either fails here."""
    numbers = evidence_map.numbers()
    assert numbers["crs3_events"] == 0
    assert numbers["crs3_lumped_upper_pct"] == pytest.approx(
        100 * (1 - 0.025 ** (1 / numbers["crs3_patients"]))
    )
