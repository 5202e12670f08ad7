"""Figures for the rogue-cells chapter: the tolerance funnel and the clonal-escape model (M7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import SCENARIO_COLOURS, new_figure

CLONE_COLOURS = {"autoreactive": SCENARIO_COLOURS["autoimmune"], "tumour": SCENARIO_COLOURS["tumour"]}
CLONE_LABELS = {"autoreactive": "autoreactive clone (apoptosis defect)", "tumour": "leukaemia-like clone"}
GROUP_COLOURS = {"healthy": SCENARIO_COLOURS["reference"], "SLE": SCENARIO_COLOURS["autoimmune"]}


def plot_tolerance_funnel(funnels: dict[str, pd.DataFrame]):
    """One funnel per group: centred bars of the self-reactive share at each stage, range as a pale band."""
    fig, axes = new_figure(ncols=len(funnels), sharey=True, height_in=3.6)
    axes = np.atleast_1d(axes)
    for ax, (group, table) in zip(axes, funnels.items()):
        y = np.arange(len(table))[::-1]
        colour = GROUP_COLOURS[group]
        for yi, (_, row) in zip(y, table.iterrows()):
            ax.barh(yi, 100 * row["high"], left=-50 * row["high"], color=colour, alpha=0.25, height=0.6)
            ax.barh(yi, 100 * row["low"], left=-50 * row["low"], color=colour, alpha=0.9, height=0.6)
            ax.text(0, yi + 0.38, f"{100 * row['low']:.0f}–{100 * row['high']:.0f}%", ha="center", fontsize=9.5)
        ax.set_yticks(y, ["early immature\n(bone marrow)", "mature naive\n(blood)"])
        ax.set_xlim(-40, 40)
        ax.set_ylim(-0.6, len(table) - 0.2)
        ax.set_xticks([-30, 0, 30], ["30", "0", "30"])
        ax.set_xlabel("self-reactive share (% of cells,\nbar width = share)")
        ax.set_title(f"{group} donors" if group == "healthy" else f"{group} patients")
        ax.grid(False)
    return fig, axes


def plot_clone_trajectories(frames: list[pd.DataFrame], max_cells: float = 1e12):
    """Clone size over time (log scale) for a few replicates per clone; extinct lineages stop at zero.

    Lines stop when a clone dies out or reaches ``max_cells`` (where the simulation freezes it).
    """
    fig, ax = new_figure()
    for frame in frames:
        clone = frame["clone"].iloc[0]
        colour = CLONE_COLOURS[clone]
        for _, rep in frame.groupby("replicate"):
            cells = rep["cells"].where((rep["cells"] > 0) & (rep["cells"] < max_cells))
            survived = bool(rep["survived"].iloc[0])
            ax.plot(rep["time_days"] / 365.25, cells, color=colour, lw=1.2 if survived else 0.8,
                    alpha=0.85 if survived else 0.4)
        ax.plot([], [], color=colour, lw=2, label=CLONE_LABELS[clone])
    ax.set_yscale("log")
    ax.set_xlabel("years after the first rogue cell")
    ax.set_ylabel("cells in the clone")
    ax.legend(loc="lower right")
    return fig, ax


def plot_time_to_size(passage: pd.DataFrame, size: float):
    """Histogram of the years each surviving clone needs to reach ``size`` cells, with the theory as lines."""
    fig, ax = new_figure()
    bins = np.linspace(0, np.nanmax(passage["years"]) * 1.05, 40)
    for clone, group in passage.groupby("clone", sort=False):
        colour = CLONE_COLOURS[clone]
        ax.hist(group["years"].dropna(), bins=bins, color=colour, alpha=0.6, label=CLONE_LABELS[clone])
        ax.axvline(group["theory_days"].iloc[0] / 365.25, color=colour, ls="--", lw=1.5)
    ax.set_xlabel(f"years to reach $10^{{{np.log10(size):.0f}}}$ cells (dashed: theory)")
    ax.set_ylabel("number of simulated clones")
    ax.legend()
    return fig, ax
