"""Lifetime treatment burden of a CAR T candidate: lifelong suppression or a reset.

An illustration, not a clinical model. It describes the patients CAR T cells are tried
in: people with refractory, B-cell-driven autoimmune disease (such as severe lupus) who
need immunosuppressive drugs for as long as the disease lasts. It does not describe
everyone with an autoimmune disease: many common ones (thyroid disease, type 1 diabetes,
coeliac disease, pernicious anaemia) are managed with hormone replacement, insulin, diet
or vitamin B12, not with immunosuppression.

Lifelong immunosuppression is taken every day from diagnosis to the horizon age, so its
cumulative burden grows as ``t`` (years since diagnosis). A one-time therapy costs one
episode of ``e = car_t_episode_days / 365.25`` years; afterwards relapse arrives at a
constant hazard ``lam`` (per year) and, once it has, lifelong treatment resumes. The
expected cumulative years of treatment ``t`` years after the one-time therapy are then

    B(t) = min(t, e) + (t - (1 - exp(-lam * t)) / lam)    (B = min(t, e) when lam = 0)

the second term being the expected time spent after a relapse, integral of P(T < s) ds
with T ~ Exponential(lam). Sources and assumptions: :class:`BurdenParameters`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import validation
from .parameters.burden import BurdenParameters
from .units import DAYS_PER_YEAR
from .validation import require_increasing, require_non_negative, require_positive

STRATEGIES = ("lifelong immunosuppression", "one-time CAR T")


def expected_relapse_years(
    years_after: np.ndarray, relapse_rate_per_year: float
) -> np.ndarray:
    """Expected years lived after a relapse within ``years_after`` years (constant
    hazard).

    ``t - (1 - exp(-lam t)) / lam``; zero when ``lam = 0``; tends to ``lam t^2 / 2`` for
    small ``lam t``.
    """
    lam = require_non_negative("relapse_rate_per_year", relapse_rate_per_year)
    t = validation.require_array("years_after", years_after, minimum=0.0)
    x = lam * t
    # t * (1 - (1 - exp(-x)) / x), with its series x/2 - x^2/6 + x^3/24 where x is tiny
    small = x < 1e-4
    safe_x = np.where(small, 1.0, x)
    exact = t * (1.0 - (-np.expm1(-safe_x)) / safe_x)
    series = t * (x / 2 - x**2 / 6 + x**3 / 24)
    return np.where(small, series, exact)


def cumulative_treatment(
    params: BurdenParameters | None = None,
    start_age_years: float | None = None,
    ages_years=None,
) -> pd.DataFrame:
    """Expected cumulative years of treatment against age, for both strategies.

    Returns one row per age and strategy with columns ``age_years``, ``strategy``,
    ``relapse_rate_per_year`` and ``treatment_years``. Ages before ``start_age_years``
    (default: ``params.onset_age_years``) carry zero burden.
    """
    p = BurdenParameters.resolve(params, "params")
    start = require_positive(
        "start_age_years",
        p.onset_age_years if start_age_years is None else start_age_years,
    )
    if start >= p.horizon_age_years:
        raise ValueError(
            "start_age_years must be below "
            f"horizon_age_years={p.horizon_age_years}, got {start}"
        )
    ages = (
        np.linspace(start, p.horizon_age_years, 201)
        if ages_years is None
        else require_increasing("ages_years", ages_years)
    )
    if ages[0] < 0:
        raise ValueError(f"ages_years must be >= 0, got {ages[0]!r}")
    t = np.clip(ages - start, 0.0, None)
    episode = p.car_t_episode_days / DAYS_PER_YEAR
    lifelong = t
    one_time = np.minimum(t, episode) + expected_relapse_years(
        t, p.relapse_rate_per_year
    )
    frames = [
        pd.DataFrame(
            {
                "age_years": ages,
                "strategy": STRATEGIES[0],
                "relapse_rate_per_year": 0.0,
                "treatment_years": lifelong,
            }
        ),
        pd.DataFrame(
            {
                "age_years": ages,
                "strategy": STRATEGIES[1],
                "relapse_rate_per_year": p.relapse_rate_per_year,
                "treatment_years": one_time,
            }
        ),
    ]
    return pd.concat(frames, ignore_index=True)


def lifetime_treatment_years(
    params: BurdenParameters | None = None, start_ages_years=None
) -> pd.DataFrame:
    """Total expected years of treatment up to the horizon, per start age and strategy.

    One row per start age and strategy, columns ``start_age_years``, ``strategy``,
    ``treatment_years`` and ``years_to_horizon``. The one-time strategy is reported with
    the
    assumed relapse rate and, as ``"one-time CAR T, no relapse"``, without it.
    """
    p = BurdenParameters.resolve(params, "params")
    starts = (
        [p.onset_age_years, p.sle_treatment_age_years]
        if start_ages_years is None
        else validation.require_array(
            "start_ages_years", start_ages_years, minimum=0.0
        ).ravel()
    )
    rows = []
    for start in starts:
        for label, rate in (
            ("one-time CAR T", p.relapse_rate_per_year),
            ("one-time CAR T, no relapse", 0.0),
        ):
            df = cumulative_treatment(
                p.replace(relapse_rate_per_year=rate),
                start,
                [start, p.horizon_age_years],
            )
            final = df.groupby("strategy")["treatment_years"].last()
            if label == "one-time CAR T":
                rows.append(
                    {
                        "start_age_years": start,
                        "strategy": STRATEGIES[0],
                        "treatment_years": final[STRATEGIES[0]],
                    }
                )
            rows.append(
                {
                    "start_age_years": start,
                    "strategy": label,
                    "treatment_years": final[STRATEGIES[1]],
                }
            )
    out = pd.DataFrame(rows)
    out["years_to_horizon"] = p.horizon_age_years - out["start_age_years"]
    return out
