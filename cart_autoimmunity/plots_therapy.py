"""Figures for the therapy chapters: the collect-engineer-infuse timeline and side-effect rates.

* :func:`process_timeline` turns the cited vein-to-vein medians and manufacturing failure
  rates of :func:`cart_autoimmunity.evidence.manufacturing` into one row per product and step;
  :func:`plot_process_timeline` draws it.
* :func:`exact_binomial_interval` is the Clopper–Pearson interval for ``events`` out of ``n``
  (used for error bars); :func:`plot_event_rates` draws cited CRS / neurotoxicity rates per
  cohort, coloured by setting, hollow for ``secondary`` rows.

Every plotting helper returns the figure (the chapter leaves it as the cell's only output).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from . import validation
from .style import OKABE_ITO, SCENARIO_COLOURS, new_figure

#: Products with both a vein-to-vein median and a manufacturing failure row in the evidence.
PRODUCTS = ("axi-cel", "liso-cel", "tisa-cel")

#: Colours of the steps of the autologous process.
STEP_COLOURS = {
    "collect T cells": OKABE_ITO["sky_blue"],
    "engineer and expand": OKABE_ITO["orange"],
    "lymphodepletion": OKABE_ITO["reddish_purple"],
    "infuse": OKABE_ITO["vermillion"],
}

#: Readable names for the rate quantities of ``evidence.crs_rates()``.
RATE_LABELS = {
    "crs_any_grade": "CRS, any grade",
    "crs_grade_3_plus": "CRS, grade ≥ 3",
    "crs_severe": "CRS, severe (MSKCC scale)",
    "neurotoxicity_any_grade": "Neurotoxicity, any grade",
    "neurotoxicity_grade_3_plus": "Neurotoxicity, grade ≥ 3",
}

_MARKERS = {"crs_any_grade": "o", "crs_grade_3_plus": "s", "crs_severe": "D",
            "neurotoxicity_any_grade": "^", "neurotoxicity_grade_3_plus": "v"}


def process_timeline(manufacturing: pd.DataFrame, *, lymphodepletion_days: float = 5.0,
                     products=PRODUCTS) -> pd.DataFrame:
    """One row per product and step of autologous CAR T therapy, in days from T-cell collection.

    Collection is day 0; the product is infused at the cited median vein-to-vein time.
    Failure rates are taken from the row in the same ``setting`` as the vein-to-vein median
    (lymphoma for these products). Lymphodepletion is drawn over the last ``lymphodepletion_days`` before infusion (a
    schematic choice, not a cited number); the engineering step fills the time before it.
    Columns: ``product, step, start_day, end_day, vein_to_vein_days, manufacturing_failure,
    failure_events, failure_n`` (the last three repeat per product).
    """
    needed = {"quantity", "cohort", "value", "n"}
    if not needed <= set(manufacturing.columns):
        raise ValueError(f"manufacturing must have columns {sorted(needed)}")
    validation.require_positive("lymphodepletion_days", lymphodepletion_days)
    if len(products) == 0:
        raise ValueError("products must name at least one product")
    rows = []
    for product in products:
        v2v = _one(manufacturing, "vein_to_vein_median", product)
        fail = _one(manufacturing, "manufacturing_failure", product, setting=v2v.get("setting"))
        days = float(v2v["value"])
        if lymphodepletion_days >= days:
            raise ValueError(f"lymphodepletion_days must be shorter than the vein-to-vein time of {product} ({days} days), got {lymphodepletion_days}")
        steps = (("collect T cells", 0.0, 1.0), ("engineer and expand", 1.0, days - lymphodepletion_days),
                 ("lymphodepletion", days - lymphodepletion_days, days), ("infuse", days, days + 1.0))
        for step, start, end in steps:
            rows.append({"product": product, "step": step, "start_day": start, "end_day": end,
                         "vein_to_vein_days": days, "manufacturing_failure": float(fail["value"]),
                         "failure_events": round(float(fail["value"]) * float(fail["n"])), "failure_n": int(fail["n"])})
    return pd.DataFrame(rows)


def _one(table: pd.DataFrame, quantity: str, product: str, setting=None) -> pd.Series:
    """The single row for ``product`` (cohort name starts with it), in ``setting`` if given."""
    hits = table[(table["quantity"] == quantity) & table["cohort"].str.startswith(product)]
    if setting is not None and "setting" in hits.columns:
        hits = hits[hits["setting"] == setting]
    if len(hits) != 1:
        raise ValueError(f"expected one {quantity!r} row for product {product!r}, found {len(hits)}")
    return hits.iloc[0]


def plot_process_timeline(timeline: pd.DataFrame):
    """Horizontal bars, one row per product: collect, engineer, lymphodeplete, infuse.

    The manufacturing failure rate of each product is written at the end of its row.
    """
    needed = {"product", "step", "start_day", "end_day", "manufacturing_failure", "failure_events", "failure_n"}
    if timeline.empty or not needed <= set(timeline.columns):
        raise ValueError(f"timeline must be a non-empty table with columns {sorted(needed)}")
    products = list(dict.fromkeys(timeline["product"]))
    fig, ax = new_figure(height_in=3.2)
    labelled = set()
    for y, product in enumerate(products):
        part = timeline[timeline["product"] == product]
        for _, row in part.iterrows():
            colour = STEP_COLOURS.get(row["step"], OKABE_ITO["grey"])
            label = row["step"] if row["step"] not in labelled else None
            labelled.add(row["step"])
            ax.barh(y, row["end_day"] - row["start_day"], left=row["start_day"], height=0.5, color=colour,
                    edgecolor="white", label=label)
        first = part.iloc[0]
        ax.text(part["end_day"].max() + 1.0, y,
                f"{first['manufacturing_failure']:.1%} failed ({first['failure_events']}/{first['failure_n']})",
                va="center", fontsize=9)
    ax.set_yticks(range(len(products)), products)
    ax.invert_yaxis()
    ax.set_xlim(0, timeline["end_day"].max() * 1.45)
    ax.set_xlabel("Days after T-cell collection")
    fig.legend(loc="outside lower center", ncols=4, fontsize=8.5)
    ax.grid(axis="y", visible=False)
    return fig


def exact_binomial_interval(events, n, confidence: float = 0.95) -> tuple[float, float]:
    """Clopper–Pearson (exact) two-sided interval for a proportion of ``events`` out of ``n``.

    Uses the beta-distribution form: lower = Beta(α/2; k, n − k + 1), upper =
    Beta(1 − α/2; k + 1, n − k), with 0 and 1 at the edges. For k = 0 the upper bound is
    1 − (α/2)^(1/n).
    """
    validation.require_integer("n", n)
    validation.require_integer("events", events)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 0 <= events <= n:
        raise ValueError(f"events must be between 0 and n={n}, got {events}")
    validation.require_fraction("confidence", confidence)
    if confidence in (0.0, 1.0):
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    alpha = 1.0 - confidence
    low = 0.0 if events == 0 else float(stats.beta.ppf(alpha / 2, events, n - events + 1))
    high = 1.0 if events == n else float(stats.beta.ppf(1 - alpha / 2, events + 1, n - events))
    return low, high


def plot_event_rates(rates: pd.DataFrame, quantities=("crs_any_grade", "crs_grade_3_plus", "crs_severe"), *,
                     with_intervals: bool = True):
    """Cited rates (in %) per cohort, one marker per quantity, coloured by ``setting``.

    ``rates`` is a slice of ``evidence.crs_rates()``. Filled markers are ``primary`` rows,
    hollow markers ``secondary`` ones. Where ``n`` is known, ``with_intervals`` adds the exact
    95% interval of the count ``round(value * n)``.
    """
    needed = {"quantity", "value", "cohort", "setting", "n", "status"}
    if not needed <= set(rates.columns):
        raise ValueError(f"rates must have columns {sorted(needed)}")
    quantities = [validation.require_choice("quantity", q, RATE_LABELS) for q in quantities]
    shown = rates[rates["quantity"].isin(quantities)]
    if shown.empty:
        raise ValueError(f"no rows for quantities {quantities}")
    cohorts = list(dict.fromkeys(shown["cohort"]))
    fig, ax = new_figure(width_in=7.2, height_in=0.45 * len(cohorts) + 2.0)
    offsets = dict(zip(quantities, np.linspace(-0.2, 0.2, len(quantities)) if len(quantities) > 1 else [0.0]))
    for _, row in shown.iterrows():
        y = cohorts.index(row["cohort"]) + offsets[row["quantity"]]
        colour = SCENARIO_COLOURS.get(row["setting"], OKABE_ITO["black"])
        if with_intervals and np.isfinite(row["n"]):
            n = int(row["n"])
            low, high = exact_binomial_interval(int(round(row["value"] * n)), n)
            ax.plot([100 * low, 100 * high], [y, y], color=colour, linewidth=1.5, alpha=0.8)
        face = colour if row["status"] == "primary" else "white"
        ax.plot(100 * row["value"], y, _MARKERS[row["quantity"]], color=colour, markerfacecolor=face, markersize=8,
                markeredgewidth=1.6)
    for q in quantities:  # legend: marker shape per quantity, in black
        ax.plot([], [], _MARKERS[q], color=OKABE_ITO["black"], markerfacecolor=OKABE_ITO["black"], label=RATE_LABELS[q])
    ax.plot([], [], "o", color=OKABE_ITO["grey"], markerfacecolor="white", label="hollow: secondary source")
    for setting in dict.fromkeys(shown["setting"]):  # legend: colour per setting
        ax.plot([], [], "-", color=SCENARIO_COLOURS.get(setting, OKABE_ITO["black"]), linewidth=4, label=setting)
    ax.set_yticks(range(len(cohorts)), cohorts)
    ax.invert_yaxis()
    ax.set_xlim(-2, 100)
    ax.set_xlabel("Patients affected (%)")
    ax.grid(axis="y", visible=False)
    fig.legend(loc="outside lower center", ncols=3, fontsize=8.5)
    return fig
