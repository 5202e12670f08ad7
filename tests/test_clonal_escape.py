"""Tests of the clonal-escape model (M7): branching-process theory, Gillespie runs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_autoimmunity.clonal_escape import (
    TEN_YEARS_DAYS,
    approx_time_to_size,
    clone_rates,
    clone_summary,
    expected_size,
    extinction_probability,
    first_passage_days,
    simulate_clone,
    simulate_clone_sizes,
    time_to_size,
    trajectories,
)
from cart_autoimmunity.parameters.clonal_escape import CloneParameters

B_MEMORY = 0.0266  # Macallan 2005: memory B cells divide 2.66% per day


def _gillespie_sizes(birth, death, t_end, n, seed):
    """Independent per-event simulation (pure Python) of N(t_end) from one cell."""
    rng = np.random.default_rng(seed)
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        cells, t = 1, 0.0
        while cells > 0:
            t += rng.exponential(1.0 / ((birth + death) * cells))
            if t > t_end:
                break
            cells += 1 if rng.random() < birth / (birth + death) else -1
        out[i] = cells
    return out


def test_long_run_survival_is_the_escape_fraction():
    birth, death = B_MEMORY, B_MEMORY * 0.8
    _, sizes = simulate_clone_sizes(
        birth, death, t_end_days=5000, dt_days=50, n_replicates=20000, seed=11
    )
    survival = np.mean(sizes[-1] > 0)
    se = np.sqrt(0.2 * 0.8 / 20000)
    assert abs(survival - 0.2) < 3 * se
    assert float(extinction_probability(birth, death)) == pytest.approx(0.8)


def test_sample_mean_matches_exponential_growth():
    birth, death = B_MEMORY, B_MEMORY * 0.8
    times, sizes = simulate_clone_sizes(
        birth, death, t_end_days=730, dt_days=5, n_replicates=20000, seed=3
    )
    for day in (180, 365, 730):
        row = np.searchsorted(times, day)
        theory = expected_size(birth, death, day)
        assert sizes[row].mean() == pytest.approx(float(theory), rel=0.05)


def test_critical_clone_keeps_a_constant_mean_but_mostly_dies():
    birth = death = B_MEMORY
    times, sizes = simulate_clone_sizes(
        birth, death, t_end_days=1000, dt_days=10, n_replicates=20000, seed=5
    )
    for row in (25, 50, 100):
        mean, se = sizes[row].mean(), sizes[row].std() / np.sqrt(sizes.shape[1])
        assert abs(mean - 1.0) < 4 * se
    # Extinction by t for b = d is bt / (1 + bt): 26.6 / 27.6 at 1000 days.
    assert np.mean(sizes[-1] == 0) == pytest.approx(26.6 / 27.6, abs=0.01)


def test_exact_grid_steps_agree_with_an_independent_gillespie_simulation():
    birth, death = 0.05, 0.03
    _, grid = simulate_clone_sizes(
        birth, death, t_end_days=100, dt_days=7, n_replicates=4000, seed=8
    )
    direct = _gillespie_sizes(birth, death, 100, 4000, seed=9)
    # extinction fraction and mean agree within sampling error
    # (theory: alpha(100) and e^2)
    alpha = float(extinction_probability(birth, death, 100))
    for sample in (grid[-1], direct):
        assert np.mean(sample == 0) == pytest.approx(
            alpha, abs=4 * np.sqrt(alpha * (1 - alpha) / 4000)
        )
        assert sample.mean() == pytest.approx(np.exp(2.0), rel=0.08)


def test_step_size_does_not_change_the_law():
    birth, death = B_MEMORY, B_MEMORY * 0.8
    _, coarse = simulate_clone_sizes(
        birth, death, 1000, dt_days=1000, n_replicates=20000, seed=1
    )
    _, fine = simulate_clone_sizes(
        birth, death, 1000, dt_days=2, n_replicates=20000, seed=2
    )
    assert np.mean(coarse[-1] > 0) == pytest.approx(np.mean(fine[-1] > 0), abs=0.015)


def test_autoreactive_clone_is_at_least_three_times_slower_than_tumour():
    passage = time_to_size(
        1e4, t_end_days=TEN_YEARS_DAYS, dt_days=5, n_replicates=2000, seed=4
    )
    medians = passage.groupby("clone")["days"].median()
    assert medians["autoreactive"] >= 3 * medians["tumour"]
    # and the simulated medians sit near ln(N eps) / r
    theory = passage.groupby("clone")["theory_days"].first()
    assert medians["autoreactive"] == pytest.approx(theory["autoreactive"], rel=0.15)
    assert medians["tumour"] == pytest.approx(theory["tumour"], rel=0.15)


def test_rates_follow_the_parameters():
    params = CloneParameters()
    birth, death = clone_rates("autoreactive", params)
    assert birth == pytest.approx(0.0266) and birth - death == pytest.approx(
        0.0266 * 0.2
    )
    birth, death = clone_rates("tumour", params)
    assert birth - death == pytest.approx(1 / 30)
    assert 1 - death / birth == pytest.approx(params.tumour_escape_fraction)
    assert approx_time_to_size(0.0266, 0.0266, 1e6) == np.inf


def test_seed_reproduces_and_differs():
    a = simulate_clone("autoreactive", t_end_days=500, n_replicates=300, seed=7)[1]
    b = simulate_clone("autoreactive", t_end_days=500, n_replicates=300, seed=7)[1]
    c = simulate_clone("autoreactive", t_end_days=500, n_replicates=300, seed=8)[1]
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_chapter_sizes_never_overflow():
    """Ten years of 2,000 clones (the chapter's run; its speed is the bench's to measure)."""
    summary = clone_summary(size=1e6, t_end_days=TEN_YEARS_DAYS, n_replicates=2000)
    assert summary["survival_simulated"].between(0.15, 0.25).all()
    _, sizes = simulate_clone("tumour", t_end_days=TEN_YEARS_DAYS, n_replicates=500)
    assert sizes.min() >= 0 and sizes.max() <= 10**12


def test_trajectories_and_first_passage_tables():
    tidy = trajectories(
        "tumour", t_end_days=100, dt_days=10, n_replicates=50, n_shown=5
    )
    assert set(tidy.columns) == {"time_days", "replicate", "cells", "clone", "survived"}
    assert tidy["replicate"].nunique() == 5
    times = np.array([0.0, 1.0, 2.0])
    sizes = np.array([[1, 1], [5, 0], [20, 0]])
    np.testing.assert_array_equal(first_passage_days(times, sizes, 5), [1.0, np.nan])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: simulate_clone_sizes(-0.1, 0.0, 10), "birth_per_day must be >= 0"),
        (lambda: simulate_clone_sizes(0.1, -0.1, 10), "death_per_day must be >= 0"),
        (lambda: simulate_clone_sizes(0.1, 0.05, 0), "t_end_days must be > 0"),
        (lambda: simulate_clone_sizes(0.1, 0.05, 10, dt_days=0), "dt_days must be > 0"),
        (
            lambda: simulate_clone_sizes(0.1, 0.05, 10, n_replicates=0),
            "n_replicates must be >= 1",
        ),
        (
            lambda: simulate_clone_sizes(0.1, 0.05, 10, n_replicates=2.5),
            "n_replicates must be a whole number",
        ),
        (
            lambda: simulate_clone_sizes(0.1, 0.05, 10, max_cells=1e18),
            "max_cells must be <= 1e15 to stay within 64-bit integers",
        ),
        (lambda: clone_rates("virus"), "unknown clone 'virus'"),
        (
            lambda: CloneParameters(escape_fraction=1.2),
            "escape_fraction must be a fraction between 0 and 1",
        ),
        (
            lambda: CloneParameters(tumour_escape_fraction=0.0),
            "tumour_escape_fraction must lie strictly between 0 and 1",
        ),
        (lambda: extinction_probability(0.1, 0.05, -1), r"t_days must be >= 0\.0"),
        (lambda: time_to_size(0), "size must be > 0"),
        (lambda: time_to_size(10, clones=[]), "clones must not be empty"),
    ],
)
def test_bad_inputs_raise_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=30, deadline=None)
@given(birth=st.floats(0, 0.5), ratio=st.floats(0, 1.5), t=st.floats(0, 3000))
def test_theory_is_a_probability_and_mean_is_positive(birth, ratio, t):
    death = birth * ratio
    alpha = float(extinction_probability(birth, death, t))
    assert 0 <= alpha <= 1 and np.isfinite(alpha)
    assert float(expected_size(birth, death, t)) > 0


@settings(max_examples=15, deadline=None)
@given(birth=st.floats(0, 0.3), ratio=st.floats(0, 1.5), seed=st.integers(0, 10_000))
def test_simulated_sizes_are_non_negative_integers(birth, ratio, seed):
    _, sizes = simulate_clone_sizes(
        birth, birth * ratio, 200, dt_days=20, n_replicates=50, seed=seed
    )
    assert sizes.dtype == np.int64 and sizes.min() >= 0
    assert np.all(sizes[0] == 1)
