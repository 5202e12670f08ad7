"""Tests of the beta-cell damage model (M6): limits, closed forms, monotonicity, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_autoimmunity.beta_cells import (
    attack_delay_days,
    c_peptide_change,
    depletion_delay_table,
    diagnosis_day,
    simulate_intervention,
    sweep_intervention_times,
)
from cart_autoimmunity.parameters.beta_cells import (
    BetaCellParameters,
    CPeptideParameters,
)
from cart_autoimmunity.units import DAYS_PER_YEAR

DEFAULT = BetaCellParameters()


def test_no_attack_keeps_full_mass():
    """A ≡ 0 ⇒ β ≡ 1: with no autoimmunity nothing is lost."""
    run = simulate_intervention(None, DEFAULT.replace(attack_initial=0.0))
    assert np.all(run["attack"] == 0.0)
    np.testing.assert_allclose(run["beta_mass"], 1.0, atol=1e-12)
    assert not run["diagnosed"].any()


def test_immediate_complete_removal_keeps_full_mass():
    """Removing the attack at day 0 is the same as no attack."""
    run = simulate_intervention(0.0, DEFAULT, depth=0.0)
    np.testing.assert_allclose(run["beta_mass"], 1.0, atol=1e-12)


@pytest.mark.parametrize("intervention_year", [1.0, 2.0, 3.0, 4.0])
def test_irreversibility_bound(intervention_year):
    """After the attack is removed, dβ/dt = r β(1−β) ≤ r/4, so β(t) − β(t_i) ≤ r (t − t_i) / 4."""
    day = intervention_year * DAYS_PER_YEAR
    run = simulate_intervention(day, DEFAULT, depth=0.0)
    after = run[run["day"] >= day]
    gain = after["beta_mass"].to_numpy() - after["beta_mass"].iloc[0]
    bound = DEFAULT.beta_regeneration_per_day * (after["day"].to_numpy() - day) / 4.0
    assert np.all(gain <= bound + 1e-9)
    assert np.all(gain >= -1e-9)  # and nothing more is lost once the attack is gone


def test_damage_irreversible_final_mass_never_increases_with_later_intervention():
    """Ledger claim "damage-irreversible": β at 10 years is non-increasing in the intervention time."""
    years = np.linspace(0.0, 9.5, 39)
    table = sweep_intervention_times(years, DEFAULT)
    final = table["beta_at_horizon"].to_numpy()
    assert np.all(np.diff(final) <= 1e-9)
    assert (
        final[0] > 0.99 and final[-1] < 0.05
    )  # early treatment preserves, late treatment does not


def test_exact_diagnosis_time_for_constant_attack():
    """Constant attack A0, no regeneration: β = exp(−k A0 t), so t_dx = ln(1/β_dx)/(k A0)."""
    params = DEFAULT.replace(
        attack_growth_per_day=0.0, beta_regeneration_per_day=0.0, attack_initial=0.5
    )
    expected = math.log(1.0 / params.diagnosis_threshold_beta) / (
        params.beta_killing_per_day * params.attack_initial
    )
    got = diagnosis_day(None, params, horizon_days=10 * DAYS_PER_YEAR)
    assert got == pytest.approx(expected, rel=1e-6)


def test_diagnosis_is_nan_when_never_reached():
    assert math.isnan(diagnosis_day(0.5 * DAYS_PER_YEAR, DEFAULT))


def test_untreated_course_is_diagnosed_within_a_few_years():
    # Calibration target (an assumption, see the parameter notes): untreated onset in roughly three years.
    years = diagnosis_day(None, DEFAULT) / DAYS_PER_YEAR
    assert 2.0 < years < 4.0


def test_classical_threshold_is_reached_later_than_klinke_threshold():
    klinke = diagnosis_day(None, DEFAULT)
    classical = diagnosis_day(
        None, DEFAULT, threshold_beta=DEFAULT.classical_threshold_beta
    )
    assert classical > klinke


def test_delay_law_in_small_attack_regime():
    """Δt = ln(1/f)/g_A within 5% when the attack is small (logistic ≈ exponential)."""
    params = DEFAULT.replace(attack_initial=1e-4)
    table = depletion_delay_table(
        [0.3, 0.1, 0.01, 0.001], params, intervention_year=1.0, horizon_years=40.0
    )
    for _, row in table.iterrows():
        assert row["attack_delay_years"] == pytest.approx(
            row["predicted_delay_years"], rel=0.05
        )
        assert row["diagnosis_delay_years"] == pytest.approx(
            row["predicted_delay_years"], rel=0.05
        )


def test_attack_delay_closed_form():
    assert attack_delay_days(0.1, 0.004) == pytest.approx(math.log(10) / 0.004)
    assert attack_delay_days(0.5, math.log(2)) == pytest.approx(1.0)


def test_c_peptide_slopes_match_greenbaum_2012():
    """Greenbaum 2012 (Diabetes 61:2066): −0.0245 pmol/mL/month in year 1, −0.0079 in year 2."""
    table = c_peptide_change([0, 12, 24])
    np.testing.assert_allclose(
        table["change_pmol_per_ml"], [0.0, -0.0245 * 12, -0.0245 * 12 - 0.0079 * 12]
    )
    assert (
        CPeptideParameters().slope_year2_pmol_per_ml_per_month
        > CPeptideParameters().slope_year1_pmol_per_ml_per_month
    )


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: simulate_intervention(-1.0), "intervention_day must be >= 0"),
        (
            lambda: simulate_intervention(100.0, depth=1.5),
            "depth must be a fraction between 0 and 1",
        ),
        (
            lambda: simulate_intervention(100.0, depth=-0.1),
            "depth must be a fraction between 0 and 1",
        ),
        (
            lambda: simulate_intervention(100.0, horizon_days=0.0),
            "horizon_days must be > 0",
        ),
        (lambda: simulate_intervention(100.0, step_days=-7.0), "step_days must be > 0"),
        (
            lambda: sweep_intervention_times([2.0, 1.0]),
            "intervention_years must be strictly increasing",
        ),
        (
            lambda: sweep_intervention_times([-1.0, 1.0]),
            "intervention_years must be >= 0",
        ),
        (
            lambda: sweep_intervention_times([]),
            "intervention_years must be a non-empty sequence of numbers",
        ),
        (
            lambda: attack_delay_days(0.0, 0.004),
            "depth must lie strictly between 0 and 1",
        ),
        (
            lambda: attack_delay_days(1.0, 0.004),
            "depth must lie strictly between 0 and 1",
        ),
        (lambda: attack_delay_days(0.1, 0.0), "attack_growth_per_day must be > 0"),
        (
            lambda: depletion_delay_table([1.2]),
            "depths must lie strictly between 0 and 1",
        ),
        (
            lambda: c_peptide_change([0, 36]),
            r"months must lie within 0\.\.24 \(the range of the data\)",
        ),
        (
            lambda: c_peptide_change([-1, 12]),
            r"months must lie within 0\.\.24 \(the range of the data\)",
        ),
        (
            lambda: diagnosis_day(None, threshold_beta=1.0),
            "threshold_beta must lie strictly between 0 and 1",
        ),
        (
            lambda: BetaCellParameters(beta_killing_per_day=-0.1),
            "beta_killing_per_day must be >= 0",
        ),
        (
            lambda: BetaCellParameters(attack_initial=2.0),
            "attack_initial must be a fraction between 0 and 1",
        ),
        (
            lambda: BetaCellParameters(diagnosis_threshold_beta=0.0),
            "diagnosis_threshold_beta must lie strictly between 0 and 1",
        ),
    ],
)
def test_invalid_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=25, deadline=None)
@given(
    regeneration=st.floats(0.0, 1e-2),
    growth=st.floats(0.0, 0.05),
    killing=st.floats(0.0, 0.05),
    initial=st.floats(0.0, 1.0),
    intervention=st.one_of(st.none(), st.floats(0.0, 3000.0)),
    depth=st.floats(0.0, 1.0),
)
def test_states_bounded_and_finite(
    regeneration, growth, killing, initial, intervention, depth
):
    params = BetaCellParameters(
        beta_regeneration_per_day=regeneration,
        attack_growth_per_day=growth,
        beta_killing_per_day=killing,
        attack_initial=initial,
    )
    run = simulate_intervention(
        intervention, params, depth=depth, horizon_days=3000.0, step_days=30.0
    )
    for column in ("beta_mass", "attack"):
        values = run[column].to_numpy()
        assert np.all(np.isfinite(values))
        # Bounds up to the integrator's accumulated error (rtol 1e-9 over thousands of days).
        assert np.all((values >= -1e-7) & (values <= 1.0 + 1e-7))


def test_the_last_row_is_the_horizon_whatever_the_step():
    run = simulate_intervention(50.0, horizon_days=100.0, step_days=30.0)
    assert run["day"].tolist() == [0.0, 30.0, 50.0, 60.0, 90.0, 100.0]
    # 7 x 0.3 is 2.0999999999999996 in floating point: one last row, not two.
    days = simulate_intervention(None, horizon_days=2.1, step_days=0.3)["day"]
    assert days.tolist()[-2:] == pytest.approx([1.8, 2.1]) and len(days) == 8
    # An intervention a moment before the horizon is at the horizon: every row is computed.
    late = simulate_intervention(100.0 - 1e-10, horizon_days=100.0, step_days=30.0)
    untreated = simulate_intervention(None, horizon_days=100.0, step_days=30.0)
    np.testing.assert_allclose(late["beta_mass"], untreated["beta_mass"])
    ten_years = sweep_intervention_times([1.0], horizon_years=10.0)
    direct = simulate_intervention(DAYS_PER_YEAR, horizon_days=10 * DAYS_PER_YEAR)
    assert ten_years["beta_at_horizon"].iloc[0] == pytest.approx(
        direct["beta_mass"].iloc[-1], rel=1e-6
    )


def test_an_intervention_a_moment_after_the_start_counts_as_at_the_start():
    # A subnormal interval once stalled the integrator; found by the property test above.
    at_start = simulate_intervention(0.0, horizon_days=100.0, step_days=10.0)
    a_moment_later = simulate_intervention(5e-324, horizon_days=100.0, step_days=10.0)
    np.testing.assert_allclose(
        a_moment_later["beta_mass"].to_numpy(), at_start["beta_mass"].to_numpy()
    )
