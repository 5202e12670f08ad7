"""Shared fixtures for the test suite."""

from __future__ import annotations

import re
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


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: absent without it
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` (make browser): a module's tests stay on one worker, as usual (the
    PDF is printed once, the bite fixtures served once), except that the per-page checks of
    the browser suite are grouped by page, so that each page is visited once, by one
    worker, and the pages spread over both cores. (xdist's own `loadgroup` marks do not
    reach the scheduler under pytest 9.)"""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class PageScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return page_of(nodeid) or super()._split_scope(nodeid)

    return PageScheduling(config, log)


def page_of(nodeid: str) -> str | None:
    """The book page a test is parametrised with (`...[notebooks/04_erlangen.html]`)."""
    page = re.search(r"\[([^\]]+\.html)\]$", nodeid)
    return page.group(1) if page else None


def pytest_collection_modifyitems(config, items):
    """Long tests start first, so that the other worker runs the short ones meanwhile
    rather than idling at the end: the PDF module (printed once, about 15 s, `make
    browser`), then tests marked ``slow`` or ``build`` (subprocesses, fits)."""
    items.sort(
        key=lambda item: (
            item.path.name != "test_pdf.py",
            item.get_closest_marker("slow") is None
            and item.get_closest_marker("build") is None,
        )
    )
