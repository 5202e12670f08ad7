"""Figures for the Erlangen chapters (chapter 4, CAR T that leave; chapter 6, the immune reset).

Every helper validates its input tables, draws with the book palette
(:mod:`cart_autoimmunity.style`) and returns ``(fig, ax)`` or ``(fig, axes)``. Published
numbers are always drawn in the ``data`` colour (black) with their error bars, so a reader can
tell data from model at a glance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import validation
from .style import OKABE_ITO, QUANTITY_COLOURS, SCENARIO_COLOURS, new_figure

DATA = SCENARIO_COLOURS["data"]
REFERENCE = SCENARIO_COLOURS["reference"]
AUTOIMMUNE = SCENARIO_COLOURS["autoimmune"]

#: Columns a table of published points must have (``time_sd`` may be NaN).
POINT_COLUMNS = ("label", "time_days", "time_sd", "primary")


def _require_columns(name: str, frame, columns) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing columns {missing}")
    if frame.empty:
        raise ValueError(f"{name} must not be empty")
    return frame


def _draw_points(ax, points: pd.DataFrame, y, spread: float = 1.5) -> None:
    """Published mean ± SD days as points with horizontal error bars (hollow = secondary source).

    Several points are fanned out around ``y`` by factors of ``spread`` (log axes) so that
    their error bars do not hide each other.
    """
    offset = (len(points) - 1) / 2
    for k, ((_, row), marker) in enumerate(zip(points.iterrows(), ("o", "s", "D", "^"))):
        xerr = None if pd.isna(row["time_sd"]) else row["time_sd"]
        face = DATA if bool(row["primary"]) else "white"
        ax.errorbar(row["time_days"], y * spread ** (offset - k), xerr=xerr, fmt=marker, color=DATA, markerfacecolor=face,
                    markersize=8, capsize=4, linewidth=1.5, zorder=5, label=row["label"])


def _band(table: pd.DataFrame, quantity: str, low: float, high: float) -> pd.DataFrame:
    part = table[table["quantity"] == quantity].pivot_table(index="time_days", columns="quantile", values="value")
    if part.empty:
        raise ValueError(f"time course has no rows for quantity {quantity!r}")
    out = {}
    for name, q in (("low", low), ("median", 0.5), ("high", high)):
        match = np.isclose(part.columns.to_numpy(dtype=float), q)
        if not match.any():
            raise ValueError(f"quantile {q} is not in the cohort time course")
        out[name] = part.loc[:, match].iloc[:, 0]
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------------
# Chapter 4
# --------------------------------------------------------------------------------------------
def plot_trial_summary(erlangen: pd.DataFrame):
    """Two panels from :func:`cart_autoimmunity.evidence.erlangen_trials`.

    Left: SLEDAI-2K median (range) at baseline and after three months (Mackensen 2022).
    Right: time to B-cell return, mean ± SD, in both Erlangen reports (hollow = secondary source).
    """
    _require_columns("erlangen", erlangen, ("quantity", "value", "low", "high", "cohort", "status"))
    rows = erlangen.set_index("quantity")
    needed = ["sledai2k_baseline_median", "sledai2k_3_months_median", "b_cell_reappearance_mean", "b_cell_aplasia_mean"]
    missing = [q for q in needed if q not in rows.index]
    if missing:
        raise ValueError(f"erlangen is missing quantities {missing}")
    fig, (left, right) = new_figure(ncols=2, width_in=7.2, height_in=3.6)
    sledai = rows.loc[["sledai2k_baseline_median", "sledai2k_3_months_median"]]
    x = np.arange(2)
    err = np.vstack([sledai["value"] - sledai["low"], sledai["high"] - sledai["value"]])
    left.bar(x, sledai["value"], color=[OKABE_ITO["grey"], AUTOIMMUNE], width=0.6)
    left.errorbar(x, sledai["value"], yerr=err, fmt="none", color=DATA, capsize=6, linewidth=1.5)
    left.set_xticks(x, ["before CAR T", "3 months after"])
    left.set_ylabel("SLEDAI-2K, median (range)")
    left.set_ylim(0, 20)
    left.set_title("Lupus activity (n = 5)", loc="left")
    days = rows.loc[["b_cell_reappearance_mean", "b_cell_aplasia_mean"]]
    y = np.arange(2)[::-1]
    for yi, (_, row) in zip(y, days.iterrows()):
        primary = row["status"] == "primary"
        right.errorbar(row["value"], yi, xerr=[[row["value"] - row["low"]], [row["high"] - row["value"]]], fmt="o",
                       color=DATA, markerfacecolor=DATA if primary else "white", markersize=8, capsize=5, linewidth=1.5)
    right.set_yticks(y, ["Mackensen 2022\n(SLE, n = 5)", "Müller 2024\n(15 patients)"])
    right.set_xlabel("Days until B cells return, mean ± SD")
    right.set_xlim(0, 200)
    right.set_ylim(-0.6, 1.6)
    right.set_title("B-cell aplasia", loc="left")
    return fig, (left, right)


def _finish_b_cell_axes(ax, points, *, threshold: float, floor: float, days: float, ylabel: str) -> None:
    """The return threshold, the published return times and the log axes of a B-cell plot."""
    ax.axhline(threshold, color=REFERENCE, linestyle=":", linewidth=1.5, label=f"'returned' = {threshold:.0%} of normal")
    _draw_points(ax, points, threshold)
    ax.set_yscale("log")
    ax.set_ylim(floor, 2)
    ax.set_xlim(0, days)
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right", fontsize=8.5)


def plot_b_cells_vs_data(time_course: pd.DataFrame, points: pd.DataFrame, *, threshold: float,
                         days: float = 365.0, low: float = 0.05, high: float = 0.95):
    """Cohort median and ``low``–``high`` band of B cells (fraction of normal) with published return days.

    ``time_course`` is a :class:`~cart_autoimmunity.cohort.Cohort` ``time_course``; ``points``
    has the columns of :data:`POINT_COLUMNS` and is drawn at the model's return ``threshold``
    (the publications give the day B cells reappeared, not their level).
    """
    _require_columns("time_course", time_course, ("time_days", "quantity", "quantile", "value"))
    _require_columns("points", points, POINT_COLUMNS)
    threshold = validation.require_fraction("threshold", threshold)
    days = validation.require_positive("days", days)
    band = _band(time_course, "b_cells_fraction_of_normal", low, high)
    band = band[band.index <= days]
    floor = 1e-4
    fig, ax = new_figure()
    ax.fill_between(band.index, np.maximum(band["low"], floor), np.maximum(band["high"], floor), color=AUTOIMMUNE,
                    alpha=0.25, linewidth=0, label=f"virtual cohort, {low:.0%}–{high:.0%} of patients")
    ax.plot(band.index, np.maximum(band["median"], floor), color=AUTOIMMUNE, linewidth=2, label="virtual cohort, median")
    _finish_b_cell_axes(ax, points, threshold=threshold, floor=floor, days=days, ylabel="B cells in blood (fraction of normal)")
    return fig, ax


def plot_persistence_vs_data(time_course: pd.DataFrame, cancer_runs: dict, persistence: pd.DataFrame, *,
                             detection_limit_per_ul: float, days: float = 1000.0, low: float = 0.05, high: float = 0.95):
    """CAR T in blood: autoimmune cohort band, cancer runs, and the longest published detection times.

    ``time_course``: autoimmune cohort time course; ``cancer_runs``: ``{scenario: simulate() table}``;
    ``persistence``: rows with ``label``, ``time_days`` and ``lower_bound`` (True draws an arrow,
    for detection times beyond the x-axis such as "more than ten years").
    """
    _require_columns("time_course", time_course, ("time_days", "quantity", "quantile", "value"))
    _require_columns("persistence", persistence, ("label", "time_days", "lower_bound"))
    detection_limit_per_ul = validation.require_positive("detection_limit_per_ul", detection_limit_per_ul)
    days = validation.require_positive("days", days)
    if not cancer_runs:
        raise ValueError("cancer_runs must contain at least one scenario")
    floor = 1e-3
    band = _band(time_course, "car_t_per_ul", low, high)
    band = band[band.index <= days]
    fig, ax = new_figure()
    ax.fill_between(band.index, np.maximum(band["low"], floor), np.maximum(band["high"], floor), color=AUTOIMMUNE,
                    alpha=0.25, linewidth=0, label=f"autoimmune cohort, {low:.0%}–{high:.0%}")
    ax.plot(band.index, np.maximum(band["median"], floor), color=AUTOIMMUNE, linewidth=2, label="autoimmune, median")
    for scenario, frame in cancer_runs.items():
        validation.require_choice("scenario", scenario, SCENARIO_COLOURS)
        shown = frame[frame["time_days"] <= days]
        ax.plot(shown["time_days"], np.maximum(shown["car_t_per_ul"], floor), color=SCENARIO_COLOURS[scenario],
                linewidth=2, label=f"{scenario} (single run)")
    ax.axhline(detection_limit_per_ul, color=REFERENCE, linestyle=":", linewidth=1.5, label="detection limit (assumed)")
    markers = iter(("v", "^", "D", "s", "P"))
    for _, row in persistence.iterrows():
        if bool(row["lower_bound"]) or row["time_days"] > days:
            # Beyond the axis: a legend entry with an arrow instead of a point.
            ax.plot([], [], linestyle="none", marker=r"$\rightarrow$", markersize=12, color=DATA,
                    label=f"{row['label']} (off the axis)")
            continue
        ax.plot(row["time_days"], detection_limit_per_ul, linestyle="none", marker=next(markers), color=DATA,
                markersize=8, label=row["label"])
    ax.set_yscale("log")
    ax.set_ylim(floor, 300)
    ax.set_xlim(0, days)
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel("CAR T cells in blood (cells/µL)")
    ax.legend(loc="upper right", fontsize=8)
    return fig, ax


def plot_memory_sweep(sweep: pd.DataFrame, *, reference_days: dict | None = None):
    """Last day CAR T are detectable against the autoimmune memory factor (log x-axis).

    ``sweep`` has columns ``autoimmune_memory_factor`` and ``last_day_above_lod``;
    ``reference_days`` maps a label to a day for horizontal guides (e.g. the lymphoma run).
    """
    _require_columns("sweep", sweep, ("autoimmune_memory_factor", "last_day_above_lod"))
    factors = sweep["autoimmune_memory_factor"].to_numpy(dtype=float)
    if np.any(factors <= 0) or np.any(factors > 1):
        raise ValueError("autoimmune_memory_factor values must be in (0, 1]")
    fig, ax = new_figure()
    order = np.argsort(factors)
    ax.plot(factors[order], sweep["last_day_above_lod"].to_numpy(dtype=float)[order], "o-", color=AUTOIMMUNE,
            linewidth=2, label="autoimmune model")
    guides = iter((("--", SCENARIO_COLOURS["lymphoma"]), (":", REFERENCE), ("-.", OKABE_ITO["black"])))
    for label, day in (reference_days or {}).items():
        style, colour = next(guides)
        ax.axhline(day, linestyle=style, color=colour, linewidth=1.5, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("Memory formation in autoimmune disease\n(fraction of the cancer rate; 1 = burden only)")
    ax.set_ylabel("Last day CAR T detectable (days)")
    top = max([float(sweep["last_day_above_lod"].max()), *(reference_days or {}).values()])
    ax.set_ylim(0, 1.35 * top)
    ax.legend(loc="upper left", fontsize=8.5)
    return fig, ax


# --------------------------------------------------------------------------------------------
# Chapter 6
# --------------------------------------------------------------------------------------------
def plot_b_cell_renewal(result: pd.DataFrame, points: pd.DataFrame, *, threshold: float, days: float = 365.0):
    """Pre-existing versus newly made B cells (fraction of normal) after CD19 CAR T, one run.

    ``result`` is a :func:`cart_autoimmunity.kinetics.simulate` table scaled by ``normal_b_cells``
    in the columns ``b_cells_old_fraction`` and ``b_cells_new_fraction``; ``points`` as in
    :func:`plot_b_cells_vs_data`.
    """
    _require_columns("result", result, ("time_days", "b_cells_old_fraction", "b_cells_new_fraction"))
    _require_columns("points", points, POINT_COLUMNS)
    threshold = validation.require_fraction("threshold", threshold)
    days = validation.require_positive("days", days)
    floor = 1e-6
    shown = result[result["time_days"] <= days]
    fig, ax = new_figure()
    ax.plot(shown["time_days"], np.maximum(shown["b_cells_old_fraction"], floor), color=OKABE_ITO["vermillion"],
            linewidth=2, linestyle="--", label="pre-existing B cells (incl. autoreactive memory)")
    ax.plot(shown["time_days"], np.maximum(shown["b_cells_new_fraction"], floor), color=QUANTITY_COLOURS["b_cells"],
            linewidth=2, label="newly made (naive) B cells")
    _finish_b_cell_axes(ax, points, threshold=threshold, floor=floor, days=days, ylabel="B cells (fraction of normal)")
    return fig, ax


def plot_reseeding(runs: dict, *, window_days: float | None = None):
    """Autoantibody after CD19 CAR T for several re-seeding assumptions, with vaccine antibody.

    ``runs`` maps a legend label to a :func:`cart_autoimmunity.antibodies.simulate_antibodies`
    table. Autoantibody lines are solid (one colour each); the vaccine antibody of the first run is
    drawn dashed in the vaccine colour for comparison.
    """
    if not runs:
        raise ValueError("runs must contain at least one labelled antibody run")
    palette = (QUANTITY_COLOURS["autoantibody"], OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"], OKABE_ITO["blue"])
    if len(runs) > len(palette):
        raise ValueError(f"at most {len(palette)} runs can be drawn, got {len(runs)}")
    fig, ax = new_figure()
    for (label, frame), colour in zip(runs.items(), palette):
        _require_columns(f"runs[{label!r}]", frame, ("time_days", "quantity", "fraction_of_baseline"))
        auto = frame[frame["quantity"] == "autoantibody"]
        ax.plot(auto["time_days"], 100 * auto["fraction_of_baseline"], color=colour, linewidth=2, label=label)
    first = next(iter(runs.values()))
    vaccine = first[first["quantity"] == "vaccine_antibody"]
    ax.plot(vaccine["time_days"], 100 * vaccine["fraction_of_baseline"], color=QUANTITY_COLOURS["vaccine_antibody"],
            linewidth=2, linestyle="--", label="vaccine antibody (tetanus-like)")
    if window_days is not None:
        ax.axvspan(0, validation.require_non_negative("window_days", window_days), color="0.92", zorder=0,
                   label="B-cell aplasia window")
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel("% of pre-treatment level")
    ax.set_ylim(-3, 110)
    ax.legend(loc="center right", fontsize=8.5)
    return fig, ax


# --------------------------------------------------------------------------------------------
# Published points as plotting tables
# --------------------------------------------------------------------------------------------
def return_points(b_cell_table: pd.DataFrame) -> pd.DataFrame:
    """Published B-cell return times as plotting points (columns of :data:`POINT_COLUMNS`).

    Takes :func:`cart_autoimmunity.evidence.b_cell_depletion` (autoimmune rows with unit
    ``days``); ``time_sd`` is half the reported mean ± SD band; ``primary`` is the status.
    """
    _require_columns("b_cell_table", b_cell_table, ("quantity", "value", "low", "high", "unit", "setting", "n", "source", "status"))
    rows = b_cell_table[(b_cell_table["setting"] == "autoimmune") & (b_cell_table["unit"] == "days")]
    if rows.empty:
        raise ValueError("b_cell_table has no autoimmune rows in days")
    names = {"mackensen2022": "Mackensen 2022", "muller2024": "Müller 2024"}
    labels = [
        f"{names.get(r.source, r.source)}, mean ± SD (n = {r.n:.0f}" + ("" if r.status == "primary" else "; secondary") + ")"
        for r in rows.itertuples()
    ]
    return pd.DataFrame({
        "label": labels,
        "time_days": rows["value"].to_numpy(dtype=float),
        "time_sd": ((rows["high"] - rows["low"]) / 2).to_numpy(dtype=float),
        "primary": (rows["status"] == "primary").to_numpy(),
    })


def persistence_points(persistence: pd.DataFrame) -> pd.DataFrame:
    """Longest published CAR T detection times in cancer as plotting points.

    Takes :func:`cart_autoimmunity.evidence.car_t_persistence`; keeps the maximum-persistence rows
    (responders only, qPCR where both are given). Columns ``label``, ``time_days``, ``lower_bound``.
    """
    _require_columns("persistence", persistence, ("quantity", "value", "unit", "cohort", "source", "verification"))
    keep = persistence["quantity"].isin(["max_detectable_persistence", "max_detectable_persistence_qpcr_responders"])
    rows = persistence[keep & (persistence["unit"] == "days")]
    if rows.empty:
        raise ValueError("persistence has no maximum-persistence rows in days")
    short = {"melenhorst2022": "Melenhorst 2022, CLL", "maude2018": "ELIANA, B-ALL", "awasthi2020": "JULIET, DLBCL (qPCR)"}
    lower = rows["verification"].str.contains("lower bound", case=False).to_numpy()
    labels = [
        f"{short.get(r.source, r.cohort)}: > {r.value / 365.25:.0f} years" if lb else f"{short.get(r.source, r.cohort)}, longest"
        for r, lb in zip(rows.itertuples(), lower)
    ]
    return pd.DataFrame({"label": labels, "time_days": rows["value"].to_numpy(dtype=float), "lower_bound": lower})
