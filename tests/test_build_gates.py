"""Prove that the book's gates bite: each gate fails on a tiny broken fixture and passes on a control.

The fixture books are built with the real book's settings, so the gates cannot drift from
the book: `_config.yml` is generated from the real one (execution, parsing, extensions,
Sphinx options), the flags are read from the Makefile's JB_FLAGS, and nbval runs with the
real `pyproject.toml` and `tests/sanitize.cfg`. Fixture pages live in tests/fixtures/build_gates.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "build_gates"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.build

BIB = """@article{fixture2020,
  author = {Fixture, Ada},
  title = {A fixture reference},
  journal = {Journal of Fixtures},
  year = {2020},
  volume = {1},
  pages = {1--2},
  doi = {10.0000/fixture},
}
"""


def real_config() -> dict:
    return yaml.safe_load((REPO / "_config.yml").read_text())


def jb_flags() -> list[str]:
    """The flags `make book` passes to jupyter-book, read from the Makefile."""
    match = re.search(r"^JB_FLAGS\s*:?=\s*(.+)$", (REPO / "Makefile").read_text(), re.M)
    assert match, "JB_FLAGS not found in the Makefile"
    return match.group(1).split()


def clean_env() -> dict[str, str]:
    """The environment without pytest/xdist variables, so subprocesses start fresh."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "PYTHONBREAKPOINT"))
    }
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def make_book(root: Path, pages: list[str]) -> Path:
    """Write a tiny book into root/book: the real config (adapted), a TOC and the given pages."""
    book = root / "book"
    book.mkdir()
    config = copy.deepcopy(real_config())
    config["title"] = "Build-gate fixture"
    # The fixture has its own small bibliography, so edits to the real one cannot break it.
    config["bibtex_bibfiles"] = ["references.bib"]
    (book / "references.bib").write_text(BIB)
    # Keep the real static files (CSS, vendored MathJax) at the same relative path.
    for static in (
        config.get("sphinx", {}).get("config", {}).get("html_static_path", [])
    ):
        shutil.copytree(REPO / static, book / static)
    # Local Sphinx extensions (the bibliography style) load from the real repository.
    local = config.get("sphinx", {}).get("local_extensions") or {}
    config["sphinx"]["local_extensions"] = {
        name: str(REPO / path) for name, path in local.items()
    }
    (book / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    toc = {
        "format": "jb-book",
        "root": "intro",
        "chapters": [{"file": Path(p).stem} for p in pages],
    }
    (book / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False))
    for name in ["intro.md", *pages]:
        shutil.copy(FIXTURES / name, book / name)
    return book


def build(book: Path, out: Path) -> subprocess.CompletedProcess:
    cmd = [
        str(BIN / "jupyter-book"),
        "build",
        str(book),
        *jb_flags(),
        "--path-output",
        str(out),
    ]
    return subprocess.run(
        cmd, capture_output=True, text=True, env=clean_env(), timeout=300
    )


def nbval(notebook: Path) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        notebook.name,
        "--nbval-sanitize-with",
        str(REPO / "tests" / "sanitize.cfg"),
        "-c",
        str(REPO / "pyproject.toml"),
        "--rootdir",
        str(notebook.parent),
        "-q",
    ]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=notebook.parent,
        timeout=300,
    )


def output(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def test_fixture_config_carries_the_real_execution_settings(tmp_path):
    book = make_book(tmp_path, ["ok.ipynb"])
    written = yaml.safe_load((book / "_config.yml").read_text())
    assert written["execute"] == real_config()["execute"]
    assert written["execute"]["allow_errors"] is False
    assert "-W" in jb_flags() and "--keep-going" in jb_flags()


def test_control_book_builds(tmp_path):
    book = make_book(tmp_path, ["ok.ipynb", "good_xref.md"])
    result = build(book, tmp_path / "out")
    assert result.returncode == 0, output(result)[-3000:]
    html = tmp_path / "out" / "_build" / "html"
    assert (html / "ok.html").is_file() and (html / "good_xref.html").is_file()
    # The notebook really ran in the build: its output is on the page.
    assert "4" in (html / "ok.html").read_text()


def test_a_cell_that_raises_fails_the_build(tmp_path):
    book = make_book(tmp_path, ["ok.ipynb", "raises.ipynb"])
    result = build(book, tmp_path / "out")
    assert result.returncode != 0, "a notebook whose cell raises must fail the build"
    assert "CellExecutionError" in output(result) and "ZeroDivisionError" in output(
        result
    )


def test_stderr_output_fails_the_build(tmp_path):
    book = make_book(tmp_path, ["ok.ipynb", "stderr.ipynb"])
    result = build(book, tmp_path / "out")
    assert result.returncode != 0, "stderr output in a cell must fail the build"
    assert "stderr was found in the cell outputs" in output(result)


def test_a_broken_cross_reference_fails_the_build(tmp_path):
    book = make_book(tmp_path, ["good_xref.md", "broken_xref.md"])
    result = build(book, tmp_path / "out")
    assert result.returncode != 0, "a Sphinx warning must fail the build under -W"
    assert "unknown document: 'a_page_that_does_not_exist'" in output(result)


def test_nbval_passes_a_notebook_with_current_outputs(tmp_path):
    notebook = tmp_path / "ok.ipynb"
    shutil.copy(FIXTURES / "ok.ipynb", notebook)
    result = nbval(notebook)
    assert result.returncode == 0, output(result)[-3000:]
    assert "2 passed" in result.stdout or "1 passed" in result.stdout


def test_nbval_fails_a_notebook_with_stale_outputs(tmp_path):
    notebook = tmp_path / "stale.ipynb"
    shutil.copy(FIXTURES / "stale.ipynb", notebook)
    result = nbval(notebook)
    assert result.returncode == 1, output(result)[-3000:]
    assert "1 failed" in result.stdout


def test_mathjax_is_served_from_the_book_itself():
    """The book must load nothing from another host: MathJax is vendored under _static."""
    sphinx = real_config()["sphinx"]["config"]
    path = sphinx["mathjax_path"]
    assert "://" not in path and not path.startswith("//"), path
    assert any(
        (REPO / static / path).is_file() for static in sphinx["html_static_path"]
    ), path
