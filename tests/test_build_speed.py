"""What keeps the Sphinx build fast without changing a page (issue #23).

pybtex looks a plugin up by scanning every installed package's entry points, once per
citation; book/_ext/book_bibstyle.py makes each (group, name) scan run once per build."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import pybtex.plugin

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
