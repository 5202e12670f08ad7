"""`make lint` (ruff check and ruff format --check with the project's settings) can fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = [sys.executable, "-m", "ruff"]


def ruff(*args: str, cwd: Path) -> int:
    config = ["--config", str(ROOT / "pyproject.toml")]
    return subprocess.run(
        [*RUFF, *args, *config, "."], cwd=cwd, capture_output=True
    ).returncode


@pytest.fixture
def folder(tmp_path):
    return tmp_path


def test_clean_code_passes(folder):
    (folder / "good.py").write_text('"""Fine."""\n\nimport math\n\nprint(math.pi)\n')
    assert ruff("check", cwd=folder) == 0
    assert ruff("format", "--check", cwd=folder) == 0


def test_an_unused_import_fails_the_check(folder):
    (folder / "bad.py").write_text("import os\n")
    assert ruff("check", cwd=folder) == 1


def test_a_long_unformatted_line_fails_the_format_check(folder):
    (folder / "long.py").write_text("x = [" + ", ".join(["1"] * 60) + "]\n")
    assert ruff("format", "--check", cwd=folder) == 1


def test_notebooks_are_linted_too(folder):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import os\nx=1")]
    nbformat.write(nb, folder / "chapter.ipynb")
    assert ruff("check", cwd=folder) == 1
    assert ruff("format", "--check", cwd=folder) == 1
