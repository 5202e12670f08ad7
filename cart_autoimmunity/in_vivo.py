r"""Model M5: in vivo CAR T cells made by mRNA-LNP doses, on top of M1's B-cell machinery.

No lymphodepletion (B cells and precursors start at their normal steady state) and no
infused cells (``E = M = 0``). Each dose on day ``t_j`` adds ``eta`` CAR+ T cells to a
non-proliferating pool ``V`` that loses CAR expression at ``k_CAR`` (mRNA is not copied):
:data:`EQUATIONS`,

.. math:: \dot V = -k_{CAR} V + \sum_j \eta\, \delta(t - t_j), \qquad
          V(t) = \sum_{t_j \le t} \eta\, e^{-k_{CAR} (t - t_j)}

``V`` kills blood B cells with M1's rate ``kappa`` and marrow precursors with weight
``w_V`` (an assumption: short-lived blood CAR+ cells barely reach the marrow). Every other
equation is M1 (:mod:`cart_autoimmunity.kinetics`). Parameters:
:class:`~cart_autoimmunity.parameters.in_vivo.InVivoParameters`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from . import cytokines, kinetics, validation
from .parameters.in_vivo import InVivoParameters
from .parameters.kinetics import KineticsParameters, SevereCRSParameters

#: The CAR+ pool of M5 in TeX (rows of an ``aligned`` block), as the module docstring states
#: it: the model appendix shows this one; M1's row for ``V`` is this one without doses.
EQUATIONS = r"""
\dot V &= -k_{CAR} V + \sum_j \eta\,\delta(t - t_j) \\
V(t) &= \sum_{t_j \le t} \eta\, e^{-k_{CAR}(t - t_j)}
"""

#: Named dosing schedules (dose days). Weekly x6 follows the Descartes-08 myasthenia trials.
SCHEDULES = {
    "single": (0.0,),
    "weekly_x6": tuple(7.0 * i for i in range(6)),
    "every_2_weeks_x6": tuple(14.0 * i for i in range(6)),
    "monthly_x6": tuple(28.0 * i for i in range(6)),
}


def _in_vivo(in_vivo_params) -> InVivoParameters:
    return InVivoParameters.resolve(in_vivo_params, "in_vivo_params")


#: Output step of the in vivo runs (days): fine enough to catch each dose's cytokine peak.
OUTPUT_STEP_DAYS = 0.1

#: The most doses one schedule may have: daily for a year, far beyond any schedule the book
#: asks about; a larger number is a typo and would only make the solve slow.
MAX_DOSES = 365


def schedule_days(schedule) -> np.ndarray:
    """Dose days for a schedule name in :data:`SCHEDULES` or a strictly increasing sequence of days ≥ 0."""
    if isinstance(schedule, str):
        schedule = SCHEDULES[validation.require_choice("schedule", schedule, SCHEDULES)]
    days = validation.require_increasing("schedule", schedule)
    if days.size > MAX_DOSES:
        raise ValueError(
            f"schedule must have at most {MAX_DOSES} doses, got {days.size}"
        )
    if days[0] < 0:
        raise ValueError(f"schedule days must be >= 0, got {days.tolist()!r}")
    return days


def car_pool_closed_form(
    time_days, schedule, in_vivo_params: InVivoParameters | None = None
) -> np.ndarray:
    """Exact ``V(t) = sum_j eta exp(-k_CAR (t - t_j))`` over doses with ``t_j <= t``.

    ``time_days`` counts days after the first possible dose (day 0); times before it
    (t < 0) are refused, as everywhere in the package.
    """
    p = _in_vivo(in_vivo_params)
    t = validation.require_array("time_days", time_days, minimum=0.0)[..., None]
    doses = schedule_days(schedule)
    elapsed = t - doses
    return np.where(
        elapsed >= 0,
        p.car_cells_per_dose
        * np.exp(-p.car_expression_loss_per_day * np.maximum(elapsed, 0)),
        0.0,
    ).sum(-1)


def periodic_pool_bounds(
    interval_days: float, in_vivo_params: InVivoParameters | None = None
) -> tuple[float, float]:
    """Trough and peak of V under endless dosing every ``interval_days``.

    ``trough = eta q / (1 - q)`` and ``peak = eta / (1 - q)`` with ``q = exp(-k_CAR interval)``.
    """
    p = _in_vivo(in_vivo_params)
    interval = validation.require_positive("interval_days", interval_days)
    q = np.exp(-p.car_expression_loss_per_day * interval)
    return float(p.car_cells_per_dose * q / (1 - q)), float(
        p.car_cells_per_dose / (1 - q)
    )


def in_vivo_rates(params: KineticsParameters, in_vivo_params: InVivoParameters) -> dict:
    """M1 rates without lymphodepletion drive, plus the pool's CAR loss and marrow access."""
    in_vivo_params = InVivoParameters.resolve(in_vivo_params, "in_vivo_params")
    rates = kinetics.scenario_rates(params, "autoimmune")
    rates.update(
        p_H=0.0,
        w_v=in_vivo_params.marrow_access_weight,
        k_car=in_vivo_params.car_expression_loss_per_day,
    )
    return rates


def simulate_in_vivo(
    schedule="weekly_x6",
    params: KineticsParameters | None = None,
    in_vivo_params: InVivoParameters | None = None,
    *,
    days: float | None = None,
    step_days: float = OUTPUT_STEP_DAYS,
) -> pd.DataFrame:
    """One patient given LNP doses on ``schedule``; same columns as :func:`kinetics.simulate`.

    ``days`` defaults to 120 days after the last dose. ``in_vivo_car_cells`` is the pool V
    (equal to ``car_t_cells`` here). The dose days are stored in ``frame.attrs["dose_days"]``.
    """
    params = kinetics.check_params(params)
    p = _in_vivo(in_vivo_params)
    doses = schedule_days(schedule)
    days = (
        float(doses[-1] + 120.0)
        if days is None
        else validation.require_positive("days", days)
    )
    if doses[-1] >= days:
        raise ValueError(
            f"the last dose (day {doses[-1]}) must fall before the end of the run (day {days})"
        )
    t = kinetics.time_grid(days, step_days)
    rates = in_vivo_rates(params, p)
    y0 = kinetics.initial_state(
        params, 1, dose_cells=0.0, survival_fraction=1.0, rates=rates
    )
    later = doses[doses > 0]
    if doses[0] == 0:
        y0[kinetics.STATE_ROWS["in_vivo_car_cells"]] += p.car_cells_per_dose
    else:
        later = doses
    out = kinetics.solve(
        rates,
        y0,
        params.maturation_stages,
        t,
        dose_days=later,
        dose_cells=p.car_cells_per_dose,
    )
    runs = kinetics.PatientRuns(
        t, kinetics.states_dict(out, params.maturation_stages), rates, params
    )
    frame = kinetics.runs_frame(runs)
    frame.attrs["dose_days"] = doses.tolist()
    return frame


def simulate_in_vivo_schedules(
    schedules,
    params: KineticsParameters | None = None,
    in_vivo_params: InVivoParameters | None = None,
    *,
    step_days: float = OUTPUT_STEP_DAYS,
) -> list[pd.DataFrame]:
    """Several patients, each dosed on its own schedule, in one vectorised solve.

    Returns one table per schedule, as :func:`simulate_in_vivo` returns it with its default
    length (120 days after the last dose). The patients share the solver's steps, so the
    values agree with separate runs to the solver's tolerance, not bit for bit.
    """
    params = kinetics.check_params(params)
    p = _in_vivo(in_vivo_params)
    if isinstance(schedules, (str, bytes)) or not isinstance(schedules, Iterable):
        raise TypeError(
            f"schedules must be a sequence of schedules, got {type(schedules).__name__}"
        )
    doses = [schedule_days(schedule) for schedule in schedules]
    if not doses:
        raise ValueError("schedules must contain at least one schedule")
    ends = [float(d[-1] + 120.0) for d in doses]
    t = kinetics.time_grid(max(ends), step_days)
    rates = in_vivo_rates(params, p)
    y = kinetics.initial_state(
        params, len(doses), dose_cells=0.0, survival_fraction=1.0, rates=rates
    )
    days = np.unique(np.concatenate([[0.0], *doses]))
    # given[k, i]: CAR+ cells that dose day days[k] adds to patient i's pool V
    given = p.car_cells_per_dose * np.array(
        [[float(np.isin(day, d)) for d in doses] for day in days]
    )
    out = np.empty((y.shape[0], len(doses), t.size))
    bounds = [*days, t[-1]]
    for k, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:])):
        y[kinetics.STATE_ROWS["in_vivo_car_cells"]] += given[k]
        last = k == len(days) - 1
        mask = (t >= start) & ((t <= stop) if last else (t < stop))
        later = t[mask & (t > start)]
        span = np.concatenate([[start], later, [] if last else [stop]])
        values = kinetics.solve(rates, y, params.maturation_stages, span)
        first = 0 if mask.sum() > later.size else 1  # a grid point on the dose day
        out[:, :, mask] = values[:, :, first : 1 + later.size]
        y = values[:, :, -1].copy()
    frames = []
    for patient, (d, end) in enumerate(zip(doses, ends)):
        time_days = kinetics.time_grid(end, step_days)
        states = kinetics.states_dict(
            out[:, :, : time_days.size], params.maturation_stages
        )
        runs = kinetics.PatientRuns(time_days, states, rates, params)
        frame = kinetics.runs_frame(runs, patient=patient)
        frame.attrs["dose_days"] = d.tolist()
        frames.append(frame)
    return frames


def in_vivo_readouts(
    result: pd.DataFrame,
    params: KineticsParameters | None = None,
    in_vivo_params: InVivoParameters | None = None,
) -> dict:
    """Read-outs of :func:`simulate_in_vivo`.

    ``days_b_below_1pct`` (time with B cells under ``b_depleted_fraction`` of normal),
    ``b_nadir_fraction``, ``b_return_day`` (end of the last period with B cells below
    ``b_return_fraction`` of normal; NaN if still below at the end), ``recovery_after_last_dose_days``,
    ``cytokine_peak`` and ``car_pool_peak_cells``.
    """
    params = kinetics.check_params(params)
    p = _in_vivo(in_vivo_params)
    if not isinstance(result, pd.DataFrame) or "dose_days" not in result.attrs:
        raise ValueError("result must be a table returned by simulate_in_vivo()")
    t = result["time_days"].to_numpy()
    b = result["b_cells_fraction_of_normal"].to_numpy()
    last_dose = max(result.attrs["dose_days"])
    below = b[:-1] < p.b_depleted_fraction
    low = np.flatnonzero(b < params.b_return_fraction)
    if low.size and low[-1] < t.size - 1:
        i = int(low[-1]) + 1  # first point of the final recovery
        recovery = float(
            np.interp(params.b_return_fraction, [b[i - 1], b[i]], [t[i - 1], t[i]])
        )
    else:
        recovery = float("nan")
    return {
        "doses": len(result.attrs["dose_days"]),
        "last_dose_day": float(last_dose),
        "days_b_below_1pct": float((below * np.diff(t)).sum()),
        "b_nadir_fraction": float(b.min()),
        "b_return_day": recovery,
        "recovery_after_last_dose_days": recovery - float(last_dose),
        "cytokine_peak": float(result["cytokine_proxy"].max()),
        "car_pool_peak_cells": float(result["in_vivo_car_cells"].max()),
    }


def schedule_table(
    schedules=tuple(SCHEDULES),
    params: KineticsParameters | None = None,
    in_vivo_params: InVivoParameters | None = None,
) -> pd.DataFrame:
    """One row per schedule name with the read-outs of :func:`in_vivo_readouts`."""
    rows = []
    for name in validation.require_names("schedules", schedules, SCHEDULES):
        out = in_vivo_readouts(
            simulate_in_vivo(name, params, in_vivo_params), params, in_vivo_params
        )
        rows.append({"schedule": name, **out})
    return pd.DataFrame(rows)


def dose_count_sweep(
    max_doses: int = 6,
    interval_days: float = 7.0,
    params: KineticsParameters | None = None,
    in_vivo_params: InVivoParameters | None = None,
) -> pd.DataFrame:
    """M5 read-outs for 1..``max_doses`` LNP doses given every ``interval_days`` (one solve).

    One row per number of doses: ``doses, last_dose_day, days_b_below_1pct, b_nadir_fraction,
    b_return_day, recovery_after_last_dose_days`` (days; fraction of normal B cells).
    """
    max_doses = validation.require_integer(
        "max_doses", max_doses, minimum=1, maximum=MAX_DOSES
    )
    validation.require_positive("interval_days", interval_days)
    schedules = [np.arange(n) * float(interval_days) for n in range(1, max_doses + 1)]
    rows = []
    for frame in simulate_in_vivo_schedules(schedules, params, in_vivo_params):
        out = in_vivo_readouts(frame, params, in_vivo_params)
        rows.append(
            {
                k: out[k]
                for k in (
                    "doses",
                    "last_dose_day",
                    "days_b_below_1pct",
                    "b_nadir_fraction",
                    "b_return_day",
                    "recovery_after_last_dose_days",
                )
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Grid: dose count against dose interval (chapter 10's explorable figure)
# --------------------------------------------------------------------------------------------
#: Default grid of :func:`dose_schedule_grid`: number of doses and days between doses.
DOSE_COUNTS = (1, 2, 3, 4, 5, 6)
DOSE_INTERVALS_DAYS = (3.0, 7.0, 14.0, 21.0, 28.0)

#: Read-outs of :func:`dose_schedule_grid` (see :func:`in_vivo_readouts`).
SCHEDULE_GRID_READOUTS = (
    "last_dose_day",
    "days_b_below_1pct",
    "b_nadir_fraction",
    "b_return_day",
    "recovery_after_last_dose_days",
    "cytokine_peak",
)


def dose_schedule_grid(
    dose_counts=DOSE_COUNTS,
    intervals_days=DOSE_INTERVALS_DAYS,
    params: KineticsParameters | None = None,
    in_vivo_params: InVivoParameters | None = None,
    crs_params: SevereCRSParameters | None = None,
    *,
    sample_every_days: float = 1.0,
    fine_days_after_dose: float = 3.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """M5 over a grid of dose count and interval: ``n`` doses on days ``0, d, ..., (n-1) d``.

    Each grid point is the run of that schedule (default length and step; all schedules in
    one solve, :func:`simulate_in_vivo_schedules`) and its :func:`in_vivo_readouts`, plus
    the severe-CRS risk of its cytokine peak (:func:`cytokines.severe_crs_probability`). A
    single dose does not depend on the interval and is run once. Returns two tidy tables:

    * ``grid``: one row per grid point (dose count outermost), columns ``doses,
      interval_days``, :data:`SCHEDULE_GRID_READOUTS`, ``severe_crs_probability``,
      ``b_depleted_fraction`` and ``b_return_fraction`` (the read-outs' thresholds);
    * ``time_courses``: one row per grid point and sampled time, columns ``doses,
      interval_days, time_days, b_cells_fraction_of_normal, cytokine_proxy``: every output
      step (:data:`OUTPUT_STEP_DAYS`) in the ``fine_days_after_dose`` after each dose,
      where the cytokine proxy peaks, and every ``sample_every_days`` otherwise.
    """
    params = kinetics.check_params(params)
    iv = _in_vivo(in_vivo_params)
    # checked before the runs, not after
    crs_params = SevereCRSParameters.resolve(crs_params, "crs_params")
    counts = [
        validation.require_integer("dose_counts", n, minimum=1, maximum=MAX_DOSES)
        for n in np.atleast_1d(validation.require_array("dose_counts", dose_counts))
    ]
    intervals = [
        validation.require_positive("intervals_days", d)
        for d in np.atleast_1d(
            validation.require_array("intervals_days", intervals_days)
        )
    ]
    for name, values in (("dose_counts", counts), ("intervals_days", intervals)):
        if not values or len(set(values)) != len(values):
            raise ValueError(
                f"{name} must be non-empty without repeats, got {values!r}"
            )
    every = validation.require_multiple(
        "sample_every_days", sample_every_days, OUTPUT_STEP_DAYS
    )
    fine = validation.require_non_negative("fine_days_after_dose", fine_days_after_dose)
    points = [
        (n, float(interval), tuple(float(interval) * i for i in range(n)))
        for n in counts
        for interval in intervals
    ]
    distinct = list(dict.fromkeys(schedule for _, _, schedule in points))
    frames = dict(zip(distinct, simulate_in_vivo_schedules(distinct, params, iv)))
    runs: dict = {}
    rows, courses = [], []
    for n, interval, schedule in points:
        if schedule not in runs:
            frame = frames[schedule]
            t = frame["time_days"].to_numpy()
            since = t[:, None] - np.asarray(schedule)[None, :]
            near_dose = ((since >= 0) & (since <= fine)).any(axis=1)
            keep = near_dose | (np.arange(t.size) % every == 0)
            keep[-1] = True
            runs[schedule] = (in_vivo_readouts(frame, params, iv), frame[keep])
        out, sampled = runs[schedule]
        rows.append(
            {
                "doses": n,
                "interval_days": float(interval),
                **{k: out[k] for k in SCHEDULE_GRID_READOUTS},
                "severe_crs_probability": cytokines.severe_crs_probability(
                    out["cytokine_peak"], crs_params
                ),
            }
        )
        courses.append(
            pd.DataFrame(
                {
                    "doses": n,
                    "interval_days": float(interval),
                    "time_days": sampled["time_days"].to_numpy(),
                    "b_cells_fraction_of_normal": sampled[
                        "b_cells_fraction_of_normal"
                    ].to_numpy(),
                    "cytokine_proxy": sampled["cytokine_proxy"].to_numpy(),
                }
            )
        )
    grid = pd.DataFrame(rows)
    grid["b_depleted_fraction"] = iv.b_depleted_fraction
    grid["b_return_fraction"] = params.b_return_fraction
    return grid, pd.concat(courses, ignore_index=True)
