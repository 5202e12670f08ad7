"""Sweeps and figures of the off-the-shelf / in vivo chapter (M1 + M4 rejection, M5 LNP doses)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from cart_autoimmunity import in_vivo, kinetics  # noqa: E402
from cart_autoimmunity.figures import in_vivo as pf  # noqa: E402
from cart_autoimmunity.figures import kinetics as fk  # noqa: E402
from cart_autoimmunity.parameters.kinetics import KineticsParameters  # noqa: E402

P = KineticsParameters()


@pytest.fixture(scope="module")
def sweep():
    return kinetics.rejection_sweep((0.0, 0.1, 0.2, 0.4, 0.8), P)


@pytest.fixture(scope="module")
def doses():
    return in_vivo.dose_count_sweep(4, 7.0, P)


# --- rejection ---------------------------------------------------------------------------------


def test_no_rejection_reproduces_the_autologous_run(sweep):
    # Limit r_max = 0: the M4 term vanishes, so the row must equal plain M1.
    plain = kinetics.readouts(kinetics.simulate("autoimmune", P, days=365.0), P)
    row = sweep.iloc[0]
    for key in kinetics.REJECTION_READOUTS:
        assert row[key] == pytest.approx(plain[key], rel=1e-9), key


def test_the_allogeneic_scenario_is_one_row_of_the_sweep():
    r = P.allogeneic_rejection_max_per_day
    row = kinetics.rejection_sweep((r,), P).iloc[0]
    direct = kinetics.readouts(kinetics.simulate("allogeneic", P, days=365.0), P)
    assert row["last_day_above_lod"] == pytest.approx(
        direct["last_day_above_lod"], rel=1e-9
    )


def test_faster_rejection_shortens_persistence_and_aplasia(sweep):
    for column in ("last_day_above_lod", "b_return_day", "days_b_below_1pct"):
        assert np.all(np.diff(sweep[column]) < 0), column
    assert np.all(np.diff(sweep["b_fraction_day_14"]) > 0)


def test_depletion_is_deep_by_day_14_with_rejection_within_weeks(sweep):
    # Wang et al. 2024 (Cell): complete B-cell depletion within two weeks of donor CAR T cells.
    weeks = sweep[sweep.last_day_above_lod < 35]  # cells gone within five weeks
    assert len(weeks) >= 2
    assert (weeks["b_fraction_day_14"] < 1e-3).all()


def test_rejection_sweep_validates_its_inputs():
    with pytest.raises(ValueError, match="rejection_values"):
        kinetics.rejection_sweep((-0.1,), P)
    with pytest.raises(ValueError, match="rejection_values must be a non-empty"):
        kinetics.rejection_sweep((), P)
    with pytest.raises(ValueError, match="rejection_values must be >= 0"):
        kinetics.rejection_runs((-1.0,), P)


@settings(max_examples=4, deadline=None)
@given(st.floats(min_value=0.0, max_value=3.0, allow_nan=False))
def test_rejection_readouts_are_finite_and_bounded(r):
    row = kinetics.rejection_sweep((r,), P, days=150.0).iloc[0]
    assert 0.0 <= row["b_fraction_day_14"] <= 1.0
    assert 0.0 < row["last_day_above_lod"] <= 150.0
    assert np.isfinite(row["cytokine_peak"]) and row["cytokine_peak"] >= 0


# --- in vivo doses -----------------------------------------------------------------------------


def test_more_doses_give_longer_depletion(doses):
    assert list(doses["doses"]) == [1, 2, 3, 4]
    assert np.all(np.diff(doses["days_b_below_1pct"]) > 0)
    assert np.all(np.diff(doses["b_return_day"]) > 0)


def test_one_dose_row_matches_the_single_schedule(doses):
    single = in_vivo.in_vivo_readouts(in_vivo.simulate_in_vivo("single", P), P)
    assert doses.iloc[0]["days_b_below_1pct"] == pytest.approx(
        single["days_b_below_1pct"], abs=1e-9
    )


def test_dose_sweep_validates_its_inputs():
    with pytest.raises(ValueError, match="max_doses"):
        in_vivo.dose_count_sweep(0)
    with pytest.raises(ValueError, match="max_doses"):
        in_vivo.dose_count_sweep(2.5)
    with pytest.raises(ValueError, match="interval_days"):
        in_vivo.dose_count_sweep(2, 0.0)


# --- figures -----------------------------------------------------------------------------------


def test_figures_are_drawn(sweep, doses):
    runs = kinetics.rejection_runs((0.0, 0.2), P, days=60.0)
    figures = [
        fk.plot_rejection_time_courses(
            runs, detection_limit_per_ul=P.detection_limit_per_ul
        ),
        fk.plot_rejection_sweep(sweep),
        pf.plot_dose_count_sweep(doses),
        pf.plot_cytokine_comparison(
            {
                "autoimmune": runs[0.0],
                "allogeneic": runs[0.2],
                "in_vivo": in_vivo.simulate_in_vivo("single", P, days=30.0),
            }
        ),
    ]
    assert [len(f.axes) for f in figures] == [2, 2, 1, 1]
    for fig in figures:
        for ax in fig.axes:
            assert ax.get_xlabel() and ax.get_ylabel()
        plt.close(fig)


def test_figures_reject_bad_input(sweep):
    with pytest.raises(
        ValueError, match="runs must contain at least one rejection hazard"
    ):
        fk.plot_rejection_time_courses(
            {}, detection_limit_per_ul=P.detection_limit_per_ul
        )
    with pytest.raises(
        ValueError, match="sweep must be a non-empty table with columns"
    ):
        fk.plot_rejection_sweep(sweep.drop(columns="b_fraction_day_14"))
    with pytest.raises(
        ValueError, match="sweep must be a non-empty table with columns"
    ):
        pf.plot_dose_count_sweep(pd.DataFrame())
    with pytest.raises(ValueError, match="therapy"):
        pf.plot_cytokine_comparison({"lymphoma": sweep})
    with pytest.raises(ValueError, match="results must contain at least one run"):
        pf.plot_cytokine_comparison({})
    plt.close("all")
