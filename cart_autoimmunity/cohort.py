"""Virtual cohorts for model M1: parameter uncertainty as log-normal multipliers, one solve.

Each virtual patient gets multipliers ``exp(sd * z)``, ``z ~ N(0, 1)``, on the kill rate,
the post-lymphodepletion expansion, the effector and memory decay rates, memory formation,
the marrow maturation time, the dose and (cancer scenarios) the tumour burden. The spreads
are labelled assumptions (:class:`~cart_autoimmunity.parameters.kinetics.CohortParameters`).
All patients integrate together as one vectorised ``solve_ivp`` call.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import kinetics, validation
from .parameters.kinetics import CohortParameters, KineticsParameters

#: Which spread drives which rate of :func:`kinetics.scenario_rates`.
_SPREADS = {
    "kappa": "kill_rate_log_sd",
    "p_H": "homeostatic_expansion_log_sd",
    "d_E": "effector_death_log_sd",
    "mu": "memory_formation_log_sd",
    "d_M": "memory_death_log_sd",
    "tau_mat": "maturation_log_sd",
}

#: Time-course quantities summarised by :func:`simulate_cohort`.
QUANTITIES = ("car_t_per_ul", "b_cells_per_ul", "b_cells_fraction_of_normal", "cytokine_proxy")


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


def sample_cohort(n_patients: int = 1000, scenario: str = "autoimmune", params: KineticsParameters | None = None,
                  cohort_params: CohortParameters | None = None, seed: int = 2024) -> pd.DataFrame:
    """Per-patient multipliers and initial values; one row per patient.

    Columns: ``patient``, ``<rate>_multiplier`` for each rate in ``kappa, p_H, d_E, mu, d_M,
    tau_mat``, ``dose_cells`` and ``tumour_cells``.
    """
    n = validation.require_integer("n_patients", n_patients, minimum=1)
    scenario = validation.require_choice("scenario", scenario, kinetics.SCENARIOS)
    params = kinetics._check_params(params)
    spread = _cohort_params(cohort_params)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"patient": np.arange(n)})
    for rate, field in _SPREADS.items():
        frame[f"{rate}_multiplier"] = np.exp(getattr(spread, field) * rng.standard_normal(n))
    frame["dose_cells"] = params.dose_cells * np.exp(spread.dose_log_sd * rng.standard_normal(n))
    tumour = kinetics.initial_tumour_cells(params, scenario)
    frame["tumour_cells"] = tumour * np.exp(spread.tumour_log_sd * rng.standard_normal(n))
    return frame


def simulate_cohort(n_patients: int = 1000, scenario: str = "autoimmune", params: KineticsParameters | None = None,
                    cohort_params: CohortParameters | None = None, *, seed: int = 2024, days: float = 365.0,
                    step_days: float = 1.0, burden_only: bool = False,
                    quantiles=(0.05, 0.5, 0.95)) -> Cohort:
    """Sample and run a virtual cohort; return per-patient read-outs and time-course quantiles.

    The same ``seed`` gives the same cohort. Read-out columns are those of
    :func:`kinetics.readouts`; the time course covers :data:`QUANTITIES`.
    """
    params = kinetics._check_params(params)
    qs = np.asarray(quantiles, dtype=float)
    if qs.ndim != 1 or qs.size == 0 or np.any((qs < 0) | (qs > 1)):
        raise ValueError(f"quantiles must be fractions between 0 and 1, got {quantiles!r}")
    sample = sample_cohort(n_patients, scenario, params, cohort_params, seed)
    multipliers = {rate: sample[f"{rate}_multiplier"].to_numpy() for rate in _SPREADS}
    runs = kinetics.simulate_patients(scenario, params, days=days, step_days=step_days, burden_only=burden_only,
                                      tumour_cells=sample["tumour_cells"].to_numpy(),
                                      dose_cells=sample["dose_cells"].to_numpy(), multipliers=multipliers)
    patients = sample.merge(runs.readouts(), on="patient")
    series = {
        "car_t_per_ul": runs.car_t_cells() * params.cells_to_per_ul,
        "b_cells_per_ul": runs.b_cells_total() * params.cells_to_per_ul,
        "b_cells_fraction_of_normal": runs.b_cells_total() / params.normal_b_cells,
        "cytokine_proxy": runs.states["cytokine_proxy"],
    }
    parts = []
    for name, values in series.items():
        table = np.quantile(np.clip(values, 0.0, None), qs, axis=1)  # (n_quantiles, n_times)
        for q, row in zip(qs, table):
            parts.append(pd.DataFrame({"time_days": runs.time_days, "quantity": name, "quantile": q, "value": row}))
    return Cohort(scenario, patients, pd.concat(parts, ignore_index=True))
