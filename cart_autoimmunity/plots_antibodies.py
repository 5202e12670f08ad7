"""Figures for the antibody-compartment chapter (model M3). Each function returns ``(fig, axes)``."""

from __future__ import annotations

import pandas as pd

from .style import TARGET_COLOURS, new_figure

_LABELS = {
    "autoantibody": "autoantibody",
    "vaccine_antibody": "vaccine antibody (tetanus-like)",
    "plasmablasts": "short-lived plasmablasts",
    "b_cells": "autoreactive B cells",
}


def plot_antibody_time_courses(frame: pd.DataFrame, window_days: float | None = None):
    """Autoantibody (left) and vaccine antibody (right) over time, one line per target."""
    fig, axes = new_figure(ncols=2, sharey=True)
    for ax, quantity in zip(axes, ("autoantibody", "vaccine_antibody")):
        rows = frame[frame["quantity"] == quantity]
        for target, group in rows.groupby("target", sort=False):
            ax.plot(group["time_days"], 100 * group["fraction_of_baseline"], color=TARGET_COLOURS[target],
                    lw=2, label=target, ls="--" if target == "CD20" else "-")
        if window_days is not None:
            ax.axvspan(0, window_days, color="0.9", zorder=0, label="CAR T active")
        ax.set_title(_LABELS[quantity])
        ax.set_xlabel("days after infusion")
        ax.set_ylim(-3, 105)
    axes[0].set_ylabel("% of pre-treatment level")
    axes[1].legend(title="CAR target", loc="center right", fontsize=8.5)
    return fig, axes


def plot_tradeoff(summary: pd.DataFrame, autoantibody_day: float = 90, vaccine_day: float = 365):
    """Autoantibody removed (x) against vaccine titre kept (y); the ideal target sits top right."""
    fig, ax = new_figure(width_in=5.6, height_in=4.4)
    for _, row in summary.iterrows():
        removed = 100 * (1 - row["autoantibody_fraction"])
        kept = 100 * row["vaccine_titre_fraction"]
        ax.scatter(removed, kept, s=110, color=TARGET_COLOURS[row["target"]], edgecolor="black", zorder=3,
                   label=row["target"])
    ax.set_xlabel(f"autoantibody removed by day {autoantibody_day:.0f} (%)")
    ax.set_ylabel(f"vaccine titre kept at day {vaccine_day:.0f} (%)")
    ax.set_xlim(-5, 105)
    ax.set_ylim(-5, 105)
    ax.annotate("ideal", xy=(100, 100), xytext=(78, 80), arrowprops={"arrowstyle": "->", "color": "0.4"}, color="0.3")
    ax.legend(title="CAR target", loc="lower left")
    return fig, ax
