"""Re-execute notebooks in place and stamp them; or check that their stored outputs are current.

Usage:
  python scripts/execute_notebooks.py [--jobs 2] [--kernel cart-lean] NB [NB ...]  (make execute)
  python scripts/execute_notebooks.py --check NB [NB ...]  (make book, make notebooks)

The book is built from the outputs stored in the notebooks (`execute_notebooks: "off"` in
_config.yml): nbval proves they are what a fresh run produces, so the build does not run
them again. Executing a notebook here (top to bottom in a fresh kernel, as nbval does;
`make execute` uses the lean environment's kernel, scripts/lean_env.py, as nbval does)
stamps its metadata with the package hash: the sha256 of every file of the model package
cart_autoimmunity/ (sorted relative paths and contents, line endings normalised, caches
left out), so the stamp is the same on every machine and carries no timestamp. `--check`
refuses, naming `make execute`, any notebook whose stamp differs from the package as it is
now, and any notebook with a stored error output: a stale output never reaches a page.

Timing metadata is not recorded, so a re-run that changes nothing leaves the file as it was.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "cart_autoimmunity"
# notebook.metadata[STAMP_KEY][HASH_FIELD] is the package hash of the last execution.
STAMP_KEY = "cart_autoimmunity"
HASH_FIELD = "package_sha256"
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}
IGNORED_SUFFIXES = {".pyc", ".pyo"}


def package_files(package: Path = PACKAGE) -> list[Path]:
    """Every file of the package that can affect a result: code and data alike
    (.py, evidence CSVs, figure JavaScript, ...), without caches and hidden files."""
    return sorted(
        path
        for path in package.rglob("*")
        if path.is_file()
        and not IGNORED_PARTS & set(path.relative_to(package).parts)
        and not any(part.startswith(".") for part in path.relative_to(package).parts)
        and path.suffix not in IGNORED_SUFFIXES
    )


def package_hash(package: Path = PACKAGE) -> str:
    """sha256 over (relative POSIX path, NUL, contents with CRLF as LF, NUL) of each
    package file, in sorted order: independent of the machine, the checkout and the time."""
    digest = hashlib.sha256()
    for path in package_files(package):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def stamp_of(notebook: dict) -> str | None:
    """The package hash a notebook was last executed with (None if never stamped)."""
    return (notebook.get("metadata", {}).get(STAMP_KEY) or {}).get(HASH_FIELD)


def problems(path: Path, current: str) -> list[str]:
    """Why the stored outputs of the notebook at path cannot go into the book ([] if they can)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))  # plain JSON: fast
    found = []
    stamp = stamp_of(notebook)
    if stamp is None:
        found.append("its outputs carry no package stamp")
    elif stamp != current:
        found.append(
            f"its outputs were computed with package {stamp[:12]}, "
            f"the package is now {current[:12]}"
        )
    for index, cell in enumerate(notebook.get("cells", [])):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"cell {index} stores an error ({output.get('ename')})")
    return found


def check(paths: list[Path], package: Path = PACKAGE) -> int:
    """Print each notebook whose stored outputs are stale; 1 if any, else 0."""
    current = package_hash(package)
    bad = {path: problems(path, current) for path in paths}
    bad = {path: why for path, why in bad.items() if why}
    if not bad:
        print(f"{len(paths)} notebooks carry outputs of the current package")
        return 0
    for path, why in bad.items():
        print(f"stale: {path}: {'; '.join(why)}", file=sys.stderr)
    print(
        f"{len(bad)} notebook(s) cannot go into the book as stored. Re-execute them with "
        f"`make execute` (all) or `make execute NB={next(iter(bad))}` (one), re-read "
        "their prose, then build again.",
        file=sys.stderr,
    )
    return 1


def execute(path: Path, package: Path = PACKAGE, kernel: str = "python3") -> None:
    """Run the notebook in a fresh kernel (the kernelspec named ``kernel``), stamp it and
    write it in place."""
    import nbformat
    from nbclient import NotebookClient

    stamp = package_hash(package)  # the package the kernel imports
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name=kernel,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    notebook.metadata.setdefault(STAMP_KEY, {})[HASH_FIELD] = stamp
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    print(f"executed {path}")


def main(args: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="check, do not execute")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at once")
    parser.add_argument("--kernel", default="python3", help="the kernelspec to run")
    options = parser.parse_args(args)
    if not options.notebooks:
        print(__doc__)
        return 2
    if options.check:
        return check(options.notebooks)
    if options.jobs < 2:
        for path in options.notebooks:
            execute(path, kernel=options.kernel)
        return 0
    with ProcessPoolExecutor(max_workers=options.jobs) as pool:
        jobs = [
            pool.submit(execute, path, kernel=options.kernel)
            for path in options.notebooks
        ]
        for future in jobs:
            future.result()  # re-raises a notebook's error
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
