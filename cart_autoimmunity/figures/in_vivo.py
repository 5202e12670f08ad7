"""Figures of the in vivo (LNP) model, :mod:`cart_autoimmunity.in_vivo` (chapter 10).

They draw the tables of :func:`cart_autoimmunity.in_vivo.simulate_in_vivo`,
:func:`cart_autoimmunity.in_vivo.dose_count_sweep` and
:func:`cart_autoimmunity.in_vivo.dose_schedule_grid` (the explorable figure), and the cytokine
proxy of one LNP dose against own and donor cells. The plot helpers return the matplotlib
figure; the chapter leaves it as the cell's only output. Colours: autologous =
``SCENARIO_COLOURS["autoimmune"]``, donor cells = ``"allogeneic"``, LNP doses = ``"in_vivo"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import numerics, validation
from ._interactive import (
    ExplorableFigure,
    check_grid,
    connect,
    format_number,
    format_percent,
    legend_below,
    linear_step,
    new_plot,
    readout_div,
    reference,
    require_row,
    rounded,
    select_controls,
    start_row,
    value_html,
)
from ._shared import figure_legend_below
from .kinetics import FLOORS, LABELS
from .style import (
    MAX_FIGURE_WIDTH_IN,
    OKABE_ITO,
    QUANTITY_COLOURS,
    SCENARIO_COLOURS,
    SMALL_FONT_PT,
    new_figure,
)

#: Legend text for the cytokine comparison.
_THERAPY_LABELS = {
    "autoimmune": "own cells, after lymphodepletion",
    "allogeneic": "donor cells, rejected",
    "in_vivo": "one LNP dose, no lymphodepletion",
}


def plot_dose_count_sweep(sweep: pd.DataFrame):
    """Days with B cells below 1% of normal against the number of LNP doses (bars)."""
    needed = {"doses", "days_b_below_1pct"}
    if (
        not isinstance(sweep, pd.DataFrame)
        or not needed <= set(sweep.columns)
        or sweep.empty
    ):
        raise ValueError(
            f"sweep must be a non-empty table with columns {sorted(needed)}"
        )
    fig, ax = new_figure()
    ax.bar(
        sweep["doses"],
        sweep["days_b_below_1pct"],
        color=SCENARIO_COLOURS["in_vivo"],
        width=0.6,
        label="model (assumed inputs)",
    )
    ax.axhline(
        14.0,
        color=SCENARIO_COLOURS["reference"],
        linestyle=":",
        linewidth=1.5,
        label="two weeks",
    )
    ax.set_xticks(sweep["doses"])
    ax.set_xlabel("Number of weekly LNP doses")
    ax.set_ylabel("Days with B cells below 1% of normal")
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    return fig


def plot_cytokine_comparison(results: dict, *, days: float = 30.0):
    """The cytokine proxy over the first ``days`` for each therapy (log scale).

    ``results`` maps ``"autoimmune"``, ``"allogeneic"`` or ``"in_vivo"`` to a run table with
    ``time_days`` and ``cytokine_proxy``; each keeps its book-wide colour.
    """
    validation.require_mapping("results", results, empty=True)
    if not results:
        raise ValueError("results must contain at least one run")
    validation.require_positive("days", days)
    fig, ax = new_figure()
    for key, frame in results.items():
        key = validation.require_choice("therapy", key, _THERAPY_LABELS)
        shown = frame[frame["time_days"] <= days]
        ax.plot(
            shown["time_days"],
            np.maximum(shown["cytokine_proxy"], 1e-2),
            color=SCENARIO_COLOURS[key],
            linewidth=2,
            linestyle="--" if key == "in_vivo" else "-",
            label=_THERAPY_LABELS[key],
        )
    ax.set_yscale("log")
    ax.set_ylim(bottom=1e-2)
    ax.set_xlabel("Days after infusion or dose")
    ax.set_ylabel("Cytokine proxy (10⁹ killed cells/day)")
    fig.legend(loc="outside lower center", ncols=1, fontsize=SMALL_FONT_PT)
    return fig


# --------------------------------------------------------------------------------------------
# Chapter 10: in vivo dose count and interval against depletion and severe-CRS risk
# --------------------------------------------------------------------------------------------
SCHEDULE_GRID_COLUMNS = (
    "doses",
    "interval_days",
    "last_dose_day",
    "days_b_below_1pct",
    "b_return_day",
    "cytokine_peak",
    "severe_crs_probability",
    "b_depleted_fraction",
    "b_return_fraction",
)
SCHEDULE_COURSE_COLUMNS = (
    "doses",
    "interval_days",
    "time_days",
    "b_cells_fraction_of_normal",
    "cytokine_proxy",
)


def schedule_readout(row: Mapping) -> str:
    """The sentence under chapter 10's explorable figure for one grid row (HTML)."""
    require_row(row)
    n, interval = int(row["doses"]), row["interval_days"]
    if n == 1:
        schedule = "Model run with one dose"
    else:
        schedule = (
            f"Model run with {n} doses {value_html(interval, format_number(interval))} days "
            f"apart (the last on day {format_number(row['last_dose_day'])})"
        )
    depleted = format_percent(row["b_depleted_fraction"])
    below = (
        f"B cells are below {depleted} of normal for "
        f"{value_html(row['days_b_below_1pct'], format_number(row['days_b_below_1pct']))} days in all"
    )
    threshold = format_percent(row["b_return_fraction"])
    if math.isfinite(row["b_return_day"]):
        back = (
            f"and back at {threshold} of normal on day "
            f"{value_html(row['b_return_day'], format_number(row['b_return_day']))}"
        )
    else:
        back = f"and not back at {threshold} of normal by the end of the run"
    risk = (
        f"The cytokine proxy peaks at {value_html(row['cytokine_peak'], format_number(row['cytokine_peak']))}, "
        f"a severe-CRS risk of "
        f"{value_html(row['severe_crs_probability'], format_percent(row['severe_crs_probability']))} "
        "(a model prediction)."
    )
    return f"<p>{schedule}: {below}, {back}. {risk}</p>"


def in_vivo_schedules(
    grid: pd.DataFrame, time_courses: pd.DataFrame, *, start: Mapping | None = None
) -> ExplorableFigure:
    """Chapter 10: B cells and cytokine proxy of the in vivo schedule chosen by dose count and interval.

    ``grid`` and ``time_courses`` are the two tables of :func:`in_vivo.dose_schedule_grid`.
    ``start`` picks the first point shown (default: the first row).
    """
    from bokeh.models import ColumnDataSource, Range1d

    name = "schedule"
    validation.require_columns("grid", grid, SCHEDULE_GRID_COLUMNS)
    validation.require_columns("time_courses", time_courses, SCHEDULE_COURSE_COLUMNS)
    keys = ["doses", "interval_days"]
    check_grid(grid, keys)
    grid = grid.reset_index(drop=True)
    row = start_row(grid, keys, start)
    courses = {k: g for k, g in time_courses.groupby(keys, sort=False)}
    points = list(grid[keys].itertuples(index=False, name=None))
    missing = [k for k in points if k not in courses]
    if missing:
        raise ValueError(f"time_courses lack the grid points {missing[:3]}")
    b_floor = 1e-4
    times = [  # the solver's output days: exact, not noisy
        [numerics.round_significant(t) for t in courses[k]["time_days"]] for k in points
    ]
    b_pct = [
        rounded(100 * courses[k]["b_cells_fraction_of_normal"], 100 * b_floor)
        for k in points
    ]
    step = linear_step(courses[k]["cytokine_proxy"].to_numpy() for k in points)
    cytokine = [rounded(courses[k]["cytokine_proxy"], step=step) for k in points]
    dose_days = [
        [float(r["interval_days"]) * j for j in range(int(r["doses"]))]
        for r in grid.to_dict("records")
    ]

    selects, level_names, level_data = select_controls(
        name,
        grid,
        [
            ("doses", "Number of in vivo doses", lambda v: f"{v:.0f}"),
            ("interval_days", "Days between doses", lambda v: f"{v:g}"),
        ],
        row,
    )
    readouts = [schedule_readout(r) for r in grid.to_dict("records")]
    store = ColumnDataSource(
        {
            **level_data,
            "t": times,
            "b": b_pct,
            "cytokine": cytokine,
            "dose_days": dose_days,
            "readout": readouts,
        }
    )
    shown = ColumnDataSource(
        {"t": times[row], "b": b_pct[row], "cytokine": cytokine[row]}
    )
    doses_shown = ColumnDataSource(
        {"day": dose_days[row], "y": [150.0] * len(dose_days[row])}
    )

    horizon = max(t[-1] for t in times)
    x_range = Range1d(0, horizon)
    b_plot = new_plot(
        "B cells (model)",
        "Days after the first dose",
        "B cells, % of normal",
        "Line chart of the chosen schedule's B cells as a percentage of normal over time, "
        "on a log scale, with triangles at the dose days and the depletion threshold as "
        "a dashed line.",
        y_log=True,
        x_range=x_range,
        y_range=Range1d(100 * b_floor, 300),
    )
    b_plot.line(
        "t", "b", source=shown, line_width=2.5, color=QUANTITY_COLOURS["b_cells"]
    )
    marks = b_plot.scatter(
        "day",
        "y",
        source=doses_shown,
        marker="inverted_triangle",
        size=9,
        color=OKABE_ITO["reddish_purple"],
    )
    legend_below(b_plot, "dose days", marks)
    reference(
        b_plot,
        100 * float(grid["b_depleted_fraction"].iloc[0]),
        "depletion threshold",
        0.98 * horizon,
    )
    top = max(max(c) for c in cytokine)
    c_plot = new_plot(
        "Cytokine proxy (model)",
        "Days after the first dose",
        "Cytokine proxy",
        "Line chart of the chosen schedule's cytokine proxy over time.",
        y_log=False,
        x_range=x_range,
        y_range=Range1d(0, 1.1 * top),
        height=180,
    )
    c_plot.line(
        "t",
        "cytokine",
        source=shown,
        line_width=2.5,
        color=QUANTITY_COLOURS["cytokine"],
    )
    readout = readout_div(name, readouts[row])
    title = "Explore the model: in vivo dose count and interval"
    summary = (
        f"ExplorableFigure({title!r}: {len(grid)} model runs over "
        f"{grid['doses'].nunique()} dose counts × {grid['interval_days'].nunique()} intervals)"
    )
    return connect(
        name,
        title,
        [b_plot, c_plot],
        script="in_vivo_schedules.js",
        args=dict(
            grid=store,
            shown=shown,
            doses_shown=doses_shown,
            selects=selects,
            levels=level_names,
            readout=readout,
        ),
        summary=summary,
    )


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
    figure_legend_below(fig, [left])
    return fig
