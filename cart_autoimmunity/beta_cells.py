"""Beta-cell damage against the time of intervention (model M6).

Normalised beta-cell mass ``b`` (1 = healthy) and autoimmune attack intensity ``A`` (1 = maximal):

    db/dt = r_b b (1 - b) - k_b A b
    dA/dt = g_A A (1 - A),      and at the intervention day t_i:  A <- f A

``f`` is the depth factor of the intervention (0 removes the attack, 0.1 leaves a tenth).
Diagnosis is the first time ``b`` falls below the threshold ``b_dx`` (40% loss at age 20,
Klinke 2008). Because regeneration is very slow (r_b small), mass lost before t_i stays lost:
over any interval dt after the attack stops, b can rise by at most r_b dt / 4.

Time in days; all functions validate their inputs and return pandas tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from . import numerics, validation
from .parameters.beta_cells import BetaCellParameters, CPeptideParameters
from .units import DAYS_PER_YEAR

TEN_YEARS_DAYS = 10 * DAYS_PER_YEAR
#: The model in TeX (rows of an ``aligned`` block): one source for chapter 7 and the model
#: appendix, the equations of this module's docstring.
EQUATIONS = r"""
\frac{d\beta}{dt} &= r_\beta\,\beta(1-\beta) - k_\beta A\beta \\
\frac{dA}{dt} &= g_A A(1-A) \\
A(t_i^+) &= f\,A(t_i^-)
"""


def _rhs(params: BetaCellParameters):
    r_b, g_a, k_b = (
        params.beta_regeneration_per_day,
        params.attack_growth_per_day,
        params.beta_killing_per_day,
    )

    def rhs(_t, y):
        beta, attack = max(y[0], 0.0), max(y[1], 0.0)
        return [
            r_b * beta * (1.0 - beta) - k_b * attack * beta,
            g_a * attack * (1.0 - attack),
        ]

    return rhs


def _check_common(intervention_day, depth, horizon_days, step_days):
    horizon_days = validation.require_positive("horizon_days", horizon_days)
    step_days = validation.require_positive("step_days", step_days)
    validation.require_points("horizon_days", horizon_days, min(step_days, 1.0))
    depth = validation.require_fraction("depth", depth)
    if intervention_day is not None:
        intervention_day = validation.require_non_negative(
            "intervention_day", intervention_day
        )
        if intervention_day <= validation.SHORTEST_SEGMENT_DAYS:
            intervention_day = (
                0.0  # an intervention within a nanosecond of the start is at the start
            )
        elif abs(horizon_days - intervention_day) <= validation.SHORTEST_SEGMENT_DAYS:
            intervention_day = (
                horizon_days  # ... and one within a nanosecond of the end, at the end
            )
    return intervention_day, depth, horizon_days, step_days


def _segments(params, intervention_day, depth, horizon_days):
    """Integrate up to the intervention, apply A <- f A, integrate to the horizon; yield dense solutions."""
    rhs = _rhs(params)
    rtol, atol = numerics.tolerances("beta_cells")
    y = np.array([1.0, params.attack_initial])
    breaks = [0.0, horizon_days]
    if intervention_day is not None and intervention_day < horizon_days:
        breaks = [0.0, intervention_day, horizon_days]
    solutions = []
    for i, (start, stop) in enumerate(zip(breaks[:-1], breaks[1:])):
        if i == 1:
            y = np.array([y[0], depth * y[1]])
        if (
            stop - start > validation.SHORTEST_SEGMENT_DAYS
        ):  # LSODA stalls on subnormal spans
            sol = solve_ivp(
                rhs,
                (start, stop),
                y,
                method="LSODA",
                rtol=rtol,
                atol=atol,
                dense_output=True,
            )
            if (
                not sol.success
            ):  # pragma: no cover - LSODA does not fail on this smooth system
                raise RuntimeError(sol.message)
            solutions.append((start, stop, sol.sol))
            y = sol.y[:, -1]
    return solutions


def simulate_intervention(
    intervention_day: float | None,
    params: BetaCellParameters | None = None,
    depth: float = 0.0,
    horizon_days: float = TEN_YEARS_DAYS,
    step_days: float = 7.0,
) -> pd.DataFrame:
    """Beta-cell mass and attack over time for one intervention day (``None``: never treated).

    Returns one row per time point with columns ``day``, ``year``, ``beta_mass``, ``attack``,
    ``treated`` (the intervention has happened) and ``diagnosed`` (mass has been below the
    diagnosis threshold at some time so far). The intervention day and the horizon are
    always rows, whatever ``step_days``.
    """
    params = BetaCellParameters.resolve(params, "params")
    intervention_day, depth, horizon_days, step_days = _check_common(
        intervention_day, depth, horizon_days, step_days
    )
    grid = np.arange(0.0, horizon_days, step_days)
    grid = grid[~np.isclose(grid, horizon_days, rtol=1e-12, atol=0.0)]  # float steps
    grid = np.union1d(grid, [horizon_days])  # the last row is the horizon itself
    if intervention_day is not None and intervention_day < horizon_days:
        grid = np.union1d(grid, [intervention_day])
    values = np.full((2, grid.size), np.nan)  # every row is filled by one segment below
    for start, stop, dense in _segments(params, intervention_day, depth, horizon_days):
        # Points at a break belong to the later segment (after the depletion jump).
        mask = (grid >= start) & ((grid < stop) | (stop == horizon_days))
        values[:, mask] = dense(grid[mask])
    beta, attack = (
        values  # not clipped: the property tests check that the solution stays in [0, 1]
    )
    treated = (
        np.zeros(grid.size, dtype=bool)
        if intervention_day is None
        else grid >= intervention_day
    )
    diagnosed = np.minimum.accumulate(beta) < params.diagnosis_threshold_beta
    return pd.DataFrame(
        {
            "day": grid,
            "year": grid / DAYS_PER_YEAR,
            "beta_mass": beta,
            "attack": attack,
            "treated": treated,
            "diagnosed": diagnosed,
        }
    )


def diagnosis_day(
    intervention_day: float | None,
    params: BetaCellParameters | None = None,
    depth: float = 0.0,
    horizon_days: float = TEN_YEARS_DAYS,
    threshold_beta: float | None = None,
) -> float:
    """First day on which beta-cell mass falls below the threshold (NaN if not within the horizon).

    ``threshold_beta`` defaults to the diagnosis threshold of ``params`` (Klinke 2008, age 20).
    """
    params = BetaCellParameters.resolve(params, "params")
    intervention_day, depth, horizon_days, _ = _check_common(
        intervention_day, depth, horizon_days, 1.0
    )
    threshold = (
        params.diagnosis_threshold_beta
        if threshold_beta is None
        else validation.require_open_fraction("threshold_beta", threshold_beta)
    )
    for start, stop, dense in _segments(params, intervention_day, depth, horizon_days):
        grid = np.linspace(start, stop, max(int(np.ceil((stop - start) / 1.0)), 2) + 1)
        beta = dense(grid)[0]
        below = np.nonzero(beta < threshold)[0]
        if below.size:
            i = below[0]
            if i == 0:
                return float(start)
            lo, hi = grid[i - 1], grid[i]
            for _ in range(60):  # bisection on the dense solution
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if dense(mid)[0] >= threshold else (lo, mid)
            return float(hi)
    return float("nan")


def sweep_intervention_times(
    intervention_years,
    params: BetaCellParameters | None = None,
    depth: float = 0.0,
    horizon_years: float = 10.0,
) -> pd.DataFrame:
    """Outcome at the horizon for each intervention time (years after the attack begins).

    One row per intervention time with columns ``intervention_year``, ``beta_at_intervention``,
    ``beta_at_horizon``, ``regained`` (mass gained after the intervention), ``diagnosed``
    (mass below the diagnosis threshold at some time up to the horizon), ``diagnosis_year``
    (NaN if never) and ``below_classical_threshold`` (mass at the horizon below the
    classical 80%-loss threshold).
    """
    params = BetaCellParameters.resolve(params, "params")
    years = validation.require_increasing("intervention_years", intervention_years)
    if years[0] < 0:
        raise ValueError(f"intervention_years must be >= 0, got {years[0]!r}")
    horizon_days = (
        validation.require_positive("horizon_years", horizon_years) * DAYS_PER_YEAR
    )
    validation.require_points("horizon_years", horizon_days, 1.0)
    rows = []
    for year in years:
        day = year * DAYS_PER_YEAR
        run = simulate_intervention(
            day, params, depth=depth, horizon_days=horizon_days, step_days=30.0
        )
        at_i = run.loc[run["day"] == min(day, run["day"].iloc[-1]), "beta_mass"].iloc[0]
        final = run["beta_mass"].iloc[-1]
        t_dx = diagnosis_day(day, params, depth=depth, horizon_days=horizon_days)
        rows.append(
            {
                "intervention_year": year,
                "beta_at_intervention": at_i,
                "beta_at_horizon": final,
                "regained": final - at_i,
                "diagnosed": bool(np.isfinite(t_dx)),
                "diagnosis_year": t_dx / DAYS_PER_YEAR,
                "below_classical_threshold": bool(
                    final < params.classical_threshold_beta
                ),
            }
        )
    return pd.DataFrame(rows)


def attack_delay_days(depth: float, attack_growth_per_day: float) -> float:
    """Delay bought by cutting an exponentially growing attack to a fraction ``depth``.

    An attack growing as exp(g t) that is cut to f times its size needs ln(1/f)/g days to
    regain it: Δt = ln(1/f) / g_A. Exact while the attack is small (logistic ≈ exponential).
    """
    depth = validation.require_open_fraction("depth", depth)
    growth = validation.require_positive("attack_growth_per_day", attack_growth_per_day)
    return float(np.log(1.0 / depth) / growth)


def _attack_crossing_day(params, intervention_day, depth, level, horizon_days):
    for start, stop, dense in _segments(params, intervention_day, depth, horizon_days):
        grid = np.linspace(start, stop, int(stop - start) + 2)
        attack = dense(grid)[1]
        above = np.nonzero((attack >= level) & (grid > (intervention_day or 0.0)))[0]
        if above.size:
            i = above[0]
            lo, hi = grid[i - 1], grid[i]
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if dense(mid)[1] < level else (lo, mid)
            return float(hi)
    return float("nan")


def depletion_delay_table(
    depths,
    params: BetaCellParameters | None = None,
    intervention_year: float = 1.0,
    horizon_years: float = 30.0,
) -> pd.DataFrame:
    """Predicted (ln(1/f)/g_A) and simulated delays for partial depletion to each depth.

    Simulated delays compare a treated and an untreated run: ``attack_delay_years`` is the
    shift in the day the attack reaches twice its size at the intervention; ``diagnosis_delay_years``
    is the shift in the diagnosis day (NaN if either run is not diagnosed within the horizon).
    One row per depth with columns ``depth``, ``predicted_delay_years``, ``attack_delay_years``,
    ``diagnosis_delay_years``.
    """
    params = BetaCellParameters.resolve(params, "params")
    depths = [
        validation.require_open_fraction("depths", d)
        for d in validation.require_array("depths", depths).ravel()
    ]
    day = (
        validation.require_non_negative("intervention_year", intervention_year)
        * DAYS_PER_YEAR
    )
    horizon = (
        validation.require_positive("horizon_years", horizon_years) * DAYS_PER_YEAR
    )
    validation.require_points("horizon_years", horizon, 1.0)
    untreated_run = simulate_intervention(
        None, params, horizon_days=day + 1.0, step_days=1.0
    )
    level = 2.0 * float(untreated_run["attack"].iloc[-1])
    base_attack = _attack_crossing_day(params, None, 0.0, level, horizon)
    base_dx = diagnosis_day(None, params, horizon_days=horizon)
    rows = []
    for f in depths:
        treated_attack = _attack_crossing_day(params, day, f, level, horizon)
        treated_dx = diagnosis_day(day, params, depth=f, horizon_days=horizon)
        rows.append(
            {
                "depth": f,
                "predicted_delay_years": attack_delay_days(
                    f, params.attack_growth_per_day
                )
                / DAYS_PER_YEAR,
                "attack_delay_years": (treated_attack - base_attack) / DAYS_PER_YEAR,
                "diagnosis_delay_years": (treated_dx - base_dx) / DAYS_PER_YEAR,
            }
        )
    return pd.DataFrame(rows)


def c_peptide_change(months, params: CPeptideParameters | None = None) -> pd.DataFrame:
    """Mean change in stimulated C-peptide since diagnosis, piecewise linear (Greenbaum 2012).

    Slope s1 for months 0–12, then s2 for months 12–24 (TrialNet composite data); the fit is
    not extrapolated beyond 24 months. Returns one row per month with columns ``month`` and
    ``change_pmol_per_ml`` (negative: a fall).
    """
    params = CPeptideParameters.resolve(params, "params")
    months = validation.require_increasing("months", months)
    if months[0] < 0 or months[-1] > 24:
        raise ValueError(
            f"months must lie within 0..24 (the range of the data), got {months[0]!r}..{months[-1]!r}"
        )
    s1, s2 = (
        params.slope_year1_pmol_per_ml_per_month,
        params.slope_year2_pmol_per_ml_per_month,
    )
    change = (
        np.where(months <= 12, s1 * months, s1 * 12 + s2 * (months - 12)) + 0.0
    )  # no negative zero
    return pd.DataFrame({"month": months, "change_pmol_per_ml": change})


def c_peptide_band(months, params: CPeptideParameters | None = None) -> pd.DataFrame:
    """C-peptide change with both slopes at their steep or shallow 95% CI limits (Greenbaum 2012).

    A simple envelope, not a confidence band of the curve. Columns ``month``, ``change_pmol_per_ml``
    (mean slopes), ``steep_pmol_per_ml`` and ``shallow_pmol_per_ml``.
    """
    params = CPeptideParameters.resolve(params, "params")
    mean = c_peptide_change(months, params)
    steep = c_peptide_change(
        months,
        params.replace(
            slope_year1_pmol_per_ml_per_month=params.slope_year1_ci_steep_pmol_per_ml_per_month,
            slope_year2_pmol_per_ml_per_month=params.slope_year2_ci_steep_pmol_per_ml_per_month,
        ),
    )
    shallow = c_peptide_change(
        months,
        params.replace(
            slope_year1_pmol_per_ml_per_month=params.slope_year1_ci_shallow_pmol_per_ml_per_month,
            slope_year2_pmol_per_ml_per_month=params.slope_year2_ci_shallow_pmol_per_ml_per_month,
        ),
    )
    return mean.assign(
        steep_pmol_per_ml=steep["change_pmol_per_ml"],
        shallow_pmol_per_ml=shallow["change_pmol_per_ml"],
    )
