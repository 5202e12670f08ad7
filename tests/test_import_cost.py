"""What `import cart_autoimmunity` loads (issue #23: at most 0.5 s beyond numpy, scipy, pandas
and matplotlib). Counted in modules, not seconds, so the test does not depend on the machine:
the bare import loads no third-party package at all (submodules load on first use), and even
every model module together loads nothing beyond the four scientific packages; Bokeh,
IPython, myst-nb and Sphinx load only where a figure or a glue call needs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCIENTIFIC = "numpy, scipy, scipy.integrate, scipy.optimize, scipy.stats, pandas, matplotlib, matplotlib.pyplot"
HEAVY = {
    "bokeh",
    "IPython",
    "myst_nb",
    "sphinx",
    "nbformat",
    "nbclient",
    "jupyter_client",
}


def new_packages(setup: str, statement: str) -> set[str]:
    """Top-level packages that `statement` loads after `setup`, in a fresh interpreter."""
    code = (
        f"import sys, json\n{setup}\nbefore = set(sys.modules)\n{statement}\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


def test_the_bare_import_loads_only_the_package_and_the_standard_library():
    loaded = new_packages("", "import cart_autoimmunity")
    third_party = {
        name
        for name in loaded - set(sys.stdlib_module_names)
        if not name.startswith(("cart_autoimmunity", "__editable__", "_"))
    }
    assert not third_party, f"`import cart_autoimmunity` loads {sorted(third_party)}"


def test_the_models_and_the_figures_load_nothing_beyond_the_scientific_stack():
    """Every model module, and the figures package that chapters import: Bokeh loads only
    when a chapter draws an explorable figure (figures.interactive imports it lazily)."""
    touch = (
        "import cart_autoimmunity as ca\n"
        "modules = [getattr(ca, name) for name in ca.__all__]\n"
        "assert ca.kinetics.__name__ == 'cart_autoimmunity.kinetics'\n"
        "import cart_autoimmunity.figures"
    )
    loaded = new_packages(f"import {SCIENTIFIC}", touch)
    assert not loaded & HEAVY, f"loaded with the models: {sorted(loaded & HEAVY)}"


def loaded_modules(statement: str) -> set[str]:
    """Every module (dotted names) that `statement` leaves loaded in a fresh interpreter."""
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout))


def test_no_chapter_module_loads_statistics_until_it_computes_them():
    """`ca.chapter.setup()`, every chapter's first cell, then the figures, the evidence and
    every chapter module: statsmodels and scipy.stats stay unloaded. Only
    `meta_analysis.pool` uses them, loaded when called (chapter 5, the evidence map, the
    ledger and the conclusion pool; the other chapters never load them)."""
    from cart_autoimmunity.chapters import CHAPTERS

    modules = ", ".join(
        f"cart_autoimmunity.chapters.{name}" for name in CHAPTERS.values()
    )
    loaded = loaded_modules(
        "import cart_autoimmunity as ca\nca.chapter.setup()\n"
        f"import cart_autoimmunity.figures, cart_autoimmunity.evidence, {modules}"
    )
    assert "cart_autoimmunity.evidence.summaries" in loaded
    assert "cart_autoimmunity.chapters.evidence_map" in loaded
    assert "scipy.stats" not in loaded and "statsmodels" not in loaded


def test_names_resolve_lazily_and_unknown_names_fail():
    import cart_autoimmunity as ca

    assert ca.KineticsParameters.__module__ == "cart_autoimmunity.parameters.kinetics"
    assert set(ca.__all__) <= set(dir(ca))
    with pytest.raises(AttributeError, match="no_such_model"):
        ca.no_such_model  # noqa: B018
