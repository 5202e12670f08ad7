"""Shared fixtures for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def bib_keys() -> set[str]:
    """Citation keys defined in references.bib (parsed with pybtex, so a malformed file fails)."""
    return set(
        parse_file(str(ROOT / "references.bib"), bib_format="bibtex").entries.keys()
    )


from hypothesis import settings  # noqa: E402

# Property tests explore the same examples on every run, so a red CI is reproducible.
settings.register_profile("book", derandomize=True, print_blob=True)
settings.load_profile("book")
