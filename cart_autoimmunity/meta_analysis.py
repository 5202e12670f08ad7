"""Proportions across small single-arm cohorts: exact intervals and a random-effects pool.

Per cohort, a proportion p̂ = x/n (x patients with the event among n) gets its exact
(Clopper–Pearson) two-sided interval, the book's one
:func:`~cart_autoimmunity.evidence.summaries.exact_binomial_interval` (equal to statsmodels'
``proportion_confint(method="beta")``, a property test checks):

    low = B⁻¹(α/2; x, n − x + 1),   high = B⁻¹(1 − α/2; x + 1, n − x),

with B⁻¹ the beta quantile (low = 0 when x = 0, high = 1 when x = n). The interval is
conservative: it covers the true proportion at least 1 − α of the time.

Across cohorts, :func:`pool` combines logits with statsmodels' ``combine_effects``
(random effects, between-cohort variance τ² by the Paule–Mandel iteration, truncated at
zero). Each cohort contributes

    y = ln[(x + c)/(n − x + c)],   v = 1/(x + c) + 1/(n − x + c),

with the continuity correction c = :data:`CONTINUITY` added only to cohorts with zero
events or zero non-events (the logit of 0 or 1 is infinite); c = 0 elsewhere. The pooled
logit ȳ is turned back into a proportion with the logistic function.

What the pooled number means here: the cohorts are small, uncontrolled single-arm series
of mixed diseases, products and follow-up, selected by what was published. The pooled
proportion is a summary of what these reports show, not an estimate of the risk for any
one patient or product, and the random-effects interval is wide for good reason.

When no cohort had an event (or every patient of every cohort had it), a random-effects
pool would rest entirely on c: each corrected proportion is c/(n + 2c), so small cohorts
pull the "estimate" away from 0 (or 1), at times beyond the exact bound of the total count.
:func:`pool` then reports no random-effects estimate. It reports the total count X = Σx
of N = Σn patients, X/N, with the exact interval of X out of N (the formula above with
x = X, n = N). That treats the N patients as one sample: it assumes one rate shared by
the cohorts, which the data (no event anywhere) cannot contradict but cannot confirm.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from .evidence import summaries
from .validation import require_open_fraction

#: Added to events and non-events of a cohort with zero of either (the "0.5 rule").
CONTINUITY = 0.5
#: Two-sided error rate of every interval (95% intervals).
ALPHA = 0.05
#: How :func:`pool` summarised the cohorts (its ``method``).
RANDOM_EFFECTS = "random effects"
EXACT_TOTAL = "exact, all patients summed"
METHODS = (RANDOM_EFFECTS, EXACT_TOTAL)


def _counts(events, patients) -> tuple[np.ndarray, np.ndarray]:
    x = np.atleast_1d(np.asarray(events, dtype=float))
    n = np.atleast_1d(np.asarray(patients, dtype=float))
    if x.shape != n.shape or x.size == 0:
        raise ValueError("events and patients must be non-empty and of equal length")
    if not (np.all(np.isfinite(n)) and np.all(n >= 1) and np.all(n == np.round(n))):
        raise ValueError("patients must be whole counts of at least 1")
    if not (np.all(np.isfinite(x)) and np.all(x >= 0) and np.all(x == np.round(x))):
        raise ValueError("events must be whole, non-negative counts")
    if np.any(x > n):
        raise ValueError("events must not exceed patients")
    return x, n


def exact_intervals(events, patients, alpha: float = ALPHA) -> pd.DataFrame:
    """Each cohort's proportion x/n and its exact (Clopper–Pearson) interval.

    Columns ``events``, ``patients``, ``proportion``, ``low``, ``high`` (fractions 0..1).
    """
    require_open_fraction("alpha", alpha)
    x, n = _counts(events, patients)
    bounds = np.array(
        [
            summaries.exact_binomial_interval(int(k), int(m), 1.0 - alpha)
            for k, m in zip(x, n)
        ]
    )
    return pd.DataFrame(
        {
            "events": x.astype(int),
            "patients": n.astype(int),
            "proportion": x / n,
            "low": bounds[:, 0],
            "high": bounds[:, 1],
        }
    )


def corrected_logits(events, patients) -> pd.DataFrame:
    """Each cohort's logit ``y`` and variance ``v``, corrected where x = 0 or x = n.

    Columns ``proportion`` (the corrected proportion (x + c)/(n + 2c), equal to x/n where
    no correction applies), ``logit`` and ``variance``.
    """
    x, n = _counts(events, patients)
    c = np.where((x == 0) | (x == n), CONTINUITY, 0.0)
    hits, misses = x + c, n - x + c
    return pd.DataFrame(
        {
            "proportion": hits / (hits + misses),
            "logit": np.log(hits / misses),
            "variance": 1.0 / hits + 1.0 / misses,
        }
    )


def pool(events, patients, alpha: float = ALPHA) -> dict:
    """The cohorts' pooled proportion with its interval, or their total count where pooling fails.

    Returns ``method`` (:data:`RANDOM_EFFECTS` or :data:`EXACT_TOTAL`), ``proportion``,
    ``low``, ``high`` (fractions), ``tau2`` (between-cohort variance of the logits; NaN for
    :data:`EXACT_TOTAL`), ``cohorts``, ``events`` and ``patients`` (totals).

    * Some cohorts with events and some without (or with fewer than all patients): the
      random-effects pool of the logits. It lies within the range of the cohorts'
      *corrected* proportions (a weighted mean of their logits); with a corrected cohort it
      can fall just outside the range of the raw proportions x/n.
    * No event in any cohort, or every patient of every cohort with the event: no
      random-effects estimate (it would measure the continuity correction). Instead the
      total X/N with the exact interval of X out of N (see the module docstring).

    At least two cohorts are needed (``ValueError`` naming ``events`` otherwise).
    """
    from statsmodels.stats.meta_analysis import combine_effects  # loads on first use

    require_open_fraction("alpha", alpha)
    x, n = _counts(events, patients)
    if x.size < 2:
        raise ValueError("events: pooling needs at least two cohorts")
    totals = {"cohorts": int(x.size), "events": int(x.sum()), "patients": int(n.sum())}
    if np.all(x == 0) or np.all(x == n):
        total = exact_intervals([x.sum()], [n.sum()], alpha).iloc[0]
        return {
            "method": EXACT_TOTAL,
            "proportion": float(total["proportion"]),
            "low": float(total["low"]),
            "high": float(total["high"]),
            "tau2": float("nan"),
            **totals,
        }
    logits = corrected_logits(x, n)
    # Identical cohorts make statsmodels' I² diagnostic (unused here) divide by zero.
    with np.errstate(divide="ignore", invalid="ignore"):
        result = combine_effects(
            logits["logit"].to_numpy(),
            logits["variance"].to_numpy(),
            method_re="iterated",
            alpha=alpha,
        )
    random = result.summary_frame(alpha=alpha).loc["random effect"]
    return {
        "method": RANDOM_EFFECTS,
        "proportion": float(expit(random["eff"])),
        "low": float(expit(random["ci_low"])),
        "high": float(expit(random["ci_upp"])),
        "tau2": float(result.tau2),
        **totals,
    }


def forest_table(cohorts: pd.DataFrame, alpha: float = ALPHA) -> pd.DataFrame:
    """``cohorts`` (columns ``events`` and ``patients`` plus any labels, as from
    :func:`cart_autoimmunity.evidence.cohort_map.analysable`) with each cohort's exact
    interval added: ``proportion``, ``low``, ``high``.
    """
    missing = [c for c in ("events", "patients") if c not in cohorts]
    if missing:
        raise ValueError(f"cohorts lacks columns {missing}")
    intervals = exact_intervals(cohorts["events"], cohorts["patients"], alpha)
    labels = cohorts.drop(columns=["events", "patients"]).reset_index(drop=True)
    return pd.concat([labels, intervals], axis=1)


def logit_of(proportion: float) -> float:
    """ln[p/(1 − p)] for 0 < p < 1 (the scale on which cohorts are pooled)."""
    return float(logit(require_open_fraction("proportion", proportion)))
