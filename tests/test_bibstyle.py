"""The bibliography style prints "et al." where BibTeX cuts an author list with "others",
and names an entry without author by its short title in the text."""

from __future__ import annotations

import sys
from pathlib import Path

from pybtex.database import parse_string

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
from book_bibstyle import BookAuthorYearStyle, BookStyle  # noqa: E402

BIB = r"""
@article{cut, author = {Maude, Shannon L. and Grupp, Stephan A. and others}, title = {A trial},
  journal = {N Engl J Med}, year = {2018}}
@article{full, author = {Klinke, David J.}, title = {A model}, journal = {PLoS ONE}, year = {2008}}
"""


def _rendered(key: str) -> str:
    data = parse_string(BIB, "bibtex")
    entries = {
        entry.key: entry for entry in BookStyle().format_entries(data.entries.values())
    }
    return entries[key].text.render_as("text")


def test_others_becomes_et_al():
    text = _rendered("cut")
    assert "Shannon L. Maude, Stephan A. Grupp, et al." in text
    assert "others" not in text


def test_complete_author_lists_are_unchanged():
    assert _rendered("full").startswith("David J. Klinke. A model.")


LABELS = r"""
@misc{abstract, shorttitle = {Vein-to-vein meta-analysis}, year = {2023},
  title = {Vein-to-vein time for three products in relapsed or refractory lymphoma: a
           systematic literature review and meta-analysis}}
@misc{table, title = {Clinical experience with CAR T manufacturing}, year = {2021}}
@misc{group, author = {{Ministerio de Sanidad}}, shorttitle = {Unused}, title = {T},
  year = {2021}}
"""


def _label(key: str) -> str:
    """The author part of the in-text citation (book_author_year), as plain text."""
    style = BookAuthorYearStyle()
    entry = parse_string(LABELS, "bibtex").entries[key]
    template = style.person.author_or_editor_or_title(full=False)
    return template.format_data({"entry": entry, "style": style}).render_as("text")


def test_an_entry_without_author_is_cited_by_its_short_title():
    assert _label("abstract") == "Vein-to-vein meta-analysis"


def test_without_a_short_title_the_title_stands_and_an_author_comes_first():
    assert _label("table") == "Clinical experience with CAR T manufacturing"
    assert _label("group") == "Ministerio de Sanidad"
