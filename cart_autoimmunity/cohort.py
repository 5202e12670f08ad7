"""Virtual cohorts for model M1: parameter uncertainty as log-normal multipliers, one solve.

Each virtual patient gets multipliers ``exp(sd * z)``, ``z ~ N(0, 1)``, on the kill rate,
the post-lymphodepletion expansion, the effector and memory decay rates, memory formation,
the marrow maturation time, the dose and (cancer scenarios) the tumour burden
(:class:`~cart_autoimmunity.parameters.kinetics.CohortParameters`). All patients integrate
together as one vectorised call of the solver (:func:`cart_autoimmunity.kinetics.solve`).

Two spreads are calibrated: :func:`fit_spreads` chooses them so that the autoimmune
cohort's B-cell return matches Mackensen et al. 2022 (mean 110 ± 32 days, five
patients); the other spreads are labelled assumptions. ``CohortParameters.uncalibrated()``
keeps the earlier, assumed spreads as a sensitivity case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from . import evidence, kinetics, validation
from .parameters.kinetics import CohortParameters, KineticsParameters

#: Which spread drives which rate of :func:`kinetics.scenario_rates`.
_SPREADS = {
    "kappa": "kill_rate_log_sd",
    "p_H": "homeostatic_expansion_log_sd",
    "delta_E": "effector_death_log_sd",
    "mu": "memory_formation_log_sd",
    "delta_M": "memory_death_log_sd",
    "tau_mat": "maturation_log_sd",
}

#: Time-course quantities summarised by :func:`simulate_cohort`.
QUANTITIES = (
    "car_t_per_ul",
    "b_cells_per_ul",
    "b_cells_fraction_of_normal",
    "cytokine_proxy",
)


@dataclass
class Cohort:
    """``patients``: one row per patient (sampled multipliers and read-outs);
    ``time_course``: tidy quantiles with columns ``time_days, quantity, quantile, value``."""

    scenario: str
    patients: pd.DataFrame
    time_course: pd.DataFrame

    def readout_quantiles(self, quantiles=(0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Quantiles of every numeric read-out: one row per read-out, one column per quantile."""
        numeric = self.patients.drop(columns=["patient"]).select_dtypes("number")
        return numeric.quantile(list(quantiles)).T.rename_axis("readout")


def _cohort_params(cohort_params) -> CohortParameters:
    return CohortParameters.resolve(cohort_params, "cohort_params")


def sample_cohort(
    n_patients: int = 1000,
    scenario: str = "autoimmune",
    params: KineticsParameters | None = None,
    cohort_params: CohortParameters | None = None,
    seed: int = 2024,
) -> pd.DataFrame:
    """Per-patient multipliers and initial values; one row per patient.

    Columns: ``patient``, ``<rate>_multiplier`` for each rate in ``kappa, p_H, delta_E, mu, delta_M,
    tau_mat``, ``dose_cells`` and ``tumour_cells``.
    """
    n = validation.require_integer(
        "n_patients", n_patients, minimum=1, maximum=validation.MAX_REPLICATES
    )
    seed = validation.require_integer("seed", seed, minimum=0)
    scenario = validation.require_choice("scenario", scenario, kinetics.SCENARIOS)
    params = kinetics.check_params(params)
    spread = _cohort_params(cohort_params)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"patient": np.arange(n)})
    for rate, field in _SPREADS.items():
        frame[f"{rate}_multiplier"] = np.exp(
            getattr(spread, field) * rng.standard_normal(n)
        )
    frame["dose_cells"] = params.dose_cells * np.exp(
        spread.dose_log_sd * rng.standard_normal(n)
    )
    tumour = kinetics.initial_tumour_cells(params, scenario)
    frame["tumour_cells"] = tumour * np.exp(
        spread.tumour_log_sd * rng.standard_normal(n)
    )
    return frame


def _run(
    sample: pd.DataFrame,
    scenario: str,
    params: KineticsParameters,
    days: float,
    step_days: float,
    burden_only: bool = False,
) -> kinetics.PatientRuns:
    """Integrate the patients of a :func:`sample_cohort` table in one solve."""
    multipliers = {rate: sample[f"{rate}_multiplier"].to_numpy() for rate in _SPREADS}
    return kinetics.simulate_patients(
        scenario,
        params,
        days=days,
        step_days=step_days,
        burden_only=burden_only,
        tumour_cells=sample["tumour_cells"].to_numpy(),
        dose_cells=sample["dose_cells"].to_numpy(),
        multipliers=multipliers,
    )


def simulate_cohort(
    n_patients: int = 1000,
    scenario: str = "autoimmune",
    params: KineticsParameters | None = None,
    cohort_params: CohortParameters | None = None,
    *,
    seed: int = 2024,
    days: float = 365.0,
    step_days: float = 1.0,
    burden_only: bool = False,
    quantiles=(0.05, 0.5, 0.95),
) -> Cohort:
    """Sample and run a virtual cohort; return per-patient read-outs and time-course quantiles.

    The same ``seed`` gives the same cohort. Read-out columns are those of
    :func:`kinetics.readouts`; the time course covers :data:`QUANTITIES`.
    """
    params = kinetics.check_params(params)
    qs = validation.require_array("quantiles", quantiles)
    if qs.ndim != 1 or np.any((qs < 0) | (qs > 1)):
        raise ValueError(
            f"quantiles must be fractions between 0 and 1, got {quantiles!r}"
        )
    sample = sample_cohort(n_patients, scenario, params, cohort_params, seed)
    runs = _run(sample, scenario, params, days, step_days, burden_only)
    patients = sample.merge(runs.readouts(), on="patient")
    series = {
        "car_t_per_ul": runs.car_t_cells() * params.cells_to_per_ul,
        "b_cells_per_ul": runs.b_cells_total() * params.cells_to_per_ul,
        "b_cells_fraction_of_normal": runs.b_cells_total() / params.normal_b_cells,
        "cytokine_proxy": runs.states["cytokine_proxy"],
    }
    parts = []
    for name, values in series.items():
        table = np.quantile(
            np.clip(values, 0.0, None), qs, axis=1
        )  # (n_quantiles, n_times)
        for q, row in zip(qs, table):
            parts.append(
                pd.DataFrame(
                    {
                        "time_days": runs.time_days,
                        "quantity": name,
                        "quantile": q,
                        "value": row,
                    }
                )
            )
    return Cohort(scenario, patients, pd.concat(parts, ignore_index=True))


# --------------------------------------------------------------------------------------
# Calibration of the spreads to the published B-cell return (issue #14)
# --------------------------------------------------------------------------------------
#: Spreads chosen by :func:`fit_spreads`. They set most of the spread of the B-cell
#: return: each, set to zero, removes the tail of slow returners.
FITTED_SPREADS = ("homeostatic_expansion_log_sd", "effector_death_log_sd")

#: Width (log units) of the prior on each fitted spread: the earlier assumed value,
#: give or take a factor of three.
PRIOR_LOG_WIDTH = math.log(3.0)


def published_b_cell_return() -> tuple[float, float, int]:
    """Mean and SD (days) of the B-cell return and its number of patients (Mackensen 2022)."""
    erlangen = evidence.erlangen_trials()
    rows = erlangen[
        (erlangen["quantity"] == evidence.trials.B_RETURN)
        & (erlangen["cohort"] == evidence.trials.MACKENSEN_2022)
    ]
    if len(rows) != 1:
        raise ValueError(f"expected one Mackensen B-cell return row, found {len(rows)}")
    row = rows.iloc[0]
    return float(row["value"]), float(row["high"] - row["low"]) / 2.0, int(row["n"])


def b_return_moments(
    cohort_params: CohortParameters | None = None,
    params: KineticsParameters | None = None,
    *,
    n_patients: int = 300,
    seed: int = 2024,
    days: float = 600.0,
    step_days: float = 2.0,
) -> tuple[float, float]:
    """Mean and SD (``ddof=1``, days) of the B-cell return in an autoimmune cohort.

    Patients whose B cells have not returned by ``days`` count as returning at ``days``
    (censored at the horizon), so a tail of non-returners raises both numbers.
    """
    params = kinetics.check_params(params)
    sample = sample_cohort(n_patients, "autoimmune", params, cohort_params, seed)
    runs = _run(sample, "autoimmune", params, days, step_days)
    returns = runs.readouts()["b_return_day"].to_numpy()
    returns = np.where(np.isnan(returns), runs.time_days[-1], returns)
    sd = float(returns.std(ddof=1)) if returns.size > 1 else 0.0
    return float(returns.mean()), sd


@dataclass(frozen=True)
class SpreadFit:
    """Result of :func:`fit_spreads`: the calibrated spreads and how close they come."""

    cohort_params: CohortParameters
    fitted: dict
    mean_days: float
    sd_days: float
    target_mean_days: float
    target_sd_days: float
    n_reference: int
    cost: float
    evaluations: int
    success: bool
    message: str


def fit_spreads(
    target_mean_days: float | None = None,
    target_sd_days: float | None = None,
    n_reference: int | None = None,
    *,
    fitted=FITTED_SPREADS,
    start: CohortParameters | None = None,
    prior_log_width: float | None = PRIOR_LOG_WIDTH,
    params: KineticsParameters | None = None,
    n_patients: int = 300,
    seed: int = 2024,
    days: float = 600.0,
    step_days: float = 2.0,
) -> SpreadFit:
    """Choose spreads ``fitted`` so that the cohort's B-cell return matches a mean ± SD.

    **What is fitted:** the log-normal spreads named in ``fitted`` (default
    :data:`FITTED_SPREADS`); every other spread keeps its value in ``start`` (default
    ``CohortParameters.uncalibrated()``, the earlier assumed spreads).

    **To what:** the mean and SD of the B-cell return day reported for ``n_reference``
    patients; by default Mackensen 2022's 110 ± 32 days, five patients
    (:func:`published_b_cell_return`).

    **Objective:** a small maximum-a-posteriori fit, solved by
    :func:`scipy.optimize.least_squares` on the log-spreads. It minimises the sum of
    squares of

    * ``(m - target_mean) / (target_sd / sqrt(n))`` and
      ``(s - target_sd) / (target_sd / sqrt(2 (n - 1)))``: the cohort's mean ``m`` and
      SD ``s`` (:func:`b_return_moments`) against the published ones, each in units of
      its sampling error for ``n`` patients;
    * ``(ln spread - ln start value) / prior_log_width`` for each fitted spread: a weak
      log-normal prior centred on the starting value (``None`` drops it).

    The prior is needed because every spread widens the B-cell return far more than it
    moves the mean, so a mean and an SD pin down about one combination of spreads, not
    two. The cohort uses common random numbers (the same ``seed``, so the same
    standard-normal draws for every trial value), which keeps the objective a smooth
    function of the spreads. A cohort of ``n_patients`` on a ``step_days`` output grid
    up to ``days`` keeps one evaluation well under a second.
    """
    if target_mean_days is None or target_sd_days is None or n_reference is None:
        published = published_b_cell_return()
        target_mean_days = (
            published[0] if target_mean_days is None else target_mean_days
        )
        target_sd_days = published[1] if target_sd_days is None else target_sd_days
        n_reference = published[2] if n_reference is None else n_reference
    target_mean_days = validation.require_positive("target_mean_days", target_mean_days)
    target_sd_days = validation.require_positive("target_sd_days", target_sd_days)
    n_reference = validation.require_integer("n_reference", n_reference, minimum=2)
    if prior_log_width is not None:
        prior_log_width = validation.require_positive(
            "prior_log_width", prior_log_width
        )
    names = (
        (fitted,)
        if isinstance(fitted, str)
        else tuple(validation.require_names("fitted", fitted))
        if fitted
        else ()
    )
    spread_fields = set(_SPREADS.values()) | {"dose_log_sd"}
    if not names or len(set(names)) != len(names) or not set(names) <= spread_fields:
        raise ValueError(
            f"fitted must name distinct spreads out of {sorted(spread_fields)}, "
            f"got {fitted!r}"
        )
    start = (
        CohortParameters.uncalibrated()
        if start is None
        else CohortParameters.resolve(start, "start")
    )
    x0 = np.array([getattr(start, name) for name in names], dtype=float)
    if np.any(x0 <= 0):
        values = dict(zip(names, x0.tolist(), strict=True))
        raise ValueError(f"start values of fitted spreads must be > 0, got {values}")
    params = kinetics.check_params(params)
    validation.require_integer(
        "n_patients", n_patients, minimum=2, maximum=validation.MAX_REPLICATES
    )
    validation.require_integer("seed", seed, minimum=0)
    kinetics.time_grid(days, step_days)  # validates the horizon and the step

    target = np.array([target_mean_days, target_sd_days])
    scale = np.array(
        [
            target_sd_days / math.sqrt(n_reference),
            target_sd_days / math.sqrt(2 * (n_reference - 1)),
        ]
    )
    log_x0 = np.log(x0)
    evaluations = 0

    def spreads(log_x):
        return start.replace(
            **{name: float(v) for name, v in zip(names, np.exp(log_x), strict=True)}
        )

    def residuals(log_x):
        nonlocal evaluations
        evaluations += 1
        moments = b_return_moments(
            spreads(log_x),
            params,
            n_patients=n_patients,
            seed=seed,
            days=days,
            step_days=step_days,
        )
        data = (np.array(moments) - target) / scale
        if prior_log_width is None:
            return data
        return np.concatenate([data, (log_x - log_x0) / prior_log_width])

    solution = optimize.least_squares(
        residuals, log_x0, diff_step=0.02, xtol=1e-3, ftol=1e-4
    )
    best = spreads(solution.x)
    mean, sd = b_return_moments(
        best, params, n_patients=n_patients, seed=seed, days=days, step_days=step_days
    )
    return SpreadFit(
        cohort_params=best,
        fitted={name: getattr(best, name) for name in names},
        mean_days=mean,
        sd_days=sd,
        target_mean_days=float(target_mean_days),
        target_sd_days=float(target_sd_days),
        n_reference=n_reference,
        cost=float(solution.cost),
        evaluations=evaluations,
        success=bool(solution.success),
        message=str(solution.message),
    )
