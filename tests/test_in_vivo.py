"""Model M5: in vivo mRNA-LNP CAR T cells on M1's B-cell machinery."""

from __future__ import annotations

import numpy as np
import pytest

from cart_autoimmunity import in_vivo, kinetics
from cart_autoimmunity.parameters.in_vivo import InVivoParameters
from cart_autoimmunity.parameters.kinetics import KineticsParameters

P = KineticsParameters()
Q = InVivoParameters()


@pytest.fixture(scope="module")
def table():
    return in_vivo.schedule_table(params=P, in_vivo_params=Q).set_index("schedule")


def test_car_pool_matches_the_sum_of_exponentials():
    frame = in_vivo.simulate_in_vivo("weekly_x6", P, Q)
    exact = in_vivo.car_pool_closed_form(frame["time_days"], "weekly_x6", Q)
    np.testing.assert_allclose(frame["in_vivo_car_cells"], exact, rtol=1e-5, atol=1.0)
    assert (frame["effector"] == 0).all() and (frame["memory"] == 0).all()


def test_periodic_trough_and_peak():
    interval = 7.0
    trough, peak = in_vivo.periodic_pool_bounds(interval, Q)
    doses = np.arange(0, 60) * interval
    last = doses[-1]
    at_dose = in_vivo.car_pool_closed_form(last, doses, Q)
    just_before = in_vivo.car_pool_closed_form(last - 1e-9, doses, Q)
    assert at_dose == pytest.approx(peak, rel=1e-9)
    assert just_before == pytest.approx(trough, rel=1e-6)
    assert peak - trough == pytest.approx(Q.car_cells_per_dose)


def test_single_dose_kill_exposure():
    frame = in_vivo.simulate_in_vivo("single", P, Q, days=60.0, step_days=0.01)
    exposure = np.sum(
        np.diff(frame["time_days"])
        * (
            frame["in_vivo_car_cells"].to_numpy()[1:]
            + frame["in_vivo_car_cells"].to_numpy()[:-1]
        )
        / 2
    )
    assert P.kill_rate_per_car_t_per_day * exposure == pytest.approx(
        P.kill_rate_per_car_t_per_day
        * Q.car_cells_per_dose
        / Q.car_expression_loss_per_day,
        rel=1e-3,
    )


def test_more_doses_give_longer_depletion():
    days = [
        in_vivo.in_vivo_readouts(
            in_vivo.simulate_in_vivo(np.arange(n) * 7.0, P, Q, days=200.0), P, Q
        )["days_b_below_1pct"]
        for n in range(1, 7)
    ]
    assert all(b > a for a, b in zip(days, days[1:])), days


def test_one_dose_is_not_enough(table):
    # Transient expression (mRNA) gives a short depletion: redosing is needed.
    assert table.loc["single", "days_b_below_1pct"] < 14.0
    assert (
        table.loc["weekly_x6", "days_b_below_1pct"]
        > 4 * table.loc["single", "days_b_below_1pct"]
    )


def test_b_cells_recover_after_the_last_dose(table):
    for name, row in table.iterrows():
        assert row["b_return_day"] > row["last_dose_day"], name
    frame = in_vivo.simulate_in_vivo("weekly_x6", P, Q, days=400.0)
    assert frame["b_cells_fraction_of_normal"].iloc[-1] > 0.8
    assert frame["in_vivo_car_cells"].iloc[-1] < 1.0


def test_no_lymphodepletion_means_a_larger_cytokine_peak(table):
    # The whole normal B-cell mass is killed within days, unlike after lymphodepletion.
    autologous = kinetics.readouts(kinetics.simulate("autoimmune", P, days=60.0))[
        "cytokine_peak"
    ]
    assert table["cytokine_peak"].min() > 5 * autologous


def test_marrow_access_controls_the_single_dose_depletion():
    deep = InVivoParameters(marrow_access_weight=1.0)
    out_deep = in_vivo.in_vivo_readouts(
        in_vivo.simulate_in_vivo("single", P, deep), P, deep
    )
    out = in_vivo.in_vivo_readouts(in_vivo.simulate_in_vivo("single", P, Q), P, Q)
    assert out_deep["days_b_below_1pct"] > 2 * out["days_b_below_1pct"]


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ([], "non-empty"),
        ([0.0, 7.0, 7.0], "strictly increasing"),
        ([14.0, 7.0], "strictly increasing"),
        ([-1.0, 7.0], "must be >= 0"),
        ("daily_forever", "unknown schedule"),
    ],
)
def test_bad_schedules_are_rejected(schedule, message):
    with pytest.raises(ValueError, match=message):
        in_vivo.simulate_in_vivo(schedule, P, Q)


def test_dose_after_the_run_is_rejected():
    with pytest.raises(ValueError, match="last dose"):
        in_vivo.simulate_in_vivo([0.0, 50.0], P, Q, days=40.0)
    with pytest.raises(ValueError, match="result must be"):
        in_vivo.in_vivo_readouts(kinetics.simulate("autoimmune", P, days=10.0), P, Q)


def test_doses_a_moment_apart_act_as_one_double_dose():
    # A subnormal gap between doses once stalled the integrator.
    apart = in_vivo.simulate_in_vivo([0.0, 5e-324, 7.0], days=30)
    assert apart["in_vivo_car_cells"].iloc[1] > 0
    twice = in_vivo.simulate_in_vivo([0.0, 7.0], days=30)
    assert apart["in_vivo_car_cells"].max() > twice["in_vivo_car_cells"].max()


def test_schedules_solved_together_agree_with_separate_runs():
    schedules = [[0.0], [2.55, 9.0], [0.0, 5e-324, 7.0], "weekly_x6"]
    together = in_vivo.simulate_in_vivo_schedules(schedules, P, Q)
    for schedule, frame in zip(schedules, together, strict=True):
        alone = in_vivo.simulate_in_vivo(schedule, P, Q)
        assert frame.attrs["dose_days"] == alone.attrs["dose_days"]
        assert list(frame.columns) == list(alone.columns)
        assert np.array_equal(frame["time_days"], alone["time_days"])
        for column in ("b_cells_fraction_of_normal", "in_vivo_car_cells"):
            scale = alone[column].abs().max()
            assert np.allclose(
                frame[column], alone[column], rtol=1e-5, atol=1e-7 * scale
            )
        together_out = in_vivo.in_vivo_readouts(frame, P, Q)
        alone_out = in_vivo.in_vivo_readouts(alone, P, Q)
        for name, value in alone_out.items():
            assert together_out[name] == pytest.approx(value, rel=1e-6), name


@pytest.mark.parametrize(
    ("schedules", "message"),
    [([], "at least one schedule"), ([[0.0], [7.0, 7.0]], "strictly increasing")],
)
def test_schedules_solved_together_reject_bad_input(schedules, message):
    with pytest.raises(ValueError, match=message):
        in_vivo.simulate_in_vivo_schedules(schedules, P, Q)
