"""One module per chapter: the numbers its prose quotes, the tables it shows, its claims.

A chapter notebook is a thin narrative over its module. Each module (``ch01_burden`` …
``ch10_future``, ``evidence_map``, ``conclusion``) exposes the same things:

``CHAPTER``
    The chapter's path in ``_toc.yml`` (``"notebooks/01_burden"``).
``numbers() -> dict[str, float | int]``
    Every number the prose glues, by its glue name. The notebook glues them in one line,
    ``ca.chapter.glue_numbers(**chapter.numbers())``; a test checks that the names glued
    in the prose are exactly these.
``tables() -> dict[str, pandas.DataFrame]``
    Every table the chapter shows, by its ``tbl-`` name, as data before formatting.
``TABLE_SPECS`` and ``reader_table(name) -> cart_autoimmunity.chapter.ReaderTable``
    How each table is shown (columns and their headers, caption, formats: a
    :class:`cart_autoimmunity.chapter.TableSpec`), and that table formatted for readers
    (captioned, numbered, cited) by :func:`cart_autoimmunity.chapter.show_table`.
``claims() -> tuple[cart_autoimmunity.claims.Claim, ...]``
    The story's claims that the chapter checks, first the headline claim whose verdict
    the chapter's ``## Verdict`` section states (:func:`cart_autoimmunity.claims.chapter_verdict`).

Expensive model runs are cached per process (``functools.cache``), so numbers, tables and
claims share one run, and the ledger reuses them. The modules load on first use
(:func:`module`), so importing the package runs no model.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from ..validation import require_choice

#: Each chapter's TOC path and the module that owns its argument, in book order.
CHAPTERS = {
    "notebooks/01_burden": "ch01_burden",
    "notebooks/02_rogue_cells": "ch02_rogue_cells",
    "notebooks/03_living_drug": "ch03_living_drug",
    "notebooks/04_erlangen": "ch04_erlangen",
    "notebooks/05_safety": "ch05_safety",
    "notebooks/06_immune_reset": "ch06_immune_reset",
    "notebooks/07_damage": "ch07_damage",
    "notebooks/08_cost": "ch08_cost",
    "notebooks/09_precision": "ch09_precision",
    "notebooks/10_future": "ch10_future",
    "book/evidence_map": "evidence_map",
    "book/conclusion": "conclusion",
}


def module(chapter: str) -> ModuleType:
    """The module of ``chapter`` (a TOC path such as ``"notebooks/04_erlangen"``)."""
    require_choice("chapter", chapter, CHAPTERS)
    return importlib.import_module(f"{__name__}.{CHAPTERS[chapter]}")


def modules() -> list[ModuleType]:
    """Every chapter module, in book order."""
    return [module(chapter) for chapter in CHAPTERS]


def all_claims() -> list:
    """Every claim the chapters check, chapter by chapter in book order (headline first)."""
    return [claim for mod in modules() for claim in mod.claims()]
