"""Which antibody-making cells a CAR T product removes, and what that does to IgG (M3).

Compartments (fractions of their pre-treatment steady state, so everything starts at 1):

* ``B``  autoreactive (and memory) B cells, the source of new antibody-secreting cells;
* ``S``  short-lived autoreactive plasmablasts, CD19+ and BCMA+, fed by ``B``;
* ``La`` autoreactive long-lived plasma cells, CD19-negative and BCMA+;
* ``Lv`` vaccine-specific long-lived plasma cells, CD19-negative and BCMA+;
* ``Aa`` autoantibody and ``Av`` vaccine antibody (IgG).

Equations (time in days; ``h(t)`` = ``depletion_hazard_per_day`` for targeted
compartments while ``t`` is inside the depletion window, else 0;
``k = ln 2 / igg_half_life_days``)::

    dB/dt  = -h_B B + b_return max(f_reseed - B, 0)   (return term after the window)
    dS/dt  = d_S (B - S) - h_S S
    dLa/dt = d_La (B - La) - h_L La,   dLv/dt = d_Lv (B - Lv) - h_L Lv
    dAa/dt = k (f_S S + (1 - f_S) La - Aa),   dAv/dt = k (Lv - Av)

Without CAR T cells every state stays at 1 (a steady state). Which compartments a
target hits:

* ``"CD19"``: B cells and plasmablasts. CD19 is present from early B cells to
  plasmablasts, while many long-lived bone-marrow plasma cells lack it [mei2015] and
  survive CD19 CAR T [bhoj2016, hill2019].
* ``"CD20"``: B cells only; plasmablasts and plasma cells do not carry CD20, and
  CD19-negative plasma cells resist rituximab [mei2015].
* ``"BCMA"``: plasmablasts and long-lived plasma cells (BCMA marks the plasma-cell
  stage), not B cells; the route taken in the rescue of a CD19 CAR T relapse
  [muller2025].
* ``"CD19+BCMA"``: all of them, as in compound or co-infused products
  [wang2024a, feng2025].

The depletion window defaults to the ~110 days of B-cell aplasia after CD19 CAR T in
lupus [mackensen2022]; the same window is used for every target (assumption). By
default the B cells that return are new naive cells that do not re-seed the
autoreactive plasmablasts (``reseeding_fraction = 0``, a named assumption); set it to 1
to drop that assumption. :func:`share_sensitivity` and :func:`reseeding_runs` vary the
two assumptions of chapter 6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.integrate import solve_ivp

from . import numerics, validation
from .parameters.antibodies import AntibodyParameters

#: Target names understood by the model, in the order the chapter shows them.
TARGETS = ("none", "CD19", "CD20", "BCMA", "CD19+BCMA")

#: Compartments each target depletes: B cells, plasmablasts, long-lived plasma cells.
DEPLETED_COMPARTMENTS = {
    "none": frozenset(),
    "CD19": frozenset({"b_cells", "plasmablasts"}),
    "CD20": frozenset({"b_cells"}),
    "BCMA": frozenset({"plasmablasts", "long_lived_plasma_cells"}),
    "CD19+BCMA": frozenset({"b_cells", "plasmablasts", "long_lived_plasma_cells"}),
}

#: Quantities in the output, in state order.
QUANTITIES = (
    "b_cells",
    "plasmablasts",
    "autoreactive_llpc",
    "vaccine_llpc",
    "autoantibody",
    "vaccine_antibody",
)


def _rate(half_life_days: float) -> float:
    return np.log(2.0) / half_life_days


def depleted_compartments(target: str) -> frozenset:
    """The compartments a target hits (of ``b_cells``, ``plasmablasts``,
    ``long_lived_plasma_cells``)."""
    validation.require_choice("target", target, TARGETS)
    return DEPLETED_COMPARTMENTS[target]


def _rhs(params: AntibodyParameters, hits: frozenset, active: bool):
    h = params.depletion_hazard_per_day if active else 0.0
    h_b = h if "b_cells" in hits else 0.0
    h_s = h if "plasmablasts" in hits else 0.0
    h_l = h if "long_lived_plasma_cells" in hits else 0.0
    d_s = _rate(params.short_lived_half_life_days)
    d_la = _rate(params.autoreactive_llpc_half_life_days)
    d_lv = _rate(params.vaccine_llpc_half_life_days)
    k = _rate(params.igg_half_life_days)
    f_s = params.short_lived_autoantibody_fraction
    # B cells return (towards reseeding_fraction) only after the window, and only
    # if they were hit.
    b_return = (
        params.b_cell_return_per_day if (not active and "b_cells" in hits) else 0.0
    )
    f_reseed = params.reseeding_fraction

    def rhs(_t, y):
        b, s, la, lv, aa, av = np.maximum(y, 0.0)
        return [
            -h_b * b + b_return * max(f_reseed - b, 0.0),
            d_s * (b - s) - h_s * s,
            d_la * (b - la) - h_l * la,
            d_lv * (b - lv) - h_l * lv,
            k * (f_s * s + (1.0 - f_s) * la - aa),
            k * (lv - av),
        ]

    return rhs


def _check_grid(t_end_days: float, n_points: int) -> np.ndarray:
    t_end_days = validation.require_positive("t_end_days", t_end_days)
    n_points = validation.require_integer(
        "n_points", n_points, minimum=2, maximum=validation.MAX_POINTS
    )
    return np.linspace(0.0, t_end_days, n_points)


def _solve(target: str, params: AntibodyParameters, times: np.ndarray) -> np.ndarray:
    """States (6 x len(times)); the window and the time after it are solved apart."""
    hits = depleted_compartments(target)
    rtol, atol = numerics.tolerances("antibodies")
    window = min(params.depletion_window_days, times[-1])
    y = np.ones(6)
    out = np.empty((6, times.size))
    for start, stop, active in ((0.0, window, True), (window, times[-1], False)):
        mask = (times >= start) & (times <= stop)
        # Nothing happens in a vanishing segment, and LSODA stalls on subnormal spans.
        if stop - start <= validation.SHORTEST_SEGMENT_DAYS:
            if mask.any():
                out[:, mask] = y[:, None]
            continue
        sol = solve_ivp(
            _rhs(params, hits, active),
            (start, stop),
            y,
            method="LSODA",
            rtol=rtol,
            atol=atol,
            dense_output=True,
        )
        if (
            not sol.success
        ):  # pragma: no cover - LSODA does not fail on this linear system
            raise RuntimeError(sol.message)
        out[:, mask] = sol.sol(times[mask])
        y = sol.y[:, -1]
    return np.clip(out, 0.0, None)


def simulate_antibodies(
    target: str = "CD19",
    params: AntibodyParameters | None = None,
    t_end_days: float = 365.0,
    n_points: int = 366,
) -> pd.DataFrame:
    """Compartments after a CAR T product aimed at ``target`` (see :data:`TARGETS`).

    Returns a tidy table, one row per time and quantity, with columns ``time_days``,
    ``target``, ``quantity`` (one of :data:`QUANTITIES`) and ``fraction_of_baseline``.
    Unknown targets raise ``ValueError``.
    """
    params = AntibodyParameters.resolve(params, "params")
    validation.require_choice("target", target, TARGETS)
    times = _check_grid(t_end_days, n_points)
    states = _solve(target, params, times)
    frames = [
        pd.DataFrame(
            {
                "time_days": times,
                "target": target,
                "quantity": name,
                "fraction_of_baseline": states[i],
            }
        )
        for i, name in enumerate(QUANTITIES)
    ]
    return pd.concat(frames, ignore_index=True)


def simulate_targets(
    targets=TARGETS,
    params: AntibodyParameters | None = None,
    t_end_days: float = 365.0,
    n_points: int = 366,
) -> pd.DataFrame:
    """:func:`simulate_antibodies` for several targets, stacked into one tidy table."""
    targets = validation.require_names("targets", targets, TARGETS)
    return pd.concat(
        [simulate_antibodies(t, params, t_end_days, n_points) for t in targets],
        ignore_index=True,
    )


def autoantibody_closed_form(
    t_days, params: AntibodyParameters | None = None
) -> np.ndarray:
    """Autoantibody (fraction of baseline) if the B-cell drive vanished at t = 0 and
    nothing is killed.

    ``Aa(t) = f_S (k e^{-d_S t} - d_S e^{-k t}) / (k - d_S) + (1 - f_S) (k e^{-d_L t} -
    d_L e^{-k t}) / (k - d_L)``, the solution of the equations above with ``B = 0`` and
    no hazard (models.md section 3.3). When a decay rate equals ``k`` the term's limit
    ``(1 + k t) e^{-k t}`` is used.
    """
    params = AntibodyParameters.resolve(params, "params")
    t = validation.require_array("t_days", t_days, minimum=0.0)
    k = _rate(params.igg_half_life_days)
    f_s = params.short_lived_autoantibody_fraction

    def term(d):
        if np.isclose(d, k):
            return (1.0 + k * t) * np.exp(-k * t)
        return (k * np.exp(-d * t) - d * np.exp(-k * t)) / (k - d)

    d_s = _rate(params.short_lived_half_life_days)
    d_l = _rate(params.autoreactive_llpc_half_life_days)
    return f_s * term(d_s) + (1.0 - f_s) * term(d_l)


def value_at(
    frame: pd.DataFrame, quantity: str, day: float, target: str | None = None
) -> float:
    """The value of ``quantity`` at the grid time closest to ``day`` (optionally for one
    target). A ``day`` outside the table's time span is refused, never extrapolated."""
    validation.require_columns(
        "frame", frame, ("time_days", "quantity", "fraction_of_baseline")
    )
    validation.require_choice("quantity", quantity, QUANTITIES)
    day = validation.require_finite("day", day)
    first, last = frame["time_days"].min(), frame["time_days"].max()
    if not first <= day <= last:
        raise ValueError(
            f"day must lie within the table's times [{first:g}, {last:g}], got {day!r}"
        )
    rows = frame[frame["quantity"] == quantity]
    if target is not None:
        rows = rows[rows["target"] == target]
    if rows.empty:
        raise ValueError(f"no rows for quantity {quantity!r} and target {target!r}")
    idx = (rows["time_days"] - day).abs().idxmin()
    return float(rows.loc[idx, "fraction_of_baseline"])


def tradeoff_summary(
    params: AntibodyParameters | None = None,
    targets=TARGETS,
    autoantibody_day: float = 90.0,
    vaccine_day: float = 365.0,
) -> pd.DataFrame:
    """Per target: autoantibody left at ``autoantibody_day`` and vaccine titre left at
    ``vaccine_day``.

    Returns one row per target with columns ``target``, ``autoantibody_fraction`` and
    ``vaccine_titre_fraction`` (fractions of baseline). Good targets have a small first
    number and a second number near 1.
    """
    autoantibody_day = validation.require_non_negative(
        "autoantibody_day", autoantibody_day
    )
    vaccine_day = validation.require_non_negative("vaccine_day", vaccine_day)
    t_end = max(autoantibody_day, vaccine_day, 1.0)
    validation.require_points("vaccine_day", t_end, 1.0)
    frame = simulate_targets(
        targets, params, t_end_days=t_end, n_points=int(np.ceil(t_end)) + 1
    )
    rows = [
        {
            "target": target,
            "autoantibody_fraction": value_at(
                frame, "autoantibody", autoantibody_day, target
            ),
            "vaccine_titre_fraction": value_at(
                frame, "vaccine_antibody", vaccine_day, target
            ),
        }
        for target in frame["target"].unique()
    ]
    return pd.DataFrame(rows)


def share_sensitivity(
    shares=(0.5, 0.9, 0.99),
    params: AntibodyParameters | None = None,
    *,
    target: str = "CD19",
    days=(90.0, 365.0),
) -> pd.DataFrame:
    """Autoantibody left after ``target`` for several short-lived autoantibody shares.

    One row per share in ``shares`` (fractions of the autoantibody made by short-lived
    plasmablasts), columns ``short_lived_share`` and ``autoantibody_day_<d>`` for each
    day ``d`` in ``days`` (fractions of the starting level).
    """
    params = AntibodyParameters.resolve(params, "params")
    shares = validation.require_array("shares", shares, minimum=0.0, maximum=1.0)
    days = validation.require_array("days", days, minimum=0.0)
    shares, days = [float(v) for v in shares.ravel()], [float(v) for v in days.ravel()]
    if not shares or not days:
        raise ValueError("shares and days must not be empty")
    t_end = max(*days, 1.0)
    validation.require_points("days", t_end, 1.0)
    rows = []
    for share in shares:
        run = simulate_antibodies(
            target,
            params.replace(short_lived_autoantibody_fraction=share),
            t_end_days=t_end,
            n_points=int(np.ceil(t_end)) + 1,
        )
        row = {"short_lived_share": share}
        for day in days:
            row[f"autoantibody_day_{day:.0f}"] = value_at(run, "autoantibody", day)
        rows.append(row)
    return pd.DataFrame(rows)


def reseeding_runs(
    fractions=(0.0, 0.25, 1.0),
    params: AntibodyParameters | None = None,
    *,
    target: str = "CD19",
    t_end_days: float = 730.0,
) -> dict:
    """``{fraction: simulate_antibodies table}`` for several re-seeding fractions.

    A fraction is the share of the old autoreactive B-cell drive that the returning
    B cells rebuild after the depletion window (0 = a complete reset).
    """
    params = AntibodyParameters.resolve(params, "params")
    fractions = validation.require_array(
        "fractions", fractions, minimum=0.0, maximum=1.0
    )
    fractions = [float(f) for f in fractions.ravel()]
    if not fractions:
        raise ValueError("fractions must not be empty")
    if len(set(fractions)) != len(fractions):
        raise ValueError(f"fractions must not repeat, got {fractions}")
    t_end_days = validation.require_positive("t_end_days", t_end_days)
    validation.require_points("t_end_days", t_end_days, 1.0)
    n_points = int(np.ceil(t_end_days)) + 1
    return {
        f: simulate_antibodies(
            target, params.replace(reseeding_fraction=f), t_end_days, n_points
        )
        for f in fractions
    }
