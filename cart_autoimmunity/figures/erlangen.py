"""Figures for the Erlangen chapters: 4 (CAR T cells that leave) and 6 (the reset).

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
from .style import (
    OKABE_ITO,
    QUANTITY_COLOURS,
    SCENARIO_COLOURS,
    SMALL_FONT_PT,
    new_figure,
)

DATA = SCENARIO_COLOURS["data"]
REFERENCE = SCENARIO_COLOURS["reference"]
AUTOIMMUNE = SCENARIO_COLOURS["autoimmune"]

#: Columns a table of published points must have (``time_sd`` may be NaN).
POINT_COLUMNS = ("label", "time_days", "time_sd", "primary")

#: Columns of a cohort time course (:class:`cart_autoimmunity.cohort.Cohort`).
TIME_COURSE_COLUMNS = ("time_days", "quantity", "quantile", "value")

#: Figure width (inches) of the one-panel figures: narrow, so text stays large on
#: phones.
WIDTH_IN = 6.0


def _legend_below(fig, ax, ncols: int = 2) -> None:
    """One legend for the figure, outside and below the axes."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside lower center", ncols=ncols, fontsize=SMALL_FONT_PT
    )


def _draw_points(ax, points: pd.DataFrame, y, spread: float = 1.5) -> None:
    """Published mean ± SD days as points with horizontal error bars (hollow =
    secondary).

    Several points are fanned out around ``y`` by factors of ``spread`` (log axes) so
    that their error bars do not hide each other.
    """
    offset = (len(points) - 1) / 2
    markers = ("o", "s", "D", "^")
    for k, ((_, row), marker) in enumerate(
        zip(points.iterrows(), markers, strict=False)
    ):
        xerr = None if pd.isna(row["time_sd"]) else row["time_sd"]
        face = DATA if bool(row["primary"]) else "white"
        ax.errorbar(
            row["time_days"],
            y * spread ** (offset - k),
            xerr=xerr,
            fmt=marker,
            color=DATA,
            markerfacecolor=face,
            markersize=8,
            capsize=4,
            linewidth=1.5,
            zorder=5,
            label=row["label"],
        )


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


def _points_table(name: str, points: pd.DataFrame) -> pd.DataFrame:
    validation.require_columns(name, points, POINT_COLUMNS)
    if len(points) > 4:
        raise ValueError(f"{name}: at most 4 published points can be drawn")
    return points


# --------------------------------------------------------------------------------------
# Chapter 4
# --------------------------------------------------------------------------------------
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


def _finish_b_cell_axes(fig, ax, points, *, threshold, floor, days, ylabel) -> None:
    """Return threshold, published return times, log axes and the legend below."""
    ax.axhline(
        threshold,
        color=REFERENCE,
        linestyle=":",
        linewidth=1.5,
        label=f"'returned' = {threshold:.0%} of normal",
    )
    _draw_points(ax, points, threshold)
    ax.set_yscale("log")
    ax.set_ylim(floor, 2)
    ax.set_xlim(0, days)
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel(ylabel)
    _legend_below(fig, ax)


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
    points = _points_table("points", points)
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
    _finish_b_cell_axes(
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
    _legend_below(fig, ax)
    return fig, ax


def _run_style(label: str) -> dict:
    """Scenario colour of the word before any bracket; dashed if the label has a
    bracket."""
    base = label.split(" (")[0].strip()
    colour = SCENARIO_COLOURS.get(base, OKABE_ITO["black"])
    return {"color": colour, "linestyle": "--" if "(" in label else "-", "linewidth": 2}


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
            **_run_style(label),
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
    _legend_below(fig, ax)
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
    _legend_below(fig, ax, ncols=3)
    return fig, ax


# --------------------------------------------------------------------------------------
# Chapter 6
# --------------------------------------------------------------------------------------
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
    points = _points_table("points", points)
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
    _finish_b_cell_axes(
        fig,
        ax,
        points,
        threshold=threshold,
        floor=floor,
        days=days,
        ylabel="B cells (fraction of normal)",
    )
    return fig, ax


def plot_reseeding(runs: dict, *, window_days: float | None = None):
    """Autoantibody after CD19 CAR T for several re-seeding assumptions, with vaccine
    IgG.

    ``runs`` maps a legend label to a
    :func:`cart_autoimmunity.antibodies.simulate_antibodies` table. Autoantibody lines
    are solid (one colour each); the vaccine antibody of the first run is drawn dashed
    in the vaccine colour for comparison.
    """
    validation.require_mapping("runs", runs, empty=True)
    if not runs:
        raise ValueError("runs must contain at least one labelled antibody run")
    palette = (
        QUANTITY_COLOURS["autoantibody"],
        OKABE_ITO["vermillion"],
        OKABE_ITO["reddish_purple"],
        OKABE_ITO["blue"],
    )
    if len(runs) > len(palette):
        raise ValueError(f"runs: at most {len(palette)} can be drawn, got {len(runs)}")
    for label, frame in runs.items():
        validation.require_columns(
            f"runs[{label!r}]", frame, ("time_days", "quantity", "fraction_of_baseline")
        )
    if window_days is not None:
        window_days = validation.require_non_negative("window_days", window_days)
    fig, ax = new_figure(width_in=WIDTH_IN, height_in=4.4)
    for (label, frame), colour in zip(runs.items(), palette, strict=False):
        auto = frame[frame["quantity"] == "autoantibody"]
        ax.plot(
            auto["time_days"],
            100 * auto["fraction_of_baseline"],
            color=colour,
            linewidth=2,
            label=label,
        )
    first = next(iter(runs.values()))
    vaccine = first[first["quantity"] == "vaccine_antibody"]
    ax.plot(
        vaccine["time_days"],
        100 * vaccine["fraction_of_baseline"],
        color=QUANTITY_COLOURS["vaccine_antibody"],
        linewidth=2,
        linestyle="--",
        label="vaccine antibody",
    )
    if window_days is not None:
        ax.axvspan(0, window_days, color="0.92", zorder=0, label="B-cell aplasia")
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel("% of pre-treatment level")
    ax.set_ylim(-3, 110)
    _legend_below(fig, ax)
    return fig, ax
