"""Claims as data: bounds decide, and the criterion sentence is written from the bound."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cart_autoimmunity.claims import (
    Bound,
    Check,
    Claim,
    chapter_verdict,
    check_counts,
    verdict_counts,
)


@pytest.mark.parametrize(
    ("bound", "inside", "outside", "words"),
    [
        (Bound(low=21), 21, 20.9, "at least 21"),
        (Bound(low=0, strict_low=True), 1e-9, 0, "above 0"),
        (Bound(high=0.05, strict_high=True), 0.049, 0.05, "below 0.05"),
        (Bound(high=0.5), 0.5, 0.51, "at most 0.5"),
        (Bound(low=0.08, high=0.12), 0.1, 0.13, "between 0.08 and 0.12"),
        (Bound(low=1, high=1), 1, 0.99, "equal to 1"),
        (
            Bound(low=0, high=0.5, strict_low=True, strict_high=True),
            0.2,
            0.5,
            "above 0 and below 0.5",
        ),
    ],
)
def test_bound_decides_and_says_what_it_decides(bound, inside, outside, words):
    assert bound.holds(inside)
    assert not bound.holds(outside)
    assert bound.describe() == words


def test_nan_never_meets_a_bound():
    assert not Bound(low=0).holds(math.nan)


@pytest.mark.parametrize(
    "kwargs", [{}, {"low": 2, "high": 1}, {"low": math.nan}, {"high": math.inf}]
)
def test_impossible_bounds_are_refused(kwargs):
    with pytest.raises(ValueError, match="Bound|low|high"):
        Bound(**kwargs)


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(0, 1e6, allow_nan=False),
    st.floats(-2e6, 2e6, allow_nan=False),
)
def test_a_range_holds_exactly_between_its_ends(low, width, value):
    bound = Bound(low=low, high=low + width)
    assert bound.holds(value) == (low <= value <= low + width)


def _claim(checks, verdict="supported", caveat=""):
    return Claim(
        id="x",
        claim="A claim.",
        chapter="notebooks/01_burden",
        verdict=verdict,
        sources=("conrad2023",),
        checks=checks,
        caveat=caveat,
    )


def test_criterion_sentence_comes_from_the_bound_and_the_value():
    check = Check("median vein-to-vein time (days)", 24, Bound(low=21))
    assert (
        check.sentence() == "median vein-to-vein time (days) is at least 21 (found: 24)"
    )
    claim = _claim((check,), caveat="a small series")
    assert claim.criterion.endswith("; a small series")
    assert claim.value == 24.0 and claim.unit == "median vein-to-vein time (days)"


def test_a_claim_passes_only_if_every_check_passes():
    ok = Check("a (days)", 1, Bound(low=0))
    bad = Check("b (days)", -1, Bound(low=0))
    assert _claim((ok,)).passed
    assert not _claim((ok, bad)).passed
    entry = _claim((ok, bad)).as_dict()
    assert entry["passed"] is False
    assert [c["passed"] for c in entry["checks"]] == [True, False]


def test_claims_refuse_unknown_verdicts_and_empty_checks():
    with pytest.raises(ValueError, match="verdict"):
        _claim((Check("a (d)", 1, Bound(low=0)),), verdict="probably")
    with pytest.raises(ValueError, match="check"):
        _claim(())


def test_chapter_verdict_is_the_headline_claims():
    first = _claim((Check("a (d)", 1, Bound(low=0)),), verdict="oversimplified")
    second = _claim((Check("a (d)", 1, Bound(low=0)),), verdict="supported")
    assert chapter_verdict([first, second]) == "oversimplified"
    with pytest.raises(ValueError, match="claim"):
        chapter_verdict([])


def test_counters_take_claims_or_their_dicts():
    claim = _claim((Check("a (d)", 1, Bound(low=0)),), verdict="oversimplified")
    assert chapter_verdict([claim.as_dict()]) == "oversimplified"
    assert verdict_counts([claim, claim.as_dict()])["oversimplified"] == 2
    assert check_counts([claim, claim.as_dict()]) == {"ran": 2, "met": 2}


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: chapter_verdict("supported"), TypeError, "claims must be a sequence"),
        (lambda: chapter_verdict([3]), TypeError, "claims must hold Claim objects"),
        (lambda: verdict_counts(None), TypeError, "entries must be a sequence"),
        (lambda: verdict_counts([{"passed": True}]), ValueError, "entries must be"),
        (
            lambda: verdict_counts([{"verdict": "probably"}]),
            ValueError,
            "entries hold unknown verdicts",
        ),
        (lambda: check_counts([{"verdict": "supported"}]), ValueError, "'passed'"),
        (
            lambda: check_counts([{"verdict": ["supported"], "passed": True}]),
            ValueError,
            "entries hold unknown verdicts",
        ),
    ],
)
def test_counters_refuse_what_is_not_a_claim(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_a_share_reads_as_percentages_and_a_tiny_fraction_keeps_its_notation():
    share = Check(
        "model: probability of severe CRS (fraction)", 0.0305, Bound(high=0.05)
    )
    assert share.as_percent and share.label == "model: probability of severe CRS"
    assert share.sentence() == (
        "model: probability of severe CRS is at most 5% (found: 3.05%)"
    )
    tiny = Check("B cells at day 14 (fraction of normal)", 4.5e-6, Bound(high=1e-3))
    assert not tiny.as_percent and tiny.label.endswith("(fraction of normal)")
    assert tiny.criterion == "at most 0.001" and tiny.shown_value == "4.50e-06"
    days = Check("last day above the detection limit (days)", 0.5, Bound(high=180))
    assert not days.as_percent, "only shares and probabilities become percentages"
