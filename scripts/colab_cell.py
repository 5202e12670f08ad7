"""Pin the Colab install line of every notebook to the release the book was built from.

The hidden first cell of each notebook installs the model package on Colab, where it is
missing. So that a reader on Colab runs the same package as the book they are reading, the
line installs the release tag ``v<version>`` (``project.version`` in pyproject.toml) from the
repository named in _config.yml (``repository.url``):

    %pip install --quiet "git+https://github.com/<owner>/<repo>@v0.1.0"

Only that line of the first code cell is rewritten; the rest of each notebook, outputs
included, is left as it was. Running the script twice changes nothing the second time.

Usage:
    python scripts/colab_cell.py           # rewrite the line where it differs
    python scripts/colab_cell.py --check   # change nothing; exit 1 and list what differs
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_GLOBS = ("notebooks/*.ipynb", "book/*.ipynb")
#: A line of the set-up cell that pip-installs the package from a git repository.
INSTALL_LINE = re.compile(r"^(?P<indent>[ \t]*)%pip install\b.*\bgit\+.*$", re.M)


def release_ref(root: Path = ROOT) -> str:
    """The git ref a reader's Colab installs: ``v`` + pyproject.toml's version."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return "v" + project["project"]["version"]


def repository_url(root: Path = ROOT) -> str:
    """The book's repository, from _config.yml (the launch buttons use it too)."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    return config["repository"]["url"].rstrip("/")


def install_line(url: str, ref: str) -> str:
    """The install command, without indentation."""
    return f'%pip install --quiet "git+{url}@{ref}"'


def notebooks(root: Path = ROOT) -> list[Path]:
    return sorted(path for pattern in NOTEBOOK_GLOBS for path in root.glob(pattern))


def pinned_source(source: str, url: str, ref: str) -> str:
    """``source`` with its (single) install line replaced by the pinned one.

    Raises ValueError when the cell has no install line or more than one.
    """
    found = INSTALL_LINE.findall(source)
    if len(found) != 1:
        raise ValueError(
            f"expected one '%pip install ... git+' line, found {len(found)}"
        )
    return INSTALL_LINE.sub(
        lambda m: m.group("indent") + install_line(url, ref), source, count=1
    )


def first_code_cell(notebook) -> nbformat.NotebookNode:
    for cell in notebook.cells:
        if cell.cell_type == "code":
            return cell
    raise ValueError("no code cell")


def problem(notebook, url: str, ref: str) -> str | None:
    """Why the notebook's install line is not the pinned one, or None if it is."""
    try:
        source = first_code_cell(notebook).source
        wanted = pinned_source(source, url, ref)
    except ValueError as error:
        return str(error)
    if wanted != source:
        current = INSTALL_LINE.search(source).group().strip()
        return f"installs {current!r}, not {install_line(url, ref)!r}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; report")
    parser.add_argument("paths", nargs="*", type=Path, help="default: every notebook")
    args = parser.parse_args(argv)
    url, ref = repository_url(), release_ref()
    failures = 0
    for path in args.paths or notebooks():
        notebook = nbformat.read(path, as_version=4)
        why = problem(notebook, url, ref)
        if why is None:
            continue
        if args.check or why.startswith(("expected", "no code")):
            print(f"{path}: {why}", file=sys.stderr)
            failures += 1
            continue
        cell = first_code_cell(notebook)
        cell.source = pinned_source(cell.source, url, ref)
        nbformat.write(notebook, path)
        print(f"{path}: install line pinned to {ref}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
