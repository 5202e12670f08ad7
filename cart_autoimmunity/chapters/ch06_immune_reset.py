"""Chapter 6, *The immune reset*: which cells a CD19 CAR T product removes and which it spares.

Cited numbers come from the evidence tables ``antibody_longevity`` and ``erlangen_trials``.
The model numbers come from two runs with default parameters: the kinetics model's autoimmune
patient (:func:`cart_autoimmunity.kinetics.simulate`, one year), whose B cells are split into
pre-existing and newly made ones, and the antibody model
(:mod:`cart_autoimmunity.antibodies`), which follows autoantibody and vaccine antibody after
a product aimed at CD19 or BCMA.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import antibodies, chapter, evidence, kinetics
from ..claims import Bound, Check, Claim
from ..parameters.antibodies import AntibodyParameters
from ..parameters.kinetics import KineticsParameters
from ..validation import require_choice

CHAPTER = "notebooks/06_immune_reset"

#: Days simulated for the B-cell figure (days).
B_CELL_DAYS = 365.0
#: The day the prose reads the depth of the B-cell fall at (days after infusion).
LOW_DAY = 14.0
#: The targets of the antibody figure, and the days its prose reads off (days).
TARGETS = ("none", "CD19", "BCMA")
#: Short-lived autoantibody shares of the sensitivity table (fractions).
SHARES = (0.5, 0.9, 0.99)
#: Re-seeding fractions of the relapse figure, and its horizon (days).
RESEEDING_FRACTIONS = (0.0, 0.25, 1.0)
RESEEDING_DAYS = 730.0

#: The measures of the evidence table, in words, by quantity.
EVIDENCE_LABELS = {
    "antibody_half_life_varicella_zoster": "Varicella-zoster antibody, half-life",
    "antibody_half_life_measles_min": "Measles antibody, half-life (more than)",
    "antibody_half_life_tetanus": "Tetanus antibody, half-life",
    "antibody_half_life_diphtheria": "Diphtheria antibody, half-life",
    "total_igg_change_after_cd19_car_t": "Total IgG after CD19 CAR T, change",
    "measles_igg_change_after_cd19_car_t": "Measles IgG after CD19 CAR T, change",
    "viral_infections_after_day_90": "Viral infections after day 90",
    "plasma_cell_persistence_min": "Marrow plasma cells after CD19 CAR T (at least)",
    "secreted_ig_half_life_max": "Secreted antibody, half-life (at most)",
    "igg1_igg2_igg4_half_life": "IgG subclasses 1, 2 and 4, half-life",
    "igg3_half_life": "IgG subclass 3, half-life",
}
#: Quantities whose cited range is stated in weeks in the source (shown in weeks).
IN_WEEKS = ("secreted_ig_half_life_max",)


# --- cited numbers ---------------------------------------------------------------------
def antibody_evidence() -> pd.DataFrame:
    """The evidence table ``antibody_longevity``, indexed by quantity."""
    return evidence.antibody_longevity().set_index("quantity")


def trial_evidence() -> pd.DataFrame:
    """The evidence table ``erlangen_trials`` (both reports), indexed by quantity."""
    return evidence.erlangen_trials().set_index("quantity")


def cited_numbers() -> dict:
    """The cited numbers the prose quotes (units as in the evidence tables; % for changes)."""
    cited = antibody_evidence()
    trials = trial_evidence()
    return {
        "bhoj_months": cited.loc["plasma_cell_persistence_min", "value"],
        "bhoj_n": int(cited.loc["plasma_cell_persistence_min", "n"]),
        "hill_n": int(cited.loc["total_igg_change_after_cd19_car_t", "n"]),
        "hill_total_pct": 100 * cited.loc["total_igg_change_after_cd19_car_t", "value"],
        "hill_measles_pct": 100
        * cited.loc["measles_igg_change_after_cd19_car_t", "value"],
        "hill_viral": cited.loc["viral_infections_after_day_90", "value"],
        "igg_long_low": cited.loc["igg1_igg2_igg4_half_life", "low"],
        "igg_long_high": cited.loc["igg1_igg2_igg4_half_life", "high"],
        "igg3_low": cited.loc["igg3_half_life", "low"],
        "igg3_high": cited.loc["igg3_half_life", "high"],
        "tetanus_years": cited.loc["antibody_half_life_tetanus", "value"],
        "vzv_years": cited.loc["antibody_half_life_varicella_zoster", "value"],
        "measles_years": cited.loc["antibody_half_life_measles_min", "value"],
        "mu_follow_up": trials.loc["follow_up_median", "value"],
        "mu_follow_up_low": trials.loc["follow_up_median", "low"],
        "mu_follow_up_high": trials.loc["follow_up_median", "high"],
        "drug_free_months": trials.loc["drug_free_follow_up_median", "value"],
    }


# --- the kinetics run: old and new B cells ---------------------------------------------
@cache
def b_cell_run() -> pd.DataFrame:
    """One autoimmune patient over :data:`B_CELL_DAYS` days with default parameters.

    :func:`cart_autoimmunity.kinetics.simulate`; a copy is not made, so do not modify it.
    """
    return kinetics.simulate("autoimmune", KineticsParameters(), days=B_CELL_DAYS)


@cache
def b_cell_readouts() -> dict:
    """:func:`cart_autoimmunity.kinetics.readouts` of :func:`b_cell_run`."""
    return kinetics.readouts(b_cell_run(), KineticsParameters())


def b_cell_fall_orders(day: float = LOW_DAY) -> float:
    """Orders of magnitude B cells have fallen by ``day`` in :func:`b_cell_run`.

    ``-log10(B(day) / B_normal)``, read at the grid day closest to ``day``; a model number
    far beyond what flow cytometry can count, which the prose says in words.
    """
    run = b_cell_run()
    if not run["time_days"].min() <= day <= run["time_days"].max():
        raise ValueError(f"day must lie within the run, got {day}")
    row = run.loc[(run["time_days"] - day).abs().idxmin()]
    return float(-np.log10(row["b_cells_fraction_of_normal"]))


def naive_fraction_at_return() -> float:
    """Newly made B cells over all B cells on the day B cells return (fraction, B_new/B)."""
    return b_cell_readouts()["naive_fraction_at_return"]


# --- the antibody model ----------------------------------------------------------------
@cache
def antibody_courses() -> pd.DataFrame:
    """:func:`cart_autoimmunity.antibodies.simulate_targets` for :data:`TARGETS`, one year."""
    return antibodies.simulate_targets(TARGETS, AntibodyParameters())


def antibody_left(quantity: str, day: float, target: str) -> float:
    """Antibody ``quantity`` left on ``day`` after a product aimed at ``target`` (fraction).

    Read from :func:`antibody_courses` at the grid day closest to ``day``.
    """
    require_choice("target", target, TARGETS)
    return antibodies.value_at(antibody_courses(), quantity, day, target)


@cache
def share_table() -> pd.DataFrame:
    """Autoantibody left after CD19 for each short-lived share in :data:`SHARES` (fractions).

    :func:`cart_autoimmunity.antibodies.share_sensitivity` with default parameters.
    """
    return antibodies.share_sensitivity(SHARES, AntibodyParameters())


@cache
def _reseeding() -> dict:
    return antibodies.reseeding_runs(
        RESEEDING_FRACTIONS, AntibodyParameters(), t_end_days=RESEEDING_DAYS
    )


def reseeding_courses() -> dict:
    """The relapse figure's runs: ``{"25% re-seeding": table, ...}`` over two years.

    :func:`cart_autoimmunity.antibodies.reseeding_runs` for :data:`RESEEDING_FRACTIONS`.
    """
    return {f"{fraction:.0%} re-seeding": run for fraction, run in _reseeding().items()}


def autoantibody_after_reseeding(fraction: float) -> float:
    """Autoantibody at the end of :data:`RESEEDING_DAYS` with re-seeding ``fraction`` (fraction)."""
    require_choice("fraction", fraction, RESEEDING_FRACTIONS)
    return antibodies.value_at(_reseeding()[fraction], "autoantibody", RESEEDING_DAYS)


def model_numbers() -> dict:
    """The model numbers the prose quotes (percent of the level before treatment)."""
    ab = AntibodyParameters()
    shares = share_table().set_index("short_lived_share")
    return {
        "naive_pct": 100 * naive_fraction_at_return(),
        "low_day": LOW_DAY,
        "fall_orders": b_cell_fall_orders(),
        "window_days": ab.depletion_window_days,
        "igg_half_life": ab.igg_half_life_days,
        "short_lived_share_pct": 100 * ab.short_lived_autoantibody_fraction,
        "llpc_share_pct": 100 * (1 - ab.short_lived_autoantibody_fraction),
        "cd19_auto_d90_pct": 100 * antibody_left("autoantibody", 90, "CD19"),
        "cd19_auto_d365_pct": 100 * antibody_left("autoantibody", 365, "CD19"),
        "cd19_vaccine_d365_pct": 100 * antibody_left("vaccine_antibody", 365, "CD19"),
        "bcma_auto_d90_pct": 100 * antibody_left("autoantibody", 90, "BCMA"),
        "bcma_auto_d365_pct": 100 * antibody_left("autoantibody", 365, "BCMA"),
        "bcma_vaccine_d365_pct": 100 * antibody_left("vaccine_antibody", 365, "BCMA"),
        "half_share_d365_pct": 100 * shares.loc[0.5, "autoantibody_day_365"],
        "reseed_quarter_pct": 100 * autoantibody_after_reseeding(0.25),
        "reseed_full_pct": 100 * autoantibody_after_reseeding(1.0),
    }


# --- the chapter's protocol ------------------------------------------------------------
def numbers() -> dict:
    """Every number the prose glues, by glue name."""
    return {**cited_numbers(), **model_numbers()}


def _shown_value(row) -> str:
    """A cited value as the evidence table shows it: a change in %, a range, or a value."""
    if row.unit == "fraction":
        return f"{100 * row.value:+.1f}%"
    if row.quantity in IN_WEEKS:
        return f"{row.low / 7:.0f}–{row.high / 7:.0f} weeks"
    if row.low == row.low:  # a range (low is not NaN)
        return f"{row.low:.0f}–{row.high:.0f} {row.unit}"
    return f"{row.value:g} {row.unit}"


def tables() -> dict:
    """The chapter's tables as data, by ``tbl-`` name."""
    cited = evidence.antibody_longevity()
    return {
        "tbl-reset-evidence": cited.assign(
            what=cited["quantity"].map(EVIDENCE_LABELS),
            seen=cited["status"].map({"primary": "abstract", "secondary": "secondary"}),
        ),
        "tbl-reset-shares": share_table().copy(),
    }


def _percent(fraction: float) -> str:
    return f"{100 * fraction:.0f}%"


#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-reset-evidence": chapter.TableSpec(
        {
            "what": "Measure",
            "shown": "Value",
            "source": "Source",
            "seen": "Seen in",
        },
        "Antibodies and the cells that make them: the numbers behind this chapter.",
        formats={"source": chapter.cite},
        derive=lambda frame: frame.assign(
            shown=[_shown_value(r) for r in frame.itertuples()]
        ),
    ),
    "tbl-reset-shares": chapter.TableSpec(
        {
            "short_lived_share": "Autoantibody from short-lived cells",
            "autoantibody_day_90": "Autoantibody left at day 90",
            "autoantibody_day_365": "Left at day 365",
        },
        "How much autoantibody a CD19 product leaves, by the assumed share made by "
        "short-lived plasmablasts (antibody model).",
        formats={
            column: _percent
            for column in (
                "short_lived_share",
                "autoantibody_day_90",
                "autoantibody_day_365",
            )
        },
    ),
}


def reader_table(name: str) -> chapter.ReaderTable:
    """Table ``name`` of :func:`tables`, formatted for readers."""
    require_choice("name", name, TABLE_SPECS)
    return chapter.show_table(TABLE_SPECS[name], tables()[name], name=name)


def claims() -> tuple[Claim, ...]:
    """The chapter's claim: the B cells that return are new."""
    return (
        Claim(
            id="immune-reset-naive",
            claim="The immune system resets: the B cells that return are new.",
            chapter=CHAPTER,
            verdict="supported with caveats",
            sources=("mackensen2022",),
            checks=(
                Check(
                    "model: fraction of returning B cells that are newly made, "
                    "autoimmune scenario (fraction)",
                    naive_fraction_at_return(),
                    Bound(low=0.95),
                ),
            ),
            caveat=(
                "cited: the returning B cells were naive; in the model they are newly "
                "made by construction (pre-existing B cells are not replenished); "
                "whether the reset lasts is not yet known"
            ),
        ),
    )
