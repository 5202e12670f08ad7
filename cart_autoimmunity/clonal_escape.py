"""A rogue clone as a linear birth-death process: slow-motion cancer or not (model M7).

Each cell divides at rate ``b`` and dies at rate ``d`` per day, independently. An
apoptosis defect ``epsilon`` sets ``d = b (1 - epsilon)``: with ``epsilon = 0`` deaths
balance divisions (intact tolerance); with ``epsilon > 0`` the clone grows on average at
``r = b - d = b epsilon``.

Closed forms from one cell (Kendall 1948; standard branching-process theory):

* extinction by time t: ``alpha(t) = d (e^{rt} - 1) / (b e^{rt} - d)``, tending to ``d /
  b``, so the long-run survival probability is ``epsilon``;
* mean size ``E[N(t)] = e^{rt}``; a surviving clone reaches N cells after about
  ``ln(N epsilon) / r`` days.

Simulation is EXACT on any time grid, vectorised over replicates with numpy: over a step
``dt`` each of the ``N`` cells independently leaves no descendants with probability
``alpha(dt)`` and otherwise a geometric number ``1, 2, ...`` with ratio ``beta(dt) = b
(e^{r dt} - 1) / (b e^{r dt} - d)``. So ``N -> S + NegBin(S, 1 - beta)`` with ``S ~
Binomial(N, 1 - alpha)``. No tau-leaping error.

The autoreactive clone divides like a memory B cell (2.66% per day, Macallan 2005); the
comparator grows like B-ALL (net 1/30 per day, León-Triana 2021) with the same survival
advantage. ``epsilon`` is an assumption. Time in days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import validation
from .parameters.clonal_escape import CloneParameters
from .units import DAYS_PER_YEAR

#: Clone kinds the helpers understand.
CLONES = ("autoreactive", "tumour")
#: Default horizon of the clone simulations: ten years (days).
TEN_YEARS_DAYS = 10 * DAYS_PER_YEAR


def clone_rates(
    clone: str, params: CloneParameters | None = None
) -> tuple[float, float]:
    """Division and death rate (per day) of the ``"autoreactive"`` or ``"tumour"``
    clone."""
    params = CloneParameters.resolve(params, "params")
    validation.require_choice("clone", clone, CLONES)
    if clone == "autoreactive":
        birth = params.memory_b_division_per_day
        return birth, birth * (1.0 - params.escape_fraction)
    birth = params.tumour_net_growth_per_day / params.tumour_escape_fraction
    return birth, birth - params.tumour_net_growth_per_day


def _check_rates(birth_per_day, death_per_day) -> tuple[float, float]:
    birth = validation.require_non_negative("birth_per_day", birth_per_day)
    death = validation.require_non_negative("death_per_day", death_per_day)
    return birth, death


def _alpha_beta(birth: float, death: float, t) -> tuple[np.ndarray, np.ndarray]:
    """Extinction probability alpha(t) and geometric ratio beta(t) from one cell."""
    t = np.asarray(t, dtype=float)
    r = birth - death
    if np.isclose(r, 0.0, atol=1e-14):
        alpha = birth * t / (1.0 + birth * t)
        return alpha, alpha.copy()
    if r > 0:  # divide through by e^{rt} so that long times cannot overflow
        decay = -np.expm1(-r * t)  # 1 - e^{-rt}
        denom = birth - death * np.exp(-r * t)  # (b e^{rt} - d) e^{-rt}
        return death * decay / denom, birth * decay / denom
    growth = np.expm1(r * t)  # e^{rt} - 1, small and negative when r < 0
    denom = birth * growth + r  # b e^{rt} - d
    return death * growth / denom, birth * growth / denom


def extinction_probability(
    birth_per_day: float, death_per_day: float, t_days=np.inf
) -> np.ndarray:
    """Probability that a clone started from one cell is extinct by ``t_days``.

    The default ``t_days = inf`` gives the probability that it ever dies out.
    """
    birth, death = _check_rates(birth_per_day, death_per_day)
    if np.isscalar(t_days) and t_days == np.inf:
        return np.asarray(1.0 if birth <= death else death / birth)
    t = validation.require_array("t_days", t_days, minimum=0.0)
    return _alpha_beta(birth, death, t)[0]


def expected_size(
    birth_per_day: float, death_per_day: float, t_days, initial_cells: int = 1
) -> np.ndarray:
    """Mean clone size ``N0 e^{(b - d) t}`` (infinite beyond the largest float).

    ``t_days`` counts days since the clone's first cell; negative times are refused.
    """
    birth, death = _check_rates(birth_per_day, death_per_day)
    t = validation.require_array("t_days", t_days, minimum=0.0)
    initial_cells = validation.require_integer(
        "initial_cells", initial_cells, minimum=1
    )
    with np.errstate(over="ignore"):
        return initial_cells * np.exp((birth - death) * t)


def approx_time_to_size(
    birth_per_day: float, death_per_day: float, size: float
) -> float:
    """Typical days for a surviving clone (from one cell) to reach ``size``.

    ``ln(size (b - d) / b) / (b - d)``.
    """
    birth, death = _check_rates(birth_per_day, death_per_day)
    size = validation.require_positive("size", size)
    r = birth - death
    if r <= 0:
        return float("inf")
    return float(max(np.log(size * r / birth), 0.0) / r)


def simulate_clone_sizes(
    birth_per_day: float,
    death_per_day: float,
    t_end_days: float,
    dt_days: float = 5.0,
    n_replicates: int = 2000,
    initial_cells: int = 1,
    seed: int = 2024,
    max_cells: float = 1e12,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact sizes of ``n_replicates`` independent clones on the grid ``0, dt, ...,
    t_end``.

    Returns ``(times, sizes)`` with ``sizes`` of shape ``(len(times), n_replicates)``
    (int64). The last step is shortened so that ``t_end_days`` is on the grid. A clone
    that reaches ``max_cells`` (default 10^12, about the body's lymphocyte count) is
    frozen there: it can no longer die out, and the integers cannot overflow.
    """
    birth, death = _check_rates(birth_per_day, death_per_day)
    t_end_days = validation.require_positive("t_end_days", t_end_days)
    dt_days = validation.require_positive("dt_days", dt_days)
    n_replicates = validation.require_integer(
        "n_replicates", n_replicates, minimum=1, maximum=validation.MAX_REPLICATES
    )
    validation.require_points("t_end_days", t_end_days, dt_days)
    initial_cells = validation.require_integer(
        "initial_cells", initial_cells, minimum=1
    )
    seed = validation.require_integer("seed", seed, minimum=0)
    max_cells = validation.require_positive("max_cells", max_cells)
    if max_cells > 1e15:
        raise ValueError(
            "max_cells must be <= 1e15 to stay within 64-bit integers, "
            f"got {max_cells!r}"
        )
    times = np.arange(0.0, t_end_days, dt_days)
    times = np.append(times, t_end_days) if times[-1] < t_end_days else times
    rng = np.random.default_rng(seed)
    sizes = np.empty((times.size, n_replicates), dtype=np.int64)
    current = np.full(n_replicates, initial_cells, dtype=np.int64)
    sizes[0] = current
    for i, step in enumerate(np.diff(times), start=1):
        alpha, beta = _alpha_beta(birth, death, step)
        alive = (current > 0) & (current < max_cells)
        lineages = rng.binomial(current[alive], 1.0 - float(alpha))
        extra = np.zeros_like(lineages)
        has = lineages > 0
        if has.any() and beta > 0:
            extra[has] = rng.negative_binomial(lineages[has], 1.0 - float(beta))
        current = current.copy()
        current[alive] = np.minimum(lineages + extra, int(max_cells))
        sizes[i] = current
    return times, sizes


def simulate_clone(
    clone: str = "autoreactive",
    params: CloneParameters | None = None,
    t_end_days: float = TEN_YEARS_DAYS,
    dt_days: float = 5.0,
    n_replicates: int = 2000,
    seed: int = 2024,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`simulate_clone_sizes` with the rates of the named clone.

    The rates come from :func:`clone_rates`.
    """
    birth, death = clone_rates(clone, params)
    return simulate_clone_sizes(
        birth, death, t_end_days, dt_days, n_replicates, 1, seed
    )


def trajectories(
    clone: str = "autoreactive",
    params: CloneParameters | None = None,
    t_end_days: float = TEN_YEARS_DAYS,
    dt_days: float = 5.0,
    n_replicates: int = 2000,
    n_shown: int = 30,
    seed: int = 2024,
) -> pd.DataFrame:
    """Tidy trajectories of the first ``n_shown`` replicates: ``time_days``,
    ``replicate``, ``cells``, ``clone``, ``survived``.

    ``survived`` says whether the replicate still has cells at ``t_end_days``.
    """
    n_shown = validation.require_integer(
        "n_shown", n_shown, minimum=1, maximum=validation.MAX_REPLICATES
    )
    times, sizes = simulate_clone(
        clone, params, t_end_days, dt_days, n_replicates, seed
    )
    shown = sizes[:, : min(n_shown, sizes.shape[1])]
    survived = shown[-1] > 0
    frame = pd.DataFrame(shown, index=pd.Index(times, name="time_days"))
    frame.columns.name = "replicate"
    tidy = frame.stack().rename("cells").reset_index()
    tidy["clone"] = clone
    tidy["survived"] = survived[tidy["replicate"].to_numpy()]
    return tidy


def first_passage_days(times: np.ndarray, sizes: np.ndarray, size: float) -> np.ndarray:
    """First grid time at which each replicate has ``size`` cells or more (else NaN)."""
    size = validation.require_positive("size", size)
    times = validation.require_increasing("times", times)
    sizes = validation.require_array("sizes", sizes, minimum=0.0, max_size=None)
    if sizes.ndim != 2 or sizes.shape[0] != times.size:
        raise ValueError(
            f"sizes must have shape (len(times), replicates) = ({times.size}, n), "
            f"got {sizes.shape}"
        )
    reached = sizes >= size
    first = np.argmax(reached, axis=0)
    out = times[first].astype(float)
    out[~reached.any(axis=0)] = np.nan
    return out


def _passages(size, params, clones, t_end_days, dt_days, n_replicates, seed):
    """For each clone: ``(clone, sizes, days)``, its simulated sizes and the first day each
    replicate has ``size`` cells (:func:`first_passage_days`); one simulation per clone.
    ``clones`` and the run settings are checked before any simulation."""
    clones = validation.require_names("clones", clones, CLONES)
    for clone in clones:
        times, sizes = simulate_clone(
            clone, params, t_end_days, dt_days, n_replicates, seed
        )
        yield clone, sizes, first_passage_days(times, sizes, size)


def time_to_size(
    size: float = 1e6,
    params: CloneParameters | None = None,
    clones=CLONES,
    t_end_days: float = TEN_YEARS_DAYS,
    dt_days: float = 5.0,
    n_replicates: int = 2000,
    seed: int = 2024,
) -> pd.DataFrame:
    """Days for each replicate clone to reach ``size`` cells, one row per clone and
    replicate.

    Columns ``clone``, ``replicate``, ``days`` (NaN if the clone died out or was still
    smaller at ``t_end_days``), ``years`` and ``theory_days``
    (:func:`approx_time_to_size`). Resolution is ``dt_days``.
    """
    size = validation.require_positive("size", size)
    frames = []
    for clone, _, days in _passages(
        size, params, clones, t_end_days, dt_days, n_replicates, seed
    ):
        birth, death = clone_rates(clone, params)
        frames.append(
            pd.DataFrame(
                {
                    "clone": clone,
                    "replicate": np.arange(days.size),
                    "days": days,
                    "years": days / DAYS_PER_YEAR,
                    "theory_days": approx_time_to_size(birth, death, size),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def clone_summary(
    size: float = 1e6,
    params: CloneParameters | None = None,
    t_end_days: float = TEN_YEARS_DAYS,
    dt_days: float = 5.0,
    n_replicates: int = 2000,
    seed: int = 2024,
) -> pd.DataFrame:
    """Theory against simulation for each clone, one row per clone.

    Columns: ``clone``, ``birth_per_day``, ``death_per_day``, ``doubling_days`` (ln 2 /
    (b - d)), ``survival_theory`` (long run), ``survival_simulated`` (at
    ``t_end_days``), ``median_days_to_size`` (among clones that got there),
    ``theory_days_to_size``.
    """
    size = validation.require_positive("size", size)
    rows = []
    for clone, sizes, passage in _passages(
        size, params, CLONES, t_end_days, dt_days, n_replicates, seed
    ):
        birth, death = clone_rates(clone, params)
        days = pd.Series(passage)
        rows.append(
            {
                "clone": clone,
                "birth_per_day": birth,
                "death_per_day": death,
                "doubling_days": np.log(2) / (birth - death)
                if birth > death
                else np.inf,
                "survival_theory": 1.0 - float(extinction_probability(birth, death)),
                "survival_simulated": float(np.mean(sizes[-1] > 0)),
                "median_days_to_size": float(days.median())
                if days.notna().any()
                else np.nan,
                "theory_days_to_size": approx_time_to_size(birth, death, size),
            }
        )
    return pd.DataFrame(rows)
