"""The claims ledger: each checkable claim of the story, checked now by a model or a cited number.

An entry states the claim in the book's own words, the chapter that shows it, the book's
verdict, the number that was computed or cited, the criterion in words, and whether the
criterion holds (``passed``, computed every time, never stored). Where the verdict is that
the story oversimplifies, the entry still passes: its criterion is the evidence the book
shows, and its verdict says so.

Run ``python -m cart_autoimmunity.ledger`` (or ``make claims``) to print it as JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from . import evidence
from .validation import require_choice

VERDICTS = ("supported", "supported with caveats", "oversimplified", "not supported")


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
    return int(number) if number.is_integer() and abs(number) < 2**53 else round(number, 6)


# --- cited checks ---------------------------------------------------------------------------


def _prevalence() -> tuple[float, bool]:
    share = evidence.lookup("prevalence", "population_fraction_affected")
    return share, 0.08 <= share <= 0.12


def _tolerance_escape() -> tuple[float, bool]:
    table = evidence.tolerance_checkpoints()
    early = evidence.lookup("tolerance_checkpoints", "self_reactive_early_immature_b_cells")
    naive = table[table.quantity == "self_reactive_mature_naive_b_cells"].set_index("cohort")["value"]
    healthy = naive[[c for c in naive.index if c.startswith("Healthy")]].iloc[0]
    lupus = naive[[c for c in naive.index if c.startswith("SLE")]].iloc[0]
    return lupus, 0 < healthy < early and lupus > healthy


def _apoptosis_mutations() -> tuple[float, bool]:
    share = evidence.lookup("tolerance_checkpoints", "patients_with_somatic_mutations_in_cd8_clones")
    return share, 0 < share < 0.5


def _car_t_process() -> tuple[float, bool]:
    table = evidence.manufacturing()
    vein_to_vein = table[table.quantity == "vein_to_vein_median"]["value"]
    failure = table[table.quantity == "manufacturing_failure"]["value"]
    return float(vein_to_vein.max()), bool(vein_to_vein.min() >= 21 and failure.max() > 0)


def _cancer_side_effects() -> tuple[float, bool]:
    table = evidence.crs_rates()
    cancer = table[~table.source.isin(["muller2024", "wang2024"])]
    severe = cancer[cancer.quantity.isin(["crs_grade_3_plus", "crs_severe", "neurotoxicity_grade_3_plus"])]["value"]
    return float(severe.max()), bool(severe.max() >= 0.1)


def _lupus_remission() -> tuple[float, bool]:
    share = evidence.lookup("erlangen_trials", "doris_remission_3_months")
    return share, share == 1.0


def _autoimmune_crs_mild() -> tuple[float, bool]:
    severe = evidence.lookup("crs_rates", "crs_grade_3_plus", cohort="Muller 2024 (SLE, myositis, SSc)")
    return severe, severe == 0.0


CLAIMS: list[Claim] = [
    Claim(
        "prevalence-one-in-ten",
        "Autoimmune disease affects about one person in ten.",
        "notebooks/01_burden",
        "supported",
        "fraction of the population",
        "cited prevalence between 0.08 and 0.12",
        ("conrad2023",),
        _prevalence,
    ),
    Claim(
        "tolerance-escape",
        "Self-reactive immune cells slip through the body's screening, and more of them do in lupus.",
        "notebooks/02_rogue_cells",
        "supported",
        "fraction of mature naive B cells that are self-reactive in SLE",
        "self-reactive share falls from early immature to mature naive B cells in healthy donors, and is higher in SLE than in controls",
        ("wardemann2003", "yurasov2005"),
        _tolerance_escape,
    ),
    Claim(
        "apoptosis-mutations",
        "Rogue immune cells carry mutations that stop them from self-destructing.",
        "notebooks/02_rogue_cells",
        "oversimplified",
        "fraction of new RA patients with somatic mutations in expanded CD8+ T-cell clones",
        "such mutations are found, but in a minority of patients (between 0 and 0.5): true for rare inherited FAS defects and some clones, not the general mechanism",
        ("savola2017", "rieuxlaucat1995", "fisher1995"),
        _apoptosis_mutations,
    ),
    Claim(
        "car-t-process",
        "CAR T therapy means collecting a patient's T cells, engineering them and giving them back: a bespoke process that takes weeks and sometimes fails.",
        "notebooks/03_living_drug",
        "supported",
        "days (longest median vein-to-vein time)",
        "median vein-to-vein times of at least three weeks, and a non-zero manufacturing failure rate",
        ("eha2023v2v", "fimmu2021manufacturing"),
        _car_t_process,
    ),
    Claim(
        "cancer-severe-side-effects",
        "In cancer, CAR T cells can cause severe side effects, including neurotoxicity.",
        "notebooks/03_living_drug",
        "supported",
        "highest cited fraction with grade 3 or higher CRS or neurotoxicity",
        "at least one pivotal or real-world cancer cohort with 10% or more grade >= 3 CRS or neurotoxicity",
        ("neelapu2017", "schuster2019", "pasquini2020", "park2018"),
        _cancer_side_effects,
    ),
    Claim(
        "lupus-remission",
        "In Erlangen, CD19 CAR T cells put patients with refractory lupus into drug-free remission.",
        "notebooks/04_erlangen",
        "supported with caveats",
        "fraction in DORIS remission at 3 months",
        "all treated patients in DORIS remission at three months (a small, uncontrolled series)",
        ("mackensen2022", "muller2024"),
        _lupus_remission,
    ),
    Claim(
        "autoimmune-crs-cited",
        "No life-threatening side effects were seen in the Erlangen autoimmune patients.",
        "notebooks/05_safety",
        "supported with caveats",
        "fraction with grade 3 or higher CRS",
        "no grade >= 3 CRS among the Erlangen case series (other products have caused severe CRS)",
        ("muller2024",),
        _autoimmune_crs_mild,
    ),
]


def claims() -> list[Claim]:
    """Every ledger entry, in the order of the story."""
    return list(CLAIMS)


@cache
def evaluate() -> tuple[dict, ...]:
    """Every entry evaluated now (cached per process: the models are deterministic)."""
    return tuple(claim.evaluate() for claim in claims())


def to_json() -> str:
    """The ledger as a JSON object with a ``claims`` list."""
    return json.dumps({"claims": list(evaluate())}, indent=2, ensure_ascii=False)


def main() -> int:
    print(to_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
