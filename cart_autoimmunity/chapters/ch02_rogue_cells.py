"""Chapter 2, *A shared flaw? Rogue cells and the slow-motion cancer*: the leaky tolerance
filter (published ranges) and a birth–death model of a clone with an apoptosis defect.

The published self-reactive fractions come from :mod:`cart_autoimmunity.tolerance`; the
clone comparison is :func:`cart_autoimmunity.clonal_escape.clone_summary`, run once per
parameter set (cached) with the settings :data:`SIZE_CELLS` and :data:`RUN`.
"""

from __future__ import annotations

import math
from functools import cache

import pandas as pd

from .. import chapter, clonal_escape, evidence, tolerance
from ..claims import Bound, Check, Claim
from ..figures.clonal_escape import CLONE_LABELS
from ..parameters.clonal_escape import CloneParameters
from ..units import DAYS_PER_YEAR
from ..validation import require_choice

CHAPTER = "notebooks/02_rogue_cells"

#: The clone size the chapter times (cells).
SIZE_CELLS = 1e6
#: The simulation settings: ten years (days), 2000 clones of each kind, the seed.
RUN = {"t_end_days": clonal_escape.TEN_YEARS_DAYS, "n_replicates": 2000, "seed": 2024}

STAGE_NAMES = {
    tolerance.STAGES[0]: "Early immature B cells (bone marrow)",
    tolerance.STAGES[1]: "Mature naive B cells (blood)",
}


# --- the tolerance filter (cited ranges) -----------------------------------------------
def self_reactive(stage: int, group: str) -> pd.Series:
    """Published self-reactive share (fractions ``low``, ``high``, ``mid``) of a stage.

    ``stage`` is 0 (early immature, bone marrow) or 1 (mature naive, blood); ``group`` is
    ``"healthy"`` or ``"SLE"``.
    """
    require_choice("stage", stage, range(len(tolerance.STAGES)))
    require_choice("group", group, ("healthy", "SLE"))
    ranges = tolerance.self_reactive_fractions().set_index(["stage", "group"])
    key = (tolerance.STAGES[stage], group)
    if key not in ranges.index:
        raise ValueError(f"group {group!r} was not measured at stage {stage}")
    return ranges.loc[key]


# --- the clone model -------------------------------------------------------------------
@cache
def _summary(params: CloneParameters) -> pd.DataFrame:
    return clonal_escape.clone_summary(size=SIZE_CELLS, params=params, **RUN)


def clone_summary(params: CloneParameters | None = None) -> pd.DataFrame:
    """Theory against simulation per clone (:func:`clonal_escape.clone_summary`).

    Run with :data:`SIZE_CELLS` and :data:`RUN`; cached per parameter set, so numbers,
    table and claims share one run.
    """
    if params is None:
        params = CloneParameters()
    if not isinstance(params, CloneParameters):
        raise ValueError(f"params must be CloneParameters, got {type(params).__name__}")
    return _summary(params).copy()


def slowdown(params: CloneParameters | None = None) -> float:
    """How many times longer a surviving autoreactive clone takes to reach
    :data:`SIZE_CELLS` than a leukaemia-like one: ratio of the median first-passage days.
    """
    by_clone = clone_summary(params).set_index("clone")["median_days_to_size"]
    return float(by_clone["autoreactive"] / by_clone["tumour"])


# --- the chapter's protocol ------------------------------------------------------------
def numbers() -> dict:
    """Every number the prose glues, by glue name (percentages in %, times in days or
    years)."""
    early = self_reactive(0, "healthy")
    healthy, sle = self_reactive(1, "healthy"), self_reactive(1, "SLE")
    params = CloneParameters()
    by_clone = clone_summary(params).set_index("clone")
    auto, tumour = by_clone.loc["autoreactive"], by_clone.loc["tumour"]
    return {
        "early_low_pct": 100 * early["low"],
        "early_high_pct": 100 * early["high"],
        "healthy_low_pct": 100 * healthy["low"],
        "healthy_high_pct": 100 * healthy["high"],
        "sle_low_pct": 100 * sle["low"],
        "sle_high_pct": 100 * sle["high"],
        "leak_ratio": tolerance.leak_ratio(),
        "division_pct": 100 * params.memory_b_division_per_day,
        "escape_pct": 100 * params.escape_fraction,
        "n_clones": RUN["n_replicates"],
        "horizon_years": RUN["t_end_days"] / DAYS_PER_YEAR,
        "size_log10": round(math.log10(SIZE_CELLS)),
        "auto_net_pct": 100 * (auto["birth_per_day"] - auto["death_per_day"]),
        "auto_doubling": auto["doubling_days"],
        "tumour_doubling": tumour["doubling_days"],
        "auto_survival_pct": 100 * auto["survival_simulated"],
        "auto_years": auto["median_days_to_size"] / DAYS_PER_YEAR,
        "auto_theory_years": auto["theory_days_to_size"] / DAYS_PER_YEAR,
        "tumour_years": tumour["median_days_to_size"] / DAYS_PER_YEAR,
        "slowdown": slowdown(params),
    }


def tables(params: CloneParameters | None = None) -> dict[str, pd.DataFrame]:
    """Every table the chapter shows, as data; ``params`` feed the clone simulation."""
    fractions = tolerance.self_reactive_fractions()
    shares = [
        f"{100 * lo:.0f}–{100 * hi:.0f}"
        for lo, hi in zip(fractions["low"], fractions["high"], strict=True)
    ]
    summary = clone_summary(params)
    survival = [
        f"{100 * s:.0f} (theory {100 * t:.0f})"
        for s, t in zip(
            summary["survival_simulated"], summary["survival_theory"], strict=True
        )
    ]
    years = [
        f"{m / DAYS_PER_YEAR:.1f} (theory {t / DAYS_PER_YEAR:.1f})"
        for m, t in zip(
            summary["median_days_to_size"], summary["theory_days_to_size"], strict=True
        )
    ]
    return {
        "tbl-rogue-tolerance": fractions.assign(
            stage=fractions["stage"].map(STAGE_NAMES),
            group=fractions["group"].map({"healthy": "Healthy", "SLE": "Lupus"}),
            share=shares,
        ),
        "tbl-rogue-clones": summary.assign(
            name=summary["clone"].map(CLONE_LABELS), survival=survival, years=years
        ),
    }


#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-rogue-tolerance": chapter.TableSpec(
        {
            "stage": "Stage",
            "group": "Group",
            "share": "Self-reactive (%)",
            "source": "Source",
        },
        "Share of B cells whose antibodies bind self antigens, by stage and group.",
        formats={"source": chapter.cite},
    ),
    "tbl-rogue-clones": chapter.TableSpec(
        {
            "name": "Clone",
            "doubling_days": "Doubling time (days)",
            "survival": "Alive after ten years (%)",
            "years": "Years to a million cells",
        },
        "Simulated clones against branching-process theory.",
        formats={"doubling_days": "{:.0f}"},
    ),
}


def reader_table(
    name: str, params: CloneParameters | None = None
) -> chapter.ReaderTable:
    """Table ``name`` formatted for readers; ``params`` feed the clone simulation."""
    require_choice("name", name, TABLE_SPECS)
    return chapter.show_table(TABLE_SPECS[name], tables(params)[name], name=name)


def claims() -> tuple[Claim, ...]:
    """The story's claims checked here; the headline (slow-motion cancer) first."""
    early = self_reactive(0, "healthy")["mid"]
    healthy, sle = self_reactive(1, "healthy")["mid"], self_reactive(1, "SLE")["mid"]
    checkpoints = evidence.tolerance_checkpoints()
    lupus_patients = int(
        checkpoints.loc[
            checkpoints["cohort"].str.startswith("SLE")
            & (checkpoints["quantity"] == "self_reactive_mature_naive_b_cells"),
            "n",
        ].iloc[0]
    )
    size = chapter.number(SIZE_CELLS)
    return (
        Claim(
            id="slow-motion-cancer",
            claim="Rogue immune cells are a kind of cancer that grows slowly.",
            chapter=CHAPTER,
            verdict="oversimplified",
            sources=("macallan2005", "leontriana2021"),
            checks=(
                Check(
                    f"model: median days to {size} cells of a surviving clone, "
                    "autoreactive over leukaemia-like (ratio)",
                    slowdown(),
                    Bound(low=3),
                ),
            ),
            caveat=(
                "a surviving autoreactive clone with an apoptosis defect grows like a "
                "tumour clone, only slower; growth is real but slow, and most "
                "autoreactive cells are not clonal"
            ),
        ),
        Claim(
            id="tolerance-escape",
            claim=(
                "Self-reactive immune cells slip through the body's screening, and more"
                " of them do in lupus."
            ),
            chapter=CHAPTER,
            verdict="supported with caveats",
            sources=("wardemann2003", "yurasov2005"),
            checks=(
                Check(
                    "cited self-reactive share of mature naive B cells in SLE, midpoint "
                    "of the range (fraction)",
                    sle,
                    Bound(low=healthy, strict_low=True),
                ),
                Check(
                    "cited self-reactive share of mature naive B cells in healthy "
                    "controls, midpoint of the range (fraction)",
                    healthy,
                    Bound(low=0, high=early, strict_low=True, strict_high=True),
                ),
            ),
            caveat=(
                "the bounds are the healthy naive and the early immature shares; the "
                f"lupus comparison rests on {lupus_patients} adolescent patients"
            ),
        ),
        Claim(
            id="apoptosis-mutations",
            claim=(
                "Rogue immune cells carry mutations that stop them from self-destructing."
            ),
            chapter=CHAPTER,
            verdict="oversimplified",
            sources=("savola2017", "rieuxlaucat1995", "fisher1995"),
            checks=(
                Check(
                    "cited share of new RA patients with somatic mutations in expanded "
                    "CD8+ T-cell clones (fraction)",
                    evidence.lookup(
                        "tolerance_checkpoints",
                        "patients_with_somatic_mutations_in_cd8_clones",
                    ),
                    Bound(low=0, high=0.5, strict_low=True, strict_high=True),
                ),
            ),
            caveat=(
                "such mutations are found, but in a minority of patients: true for rare "
                "inherited FAS defects and some clones, not the general mechanism"
            ),
        ),
    )
