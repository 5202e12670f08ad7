"""Re-run every notebook with tenfold tighter solver tolerances; no text may change.

Usage: python scripts/perturbation_check.py [--scale 0.1] [--jobs 2] [--keep DIR] [NB..]
(``make perturb``; with no NB, every notebooks/*.ipynb and book/*.ipynb).

The book promises that its stored outputs show only converged digits, so that they do
not depend on numerical noise (CPU, BLAS build, solver step choices). This check is the
proof: it copies the notebooks to a temporary folder (the stored notebooks are never
written), re-executes each copy in a fresh ``python3`` kernel of this interpreter, with
the notebook's folder in the repository as working directory (so relative paths still
work) and ``CART_TOLERANCE_SCALE`` (see ``cart_autoimmunity.numerics``) set in the
kernel's environment, then compares every text output with the stored one:
``text/plain``, ``text/markdown``, ``text/html``, stream text and glued values
(``application/papermill.record/*``, images excepted), after the sanitising rules of
tests/sanitize.cfg, applied as nbval applies them. It prints a summary per notebook and
exits with 1 on any mismatch or failed execution.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbval.plugin import coalesce_streams, get_sanitize_patterns

REPO = Path(__file__).resolve().parents[1]
SANITIZE_CFG = REPO / "tests" / "sanitize.cfg"
SCALE_VARIABLE = "CART_TOLERANCE_SCALE"  # cart_autoimmunity.numerics.SCALE_VARIABLE
TEXT_TYPES = ("text/plain", "text/markdown", "text/html")
RECORD = "application/papermill.record/"
# Cells that nbval does not compare either (tag or first-line comment).
SKIP_MARKERS = ("nbval-skip", "nbval-ignore-output")
CELL_TIMEOUT = 600  # seconds; generous, the machine may be shared
DIFF_LINES = 12


@dataclass
class Result:
    notebook: str
    seconds: float = 0.0
    cells: int = 0  # code cells whose outputs were compared
    outputs: int = 0  # output items compared
    mismatches: list[str] = field(default_factory=list)  # one short diff per cell
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.mismatches and not self.error


def sanitize_patterns() -> list[tuple[str, str]]:
    if not SANITIZE_CFG.exists():
        return []
    return get_sanitize_patterns(SANITIZE_CFG.read_text())


def skipped(cell) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []))
    first = cell.source.lstrip().splitlines()[:1]
    comment = first[0].strip().lower().replace("_", "-") if first else ""
    return bool(tags & set(SKIP_MARKERS)) or comment in {f"# {m}" for m in SKIP_MARKERS}


def compared_mime(key: str) -> bool:
    if key in TEXT_TYPES:
        return True
    return key.startswith(RECORD) and not key[len(RECORD) :].startswith("image/")


def text_items(outputs, patterns) -> list[str]:
    """A cell's compared outputs as ``kind: text`` strings, sanitised like nbval."""

    def clean(value) -> str:
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    items = []
    for output in coalesce_streams(copy.deepcopy(list(outputs))):
        kind = output.get("output_type")
        if kind == "stream":
            text = clean(output.get("text", ""))
            items.append(f"stream/{output.get('name')}: {text}")
        elif kind in ("execute_result", "display_data"):
            data = output.get("data", {})
            glued = output.get("metadata", {}).get("scrapbook", {}).get("name")
            for key in sorted(data):
                if compared_mime(key):
                    label = f"glue {glued!r} {key[len(RECORD) :]}" if glued else key
                    items.append(f"{label}: {clean(data[key])}")
        elif kind == "error":
            items.append(f"error: {output.get('ename')}: {output.get('evalue')}")
    return items


def short_diff(stored: list[str], new: list[str]) -> str:
    lines = list(
        difflib.unified_diff(
            "\n".join(stored).splitlines(),
            "\n".join(new).splitlines(),
            "stored",
            f"{SCALE_VARIABLE} run",
            n=0,
            lineterm="",
        )
    )[2:]
    lines = [line if len(line) <= 160 else line[:157] + "..." for line in lines]
    if len(lines) > DIFF_LINES:
        more = len(lines) - DIFF_LINES
        lines = lines[:DIFF_LINES] + [f"... ({more} more diff lines)"]
    return "\n".join(lines)


def check(rel: str, copy_path: str, scale: str, keep: str | None) -> Result:
    """Execute the copy of ``rel`` with the scale set; compare with stored outputs."""
    result = Result(rel)
    stored = nbformat.read(copy_path, as_version=4)
    notebook = copy.deepcopy(stored)
    bindir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        SCALE_VARIABLE: scale,
        "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
    }
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str((REPO / rel).parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute(env=env)
    except Exception as error:  # noqa: BLE001 - report it and carry on with the others
        result.error = f"{type(error).__name__}: {str(error).strip()[-1500:]}"
    result.seconds = time.perf_counter() - start
    if keep:
        nbformat.write(notebook, Path(keep) / rel)
    if result.error:
        return result
    patterns = sanitize_patterns()
    for index, (old, new) in enumerate(zip(stored.cells, notebook.cells)):
        if old.cell_type != "code" or skipped(old):
            continue
        before = text_items(old.get("outputs", []), patterns)
        after = text_items(new.get("outputs", []), patterns)
        result.cells += 1
        result.outputs += len(before)
        if before != after:
            result.mismatches.append(f"cell {index}:\n{short_diff(before, after)}")
    return result


def notebooks(names: list[str]) -> list[str]:
    if names:
        paths = [Path(name).resolve() for name in names]
    else:
        paths = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted(
            (REPO / "book").glob("*.ipynb")
        )
    return [str(path.relative_to(REPO)) for path in paths]


def positive(raw: str) -> str:
    try:
        ok = float(raw) > 0 and float(raw) != float("inf")
    except ValueError:
        ok = False
    if not ok:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {raw!r}")
    return raw


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks (default: all)")
    parser.add_argument(
        "--scale",
        type=positive,
        default="0.1",
        help=f"{SCALE_VARIABLE} for the re-run (default 0.1)",
    )
    parser.add_argument(
        "--jobs", type=int, default=2, help="notebooks run in parallel (default 2)"
    )
    parser.add_argument("--keep", help="also write the re-executed copies here")
    args = parser.parse_args(argv)

    names = notebooks(args.notebooks)
    if not names:
        print("no notebooks found")
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="perturb-") as tmp:
        copies = []
        for rel in names:  # snapshot first: later edits of the tree do not matter
            target = Path(tmp) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(REPO / rel, target)
            copies.append(str(target))
            if args.keep:
                (Path(args.keep) / rel).parent.mkdir(parents=True, exist_ok=True)
        print(
            f"re-executing {len(names)} notebooks with {SCALE_VARIABLE}={args.scale} "
            f"on {args.jobs} processes",
            flush=True,
        )
        with ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [
                pool.submit(check, rel, path, args.scale, args.keep)
                for rel, path in zip(names, copies)
            ]
            results = []
            for future in futures:
                result = future.result()
                results.append(result)
                status = "FAILED" if result.error else "MISMATCH"
                status = "ok" if result.ok else status
                print(
                    f"{status:8} {result.notebook}: {result.cells} cells, "
                    f"{result.outputs} outputs compared, {len(result.mismatches)} "
                    f"mismatching cells ({result.seconds:.0f} s)",
                    flush=True,
                )
                for mismatch in result.mismatches:
                    print("    " + mismatch.replace("\n", "\n    "))
                if result.error:
                    print("    " + result.error.replace("\n", "\n    "))
    bad = [r for r in results if not r.ok]
    cells = sum(len(r.mismatches) for r in results)
    print(
        f"\n{len(results) - len(bad)}/{len(results)} notebooks unchanged with "
        f"{SCALE_VARIABLE}={args.scale}; {cells} mismatching cells in {len(bad)} "
        f"notebooks; {time.perf_counter() - started:.0f} s"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
