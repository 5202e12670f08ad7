"""Colab's path, in a clean room: the package alone, installed from the working tree, runs
every chapter top to bottom (``make colab``; deselected by ``make unit``).

A fresh virtual environment gets only ``pip install <copy of the working tree>`` and what
Colab itself ships to run notebooks (ipykernel, nbclient); none of the book's build or test
stack. Versions are held to the pins of requirements.txt (as constraints: they pin, never
add), so the run is reproducible and served from pip's cache. The tree is copied first, so
that the build leaves nothing in the worktree and nothing outside the package's declared
files can be imported. Every notebook then runs in one process (tests/colab_run.py), in a
working directory outside the tree.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "book").glob("*.ipynb")
)
#: What a clone from GitHub would not hold (local environments, builds, caches).
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".lockenv",
    "_build",
    "build",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "_work",
)

pytestmark = pytest.mark.colab


def constraints(path: Path) -> Path:
    """requirements.txt's pins without its editable install of the package."""
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line and not line.startswith(("#", "-"))]
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


def clean_env(tmp_path: Path) -> dict[str, str]:
    """The environment without this worktree on the path and without user kernels."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")
    env["MPLCONFIGDIR"] = str(tmp_path / "matplotlib")
    return env


def test_every_chapter_runs_with_only_the_package_installed(tmp_path):
    source = tmp_path / "clone"
    shutil.copytree(ROOT, source, ignore=NOT_IN_A_CLONE)
    venv = tmp_path / "venv"
    env = clean_env(tmp_path)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env)
    python = str(venv / "bin" / "python")
    install = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            str(source),
            "ipykernel",
            "nbclient",
        ]
        + ["--constraint", str(constraints(tmp_path / "constraints.txt"))],
        capture_output=True,
        text=True,
        env=env,
    )
    assert install.returncode == 0, install.stderr[-3000:]

    workdir = tmp_path / "work"
    workdir.mkdir()
    run = subprocess.run(
        [python, str(ROOT / "tests" / "colab_run.py"), str(workdir)]
        + [str(path) for path in NOTEBOOKS],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
    )
    report = run.stdout + run.stderr[-3000:]
    assert run.returncode == 0, report
    kernel = next(
        line for line in run.stdout.splitlines() if line.startswith("kernel:")
    )
    package = next(
        line for line in run.stdout.splitlines() if line.startswith("package:")
    )
    assert kernel.split(": ", 1)[1] == str(venv), report
    assert package.split(": ", 1)[1].startswith(str(venv / "lib")), report
    assert run.stdout.count("\nok  ") == len(NOTEBOOKS), report
