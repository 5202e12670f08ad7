"""Run notebooks top to bottom in one process; print one line per notebook (used by test_colab).

Usage: python colab_run.py WORKDIR NOTEBOOK [NOTEBOOK ...]

First a probe prints where the kernel's Python and the model package live (``kernel:`` and
``package:`` lines), then each notebook runs in a fresh kernel of this interpreter with
WORKDIR as its working directory; nothing is written back. Exit status 1 if any notebook
raised.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

#: Terminal colour codes in IPython's tracebacks.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(path: Path, workdir: str) -> str | None:
    """None if every cell ran, else the last lines of the error."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": workdir}},
    )
    try:
        client.execute()
    except CellExecutionError as error:
        return "\n".join(_ANSI.sub("", str(error)).strip().splitlines()[-12:])
    return None


def probe(workdir: str) -> None:
    """Print the kernel's sys.prefix and the file the package is imported from."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import sys, cart_autoimmunity\n"
            "print('kernel:', sys.prefix)\n"
            "print('package:', cart_autoimmunity.__file__)"
        )
    ]
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": workdir}},
    ).execute()
    print(notebook.cells[0].outputs[0]["text"].strip())


def main(workdir: str, paths: list[str]) -> int:
    probe(workdir)
    failed = 0
    for name in paths:
        start = time.perf_counter()
        error = run(Path(name), workdir)
        took = time.perf_counter() - start
        print(f"{'FAIL' if error else 'ok  '} {Path(name).name} ({took:.0f} s)")
        if error:
            failed += 1
            print("    " + error.replace("\n", "\n    "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
