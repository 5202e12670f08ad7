"""Figures for the kinetics chapters: cells over time, cohort bands, CRS against burden.

Every helper returns the matplotlib figure (the chapter leaves it as the cell's only
output). Scenario colours come from
:data:`cart_autoimmunity.figures.style.SCENARIO_COLOURS`; a label such as
``"autoimmune (burden only)"`` takes the colour of the word before the bracket, dashed.
Legends sit below the axes, outside them, so that they stay readable on a phone screen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import validation
from .style import (
    MAX_FIGURE_WIDTH_IN,
    OKABE_ITO,
    QUANTITY_COLOURS,
    SCENARIO_COLOURS,
    SMALL_FONT_PT,
    new_figure,
)

#: Axis labels (with units) for the plotted columns.
LABELS = {
    "car_t_per_ul": "CAR T cells in blood (cells/µL)",
    "b_cells_per_ul": "B cells in blood (cells/µL)",
    "b_cells_fraction_of_normal": "B cells (fraction of normal)",
    "cytokine_proxy": "Cytokine proxy (10⁹ killed cells/day)",
    "car_t_cells": "CAR T cells in the body (cells)",
    "b_cells_total": "B cells in the body (cells)",
    "in_vivo_car_cells": "CAR+ T cells from LNP doses (cells)",
}

#: Lower display limit on log axes, per column (values below are drawn at the limit).
FLOORS = {
    "car_t_per_ul": 1e-3,
    "b_cells_per_ul": 1e-2,
    "b_cells_fraction_of_normal": 1e-5,
    "cytokine_proxy": 1e-2,
    "car_t_cells": 1e5,
    "b_cells_total": 1e6,
    "in_vivo_car_cells": 1e5,
}


def _style(label: str) -> dict:
    base = label.split(" (")[0].strip()
    colour = SCENARIO_COLOURS.get(base, OKABE_ITO["black"])
    return {"color": colour, "linestyle": "--" if "(" in label else "-", "linewidth": 2}


def _check_quantity(quantity: str) -> str:
    return validation.require_choice("quantity", quantity, LABELS)


def _legend_below(fig, axes, ncols: int = 2) -> None:
    """One legend for the whole figure, below the axes; each label once, in drawing
    order."""
    handles = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    if handles:
        fig.legend(
            handles.values(),
            handles.keys(),
            loc="outside lower center",
            ncols=min(ncols, len(handles)),
            fontsize=SMALL_FONT_PT,
        )


def plot_time_courses(
    results: dict,
    quantities=("car_t_per_ul", "b_cells_per_ul"),
    *,
    days: float | None = None,
    reference_lines: dict | None = None,
):
    """One line per labelled run (``{label: simulate() table}``), one log-scale panel
    per quantity.

    ``reference_lines`` maps a quantity to ``(value, text)`` for a dotted horizontal
    guide (e.g. the detection limit or the B-cell return threshold).
    """
    validation.require_mapping("results", results, empty=True)
    if not results:
        raise ValueError("results must contain at least one labelled run")
    quantities = validation.require_names("quantities", quantities, LABELS)
    if days is not None:
        validation.require_positive("days", days)
    if reference_lines is not None:
        validation.require_mapping("reference_lines", reference_lines, empty=True)
    if not 1 <= len(quantities) <= 2:
        raise ValueError("quantities: plot at most two side by side")
    fig, axes = new_figure(
        ncols=len(quantities),
        width_in=6.4 if len(quantities) == 1 else MAX_FIGURE_WIDTH_IN,
    )
    axes = np.atleast_1d(axes)
    for ax, quantity in zip(axes, quantities, strict=True):
        floor = FLOORS[quantity]
        for label, frame in results.items():
            shown = frame if days is None else frame[frame.time_days <= days]
            ax.plot(
                shown["time_days"],
                np.maximum(shown[quantity], floor),
                label=label,
                **_style(label),
            )
        if reference_lines and quantity in reference_lines:
            value, text = reference_lines[quantity]
            ax.axhline(
                value,
                color=SCENARIO_COLOURS["reference"],
                linestyle=":",
                linewidth=1.5,
                label=text,
            )
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor)
        ax.set_xlabel("Days after infusion")
        ax.set_ylabel(LABELS[quantity])
    _legend_below(fig, axes)
    return fig


def plot_cohort_bands(
    time_courses: dict,
    quantity: str = "b_cells_per_ul",
    *,
    low: float = 0.05,
    high: float = 0.95,
    data_points: pd.DataFrame | None = None,
):
    """Median line and ``low``–``high`` band per scenario (``{scenario:
    Cohort.time_course}``).

    ``data_points`` (optional) has columns ``time_days, value, label`` and is drawn in
    black.
    """
    quantity = _check_quantity(quantity)
    validation.require_mapping("time_courses", time_courses, empty=True)
    if not time_courses:
        raise ValueError("time_courses must contain at least one cohort")
    low = validation.require_fraction("low", low)
    high = validation.require_fraction("high", high)
    if data_points is not None:
        validation.require_columns(
            "data_points", data_points, ("time_days", "value", "label")
        )
    fig, ax = new_figure()
    floor = FLOORS[quantity]
    for label, table in time_courses.items():
        validation.require_columns(
            f"time_courses[{label!r}]",
            table,
            ("time_days", "quantity", "quantile", "value"),
        )
        part = table[table.quantity == quantity].pivot_table(
            index="time_days", columns="quantile", values="value"
        )
        for name, q in (("low", low), ("median", 0.5), ("high", high)):
            if not np.isclose(part.columns, q).any():
                raise ValueError(
                    f"{name} quantile {q} is not in the cohort time course"
                )

        def col(q, part=part):
            return part.loc[:, np.isclose(part.columns, q)].iloc[:, 0]

        style = _style(label)
        ax.fill_between(
            part.index,
            np.maximum(col(low), floor),
            np.maximum(col(high), floor),
            color=style["color"],
            alpha=0.25,
            linewidth=0,
        )
        ax.plot(
            part.index,
            np.maximum(col(0.5), floor),
            label=f"{label}, median and {low:.0%}–{high:.0%}",
            **style,
        )
    if data_points is not None:
        ax.errorbar(
            data_points["time_days"],
            data_points["value"],
            fmt="o",
            color=SCENARIO_COLOURS["data"],
            xerr=data_points.get("time_sd"),
            label=str(data_points["label"].iloc[0]),
        )
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel(LABELS[quantity])
    _legend_below(fig, [ax])
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
    _legend_below(fig, [ax], ncols=4)
    return fig


def plot_in_vivo(results: dict, *, b_threshold: float = 0.01):
    """B cells (fraction of normal) and the CAR+ pool for several dosing schedules.

    ``results`` maps a schedule label to a ``simulate_in_vivo`` table. Left panel: B
    cells on a log scale with the depletion threshold; right panel: the CAR+ pool V.
    """
    validation.require_mapping("results", results, empty=True)
    if not results:
        raise ValueError("results must contain at least one schedule")
    b_threshold = validation.require_open_fraction("b_threshold", b_threshold)
    palette = [
        OKABE_ITO[k]
        for k in ("reddish_purple", "blue", "orange", "bluish_green", "vermillion")
    ]
    fig, (left, right) = new_figure(ncols=2, width_in=MAX_FIGURE_WIDTH_IN)
    for (label, frame), colour in zip(results.items(), palette, strict=False):
        left.plot(
            frame["time_days"],
            np.maximum(
                frame["b_cells_fraction_of_normal"],
                FLOORS["b_cells_fraction_of_normal"],
            ),
            color=colour,
            linewidth=2,
            label=label,
        )
        right.plot(
            frame["time_days"],
            np.maximum(frame["in_vivo_car_cells"], FLOORS["in_vivo_car_cells"]),
            color=colour,
            linewidth=2,
            label=label,
        )
    left.axhline(
        b_threshold,
        color=SCENARIO_COLOURS["reference"],
        linestyle=":",
        linewidth=1.5,
        label=f"{b_threshold:.0%} of normal",
    )
    for ax, quantity in (
        (left, "b_cells_fraction_of_normal"),
        (right, "in_vivo_car_cells"),
    ):
        ax.set_yscale("log")
        ax.set_ylim(bottom=FLOORS[quantity])
        ax.set_xlabel("Days after first dose")
        ax.set_ylabel(LABELS[quantity])
    _legend_below(fig, [left])
    return fig
