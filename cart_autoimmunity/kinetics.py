r"""Model M1 (with M4 rejection): CAR T cells against CD19+ targets, one patient or thousands.

States (whole-body cell numbers, time in days):

* ``E`` effector and ``M`` memory CAR T cells, ``V`` a non-proliferating CAR+ pool (used by the
  in vivo model M5 in :mod:`cart_autoimmunity.in_vivo`; zero here),
* ``T`` malignant CD19+ cells, ``B_old`` pre-existing and ``B_new`` newly made (naive) B cells,
* ``P_1..P_n`` CD19+ marrow precursors (killed, but not stimulating CAR T), ``I`` a cytokine proxy.

The equations are :data:`EQUATIONS` (TeX, rendered in the book's model appendix); their symbols
are the ``symbol`` of each parameter in :class:`~cart_autoimmunity.parameters.kinetics.KineticsParameters`,
with :math:`s_0 = k_B B_{ss}`. The factor :math:`T/(1+T)` switches tumour growth off below
one cell (deterministic stand-in for extinction). Structure after León-Triana et al. 2021
(CAR T, leukaemia and healthy B cells) with Stein et al. 2019's contraction and memory rates;
the marrow chain and the cytokine proxy are this book's simplifications. Parameters and
their sources: :class:`~cart_autoimmunity.parameters.kinetics.KineticsParameters`.

The right-hand side works on a state array of shape ``(n_states, n_patients)``, and a cohort
integrates as a single call of the solver; one patient with scalar rates takes the same
equations in plain floats (:func:`_rhs_one_patient`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.integrate import ODEintWarning, odeint

from . import numerics, validation
from .parameters.kinetics import KineticsParameters

#: The right-hand side of M1/M4 in TeX: one source for this docstring's readers and the appendix.
EQUATIONS = r"""
h &= \kappa (E + \phi M + V) \\
h_m &= \kappa (E + \phi M + w_V V) \\
S &= \frac{T + B_{old} + B_{new}}{K_A + T + B_{old} + B_{new}} \\
\dot E &= \big[p_H e^{-t/\tau_H} + p_A S - \delta_E \\
&\qquad - \mu - r(t)\big] E \\
\dot M &= \mu E - (\delta_M + r(t)) M \\
r(t) &= r_{max}(1 - e^{-t/\tau_{rec}}) \\
\dot T &= \Big(r_T \tfrac{T}{1 + T} - h\Big) T \\
\dot P_1 &= s_0 - \tfrac{n}{\tau_{mat}} P_1 - h_m P_1 \\
\dot P_i &= \tfrac{n}{\tau_{mat}} (P_{i-1} - P_i) - h_m P_i \quad (i = 2, \dots, n) \\
\dot B_{new} &= \tfrac{n}{\tau_{mat}} P_n - (k_B + h) B_{new} \\
\dot B_{old} &= -(k_B + h) B_{old} \\
\dot I &= c_I \big[h (T + B_{old} + B_{new}) \\
&\qquad + h_m \textstyle\sum_i P_i\big] - k_I I \\
\dot V &= -k_{car} V \\
\mu &= f_A \mu_c \ \text{(autoimmune, donor cells)} \\
\mu &= \mu_c \ \text{(cancer)} \\
E(0) &= E_0, \qquad s_0 = k_B B_{ss}
"""

#: Scenario names. They differ only in the target burden, memory formation and (allogeneic) rejection.
SCENARIOS = ("autoimmune", "lymphoma", "leukaemia", "allogeneic")

#: Fixed state rows; the precursor chain follows them.
STATE_NAMES = (
    "effector",
    "memory",
    "tumour_cells",
    "b_cells_old",
    "b_cells_new",
    "in_vivo_car_cells",
    "cytokine_proxy",
)
_E, _M, _T, _BO, _BN, _V, _I = range(7)
#: Row of each fixed state in the state array, by name.
STATE_ROWS = dict(zip(STATE_NAMES, range(len(STATE_NAMES))))
_N_FIXED = len(STATE_NAMES)

#: Most steps LSODA may take between two output times (odeint's default, 500, can be too
#: few for a sparse output grid); a run that needs more raises ``RuntimeError``.
MAX_STEPS_PER_OUTPUT = 100_000

#: Unscaled integration tolerances shared by every run; :func:`solve` reads the scaled ones
#: from :func:`cart_autoimmunity.numerics.tolerances` at call time.
RTOL, ATOL = numerics.DEFAULT_TOLERANCES["kinetics"]


@dataclass
class PatientRuns:
    """Raw output of a (vectorised) run: ``states[name]`` has shape ``(n_times, n_patients)``."""

    time_days: np.ndarray
    states: dict
    rates: dict
    params: KineticsParameters

    @property
    def n_patients(self) -> int:
        return self.states["effector"].shape[1]

    def car_t_cells(self) -> np.ndarray:
        """All CAR+ T cells: effector + memory + in vivo pool."""
        return (
            self.states["effector"]
            + self.states["memory"]
            + self.states["in_vivo_car_cells"]
        )

    def b_cells_total(self) -> np.ndarray:
        return self.states["b_cells_old"] + self.states["b_cells_new"]

    def readouts(self) -> pd.DataFrame:
        """One row per patient with the read-outs of :func:`readouts` (``patient`` column from 0)."""
        values = readout_arrays(
            self.time_days,
            self.car_t_cells(),
            self.b_cells_total(),
            self.states["b_cells_new"],
            self.states["cytokine_proxy"],
            self.params,
        )
        frame = pd.DataFrame(values)
        frame.insert(0, "patient", np.arange(self.n_patients))
        return frame


# --------------------------------------------------------------------------------------------
# Set-up
# --------------------------------------------------------------------------------------------
def memory_formation_per_day(
    params: KineticsParameters, scenario: str, burden_only: bool = False
) -> float:
    """Effector-to-memory rate mu: the cancer value, or ``autoimmune_memory_factor`` times it.

    ``burden_only=True`` removes the assumption: every scenario then uses the cancer value.
    """
    params = check_params(params)
    scenario = validation.require_choice("scenario", scenario, SCENARIOS)
    if scenario in ("autoimmune", "allogeneic") and not validation.require_bool(
        "burden_only", burden_only
    ):
        return params.memory_formation_cancer_per_day * params.autoimmune_memory_factor
    return params.memory_formation_cancer_per_day


def initial_tumour_cells(params: KineticsParameters, scenario: str) -> float:
    """T(0) for a scenario: zero in autoimmune disease, the lymphoma or leukaemia burden otherwise."""
    params = check_params(params)
    scenario = validation.require_choice("scenario", scenario, SCENARIOS)
    return {
        "lymphoma": params.lymphoma_tumour_cells,
        "leukaemia": params.leukaemia_tumour_cells,
    }.get(scenario, 0.0)


def scenario_rates(
    params: KineticsParameters, scenario: str, burden_only: bool = False
) -> dict:
    """The rate constants of the right-hand side, keyed by their symbols (``kappa``, ``tau_H``).

    Every parameter with a symbol enters under that symbol
    (:meth:`~cart_autoimmunity.parameters.Parameters.symbol_values`); the scenario then sets
    the derived rates: ``mu`` (memory formation), ``r_max`` (rejection), ``s0 = k_B B_ss``,
    and the in vivo pool's weights ``w_v = 1`` and ``k_car = 0`` (changed only by M5).
    """
    params = check_params(params)
    scenario = validation.require_choice("scenario", scenario, SCENARIOS)
    rates = params.symbol_values()
    rates["mu"] = memory_formation_per_day(params, scenario, burden_only)
    if scenario == "allogeneic":
        rates["r_max"] = params.allogeneic_rejection_max_per_day
    rates["s0"] = params.b_cell_turnover_per_day * params.normal_b_cells
    rates["w_v"] = 1.0
    rates["k_car"] = 0.0
    return rates


def initial_state(
    params: KineticsParameters,
    n_patients: int = 1,
    *,
    dose_cells=None,
    tumour_cells=0.0,
    survival_fraction=None,
    rates=None,
) -> np.ndarray:
    """State array ``(n_states, n_patients)`` on the day of infusion.

    B cells and precursors start at ``survival_fraction`` (default: the lymphodepletion
    survival) of their CAR-free steady state: ``P_i* = s_0 tau_mat / n``, ``B* = B_ss``.
    """
    params = check_params(params)
    n_patients = validation.require_integer(
        "n_patients", n_patients, minimum=1, maximum=validation.MAX_REPLICATES
    )
    n = params.maturation_stages
    if rates is not None:
        validation.require_mapping("rates", rates)
    rates = rates or scenario_rates(params, "autoimmune")
    survival = (
        params.lymphodepletion_survival_fraction
        if survival_fraction is None
        else validation.require_fraction("survival_fraction", survival_fraction)
    )
    dose = params.dose_cells if dose_cells is None else dose_cells
    dose = validation.require_array("dose_cells", dose, minimum=0.0)
    tumour = validation.require_array("tumour_cells", tumour_cells, minimum=0.0)
    y0 = np.zeros((_N_FIXED + n, n_patients))
    y0[_E] = dose
    y0[_T] = tumour
    y0[_BO] = survival * params.normal_b_cells
    y0[_N_FIXED:] = (
        survival * np.asarray(rates["s0"]) * np.asarray(rates["tau_mat"]) / n
    )
    return y0


# --------------------------------------------------------------------------------------------
# Right-hand side and solver
# --------------------------------------------------------------------------------------------
def _derivative_terms(
    t: float, fixed, precursors: list, r: dict, exp: Callable
) -> list:
    """The equations of :data:`EQUATIONS`, written once for one patient (floats and ``math.exp``)
    or many (arrays over patients and ``numpy.exp``); returns the derivatives in state order.
    ``r`` is :func:`scenario_rates`' dict (short, like the equations' symbols).
    """
    E, M, T, b_old, b_new, V, I = fixed  # noqa: E741 - the equations' symbols
    car = E + r["phi"] * M
    h = r["kappa"] * (car + V)
    h_m = r["kappa"] * (car + r["w_v"] * V)
    targets = T + b_old + b_new
    stimulation = targets / (r["K_A"] + targets)
    rejection = r["r_max"] * (1.0 - exp(-t / r["tau_rec"]))
    k_tr = len(precursors) / r["tau_mat"]
    b_cell_loss = r["k_B"] + h
    precursor_loss = k_tr + h_m
    d_precursors = [r["s0"] - precursor_loss * precursors[0]]
    d_precursors += [
        k_tr * earlier - precursor_loss * later
        for earlier, later in zip(precursors[:-1], precursors[1:])
    ]
    return [
        (
            r["p_H"] * exp(-t / r["tau_H"])
            + r["p_A"] * stimulation
            - r["delta_E"]
            - r["mu"]
            - rejection
        )
        * E,
        r["mu"] * E - (r["delta_M"] + rejection) * M,
        (r["r_T"] * T / (1.0 + T) - h) * T,
        -b_cell_loss * b_old,
        k_tr * precursors[-1] - b_cell_loss * b_new,
        -r["k_car"] * V,
        r["c_I"] * (h * targets + h_m * sum(precursors)) - r["k_I"] * I,
        *d_precursors,
    ]


def derivatives(t: float, state: np.ndarray, rates: dict, n_stages: int) -> np.ndarray:
    """Time derivative of a state array ``(n_states, n_patients)`` (equations in the module docstring).

    Negative entries (integration round-off) are treated as zero. The solver calls the same
    equations without these checks (:func:`_rhs_flat`, :func:`_rhs_one_patient`).
    """
    t = validation.require_finite("t", t)
    validation.require_mapping("rates", rates)
    n_stages = validation.require_integer("n_stages", n_stages, minimum=1)
    # no minimum: round-off below zero is clipped, as in a solve
    s = np.maximum(validation.require_array("state", state, max_size=None), 0.0)
    if s.ndim != 2 or s.shape[0] != _N_FIXED + n_stages:
        raise ValueError(
            f"state must have shape ({_N_FIXED + n_stages}, n_patients), got {s.shape}"
        )
    terms = _derivative_terms(t, s[:_N_FIXED], list(s[_N_FIXED:]), rates, np.exp)
    return np.array(np.broadcast_arrays(*terms))


def _rhs_one_patient(t, y, rates, n_states):
    """Right-hand side of one patient with scalar rates, in plain floats: about 4 µs a call
    instead of 27 on arrays of one patient (measured when it was written)."""
    s = [max(value, 0.0) for value in y.tolist()]
    return np.array(_derivative_terms(t, s[:_N_FIXED], s[_N_FIXED:], rates, math.exp))


def _rhs_flat(t, y, rates, n_states):
    """Patient-major flat state (patient 0's states, then patient 1's ...): banded Jacobian."""
    s = np.maximum(y.reshape(-1, n_states), 0.0)
    terms = _derivative_terms(t, s.T[:_N_FIXED], list(s.T[_N_FIXED:]), rates, np.exp)
    out = np.empty_like(s)
    for row, term in enumerate(terms):
        out[:, row] = term
    return out.ravel()


def solve(
    rates: dict,
    y0: np.ndarray,
    n_stages: int,
    time_days: np.ndarray,
    *,
    dose_days=(),
    dose_cells=0.0,
    rtol: float | None = None,
    atol: float | None = None,
) -> np.ndarray:
    """Integrate from ``time_days[0]``; return states of shape ``(n_states, n_patients, n_times)``.

    ``dose_days`` (strictly inside the time span) add ``dose_cells`` to the pool V at each
    day: the run restarts there, so the impulse is exact. LSODA on the patient-major
    flattened state, whose Jacobian is banded (each patient couples only to itself):
    :func:`scipy.integrate.odeint`, ODEPACK's LSODA as ``solve_ivp(method="LSODA")`` calls
    it, but stepping in compiled code rather than returning to Python after each step, with
    ``tcrit`` so that, like ``solve_ivp``, it never steps past the end of a segment. One
    patient with scalar rates runs its right-hand side in plain floats
    (:func:`_rhs_one_patient`).
    ``rtol``/``atol`` of ``None`` take ``numerics.tolerances("kinetics")``.
    """
    default_rtol, default_atol = numerics.tolerances("kinetics")
    rtol = default_rtol if rtol is None else validation.require_positive("rtol", rtol)
    atol = default_atol if atol is None else validation.require_positive("atol", atol)
    validation.require_mapping("rates", rates)
    n_stages = validation.require_integer("n_stages", n_stages, minimum=1)
    # no minimum: a state carried over from an earlier solve may hold solver noise below 0
    y0 = validation.require_array("y0", y0, max_size=None)
    if y0.ndim != 2 or y0.shape[0] != _N_FIXED + n_stages:
        raise ValueError(
            f"y0 must have shape ({_N_FIXED + n_stages}, n_patients), got {y0.shape}"
        )
    n_states, n_patients = y0.shape
    time_days = validation.require_increasing("time_days", time_days)
    if time_days[0] < 0:
        raise ValueError(
            f"time_days must be >= 0 (days after infusion), got {time_days[0]!r}"
        )
    dose_cells = validation.require_non_negative("dose_cells", dose_cells)
    if isinstance(dose_days, (str, bytes)) or not np.iterable(dose_days):
        raise TypeError(
            f"dose_days must be a sequence of days, got {type(dose_days).__name__}"
        )
    doses = [validation.require_finite("dose_days", d) for d in dose_days]
    if any(not time_days[0] < d < time_days[-1] for d in doses):
        raise ValueError(f"dose_days must lie inside the time span, got {doses!r}")
    bounds = [float(time_days[0]), *doses, float(time_days[-1])]
    scalar_rates = all(isinstance(value, (int, float)) for value in rates.values())
    rhs = _rhs_one_patient if n_patients == 1 and scalar_rates else _rhs_flat
    out = np.empty((n_states, n_patients, time_days.size))
    y = y0.astype(float).copy()
    for k in range(len(bounds) - 1):
        start, stop = bounds[k], bounds[k + 1]
        last = k == len(bounds) - 2
        if k > 0:
            y[_V] += dose_cells
        mask = (time_days >= start) & (
            (time_days <= stop) if last else (time_days < stop)
        )
        if (
            stop - start <= validation.SHORTEST_SEGMENT_DAYS
        ):  # doses a moment apart act together
            out[:, :, mask] = y[:, :, None]
            continue
        t_eval = time_days[mask] if last else np.append(time_days[mask], stop)
        t_out = np.concatenate(([start], t_eval))
        with warnings.catch_warnings():
            # odeint reports a failure as a warning: make it an exception
            warnings.simplefilter("error", ODEintWarning)
            try:
                values = odeint(
                    rhs,
                    y.T.ravel(),
                    t_out,
                    args=(rates, n_states),
                    rtol=rtol,
                    atol=atol,
                    ml=n_states - 1,
                    mu=n_states - 1,
                    tcrit=[stop],
                    mxstep=MAX_STEPS_PER_OUTPUT,
                    tfirst=True,
                )
            except ODEintWarning as failure:
                reason = str(failure).split(" Run with full_output")[0]
                raise RuntimeError(f"integration failed: {reason}") from None
        values = values[1:].T.reshape(n_patients, n_states, -1).transpose(1, 0, 2)
        out[:, :, mask] = values if last else values[:, :, :-1]
        y = values[:, :, -1].copy()
    return out


def time_grid(days: float, step_days: float) -> np.ndarray:
    """Output times 0, step, ..., days (inclusive), validated."""
    days = validation.require_positive("days", days)
    step_days = validation.require_positive("step_days", step_days)
    if step_days > days:
        raise ValueError(f"step_days must be <= days, got {step_days!r} > {days!r}")
    validation.require_points("days", days, step_days)
    n = int(round(days / step_days))
    return np.linspace(0.0, n * step_days, n + 1)


def states_dict(out: np.ndarray, n_stages: int) -> dict:
    """Name the rows of a :func:`solve` result; arrays become ``(n_times, n_patients)``."""
    n_stages = validation.require_integer("n_stages", n_stages, minimum=1)
    out = validation.require_array("out", out, max_size=None)
    if out.ndim != 3 or out.shape[0] != _N_FIXED + n_stages:
        raise ValueError(
            f"out must have shape ({_N_FIXED + n_stages}, n_patients, n_times), "
            f"got {out.shape}"
        )
    states = {name: out[i].T for i, name in enumerate(STATE_NAMES)}
    states["precursor_cells"] = out[_N_FIXED:].sum(axis=0).T
    return states


# --------------------------------------------------------------------------------------------
# Public simulation functions
# --------------------------------------------------------------------------------------------
def check_params(params) -> KineticsParameters:
    """``params`` as :class:`KineticsParameters` (``None`` gives the defaults); rejects other types."""
    return KineticsParameters.resolve(params, "params")


def simulate_patients(
    scenario: str = "autoimmune",
    params: KineticsParameters | None = None,
    *,
    days: float = 365.0,
    step_days: float = 1.0,
    burden_only: bool = False,
    tumour_cells=None,
    dose_cells=None,
    multipliers: dict | None = None,
) -> PatientRuns:
    """Run many virtual patients in one vectorised solve.

    ``tumour_cells`` and ``dose_cells`` may be arrays (one value per patient); ``multipliers``
    maps a rate name of :func:`scenario_rates` (e.g. ``"kappa"``, ``"delta_E"``) to an array of
    per-patient factors. The number of patients is the common length of these arrays (1 if none).
    """
    params = check_params(params)
    scenario = validation.require_choice("scenario", scenario, SCENARIOS)
    t = time_grid(days, step_days)
    rates = scenario_rates(params, scenario, burden_only)
    tumour = (
        initial_tumour_cells(params, scenario) if tumour_cells is None else tumour_cells
    )
    dose = params.dose_cells if dose_cells is None else dose_cells
    arrays = {
        "tumour_cells": np.atleast_1d(validation.require_array("tumour_cells", tumour)),
        "dose_cells": np.atleast_1d(validation.require_array("dose_cells", dose)),
    }
    if multipliers is not None:
        validation.require_mapping("multipliers", multipliers, empty=True)
    for name, factor in (multipliers or {}).items():
        validation.require_choice("multiplier", name, rates)
        arrays[name] = np.atleast_1d(validation.require_array(name, factor))
    sizes = {a.size for a in arrays.values()} - {1}
    if len(sizes) > 1:
        raise ValueError(
            f"per-patient arrays must have one common length, got lengths {sorted(sizes)}"
        )
    n_patients = sizes.pop() if sizes else 1
    validation.require_integer(
        "n_patients", n_patients, minimum=1, maximum=validation.MAX_REPLICATES
    )
    for name, values in arrays.items():
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise ValueError(
                f"{name} must be finite and >= 0, got {values.tolist()[:5]!r}"
            )
        if name in rates:
            rates[name] = rates[name] * (
                values if values.size > 1 else float(values[0])
            )
    if np.any(np.asarray(rates["tau_mat"]) <= 0):
        raise ValueError("tau_mat multipliers must be > 0")
    y0 = initial_state(
        params,
        n_patients,
        dose_cells=arrays["dose_cells"],
        tumour_cells=arrays["tumour_cells"],
        rates=rates,
    )
    out = solve(rates, y0, params.maturation_stages, t)
    return PatientRuns(t, states_dict(out, params.maturation_stages), rates, params)


def simulate(
    scenario: str = "autoimmune",
    params: KineticsParameters | None = None,
    *,
    days: float = 365.0,
    step_days: float = 0.25,
    burden_only: bool = False,
    tumour_cells: float | None = None,
    dose_cells: float | None = None,
) -> pd.DataFrame:
    """One patient over time: a tidy table with one row per time.

    ``scenario`` is ``"autoimmune"`` (no tumour), ``"lymphoma"`` (T0 = 1e11), ``"leukaemia"``
    (T0 = 1e12) or ``"allogeneic"`` (autoimmune with rejection). ``burden_only=True`` gives
    autoimmune patients the cancer memory formation (drops the named assumption).

    Columns (cells are whole-body numbers; ``*_per_ul`` are blood concentrations):
    ``time_days, effector, memory, in_vivo_car_cells, car_t_cells, tumour_cells, b_cells_old,
    b_cells_new, b_cells_total, precursor_cells, b_cells_fraction_of_normal, b_cells_per_ul,
    car_t_per_ul, cytokine_proxy, kill_hazard_per_day, marrow_kill_hazard_per_day,
    killing_cells_per_day``. The scenario is stored in ``frame.attrs["scenario"]``.
    """
    params = check_params(params)
    if tumour_cells is not None:
        validation.require_non_negative("tumour_cells", tumour_cells)
    if dose_cells is not None:
        validation.require_non_negative("dose_cells", dose_cells)
    runs = simulate_patients(
        scenario,
        params,
        days=days,
        step_days=step_days,
        burden_only=burden_only,
        tumour_cells=tumour_cells,
        dose_cells=dose_cells,
    )
    frame = runs_frame(runs, patient=0)
    frame.attrs["scenario"] = scenario
    return frame


def runs_frame(runs: PatientRuns, patient: int = 0) -> pd.DataFrame:
    """The tidy one-patient table of :func:`simulate` for patient ``patient`` of a run."""
    if not isinstance(runs, PatientRuns):
        raise TypeError(f"runs must be a PatientRuns, got {type(runs).__name__}")
    patient = validation.require_integer(
        "patient", patient, minimum=0, maximum=runs.n_patients - 1
    )
    st = {
        name: np.clip(values[:, patient], 0.0, None)
        for name, values in runs.states.items()
    }
    p, r = runs.params, runs.rates

    def pick(name):
        return float(np.atleast_1d(r[name])[patient if np.size(r[name]) > 1 else 0])

    car_killing = st["effector"] + pick("phi") * st["memory"]
    hazard = pick("kappa") * (car_killing + st["in_vivo_car_cells"])
    marrow_hazard = pick("kappa") * (
        car_killing + pick("w_v") * st["in_vivo_car_cells"]
    )
    b_total = st["b_cells_old"] + st["b_cells_new"]
    car = st["effector"] + st["memory"] + st["in_vivo_car_cells"]
    return pd.DataFrame(
        {
            "time_days": runs.time_days,
            "effector": st["effector"],
            "memory": st["memory"],
            "in_vivo_car_cells": st["in_vivo_car_cells"],
            "car_t_cells": car,
            "tumour_cells": st["tumour_cells"],
            "b_cells_old": st["b_cells_old"],
            "b_cells_new": st["b_cells_new"],
            "b_cells_total": b_total,
            "precursor_cells": st["precursor_cells"],
            "b_cells_fraction_of_normal": b_total / p.normal_b_cells,
            "b_cells_per_ul": b_total * p.cells_to_per_ul,
            "car_t_per_ul": car * p.cells_to_per_ul,
            "cytokine_proxy": st["cytokine_proxy"],
            "kill_hazard_per_day": hazard,
            "marrow_kill_hazard_per_day": marrow_hazard,
            "killing_cells_per_day": hazard * (st["tumour_cells"] + b_total)
            + marrow_hazard * st["precursor_cells"],
        }
    )


# --------------------------------------------------------------------------------------------
# Read-outs
# --------------------------------------------------------------------------------------------
def _interp_crossing(t, values, idx, level, log=False):
    """Time at which ``values`` crosses ``level`` between rows idx and idx+1 (per patient)."""
    cols = np.arange(values.shape[1])
    nxt = np.minimum(idx + 1, len(t) - 1)
    a, b = values[idx, cols], values[nxt, cols]
    if log:
        a, b, level = (
            np.log(np.maximum(a, 1e-300)),
            np.log(np.maximum(b, 1e-300)),
            np.log(level),
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(b != a, (level - a) / (b - a), 0.0)
    return t[idx] + np.clip(frac, 0.0, 1.0) * (t[nxt] - t[idx])


def readout_arrays(
    t,
    car,
    b_total,
    b_new,
    cytokine,
    params: KineticsParameters,
    depleted_fraction: float = 0.01,
) -> dict:
    """Read-outs for arrays of shape ``(n_times, n_patients)``; returns a dict of arrays."""
    params = check_params(params)
    t = validation.require_increasing("t", t)
    if t[0] < 0:
        raise ValueError(f"t must be >= 0 (days after infusion), got {t[0]!r}")
    arrays = {"car": car, "b_total": b_total, "b_new": b_new, "cytokine": cytokine}
    for name, values in arrays.items():
        values = validation.require_array(name, values, max_size=None)
        if values.ndim != 2 or values.shape[0] != t.size:
            raise ValueError(
                f"{name} must have shape (len(t), n_patients) = ({t.size}, n), "
                f"got {values.shape}"
            )
        arrays[name] = values
    car, b_total, b_new, cytokine = arrays.values()
    depleted_fraction = validation.require_open_fraction(
        "depleted_fraction", depleted_fraction
    )
    n_t, n_p = car.shape
    cols = np.arange(n_p)
    normal, lod = params.normal_b_cells, params.detection_limit_cells
    peak = np.argmax(car, axis=0)
    t_peak = t[peak]
    # Contraction: least-squares log-slope between peak + 5 and peak + 20 days.
    window = (t[:, None] >= t_peak + 5) & (t[:, None] <= t_peak + 20)
    log_car = np.log(np.maximum(car, 1e-300))
    w = window.astype(float)
    count = w.sum(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t_mean = (w * t[:, None]).sum(0) / count
        y_mean = (w * log_car).sum(0) / count
        slope = (w * (t[:, None] - t_mean) * (log_car - y_mean)).sum(0) / (
            w * (t[:, None] - t_mean) ** 2
        ).sum(0)
        half_life = np.where((count >= 3) & (slope < 0), np.log(2.0) / -slope, np.nan)
    # Last time above the detection limit.
    above = car >= lod
    last = n_t - 1 - np.argmax(above[::-1], axis=0)
    detectable_at_end = above[-1]
    last_day = np.where(
        above.any(0),
        np.where(
            detectable_at_end, t[-1], _interp_crossing(t, car, last, lod, log=True)
        ),
        0.0,
    )
    # B-cell return after the CAR T peak.
    threshold = params.b_return_fraction * normal
    back = (b_total >= threshold) & (np.arange(n_t)[:, None] > peak)
    first = np.argmax(back, axis=0)
    returned = back.any(0)
    before = np.maximum(first - 1, 0)
    return_day = np.where(
        returned, _interp_crossing(t, b_total, before, threshold), np.nan
    )
    naive = np.where(
        returned, b_new[first, cols] / np.maximum(b_total[first, cols], 1e-300), np.nan
    )
    # Depletion time and day-14 level.
    dt = np.diff(t)
    below = (b_total < depleted_fraction * normal)[:-1]
    days_below = (below * dt[:, None]).sum(0)
    frac14 = (
        np.array([np.interp(14.0, t, b_total[:, j]) for j in cols]) / normal
        if t[-1] >= 14
        else np.full(n_p, np.nan)
    )
    cyt_peak = np.argmax(cytokine, axis=0)
    return {
        "car_t_peak_day": t_peak,
        "car_t_peak_cells": car[peak, cols],
        "car_t_peak_per_ul": car[peak, cols] * params.cells_to_per_ul,
        "contraction_half_life_days": half_life,
        "last_day_above_lod": last_day,
        "detectable_at_end": detectable_at_end,
        "b_return_day": return_day,
        "naive_fraction_at_return": naive,
        "b_fraction_day_14": frac14,
        "days_b_below_1pct": days_below,
        "cytokine_peak": cytokine[cyt_peak, cols],
        "cytokine_peak_day": t[cyt_peak],
    }


def readouts(result: pd.DataFrame, params: KineticsParameters | None = None) -> dict:
    """Read-outs of one :func:`simulate` run, as a dict of plain numbers.

    * ``car_t_peak_day``, ``car_t_peak_cells``, ``car_t_peak_per_ul``: the CAR T maximum;
    * ``contraction_half_life_days``: ln 2 / (−log-slope) between peak + 5 and peak + 20 days;
    * ``last_day_above_lod``: last time CAR T ≥ ``detection_limit_cells`` (the horizon if
      ``detectable_at_end``);
    * ``b_return_day``: first time after the CAR T peak with B cells ≥ ``b_return_fraction`` of
      normal (NaN if not within the run) and ``naive_fraction_at_return``: B_new / B_total then;
    * ``b_fraction_day_14``, ``days_b_below_1pct``; ``cytokine_peak`` and ``cytokine_peak_day``.
    """
    params = check_params(params)
    needed = {
        "time_days",
        "car_t_cells",
        "b_cells_total",
        "b_cells_new",
        "cytokine_proxy",
    }
    if not isinstance(result, pd.DataFrame) or not needed <= set(result.columns):
        raise ValueError(
            f"result must be a simulate() table with columns {sorted(needed)}"
        )
    col = lambda name: result[name].to_numpy(dtype=float)[:, None]  # noqa: E731
    values = readout_arrays(
        result["time_days"].to_numpy(dtype=float),
        col("car_t_cells"),
        col("b_cells_total"),
        col("b_cells_new"),
        col("cytokine_proxy"),
        params,
    )
    return {
        k: (bool(v[0]) if v.dtype == bool else float(v[0])) for k, v in values.items()
    }


def scenario_table(
    params: KineticsParameters | None = None,
    *,
    days: float = 1000.0,
    scenarios=("autoimmune", "lymphoma", "leukaemia"),
    burden_only: bool = False,
) -> pd.DataFrame:
    """Read-outs side by side: one row per scenario (columns as in :func:`readouts`)."""
    params = check_params(params)
    rows = []
    for scenario in validation.require_names("scenarios", scenarios, SCENARIOS):
        row = {"scenario": scenario}
        row.update(
            readouts(
                simulate(scenario, params, days=days, burden_only=burden_only), params
            )
        )
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# Closed forms used by the tests and the chapters
# --------------------------------------------------------------------------------------------
def homeostatic_only_effector(
    time_days, params: KineticsParameters | None = None, scenario: str = "autoimmune"
) -> np.ndarray:
    """E(t) without any antigen: ``E0 exp(p_H tau_H (1 - exp(-t/tau_H)) - (delta_E + mu) t)``.

    ``time_days`` counts days after infusion; times before infusion (t < 0) are refused.
    """
    params = check_params(params)
    t = validation.require_array("time_days", time_days, minimum=0.0)
    mu = memory_formation_per_day(params, scenario)
    p_h, tau = params.homeostatic_expansion_per_day, params.homeostatic_decay_days
    return params.dose_cells * np.exp(
        p_h * tau * (1 - np.exp(-t / tau)) - (params.effector_death_per_day + mu) * t
    )


def homeostatic_peak_day(
    params: KineticsParameters | None = None, scenario: str = "autoimmune"
) -> float:
    """Peak day without antigen: ``tau_H ln(p_H / (delta_E + mu))`` (0 if the drive is too weak)."""
    params = check_params(params)
    loss = params.effector_death_per_day + memory_formation_per_day(params, scenario)
    ratio = params.homeostatic_expansion_per_day / loss
    return float(params.homeostatic_decay_days * np.log(ratio)) if ratio > 1 else 0.0


def persistence_number(
    params: KineticsParameters | None = None,
    scenario: str = "autoimmune",
    burden_only: bool = False,
) -> float:
    """R_B = p_A S(B_ss) / (delta_E + mu): above 1, normal B-cell output alone sustains CAR T."""
    params = check_params(params)
    b = params.normal_b_cells
    stimulation = b / (params.antigen_half_saturation_cells + b)
    loss = params.effector_death_per_day + memory_formation_per_day(
        params, scenario, burden_only
    )
    return float(params.antigen_expansion_per_day * stimulation / loss)


# --------------------------------------------------------------------------------------------
# Sweeps: donor cells rejected by the host (chapter 10)
# --------------------------------------------------------------------------------------------
#: Columns of :func:`rejection_sweep` besides ``rejection_max_per_day``.
REJECTION_READOUTS = (
    "car_t_peak_day",
    "car_t_peak_per_ul",
    "last_day_above_lod",
    "b_fraction_day_14",
    "days_b_below_1pct",
    "b_return_day",
    "cytokine_peak",
)


def rejection_sweep(
    rejection_values=(0.0, 0.1, 0.2, 0.4, 0.8),
    params: KineticsParameters | None = None,
    *,
    days: float = 365.0,
) -> pd.DataFrame:
    """Read-outs of the autoimmune run for each host-rejection hazard ``r_max`` (1/day).

    ``r(t) = r_max (1 - exp(-t / tau_rec))`` removes effector and memory CAR T cells
    (:mod:`cart_autoimmunity.kinetics`); ``r_max = 0`` is the autologous run. One row per value,
    columns ``rejection_max_per_day`` and :data:`REJECTION_READOUTS` (days, cells/µL, fraction of
    normal B cells, cytokine proxy).
    """
    params = check_params(params)
    values = np.atleast_1d(
        validation.require_array("rejection_values", rejection_values, minimum=0.0)
    )
    rows = []
    for value in values:
        run_params = params.replace(rejection_max_per_day=float(value))
        out = readouts(simulate("autoimmune", run_params, days=days), run_params)
        rows.append(
            {
                "rejection_max_per_day": float(value),
                **{k: out[k] for k in REJECTION_READOUTS},
            }
        )
    return pd.DataFrame(rows)


def rejection_runs(
    rejection_values=(0.0, 0.1, 0.2, 0.4),
    params: KineticsParameters | None = None,
    *,
    days: float = 120.0,
) -> dict:
    """``{r_max: simulate() table}`` for :func:`plot_rejection_time_courses`."""
    params = check_params(params)
    runs = {}
    values = validation.require_array("rejection_values", rejection_values, minimum=0.0)
    for value in np.atleast_1d(values):
        runs[float(value)] = simulate(
            "autoimmune", params.replace(rejection_max_per_day=float(value)), days=days
        )
    if not runs:
        raise ValueError("rejection_values must contain at least one value")
    return runs


# --------------------------------------------------------------------------------------------
# Grid: memory formation against target burden (chapter 4's explorable figure)
# --------------------------------------------------------------------------------------------
#: Default grid of :func:`memory_burden_grid`: ``autoimmune_memory_factor`` values (1 is the
#: cancer rate) and extra CD19+ targets (tumour cells; 1e11 and 1e12 are the lymphoma and
#: leukaemia burdens).
MEMORY_FACTORS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
TARGET_BURDENS = (0.0, 1e10, 1e11, 3e11, 1e12)

#: Read-outs of :func:`memory_burden_grid` (see :func:`readouts`).
MEMORY_GRID_READOUTS = (
    "car_t_peak_day",
    "car_t_peak_per_ul",
    "last_day_above_lod",
    "detectable_at_end",
    "b_return_day",
)


def _grid_levels(name: str, values, check) -> tuple:
    array = np.atleast_1d(validation.require_array(name, values))
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got {values!r}")
    for value in array:
        check(name, value)
    if np.unique(array).size != array.size:
        raise ValueError(f"{name} must not repeat a value, got {array.tolist()!r}")
    return tuple(float(v) for v in array)


def _memory_burden_runs(memory_factors, tumour_cells, params, days, sample_every_days):
    """Yield ``(factor, burden, readouts, sampled run)`` over the grid, factor outermost."""
    params = check_params(params)
    factors = _grid_levels(
        "memory_factors", memory_factors, validation.require_non_negative
    )
    burdens = _grid_levels(
        "tumour_cells", tumour_cells, validation.require_non_negative
    )
    step = 0.25  # simulate()'s default output step, as in the chapter
    every = int(
        round(
            validation.require_positive("sample_every_days", sample_every_days) / step
        )
    )
    if every < 1 or not np.isclose(every * step, sample_every_days):
        raise ValueError(
            f"sample_every_days must be a multiple of {step}, got {sample_every_days!r}"
        )
    for factor in factors:
        run_params = params.replace(autoimmune_memory_factor=factor)
        for burden in burdens:
            frame = simulate("autoimmune", run_params, days=days, tumour_cells=burden)
            yield factor, burden, readouts(frame, run_params), frame.iloc[::every]


def memory_burden_grid(
    memory_factors=MEMORY_FACTORS,
    tumour_cells=TARGET_BURDENS,
    params: KineticsParameters | None = None,
    *,
    days: float = 1000.0,
    sample_every_days: float = 5.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The autoimmune run over a grid of memory formation and target burden.

    Each grid point is ``simulate("autoimmune", params.replace(autoimmune_memory_factor=f),
    days=days, tumour_cells=T)`` and its :func:`readouts`: memory factor 1 with 1e11 tumour
    cells is the lymphoma run. Returns two tidy tables:

    * ``grid``: one row per grid point (memory factor outermost), columns
      ``autoimmune_memory_factor, tumour_cells``, :data:`MEMORY_GRID_READOUTS`,
      ``detection_limit_per_ul`` and ``b_return_fraction`` (the thresholds of the read-outs)
      and ``is_default`` (the point of ``params`` with no tumour cells);
    * ``time_courses``: one row per grid point and day sampled every ``sample_every_days``,
      columns ``autoimmune_memory_factor, tumour_cells, time_days, car_t_per_ul,
      b_cells_fraction_of_normal``.
    """
    params = check_params(params)
    rows, courses = [], []
    for factor, burden, out, sampled in _memory_burden_runs(
        memory_factors, tumour_cells, params, days, sample_every_days
    ):
        rows.append(
            {
                "autoimmune_memory_factor": factor,
                "tumour_cells": burden,
                **{k: out[k] for k in MEMORY_GRID_READOUTS},
            }
        )
        courses.append(
            pd.DataFrame(
                {
                    "autoimmune_memory_factor": factor,
                    "tumour_cells": burden,
                    "time_days": sampled["time_days"].to_numpy(),
                    "car_t_per_ul": sampled["car_t_per_ul"].to_numpy(),
                    "b_cells_fraction_of_normal": sampled[
                        "b_cells_fraction_of_normal"
                    ].to_numpy(),
                }
            )
        )
    grid = pd.DataFrame(rows)
    grid["detection_limit_per_ul"] = params.detection_limit_per_ul
    grid["b_return_fraction"] = params.b_return_fraction
    grid["is_default"] = (
        grid["autoimmune_memory_factor"] == params.autoimmune_memory_factor
    ) & (grid["tumour_cells"] == 0.0)
    return grid, pd.concat(courses, ignore_index=True)


#: Output step of the vectorised grid (days): simulate()'s default, as in memory_burden_grid.
GRID_STEP_DAYS = 0.25


def memory_burden_runs(
    memory_factors=MEMORY_FACTORS,
    tumour_cells=TARGET_BURDENS,
    params: KineticsParameters | None = None,
    *,
    days: float = 1000.0,
) -> PatientRuns:
    """Every point of the :func:`memory_burden_grid` grid in one vectorised solve.

    Point k (memory factor outermost) is patient k of one :func:`simulate_patients` call:
    the autoimmune scenario with memory formation ``mu = f mu_c`` (the cancer rate times
    the point's factor ``f``) and ``T(0)`` the point's tumour cells, output every
    :data:`GRID_STEP_DAYS`. :func:`runs_frame` gives a point's :func:`simulate` table. One
    LSODA error control covers all points, so each value equals that of the single run
    only to within the solver tolerance (relative differences of about 1e-6 on the
    default grid), in less than half the time of the single runs.
    """
    params = check_params(params)
    factors = _grid_levels(
        "memory_factors", memory_factors, validation.require_non_negative
    )
    burdens = _grid_levels(
        "tumour_cells", tumour_cells, validation.require_non_negative
    )
    return simulate_patients(
        "autoimmune",
        params.replace(autoimmune_memory_factor=1.0),  # mu = mu_c, times f below
        days=days,
        step_days=GRID_STEP_DAYS,
        tumour_cells=np.tile(burdens, len(factors)),
        multipliers={"mu": np.repeat(factors, len(burdens))},
    )


def memory_burden_tables(
    runs: PatientRuns,
    memory_factors=MEMORY_FACTORS,
    tumour_cells=TARGET_BURDENS,
    params: KineticsParameters | None = None,
    *,
    sample_every_days: float = 5.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The two tables of :func:`memory_burden_grid` from :func:`memory_burden_runs`.

    ``runs`` must be ``memory_burden_runs(memory_factors, tumour_cells, params, ...)``;
    ``params`` sets the read-outs' thresholds and the default point (``is_default``).
    """
    params = check_params(params)
    factors = _grid_levels(
        "memory_factors", memory_factors, validation.require_non_negative
    )
    burdens = _grid_levels(
        "tumour_cells", tumour_cells, validation.require_non_negative
    )
    if not isinstance(runs, PatientRuns) or runs.n_patients != len(factors) * len(
        burdens
    ):
        raise ValueError(
            f"runs must be the memory_burden_runs of {len(factors)} memory factors "
            f"and {len(burdens)} tumour burdens"
        )
    every = validation.require_multiple(
        "sample_every_days", sample_every_days, GRID_STEP_DAYS
    )
    factor = np.repeat(factors, len(burdens))
    burden = np.tile(burdens, len(factors))
    # As runs_frame (and so simulate) does: clip round-off below zero before summing.
    state = {k: np.clip(v, 0.0, None) for k, v in runs.states.items()}
    car = state["effector"] + state["memory"] + state["in_vivo_car_cells"]
    b_total = state["b_cells_old"] + state["b_cells_new"]
    out = readout_arrays(
        runs.time_days,
        car,
        b_total,
        state["b_cells_new"],
        state["cytokine_proxy"],
        params,
    )
    grid = pd.DataFrame(
        {
            "autoimmune_memory_factor": factor,
            "tumour_cells": burden,
            **{k: out[k] for k in MEMORY_GRID_READOUTS},
        }
    )
    grid["detection_limit_per_ul"] = params.detection_limit_per_ul
    grid["b_return_fraction"] = params.b_return_fraction
    grid["is_default"] = (
        grid["autoimmune_memory_factor"] == params.autoimmune_memory_factor
    ) & (grid["tumour_cells"] == 0.0)
    sampled = slice(None, None, every)
    n_times = runs.time_days[sampled].size
    courses = pd.DataFrame(
        {
            "autoimmune_memory_factor": np.repeat(factor, n_times),
            "tumour_cells": np.repeat(burden, n_times),
            "time_days": np.tile(runs.time_days[sampled], factor.size),
            "car_t_per_ul": (car[sampled] * params.cells_to_per_ul).T.ravel(),
            "b_cells_fraction_of_normal": (
                b_total[sampled] / params.normal_b_cells
            ).T.ravel(),
        }
    )
    return grid, courses


def memory_burden_grid_vectorised(
    memory_factors=MEMORY_FACTORS,
    tumour_cells=TARGET_BURDENS,
    params: KineticsParameters | None = None,
    *,
    days: float = 1000.0,
    sample_every_days: float = 5.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`memory_burden_grid` in one vectorised solve: the same two tables, from
    :func:`memory_burden_runs` (equal to the single runs within the solver tolerance)."""
    # a bad value is refused before the runs
    validation.require_multiple("sample_every_days", sample_every_days, GRID_STEP_DAYS)
    runs = memory_burden_runs(memory_factors, tumour_cells, params, days=days)
    return memory_burden_tables(
        runs, memory_factors, tumour_cells, params, sample_every_days=sample_every_days
    )
