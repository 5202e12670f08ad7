"""The bibliography style prints "et al." where BibTeX cuts an author list with "others"."""

from __future__ import annotations

import sys
from pathlib import Path

from pybtex.database import parse_string

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
from book_bibstyle import BookStyle  # noqa: E402

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
