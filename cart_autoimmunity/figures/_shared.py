"""Drawing helpers shared by several figure modules (private to the figures package).

The figures comparing a model with published Erlangen numbers (:mod:`.cohort`, :mod:`.kinetics`,
:mod:`.antibodies`) share their one-panel width, the legend below the axes and the way a
published mean ± SD day is drawn: black, hollow for a secondary source. The run figures
(:mod:`.kinetics`, :mod:`.cohort`, :mod:`.cytokines`, :mod:`.in_vivo`) share the line style of a
labelled run and one legend below all axes. The names carry no leading underscore so that the
figure modules may import them; the module itself is private.
"""

from __future__ import annotations

import pandas as pd

from .. import validation
from .style import OKABE_ITO, SCENARIO_COLOURS, SMALL_FONT_PT

DATA = SCENARIO_COLOURS["data"]
REFERENCE = SCENARIO_COLOURS["reference"]
AUTOIMMUNE = SCENARIO_COLOURS["autoimmune"]

#: Columns a table of published points must have (``time_sd`` may be NaN).
POINT_COLUMNS = ("label", "time_days", "time_sd", "primary")

#: Figure width (inches) of the one-panel figures: narrow, so text stays large on
#: phones.
WIDTH_IN = 6.0


def legend_below_axes(fig, ax, ncols: int = 2) -> None:
    """One legend for the figure, outside and below the axes."""
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="outside lower center", ncols=ncols, fontsize=SMALL_FONT_PT
    )


def draw_points(ax, points: pd.DataFrame, y, spread: float = 1.5) -> None:
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


def points_table(name: str, points: pd.DataFrame) -> pd.DataFrame:
    validation.require_columns(name, points, POINT_COLUMNS)
    if len(points) > 4:
        raise ValueError(f"{name}: at most 4 published points can be drawn")
    return points


def finish_b_cell_axes(fig, ax, points, *, threshold, floor, days, ylabel) -> None:
    """Return threshold, published return times, log axes and the legend below."""
    ax.axhline(
        threshold,
        color=REFERENCE,
        linestyle=":",
        linewidth=1.5,
        label=f"'returned' = {threshold:.0%} of normal",
    )
    draw_points(ax, points, threshold)
    ax.set_yscale("log")
    ax.set_ylim(floor, 2)
    ax.set_xlim(0, days)
    ax.set_xlabel("Days after infusion")
    ax.set_ylabel(ylabel)
    legend_below_axes(fig, ax)


def run_style(label: str) -> dict:
    """Colour of the scenario named before any bracket; dashed if the label has a bracket."""
    base = label.split(" (")[0].strip()
    colour = SCENARIO_COLOURS.get(base, OKABE_ITO["black"])
    return {"color": colour, "linestyle": "--" if "(" in label else "-", "linewidth": 2}


def figure_legend_below(fig, axes, ncols: int = 2) -> None:
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
