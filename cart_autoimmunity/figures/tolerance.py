"""Figures of the tolerance funnel (:mod:`cart_autoimmunity.tolerance`, chapter 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import validation
from .style import SCENARIO_COLOURS, SMALL_FONT_PT, new_figure

GROUP_COLOURS = {
    "healthy": SCENARIO_COLOURS["reference"],
    "SLE": SCENARIO_COLOURS["autoimmune"],
}


def plot_tolerance_funnel(funnels: dict[str, pd.DataFrame]):
    """One funnel per group: centred bars of the self-reactive share at each stage.

    ``funnels`` maps ``"healthy"`` or ``"SLE"`` to a two-row table with ``low`` and
    ``high`` fractions (the published range); the pale bar is the high end, the dark bar
    the low end.
    """
    if not isinstance(funnels, dict) or not funnels:
        raise ValueError("funnels must be a non-empty dict of group -> table")
    for group, table in funnels.items():
        if group not in GROUP_COLOURS:
            raise ValueError(f"unknown group {group!r}; choose 'healthy' or 'SLE'")
        validation.require_columns(f"funnel {group!r}", table, ("low", "high"))
        if ((table[["low", "high"]] < 0) | (table[["low", "high"]] > 1)).any().any():
            raise ValueError(f"funnel {group!r}: fractions must lie in [0, 1]")
        if (table["low"] > table["high"]).any():
            raise ValueError(f"funnel {group!r}: low must not exceed high")
    fig, axes = new_figure(ncols=len(funnels), sharey=True, height_in=3.6)
    axes = np.atleast_1d(axes)
    for ax, (group, table) in zip(axes, funnels.items(), strict=True):
        y = np.arange(len(table))[::-1]
        colour = GROUP_COLOURS[group]
        for yi, (_, row) in zip(y, table.iterrows(), strict=True):
            low, high = 100 * row["low"], 100 * row["high"]
            ax.barh(yi, high, left=-high / 2, color=colour, alpha=0.25, height=0.6)
            ax.barh(yi, low, left=-low / 2, color=colour, alpha=0.9, height=0.6)
            ax.text(
                0,
                yi + 0.38,
                f"{low:.0f}–{high:.0f}%",
                ha="center",
                fontsize=SMALL_FONT_PT,
            )
        ax.set_yticks(
            y, ["early immature\n(bone marrow)", "mature naive\n(blood)"][: len(y)]
        )
        ax.set_xlim(-40, 40)
        ax.set_ylim(-0.6, len(table) - 0.2)
        ax.set_xticks([-30, 0, 30], ["30", "0", "30"])
        ax.set_xlabel("Self-reactive share\n(% of cells = bar width)")
        ax.set_title("Healthy donors" if group == "healthy" else f"{group} patients")
        ax.grid(False)
    return fig, axes
