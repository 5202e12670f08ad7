"""Figures of the cytokine-release (CRS) side effect: cited rates, and the model against burden.

:func:`plot_crs_vs_burden` draws :func:`cart_autoimmunity.cytokines.crs_vs_burden` and
:func:`cart_autoimmunity.cytokines.scenario_crs_table`.

:func:`plot_event_rates` draws cited CRS / neurotoxicity rates per cohort (the table
``evidence.crs_rates()``, the data the severe-CRS model of
:mod:`cart_autoimmunity.cytokines` is set against), coloured by setting, hollow for
``secondary`` rows, with the exact intervals of
:func:`cart_autoimmunity.evidence.summaries.with_binomial_intervals` where present. It returns
the figure (the chapter leaves it as the cell's only output).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from .. import validation
from ._shared import figure_legend_below
from .style import (
    MAX_FIGURE_WIDTH_IN,
    OKABE_ITO,
    QUANTITY_COLOURS,
    SCENARIO_COLOURS,
    SMALL_FONT_PT,
    new_figure,
)

#: Readable names for the rate quantities of ``evidence.crs_rates()``.
RATE_LABELS = {
    "crs_any_grade": "CRS, any grade",
    "crs_grade_3_plus": "CRS, grade ≥ 3",
    "crs_severe": "CRS, severe (MSKCC)",
    "neurotoxicity_any_grade": "ICANS, any grade",
    "neurotoxicity_grade_3_plus": "ICANS, grade ≥ 3",
}

_MARKERS = {
    "crs_any_grade": "o",
    "crs_grade_3_plus": "s",
    "crs_severe": "D",
    "neurotoxicity_any_grade": "^",
    "neurotoxicity_grade_3_plus": "v",
}


#: Characters per line of a cohort's name on the rate plot's axis.
COHORT_LABEL_CHARS = 24


def plot_event_rates(
    rates: pd.DataFrame,
    quantities=("crs_any_grade", "crs_grade_3_plus", "crs_severe"),
    *,
    with_intervals: bool = True,
):
    """Cited rates (in %) per cohort, one marker per quantity, coloured by ``setting``.

    ``rates`` is a slice of ``evidence.crs_rates()``. Filled markers are ``primary``
    rows, hollow markers ``secondary`` ones. With ``with_intervals``, the columns
    ``interval_low`` and ``interval_high`` (fractions; NaN where unknown) are drawn as
    error bars.
    """
    with_intervals = validation.require_bool("with_intervals", with_intervals)
    needed = ["quantity", "value", "cohort", "setting", "status"]
    validation.require_columns(
        "rates",
        rates,
        needed + (["interval_low", "interval_high"] if with_intervals else []),
    )
    quantities = validation.require_names("quantities", quantities, RATE_LABELS)
    shown = rates[rates["quantity"].isin(quantities)]
    if shown.empty:
        raise ValueError(f"no rows for quantities {quantities}")
    cohorts = list(dict.fromkeys(shown["cohort"]))
    # Long cohort names wrap, so that the figure keeps its width on a phone; each row has
    # room for the longest name's lines (two lines in 0.45 in).
    names = [
        textwrap.fill(c, COHORT_LABEL_CHARS, break_on_hyphens=False) for c in cohorts
    ]
    lines = max(2, *(name.count("\n") + 1 for name in names))
    fig, ax = new_figure(
        width_in=MAX_FIGURE_WIDTH_IN, height_in=0.225 * lines * len(cohorts) + 2.0
    )
    offsets = dict(
        zip(
            quantities,
            np.linspace(-0.2, 0.2, len(quantities)) if len(quantities) > 1 else [0.0],
            strict=True,
        )
    )
    for _, row in shown.iterrows():
        y = cohorts.index(row["cohort"]) + offsets[row["quantity"]]
        colour = SCENARIO_COLOURS.get(row["setting"], OKABE_ITO["black"])
        if with_intervals and np.isfinite(row["interval_low"]):
            ax.plot(
                [100 * row["interval_low"], 100 * row["interval_high"]],
                [y, y],
                color=colour,
                linewidth=1.5,
                alpha=0.8,
            )
        face = colour if row["status"] == "primary" else "white"
        ax.plot(
            100 * row["value"],
            y,
            _MARKERS[row["quantity"]],
            color=colour,
            markerfacecolor=face,
            markersize=8,
            markeredgewidth=1.6,
        )
    for q in quantities:  # legend: marker shape per quantity, in black
        ax.plot(
            [],
            [],
            _MARKERS[q],
            color=OKABE_ITO["black"],
            markerfacecolor=OKABE_ITO["black"],
            label=RATE_LABELS[q],
        )
    ax.plot(
        [],
        [],
        "o",
        color=OKABE_ITO["grey"],
        markerfacecolor="white",
        label="hollow: secondary source",
    )
    for setting in dict.fromkeys(shown["setting"]):  # legend: colour per setting
        ax.plot(
            [],
            [],
            "-",
            color=SCENARIO_COLOURS.get(setting, OKABE_ITO["black"]),
            linewidth=4,
            label=setting,
        )
    ax.set_yticks(range(len(cohorts)), names)
    ax.invert_yaxis()
    ax.set_xlim(-2, 100)
    ax.set_xlabel("Patients affected (%)")
    ax.grid(axis="y", visible=False)
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    return fig


def plot_crs_vs_burden(
    sweep: pd.DataFrame, scenario_points: pd.DataFrame | None = None
):
    """Severe-CRS probability against target burden (``cytokines.crs_vs_burden`` table).

    Zero burden is drawn at the left edge. ``scenario_points``
    (``cytokines.scenario_crs_table``) adds one coloured marker per scenario.
    """
    needed = {"tumour_cells", "severe_crs_probability"}
    validation.require_columns("sweep", sweep, ())
    if not needed <= set(sweep.columns):
        raise ValueError(f"sweep must have columns {sorted(needed)}")
    if scenario_points is not None:
        validation.require_columns(
            "scenario_points",
            scenario_points,
            ("scenario", "tumour_cells", "severe_crs_probability"),
        )
    fig, ax = new_figure()
    positive = sweep[sweep.tumour_cells > 0]
    edge = positive["tumour_cells"].min() / 3 if len(positive) else 1e8
    x = np.maximum(sweep["tumour_cells"], edge)
    ax.plot(
        x,
        100 * sweep["severe_crs_probability"],
        color=QUANTITY_COLOURS["cytokine"],
        linewidth=2,
        label="model",
    )
    if scenario_points is not None:
        for _, row in scenario_points.iterrows():
            ax.plot(
                max(row["tumour_cells"], edge),
                100 * row["severe_crs_probability"],
                "o",
                markersize=9,
                color=SCENARIO_COLOURS.get(row["scenario"], OKABE_ITO["black"]),
                label=row["scenario"],
            )
    ax.set_xscale("log")
    ax.set_xlabel("Malignant CD19+ cells at infusion (left edge: none)")
    ax.set_ylabel("Probability of grade ≥ 3 CRS (%)")
    ax.set_ylim(0, 100)
    figure_legend_below(fig, [ax], ncols=4)
    return fig
