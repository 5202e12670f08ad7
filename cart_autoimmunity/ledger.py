"""The claims ledger: each claim of the story, checked by the chapter that shows it.

The ledger runs no model and reads no evidence of its own. Each chapter module
(:mod:`cart_autoimmunity.chapters`) states the claims it checks, as data
(:mod:`cart_autoimmunity.claims`): the numbers it computed or cited, the bound each must
meet, and the book's verdict. The ledger collects them, in book order, and renders them.

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
from functools import cache

import pandas as pd

from . import chapters
from . import claims as claim_data
from .claims import VERDICTS, Claim
from .validation import require_choice

__all__ = [
    "BADGES",
    "VERDICTS",
    "VERDICT_MEANINGS",
    "Claim",
    "badge",
    "check_counts",
    "claims",
    "evaluate",
    "findings_grid",
    "summary_rows",
    "to_json",
    "to_markdown",
    "verdict_counts",
]

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


def claims() -> list[Claim]:
    """Every claim the chapters check, in book order."""
    return chapters.all_claims()


@cache
def evaluate() -> tuple[dict, ...]:
    """Every entry as plain data (cached per process: the models are deterministic)."""
    return tuple(claim.as_dict() for claim in claims())


def verdict_counts(entries=None) -> dict[str, int]:
    """How many claims carry each verdict, in :data:`VERDICTS` order."""
    return claim_data.verdict_counts(evaluate() if entries is None else entries)


def check_counts(entries=None) -> dict[str, int]:
    """How many claims were checked, and how many met every criterion."""
    return claim_data.check_counts(evaluate() if entries is None else entries)


def badge(verdict: str) -> str:
    """The verdict as a labelled sphinx-design badge role (text and symbol too)."""
    require_choice("verdict", verdict, VERDICTS)
    role, symbol = BADGES[verdict]
    return f"{{{role}}}`{symbol} {verdict}`"


def _css_name(verdict: str) -> str:
    return "verdict-" + re.sub(r"[^a-z0-9]+", "-", verdict.lower()).strip("-")


def _check_line(check: dict) -> str:
    """One check, as a reader reads it: ``quantity: **3.05%**; criterion below 5%, met.``"""
    met = "met" if check["passed"] else "**not met**"
    return (
        f"  - {check['label']}: **{check['shown']}**; "
        f"criterion {check['criterion']}, {met}."
    )


def to_markdown() -> str:
    """The ledger as a MyST definition list, one claim per term, readable on phones.

    Each term starts with the verdict badge; the definition lists every check (the number,
    its criterion, whether it was met), then what the checks cannot say. Chapters are
    ``{doc}`` cross-references and sources ``{cite:p}`` roles, so Sphinx checks that every
    one of them exists.
    """
    blocks = []
    for claim, entry in zip(claims(), evaluate(), strict=True):
        checks = "\n".join(_check_line(check) for check in entry["checks"])
        caveat = (
            f"\n\n  **What the checks cannot say:** {claim.caveat}"
            if claim.caveat
            else ""
        )
        sources = ",".join(entry["sources"])
        blocks.append(
            f"{badge(entry['verdict'])} {entry['claim']}\n"
            f": **What was checked:**\n\n{checks}{caveat}\n\n"
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
