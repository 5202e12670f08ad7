"""Figures of the clonal-escape model (:mod:`cart_autoimmunity.clonal_escape`, chapter 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import validation
from ..units import DAYS_PER_YEAR
from .style import SCENARIO_COLOURS, new_figure

CLONE_COLOURS = {
    "autoreactive": SCENARIO_COLOURS["autoimmune"],
    "tumour": SCENARIO_COLOURS["tumour"],
}
CLONE_LABELS = {"autoreactive": "Autoreactive clone", "tumour": "Leukaemia-like clone"}


def _require_clones(frame: pd.DataFrame, what: str) -> None:
    unknown = sorted(set(frame["clone"]) - set(CLONE_COLOURS))
    if unknown:
        raise ValueError(f"{what} names unknown clones {unknown}")


def plot_clone_trajectories(frames: list[pd.DataFrame], max_cells: float = 1e12):
    """Clone size over time (log scale) for a few replicates per clone.

    Each frame holds ``time_days``, ``replicate``, ``cells``, ``clone`` and
    ``survived``. Lines stop when a clone dies out or reaches ``max_cells`` (where the
    simulation freezes it). The legend sits below the axes.
    """
    if not isinstance(frames, (list, tuple)) or not frames:
        raise ValueError("frames must be a non-empty list of trajectory tables")
    max_cells = validation.require_positive("max_cells", max_cells)
    for frame in frames:
        validation.require_columns(
            "trajectory",
            frame,
            ("time_days", "replicate", "cells", "clone", "survived"),
        )
        _require_clones(frame, "trajectory")
    fig, ax = new_figure(height_in=4.4)
    for frame in frames:
        clone = frame["clone"].iloc[0]
        colour = CLONE_COLOURS[clone]
        for _, rep in frame.groupby("replicate"):
            cells = rep["cells"].where((rep["cells"] > 0) & (rep["cells"] < max_cells))
            survived = bool(rep["survived"].iloc[0])
            ax.plot(
                rep["time_days"] / DAYS_PER_YEAR,
                cells,
                color=colour,
                lw=1.2 if survived else 0.8,
                alpha=0.85 if survived else 0.4,
            )
        ax.plot([], [], color=colour, lw=2, label=CLONE_LABELS[clone])
    ax.set_yscale("log")
    ax.set_xlabel("Years after the first rogue cell")
    ax.set_ylabel("Cells in the clone")
    fig.legend(loc="outside lower center", ncols=2)
    return fig, ax


def plot_time_to_size(passage: pd.DataFrame, size: float):
    """Histogram of the years each surviving clone needs to reach ``size`` cells.

    ``passage`` holds ``clone``, ``years`` and ``theory_days``; the branching-process
    estimate is drawn as a dashed line per clone. The legend sits below the axes.
    """
    validation.require_columns("passage", passage, ("clone", "years", "theory_days"))
    _require_clones(passage, "passage")
    size = validation.require_finite("size", size)
    if not size > 1:
        raise ValueError(f"size must be > 1 cell, got {size}")
    fig, ax = new_figure(height_in=4.4)
    reached = passage["years"].dropna()
    top = float(reached.max()) * 1.05 if len(reached) else 1.0
    bins = np.linspace(0, top, 40)
    if not len(reached):
        ax.text(
            0.5, 0.5, "No clone reached this size", transform=ax.transAxes, ha="center"
        )
    for clone, group in passage.groupby("clone", sort=False):
        colour = CLONE_COLOURS[clone]
        ax.hist(
            group["years"].dropna(),
            bins=bins,
            color=colour,
            alpha=0.6,
            label=CLONE_LABELS[clone],
        )
        theory = float(group["theory_days"].iloc[0]) / DAYS_PER_YEAR
        if np.isfinite(theory):
            ax.axvline(theory, color=colour, ls="--", lw=1.5)
    ax.set_xlabel(
        f"Years to reach $10^{{{np.log10(size):.0f}}}$ cells (dashed: theory)"
    )
    ax.set_ylabel("Number of simulated clones")
    fig.legend(loc="outside lower center", ncols=2)
    return fig, ax
