"""Tables and figures for the chapter on off-the-shelf (allogeneic) and in vivo CAR T cells.

Two small sweeps that run the existing models (no new biology):

* :func:`rejection_sweep`: M1 + M4 (:func:`cart_autoimmunity.kinetics.simulate`) for several
  host-rejection hazards ``r_max``; one row per ``r_max``.
* :func:`dose_count_sweep`: M5 (:func:`cart_autoimmunity.in_vivo.simulate_in_vivo`) for one to
  ``max_doses`` evenly spaced LNP doses; one row per number of doses.

The plot helpers return the matplotlib figure; the chapter leaves it as the cell's only output.
Colours: autologous = ``SCENARIO_COLOURS["autoimmune"]``, donor cells = ``"allogeneic"``,
LNP doses = ``"in_vivo"``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import in_vivo, kinetics, validation
from .parameters.in_vivo import InVivoParameters
from .parameters.kinetics import KineticsParameters
from .style import SCENARIO_COLOURS, new_figure

#: Columns of :func:`rejection_sweep` besides ``rejection_max_per_day``.
REJECTION_READOUTS = ("car_t_peak_day", "car_t_peak_per_ul", "last_day_above_lod", "b_fraction_day_14",
                      "days_b_below_1pct", "b_return_day", "cytokine_peak")
#: Line styles for increasing rejection hazards (the first, r_max = 0, is solid).
_DASHES = ("-", "--", "-.", ":", (0, (1, 1)), (0, (5, 1, 1, 1, 1, 1)))
#: Legend text for the cytokine comparison.
_THERAPY_LABELS = {
    "autoimmune": "autologous CAR T (after lymphodepletion)",
    "allogeneic": "donor CAR T, rejected",
    "in_vivo": "one LNP dose (no lymphodepletion)",
}
DEPTH_LINE = 1e-3


def _params(params) -> KineticsParameters:
    return kinetics._check_params(params)


def rejection_sweep(rejection_values=(0.0, 0.1, 0.2, 0.4, 0.8), params: KineticsParameters | None = None, *,
                    days: float = 365.0) -> pd.DataFrame:
    """Read-outs of the autoimmune run for each host-rejection hazard ``r_max`` (1/day).

    ``r(t) = r_max (1 - exp(-t / tau_rec))`` removes effector and memory CAR T cells
    (:mod:`cart_autoimmunity.kinetics`); ``r_max = 0`` is the autologous run. One row per value,
    columns ``rejection_max_per_day`` and :data:`REJECTION_READOUTS` (days, cells/µL, fraction of
    normal B cells, cytokine proxy).
    """
    params = _params(params)
    values = np.atleast_1d(np.asarray(rejection_values, dtype=float))
    if values.size == 0:
        raise ValueError("rejection_values must contain at least one value")
    for value in values:
        validation.require_non_negative("rejection_max_per_day", value)
    rows = []
    for value in values:
        run_params = params.replace(rejection_max_per_day=float(value))
        out = kinetics.readouts(kinetics.simulate("autoimmune", run_params, days=days), run_params)
        rows.append({"rejection_max_per_day": float(value), **{k: out[k] for k in REJECTION_READOUTS}})
    return pd.DataFrame(rows)


def rejection_runs(rejection_values=(0.0, 0.1, 0.2, 0.4), params: KineticsParameters | None = None, *,
                   days: float = 120.0) -> dict:
    """``{r_max: simulate() table}`` for :func:`plot_rejection_time_courses`."""
    params = _params(params)
    runs = {}
    for value in rejection_values:
        validation.require_non_negative("rejection_max_per_day", value)
        runs[float(value)] = kinetics.simulate("autoimmune", params.replace(rejection_max_per_day=float(value)), days=days)
    if not runs:
        raise ValueError("rejection_values must contain at least one value")
    return runs


def dose_count_sweep(max_doses: int = 6, interval_days: float = 7.0, params: KineticsParameters | None = None,
                     in_vivo_params: InVivoParameters | None = None) -> pd.DataFrame:
    """M5 read-outs for 1..``max_doses`` LNP doses given every ``interval_days``.

    One row per number of doses: ``doses, last_dose_day, days_b_below_1pct, b_nadir_fraction,
    b_recovery_day, recovery_after_last_dose_days`` (days; fraction of normal B cells).
    """
    max_doses = validation.require_integer("max_doses", max_doses, minimum=1)
    validation.require_positive("interval_days", interval_days)
    rows = []
    for n in range(1, max_doses + 1):
        schedule = np.arange(n) * float(interval_days)
        out = in_vivo.in_vivo_readouts(in_vivo.simulate_in_vivo(schedule, params, in_vivo_params), params, in_vivo_params)
        rows.append({k: out[k] for k in ("doses", "last_dose_day", "days_b_below_1pct", "b_nadir_fraction",
                                          "b_recovery_day", "recovery_after_last_dose_days")})
    return pd.DataFrame(rows)


def _rejection_style(index: int, value: float) -> dict:
    colour = SCENARIO_COLOURS["autoimmune"] if value == 0 else SCENARIO_COLOURS["allogeneic"]
    return {"color": colour, "linestyle": _DASHES[index % len(_DASHES)], "linewidth": 2}


def _rejection_label(value: float) -> str:
    return "autologous (no rejection)" if value == 0 else f"donor, r_max = {value:g} per day"


def plot_rejection_time_courses(runs: dict, params: KineticsParameters | None = None):
    """CAR T cells in blood (left) and B cells as a fraction of normal (right) per ``r_max``.

    ``runs`` is :func:`rejection_runs` output. Dotted guides: the CAR T detection limit and
    one-thousandth of normal B cells.
    """
    params = _params(params)
    if not runs:
        raise ValueError("runs must contain at least one rejection hazard")
    fig, (left, right) = new_figure(ncols=2, width_in=7.2)
    for i, (value, frame) in enumerate(sorted(runs.items())):
        style = _rejection_style(i, value)
        left.plot(frame["time_days"], np.maximum(frame["car_t_per_ul"], 1e-3), label=_rejection_label(value), **style)
        right.plot(frame["time_days"], np.maximum(frame["b_cells_fraction_of_normal"], 1e-10), **style)
    lod = params.detection_limit_cells * params.cells_to_per_ul
    left.axhline(lod, color=SCENARIO_COLOURS["reference"], linestyle=":", linewidth=1.5, label="detection limit")
    right.axhline(DEPTH_LINE, color=SCENARIO_COLOURS["reference"], linestyle=":", linewidth=1.5)
    right.axvline(14.0, color=SCENARIO_COLOURS["reference"], linestyle="--", linewidth=1)
    right.text(118.0, 3e-4, "1/1000 of normal", fontsize=9, color="0.3", ha="right")
    for ax, label, floor in ((left, "CAR T cells in blood (cells/µL)", 1e-3), (right, "B cells (fraction of normal)", 1e-10)):
        ax.set_yscale("log")
        ax.set_ylim(bottom=floor)
        ax.set_xlabel("Days after infusion")
        ax.set_ylabel(label)
    left.legend(loc="upper right", fontsize=8)
    return fig


def plot_rejection_sweep(sweep: pd.DataFrame):
    """Persistence and B-cell return (left) against depth of depletion on day 14 (right), per ``r_max``."""
    needed = {"rejection_max_per_day", "last_day_above_lod", "b_return_day", "b_fraction_day_14"}
    if not isinstance(sweep, pd.DataFrame) or not needed <= set(sweep.columns) or sweep.empty:
        raise ValueError(f"sweep must be a non-empty table with columns {sorted(needed)}")
    x = sweep["rejection_max_per_day"]
    fig, (left, right) = new_figure(ncols=2, width_in=7.2)
    left.plot(x, sweep["last_day_above_lod"], "o-", color=SCENARIO_COLOURS["allogeneic"], linewidth=2,
              label="CAR T last detectable")
    left.plot(x, sweep["b_return_day"], "s--", color=SCENARIO_COLOURS["autoimmune"], linewidth=2,
              label="B cells back to 5% of normal")
    left.set_ylim(bottom=0)
    left.set_xlabel("Host rejection hazard r_max (per day)")
    left.set_ylabel("Day after infusion")
    left.legend(loc="upper right", fontsize=8)
    right.plot(x, np.maximum(sweep["b_fraction_day_14"], 1e-12), "o-", color=SCENARIO_COLOURS["allogeneic"], linewidth=2,
               label="B cells on day 14")
    right.axhline(DEPTH_LINE, color=SCENARIO_COLOURS["reference"], linestyle=":", linewidth=1.5, label="1/1000 of normal")
    right.set_yscale("log")
    right.set_xlabel("Host rejection hazard r_max (per day)")
    right.set_ylabel("B cells on day 14 (fraction of normal)")
    right.legend(loc="lower right", fontsize=8)
    return fig


def plot_dose_count_sweep(sweep: pd.DataFrame):
    """Days with B cells below 1% of normal against the number of LNP doses (bars)."""
    needed = {"doses", "days_b_below_1pct"}
    if not isinstance(sweep, pd.DataFrame) or not needed <= set(sweep.columns) or sweep.empty:
        raise ValueError(f"sweep must be a non-empty table with columns {sorted(needed)}")
    fig, ax = new_figure()
    ax.bar(sweep["doses"], sweep["days_b_below_1pct"], color=SCENARIO_COLOURS["in_vivo"], width=0.6,
           label="model (all in vivo parameters assumed)")
    ax.axhline(14.0, color=SCENARIO_COLOURS["reference"], linestyle=":", linewidth=1.5, label="two weeks")
    ax.set_xticks(sweep["doses"])
    ax.set_xlabel("Number of weekly LNP doses")
    ax.set_ylabel("Days with B cells below 1% of normal")
    ax.legend(loc="upper left")
    return fig


def plot_cytokine_comparison(results: dict, *, days: float = 30.0):
    """The cytokine proxy over the first ``days`` for each therapy (log scale).

    ``results`` maps ``"autoimmune"``, ``"allogeneic"`` or ``"in_vivo"`` to a run table with
    ``time_days`` and ``cytokine_proxy``; each keeps its book-wide colour.
    """
    if not results:
        raise ValueError("results must contain at least one run")
    validation.require_positive("days", days)
    fig, ax = new_figure()
    for key, frame in results.items():
        key = validation.require_choice("therapy", key, _THERAPY_LABELS)
        shown = frame[frame["time_days"] <= days]
        ax.plot(shown["time_days"], np.maximum(shown["cytokine_proxy"], 1e-2), color=SCENARIO_COLOURS[key],
                linewidth=2, linestyle="--" if key == "in_vivo" else "-", label=_THERAPY_LABELS[key])
    ax.set_yscale("log")
    ax.set_ylim(bottom=1e-2)
    ax.set_xlabel("Days after infusion or dose")
    ax.set_ylabel("Cytokine proxy (10⁹ killed cells/day)")
    ax.legend(loc="upper right")
    return fig
