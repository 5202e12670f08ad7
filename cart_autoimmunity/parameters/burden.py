"""Parameters of the lifetime treatment-burden illustration (chapter 1).

The illustration describes a CAR T candidate: a person with refractory, B-cell-driven
autoimmune disease on long-term immunosuppression, not everyone with an autoimmune
disease.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import evidence
from ._fields import Parameters, param


@dataclass(frozen=True)
class BurdenParameters(Parameters):
    """Ages, horizon and the one-time-therapy episode used to count treatment years."""

    onset_age_years: float = param(
        evidence.lookup("prevalence", "mean_age_at_diagnosis"),
        unit="years",
        description=(
            "Later start age for comparison: mean age at diagnosis across 19 "
            "autoimmune diseases, most of them not treated with immunosuppression"
        ),
        source="conrad2023; mean age at diagnosis across 19 autoimmune diseases (UK)",
        check="positive",
    )
    sle_treatment_age_years: float = param(
        evidence.lookup("erlangen_trials", "median_age"),
        unit="years",
        description="Age of a young adult with refractory lupus at CAR T treatment",
        source="mackensen2022; median age of the five Erlangen SLE patients",
        check="positive",
    )
    horizon_age_years: float = param(
        80.0,
        unit="years",
        description="Age at which the lifetime count stops",
        assumption=(
            "illustrative end of follow-up, close to UK life expectancy; "
            "not taken from a cited source"
        ),
        check="positive",
    )
    car_t_episode_days: float = param(
        evidence.lookup(
            "erlangen_trials",
            evidence.trials.B_RETURN,
            evidence.trials.MACKENSEN_2022,
        ),
        unit="days",
        description=(
            "Length of the one-time CAR T treatment episode, "
            "counted as the B-cell-free window"
        ),
        source="mackensen2022; mean time to B-cell reappearance (110 +/- 32 days)",
        check="positive",
    )
    relapse_rate_per_year: float = param(
        0.05,
        unit="1/year",
        description=(
            "Constant yearly risk of relapse after one-time therapy, "
            "after which lifelong immunosuppression resumes"
        ),
        assumption=(
            "illustrative only; no long-term relapse rate after CD19 CAR T in "
            "autoimmune disease has been published, so the chapter also shows a rate "
            "of 0"
        ),
        check="non_negative",
    )
