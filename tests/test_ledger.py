"""The claims ledger: every required claim is present, checked, sourced and placed."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
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
ENTRIES = {entry["id"]: entry for entry in ledger.evaluate()}
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


def test_every_required_claim_is_in_the_ledger():
    assert set(REQUIRED_IDS) <= set(ENTRIES)
    assert len(ENTRIES) == len(ledger.claims()), "ids are unique"


@pytest.mark.parametrize("claim_id", sorted(ENTRIES))
def test_claim_criterion_holds(claim_id):
    entry = ENTRIES[claim_id]
    assert entry["passed"], (
        f"{claim_id}: value {entry['value']} {entry['unit']} fails: "
        f"{entry['criterion']}"
    )


@pytest.mark.parametrize("claim_id", sorted(ENTRIES))
def test_claim_is_complete_sourced_and_placed(claim_id, bib_keys):
    entry = ENTRIES[claim_id]
    assert set(entry) == FIELDS
    assert entry["verdict"] in ledger.VERDICTS
    assert isinstance(entry["value"], (int, float))
    assert entry["unit"] and entry["criterion"]
    assert entry["sources"] and set(entry["sources"]) <= bib_keys
    assert entry["chapter"] in _toc_files()


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


def test_the_ledger_holds_every_chapter_claim_once_in_book_order():
    from_chapters = [claim.id for claim in chapters.all_claims()]
    assert list(ENTRIES) == from_chapters
    order = list(chapters.CHAPTERS)
    positions = [order.index(entry["chapter"]) for entry in ENTRIES.values()]
    assert positions == sorted(positions)


def test_every_check_is_listed_on_the_ledger_page():
    text = ledger.to_markdown()
    n_checks = sum(len(entry["checks"]) for entry in ENTRIES.values())
    assert text.count("; criterion ") == n_checks
    assert "**not met**" not in text


def test_unknown_verdict_is_rejected():
    with pytest.raises(ValueError, match="unknown verdict"):
        _claim(verdict="probably")


def test_model_only_verdict_exists_and_is_used_for_model_only_claims():
    assert "plausible, not yet measured" in ledger.VERDICTS
    _claim(verdict="plausible, not yet measured")  # accepted
    assert ENTRIES["in-vivo-transient"]["verdict"] == "plausible, not yet measured"


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


def test_the_book_counts_add_up():
    counts = ledger.verdict_counts()
    assert sum(counts.values()) == len(ENTRIES)
    assert counts["oversimplified"] >= 1, "the story's oversimplifications are counted"
    summary = ledger.summary_rows()
    assert list(summary["claims"]) == list(counts.values())


def test_ledger_markdown_shows_a_badge_for_every_claim():
    text = ledger.to_markdown()
    assert text.count("{bdg-") == len(ENTRIES)
    assert text.count("{doc}`/notebooks/") == len(ENTRIES)


def test_the_intro_findings_grid_matches_the_ledger():
    intro = (ROOT / "book" / "intro.md").read_text()
    found = FINDINGS.search(intro)
    assert found, "book/intro.md holds the findings grid between its markers"
    assert found.group(1) == ledger.findings_grid(), (
        "the intro's findings are out of date: paste the output of "
        "python -m cart_autoimmunity.ledger --findings"
    )


def test_the_findings_grid_has_one_card_per_claim_in_verdict_order():
    grid = ledger.findings_grid()
    assert grid.count("::::{grid-item-card}") == len(ENTRIES)
    order = [ledger.VERDICTS.index(v) for v in re.findall(r"`. ([a-z ,]+)`", grid)]
    assert order == sorted(order)
    assert number_violations(grid) == [], "the intro's grid states no computed number"


def test_make_claims_prints_the_ledger_as_json():
    out = subprocess.run(
        [sys.executable, "-m", "cart_autoimmunity.ledger"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    printed = json.loads(out.stdout)["claims"]
    assert [entry["id"] for entry in printed] == list(ENTRIES)
    assert all(entry["passed"] for entry in printed)


def test_an_unknown_option_is_refused():
    assert ledger.main(["--nonsense"]) == 2
