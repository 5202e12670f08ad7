"""Make, or bring up to date, the lean environment: the model package alone, as Colab has it.

Usage: python scripts/lean_env.py [--prefix DIR]   (make lean-env; default .venv-lean)

The lean environment is a virtual environment with only what a learner's Colab notebook
gets: ``pip install <the repository>`` (the package and its declared dependencies) and
ipykernel to run notebooks, none of the book's build or test stack. Versions are held to
the pins of requirements.txt (as constraints: they pin, never add). The package is
installed from a copy of the working tree that holds only what a clone holds, so nothing
else in the tree can be imported. Its kernel, ``cart-lean`` (a kernelspec under
``DIR/share/jupyter``), runs every notebook for nbval (`make notebooks`, `make perturb`)
and for `make execute`: one execution proves both that the stored outputs are current and
that the package alone runs every chapter.

Up to date means: made by this Python for the current requirements.txt and pyproject.toml
(otherwise it is made again from scratch), holding the current package (otherwise the
package alone is reinstalled; its hash is scripts/execute_notebooks.py's), with the
kernelspec in place.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import execute_notebooks

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PREFIX = REPO / ".venv-lean"
KERNEL_NAME = "cart-lean"
#: What a clone from GitHub would not hold (local environments, builds, caches).
NOT_IN_A_CLONE = shutil.ignore_patterns(
    ".git",
    ".venv*",
    ".lockenv",
    "_build",
    "build",
    "*.egg-info",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "_work",
)
#: The files whose change means the environment is made again from scratch.
PIN_FILES = ("requirements.txt", "pyproject.toml")


def pins_key(repo: Path = REPO) -> str:
    """A short hash of PIN_FILES and of the Python that makes the environment: the name of
    the marker of a complete environment (a new Python, or new pins, make it again)."""
    digest = hashlib.sha256(sys.version.encode() + b"\0")
    for name in PIN_FILES:
        digest.update((repo / name).read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()[:16]


def constraints(path: Path, repo: Path = REPO) -> Path:
    """requirements.txt's pins, without its comments and its editable install of the package."""
    lines = (repo / "requirements.txt").read_text(encoding="utf-8").splitlines()
    pins = [line for line in lines if line and not line.startswith(("#", "-"))]
    path.write_text("\n".join(pins) + "\n", encoding="utf-8")
    return path


def kernel_dir(prefix: Path = DEFAULT_PREFIX) -> Path:
    """Where the kernelspec lives; JUPYTER_PATH=<prefix>/share/jupyter finds it."""
    return prefix / "share" / "jupyter" / "kernels" / KERNEL_NAME


def _pip(prefix: Path, *args: str) -> None:
    """This interpreter's pip, installing into the environment at prefix."""
    python = prefix / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
        + ["--no-compile", *args],  # the kernels compile what they import, once
        check=True,
    )


def _install(prefix: Path, *, deps: bool, repo: Path = REPO) -> None:
    """pip install a clone-like copy of the repository (with ipykernel if deps)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "clone"
        shutil.copytree(repo, source, ignore=NOT_IN_A_CLONE)
        pinned = ["--constraint", str(constraints(Path(tmp) / "pins.txt", repo))]
        if deps:
            _pip(prefix, str(source), "ipykernel", *pinned)
        else:
            _pip(prefix, "--no-deps", "--force-reinstall", str(source))


def _register_kernel(prefix: Path) -> None:
    """The cart-lean kernelspec, run by the environment's Python; PYTHONPATH is emptied so
    that no worktree on the caller's path can be imported instead of the package."""
    subprocess.run(
        [str(prefix / "bin" / "python"), "-m", "ipykernel", "install", "--prefix"]
        + [str(prefix), "--name", KERNEL_NAME, "--display-name"]
        + ["Python (the book's package alone)", "--env", "PYTHONPATH", ""],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def ensure(prefix: Path = DEFAULT_PREFIX, repo: Path = REPO) -> list[str]:
    """Bring the environment at prefix up to date; return what was done (empty if nothing)."""
    done = []
    complete = prefix / f".pins-{pins_key(repo)}"
    package_hash = execute_notebooks.package_hash(repo / "cart_autoimmunity")
    package = prefix / f".package-{package_hash}"
    if not complete.is_file():
        shutil.rmtree(prefix, ignore_errors=True)
        subprocess.run(
            [sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True
        )
        _install(prefix, deps=True, repo=repo)
        complete.touch()
        package.touch()
        done.append("made")
    elif not package.is_file():
        _install(prefix, deps=False, repo=repo)
        for old in prefix.glob(".package-*"):
            old.unlink()
        package.touch()
        done.append("package reinstalled")
    if not (kernel_dir(prefix) / "kernel.json").is_file():
        _register_kernel(prefix)
        done.append("kernel registered")
    return done


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", type=Path, default=DEFAULT_PREFIX)
    options = parser.parse_args(args)
    done = ensure(options.prefix.resolve())
    print(f"lean environment {options.prefix}: {', '.join(done) or 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
