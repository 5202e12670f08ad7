"""What keeps the build and the browser suite fast without changing what they do (#23).

pybtex looks a plugin up by scanning every installed package's entry points, once per
citation; book/_ext/book_bibstyle.py makes each (group, name) scan run once per build.
The browser suite runs on both cores with each page's checks on one worker (the
scheduler in tests/conftest.py), so that each page is visited once."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pybtex.plugin
import pytest

REPO = Path(__file__).resolve().parents[1]


def test_pybtex_scans_the_entry_points_once_per_plugin(monkeypatch):
    scans = []

    def counting_scan(*, group, name):
        scans.append((group, name))
        return original(group=group, name=name)

    original = pybtex.plugin.entry_points
    monkeypatch.setattr(pybtex.plugin, "entry_points", counting_scan)
    spec = importlib.util.spec_from_file_location(
        "book_bibstyle_under_test", REPO / "book" / "_ext" / "book_bibstyle.py"
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up
    spec.loader.exec_module(module)
    module.setup(SimpleNamespace())
    first = pybtex.plugin.find_plugin("pybtex.backends", "plaintext")
    for _ in range(50):
        assert pybtex.plugin.find_plugin("pybtex.backends", "plaintext") is first
    assert scans.count(("pybtex.backends", "plaintext")) == 1
    # plugins registered at run time still come first, as in pybtex
    assert (
        pybtex.plugin.find_plugin("pybtex.style.formatting", "book") is module.BookStyle
    )


def test_the_browser_checks_of_a_page_share_a_worker():
    spec = importlib.util.spec_from_file_location(
        "tests_conftest", REPO / "tests" / "conftest.py"
    )
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    page_of = conftest.page_of
    book = "tests/browser/test_browser_book.py"
    assert page_of(f"{book}::test_no_console_errors[notebooks/04_erlangen.html]") == (
        "notebooks/04_erlangen.html"
    )
    assert page_of(f"{book}::test_page_weight[book/intro.html]") == "book/intro.html"
    # Everything else keeps xdist's scope (its module): the PDF is printed once.
    assert (
        page_of("tests/test_pdf.py::test_every_chapter_starts_a_page[glossary]") is None
    )
    assert page_of(f"{book}::test_search_finds_cd19") is None


@pytest.fixture
def bench(monkeypatch):
    """benchmarks/run.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location(
        "bench_under_test", REPO / "benchmarks" / "run.py"
    )
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look it up
    spec.loader.exec_module(module)
    return module


def test_the_bench_says_other_work_ran_only_when_it_did(bench):
    """`benchmarks/results.md` blamed other work on every run, whatever the load: the
    sentence now follows the load when the bench started, against the core count."""
    assert "otherwise idle" in bench.load_note(1.2, 5.0, 2)
    assert "other work was running" in bench.load_note(2.5, 5.0, 2)


def test_the_perturbation_row_quotes_pytest_not_make(bench):
    """Under `make bench` the sub-make's last line is "Leaving directory": the row quoted it."""
    output = (
        "== 114 passed in 27.87s ==\n......\n6 passed in 1.40s\n"
        "make[1]: Leaving directory '/work/main/benchmarks/_work'\n"
    )
    assert bench.pytest_summary(output) == "114 passed in 27.87s; 6 passed in 1.40s"
    assert bench.pytest_summary("make: *** Error 2\n") == "no pytest summary"
