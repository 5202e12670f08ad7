"""Model M1 (CAR T / CD19 targets) and M4 (rejection): analytic checks, calibration, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_autoimmunity import kinetics
from cart_autoimmunity.parameters.kinetics import KineticsParameters

P = KineticsParameters()


@pytest.fixture(scope="module")
def runs():
    """The three scenarios over 1000 days (shared: each run takes well under a second)."""
    return {
        name: kinetics.simulate(name, P, days=1000.0)
        for name in ("autoimmune", "lymphoma", "leukaemia")
    }


@pytest.fixture(scope="module")
def outs(runs):
    return {name: kinetics.readouts(frame, P) for name, frame in runs.items()}


def _trapezoid(y, x):
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


# ---------------------------------------------------------------------------------------------
# Analytic checks
# ---------------------------------------------------------------------------------------------
def test_no_car_t_means_no_depletion_and_exact_tumour_growth():
    frame = kinetics.simulate("lymphoma", P, days=60.0, dose_cells=0.0)
    assert (frame[["effector", "memory", "cytokine_proxy"]].to_numpy() == 0).all()
    b = frame["b_cells_total"].to_numpy()
    assert np.all(np.diff(b) >= -1e-6 * P.normal_b_cells) and b[-1] < P.normal_b_cells
    assert b[0] == pytest.approx(P.lymphodepletion_survival_fraction * P.normal_b_cells)
    expected = P.lymphoma_tumour_cells * np.exp(
        P.tumour_growth_per_day * frame["time_days"]
    )
    np.testing.assert_allclose(frame["tumour_cells"], expected, rtol=1e-5)


def test_car_free_steady_state_has_zero_derivative():
    rates = kinetics.scenario_rates(P, "autoimmune")
    state = kinetics.initial_state(
        P, 2, dose_cells=0.0, survival_fraction=1.0, rates=rates
    )
    # Move the pre-existing B cells into the "new" compartment: the steady state has B_old = 0.
    state[4], state[3] = state[3], 0.0
    derivative = kinetics.derivatives(3.0, state, rates, P.maturation_stages)
    assert np.max(np.abs(derivative)) <= 1e-12 * P.normal_b_cells


def test_homeostatic_only_closed_form_and_peak_day():
    params = P.replace(
        antigen_expansion_per_day=0.0
    )  # no antigen drive: only the homeostatic term
    frame = kinetics.simulate("autoimmune", params, days=60.0, step_days=0.05)
    exact = kinetics.homeostatic_only_effector(frame["time_days"], params)
    np.testing.assert_allclose(frame["effector"], exact, rtol=1e-5)
    peak = frame["time_days"][frame["effector"].idxmax()]
    assert peak == pytest.approx(kinetics.homeostatic_peak_day(params), abs=0.05)
    # tau_H ln(p_H/(delta_E+mu)) = 5 ln(1.2/0.16013) = 10.07 days
    assert kinetics.homeostatic_peak_day(params) == pytest.approx(10.07, abs=0.01)


def test_memory_is_the_convolution_of_effector_output():
    frame = kinetics.simulate("lymphoma", P, days=200.0, step_days=0.05)
    t, e = frame["time_days"].to_numpy(), frame["effector"].to_numpy()
    mu, d_m = P.memory_formation_cancer_per_day, P.memory_death_per_day
    for t_end in (30.0, 100.0, 200.0):
        i = np.searchsorted(t, t_end)
        conv = _trapezoid(
            mu * e[: i + 1] * np.exp(-d_m * (t[i] - t[: i + 1])), t[: i + 1]
        )
        assert frame["memory"][i] == pytest.approx(conv, rel=1e-3)


def test_terminal_slope_equals_memory_decay():
    frame = kinetics.simulate("leukaemia", P, days=1400.0, step_days=1.0)
    late = frame[frame.time_days >= 1000]
    slope = np.polyfit(late.time_days, np.log(late.effector + late.memory), 1)[0]
    assert abs(slope + P.memory_death_per_day) < 1e-4


def test_early_contraction_half_life_is_near_stein(outs):
    # Stein 2019: initial decline half-life 4.3 days (alpha = 0.16/day); antigen and the fading
    # homeostatic drive slow the model's contraction a little, so allow 4 to 6.5 days.
    for out in outs.values():
        assert 4.0 <= out["contraction_half_life_days"] <= 6.5


@pytest.mark.parametrize("scenario", ["autoimmune", "leukaemia"])
def test_cytokine_proxy_balances_the_killing(scenario):
    frame = kinetics.simulate(scenario, P, days=120.0, step_days=0.01)
    t = frame["time_days"].to_numpy()
    killed = _trapezoid(frame["killing_cells_per_day"].to_numpy(), t)
    i = frame["cytokine_proxy"].to_numpy()
    from_proxy = (
        P.cytokine_clearance_per_day * _trapezoid(i, t) + i[-1] - i[0]
    ) / P.cytokine_per_kill
    assert from_proxy == pytest.approx(killed, rel=2e-3)


def test_read_outs_grow_with_burden():
    burdens = [0.0, 1e10, 1e11, 3e11, 1e12]
    out = [
        kinetics.readouts(
            kinetics.simulate("lymphoma", P, days=800.0, tumour_cells=b, step_days=0.5)
        )
        for b in burdens
    ]
    for key in (
        "car_t_peak_cells",
        "cytokine_peak",
        "last_day_above_lod",
        "days_b_below_1pct",
    ):
        values = [o[key] for o in out]
        assert all(b >= a for a, b in zip(values, values[1:])), (key, values)
    assert all(8.0 <= o["car_t_peak_day"] <= 12.0 for o in out)


def test_persistence_switches_at_r_b_equal_one():
    days = 5 * 365.0
    assert kinetics.persistence_number(P) < 1
    gone = kinetics.simulate("autoimmune", P, days=days, step_days=1.0)
    assert gone["b_cells_fraction_of_normal"].iloc[-1] > 0.95
    # R_B < 1: CAR T keep falling (at the memory decay rate) towards zero.
    assert gone["car_t_cells"].iloc[-1] < 0.8 * gone["car_t_cells"].iloc[-101]
    strong = P.replace(antigen_half_saturation_cells=2e11)
    assert kinetics.persistence_number(strong) > 1
    kept = kinetics.simulate("autoimmune", strong, days=days, step_days=1.0)
    # R_B > 1: CAR T never die out (they cycle with the B cells, predator-prey style, as in
    # Leon-Triana 2021) and B cells stay partly depleted.
    late = kept[kept.time_days >= 2 * 365]
    assert late["car_t_cells"].min() > 1e5
    assert 0.2 < late["b_cells_fraction_of_normal"].mean() < 0.8
    assert late["b_cells_fraction_of_normal"].max() < 0.9


def test_states_stay_non_negative(runs):
    raw = kinetics.simulate_patients("leukaemia", P, days=400.0)
    for name, values in raw.states.items():
        assert values.min() >= -1e-6 * max(1.0, np.abs(values).max()), name


# ---------------------------------------------------------------------------------------------
# Calibration against clinical numbers
# ---------------------------------------------------------------------------------------------
def test_autoimmune_b_cells_return_as_in_mackensen(outs):
    # Mackensen 2022: B cells reappeared after 110 +/- 32 days (n = 5), naive and non-switched.
    assert 78.0 <= outs["autoimmune"]["b_return_day"] <= 142.0
    assert outs["autoimmune"]["naive_fraction_at_return"] >= 0.95


def test_months_in_autoimmune_disease_years_in_leukaemia(outs):
    assert outs["autoimmune"]["last_day_above_lod"] < 180.0
    # JULIET (Awasthi 2020): transgene detectable up to 693 days by qPCR.
    assert outs["leukaemia"]["last_day_above_lod"] > 365.0
    assert outs["lymphoma"]["last_day_above_lod"] > 365.0


def test_peak_day_matches_stein_tmax(outs):
    # Stein 2019: Tmax 9.3 days in paediatric B-ALL.
    for out in outs.values():
        assert 7.0 <= out["car_t_peak_day"] <= 12.0


def test_lymphoma_blood_levels_within_threefold_of_zuma1(runs):
    # Kimmel 2021 (Moffitt ZUMA-1 medians): 9.1, 2.1 and 0.1 CAR T cells/µL on days 14, 28, 90.
    frame = runs["lymphoma"].set_index("time_days")
    for day, observed in ((14.0, 9.1), (28.0, 2.1), (90.0, 0.1)):
        assert observed / 3 <= frame.loc[day, "car_t_per_ul"] <= observed * 3, day


def test_normal_b_cells_convert_to_the_measured_blood_count():
    frame = kinetics.simulate("autoimmune", P, days=5.0, dose_cells=0.0)
    assert frame["b_cells_per_ul"].iloc[
        0
    ] / P.lymphodepletion_survival_fraction == pytest.approx(P.normal_b_cells_per_ul)


def test_burden_only_variant_needs_the_memory_assumption(outs):
    burden_only = kinetics.readouts(
        kinetics.simulate("autoimmune", P, days=1000.0, burden_only=True)
    )
    assert (
        burden_only["last_day_above_lod"] > 365.0
    )  # without lower memory formation: years, not months
    assert burden_only["last_day_above_lod"] < outs["lymphoma"]["last_day_above_lod"]
    assert (
        kinetics.memory_formation_per_day(P, "autoimmune", burden_only=True)
        == P.memory_formation_cancer_per_day
    )


def test_scenario_table_has_one_row_per_scenario():
    table = kinetics.scenario_table(P, days=400.0)
    assert table["scenario"].tolist() == ["autoimmune", "lymphoma", "leukaemia"]
    assert table["cytokine_peak"].is_monotonic_increasing


# ---------------------------------------------------------------------------------------------
# M4: rejection of allogeneic cells
# ---------------------------------------------------------------------------------------------
def test_no_rejection_reproduces_the_autologous_run():
    auto = kinetics.simulate("autoimmune", P, days=200.0)
    allo = kinetics.simulate(
        "allogeneic", P.replace(allogeneic_rejection_max_per_day=0.0), days=200.0
    )
    np.testing.assert_array_equal(auto.to_numpy(), allo.to_numpy())


def test_rejection_shortens_persistence_but_depletion_stays_deep():
    rows = []
    for r_max in (0.0, 0.1, 0.2, 0.4):
        frame = kinetics.simulate(
            "allogeneic", P.replace(allogeneic_rejection_max_per_day=r_max), days=300.0
        )
        out = kinetics.readouts(frame)
        out["car_auc"] = _trapezoid(
            frame["car_t_cells"].to_numpy(), frame["time_days"].to_numpy()
        )
        rows.append(out)
    for key in ("last_day_above_lod", "b_return_day", "car_auc"):
        values = [r[key] for r in rows]
        assert all(b < a for a, b in zip(values, values[1:])), (key, values)
    # Wang 2024: complete B-cell depletion within two weeks with allogeneic CAR T.
    assert all(r["b_fraction_day_14"] < 1e-3 for r in rows)


# ---------------------------------------------------------------------------------------------
# Vectorisation and validation
# ---------------------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    log_cells=st.lists(
        st.floats(-3.0, 11.0),
        min_size=7 + P.maturation_stages,
        max_size=7 + P.maturation_stages,
    ),
    signs=st.lists(
        st.sampled_from([1.0, 1.0, 0.0, -1e-9]),
        min_size=7 + P.maturation_stages,
        max_size=7 + P.maturation_stages,
    ),
    day=st.floats(0.0, 400.0),
    scenario=st.sampled_from(kinetics.SCENARIOS),
)
def test_one_patient_float_path_is_the_array_path(log_cells, signs, day, scenario):
    """The solver's plain-float right-hand side (one patient) equals the array one, also
    where round-off left a state at or below zero (both clip it to zero)."""
    rates = kinetics.scenario_rates(P, scenario)
    state = 10.0 ** np.array(log_cells) * np.array(signs)
    n_states = state.size
    on_arrays = kinetics.derivatives(day, state[:, None], rates, P.maturation_stages)[
        :, 0
    ]
    flat = kinetics._rhs_flat(day, state, rates, n_states)
    floats = kinetics._rhs_one_patient(day, state, rates, n_states)
    np.testing.assert_array_equal(flat, on_arrays)
    np.testing.assert_allclose(floats, on_arrays, rtol=1e-12, atol=1e-9)


def test_a_failed_integration_raises_and_names_the_reason(monkeypatch):
    """Raised by solve itself, not by the test run's warnings-as-errors filter."""
    import warnings

    monkeypatch.setattr(kinetics, "MAX_STEPS_PER_OUTPUT", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as outside pytest: a warning is only printed
        with pytest.raises(
            RuntimeError, match=r"integration failed: Excess work done"
        ) as e:
            kinetics.simulate("autoimmune", P, days=30.0, step_days=10.0)
    assert "full_output" not in str(e.value)  # SciPy's advice to its own callers is cut


def test_vectorised_cohort_matches_single_patient_runs():
    single = kinetics.simulate("autoimmune", P, days=200.0, step_days=1.0)
    faster = kinetics.simulate(
        "autoimmune",
        P.replace(kill_rate_per_car_t_per_day=2e-9),
        days=200.0,
        step_days=1.0,
    )
    runs = kinetics.simulate_patients(
        "autoimmune",
        P,
        days=200.0,
        step_days=1.0,
        multipliers={"kappa": np.array([1.0, 2.0, 1.0])},
    )
    for patient, reference in ((0, single), (1, faster), (2, single)):
        frame = kinetics.runs_frame(runs, patient)
        for column in ("car_t_cells", "b_cells_total", "cytokine_proxy"):
            np.testing.assert_allclose(
                frame[column], reference[column], rtol=1e-4, atol=1e3
            )
    one = kinetics.runs_frame(
        kinetics.simulate_patients("autoimmune", P, days=200.0, step_days=1.0)
    )
    np.testing.assert_array_equal(one.to_numpy(), single.to_numpy())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scenario": "lupus"}, "unknown scenario"),
        ({"days": -5.0}, "days must be > 0"),
        ({"step_days": 0.0}, "step_days must be > 0"),
        ({"days": 1.0, "step_days": 2.0}, "step_days must be <= days"),
        ({"tumour_cells": -1.0}, "tumour_cells must be >= 0"),
        ({"dose_cells": float("nan")}, "dose_cells must be finite"),
        ({"params": {"dose_cells": 1}}, "params must be a KineticsParameters"),
    ],
)
def test_bad_input_is_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        kinetics.simulate(**kwargs)


def test_bad_parameters_and_multipliers_are_rejected():
    with pytest.raises(ValueError, match="effector_death_per_day must be >= 0"):
        P.replace(effector_death_per_day=-0.1)
    with pytest.raises(ValueError, match="unknown multiplier"):
        kinetics.simulate_patients("autoimmune", multipliers={"speed": [1.0]})
    with pytest.raises(ValueError, match="one common length"):
        kinetics.simulate_patients(
            "autoimmune",
            tumour_cells=[1.0, 2.0],
            multipliers={"kappa": [1.0, 1.0, 1.0]},
        )
    with pytest.raises(ValueError, match="result must be"):
        kinetics.readouts({"time_days": [0, 1]})


@settings(max_examples=12, deadline=None)
@given(
    kill=st.floats(3e-10, 3e-9),
    expansion=st.floats(0.3, 2.0),
    death=st.floats(0.08, 0.4),
    tumour=st.sampled_from([0.0, 1e9, 1e11, 2e12]),
    dose=st.floats(1e6, 1e9),
    memory=st.floats(0.0, 1.0),
)
def test_states_are_finite_and_non_negative_over_plausible_ranges(
    kill, expansion, death, tumour, dose, memory
):
    params = P.replace(
        kill_rate_per_car_t_per_day=kill,
        homeostatic_expansion_per_day=expansion,
        effector_death_per_day=death,
        autoimmune_memory_factor=memory,
    )
    frame = kinetics.simulate(
        "lymphoma",
        params,
        days=150.0,
        step_days=1.0,
        tumour_cells=tumour,
        dose_cells=dose,
    )
    values = frame.drop(columns="time_days").to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert frame["b_cells_fraction_of_normal"].max() <= 1.0 + 1e-9


def test_plot_helpers_return_labelled_log_figures(runs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cart_autoimmunity.figures import kinetics as plots_kinetics

    fig = plots_kinetics.plot_time_courses(
        {"autoimmune": runs["autoimmune"], "autoimmune (burden only)": runs["lymphoma"]}
    )
    axes = fig.get_axes()
    assert len(axes) == 2 and all(ax.get_yscale() == "log" for ax in axes)
    assert (
        axes[0].get_ylabel() == "CAR T cells in blood (cells/µL)"
        and axes[1].get_xlabel() == "Days after infusion"
    )
    lines = axes[0].get_lines()
    assert (
        lines[0].get_color().lower() == "#0072b2" and lines[1].get_linestyle() == "--"
    )
    plt.close(fig)
    with pytest.raises(ValueError, match="unknown quantities"):
        plots_kinetics.plot_time_courses(
            {"autoimmune": runs["autoimmune"]}, quantities=("speed",)
        )
