"""The conclusion: the verdicts counted, and the chapters' own numbers, quoted once more.

The conclusion computes nothing new. Every number it quotes is read from the chapter that
computes or cites it (its ``numbers()``), or from the evidence tables, so that a number is
never worked out twice; the verdict counts are those of the chapters' claims.
"""

from __future__ import annotations

import pandas as pd

from .. import chapter, evidence
from ..claims import verdict_counts
from ..evidence.trials import MACKENSEN_2022, MULLER_2024
from . import all_claims, module

CHAPTER = "book/conclusion"

#: Conclusion glue name -> (chapter, that chapter's glue name): one home per number.
QUOTED = {
    "prevalence_pct": ("notebooks/01_burden", "prev_all_pct"),
    "b_return_published": ("notebooks/01_burden", "b_return_days"),
    "slow_ratio": ("notebooks/02_rogue_cells", "slowdown"),
    "muller_n": ("notebooks/05_safety", "muller_n"),
    "crs_upper_pct": ("notebooks/05_safety", "cp_upper_pct"),
    "vaccine_kept_pct": ("notebooks/09_precision", "cd19_vaccine_pct"),
    "bcma_vaccine_pct": ("notebooks/09_precision", "bcma_vaccine_pct"),
    "in_vivo_days": ("notebooks/10_future", "single_days_below"),
    "vanish_day": ("notebooks/10_future", "auto_last_day"),
    "b_return_model": ("notebooks/10_future", "auto_b_return"),
    "persist_day": ("notebooks/04_erlangen", "leuk_lod_day"),
}


def verdicts() -> dict[str, int]:
    """How many of the chapters' claims carry each verdict."""
    return verdict_counts(all_claims())


def cited() -> dict[str, float]:
    """The cited numbers the conclusion quotes directly from the evidence tables."""
    tolerance = evidence.tolerance_checkpoints()
    lupus = tolerance[tolerance["cohort"].str.startswith("SLE")]
    return {
        "mackensen_n": int(
            evidence.lookup("erlangen_trials", "patients", MACKENSEN_2022)
        ),
        "follow_up_months": evidence.lookup(
            "erlangen_trials", "follow_up_median", MULLER_2024
        ),
        "early_self_reactive_pct": 100
        * evidence.lookup(
            "tolerance_checkpoints", "self_reactive_early_immature_b_cells"
        ),
        "yurasov_n": int(lupus["n"].iloc[0]),
    }


def numbers() -> dict:
    """Every number the conclusion glues, by glue name."""
    counts = verdicts()
    quoted = {
        name: module(source).numbers()[source_name]
        for name, (source, source_name) in QUOTED.items()
    }
    return {
        "n_claims": sum(counts.values()),
        "n_supported": counts["supported"],
        "n_caveats": counts["supported with caveats"],
        "n_plausible": counts["plausible, not yet measured"],
        "n_oversimplified": counts["oversimplified"],
        **cited(),
        **quoted,
    }


def tables() -> dict[str, pd.DataFrame]:
    """The conclusion shows no table."""
    return {}


def reader_table(name: str) -> chapter.ReaderTable:
    """The conclusion shows no table: every name is refused."""
    raise ValueError(f"name {name!r}: the conclusion shows no table")


def claims() -> tuple:
    """The conclusion checks no claim of its own: it counts the chapters' claims."""
    return ()
