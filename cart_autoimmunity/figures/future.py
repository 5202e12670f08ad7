"""Figures for the chapter on off-the-shelf (allogeneic) and in vivo CAR T cells.

They draw the tables of :func:`cart_autoimmunity.kinetics.rejection_sweep`,
:func:`cart_autoimmunity.kinetics.rejection_runs` and
:func:`cart_autoimmunity.in_vivo.dose_count_sweep`.

The plot helpers return the matplotlib figure; the chapter leaves it as the cell's only output.
Colours: autologous = ``SCENARIO_COLOURS["autoimmune"]``, donor cells = ``"allogeneic"``,
LNP doses = ``"in_vivo"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import validation
from .style import MAX_FIGURE_WIDTH_IN, SCENARIO_COLOURS, SMALL_FONT_PT, new_figure

#: Line styles for increasing rejection hazards (the first, no rejection, is solid).
_DASHES = ("-", "--", "-.", ":", (0, (1, 1)), (0, (5, 1, 1, 1, 1, 1)))
#: Legend text for the cytokine comparison.
_THERAPY_LABELS = {
    "autoimmune": "own cells, after lymphodepletion",
    "allogeneic": "donor cells, rejected",
    "in_vivo": "one LNP dose, no lymphodepletion",
}
DEPTH_LINE = 1e-3


def _rejection_style(index: int, value: float) -> dict:
    colour = (
        SCENARIO_COLOURS["autoimmune"] if value == 0 else SCENARIO_COLOURS["allogeneic"]
    )
    return {"color": colour, "linestyle": _DASHES[index % len(_DASHES)], "linewidth": 2}


def _rejection_label(value: float) -> str:
    return "own cells" if value == 0 else f"donor, {value:g}/day"


def plot_rejection_time_courses(runs: dict, *, detection_limit_per_ul: float):
    """CAR T cells in blood (left) and B cells as a fraction of normal (right) per ``r_max``.

    ``runs`` is :func:`cart_autoimmunity.kinetics.rejection_runs` output. Dotted guides: the
    CAR T detection limit (cells/µL) and one-thousandth of normal B cells.
    """
    validation.require_positive("detection_limit_per_ul", detection_limit_per_ul)
    validation.require_mapping("runs", runs, empty=True)
    if not runs:
        raise ValueError("runs must contain at least one rejection hazard")
    fig, (left, right) = new_figure(ncols=2, width_in=MAX_FIGURE_WIDTH_IN)
    for i, (value, frame) in enumerate(sorted(runs.items())):
        style = _rejection_style(i, value)
        left.plot(
            frame["time_days"],
            np.maximum(frame["car_t_per_ul"], 1e-3),
            label=_rejection_label(value),
            **style,
        )
        right.plot(
            frame["time_days"],
            np.maximum(frame["b_cells_fraction_of_normal"], 1e-10),
            **style,
        )
    left.axhline(
        detection_limit_per_ul,
        color=SCENARIO_COLOURS["reference"],
        linestyle=":",
        linewidth=1.5,
        label="detection limit",
    )
    right.axhline(
        DEPTH_LINE, color=SCENARIO_COLOURS["reference"], linestyle=":", linewidth=1.5
    )
    right.axvline(
        14.0, color=SCENARIO_COLOURS["reference"], linestyle="--", linewidth=1
    )
    right.text(
        118.0, 3e-4, "1/1000 of normal", fontsize=SMALL_FONT_PT, color="0.3", ha="right"
    )
    for ax, label, floor in (
        (left, "CAR T cells in blood (cells/µL)", 1e-3),
        (right, "B cells (fraction of normal)", 1e-10),
    ):
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor)
        ax.set_xlabel("Days after infusion")
        ax.set_ylabel(label)
    fig.legend(loc="outside lower center", ncols=3, fontsize=SMALL_FONT_PT)
    return fig


def plot_rejection_sweep(sweep: pd.DataFrame):
    """Persistence and B-cell return (left) against depth of depletion on day 14 (right), per ``r_max``."""
    needed = {
        "rejection_max_per_day",
        "last_day_above_lod",
        "b_return_day",
        "b_fraction_day_14",
    }
    if (
        not isinstance(sweep, pd.DataFrame)
        or not needed <= set(sweep.columns)
        or sweep.empty
    ):
        raise ValueError(
            f"sweep must be a non-empty table with columns {sorted(needed)}"
        )
    x = sweep["rejection_max_per_day"]
    fig, (left, right) = new_figure(ncols=2, width_in=MAX_FIGURE_WIDTH_IN)
    left.plot(
        x,
        sweep["last_day_above_lod"],
        "o-",
        color=SCENARIO_COLOURS["allogeneic"],
        linewidth=2,
        label="CAR T last detectable",
    )
    left.plot(
        x,
        sweep["b_return_day"],
        "s--",
        color=SCENARIO_COLOURS["autoimmune"],
        linewidth=2,
        label="B cells back (5%)",
    )
    left.set_ylim(bottom=0)
    left.set_xlabel("Host rejection hazard (per day)")
    left.set_ylabel("Day after infusion")
    right.plot(
        x,
        np.maximum(sweep["b_fraction_day_14"], 1e-12),
        "o-",
        color=SCENARIO_COLOURS["allogeneic"],
        linewidth=2,
        label="B cells on day 14",
    )
    right.axhline(
        DEPTH_LINE,
        color=SCENARIO_COLOURS["reference"],
        linestyle=":",
        linewidth=1.5,
        label="1/1000 of normal",
    )
    right.set_yscale("log")
    right.set_xlabel("Host rejection hazard (per day)")
    right.set_ylabel("B cells on day 14 (fraction of normal)")
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    return fig


def plot_dose_count_sweep(sweep: pd.DataFrame):
    """Days with B cells below 1% of normal against the number of LNP doses (bars)."""
    needed = {"doses", "days_b_below_1pct"}
    if (
        not isinstance(sweep, pd.DataFrame)
        or not needed <= set(sweep.columns)
        or sweep.empty
    ):
        raise ValueError(
            f"sweep must be a non-empty table with columns {sorted(needed)}"
        )
    fig, ax = new_figure()
    ax.bar(
        sweep["doses"],
        sweep["days_b_below_1pct"],
        color=SCENARIO_COLOURS["in_vivo"],
        width=0.6,
        label="model (assumed inputs)",
    )
    ax.axhline(
        14.0,
        color=SCENARIO_COLOURS["reference"],
        linestyle=":",
        linewidth=1.5,
        label="two weeks",
    )
    ax.set_xticks(sweep["doses"])
    ax.set_xlabel("Number of weekly LNP doses")
    ax.set_ylabel("Days with B cells below 1% of normal")
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    return fig


def plot_cytokine_comparison(results: dict, *, days: float = 30.0):
    """The cytokine proxy over the first ``days`` for each therapy (log scale).

    ``results`` maps ``"autoimmune"``, ``"allogeneic"`` or ``"in_vivo"`` to a run table with
    ``time_days`` and ``cytokine_proxy``; each keeps its book-wide colour.
    """
    validation.require_mapping("results", results, empty=True)
    if not results:
        raise ValueError("results must contain at least one run")
    validation.require_positive("days", days)
    fig, ax = new_figure()
    for key, frame in results.items():
        key = validation.require_choice("therapy", key, _THERAPY_LABELS)
        shown = frame[frame["time_days"] <= days]
        ax.plot(
            shown["time_days"],
            np.maximum(shown["cytokine_proxy"], 1e-2),
            color=SCENARIO_COLOURS[key],
            linewidth=2,
            linestyle="--" if key == "in_vivo" else "-",
            label=_THERAPY_LABELS[key],
        )
    ax.set_yscale("log")
    ax.set_ylim(bottom=1e-2)
    ax.set_xlabel("Days after infusion or dose")
    ax.set_ylabel("Cytokine proxy (10⁹ killed cells/day)")
    fig.legend(loc="outside lower center", ncols=1, fontsize=SMALL_FONT_PT)
    return fig
