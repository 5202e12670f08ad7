"""Prove that the book's gates bite: each gate fails on a tiny broken fixture and passes on a control.

The fixture books are built with the real book's settings, so the gates cannot drift from
the book: `_config.yml` is generated from the real one (execution, parsing, extensions,
Sphinx options), the flags are read from the Makefile's JB_FLAGS, and nbval runs with the
real `pyproject.toml` and `tests/sanitize.cfg`. Fixture pages live in tests/fixtures/build_gates.

The book executes nothing at build time; its gates are: nbval (a raising cell, a stale
output), the package stamp (scripts/execute_notebooks.py --check, run by `make book`,
`make notebooks` and `make pdf`), and the build under -W (stderr output, broken references).
"""

from __future__ import annotations

import copy
import json
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
SCRIPT = REPO / "scripts" / "execute_notebooks.py"
sys.path.insert(0, str(SCRIPT.parent))
import execute_notebooks  # noqa: E402

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


def nbval(folder: Path, names: list[str], **env: str) -> subprocess.CompletedProcess:
    """nbval on the notebooks in folder, one line per cell (-rA: PASSED/FAILED name::Cell i)."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "--nbval",
        *names,
        "--nbval-sanitize-with",
        str(REPO / "tests" / "sanitize.cfg"),
        "-c",
        str(REPO / "pyproject.toml"),
        "--rootdir",
        str(folder),
        "-q",
        "-rA",
    ]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        env={**clean_env(), **env},
        cwd=folder,
        timeout=300,
    )


def output(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def test_fixture_config_carries_the_real_execution_settings(tmp_path):
    book = make_book(tmp_path, ["ok.ipynb"])
    written = yaml.safe_load((book / "_config.yml").read_text())
    assert written["execute"] == real_config()["execute"]
    assert written["execute"]["execute_notebooks"] == "off"
    assert written["execute"]["stderr_output"] == "error"
    assert "-W" in jb_flags() and "--keep-going" in jb_flags()


def test_control_book_builds_from_stored_outputs(tmp_path):
    # stale.ipynb stores "5" although its code prints 4: the page shows what is stored,
    # so the build executed nothing (nbval, below, is what catches that output).
    book = make_book(tmp_path, ["ok.ipynb", "stale.ipynb", "good_xref.md"])
    result = build(book, tmp_path / "out")
    assert result.returncode == 0, output(result)[-3000:]
    html = tmp_path / "out" / "_build" / "html"
    assert (html / "good_xref.html").is_file()
    shown = r'class="cell_output.*?<pre>(?:<span></span>)?\s*(\S+)\s*</pre>'
    assert re.search(shown, (html / "ok.html").read_text(), re.S).group(1) == "4"
    assert re.search(shown, (html / "stale.html").read_text(), re.S).group(1) == "5"


def test_stderr_output_and_a_broken_reference_fail_the_build(tmp_path):
    # Under -W every warning fails the build; --keep-going reports both, so one build
    # proves that each of the two is a warning.
    book = make_book(tmp_path, ["good_xref.md", "stderr.ipynb", "broken_xref.md"])
    result = build(book, tmp_path / "out")
    assert result.returncode != 0, "stderr output and a broken reference must fail"
    assert "stderr was found in the cell outputs" in output(result)
    assert "unknown document: 'a_page_that_does_not_exist'" in output(result)


def test_nbval_passes_current_outputs_and_fails_stale_raising_or_perturbed_cells(
    tmp_path,
):
    """One nbval run, as `make perturb` runs it: tolerance.ipynb's stored scale (1.0) must
    not survive CART_TOLERANCE_SCALE=0.1, so the variable reaches the kernels."""
    names = ["ok.ipynb", "stale.ipynb", "raises.ipynb", "tolerance.ipynb"]
    for name in names:
        shutil.copy(FIXTURES / name, tmp_path / name)
    result = nbval(tmp_path, names, CART_TOLERANCE_SCALE="0.1")
    text = output(result)
    assert result.returncode == 1, text[-3000:]
    assert re.search(r"^PASSED ok\.ipynb::", text, re.M), text[-3000:]
    assert not re.search(r"^FAILED ok\.ipynb::", text, re.M), text[-3000:]
    assert re.search(r"^FAILED stale\.ipynb::", text, re.M), text[-3000:]
    assert re.search(r"^FAILED raises\.ipynb::", text, re.M), text[-3000:]
    assert "ZeroDivisionError" in text
    assert re.search(r"^FAILED tolerance\.ipynb::", text, re.M), text[-3000:]
    assert "'1.0\\n' == '0.1\\n'" in text, text[-3000:]


def test_make_perturb_is_the_notebook_suite_with_tighter_tolerances():
    """`make perturb` runs `make notebooks` (nbval, the same comparison) with the scale set."""
    result = subprocess.run(
        ["make", "-n", "perturb"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert re.search(r"CART_TOLERANCE_SCALE=0\.1 \S*make\b.* notebooks", result.stdout)
    assert "pytest --nbval" in result.stdout, result.stdout


# --- The package stamp: a notebook executed with an older package is refused ----------


def fake_package(root: Path) -> Path:
    """A tiny package with code, data and a cache file, to hash."""
    package = root / "pkg"
    (package / "evidence" / "data").mkdir(parents=True)
    (package / "__pycache__").mkdir()
    (package / "__init__.py").write_text("RATE = 0.5\n")
    (package / "evidence" / "data" / "doses.csv").write_text("dose,n\n1,8\n")
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"cache")
    return package


def stamped_copy(folder: Path, stamp: str | None, name: str = "ok.ipynb") -> Path:
    notebook = json.loads((FIXTURES / name).read_text())
    if stamp is not None:
        key, field = execute_notebooks.STAMP_KEY, execute_notebooks.HASH_FIELD
        notebook["metadata"][key] = {field: stamp}
    path = folder / f"stamped_{len(list(folder.glob('stamped_*')))}_{name}"
    path.write_text(json.dumps(notebook))
    return path


def test_package_hash_follows_code_and_data_not_caches_or_line_endings(tmp_path):
    package = fake_package(tmp_path)
    first = execute_notebooks.package_hash(package)
    assert first == execute_notebooks.package_hash(package)
    assert len(first) == 64
    (package / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"other cache")
    (package / "__init__.py").write_text("RATE = 0.5\r\n")
    assert execute_notebooks.package_hash(package) == first
    (package / "evidence" / "data" / "doses.csv").write_text("dose,n\n1,9\n")
    data_changed = execute_notebooks.package_hash(package)
    assert data_changed != first
    (package / "__init__.py").write_text("RATE = 0.6\n")
    assert execute_notebooks.package_hash(package) not in (first, data_changed)
    (package / "__init__.py").rename(package / "renamed.py")
    assert execute_notebooks.package_hash(package) != first


def test_check_refuses_a_stale_missing_or_erroring_stamp_and_passes_a_current_one(
    tmp_path, capsys
):
    package = fake_package(tmp_path)
    current = execute_notebooks.package_hash(package)
    fresh = stamped_copy(tmp_path, current)
    assert execute_notebooks.check([fresh], package) == 0
    for stale in (
        stamped_copy(tmp_path, "0" * 64),
        stamped_copy(tmp_path, None),
        stamped_copy(tmp_path, current, "raises.ipynb"),
    ):
        notebook = json.loads(stale.read_text())
        if "raises" in stale.name:  # a stored error output, stamp current
            notebook["cells"][-1]["outputs"] = [
                {
                    "output_type": "error",
                    "ename": "ZeroDivisionError",
                    "evalue": "",
                    "traceback": [],
                }
            ]
            stale.write_text(json.dumps(notebook))
        capsys.readouterr()
        assert execute_notebooks.check([fresh, stale], package) == 1, stale.name
        message = capsys.readouterr().err
        assert f"stale: {stale}" in message and "make execute" in message
        assert f"stale: {fresh}" not in message


def test_make_execute_stamps_the_notebook_with_the_package_it_ran(tmp_path):
    package = fake_package(tmp_path)
    notebook = stamped_copy(tmp_path, None)
    execute_notebooks.execute(notebook, package)
    stored = json.loads(notebook.read_text())
    assert execute_notebooks.stamp_of(stored) == execute_notebooks.package_hash(package)
    assert execute_notebooks.check([notebook], package) == 0


def test_the_command_line_check_uses_the_real_package(tmp_path):
    current = execute_notebooks.package_hash()
    run = [sys.executable, str(SCRIPT), "--check"]
    ok = subprocess.run(
        [*run, str(stamped_copy(tmp_path, current))],
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert ok.returncode == 0, output(ok)
    stale = subprocess.run(
        [*run, str(stamped_copy(tmp_path, "f" * 64))],
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert stale.returncode == 1 and "make execute" in stale.stderr, output(stale)


@pytest.mark.parametrize(
    "target,runs",
    [
        ("book", "jupyter-book build"),
        ("pdf", "jupyter-book build"),
        ("notebooks", "pytest --nbval"),
    ],
)
def test_make_checks_the_stamps_before_it_builds_or_compares(target, runs):
    """`make -n` prints the recipe without running it: the check comes first."""
    result = subprocess.run(
        ["make", "-n", target],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    lines = result.stdout.splitlines()
    check = next(
        i
        for i, line in enumerate(lines)
        if "execute_notebooks.py --check" in line and "notebooks/" in line
    )
    assert check < next(i for i, line in enumerate(lines) if runs in line)


def test_mathjax_is_served_from_the_book_itself():
    """The book must load nothing from another host: MathJax is vendored under _static."""
    sphinx = real_config()["sphinx"]["config"]
    path = sphinx["mathjax_path"]
    assert "://" not in path and not path.startswith("//"), path
    assert any(
        (REPO / static / path).is_file() for static in sphinx["html_static_path"]
    ), path
