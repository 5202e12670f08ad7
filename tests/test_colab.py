"""Colab's path: the notebooks run with the package alone installed.

`make notebooks` runs every notebook (nbval) in the kernel of the lean environment
(scripts/lean_env.py: ``pip install`` of a clone-like copy of the repository plus
ipykernel, none of the book's build or test stack), on copies outside the tree; these
tests, run in the same session (and by `make colab`), check that this kernel is what it
claims to be. They are deselected by `make unit` (marker ``colab``) and need the
kernelspec on JUPYTER_PATH, which make sets.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import execute_notebooks  # noqa: E402
import lean_env  # noqa: E402

pytestmark = pytest.mark.colab

#: The book's build and test stack: none of it may be importable in the lean kernel.
NOT_ON_COLAB = ("pytest", "nbval", "jupyter_book", "playwright", "hypothesis", "ruff")

PROBE = f"""import importlib.util, json, os, sys
import cart_autoimmunity
from cart_autoimmunity import numerics
print(json.dumps({{
    "prefix": sys.prefix,
    "package": cart_autoimmunity.__file__,
    "path": os.environ.get("PYTHONPATH", ""),
    "stack": [m for m in {NOT_ON_COLAB!r} if importlib.util.find_spec(m)],
    "rtol": numerics.tolerances("kinetics")[0],
}}))"""


@pytest.fixture(scope="module")
def spec():
    try:
        return KernelSpecManager().get_kernel_spec(lean_env.KERNEL_NAME)
    except NoSuchKernel:
        pytest.fail(
            f"no {lean_env.KERNEL_NAME} kernel on JUPYTER_PATH: run `make colab` "
            "or `make notebooks`, which make the lean environment and point at it"
        )


@pytest.fixture(scope="module")
def prefix(spec) -> Path:
    """The lean environment the kernelspec runs (its argv[0] is <prefix>/bin/python)."""
    return Path(spec.argv[0]).parents[1]


def run_probe(workdir: Path) -> dict:
    """What the lean kernel reports, run in workdir."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(PROBE)]
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name=lean_env.KERNEL_NAME,
        resources={"metadata": {"path": str(workdir)}},
    ).execute()
    return json.loads(notebook.cells[0].outputs[0]["text"])


@pytest.fixture(scope="module")
def probe(tmp_path_factory) -> dict:
    """The probe, run in a directory outside the repository, tolerances unscaled (even
    under `make perturb`)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("CART_TOLERANCE_SCALE", raising=False)
        return run_probe(tmp_path_factory.mktemp("colab"))


def test_the_kernel_is_the_lean_environment(spec, prefix, probe):
    assert Path(probe["prefix"]) == prefix
    assert spec.env.get("PYTHONPATH") == "" and probe["path"] == ""


def test_the_package_is_the_installed_copy_not_the_worktree(prefix, probe):
    assert Path(probe["package"]).is_relative_to(prefix / "lib"), probe["package"]


def test_nothing_of_the_build_or_test_stack_is_importable(probe):
    assert probe["stack"] == []


def test_the_installed_package_is_the_current_one_whole(prefix, probe):
    """Every file of the package (code, evidence data, figure JavaScript) was installed,
    and is the working tree's: the same hash as the package the notebooks are stamped with."""
    installed = Path(probe["package"]).parent
    assert execute_notebooks.package_hash(installed) == execute_notebooks.package_hash()


def test_the_kernel_sees_the_tolerance_scale_that_make_perturb_sets(
    probe, tmp_path, monkeypatch
):
    """`make perturb` sets CART_TOLERANCE_SCALE for nbval: it must reach the lean kernel,
    or the perturbed run would compare the unperturbed outputs and pass for nothing."""
    monkeypatch.setenv("CART_TOLERANCE_SCALE", "0.1")
    scaled = run_probe(tmp_path)
    assert scaled["rtol"] == pytest.approx(0.1 * probe["rtol"])


def test_the_installed_distribution_ships_both_licences(prefix):
    """pip built a wheel from the clone-like copy to install it: its dist-info carries every
    licence file pyproject.toml declares (PEP 639 license-files), as a user's install does.
    The package data ships too: the installed package hashes as the tree's (above)."""
    (dist,) = prefix.glob("lib/python*/site-packages/cart_autoimmunity-*.dist-info")
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for pattern in declared["project"]["license-files"]:
        files = sorted(ROOT.glob(pattern))
        assert files, f"license-files pattern {pattern} matches nothing in the tree"
        for path in files:
            name = path.relative_to(ROOT).as_posix()
            assert (dist / "licenses" / name).is_file(), f"{name} is not in {dist.name}"
