"""The evidence map's forest plot: one row per cohort, exact intervals, then the summary.

Draws tables made by :func:`cart_autoimmunity.meta_analysis.forest_table` (per cohort:
``label``, ``cell_source``, ``proportion``, ``low``, ``high``) and dictionaries made by
:func:`cart_autoimmunity.meta_analysis.pool` (``method``, ``proportion``, ``low``,
``high``); it computes nothing. Colours: own cells = ``SCENARIO_COLOURS["autoimmune"]``,
donor cells = ``"allogeneic"``, cells made in the body = ``"in_vivo"``. The summary row is
black: a diamond for a random-effects estimate, a circle for the total count of all
patients with its exact interval (where no cohort had an event, or all had it).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .. import validation
from .style import MAX_FIGURE_WIDTH_IN, SCENARIO_COLOURS, SMALL_FONT_PT, new_figure

#: Marker colour and legend text per cell source.
SOURCE_STYLE = {
    "autologous": (SCENARIO_COLOURS["autoimmune"], "own cells"),
    "donor": (SCENARIO_COLOURS["allogeneic"], "donor cells"),
    "in_vivo": (SCENARIO_COLOURS["in_vivo"], "made in the body"),
}
#: Per summary ``method`` of :func:`cart_autoimmunity.meta_analysis.pool` (figures do not
#: import models; a test keeps these keys equal to ``meta_analysis.METHODS``): marker,
#: legend text and row label.
SUMMARY_STYLE = {
    "random effects": ("D", "Pooled (random effects)", "Pooled"),
    "exact, all patients summed": (
        "o",
        "All patients summed (exact interval)",
        "All patients",
    ),
}
#: Figure height per row of a panel, and for each panel's title and axis (inches).
ROW_HEIGHT_IN = 0.34
PANEL_EXTRA_IN = 1.0


def plot_forest(panels: Mapping[str, tuple[pd.DataFrame, Mapping[str, float]]]):
    """One forest panel per outcome: cohorts' proportions (%) with exact intervals, summary last.

    ``panels`` maps a panel title (the outcome, in words) to ``(table, pooled)``. Returns the
    figure; its axes list the cohorts top to bottom, then the summary row ("Pooled" for a
    random-effects estimate, "All patients" for the summed count with its exact interval).
    """
    validation.require_mapping("panels", panels, empty=True)
    if not panels:
        raise ValueError("panels must hold at least one outcome")
    for title, panel in panels.items():
        if not isinstance(panel, (tuple, list)) or len(panel) != 2:
            raise TypeError(
                f"panels[{title!r}] must be a (table, pooled) pair, "
                f"got {type(panel).__name__}"
            )
        table, pooled = panel
        validation.require_mapping(f"pooled of {title!r}", pooled)
        validation.require_columns(
            f"panel {title!r}",
            table,
            ["label", "cell_source", "proportion", "low", "high"],
        )
        if table.empty:
            raise ValueError(f"panel {title!r} has no cohorts")
        validation.require_choice(
            f"pooled method of {title!r}", pooled["method"], SUMMARY_STYLE
        )
        for key in ("proportion", "low", "high"):
            validation.require_fraction(f"pooled {key} of {title!r}", pooled[key])
    rows = [len(table) + 1 for table, _ in panels.values()]
    fig, axes = new_figure(
        nrows=len(panels),
        width_in=MAX_FIGURE_WIDTH_IN,
        height_in=sum(rows) * ROW_HEIGHT_IN + PANEL_EXTRA_IN * len(panels),
        gridspec_kw={"height_ratios": rows},
        squeeze=False,
    )
    seen: set[str] = set()
    for ax, (title, (table, pooled)) in zip(axes[:, 0], panels.items()):
        _draw_panel(ax, title, table, pooled, seen)
    axes[-1, 0].set_xlabel("Patients with the outcome (%), with 95% interval")
    handles, labels = [], []
    for ax in axes[:, 0]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    fig.legend(
        handles,
        labels,
        loc="outside lower center",
        ncols=min(len(labels), 2),
        fontsize=SMALL_FONT_PT,
        frameon=False,
    )
    return fig


def _draw_panel(ax, title, table, pooled, seen) -> None:
    n = len(table)
    positions = list(range(n, 0, -1))  # first cohort on top; pooled at 0
    for y, row in zip(positions, table.itertuples(index=False)):
        validation.require_choice("cell_source", row.cell_source, SOURCE_STYLE)
        colour, legend = SOURCE_STYLE[row.cell_source]
        ax.plot([100 * row.low, 100 * row.high], [y, y], color=colour, linewidth=2)
        ax.plot(
            100 * row.proportion,
            y,
            marker="s",
            markersize=7,
            color=colour,
            linestyle="none",
            label=None if legend in seen else legend,
        )
        seen.add(legend)
    ax.plot(
        [100 * pooled["low"], 100 * pooled["high"]],
        [0, 0],
        color=SCENARIO_COLOURS["data"],
        linewidth=2,
    )
    marker, legend, row_label = SUMMARY_STYLE[pooled["method"]]
    ax.plot(
        100 * pooled["proportion"],
        0,
        marker=marker,
        markersize=8,
        color=SCENARIO_COLOURS["data"],
        linestyle="none",
        label=None if legend in seen else legend,
    )
    seen.add(legend)
    ax.set_yticks([*positions, 0], [*table["label"], row_label])
    ax.set_ylim(-0.7, n + 0.7)
    ax.set_xlim(-2, 102)
    ax.set_ylabel("Cohort")
    ax.set_title(title, loc="left")
    ax.grid(axis="x", alpha=0.3)
