"""What a reader sees (issue #13): little code, tables built for people, no code names.

These read the stored notebooks. Each rule is first shown to bite on a bad example.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from book_standards import (
    MAX_VISIBLE_CELLS,
    MAX_VISIBLE_LINES,
    cell_source,
    code_identifiers,
    load_notebook,
    notebook_markdown,
    raw_table_outputs,
    reader_tables,
    visible_code_cells,
    without_try_it,
)

import cart_autoimmunity as ca

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BOOK_NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
ALL_NOTEBOOKS = CHAPTERS + BOOK_NOTEBOOKS
PAGES = sorted((ROOT / "book").glob("*.md"))
#: Columns a reader table may have and still fit a 390 px phone screen.
MAX_TABLE_COLUMNS = 4

_load, _source, _markdown = load_notebook, cell_source, notebook_markdown


def _ids(paths):
    return [p.stem for p in paths]


def _code_cell(source: str, tags=(), outputs=()) -> dict:
    return {
        "cell_type": "code",
        "source": source,
        "metadata": {"tags": list(tags)},
        "outputs": list(outputs),
    }


# --- the rules bite ----------------------------------------------------------------------


def test_code_identifier_rule_flags_names_and_spares_prose():
    bad = "The `r_max` rate of KineticsParameters, see the docstring of cart_autoimmunity.burden."
    assert set(code_identifiers(bad)) >= {
        "`r_max`",
        "KineticsParameters",
        "docstring",
        "cart_autoimmunity",
    }
    assert (
        code_identifiers(
            "Memory formation is assumed lower {cite:p}`stein2019`; $p_H$ is a rate."
        )
        == []
    )
    assert (
        code_identifiers("See {numref}`tbl-erlangen-trials` and {doc}`05_safety`.")
        == []
    )
    assert code_identifiers("the autoimmune_memory_factor is 0.1") == [
        "autoimmune_memory_factor"
    ]


def test_try_it_is_cut_off():
    assert "`seed`" not in without_try_it("Prose.\n\n## Try it\n\n- change `seed`\n")


def test_visible_cells_and_raw_tables_are_found():
    nb = {
        "cells": [
            _code_cell("x = 1", tags=["hide-input"]),
            _code_cell("plot()"),
            _code_cell(
                "df",
                outputs=[
                    {
                        "output_type": "execute_result",
                        "data": {"text/html": '<table class="dataframe">'},
                    }
                ],
            ),
            _code_cell(
                "s",
                outputs=[
                    {
                        "output_type": "execute_result",
                        "data": {"text/plain": "a  1.0\ndtype: float64"},
                    }
                ],
            ),
        ]
    }
    assert len(visible_code_cells(nb)) == 3
    assert raw_table_outputs(nb) == ["df", "s"]


def _page_with_table(frame) -> dict:
    """A stored page whose one output is a real reader table of ``frame``, referenced."""
    table = ca.chapter.reader_table(
        frame,
        {"what": "Measure", "value": "Value"},
        caption="Test table.",
        name="tbl-test-missing",
    )
    output = {
        "output_type": "display_data",
        "data": {"text/markdown": table._repr_markdown_()},
    }
    prose = {"cell_type": "markdown", "source": "See {numref}`tbl-test-missing`."}
    return {"cells": [prose, _code_cell("show()", outputs=[output])]}


def test_a_table_showing_nan_is_caught():
    # Text built from a missing SD before it reaches the table (as a headline cell is).
    sd = float("nan")
    bad = pd.DataFrame({"what": ["B cells back"], "value": [f"110 ± {sd:.0f} days"]})
    assert any("shows NaN" in p for p in page_table_problems(_page_with_table(bad)))
    # A missing number shows as a dash; a word that contains "nan" is no NaN.
    good = pd.DataFrame({"what": ["a nanoparticle count"], "value": [sd]})
    assert page_table_problems(_page_with_table(good)) == []


# --- the chapters ------------------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_a_chapter_shows_little_short_code(path):
    visible = visible_code_cells(_load(path))
    assert len(visible) <= MAX_VISIBLE_CELLS, f"{len(visible)} visible code cells"
    for cell in visible:
        lines = [line for line in _source(cell).splitlines() if line.strip()]
        assert len(lines) <= MAX_VISIBLE_LINES, (
            f"visible cell of {len(lines)} lines: {lines[0]}"
        )
        assert "glue" not in _source(cell), (
            f"glue plumbing in a visible cell: {lines[0]}"
        )


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_no_raw_data_frame_on_any_page(path):
    assert raw_table_outputs(_load(path)) == []


def page_table_problems(nb: dict) -> list[str]:
    """What is wrong with the reader tables of stored page ``nb``: a table without a name,
    never referenced in the prose, wider than a phone, showing NaN or code names."""
    prose = _markdown(nb)
    problems = []
    for table in reader_tables(nb):
        name = re.search(r"^:name: (tbl-[a-z0-9-]+)$", table, re.M)
        if not name:
            problems.append(f"table without a name: {table[:60]}")
            continue
        label = name.group(1)
        if f"`{label}`" not in prose:
            problems.append(f"{label} is never referenced in the prose")
        header = next(line for line in table.splitlines() if line.startswith("|"))
        columns = header.count("|") - 1
        if columns > MAX_TABLE_COLUMNS:
            problems.append(f"{label} has {columns} columns")
        if re.search(r"\bnan\b", table, re.I):
            problems.append(f"{label} shows NaN")
        names = code_identifiers(table.split("\n", 1)[1])
        if names:
            problems.append(f"{label}: {names}")
    return problems


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_tables_are_numbered_referenced_and_fit_a_phone(path):
    assert page_table_problems(_load(path)) == []


#: The model appendix is the book's code reference: it names the module of each model.
READER_NOTEBOOKS = [p for p in ALL_NOTEBOOKS if p.stem != "model_appendix"]


@pytest.mark.parametrize("path", READER_NOTEBOOKS, ids=_ids(READER_NOTEBOOKS))
def test_no_code_names_in_prose_captions_or_alt_text(path):
    nb = _load(path)
    found = code_identifiers(without_try_it(_markdown(nb)))
    for cell in nb["cells"]:
        meta = cell["metadata"].get("mystnb", {})
        found += code_identifiers(meta.get("figure", {}).get("caption", ""))
        found += code_identifiers(meta.get("image", {}).get("alt", ""))
    assert not found, f"code names a reader would see: {sorted(set(found))}"


@pytest.mark.parametrize("path", PAGES, ids=_ids(PAGES))
def test_no_code_names_on_prose_pages(path):
    text = path.read_text()
    text = re.sub(
        r"^## (Run|Rebuild|How to run|Build).*?(?=^## |\Z)",
        " ",
        text,
        flags=re.S | re.M,
    )
    assert not code_identifiers(text), sorted(set(code_identifiers(text)))


# --- no section twice on a page (issue #21) ----------------------------------------------


def repeated_sections(markdown: str) -> list[str]:
    """The ``## `` headings that occur more than once in ``markdown`` (code fences skipped)."""
    seen, repeated, fenced = set(), [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or not line.startswith("## "):
            continue
        title = line[3:].strip().lower()
        if title in seen and title not in repeated:
            repeated.append(title)
        seen.add(title)
    return repeated


def test_a_repeated_section_is_caught():
    twice = "## The claim\n\nText.\n\n## Verdict\n\n## The claim\n\nAgain."
    assert repeated_sections(twice) == ["the claim"]
    assert (
        repeated_sections("## The claim\n\n### The claim\n\n```\n## x\n## x\n```") == []
    )


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_no_section_heading_twice_on_a_page(path):
    assert repeated_sections(_markdown(_load(path))) == []


# --- glued numbers sit in their sentence (issue #21): no "( 1 in all)", "()" or "0 %" --------

_GLUE = re.compile(r"\{glue(?::\w+)?\}`[^`]+`")


def glue_spacing_problems(markdown: str) -> list[str]:
    """Stray spaces around a glued value, empty parentheses, and unbalanced parentheses in a
    sentence that glues a value (the rendered page shows the value, here written "1")."""
    found = []
    for unit in re.split(r"\n\s*\n", markdown):
        if not _GLUE.search(unit):
            continue
        text = re.sub(r"\{\w+(?::\w+)?\}`[^`]*`", "X", _GLUE.sub("1", unit))
        text = re.sub(r"\$[^$]*\$", "m", text)
        for pattern, what in (
            (r"\(\s+1|1\s+\)", "space inside parentheses"),
            (r"1\s+%", "space before %"),
            (r"\(\s*\)", "empty parentheses"),
        ):
            if re.search(pattern, text):
                found.append(f"{what}: {unit.strip()[:80]!r}")
        if text.count("(") != text.count(")"):
            found.append(f"unbalanced parentheses: {unit.strip()[:80]!r}")
    return found


def test_glue_spacing_rule_bites():
    assert glue_spacing_problems("A ( {glue:text}`n:.0f` in all) case.")
    assert glue_spacing_problems("A rate of {glue:text}`p:.0f` %.")
    assert glue_spacing_problems("Seen ({glue:text}`n:.0f` cases.")
    assert glue_spacing_problems("Seen () {glue:text}`n:.0f` times.")
    assert not glue_spacing_problems(
        "Seen ({glue:text}`n:.0f` cases; {glue:text}`p:.0f`%)."
    )


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_glued_numbers_sit_in_their_sentence(path):
    assert glue_spacing_problems(_markdown(_load(path))) == []


# --- the ledger page reads as sentences: shares as percentages, no nested parentheses -------


def test_the_ledger_states_shares_as_percentages_without_nested_parentheses():
    page = ca.ledger.to_markdown()
    checks = [line for line in page.splitlines() if line.startswith("  - ")]
    assert checks, "the ledger lists its checks"
    nested = [line for line in checks if re.search(r"\([^()]*\(", line)]
    assert nested == [], nested
    raw = [line for line in checks if re.search(r"\(fraction[^()]*\): \*\*0\.\d", line)]
    assert raw == [], raw
    share = ca.claims.Check(
        "model: probability of severe CRS (fraction)",
        0.0305,
        ca.claims.Bound(high=0.05, strict_high=True),
    )
    assert (
        share.sentence()
        == "model: probability of severe CRS is below 5% (found: 3.05%)"
    )
