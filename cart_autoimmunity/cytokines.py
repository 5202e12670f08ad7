r"""Model M2: severe cytokine release syndrome (CRS) from the cytokine proxy of M1.

The proxy ``I`` of :mod:`cart_autoimmunity.kinetics` integrates the killing rate of
CD19+ cells. Its peak ``I_pk`` is mapped to the probability of grade ≥ 3 CRS by a
log-logistic curve

.. math:: P(\text{grade} \ge 3) = \frac{1}{1 + (I_{50} / I_{pk})^{s}}

with ``I_50`` and ``s`` labelled assumptions
(:class:`~cart_autoimmunity.parameters.kinetics.SevereCRSParameters`), calibrated so
that autoimmune runs stay below 5% (no grade ≥ 3 CRS in Müller et al. 2024) and the
high-burden leukaemia run sits near the 26% of adult B-ALL (Park et al. 2018). The curve
encodes the clinical pattern that burden, not dose, drives severe CRS (Awasthi et al.
2020); it is not a fitted dose-response model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from . import kinetics, validation
from .parameters.kinetics import KineticsParameters, SevereCRSParameters


def _crs(crs_params) -> SevereCRSParameters:
    return SevereCRSParameters.resolve(crs_params, "crs_params")


def severe_crs_probability(
    cytokine_peak, crs_params: SevereCRSParameters | None = None
):
    """P(grade ≥ 3 CRS) for a cytokine-proxy peak (scalar or array, ≥ 0); 0 at zero."""
    crs_params = _crs(crs_params)
    peak = validation.require_array("cytokine_peak", cytokine_peak, minimum=0.0)
    with np.errstate(divide="ignore"):
        log_odds = crs_params.steepness * (
            np.log(peak) - np.log(crs_params.half_probability_cytokine_peak)
        )
    probability = expit(log_odds)
    return float(probability) if probability.ndim == 0 else probability


def crs_vs_burden(
    tumour_cells=None,
    params: KineticsParameters | None = None,
    crs_params: SevereCRSParameters | None = None,
    *,
    days: float = 60.0,
    dose_cells: float | None = None,
) -> pd.DataFrame:
    """Sweep the target burden in one vectorised run; one row per burden.

    Columns: ``tumour_cells, car_t_peak_cells, car_t_peak_per_ul, cytokine_peak,
    severe_crs_probability``. Default burdens: 0 and 30 log-spaced values from 1e8 to
    3e12. Cancer memory formation is used throughout (it does not matter in the first
    weeks).
    """
    burdens = (
        np.concatenate([[0.0], np.logspace(8, np.log10(3e12), 30)])
        if tumour_cells is None
        else np.atleast_1d(
            validation.require_array("tumour_cells", tumour_cells, minimum=0.0)
        )
    )
    if burdens.size == 0 or not np.all(np.isfinite(burdens)) or np.any(burdens < 0):
        raise ValueError(
            f"tumour_cells must be a non-empty sequence of finite values >= 0, got "
            f"{tumour_cells!r}"
        )
    if dose_cells is not None:
        validation.require_non_negative("dose_cells", dose_cells)
    crs_params = _crs(crs_params)  # refused before the run, not after
    runs = kinetics.simulate_patients(
        "lymphoma",
        params,
        days=days,
        step_days=0.25,
        tumour_cells=burdens,
        dose_cells=dose_cells,
    )
    values = runs.readouts()
    return pd.DataFrame(
        {
            "tumour_cells": burdens,
            "car_t_peak_cells": values["car_t_peak_cells"].to_numpy(),
            "car_t_peak_per_ul": values["car_t_peak_per_ul"].to_numpy(),
            "cytokine_peak": values["cytokine_peak"].to_numpy(),
            "severe_crs_probability": severe_crs_probability(
                values["cytokine_peak"].to_numpy(), crs_params
            ),
        }
    )


def scenario_crs_table(
    params: KineticsParameters | None = None,
    crs_params: SevereCRSParameters | None = None,
    scenarios=("autoimmune", "lymphoma", "leukaemia"),
    burden_only: bool = False,
) -> pd.DataFrame:
    """One row per scenario: its cytokine-proxy peak and the severe-CRS probability.

    Columns: ``scenario, tumour_cells, cytokine_peak, cytokine_peak_day,
    severe_crs_probability``.
    """
    params = kinetics.check_params(params)
    rows = []
    for scenario in validation.require_names(
        "scenarios", scenarios, kinetics.SCENARIOS
    ):
        out = kinetics.readouts(
            kinetics.simulate(scenario, params, days=60.0, burden_only=burden_only),
            params,
        )
        rows.append(
            {
                "scenario": scenario,
                "tumour_cells": kinetics.initial_tumour_cells(params, scenario),
                "cytokine_peak": out["cytokine_peak"],
                "cytokine_peak_day": out["cytokine_peak_day"],
                "severe_crs_probability": severe_crs_probability(
                    out["cytokine_peak"], crs_params
                ),
            }
        )
    return pd.DataFrame(rows)
