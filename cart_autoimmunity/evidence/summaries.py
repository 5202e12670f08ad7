"""Summaries of cited counts: exact confidence intervals for proportions."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import betaincinv

from .. import validation


def exact_binomial_interval(events, n, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper–Pearson (exact) two-sided interval for a proportion of ``events`` out of ``n``.

    Uses the beta-distribution form: lower = Beta(α/2; k, n − k + 1), upper =
    Beta(1 − α/2; k + 1, n − k), with 0 and 1 at the edges. For k = 0 the upper bound is
    1 − (α/2)^(1/n). Beta(q; a, b), the q-quantile of a beta distribution, is the inverse
    regularised incomplete beta function ``scipy.special.betaincinv(a, b, q)`` (what
    ``scipy.stats.beta.ppf`` computes, without importing ``scipy.stats``).
    """
    validation.require_integer("n", n)
    validation.require_integer("events", events)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 0 <= events <= n:
        raise ValueError(f"events must be between 0 and n={n}, got {events}")
    validation.require_fraction("confidence", confidence)
    if confidence in (0.0, 1.0):
        raise ValueError(
            f"confidence must be strictly between 0 and 1, got {confidence}"
        )
    alpha = 1.0 - confidence
    low = 0.0 if events == 0 else float(betaincinv(events, n - events + 1, alpha / 2))
    high = (
        1.0 if events == n else float(betaincinv(events + 1, n - events, 1 - alpha / 2))
    )
    return low, high


def with_binomial_intervals(
    rates: pd.DataFrame, confidence: float = 0.95
) -> pd.DataFrame:
    """``rates`` with ``interval_low`` and ``interval_high``: the exact interval of each count.

    The count is ``round(value * n)`` out of ``n``; rows without ``n`` get NaN.
    """
    validation.require_columns("rates", rates, ())
    if not {"value", "n"} <= set(rates.columns):
        raise ValueError("rates must have columns 'value' and 'n'")
    bounds = [
        exact_binomial_interval(int(round(value * n)), int(n), confidence)
        if np.isfinite(n)
        else (np.nan, np.nan)
        for value, n in zip(rates["value"], rates["n"])
    ]
    low, high = zip(*bounds) if bounds else ((), ())
    return rates.assign(interval_low=list(low), interval_high=list(high))
