"""Figures for the antibody model (chapters 6 and 9). Each returns ``(fig, axes)``.

All take the tidy tables of :mod:`cart_autoimmunity.antibodies` (:func:`plot_reseeding`:
those of :func:`cart_autoimmunity.antibodies.reseeding_runs`) and check them first.
Legends sit outside the axes, below them, so that they stay readable on a phone.
"""

from __future__ import annotations

import pandas as pd

from .. import validation
from ._shared import WIDTH_IN, legend_below_axes
from .style import OKABE_ITO, QUANTITY_COLOURS, TARGET_COLOURS, new_figure

#: Panel titles of the antibody quantities.
LABELS = {
    "autoantibody": "Autoantibody",
    "vaccine_antibody": "Vaccine antibody",
    "plasmablasts": "Short-lived plasmablasts",
    "b_cells": "Autoreactive B cells",
}

#: Columns of a :func:`cart_autoimmunity.antibodies.simulate_targets` table.
TIME_COURSE_COLUMNS = ("time_days", "target", "quantity", "fraction_of_baseline")

#: Columns of a :func:`cart_autoimmunity.antibodies.tradeoff_summary` table.
TRADEOFF_COLUMNS = ("target", "autoantibody_fraction", "vaccine_titre_fraction")


def _known_targets(name: str, targets) -> None:
    unknown = sorted(set(targets) - set(TARGET_COLOURS))
    if unknown:
        raise ValueError(f"{name} has unknown targets {unknown}")


def plot_antibody_time_courses(frame: pd.DataFrame, window_days: float | None = None):
    """Autoantibody (left) and vaccine antibody (right) over time, one line per target.

    The grey band, if ``window_days`` is given, marks the days in which CAR T cells
    kill.
    """
    validation.require_columns("frame", frame, TIME_COURSE_COLUMNS)
    quantities = ("autoantibody", "vaccine_antibody")
    for quantity in quantities:
        if not (frame["quantity"] == quantity).any():
            raise ValueError(f"frame has no rows for {quantity!r}")
    _known_targets("frame", frame["target"].unique())
    if window_days is not None:
        window_days = validation.require_non_negative("window_days", window_days)
    fig, axes = new_figure(ncols=2, width_in=6.4, height_in=3.8, sharey=True)
    for ax, quantity in zip(axes, quantities, strict=True):
        rows = frame[frame["quantity"] == quantity]
        for target, group in rows.groupby("target", sort=False):
            ax.plot(
                group["time_days"],
                100 * group["fraction_of_baseline"],
                color=TARGET_COLOURS[target],
                lw=2,
                label="no CAR T" if target == "none" else target,
                ls="--" if target == "CD20" else "-",
            )
        if window_days is not None:
            ax.axvspan(0, window_days, color="0.9", zorder=0, label="CAR T active")
        ax.set_title(LABELS[quantity], loc="left")
        ax.set_xlabel("Days after infusion")
        ax.set_ylim(-3, 105)
    axes[0].set_ylabel("% of pre-treatment level")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 3))
    return fig, axes


def plot_tradeoff(
    summary: pd.DataFrame, autoantibody_day: float = 90, vaccine_day: float = 365
):
    """Autoantibody removed (x) against vaccine titre kept (y); the ideal is top
    right."""
    validation.require_columns("summary", summary, TRADEOFF_COLUMNS)
    if summary.empty:
        raise ValueError("summary must have at least one target")
    _known_targets("summary", summary["target"])
    autoantibody_day = validation.require_non_negative(
        "autoantibody_day", autoantibody_day
    )
    vaccine_day = validation.require_non_negative("vaccine_day", vaccine_day)
    fig, ax = new_figure(width_in=5.6, height_in=5.0)
    for _, row in summary.iterrows():
        removed = 100 * (1 - row["autoantibody_fraction"])
        kept = 100 * row["vaccine_titre_fraction"]
        ax.scatter(
            removed,
            kept,
            s=110,
            color=TARGET_COLOURS[row["target"]],
            edgecolor="black",
            zorder=3,
            label="no CAR T" if row["target"] == "none" else row["target"],
        )
    ax.set_xlabel(f"Autoantibody removed by day {autoantibody_day:.0f} (%)")
    ax.set_ylabel(f"Vaccine titre kept at day {vaccine_day:.0f} (%)")
    ax.set_xlim(-5, 105)
    ax.set_ylim(-5, 105)
    ax.annotate(
        "ideal",
        xy=(100, 100),
        xytext=(78, 80),
        arrowprops={"arrowstyle": "->", "color": "0.4"},
        color="0.3",
    )
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        title="CAR target",
        loc="outside lower center",
        ncols=min(len(labels), 5),
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
    legend_below_axes(fig, ax)
    return fig, ax
