"""Re-execute notebooks in place, top to bottom in a fresh kernel, as nbval will.

Usage: python scripts/execute_notebooks.py notebooks/04_erlangen.ipynb [more.ipynb ...]

Timing metadata is not recorded, so a re-run that changes nothing leaves the file as it was.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def execute(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    print(f"executed {path}")


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__)
        return 2
    for name in paths:
        execute(Path(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
