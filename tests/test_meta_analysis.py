"""Exact intervals agree with beta quantiles; the pool stays among its cohorts or sums them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta

from cart_autoimmunity import meta_analysis as ma
from cart_autoimmunity.evidence import cohort_map


@pytest.mark.parametrize(("x", "n"), [(0, 5), (3, 10), (13, 15), (12, 12), (1, 1)])
def test_exact_interval_is_the_clopper_pearson_beta_quantiles(x, n):
    row = ma.exact_intervals([x], [n]).iloc[0]
    low = 0.0 if x == 0 else beta.ppf(0.025, x, n - x + 1)
    high = 1.0 if x == n else beta.ppf(0.975, x + 1, n - x)
    assert row["proportion"] == pytest.approx(x / n)
    assert row["low"] == pytest.approx(low, abs=1e-12)
    assert row["high"] == pytest.approx(high, abs=1e-12)


def test_the_interval_follows_alpha_in_each_cohort_and_in_the_exact_total():
    row = ma.exact_intervals([3], [10], alpha=0.1).iloc[0]
    assert row["low"] == pytest.approx(beta.ppf(0.05, 3, 8), abs=1e-12)
    assert row["high"] == pytest.approx(beta.ppf(0.95, 4, 7), abs=1e-12)
    total = ma.pool([0, 0], [5, 6], alpha=0.1)
    assert total["method"] == ma.EXACT_TOTAL
    assert total["high"] == pytest.approx(1 - 0.05 ** (1 / 11))


def test_zero_events_in_fifteen_leaves_a_fifth_possible():
    # the exact 95% upper bound for 0 of n is 1 - 0.025**(1/n)
    assert ma.exact_intervals([0], [15])["high"].iloc[0] == pytest.approx(
        1 - 0.025 ** (1 / 15)
    )


def test_continuity_correction_applies_only_to_zero_cells():
    logits = ma.corrected_logits([0, 3, 10], [5, 10, 10])
    assert logits["proportion"].tolist() == pytest.approx([0.5 / 6, 0.3, 10.5 / 11])
    assert logits["variance"].iloc[1] == pytest.approx(1 / 3 + 1 / 7)


@pytest.mark.parametrize(
    ("events", "patients"),
    [([2, 5, 9], [10, 12, 15]), ([0, 1, 0], [5, 3, 15]), ([5, 12], [5, 13])],
)
def test_random_effects_estimate_lies_within_its_cohorts(events, patients):
    pooled = ma.pool(events, patients)
    corrected = ma.corrected_logits(events, patients)["proportion"]
    assert pooled["method"] == ma.RANDOM_EFFECTS
    assert corrected.min() <= pooled["proportion"] <= corrected.max()
    assert pooled["low"] <= pooled["proportion"] <= pooled["high"]
    assert pooled["tau2"] >= 0
    assert (pooled["events"], pooled["patients"]) == (sum(events), sum(patients))


@pytest.mark.parametrize(
    ("events", "patients"),
    [([0, 0, 0], [5, 3, 15]), ([0, 0, 0, 0, 0, 0], [5, 3, 3, 13, 15, 12])],
)
def test_all_zero_cohorts_give_the_exact_interval_of_the_total(events, patients):
    pooled = ma.pool(events, patients)
    total = sum(patients)
    assert pooled["method"] == ma.EXACT_TOTAL
    assert pooled["events"] == 0 and pooled["patients"] == total
    assert pooled["proportion"] == 0.0
    assert pooled["low"] == 0.0
    assert pooled["high"] == pytest.approx(beta.ppf(0.975, 1, total), abs=1e-12)
    assert np.isnan(pooled["tau2"])


def test_all_full_cohorts_give_the_exact_interval_of_the_total():
    pooled = ma.pool([5, 12], [5, 12])
    assert pooled["method"] == ma.EXACT_TOTAL
    assert pooled["proportion"] == 1.0
    assert pooled["low"] == pytest.approx(beta.ppf(0.025, 17, 1), abs=1e-12)
    assert pooled["high"] == 1.0


def test_a_zero_event_random_effects_pool_would_measure_the_correction():
    """Why the exact total replaces it: twenty cohorts of 0 in 2 each have the corrected
    proportion c/(2 + 2c), which identical cohorts would pool to; it exceeds the exact
    upper bound of 0 in 40."""
    events, patients = [0] * 20, [2] * 20
    corrected = ma.corrected_logits(events, patients)["proportion"]
    assert corrected.tolist() == pytest.approx(
        [ma.CONTINUITY / (2 + 2 * ma.CONTINUITY)] * 20
    )
    assert corrected.iloc[0] > ma.pool(events, patients)["high"]


def test_without_corrections_the_pool_lies_within_the_raw_proportions():
    events, patients = np.array([2, 5, 9]), np.array([10, 12, 15])
    pooled = ma.pool(events, patients)
    raw = events / patients
    assert raw.min() <= pooled["proportion"] <= raw.max()


def test_identical_cohorts_pool_to_their_common_proportion():
    pooled = ma.pool([3, 3, 3], [10, 10, 10])
    assert pooled["proportion"] == pytest.approx(0.3)
    assert pooled["tau2"] == pytest.approx(0.0)


def test_heterogeneous_cohorts_widen_the_interval():
    alike = ma.pool([5, 5], [10, 10])
    apart = ma.pool([1, 9], [10, 10])
    assert apart["tau2"] > 0
    assert apart["high"] - apart["low"] > alike["high"] - alike["low"]


def test_the_map_pools_within_its_cohorts_or_sums_them_exactly():
    table = cohort_map.cohorts()
    for outcome in ("crs_grade3_plus", "crs_any", "drug_free_remission"):
        rows = cohort_map.analysable(table, outcome)
        pooled = ma.pool(rows["events"], rows["patients"])
        if pooled["method"] == ma.EXACT_TOTAL:
            total = ma.exact_intervals([rows["events"].sum()], [rows["patients"].sum()])
            assert pooled["high"] == pytest.approx(total["high"].iloc[0])
            continue
        corrected = ma.corrected_logits(rows["events"], rows["patients"])
        assert corrected["proportion"].min() <= pooled["proportion"]
        assert pooled["proportion"] <= corrected["proportion"].max()


@pytest.mark.parametrize(
    ("events", "patients", "match"),
    [
        ([1], [0], "patients"),
        ([-1], [5], "events"),
        ([6], [5], "exceed"),
        ([1.5], [5], "events"),
        ([1, 2], [5], "equal length"),
    ],
)
def test_bad_counts_are_refused(events, patients, match):
    with pytest.raises(ValueError, match=match):
        ma.exact_intervals(events, patients)


def test_pooling_needs_two_cohorts_and_a_sensible_alpha():
    with pytest.raises(ValueError, match="events"):
        ma.pool([1], [5])
    with pytest.raises(ValueError, match="alpha"):
        ma.pool([1, 2], [5, 5], alpha=1.5)
    with pytest.raises(ValueError, match="columns"):
        ma.forest_table(cohort_map.cohorts()[["cohort"]])
