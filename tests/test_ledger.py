"""The claims ledger: every required claim is present, checked now, sourced and placed."""

from __future__ import annotations

import json
import subprocess
import sys

from pathlib import Path

import pytest
import yaml

from cart_autoimmunity import ledger
ROOT = Path(__file__).resolve().parents[1]

REQUIRED_IDS = [
    "prevalence-one-in-ten", "tolerance-escape", "slow-motion-cancer", "apoptosis-mutations", "car-t-process",
    "cancer-severe-side-effects", "lupus-remission", "cells-vanish-in-autoimmunity", "cells-persist-in-cancer",
    "b-cells-return", "immune-reset-naive", "milder-crs-in-autoimmunity", "protective-antibodies-kept",
    "bcma-removes-protection", "damage-irreversible", "bespoke-is-expensive", "off-the-shelf-enough", "in-vivo-transient",
]
FIELDS = {"id", "claim", "chapter", "verdict", "value", "unit", "criterion", "passed", "sources"}
ENTRIES = {entry["id"]: entry for entry in ledger.evaluate()}


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
    assert entry["passed"], f"{claim_id}: value {entry['value']} {entry['unit']} fails: {entry['criterion']}"


@pytest.mark.parametrize("claim_id", sorted(ENTRIES))
def test_claim_is_complete_sourced_and_placed(claim_id, bib_keys):
    entry = ENTRIES[claim_id]
    assert set(entry) == FIELDS
    assert entry["verdict"] in ledger.VERDICTS
    assert isinstance(entry["value"], (int, float)) and entry["unit"] and entry["criterion"]
    assert entry["sources"] and set(entry["sources"]) <= bib_keys
    assert entry["chapter"] in _toc_files()


def test_a_failing_criterion_is_reported_as_failed():
    claim = ledger.Claim("x", "a claim", "notebooks/01_burden", "supported", "d", "value below 1", ("conrad2023",), lambda: (2.0, 2.0 < 1))
    assert claim.evaluate()["passed"] is False


def test_unknown_verdict_is_rejected():
    with pytest.raises(ValueError, match="unknown verdict"):
        ledger.Claim("x", "a claim", "notebooks/01_burden", "probably", "d", "c", ("conrad2023",), lambda: (1.0, True))


def test_make_claims_prints_the_ledger_as_json():
    out = subprocess.run([sys.executable, "-m", "cart_autoimmunity.ledger"], capture_output=True, text=True, check=True, cwd=ROOT)
    printed = json.loads(out.stdout)["claims"]
    assert [entry["id"] for entry in printed] == list(ENTRIES)
    assert all(entry["passed"] for entry in printed)
