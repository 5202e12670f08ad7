"""The claims ledger: each claim of the story, checked by a model or a cited number.

An entry states the claim in the book's own words, the chapter that shows it, the
book's verdict, the number that was computed or cited, the criterion in words, and
whether the criterion holds (``passed``, computed every time, never stored).

Two questions are kept apart. *Did the check run and meet its criterion?* is
``passed``: the number the book shows is what the book says it is. *Does the story's
claim hold?* is the ``verdict``: an entry can meet its criterion while its verdict says
the story oversimplifies, because the criterion is then the evidence that shows how.
Summaries count the two separately (:func:`verdict_counts`, :func:`check_counts`).

Run ``python -m cart_autoimmunity.ledger`` (or ``make claims``) to print it as JSON,
and ``python -m cart_autoimmunity.ledger --findings`` to print the findings grid of
the book's opening page.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from . import (
    antibodies,
    beta_cells,
    clonal_escape,
    costs,
    cytokines,
    evidence,
    in_vivo,
    kinetics,
)
from .validation import require_choice

#: The verdicts, from the strongest support to none. "plausible, not yet measured" is
#: for a claim that rests on a model alone: no measurement in people can check it yet.
VERDICTS = (
    "supported",
    "supported with caveats",
    "plausible, not yet measured",
    "oversimplified",
    "not supported",
)

#: The sphinx-design badge role of each verdict. The badge always shows the verdict in
#: words (colour is never the only signal), and a symbol repeats it.
BADGES = {
    "supported": ("bdg-success", "✓"),
    "supported with caveats": ("bdg-info", "✓"),
    "plausible, not yet measured": ("bdg-muted", "?"),
    "oversimplified": ("bdg-warning", "!"),
    "not supported": ("bdg-danger", "✗"),
}

#: One sentence per verdict, for readers.
VERDICT_MEANINGS = {
    "supported": (
        "The evidence and the model agree with the claim as the story states it."
    ),
    "supported with caveats": (
        "The claim holds, but only under conditions the story does not mention: a "
        "small, uncontrolled series, an assumption the model needs, or a number that "
        "depends on it."
    ),
    "plausible, not yet measured": (
        "A model built on published numbers reproduces the claim, but no measurement "
        "in people can check it yet."
    ),
    "oversimplified": (
        "Part of the claim holds, but the story's version leaves out something that "
        "changes its meaning."
    ),
    "not supported": "The evidence contradicts the claim.",
}


@dataclass(frozen=True)
class Claim:
    """One claim of the story and how the book checks it.

    ``check`` returns ``(value, passed)``: the computed or cited number, and whether the
    criterion holds.
    """

    id: str
    claim: str
    chapter: str
    verdict: str
    unit: str
    criterion: str
    sources: tuple[str, ...]
    check: Callable[[], tuple[float, bool]]

    def __post_init__(self) -> None:
        require_choice("verdict", self.verdict, VERDICTS)

    def evaluate(self) -> dict:
        """The entry as a plain dict, with ``value`` and ``passed`` computed now."""
        value, passed = self.check()
        return {
            "id": self.id,
            "claim": self.claim,
            "chapter": self.chapter,
            "verdict": self.verdict,
            "value": _plain(value),
            "unit": self.unit,
            "criterion": self.criterion,
            "passed": bool(passed),
            "sources": list(self.sources),
        }


def _plain(value: float) -> float | int:
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return float(f"{number:.6g}")


# --- cited checks ---------------------------------------------------------------


def _prevalence() -> tuple[float, bool]:
    share = evidence.lookup("prevalence", "population_fraction_affected")
    return share, 0.08 <= share <= 0.12


def _tolerance_escape() -> tuple[float, bool]:
    table = evidence.tolerance_checkpoints()
    early = evidence.lookup(
        "tolerance_checkpoints", "self_reactive_early_immature_b_cells"
    )
    naive = table[table.quantity == "self_reactive_mature_naive_b_cells"].set_index(
        "cohort"
    )["value"]
    healthy = naive[[c for c in naive.index if c.startswith("Healthy")]].iloc[0]
    lupus = naive[[c for c in naive.index if c.startswith("SLE")]].iloc[0]
    return lupus, 0 < healthy < early and lupus > healthy


def _apoptosis_mutations() -> tuple[float, bool]:
    share = evidence.lookup(
        "tolerance_checkpoints", "patients_with_somatic_mutations_in_cd8_clones"
    )
    return share, 0 < share < 0.5


def _car_t_process() -> tuple[float, bool]:
    table = evidence.manufacturing()
    vein_to_vein = table[table.quantity == "vein_to_vein_median"]["value"]
    failure = table[table.quantity == "manufacturing_failure"]["value"]
    return float(vein_to_vein.max()), bool(
        vein_to_vein.min() >= 21 and failure.max() > 0
    )


def _cancer_side_effects() -> tuple[float, bool]:
    severe = evidence.safety.severe_crs_range()
    return severe["low"], severe["low"] >= 0.1


def _lupus_remission() -> tuple[float, bool]:
    share = evidence.lookup("erlangen_trials", "doris_remission_3_months")
    return share, share == 1.0


def _autoimmune_crs_mild() -> tuple[float, bool]:
    severe = evidence.lookup(
        "crs_rates",
        "crs_grade_3_plus",
        cohort="Müller et al. 2024 (SLE, myositis, SSc)",
    )
    return severe, severe == 0.0


def _autoimmune_side_effects() -> tuple[float, bool]:
    severe_crs = evidence.lookup(
        "crs_rates",
        "crs_grade_3_plus",
        cohort="Müller et al. 2024 (SLE, myositis, SSc)",
    )
    licats_any = evidence.lookup("other_adverse_events", "licats_any")
    licats_severe = evidence.lookup("other_adverse_events", "licats_grade_3")
    neutropenia = evidence.lookup("other_adverse_events", "neutropenia_grade_3_plus")
    mild = severe_crs == 0.0
    not_free = licats_any > 0.5 and licats_severe > 0 and neutropenia > 0.5
    return licats_severe, mild and not_free


# --- model checks ---------------------------------------------------------------


@cache
def _kinetic_readouts(scenario: str, days: float = 1000.0) -> dict:
    return kinetics.readouts(kinetics.simulate(scenario, days=days, step_days=0.5))


def _slow_motion_cancer() -> tuple[float, bool]:
    passage = clonal_escape.time_to_size(
        1e6, t_end_days=3650.0, n_replicates=2000, seed=2024
    )
    median_days = passage.groupby("clone")["days"].median()
    ratio = median_days["autoreactive"] / median_days["tumour"]
    return ratio, ratio >= 3


def _cells_vanish() -> tuple[float, bool]:
    last_day = _kinetic_readouts("autoimmune")["last_day_above_lod"]
    return last_day, last_day < 180


def _why_cells_vanish() -> tuple[float, bool]:
    """Target burden alone (memory formation as in cancer) keeps CAR T for over a year."""
    burden_only = kinetics.readouts(
        kinetics.simulate("autoimmune", days=1000, burden_only=True)
    )["last_day_above_lod"]
    return burden_only, burden_only > 365 and _cells_vanish()[1]


def _management_not_resolution() -> tuple[float, bool]:
    """Only a minority even of lupus patients is refractory to standard treatment."""
    share = evidence.lookup("prevalence", "severe_refractory_sle_fraction")
    return share, share < 0.5


def _cells_persist() -> tuple[float, bool]:
    last_day = _kinetic_readouts("leukaemia")["last_day_above_lod"]
    return last_day, last_day > 365


def _b_cells_return() -> tuple[float, bool]:
    published = (
        evidence.erlangen_trials().set_index("quantity").loc["b_cell_reappearance_mean"]
    )
    day = _kinetic_readouts("autoimmune")["b_return_day"]
    return day, published["low"] <= day <= published["high"]


def _immune_reset_naive() -> tuple[float, bool]:
    naive = _kinetic_readouts("autoimmune")["naive_fraction_at_return"]
    return naive, naive >= 0.95


def _milder_crs() -> tuple[float, bool]:
    autoimmune = float(
        cytokines.severe_crs_probability(
            _kinetic_readouts("autoimmune")["cytokine_peak"]
        )
    )
    leukaemia = float(
        cytokines.severe_crs_probability(
            _kinetic_readouts("leukaemia")["cytokine_peak"]
        )
    )
    return autoimmune, autoimmune < 0.05 < leukaemia


@cache
def _antibody_tradeoff() -> pd.DataFrame:
    return antibodies.tradeoff_summary(autoantibody_day=90, vaccine_day=365).set_index(
        "target"
    )


def _protective_antibodies_kept() -> tuple[float, bool]:
    cd19 = _antibody_tradeoff().loc["CD19"]
    return cd19["vaccine_titre_fraction"], cd19[
        "vaccine_titre_fraction"
    ] >= 0.8 and cd19["autoantibody_fraction"] <= 0.5


def _bcma_removes_protection() -> tuple[float, bool]:
    vaccine = _antibody_tradeoff().loc["BCMA", "vaccine_titre_fraction"]
    return vaccine, vaccine < 0.5


def _damage_irreversible() -> tuple[float, bool]:
    sweep = beta_cells.sweep_intervention_times(
        np.arange(0.0, 6.0, 0.5), horizon_years=10.0
    )
    final = sweep["beta_at_horizon"].to_numpy()
    largest_rise = float(np.max(np.diff(final)))
    return largest_rise, largest_rise <= 1e-9


def _bespoke_is_expensive() -> tuple[float, bool]:
    autologous, allogeneic, in_vivo_once = (
        costs.cost_per_patient(m) for m in ("autologous", "allogeneic", "in_vivo")
    )
    return autologous / in_vivo_once, autologous > allogeneic > in_vivo_once


def _off_the_shelf_enough() -> tuple[float, bool]:
    day_14 = kinetics.readouts(
        kinetics.simulate("allogeneic", days=120, step_days=0.25)
    )["b_fraction_day_14"]
    return day_14, day_14 < 1e-3


def _in_vivo_transient() -> tuple[float, bool]:
    table = in_vivo.schedule_table(("single", "weekly_x6")).set_index("schedule")[
        "days_b_below_1pct"
    ]
    return table["single"], table["single"] < 14 and table["weekly_x6"] > table[
        "single"
    ]


CLAIMS: list[Claim] = [
    Claim(
        "prevalence-one-in-ten",
        "Autoimmune disease affects about one person in ten.",
        "notebooks/01_burden",
        "supported with caveats",
        "fraction of the population",
        (
            "cited prevalence between 0.08 and 0.12 (19 diseases in one UK cohort; "
            "the overall share is reported in summaries of the study); it counts "
            "diagnoses, not treatment, and CAR T candidates are a small minority"
        ),
        ("conrad2023",),
        _prevalence,
    ),
    Claim(
        "management-not-resolution",
        (
            "Autoimmune disease is managed by lifelong immunosuppression, which "
            "controls it without resolving it."
        ),
        "notebooks/01_burden",
        "oversimplified",
        "fraction of lupus patients with severe refractory disease",
        (
            "true of the refractory, B-cell-driven diseases treated with CAR T cells, "
            "but many common autoimmune diseases are managed with hormone "
            "replacement, insulin, diet or vitamin B12, and even in lupus only a "
            "minority (cited: below 0.5) is refractory to standard treatment"
        ),
        ("conrad2023", "muller2024", "kandanerathnayake2025"),
        _management_not_resolution,
    ),
    Claim(
        "tolerance-escape",
        (
            "Self-reactive immune cells slip through the body's screening, and more"
            " of them do in lupus."
        ),
        "notebooks/02_rogue_cells",
        "supported with caveats",
        "fraction of mature naive B cells that are self-reactive in SLE",
        (
            "self-reactive share falls from early immature to mature naive B cells "
            "in healthy donors, and is higher in SLE than in controls (the lupus "
            "comparison rests on three adolescent patients)"
        ),
        ("wardemann2003", "yurasov2005"),
        _tolerance_escape,
    ),
    Claim(
        "slow-motion-cancer",
        "Rogue immune cells are a kind of cancer that grows slowly.",
        "notebooks/02_rogue_cells",
        "oversimplified",
        "ratio of median days to a million cells (autoreactive / tumour clone)",
        (
            "in the clonal-escape model a surviving autoreactive clone with an "
            "apoptosis defect takes at least 3 times as long as a tumour clone to "
            "reach a million cells; growth is real but slow, and most autoreactive "
            "cells are not clonal"
        ),
        ("macallan2005", "leontriana2021"),
        _slow_motion_cancer,
    ),
    Claim(
        "apoptosis-mutations",
        "Rogue immune cells carry mutations that stop them from self-destructing.",
        "notebooks/02_rogue_cells",
        "oversimplified",
        (
            "fraction of new RA patients with somatic mutations in expanded CD8+ "
            "T-cell clones"
        ),
        (
            "such mutations are found, but in a minority of patients (between 0 and"
            " 0.5): true for rare inherited FAS defects and some clones, not the "
            "general mechanism"
        ),
        ("savola2017", "rieuxlaucat1995", "fisher1995"),
        _apoptosis_mutations,
    ),
    Claim(
        "car-t-process",
        (
            "CAR T therapy means collecting a patient's T cells, engineering them "
            "and giving them back: a bespoke process that takes weeks and sometimes"
            " fails."
        ),
        "notebooks/03_living_drug",
        "supported with caveats",
        "days (longest median vein-to-vein time)",
        (
            "median vein-to-vein times of at least three weeks, and a non-zero "
            "manufacturing failure rate"
        ),
        ("eha2023v2v", "fimmu2021manufacturing"),
        _car_t_process,
    ),
    Claim(
        "cancer-severe-side-effects",
        (
            "In cancer, CAR T cells can cause severe side effects, including "
            "neurotoxicity."
        ),
        "notebooks/03_living_drug",
        "supported",
        "lowest cited fraction with grade 3 or higher CRS across the cancer trials",
        (
            "severe (grade >= 3) CRS in 13% to 46% of patients across the cited cancer "
            "trials (ZUMA-1 lowest, ELIANA highest; both secondary sources; Penn and "
            "other grading scales); the lowest is at least 10%"
        ),
        ("neelapu2017", "maude2018", "schuster2019", "park2018", "porter2018"),
        _cancer_side_effects,
    ),
    Claim(
        "lupus-remission",
        (
            "In Erlangen, CD19 CAR T cells put patients with refractory lupus into "
            "drug-free remission."
        ),
        "notebooks/04_erlangen",
        "supported with caveats",
        "fraction in DORIS remission at 3 months",
        (
            "all treated patients in DORIS remission at three months (a small, "
            "uncontrolled series)"
        ),
        ("mackensen2022", "muller2024"),
        _lupus_remission,
    ),
    Claim(
        "cells-vanish-in-autoimmunity",
        "In autoimmune patients the CAR T cells disappear within a few months.",
        "notebooks/04_erlangen",
        "supported with caveats",
        "days (last day above the detection limit, autoimmune scenario)",
        (
            "model: last day with CAR T cells above the detection limit is before "
            "day 180; this needs the named assumption of lower memory formation "
            "(with target burden alone they persist for more than a year); in the "
            "virtual cohort, whose spreads are fitted to the published B-cell return, "
            "a few per cent are still detectable at one year"
        ),
        ("mackensen2022", "stein2019"),
        _cells_vanish,
    ),
    Claim(
        "why-cells-vanish",
        (
            "The cells vanish in autoimmune disease because there is little target "
            "to sustain them."
        ),
        "notebooks/04_erlangen",
        "plausible, not yet measured",
        "days (last day above the detection limit, target burden as the only difference)",
        (
            "model: with target burden as the only difference from cancer, CAR T "
            "cells stay detectable for more than a year; 'months' needs the assumed "
            "lower memory formation or clearance of the CAR by the host; neither is "
            "measured in autoimmune patients"
        ),
        ("mackensen2022", "stein2019", "muller2025"),
        _why_cells_vanish,
    ),
    Claim(
        "cells-persist-in-cancer",
        "In cancer, CAR T cells can persist for years.",
        "notebooks/04_erlangen",
        "supported",
        "days (last day above the detection limit, high-burden leukaemia scenario)",
        (
            "model: CAR T cells stay above the detection limit for more than 365 "
            "days (cited: detectable for more than ten years in two CLL patients)"
        ),
        ("melenhorst2022", "awasthi2020", "stein2019"),
        _cells_persist,
    ),
    Claim(
        "b-cells-return",
        "After the CAR T cells leave, B cells come back.",
        "notebooks/04_erlangen",
        "supported",
        "days (model B-cell return, autoimmune scenario)",
        (
            "cited: B cells returned after a mean of 110 +/- 32 days; the model, "
            "whose kill rate and marrow maturation time were calibrated to that "
            "report and whose cohort spreads were fitted to it, returns them within "
            "the range (a consistency check by construction, not an independent test)"
        ),
        ("mackensen2022",),
        _b_cells_return,
    ),
    Claim(
        "immune-reset-naive",
        "The immune system resets: the B cells that return are new.",
        "notebooks/06_immune_reset",
        "supported with caveats",
        "fraction of returning B cells that are newly made",
        (
            "cited: the returning B cells were naive; in the model at least 0.95 of"
            " them are newly made, by construction (pre-existing B cells are not "
            "replenished); whether the reset lasts is not yet known"
        ),
        ("mackensen2022",),
        _immune_reset_naive,
    ),
    Claim(
        "autoimmune-crs-cited",
        (
            "No life-threatening side effects were seen in the Erlangen autoimmune "
            "patients."
        ),
        "notebooks/05_safety",
        "supported with caveats",
        "fraction with grade 3 or higher CRS",
        (
            "no grade >= 3 CRS among the fifteen patients of the Erlangen case "
            "series; with so few patients a true rate of about one in five cannot "
            "be excluded (cancer trials for comparison: 13% to 46% severe CRS)"
        ),
        ("muller2024", "neelapu2017", "maude2018"),
        _autoimmune_crs_mild,
    ),
    Claim(
        "autoimmune-side-effects-mild",
        (
            "In the autoimmune trials the side effects were mild: the life-threatening "
            "side effects seen in cancer have not been observed."
        ),
        "notebooks/05_safety",
        "supported with caveats",
        "fraction of autoimmune patients with grade 3 local reactions (LICATS)",
        (
            "no grade >= 3 CRS among the 15 Erlangen patients, while organ-specific "
            "reactions (LICATS) affected 30 of 39 patients, 3 at grade 3, and severe "
            "neutropenia was reported in 15 of 15 (Feng 2025): mild on CRS and ICANS, "
            "not free of serious events, and too few patients to exclude rare risks "
            "such as T-cell cancers, for which the cancer products carry a boxed "
            "warning"
        ),
        ("muller2024", "hagen2025", "feng2025", "fda2024boxed", "verdun2024"),
        _autoimmune_side_effects,
    ),
    Claim(
        "milder-crs-in-autoimmunity",
        (
            "Severe side effects are rarer in autoimmune patients because there is "
            "far less target to kill."
        ),
        "notebooks/05_safety",
        "plausible, not yet measured",
        "probability of severe CRS (model, autoimmune scenario)",
        (
            "model: severe-CRS probability below 0.05 in the autoimmune scenario "
            "and above 0.05 in the high-burden leukaemia scenario (the probability "
            "map is a labelled assumption)"
        ),
        ("park2018", "awasthi2020"),
        _milder_crs,
    ),
    Claim(
        "protective-antibodies-kept",
        (
            "CD19 CAR T cells remove the rogue antibody makers but keep protective "
            "antibodies."
        ),
        "notebooks/09_precision",
        "supported with caveats",
        "vaccine titre at one year, fraction of baseline (CD19 targeting)",
        (
            "model: CD19 targeting keeps the vaccine titre at or above 0.8 of "
            "baseline at one year while autoantibody falls to 0.5 or less by day 90; "
            "this rests on many (not all) long-lived plasma cells lacking CD19, and "
            "marrow plasma cells persisted at least 25 months in 8 patients"
        ),
        ("hill2019", "mei2015", "bhoj2016", "amanna2007"),
        _protective_antibodies_kept,
    ),
    Claim(
        "bcma-removes-protection",
        (
            "Killing only the rogue cells is hard: aiming at plasma cells also "
            "removes protective antibodies."
        ),
        "notebooks/09_precision",
        "supported",
        "vaccine titre at one year, fraction of baseline (BCMA targeting)",
        (
            "model: BCMA targeting leaves the vaccine titre below 0.5 of baseline "
            "at one year"
        ),
        ("mei2015", "amanna2007"),
        _bcma_removes_protection,
    ),
    Claim(
        "damage-irreversible",
        "Stopping the immune attack cannot undo organ damage already done.",
        "notebooks/07_damage",
        "supported with caveats",
        (
            "largest increase in beta-cell mass at 10 years between successive, "
            "later interventions"
        ),
        (
            "model: beta-cell mass at 10 years never increases when the "
            "intervention comes later (increase <= 0); this rests on the assumption"
            " of negligible beta-cell regeneration, consistent with the autopsy and"
            " C-peptide data, and on axon loss in MS; the beta-cell data come from "
            "patients under 20, so applying them to older patients is an "
            "extrapolation"
        ),
        ("klinke2008", "greenbaum2012", "trapp1998"),
        _damage_irreversible,
    ),
    Claim(
        "bespoke-is-expensive",
        "Making cells for each patient is what makes the therapy so expensive.",
        "notebooks/08_cost",
        "supported with caveats",
        "ratio of autologous to single-dose in vivo cost per patient",
        (
            "cost model with its labelled default assumptions: autologous > "
            "allogeneic > single-dose in vivo cost per patient (cost of goods and "
            "delivery, not price)"
        ),
        ("fimmu2021manufacturing", "conrad2023"),
        _bespoke_is_expensive,
    ),
    Claim(
        "off-the-shelf-enough",
        (
            "Donor (off-the-shelf) CAR T cells may be enough for autoimmune "
            "disease, even if they do not last."
        ),
        "notebooks/10_future",
        "supported with caveats",
        "B cells at day 14, fraction of normal (allogeneic, rejection within weeks)",
        (
            "model: with rejection within weeks, B cells still fall below 1/1000 of"
            " normal by day 14 (cited: complete B-cell depletion within two weeks "
            "in three patients, and no CRS, ICANS or graft-versus-host disease in "
            "three lupus patients over 12 months). The edited donor cells were not "
            "rejected quickly, so the 'rejected within weeks' part is a model result"
        ),
        ("wang2024", "wang2025"),
        _off_the_shelf_enough,
    ),
    Claim(
        "in-vivo-transient",
        (
            "CAR T cells made inside the body could replace the lab process, but "
            "their effect is short-lived."
        ),
        "notebooks/10_future",
        "plausible, not yet measured",
        "days with B cells below 1% of normal after one dose",
        (
            "model with assumed parameters (no checkable human numbers yet): one "
            "dose keeps B cells below 1% of normal for fewer than 14 days, and six "
            "weekly doses keep them there longer. First human reports in lupus were "
            "announced in 2025 but could not be verified (press releases only), so "
            "none is cited"
        ),
        ("rurik2022",),
        _in_vivo_transient,
    ),
]


def claims() -> list[Claim]:
    """Every ledger entry, in the order of the story."""
    return list(CLAIMS)


@cache
def evaluate() -> tuple[dict, ...]:
    """Every entry evaluated now (cached per process: the models are deterministic)."""
    return tuple(claim.evaluate() for claim in claims())


def verdict_counts(entries=None) -> dict[str, int]:
    """How many claims carry each verdict, for every verdict in :data:`VERDICTS` order.

    This answers "does the story hold?"; :func:`check_counts` answers "did the checks
    run?".
    """
    entries = evaluate() if entries is None else entries
    counted = Counter(entry["verdict"] for entry in entries)
    unknown = set(counted) - set(VERDICTS)
    if unknown:
        raise ValueError(f"unknown verdicts {sorted(unknown)}")
    return {verdict: counted.get(verdict, 0) for verdict in VERDICTS}


def check_counts(entries=None) -> dict[str, int]:
    """How many checks ran, and how many met their criterion (the number is as said)."""
    entries = evaluate() if entries is None else entries
    return {
        "ran": len(entries),
        "met": sum(bool(entry["passed"]) for entry in entries),
    }


def badge(verdict: str) -> str:
    """The verdict as a labelled sphinx-design badge role (text and symbol too)."""
    require_choice("verdict", verdict, VERDICTS)
    role, symbol = BADGES[verdict]
    return f"{{{role}}}`{symbol} {verdict}`"


def _css_name(verdict: str) -> str:
    return "verdict-" + re.sub(r"[^a-z0-9]+", "-", verdict.lower()).strip("-")


def _format_value(value: float | int) -> str:
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 1e-3 or value == 0:
        return f"{value:.3g}"
    return f"{value:.1e}"


def to_markdown() -> str:
    """The ledger as a MyST definition list, one claim per term, readable on phones.

    Each term starts with the verdict badge; the definition says what was checked and
    whether the check met its criterion. Chapters are ``{doc}`` cross-references and
    sources ``{cite:p}`` roles, so Sphinx checks that every one of them exists.
    """
    blocks = []
    for entry in evaluate():
        met = "met" if entry["passed"] else "**not met**"
        sources = ",".join(entry["sources"])
        blocks.append(
            f"{badge(entry['verdict'])} {entry['claim']}\n"
            f": **What was checked:** {entry['criterion']}.\n\n"
            f"  **Result:** {_format_value(entry['value'])} ({entry['unit']}); "
            f"criterion {met}.\n\n"
            f"  **Shown in** {{doc}}`/{entry['chapter']}`; "
            f"**sources** {{cite:p}}`{sources}`."
        )
    return "\n\n".join(blocks)


def summary_rows(entries=None) -> pd.DataFrame:
    """One row per verdict: the badge, what it means, and how many claims carry it."""
    counts = verdict_counts(entries)
    return pd.DataFrame(
        {
            "verdict": [badge(v) for v in VERDICTS],
            "meaning": [VERDICT_MEANINGS[v] for v in VERDICTS],
            "claims": [counts[v] for v in VERDICTS],
        }
    )


def findings_grid() -> str:
    """The book's findings at a glance: a card per claim, grouped by verdict (MyST).

    The opening page (book/intro.md) holds this text verbatim between two markers, and
    the test suite fails when it falls out of step with the ledger; print it with
    ``python -m cart_autoimmunity.ledger --findings``. It holds no computed numbers.
    """
    cards = []
    for verdict in VERDICTS:
        for claim in claims():
            if claim.verdict != verdict:
                continue
            cards.append(
                f"::::{{grid-item-card}}\n"
                f":class-card: verdict-card {_css_name(verdict)}\n\n"
                f"{badge(verdict)}\n\n"
                f"{claim.claim}\n\n"
                f":::{{card-footer}}\n"
                f"{{doc}}`/{claim.chapter}`\n"
                f":::\n"
                f"::::"
            )
    return "\n".join(
        [":::::{grid} 1 2 2 3", ":gutter: 2", ":class-container: findings", ""]
        + ["\n\n".join(cards)]
        + [":::::"]
    )


def to_json() -> str:
    """The ledger as a JSON object with a ``claims`` list."""
    return json.dumps({"claims": list(evaluate())}, indent=2, ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--findings"]:
        print(findings_grid())
    elif not argv:
        print(to_json())
    else:
        print("usage: python -m cart_autoimmunity.ledger [--findings]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
