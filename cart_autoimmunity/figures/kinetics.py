"""Figures of the kinetics model (:mod:`cart_autoimmunity.kinetics`, M1/M4).

Single runs over time (chapters 3, 4, 5), the memory sweep and its explorable grid (chapter 4,
:func:`kinetics.memory_burden_grid`), pre-existing against new B cells (chapter 6) and
rejection of donor cells (chapter 10, :func:`kinetics.rejection_runs` and
:func:`kinetics.rejection_sweep`). Each returns the matplotlib figure, or ``(fig, ax)``, or
an explorable figure (the chapter leaves it as the cell's only output). Scenario colours come from
:data:`cart_autoimmunity.figures.style.SCENARIO_COLOURS`; a label such as
``"autoimmune (burden only)"`` takes the colour of the word before the bracket, dashed.
Legends sit below the axes, outside them, so that they stay readable on a phone screen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .. import validation
from ._interactive import (
    ExplorableFigure,
    check_grid,
    connect,
    format_cells,
    format_number,
    format_percent,
    new_plot,
    readout_div,
    reference,
    require_row,
    rounded,
    select_controls,
    start_row,
    value_html,
)
from ._shared import (
    AUTOIMMUNE,
    REFERENCE,
    WIDTH_IN,
    figure_legend_below,
    finish_b_cell_axes,
    legend_below_axes,
    points_table,
    run_style,
)
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
                **run_style(label),
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
    figure_legend_below(fig, axes)
    return fig


def plot_car_t_runs(runs: dict, *, detection_limit_per_ul: float, days: float = 1000.0):
    """CAR T cells in blood for single labelled runs (``{label: simulate() table}``).

    A label such as ``"autoimmune (burden only)"`` takes the colour of the word before
    the bracket and is dashed. The dotted line is the detection limit.
    """
    validation.require_mapping("runs", runs, empty=True)
    if not runs:
        raise ValueError("runs must contain at least one labelled run")
    if len(runs) > 6:
        raise ValueError(f"at most 6 runs can be drawn, got {len(runs)}")
    detection_limit_per_ul = validation.require_positive(
        "detection_limit_per_ul", detection_limit_per_ul
    )
    days = validation.require_positive("days", days)
    floor = 1e-3
    fig, ax = new_figure(width_in=WIDTH_IN, height_in=4.4)
    for label, frame in runs.items():
        validation.require_columns(
            f"runs[{label!r}]", frame, ("time_days", "car_t_per_ul")
        )
        shown = frame[frame["time_days"] <= days]
        ax.plot(
            shown["time_days"],
            np.maximum(shown["car_t_per_ul"], floor),
            label=label,
            **run_style(label),
        )
    ax.axhline(
        detection_limit_per_ul,
        color=REFERENCE,
        linestyle=":",
        linewidth=1.5,
        label="detection limit (assumed)",
    )
    ax.set_yscale("log")
    ax.set_ylim(floor, 300)
    ax.set_xlim(0, days)
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel("CAR T cells in blood (cells/µL)")
    legend_below_axes(fig, ax)
    return fig, ax


def plot_memory_sweep(sweep: pd.DataFrame, *, reference_days: dict | None = None):
    """Last day CAR T are detectable against the autoimmune memory factor (log x-axis).

    ``sweep`` has columns ``autoimmune_memory_factor`` and ``last_day_above_lod``;
    ``reference_days`` maps a label to a day for horizontal guides (e.g. the lymphoma
    run).
    """
    validation.require_columns(
        "sweep", sweep, ("autoimmune_memory_factor", "last_day_above_lod")
    )
    if sweep.empty:
        raise ValueError("sweep must have at least one row")
    factors = sweep["autoimmune_memory_factor"].to_numpy(dtype=float)
    if np.any(factors <= 0) or np.any(factors > 1):
        raise ValueError("sweep: autoimmune_memory_factor values must be in (0, 1]")
    if reference_days is not None:
        validation.require_mapping("reference_days", reference_days, empty=True)
    reference_days = dict(reference_days or {})
    if len(reference_days) > 3:
        raise ValueError("at most 3 reference lines can be drawn")
    fig, ax = new_figure(width_in=WIDTH_IN, height_in=4.4)
    order = np.argsort(factors)
    last = sweep["last_day_above_lod"].to_numpy(dtype=float)[order]
    ax.plot(factors[order], last, "o-", color=AUTOIMMUNE, linewidth=2, label="model")
    guides = iter(
        (
            ("--", SCENARIO_COLOURS["lymphoma"]),
            (":", REFERENCE),
            ("-.", OKABE_ITO["black"]),
        )
    )
    for label, day in reference_days.items():
        style, colour = next(guides)
        ax.axhline(day, linestyle=style, color=colour, linewidth=1.5, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("Memory formation (fraction of the cancer rate)")
    ax.set_ylabel("Last day CAR T detectable")
    top = max([float(np.nanmax(last)), *reference_days.values()])
    ax.set_ylim(0, 1.15 * top)
    legend_below_axes(fig, ax, ncols=3)
    return fig, ax


def plot_b_cell_renewal(
    result: pd.DataFrame, points: pd.DataFrame, *, threshold: float, days: float = 365.0
):
    """Pre-existing versus newly made B cells (fraction of normal) after CD19 CAR T.

    ``result`` is a :func:`cart_autoimmunity.kinetics.simulate` table with the columns
    ``b_cells_old_fraction`` and ``b_cells_new_fraction`` added (divided by the normal
    B-cell number); ``points`` as in :func:`plot_b_cells_vs_data`.
    """
    validation.require_columns(
        "result", result, ("time_days", "b_cells_old_fraction", "b_cells_new_fraction")
    )
    points = points_table("points", points)
    threshold = validation.require_fraction("threshold", threshold)
    days = validation.require_positive("days", days)
    floor = 1e-6
    shown = result[result["time_days"] <= days]
    fig, ax = new_figure(width_in=WIDTH_IN, height_in=4.6)
    ax.plot(
        shown["time_days"],
        np.maximum(shown["b_cells_old_fraction"], floor),
        color=OKABE_ITO["vermillion"],
        linewidth=2,
        linestyle="--",
        label="pre-existing B cells",
    )
    ax.plot(
        shown["time_days"],
        np.maximum(shown["b_cells_new_fraction"], floor),
        color=QUANTITY_COLOURS["b_cells"],
        linewidth=2,
        label="newly made B cells",
    )
    finish_b_cell_axes(
        fig,
        ax,
        points,
        threshold=threshold,
        floor=floor,
        days=days,
        ylabel="B cells (fraction of normal)",
    )
    return fig, ax


# --------------------------------------------------------------------------------------------
# Chapter 10: off-the-shelf (donor) cells, rejected by the host
# --------------------------------------------------------------------------------------------
#: Line styles for increasing rejection hazards (the first, no rejection, is solid).
_DASHES = ("-", "--", "-.", ":", (0, (1, 1)), (0, (5, 1, 1, 1, 1, 1)))
DEPTH_LINE = 1e-3


def _rejection_style(index: int, value: float) -> dict:
    colour = (
        SCENARIO_COLOURS["autoimmune"] if value == 0 else SCENARIO_COLOURS["allogeneic"]
    )
    return {"color": colour, "linestyle": _DASHES[index % len(_DASHES)], "linewidth": 2}


def _rejection_label(value: float) -> str:
    return "own cells" if value == 0 else f"donor, {value:g}/day"


def plot_rejection_time_courses(runs: dict, *, detection_limit_per_ul: float):
    """CAR T cells in blood (left) and B cells as a fraction of normal (right) per ``r_max``.

    ``runs`` is :func:`cart_autoimmunity.kinetics.rejection_runs` output. Dotted guides: the
    CAR T detection limit (cells/µL) and one-thousandth of normal B cells.
    """
    validation.require_positive("detection_limit_per_ul", detection_limit_per_ul)
    validation.require_mapping("runs", runs, empty=True)
    if not runs:
        raise ValueError("runs must contain at least one rejection hazard")
    fig, (left, right) = new_figure(ncols=2, width_in=MAX_FIGURE_WIDTH_IN)
    for i, (value, frame) in enumerate(sorted(runs.items())):
        style = _rejection_style(i, value)
        left.plot(
            frame["time_days"],
            np.maximum(frame["car_t_per_ul"], 1e-3),
            label=_rejection_label(value),
            **style,
        )
        right.plot(
            frame["time_days"],
            np.maximum(frame["b_cells_fraction_of_normal"], 1e-10),
            **style,
        )
    left.axhline(
        detection_limit_per_ul,
        color=SCENARIO_COLOURS["reference"],
        linestyle=":",
        linewidth=1.5,
        label="detection limit",
    )
    right.axhline(
        DEPTH_LINE,
        color=SCENARIO_COLOURS["reference"],
        linestyle="-.",
        linewidth=1.5,
        label="B cells at 1/1000 of normal",  # in the legend: the curves cross it
    )
    right.axvline(
        14.0, color=SCENARIO_COLOURS["reference"], linestyle="--", linewidth=1
    )
    for ax, label, floor in (
        (left, "CAR T cells in blood (cells/µL)", 1e-3),
        (right, "B cells (fraction of normal)", 1e-10),
    ):
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor)
        ax.set_xlabel("Days after infusion")
        ax.set_ylabel(label)
    fig.legend(loc="outside lower center", ncols=3, fontsize=SMALL_FONT_PT)
    return fig


def plot_rejection_sweep(sweep: pd.DataFrame):
    """Persistence and B-cell return (left) against depth of depletion on day 14 (right), per ``r_max``."""
    needed = {
        "rejection_max_per_day",
        "last_day_above_lod",
        "b_return_day",
        "b_fraction_day_14",
    }
    if (
        not isinstance(sweep, pd.DataFrame)
        or not needed <= set(sweep.columns)
        or sweep.empty
    ):
        raise ValueError(
            f"sweep must be a non-empty table with columns {sorted(needed)}"
        )
    x = sweep["rejection_max_per_day"]
    fig, (left, right) = new_figure(ncols=2, width_in=MAX_FIGURE_WIDTH_IN)
    left.plot(
        x,
        sweep["last_day_above_lod"],
        "o-",
        color=SCENARIO_COLOURS["allogeneic"],
        linewidth=2,
        label="CAR T last detectable",
    )
    left.plot(
        x,
        sweep["b_return_day"],
        "s--",
        color=SCENARIO_COLOURS["autoimmune"],
        linewidth=2,
        label="B cells back (5%)",
    )
    left.set_ylim(bottom=0)
    left.set_xlabel("Host rejection hazard (per day)")
    left.set_ylabel("Day after infusion")
    right.plot(
        x,
        np.maximum(sweep["b_fraction_day_14"], 1e-12),
        "o-",
        color=SCENARIO_COLOURS["allogeneic"],
        linewidth=2,
        label="B cells on day 14",
    )
    right.axhline(
        DEPTH_LINE,
        color=SCENARIO_COLOURS["reference"],
        linestyle=":",
        linewidth=1.5,
        label="1/1000 of normal",
    )
    right.set_yscale("log")
    right.set_xlabel("Host rejection hazard (per day)")
    right.set_ylabel("B cells on day 14 (fraction of normal)")
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    return fig


# --------------------------------------------------------------------------------------------
# Chapter 4: memory formation and target burden against CAR T persistence
# --------------------------------------------------------------------------------------------
MEMORY_GRID_COLUMNS = (
    "autoimmune_memory_factor",
    "tumour_cells",
    "last_day_above_lod",
    "detectable_at_end",
    "b_return_day",
    "detection_limit_per_ul",
    "b_return_fraction",
)
MEMORY_COURSE_COLUMNS = (
    "autoimmune_memory_factor",
    "tumour_cells",
    "time_days",
    "car_t_per_ul",
    "b_cells_fraction_of_normal",
)


def memory_readout(row: Mapping, horizon_days: float) -> str:
    """The sentence under chapter 4's explorable figure for one grid row (HTML)."""
    require_row(row)
    validation.require_positive("horizon_days", horizon_days)
    factor, burden = row["autoimmune_memory_factor"], row["tumour_cells"]
    tumour = (
        "no tumour cells" if burden == 0 else f"{format_cells(burden)} tumour cells"
    )
    lead = (
        f"Model run with memory formation at {value_html(factor, f'{factor:g}')} × the cancer "
        f"rate and {tumour}: "
    )
    if row["detectable_at_end"]:
        car = (
            f"CAR T cells are still detectable on day "
            f"{value_html(row['last_day_above_lod'], format_number(horizon_days))}, the end of the run"
        )
    else:
        car = (
            f"CAR T cells are last detectable on day "
            f"{value_html(row['last_day_above_lod'], format_number(row['last_day_above_lod']))}"
        )
    threshold = format_percent(row["b_return_fraction"])
    if math.isfinite(row["b_return_day"]):
        back = (
            f"B cells are back at {threshold} of normal on day "
            f"{value_html(row['b_return_day'], format_number(row['b_return_day']))}."
        )
    else:
        back = f"B cells are not back at {threshold} of normal within the run."
    return f"<p>{lead}{car}; {back}</p>"


def memory_persistence(
    grid: pd.DataFrame, time_courses: pd.DataFrame, *, start: Mapping | None = None
) -> ExplorableFigure:
    """Chapter 4: CAR T cells and B cells of the run chosen by memory formation and target burden.

    ``grid`` and ``time_courses`` are the two tables of :func:`kinetics.memory_burden_grid`.
    ``start`` picks the first point shown (default: the ``is_default`` row).
    """
    from bokeh.models import ColumnDataSource, Range1d, Span

    name = "memory"
    validation.require_columns("grid", grid, MEMORY_GRID_COLUMNS)
    validation.require_columns("time_courses", time_courses, MEMORY_COURSE_COLUMNS)
    keys = ["autoimmune_memory_factor", "tumour_cells"]
    check_grid(grid, keys)
    grid = grid.reset_index(drop=True)
    row = start_row(grid, keys, start)
    courses = {k: g for k, g in time_courses.groupby(keys, sort=False)}
    missing = [
        k for k in grid[keys].itertuples(index=False, name=None) if k not in courses
    ]
    if missing:
        raise ValueError(f"time_courses lack the grid points {missing[:3]}")
    time = courses[tuple(grid.loc[0, keys])]["time_days"].to_numpy()
    if any(
        not np.array_equal(c["time_days"].to_numpy(), time) for c in courses.values()
    ):
        raise ValueError("every time course must share the same days")
    horizon = float(time[-1])
    car_floor, b_floor = 1e-3, 1e-4
    car = [
        rounded(courses[k]["car_t_per_ul"], car_floor)
        for k in grid[keys].itertuples(index=False, name=None)
    ]
    b_pct = [
        rounded(100 * courses[k]["b_cells_fraction_of_normal"], 100 * b_floor)
        for k in grid[keys].itertuples(index=False, name=None)
    ]
    lod = float(grid["detection_limit_per_ul"].iloc[0])
    threshold_pct = 100 * float(grid["b_return_fraction"].iloc[0])

    selects, level_names, level_data = select_controls(
        name,
        grid,
        [
            (
                "autoimmune_memory_factor",
                "Memory formation (× the cancer rate)",
                lambda v: f"{v:g}",
            ),
            ("tumour_cells", "Tumour cells (extra CD19 targets)", format_cells),
        ],
        row,
    )
    readouts = [memory_readout(r, horizon) for r in grid.to_dict("records")]
    return_days = [float(v) if math.isfinite(v) else None for v in grid["b_return_day"]]
    store = ColumnDataSource(
        {
            **level_data,
            "car": car,
            "b": b_pct,
            "readout": readouts,
            "last_day": grid["last_day_above_lod"].tolist(),
            "return_day": return_days,
        }
    )
    shown = ColumnDataSource({"t": time.tolist(), "car": car[row], "b": b_pct[row]})

    x_range = Range1d(0, horizon)
    car_top = 10 ** math.ceil(math.log10(max(max(c) for c in car)))
    car_plot = new_plot(
        "CAR T cells in blood (model)",
        "Days after infusion",
        "CAR T cells per µL",
        "Line chart of the chosen model run's CAR T cells in blood over time, on a "
        "log scale, with the detection limit as a dashed line.",
        y_log=True,
        x_range=x_range,
        y_range=Range1d(car_floor, car_top),
    )
    car_plot.line(
        "t", "car", source=shown, line_width=2.5, color=QUANTITY_COLOURS["car_t"]
    )
    reference(car_plot, lod, "detection limit (assumed)", 0.98 * horizon)
    last_span = Span(
        location=grid.loc[row, "last_day_above_lod"],
        dimension="height",
        line_dash="dotted",
        line_color=QUANTITY_COLOURS["car_t"],
    )
    car_plot.add_layout(last_span)
    b_plot = new_plot(
        "B cells (model)",
        "Days after infusion",
        "B cells, % of normal",
        "Line chart of the chosen model run's B cells as a percentage of normal over "
        "time, on a log scale, with the return threshold as a dashed line.",
        y_log=True,
        x_range=x_range,
        y_range=Range1d(100 * b_floor, 200),
    )
    b_plot.line(
        "t", "b", source=shown, line_width=2.5, color=QUANTITY_COLOURS["b_cells"]
    )
    reference(b_plot, threshold_pct, "return threshold", 0.98 * horizon)
    back_day = grid.loc[row, "b_return_day"]
    back_span = Span(
        location=float(back_day) if math.isfinite(back_day) else 0.0,
        dimension="height",
        line_dash="dotted",
        line_color=QUANTITY_COLOURS["b_cells"],
        visible=math.isfinite(back_day),
    )
    b_plot.add_layout(back_span)
    readout = readout_div(name, readouts[row])
    title = "Explore the model: memory formation, target burden and CAR T persistence"
    summary = (
        f"ExplorableFigure({title!r}: {len(grid)} model runs over "
        f"{grid['autoimmune_memory_factor'].nunique()} memory factors × "
        f"{grid['tumour_cells'].nunique()} tumour burdens, {horizon:g} days)"
    )
    return connect(
        name,
        title,
        [car_plot, b_plot],
        script="memory_persistence.js",
        args=dict(
            grid=store,
            shown=shown,
            selects=selects,
            levels=level_names,
            readout=readout,
            last_span=last_span,
            back_span=back_span,
        ),
        summary=summary,
    )
