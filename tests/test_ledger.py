"""The claims ledger: every required claim is present, checked, sourced and placed."""

from __future__ import annotations

import ast
import json
import re
import runpy
import sys
import warnings
from pathlib import Path

import pytest
import yaml
from book_standards import number_violations

from cart_autoimmunity import chapters, ledger
from cart_autoimmunity.claims import Bound, Check

ROOT = Path(__file__).resolve().parents[1]

REQUIRED_IDS = [
    "prevalence-one-in-ten",
    "tolerance-escape",
    "slow-motion-cancer",
    "apoptosis-mutations",
    "car-t-process",
    "cancer-severe-side-effects",
    "lupus-remission",
    "cells-vanish-in-autoimmunity",
    "cells-persist-in-cancer",
    "b-cells-return",
    "immune-reset-naive",
    "milder-crs-in-autoimmunity",
    "protective-antibodies-kept",
    "bcma-removes-protection",
    "damage-irreversible",
    "bespoke-is-expensive",
    "off-the-shelf-enough",
    "in-vivo-transient",
    "autoimmune-side-effects-mild",
]
FIELDS = {
    "checks",
    "id",
    "claim",
    "chapter",
    "verdict",
    "value",
    "unit",
    "criterion",
    "passed",
    "sources",
}


@pytest.fixture(scope="module")
def entries() -> dict[str, dict]:
    """The evaluated ledger by claim id (computed once, when a test first asks: collecting
    the suite runs no model)."""
    return {entry["id"]: entry for entry in ledger.evaluate()}


FINDINGS = re.compile(r"<!-- findings:start -->\n(.*?)\n<!-- findings:end -->", re.S)


def _claim(verdict="supported", value=1.0):
    return ledger.Claim(
        id="x",
        claim="a claim",
        chapter="notebooks/01_burden",
        verdict=verdict,
        sources=("conrad2023",),
        checks=(Check("a number (days)", value, Bound(high=1.0)),),
    )


def _toc_files() -> set[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {toc["root"]}
    for part in toc["parts"]:
        files.update(chapter["file"] for chapter in part["chapters"])
    return files


def test_every_required_claim_is_in_the_ledger(entries):
    assert set(REQUIRED_IDS) <= set(entries)
    assert len(entries) == len(ledger.claims()), "ids are unique"


def test_every_claim_criterion_holds(entries):
    failing = [
        f"{claim_id}: value {entry['value']} {entry['unit']} fails: {entry['criterion']}"
        for claim_id, entry in entries.items()
        if not entry["passed"]
    ]
    assert failing == []


def _entry_problems(entry: dict, bib_keys: set[str], toc_files: set[str]) -> list[str]:
    """What is missing or wrong in one ledger entry (empty if nothing)."""
    checks = {
        "fields": set(entry) == FIELDS,
        "verdict": entry.get("verdict") in ledger.VERDICTS,
        "value is a number": isinstance(entry.get("value"), (int, float)),
        "unit and criterion": bool(entry.get("unit") and entry.get("criterion")),
        "sources in references.bib": bool(entry.get("sources"))
        and set(entry["sources"]) <= bib_keys,
        "chapter in the TOC": entry.get("chapter") in toc_files,
    }
    return [name for name, ok in checks.items() if not ok]


def test_every_claim_is_complete_sourced_and_placed(entries, bib_keys):
    toc_files = _toc_files()
    problems = {
        claim_id: found
        for claim_id, entry in entries.items()
        if (found := _entry_problems(entry, bib_keys, toc_files))
    }
    assert problems == {}


def test_an_incomplete_entry_is_caught(entries, bib_keys):
    """Control for the test above: a claim without sources and with an unknown chapter."""
    entry = dict(next(iter(entries.values())), sources=[], chapter="nowhere.ipynb")
    assert _entry_problems(entry, bib_keys, _toc_files()) == [
        "sources in references.bib",
        "chapter in the TOC",
    ]


def test_a_failing_criterion_is_reported_as_failed():
    assert _claim(value=2.0).as_dict()["passed"] is False
    assert _claim(value=0.5).as_dict()["passed"] is True


def test_the_ledger_runs_no_model_and_reads_no_evidence():
    tree = ast.parse((ROOT / "cart_autoimmunity" / "ledger.py").read_text())
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level
        for alias in node.names
    } | {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level and node.module
    }
    assert imported <= {
        "chapters",
        "claims",
        "validation",
        "VERDICTS",
        "Claim",
        "require_choice",
    }, imported


def test_the_ledger_holds_every_chapter_claim_once_in_book_order(entries):
    from_chapters = [claim.id for claim in chapters.all_claims()]
    assert list(entries) == from_chapters
    order = list(chapters.CHAPTERS)
    positions = [order.index(entry["chapter"]) for entry in entries.values()]
    assert positions == sorted(positions)


def test_every_check_is_listed_on_the_ledger_page(entries):
    text = ledger.to_markdown()
    n_checks = sum(len(entry["checks"]) for entry in entries.values())
    assert text.count("; criterion ") == n_checks
    assert "**not met**" not in text


def test_unknown_verdict_is_rejected():
    with pytest.raises(ValueError, match="unknown verdict"):
        _claim(verdict="probably")


def test_model_only_verdict_exists_and_is_used_for_model_only_claims(entries):
    assert "plausible, not yet measured" in ledger.VERDICTS
    _claim(verdict="plausible, not yet measured")  # accepted
    assert entries["in-vivo-transient"]["verdict"] == "plausible, not yet measured"


def test_every_verdict_has_a_labelled_badge_and_a_meaning():
    assert set(ledger.BADGES) == set(ledger.VERDICTS) == set(ledger.VERDICT_MEANINGS)
    roles = {role for role, _ in ledger.BADGES.values()}
    assert len(roles) == len(ledger.VERDICTS), "each verdict has its own colour"
    for verdict in ledger.VERDICTS:
        badge = ledger.badge(verdict)
        assert re.fullmatch(r"\{bdg-[a-z]+\}`. " + re.escape(verdict) + "`", badge)
    with pytest.raises(ValueError, match="unknown verdict"):
        ledger.badge("probably")


def test_verdict_counts_separate_the_story_from_the_checks():
    entries = [
        {"verdict": "supported", "passed": True},
        {"verdict": "oversimplified", "passed": True},
        {"verdict": "oversimplified", "passed": False},
    ]
    counts = ledger.verdict_counts(entries)
    assert list(counts) == list(ledger.VERDICTS)
    assert counts["supported"] == 1 and counts["oversimplified"] == 2
    assert counts["not supported"] == 0
    assert ledger.check_counts(entries) == {"ran": 3, "met": 2}
    with pytest.raises(ValueError, match="unknown verdicts"):
        ledger.verdict_counts([{"verdict": "probably", "passed": True}])


def test_the_book_counts_add_up(entries):
    counts = ledger.verdict_counts()
    assert sum(counts.values()) == len(entries)
    assert counts["oversimplified"] >= 1, "the story's oversimplifications are counted"
    summary = ledger.summary_rows()
    assert list(summary["claims"]) == list(counts.values())


def test_ledger_markdown_shows_a_badge_for_every_claim(entries):
    text = ledger.to_markdown()
    assert text.count("{bdg-") == len(entries)
    assert text.count("{doc}`/notebooks/") == len(entries)


def test_the_intro_findings_grid_matches_the_ledger():
    intro = (ROOT / "book" / "intro.md").read_text()
    found = FINDINGS.search(intro)
    assert found, "book/intro.md holds the findings grid between its markers"
    assert found.group(1) == ledger.findings_grid(), (
        "the intro's findings are out of date: paste the output of "
        "python -m cart_autoimmunity.ledger --findings"
    )


def test_the_findings_grid_has_one_card_per_claim_in_verdict_order(entries):
    grid = ledger.findings_grid()
    assert grid.count("::::{grid-item-card}") == len(entries)
    order = [ledger.VERDICTS.index(v) for v in re.findall(r"`. ([a-z ,]+)`", grid)]
    assert order == sorted(order)
    assert number_violations(grid) == [], "the intro's grid states no computed number"


def test_make_claims_prints_the_ledger_as_json(entries, monkeypatch, capsys):
    """`python -m cart_autoimmunity.ledger` (what `make claims` runs), in this process:
    runpy executes the module as __main__ exactly as `-m` does, and the chapter runs the
    ledger reads are already computed here, so the test costs no second model run."""
    monkeypatch.setattr(sys, "argv", ["cart_autoimmunity.ledger"])
    with warnings.catch_warnings():
        # runpy warns that the module was imported before it runs as __main__ (by
        # this test file): harmless here, as nothing reads the first copy's state.
        warnings.filterwarnings(
            "ignore", "'cart_autoimmunity.ledger' found", RuntimeWarning
        )
        with pytest.raises(SystemExit) as exited:
            runpy.run_module("cart_autoimmunity.ledger", run_name="__main__")
    assert exited.value.code == 0
    printed = json.loads(capsys.readouterr().out)["claims"]
    assert [entry["id"] for entry in printed] == list(entries)
    assert all(entry["passed"] for entry in printed)


def test_an_unknown_option_is_refused():
    assert ledger.main(["--nonsense"]) == 2
