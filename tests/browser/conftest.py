"""Fixtures for the browser suite (pytest -m browser): one Chromium for the whole session.

The suite checks the built book in _build/html (run `make book` first). Set BOOK_HTML to
check another build, e.g. BOOK_HTML=/tmp/site/_build/html. With BOOK_SCREENSHOTS=1 (`make
screenshots`; the GitHub workflow keeps them) each page is also saved at both widths to the
sibling directory `screenshots/` (so _build/screenshots for the real build), for a person to
look at; nothing checks them by eye, so `make test` does not spend time taking them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser_checks import CHROMIUM, CHROMIUM_ARGS, Server, visit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def site_root() -> Path:
    root = Path(os.environ.get("BOOK_HTML", REPO / "_build" / "html")).resolve()
    if not (root / "index.html").is_file():
        pytest.fail(f"no built book at {root}: run `make book` before `make browser`")
    return root


@pytest.fixture(scope="session")
def site(site_root):
    with Server(site_root) as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture(scope="session")
def screenshots(site_root) -> Path | None:
    """Where page screenshots go, or None unless BOOK_SCREENSHOTS=1 asks for them."""
    if os.environ.get("BOOK_SCREENSHOTS", "0") != "1":
        return None
    directory = site_root.parent / "screenshots"
    directory.mkdir(exist_ok=True)
    return directory


@pytest.fixture(scope="session")
def page_report(browser, site, site_root, axe, screenshots):
    """page_report('notebooks/04_erlangen.html'): visit once, cache the report for every check."""
    cache = {}

    def get(path: str):
        if path not in cache:
            stem = screenshots and screenshots / path.removesuffix(".html").replace(
                "/", "__"
            )
            cache[path] = visit(
                browser, site_root, site.url + path, screenshot_stem=stem, axe=axe
            )
        return cache[path]

    return get
