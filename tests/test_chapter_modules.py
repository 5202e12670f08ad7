"""Each chapter owns its argument (issue #19): its module produces exactly what it quotes.

For every chapter module in :data:`cart_autoimmunity.chapters.CHAPTERS`:

- the names the prose glues are exactly the names :func:`numbers` produces (no number
  computed and left unused, none quoted that the module does not produce);
- every table it produces is shown on the page, under its ``tbl-`` name;
- its claims point at the chapter, and the chapter's ``## Verdict`` states the headline
  claim's verdict and names every other verdict among its claims;
- the notebook hides at most :data:`MAX_HIDDEN_LINES` lines of code: analysis lives in
  the module, where it is tested, not in hidden cells.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest
from book_standards import (
    HIDDEN_TAGS,
    cell_source,
    load_notebook,
    notebook_markdown,
    reader_tables,
)

from cart_autoimmunity import chapters
from cart_autoimmunity.chapter import ReaderTable
from cart_autoimmunity.claims import VERDICTS, Claim, chapter_verdict

ROOT = Path(__file__).resolve().parents[1]
MAX_HIDDEN_LINES = 25
PRESENT = [
    path
    for path, name in chapters.CHAPTERS.items()
    if (ROOT / "cart_autoimmunity" / "chapters" / f"{name}.py").exists()
]


def _notebook(chapter: str) -> dict:
    return load_notebook(ROOT / f"{chapter}.ipynb")


def glued_in_prose(nb: dict) -> set[str]:
    return set(re.findall(r"\{glue(?::\w+)?\}`([\w-]+)", notebook_markdown(nb)))


def hidden_code_lines(nb: dict) -> int:
    return sum(
        len(cell_source(cell).splitlines())
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        and HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", []))
    )


def verdict_section(nb: dict) -> str:
    text = notebook_markdown(nb)
    match = re.search(r"^## Verdict\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def stated_verdict(section: str) -> str | None:
    match = re.search(r"\*\*([^*]+?)\.?\*\*", section)
    return match.group(1).strip().lower() if match else None


def test_every_chapter_in_the_toc_has_a_module():
    missing = sorted(set(chapters.CHAPTERS) - set(PRESENT))
    assert not missing, f"chapters without a module: {missing}"


def test_module_lookup_refuses_an_unknown_chapter():
    with pytest.raises(ValueError, match="chapter"):
        chapters.module("notebooks/99_nothing")


def test_hidden_line_counter_counts_only_hidden_code():
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": ["hide-input"]},
                "source": "a\nb",
            },
            {"cell_type": "code", "metadata": {}, "source": "c\nd\ne"},
            {
                "cell_type": "markdown",
                "metadata": {"tags": ["hide-input"]},
                "source": "x",
            },
        ]
    }
    assert hidden_code_lines(nb) == 2


def test_stated_verdict_reads_the_bold_opening():
    assert stated_verdict("\n**Supported with caveats.** The data") == (
        "supported with caveats"
    )
    assert stated_verdict("no verdict here") is None


@pytest.mark.parametrize("chapter", PRESENT)
def test_numbers_are_finite_plain_numbers(chapter):
    numbers = chapters.module(chapter).numbers()
    assert numbers, "a chapter quotes at least one number"
    for name, value in numbers.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert isinstance(value, (int, float)) and not isinstance(value, bool), name
        assert math.isfinite(value), name


@pytest.mark.parametrize("chapter", PRESENT)
def test_prose_glues_exactly_the_numbers_the_module_produces(chapter):
    produced = set(chapters.module(chapter).numbers())
    used = glued_in_prose(_notebook(chapter))
    assert used <= produced, f"quoted but not produced: {sorted(used - produced)}"
    assert produced <= used, f"produced but never quoted: {sorted(produced - used)}"


@pytest.mark.parametrize("chapter", PRESENT)
def test_every_table_is_data_and_shown_on_the_page(chapter):
    mod = chapters.module(chapter)
    tables = mod.tables()
    shown = " ".join(reader_tables(_notebook(chapter)))
    for name, frame in tables.items():
        assert re.fullmatch(r"tbl-[a-z0-9-]+", name), name
        assert isinstance(frame, pd.DataFrame) and not frame.empty, name
        table = mod.reader_table(name)
        assert isinstance(table, ReaderTable) and table.name == name
        assert f":name: {name}\n" in shown, f"{name} is not shown in {chapter}"


@pytest.mark.parametrize("chapter", PRESENT)
def test_every_table_spec_is_shown_and_every_shown_table_has_one(chapter):
    mod = chapters.module(chapter)
    shown = set(
        re.findall(
            r":name: (tbl-[a-z0-9-]+)\n", " ".join(reader_tables(_notebook(chapter)))
        )
    )
    assert set(mod.TABLE_SPECS) == set(mod.tables()), "a spec per table of data"
    assert set(mod.TABLE_SPECS) <= shown, (
        f"never shown: {sorted(set(mod.TABLE_SPECS) - shown)}"
    )
    assert shown <= set(mod.TABLE_SPECS), (
        f"shown without a spec: {sorted(shown - set(mod.TABLE_SPECS))}"
    )


@pytest.mark.parametrize("chapter", PRESENT)
def test_claims_belong_to_the_chapter_and_hold(chapter):
    claims = chapters.module(chapter).claims()
    if chapter.startswith("notebooks/"):
        assert claims, "every chapter checks at least one claim"
    for claim in claims:
        assert isinstance(claim, Claim)
        assert claim.chapter == chapter, claim.id
        failing = [c.sentence() for c in claim.checks if not c.passed]
        assert not failing, f"{claim.id}: {failing}"


@pytest.mark.parametrize("chapter", [c for c in PRESENT if c.startswith("notebooks/")])
def test_the_verdict_section_agrees_with_the_claims(chapter):
    claims = chapters.module(chapter).claims()
    section = verdict_section(_notebook(chapter))
    assert stated_verdict(section) == chapter_verdict(claims), (
        f"the chapter states {stated_verdict(section)!r}; its headline claim "
        f"{claims[0].id!r} is {chapter_verdict(claims)!r}"
    )
    for claim in claims[1:]:
        assert claim.verdict in section.lower(), (
            f"the verdict section never says {claim.verdict!r} ({claim.id})"
        )
    assert all(claim.verdict in VERDICTS for claim in claims)


@pytest.mark.parametrize("chapter", PRESENT)
def test_the_notebook_hides_little_code(chapter):
    lines = hidden_code_lines(_notebook(chapter))
    assert lines <= MAX_HIDDEN_LINES, (
        f"{lines} hidden code lines; move the analysis into the chapter's module"
    )
