"""Figures of the virtual cohort (:mod:`cart_autoimmunity.cohort`) against the Erlangen data.

Chapter 4 draws the cohort's band of B cells and CAR T cells with the published return and
persistence days, and the trial's own summary (the numbers the cohort is calibrated to).
Every helper validates its input tables, draws with the book palette (:mod:`.style`) and
returns ``(fig, ax)`` or ``(fig, axes)``. Published numbers are always drawn in the
``data`` colour (black) with their error bars, so a reader can tell data from model at a
glance. Legends sit below the axes, outside them, with short entries, so that they stay
readable when the figure is shrunk to a phone screen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import validation
from ..evidence.trials import B_RETURN, reader_name
from ._shared import (
    AUTOIMMUNE,
    DATA,
    REFERENCE,
    WIDTH_IN,
    figure_legend_below,
    finish_b_cell_axes,
    legend_below_axes,
    points_table,
    run_style,
)
from .kinetics import FLOORS, LABELS
from .style import OKABE_ITO, SCENARIO_COLOURS, new_figure

#: Columns of a cohort time course (:class:`cart_autoimmunity.cohort.Cohort`).
TIME_COURSE_COLUMNS = ("time_days", "quantity", "quantile", "value")


def _draw_cohort_band(ax, band, days, floor, *, band_label, median_label) -> None:
    """The autoimmune cohort's band and median up to ``days``, kept above ``floor`` (log axes)."""
    band = band[band.index <= days]
    ax.fill_between(
        band.index,
        np.maximum(band["low"], floor),
        np.maximum(band["high"], floor),
        color=AUTOIMMUNE,
        alpha=0.25,
        linewidth=0,
        label=band_label,
    )
    ax.plot(
        band.index,
        np.maximum(band["median"], floor),
        color=AUTOIMMUNE,
        linewidth=2,
        label=median_label,
    )


def _band(table: pd.DataFrame, quantity: str, low: float, high: float) -> pd.DataFrame:
    part = table[table["quantity"] == quantity].pivot_table(
        index="time_days", columns="quantile", values="value"
    )
    if part.empty:
        raise ValueError(f"time_course has no rows for quantity {quantity!r}")
    low = validation.require_fraction("low", low)
    high = validation.require_fraction("high", high)
    out = {}
    for name, q in (("low", low), ("median", 0.5), ("high", high)):
        match = np.isclose(part.columns.to_numpy(dtype=float), q)
        if not match.any():
            raise ValueError(f"{name} quantile {q} is not in the cohort time course")
        out[name] = part.loc[:, match].iloc[:, 0]
    return pd.DataFrame(out)


def plot_trial_summary(erlangen: pd.DataFrame):
    """Two panels from :func:`cart_autoimmunity.evidence.erlangen_trials`.

    Top: SLEDAI-2K median before and three months after CD19 CAR T (Mackensen 2022),
    with the range drawn only where the table holds its end points. Bottom: days until B
    cells returned, mean ± SD, in both Erlangen reports (hollow marker = secondary
    source).
    """
    validation.require_columns(
        "erlangen", erlangen, ("quantity", "value", "low", "high", "source", "status")
    )
    rows = erlangen.drop_duplicates("quantity").set_index("quantity")
    needed = ["sledai2k_baseline_median", "sledai2k_3_months_median"]
    missing = [q for q in needed if q not in rows.index]
    if missing:
        raise ValueError(f"erlangen is missing quantities {missing}")
    days = erlangen[erlangen["quantity"] == B_RETURN]
    if len(days) != 2:
        raise ValueError(
            f"erlangen needs {B_RETURN!r} rows for both cohorts, found {len(days)}"
        )
    fig, (top, bottom) = new_figure(nrows=2, width_in=WIDTH_IN, height_in=5.6)
    sledai = rows.loc[needed]
    x = np.arange(2)
    top.bar(x, sledai["value"], color=[OKABE_ITO["grey"], AUTOIMMUNE], width=0.6)
    ranged = sledai.dropna(subset=["low", "high"])
    if not ranged.empty:
        at = x[[q in ranged.index for q in sledai.index]]
        err = np.vstack(
            [ranged["value"] - ranged["low"], ranged["high"] - ranged["value"]]
        )
        top.errorbar(at, ranged["value"], yerr=err, fmt="none", color=DATA, capsize=6)
    top.set_xticks(x, ["before CAR T", "3 months after"])
    top.set_ylabel("SLEDAI-2K (median)")
    top.set_ylim(0, 20)
    top.set_title("Lupus activity, first 5 patients", loc="left")
    y = np.arange(2)[::-1]
    for yi, (_, row) in zip(y, days.iterrows(), strict=True):
        primary = row["status"] == "primary"
        bar = [[row["value"] - row["low"]], [row["high"] - row["value"]]]
        bottom.errorbar(
            row["value"],
            yi,
            xerr=bar,
            fmt="o",
            color=DATA,
            markerfacecolor=DATA if primary else "white",
            markersize=8,
            capsize=5,
            linewidth=1.5,
        )
    bottom.set_yticks(y, [reader_name(s) for s in days["source"]])
    bottom.set_xlabel("Days until B cells return (mean ± SD)")
    bottom.set_xlim(0, 200)
    bottom.set_ylim(-0.6, 1.6)
    bottom.set_title("B-cell aplasia", loc="left")
    return fig, (top, bottom)


def plot_b_cells_vs_data(
    time_course: pd.DataFrame,
    points: pd.DataFrame,
    *,
    threshold: float,
    days: float = 365.0,
    low: float = 0.05,
    high: float = 0.95,
):
    """Cohort median and ``low``–``high`` band of B cells with published return days.

    ``time_course`` is a cohort ``time_course``; ``points`` has the columns of
    :data:`POINT_COLUMNS` and is drawn at the model's return ``threshold`` (the papers
    give the day B cells reappeared, not their level).
    """
    validation.require_columns("time_course", time_course, TIME_COURSE_COLUMNS)
    points = points_table("points", points)
    threshold = validation.require_fraction("threshold", threshold)
    days = validation.require_positive("days", days)
    floor = 1e-4
    fig, ax = new_figure(width_in=WIDTH_IN, height_in=4.6)
    _draw_cohort_band(
        ax,
        _band(time_course, "b_cells_fraction_of_normal", low, high),
        days,
        floor,
        band_label=f"model, {low:.0%}–{high:.0%} of patients",
        median_label="model, median",
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


def plot_persistence_vs_data(
    time_course: pd.DataFrame,
    cancer_runs: dict,
    persistence: pd.DataFrame,
    *,
    detection_limit_per_ul: float,
    days: float = 1000.0,
    low: float = 0.05,
    high: float = 0.95,
):
    """CAR T in blood: autoimmune cohort band, cancer runs, longest published detection.

    ``time_course``: autoimmune cohort time course; ``cancer_runs``: ``{scenario:
    simulate() table}``; ``persistence``: rows with ``label``, ``time_days`` and
    ``lower_bound`` (True means a detection time beyond the axis, such as "more than ten
    years": it gets a legend entry with an arrow instead of a point).
    """
    validation.require_columns("time_course", time_course, TIME_COURSE_COLUMNS)
    validation.require_columns(
        "persistence", persistence, ("label", "time_days", "lower_bound")
    )
    detection_limit_per_ul = validation.require_positive(
        "detection_limit_per_ul", detection_limit_per_ul
    )
    days = validation.require_positive("days", days)
    validation.require_mapping("cancer_runs", cancer_runs, empty=True)
    if not cancer_runs:
        raise ValueError("cancer_runs must contain at least one scenario")
    for scenario, frame in cancer_runs.items():
        validation.require_choice("scenario", scenario, SCENARIO_COLOURS)
        validation.require_columns(
            f"cancer_runs[{scenario!r}]", frame, ("time_days", "car_t_per_ul")
        )
    floor = 1e-3
    fig, ax = new_figure(width_in=WIDTH_IN, height_in=4.8)
    _draw_cohort_band(
        ax,
        _band(time_course, "car_t_per_ul", low, high),
        days,
        floor,
        band_label=f"autoimmune, {low:.0%}–{high:.0%}",
        median_label="autoimmune, median",
    )
    for scenario, frame in cancer_runs.items():
        shown = frame[frame["time_days"] <= days]
        ax.plot(
            shown["time_days"],
            np.maximum(shown["car_t_per_ul"], floor),
            color=SCENARIO_COLOURS[scenario],
            linewidth=2,
            label=f"{scenario} run",
        )
    ax.axhline(
        detection_limit_per_ul,
        color=REFERENCE,
        linestyle=":",
        linewidth=1.5,
        label="detection limit (assumed)",
    )
    markers = iter(("v", "^", "D", "s", "P"))
    for _, row in persistence.iterrows():
        if bool(row["lower_bound"]) or row["time_days"] > days:
            ax.plot(
                [],
                [],
                linestyle="none",
                marker=r"$\rightarrow$",
                markersize=12,
                color=DATA,
                label=f"{row['label']} (off the axis)",
            )
            continue
        ax.plot(
            row["time_days"],
            detection_limit_per_ul,
            linestyle="none",
            marker=next(markers),
            color=DATA,
            markersize=8,
            label=row["label"],
        )
    ax.set_yscale("log")
    ax.set_ylim(floor, 300)
    ax.set_xlim(0, days)
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel("CAR T cells in blood (cells/µL)")
    legend_below_axes(fig, ax)
    return fig, ax


def _check_quantity(quantity: str) -> str:
    return validation.require_choice("quantity", quantity, LABELS)


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

        style = run_style(label)
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
    figure_legend_below(fig, [ax])
    return fig
