"""Plot helpers of the therapy chapters: the process timeline, exact intervals, rate plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cart_autoimmunity import evidence  # noqa: E402
from cart_autoimmunity.evidence.delivery import process_timeline  # noqa: E402
from cart_autoimmunity.evidence.summaries import (  # noqa: E402
    exact_binomial_interval,
    with_binomial_intervals,
)
from cart_autoimmunity.figures.costs import plot_process_timeline  # noqa: E402
from cart_autoimmunity.figures.cytokines import plot_event_rates  # noqa: E402


@pytest.fixture(scope="module")
def timeline():
    return process_timeline(evidence.manufacturing())


def test_timeline_ends_at_the_cited_vein_to_vein_times(timeline):
    infusions = timeline[timeline.step == "infuse"].set_index("product")["start_day"]
    # EHA 2023 meta-analysis: medians 30.4 (axi-cel), 35.9 (liso-cel), 48.4 (tisa-cel) days.
    assert infusions.to_dict() == pytest.approx(
        {"axi-cel": 30.4, "liso-cel": 35.9, "tisa-cel": 48.4}
    )


def test_timeline_steps_are_contiguous_and_failures_match_the_counts(timeline):
    for _, part in timeline.groupby("product"):
        assert np.allclose(
            part["start_day"].iloc[1:].to_numpy(), part["end_day"].iloc[:-1].to_numpy()
        )
        assert (part["end_day"] > part["start_day"]).all()
    counts = timeline.drop_duplicates("product").set_index("product")[
        ["failure_events", "failure_n"]
    ]
    # Frontiers in Immunology 2021, Table 2: 1/111 axi-cel, 2/344 liso-cel, 12/165 tisa-cel.
    assert counts.loc["axi-cel"].tolist() == [1, 111]
    assert counts.loc["liso-cel"].tolist() == [2, 344]
    assert counts.loc["tisa-cel"].tolist() == [12, 165]


def test_timeline_rejects_bad_inputs():
    table = evidence.manufacturing()
    with pytest.raises(ValueError, match="lymphodepletion_days"):
        process_timeline(table, lymphodepletion_days=-1)
    with pytest.raises(ValueError, match="lymphodepletion_days"):
        process_timeline(
            table, lymphodepletion_days=40
        )  # longer than axi-cel's 30.4 days
    with pytest.raises(ValueError, match="product"):
        process_timeline(table, products=("unknown-cel",))
    with pytest.raises(ValueError, match="columns"):
        process_timeline(table.drop(columns="cohort"))


def test_zero_events_upper_bound_has_its_closed_form():
    # For 0 of n the exact upper bound solves (1 - p)^n = alpha / 2.
    low, high = exact_binomial_interval(0, 15)
    assert low == 0.0
    assert high == pytest.approx(1 - 0.025 ** (1 / 15), rel=1e-9)
    assert 0.21 < high < 0.22


def test_interval_matches_park_2018_reported_interval():
    # Park 2018: severe CRS in 14 of 53, reported 95% CI 15-40%.
    low, high = exact_binomial_interval(14, 53)
    assert round(100 * low) == 15 and round(100 * high) == 40


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), data=st.data())
def test_interval_is_statsmodels_clopper_pearson(n, data):
    """The same interval as statsmodels' exact ("beta") method, an independent code path."""
    from statsmodels.stats.proportion import proportion_confint

    k = data.draw(st.integers(0, n))
    confidence = data.draw(st.sampled_from([0.8, 0.9, 0.95, 0.99]))
    expected = proportion_confint(k, n, alpha=1 - confidence, method="beta")
    got = exact_binomial_interval(k, n, confidence)
    assert got == pytest.approx(expected, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 400), data=st.data())
def test_interval_contains_the_estimate_and_is_symmetric(n, data):
    k = data.draw(st.integers(0, n))
    low, high = exact_binomial_interval(k, n)
    assert 0.0 <= low <= k / n <= high <= 1.0
    mirrored = exact_binomial_interval(n - k, n)
    assert mirrored == pytest.approx((1 - high, 1 - low), abs=1e-9)


@pytest.mark.parametrize(
    "events, n, confidence, message",
    [
        (-1, 10, 0.95, "events must be >= 0"),
        (11, 10, 0.95, "events must be between 0 and n=10"),
        (1, 0, 0.95, "n must be >= 1"),
        (1.5, 10, 0.95, "events must be a whole number"),
        (1, 10, 1.0, "confidence must be strictly between 0 and 1"),
        (1, 10, 1.2, "confidence must be a fraction between 0 and 1"),
    ],
)
def test_interval_rejects_bad_inputs(events, n, confidence, message):
    with pytest.raises(ValueError, match=message):
        exact_binomial_interval(events, n, confidence)


def test_plots_return_figures_with_labelled_axes(timeline):
    fig = plot_process_timeline(timeline)
    assert fig.axes[0].get_xlabel().startswith("Days")
    plt.close(fig)
    fig = plot_event_rates(with_binomial_intervals(evidence.crs_rates()))
    ax = fig.axes[0]
    assert "%" in ax.get_xlabel()
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert {
        "CRS, any grade",
        "autoimmune",
        "leukaemia",
        "hollow: secondary source",
    } <= set(texts)
    assert (
        ax.get_legend() is None
    )  # the legend sits below the axes, readable on a phone
    assert fig.legends[0]._ncols == 2
    plt.close(fig)


def test_long_cohort_names_get_rows_tall_enough_for_their_lines():
    """A name that wraps onto three or more lines widens every row: no two cohort names
    overlap (the check the notebooks run after each cell)."""
    from cart_autoimmunity.figures.style import crowded_texts

    rates = with_binomial_intervals(evidence.crs_rates())
    long_name = "A cohort with a long name: " + "several diseases, " * 4 + "and more"
    rates.loc[rates.index[-1], "cohort"] = long_name
    fig = plot_event_rates(rates)
    assert crowded_texts(fig) == []
    assert fig.get_figheight() > 0.45 * rates["cohort"].nunique() + 2.0
    plt.close(fig)


def test_timeline_legend_names_the_steps(timeline):
    fig = plot_process_timeline(timeline)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == [
        "collect T cells",
        "engineer and expand",
        "lymphodepletion",
        "infuse",
    ]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["axi-cel", "liso-cel", "tisa-cel"]
    plt.close(fig)


def test_plots_reject_bad_inputs(timeline):
    with pytest.raises(
        ValueError, match="timeline must be a non-empty table with columns"
    ):
        plot_process_timeline(timeline.iloc[0:0])
    with pytest.raises(
        ValueError, match="timeline must be a non-empty table with columns"
    ):
        plot_process_timeline(timeline.drop(columns="failure_n"))
    with pytest.raises(ValueError, match="unknown quantities"):
        plot_event_rates(
            with_binomial_intervals(evidence.crs_rates()), quantities=("not_a_rate",)
        )
    with pytest.raises(ValueError, match="rates is missing columns"):
        plot_event_rates(evidence.crs_rates().drop(columns="status"))
