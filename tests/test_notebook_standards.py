"""Every chapter meets the book's standards: run in order, figures described, numbers sourced.

These read the stored notebooks; nbval (``make notebooks``) re-runs them and compares outputs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from book_standards import (
    cell_source,
    load_notebook,
    notebook_markdown,
    number_violations,
    prose_units,
    unaccounted_numbers,
)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
BOOK_NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
ALL_NOTEBOOKS = CHAPTERS + BOOK_NOTEBOOKS
PAGES = sorted((ROOT / "book").glob("*.md"))
REPOSITORY_URL = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
REQUIRED_SECTIONS = [
    "## The claim",
    "## What the data say",
    "## What the model says",
    "## Verdict",
    "## Key takeaways",
    "## Try it",
]
VERDICTS = (
    "supported with caveats",
    "plausible, not yet measured",
    "oversimplified",
    "not supported",
    "supported",
)

_load, _source, _markdown = load_notebook, cell_source, notebook_markdown


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _ids(paths):
    return [p.stem for p in paths]


# --- the checker itself must bite ---------------------------------------------------------


def test_number_rule_flags_an_uncited_number():
    assert number_violations("Autoimmune disease affects 1 in 10 people.") == [
        "Autoimmune disease affects 1 in 10 people."
    ]


def test_number_rule_accepts_cited_glued_and_named_numbers():
    text = (
        "About one in ten people are affected {cite:p}`conrad2023`. "
        "B cells returned after {glue:text}`b_return:.0f` days. "
        "CD19 and IL-6 are names, as is type 1 diabetes; grade 3 is a category. "
        "The first patient was treated in 2021."
    )
    assert number_violations(text) == []


def test_number_rule_splits_sentences_and_table_rows():
    text = "A cited 40% {cite:p}`klinke2008`. An uncited 80%.\n\n| trial | 13% |\n"
    assert [unaccounted_numbers(u) for u in prose_units(text)] == [[], ["80%"], ["13%"]]


# --- chapters ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_cells_ran_top_to_bottom_without_errors(path):
    nb = _load(path)
    cells = _code_cells(nb)
    assert cells, "no code cells"
    assert [c["execution_count"] for c in cells] == list(range(1, len(cells) + 1))
    for cell in cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", _source(cell)[:80]
            assert not (
                output["output_type"] == "stream" and output["name"] == "stderr"
            ), output.get("text")


# --- the tag policy (issue #21): no "Show code cell source" toggle over nothing -------------
#: A hidden code cell that shows nothing on the page (no output, or only glue outputs, which
#: myst-nb never displays) is tagged `remove-cell`: it stays in the notebook for Jupyter and
#: Colab learners, and myst-nb still reads its glued values. A hidden cell with a shown
#: output keeps `hide-input` (its code one click away), or `remove-input`; above the page's
#: title only `remove-input`, so no toggle stands above a title.
TOGGLE_TAGS = {"hide-input", "hide-cell"}


def shows_output(cell: dict) -> bool:
    """Whether the page shows any of the cell's outputs (glue with a mime prefix: no)."""
    return any(
        not (o.get("metadata", {}).get("scrapbook") or {}).get("mime_prefix")
        for o in cell.get("outputs", [])
    )


def tag_policy_violations(nb: dict) -> list[str]:
    found, before_title = [], True
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown" and re.match(r"\s*# ", _source(cell)):
            before_title = False
        if cell["cell_type"] != "code":
            continue
        tags = set(cell["metadata"].get("tags", []))
        if TOGGLE_TAGS & tags and not shows_output(cell):
            found.append(f"toggle over a cell without output: {_source(cell)[:50]!r}")
        elif TOGGLE_TAGS & tags and before_title:
            found.append(f"toggle above the title: {_source(cell)[:50]!r}")
    return found


def test_tag_policy_flags_toggles_over_nothing_and_above_the_title():
    def code(tags, outputs=()):
        return {"cell_type": "code", "source": "x = 1", "metadata": {"tags": tags},
                "outputs": list(outputs)}  # fmt: skip

    glue = {"metadata": {"scrapbook": {"name": "x", "mime_prefix": "application/x"}}}
    shown = {"output_type": "display_data", "metadata": {}, "data": {"text/plain": "1"}}
    title = {"cell_type": "markdown", "source": "# Title", "metadata": {}}
    bad = {
        "cells": [code(["hide-input"], [shown]), title, code(["hide-input"], [glue])]
    }
    good = {"cells": [code(["remove-cell"]), title, code(["hide-input"], [shown])]}
    assert len(tag_policy_violations(bad)) == 2
    assert tag_policy_violations(good) == []


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_code_cells_follow_the_tag_policy(path):
    assert tag_policy_violations(_load(path)) == []


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_set_up_cell_is_hidden_and_installs_on_colab(path):
    """The set-up cell shows nothing, so it is `remove-cell` (Colab and Jupyter show it)."""
    first = _code_cells(_load(path))[0]
    assert "remove-cell" in first["metadata"].get("tags", [])
    source = _source(first)
    assert "import cart_autoimmunity" in source
    # The ref after the URL (the release tag) is checked by tests/test_metadata_files.py.
    assert f'%pip install --quiet "git+{REPOSITORY_URL}' in source


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_chapter_has_the_book_shape(path):
    markdown = _markdown(_load(path))
    assert re.search(r"^# \S", markdown, re.M), "a title"
    assert "Learning objectives" in markdown
    missing = [s for s in REQUIRED_SECTIONS if s not in markdown]
    assert not missing, f"missing sections {missing}"
    verdict = markdown.split("## Verdict", 1)[1].split("\n## ", 1)[0].lower()
    assert any(f"**{v}" in verdict for v in VERDICTS), (
        "the verdict names one of " + ", ".join(VERDICTS) + " in bold"
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=_ids(CHAPTERS))
def test_chapter_cites_glues_and_plots(path):
    nb = _load(path)
    markdown = _markdown(nb)
    assert "{cite:" in markdown, "at least one citation"
    assert "{glue:" in markdown, "at least one glued number"
    figures = [
        c
        for c in _code_cells(nb)
        if any("image/png" in o.get("data", {}) for o in c.get("outputs", []))
    ]
    assert figures, "at least one computed figure"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_every_stored_figure_is_a_palette_png(path):
    """chapter.setup() shows figures as palette PNGs (under half the bytes a reader loads):
    a figure stored otherwise was drawn past the hook (shown inside its cell, say)."""
    import base64
    import io

    from PIL import Image

    for cell in _code_cells(_load(path)):
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get("image/png")
            if data:
                image = Image.open(io.BytesIO(base64.b64decode(data)))
                assert image.mode == "P", f"{image.mode} figure: {_source(cell)[:60]}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_every_figure_has_caption_name_and_real_alt_text(path):
    names = set()
    for cell in _code_cells(_load(path)):
        images = [
            o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})
        ]
        if not images:
            continue
        assert len(images) == 1, f"one figure per cell: {_source(cell)[:60]}"
        meta = cell["metadata"].get("mystnb", {})
        caption = meta.get("figure", {}).get("caption", "")
        name = meta.get("figure", {}).get("name", "")
        alt = meta.get("image", {}).get("alt", "")
        assert len(caption.split()) >= 5, f"caption: {_source(cell)[:60]}"
        assert re.fullmatch(r"fig-[a-z0-9-]+", name), f"figure name {name!r}"
        assert name not in names, f"duplicate figure name {name}"
        names.add(name)
        assert len(alt.split()) >= 8, (
            f"alt text should say what the figure shows: {alt!r}"
        )
        assert not re.search(r"\.(png|svg|jpg)\b", alt, re.I)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_every_glued_name_used_in_the_prose_is_glued_in_the_notebook(path):
    nb = _load(path)
    used = set(re.findall(r"\{glue(?::\w+)?\}`([\w-]+)", _markdown(nb)))
    glued = set()
    for cell in _code_cells(nb):
        for output in cell.get("outputs", []):
            glued.update(
                output.get("metadata", {}).get("scrapbook", {}).get("name", "").split()
                or []
            )
    assert used <= glued, f"used but never glued: {sorted(used - glued)}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_every_number_in_the_prose_is_glued_or_cited(path):
    violations = number_violations(_markdown(_load(path)))
    assert not violations, "numbers without glue or citation:\n" + "\n".join(violations)


@pytest.mark.parametrize("path", PAGES, ids=_ids(PAGES))
def test_every_number_on_a_prose_page_is_cited(path):
    violations = number_violations(path.read_text())
    assert not violations, "numbers without glue or citation:\n" + "\n".join(violations)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_outputs_carry_no_volatile_text(path):
    for cell in _code_cells(_load(path)):
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", "")) + "".join(
                output.get("data", {}).get("text/plain", "")
            )
            assert not re.search(r"0x[0-9a-f]{6,}", text), "memory address in an output"
            assert (
                "/work/" not in text and "/tmp/" not in text and "/home/" not in text
            ), "a path in an output"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=_ids(ALL_NOTEBOOKS))
def test_sources_hold_no_control_characters(path):
    """A lost backslash (\\varepsilon written as "\\v" + "arepsilon") leaves a control character
    that breaks the page's maths; tabs in prose are the same accident with \\tau."""
    for cell in _load(path)["cells"]:
        source = _source(cell)
        assert not re.search(r"[\x00-\x08\x0b-\x1f]", source), repr(source[:80])
        if cell["cell_type"] == "markdown":
            assert "\t" not in source, repr(source[:80])
