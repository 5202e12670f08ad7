"""The conclusion: the verdicts counted, and the chapters' own numbers, quoted once more.

The conclusion computes nothing new. Every number it quotes is read from the chapter that
computes or cites it (its ``numbers()``), or from the evidence tables, so that a number is
never worked out twice; the verdict counts are those of the chapters' claims. What the
published cohorts show as of the book's date is read from the evidence map
(``book/evidence_map``), which counts them.
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
    "hagen_n": ("notebooks/04_erlangen", "hagen_n"),
    "castle_n": ("notebooks/04_erlangen", "castle_n"),
    "qin_relapses": ("notebooks/04_erlangen", "qin_relapses"),
    "qin_n": ("notebooks/04_erlangen", "qin_n"),
    # The evidence map (book/evidence_map): every published cohort as of the book's date.
    "book_day": ("book/evidence_map", "book_day"),
    "map_cohorts": ("book/evidence_map", "n_cohorts"),
    "map_groups": ("book/evidence_map", "n_groups"),
    "map_patients": ("book/evidence_map", "n_patients_independent"),
    "map_donor": ("book/evidence_map", "n_donor"),
    "map_in_vivo": ("book/evidence_map", "n_in_vivo"),
    "map_follow_up_months": ("book/evidence_map", "longest_follow_up_months"),
    "crs3_patients": ("book/evidence_map", "crs3_patients"),
    "crs3_cohorts": ("book/evidence_map", "crs3_cohorts"),
    "crs3_events": ("book/evidence_map", "crs3_events"),
    "crs3_high_pct": ("book/evidence_map", "crs3_total_high_pct"),
    "crs_any_events": ("book/evidence_map", "crs_any_events"),
    "crs_any_patients": ("book/evidence_map", "crs_any_patients"),
    "dfr_events": ("book/evidence_map", "dfr_events"),
    "dfr_patients": ("book/evidence_map", "dfr_patients"),
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


#: The conclusion shows no table.
TABLE_SPECS: dict[str, chapter.TableSpec] = {}


def reader_table(name: str) -> chapter.ReaderTable:
    """The conclusion shows no table: every name is refused."""
    raise ValueError(f"name {name!r}: the conclusion shows no table")


def claims() -> tuple:
    """The conclusion checks no claim of its own: it counts the chapters' claims."""
    return ()
