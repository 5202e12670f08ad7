"""Solver tolerances: one place (ca.numerics), one scale factor, converged digits.

The book stores only 4 significant figures of every computed number (issue #12). These
tests check that tightening every tolerance tenfold (CART_TOLERANCE_SCALE=0.1, as
`make perturb` does for the whole book) leaves those digits unchanged.
"""

from __future__ import annotations

import math

import pytest

from cart_autoimmunity import antibodies, beta_cells, kinetics, numerics, units

SCALE = numerics.SCALE_VARIABLE


@pytest.fixture(autouse=True)
def _no_scale(monkeypatch):
    monkeypatch.delenv(SCALE, raising=False)


def four_figures(value: float) -> str:
    """The digits the book stores: 4 significant figures."""
    return "nan" if math.isnan(value) else f"{value:.4g}"


def test_defaults_unchanged():
    assert numerics.tolerances("kinetics") == (1e-7, 1e-3)
    assert numerics.tolerances("antibodies") == (1e-9, 1e-12)
    assert numerics.tolerances("beta_cells") == (1e-9, 1e-12)
    assert (kinetics.RTOL, kinetics.ATOL) == (1e-7, 1e-3)
    assert numerics.tolerance_scale() == 1.0


@pytest.mark.parametrize("raw", ["", "  ", "1", "1.0"])
def test_unset_empty_or_one_means_default(monkeypatch, raw):
    monkeypatch.setenv(SCALE, raw)
    assert numerics.tolerances("beta_cells") == (1e-9, 1e-12)


@pytest.mark.parametrize("raw, scale", [("0.1", 0.1), (" 1e-2 ", 1e-2), ("10", 10.0)])
def test_scale_applied_to_every_model(monkeypatch, raw, scale):
    monkeypatch.setenv(SCALE, raw)
    assert numerics.tolerance_scale() == scale
    for model, (rtol, atol) in numerics.DEFAULT_TOLERANCES.items():
        assert numerics.tolerances(model) == pytest.approx((rtol * scale, atol * scale))


@pytest.mark.parametrize("raw", ["0", "-0.1", "abc", "nan", "inf", "-inf", "0.1x"])
def test_invalid_scale_rejected(monkeypatch, raw):
    monkeypatch.setenv(SCALE, raw)
    with pytest.raises(ValueError, match=SCALE):
        numerics.tolerances("kinetics")
    with pytest.raises(ValueError, match=SCALE):  # and so is every model run
        beta_cells.diagnosis_day(None)


def test_unknown_model_rejected():
    with pytest.raises(ValueError, match="model must be one of"):
        numerics.tolerances("cytokines")


#: The scipy solver each model calls (kinetics steps LSODA through odeint, the others through
#: solve_ivp).
SOLVERS = {kinetics: "odeint", antibodies: "solve_ivp", beta_cells: "solve_ivp"}


@pytest.mark.parametrize(
    "module, run",
    [
        (kinetics, lambda: kinetics.simulate("autoimmune", days=30)),
        (antibodies, lambda: antibodies.simulate_antibodies("CD19", t_end_days=30)),
        (beta_cells, lambda: beta_cells.diagnosis_day(None)),
    ],
)
def test_solver_reads_tolerances_at_call_time(monkeypatch, module, run):
    """The scale reaches the solver in every model, without re-importing anything."""
    seen = []
    real = getattr(module, SOLVERS[module])

    def spy(*args, **kwargs):
        seen.append((kwargs["rtol"], kwargs["atol"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, SOLVERS[module], spy)
    name = module.__name__.rsplit(".", 1)[1]
    rtol, atol = numerics.DEFAULT_TOLERANCES[name]
    run()
    assert seen and set(seen) == {(rtol, atol)}
    seen.clear()
    monkeypatch.setenv(SCALE, "0.1")
    run()
    assert seen and all(s == pytest.approx((rtol * 0.1, atol * 0.1)) for s in seen)


def test_explicit_kinetics_tolerances_still_win(monkeypatch):
    seen = []
    real = kinetics.odeint
    monkeypatch.setattr(
        kinetics,
        "odeint",
        lambda *a, **k: seen.append((k["rtol"], k["atol"])) or real(*a, **k),
    )
    monkeypatch.setenv(SCALE, "0.1")
    params = kinetics.check_params(None)
    rates = kinetics.scenario_rates(params, "autoimmune")
    y0 = kinetics.initial_state(params)
    kinetics.solve(
        rates,
        y0,
        params.maturation_stages,
        kinetics.time_grid(10, 1),
        rtol=1e-6,
        atol=1e-2,
    )
    assert set(seen) == {(1e-6, 1e-2)}


def _kinetics_readouts() -> dict[str, str]:
    values = kinetics.readouts(kinetics.simulate("autoimmune"))
    return {k: four_figures(float(v)) for k, v in values.items()}


def _antibody_titres() -> dict[str, str]:
    frame = antibodies.simulate_targets(("CD19", "BCMA"), t_end_days=365)
    return {
        f"{target} {quantity} day {day}": four_figures(
            antibodies.value_at(frame, quantity, day, target)
        )
        for target in ("CD19", "BCMA")
        for quantity in ("autoantibody", "vaccine_antibody")
        for day in (90, 365)
    }


def _beta_cell_values() -> dict[str, str]:
    run = beta_cells.simulate_intervention(2 * units.DAYS_PER_YEAR)
    return {
        "diagnosis day, untreated": four_figures(beta_cells.diagnosis_day(None)),
        "diagnosis day, depleted at year 2": four_figures(
            beta_cells.diagnosis_day(2 * units.DAYS_PER_YEAR)
        ),
        "beta mass at year 10, depleted at year 2": four_figures(
            float(run["beta_mass"].iloc[-1])
        ),
    }


@pytest.mark.parametrize(
    "readouts", [_kinetics_readouts, _antibody_titres, _beta_cell_values]
)
def test_tenfold_tighter_tolerances_keep_four_figures(monkeypatch, readouts):
    default = readouts()
    monkeypatch.setenv(SCALE, "0.1")
    tight = readouts()
    assert tight == default


def test_round_significant_keeps_the_converged_digits():
    assert numerics.round_significant(95.39015929) == 95.39
    assert numerics.round_significant(0.0099075123, 3) == 0.00991
    assert numerics.round_significant(0.0) == 0.0
    with pytest.raises(ValueError, match="finite"):
        numerics.round_significant(float("inf"))
