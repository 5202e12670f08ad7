"""Benchmark the book: build, tests, notebooks, model speed and page weight (`make bench`).

Measures what a maintainer meets: each part runs in a fresh clone of the repository
(`git clone` of HEAD into benchmarks/_work, so no _build, no caches, no untracked files; its
.venv and .venv-lean are links to the main ones, brought up to date first, so nothing is
installed during a measurement; making the lean environment from scratch is measured on its
own row). The builds run in one clone; every
stage of `make test` (read from the Makefile's `test` recipe, run in the same order) in a
second one, from fresh. The real _build is never touched. Writes benchmarks/results.md: each
figure with the previous run's beside it, its target and whether it is met, the core count and
the date; and prints it. A benchmark, not a test: it reports, it does not fail on a miss.

Environment variables:
  BENCH_FROM=worktree     copy the working tree (uncommitted changes too) instead of cloning
  BENCH_SKIP_MAKE_TEST=1  skip the `make test` stages (the longest part)
  BENCH_SKIP=a,b          skip parts by name: cold, warm, edit, perturb, lean, notebooks,
                          make_test, cohort, weight
  BENCH_REPEAT=3          runs per short measurement (the median is reported)
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "benchmarks" / "_work"
RESULTS = REPO / "benchmarks" / "results.md"
VENV = REPO / ".venv"
LEAN = REPO / ".venv-lean"
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
if os.environ.get("BENCH_SKIP_MAKE_TEST"):
    SKIP.add("make_test")
COPY_IGNORE = shutil.ignore_patterns(
    ".venv",
    ".venv-lean",
    "_build",
    ".git",
    "_work",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ipynb_checkpoints",
)


@dataclass
class Row:
    what: str
    value: float | None  # seconds, or bytes for page weight, or patients/s
    unit: str
    target: float | None
    note: str = ""
    higher_is_better: bool = False
    previous: str = "–"  # this row's result in the previous results.md

    def met(self) -> str:
        if self.value is None or self.target is None:
            return "n/a"
        ok = (
            self.value >= self.target
            if self.higher_is_better
            else self.value <= self.target
        )
        return "yes" if ok else "**no**"

    def cells(self) -> list[str]:
        def fmt(v):
            if v is None:
                return "not measured"
            if self.unit == "B":
                return f"{v / 1e6:.2f} MB"
            if self.unit == "patients/s":
                return f"{v:,.0f} patients/s"
            return f"{v:.1f} s"

        sign = "≥" if self.higher_is_better else "≤"
        target = "" if self.target is None else f"{sign} {fmt(self.target)}"
        return [
            self.what,
            fmt(self.value),
            self.previous,
            target,
            self.met(),
            self.note,
        ]


def previous_results(path: Path = RESULTS) -> dict[str, str]:
    """measurement -> result, from the first table of the last results.md."""
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if (
            len(cells) >= 3
            and cells[0] not in ("measurement", "page")
            and not set(cells[0]) <= {"-", " "}
        ):
            found.setdefault(cells[0], cells[1])
        if line.startswith("## "):
            break
    return found


# Rows keep the label they had in earlier results, so that `previous` finds them.
STAGE_LABELS = {"notebooks": "Notebook suite: `make notebooks` (nbval, 2 workers)"}


def pytest_summary(output: str) -> str:
    """The pytest result lines of a make run ("114 passed in 27.9s; 6 passed in 1.4s"),
    not make's last words ("make[1]: Leaving directory ...", printed under `make bench`)."""
    lines = [
        line.strip("= ")
        for line in output.splitlines()
        if re.search(r"\b\d+ (passed|failed|error)", line)
    ]
    return "; ".join(lines) or "no pytest summary"


def load_note(before: float, after: float, cores: int) -> str:
    """The load sentence of the results: whether other work was running at the start (the
    load at the end also counts the bench's own last stage, the browser suite)."""
    start = (
        "other work was running when the bench started, so the times are longer than a "
        "maintainer's"
        if before > cores
        else "the machine was otherwise idle when the bench started"
    )
    return (
        f"Load average (1 min) at the start {before:.1f}, at the end {after:.1f} "
        f"({cores} cores): {start}; the figure at the end includes the bench's own runs."
    )


def log(message: str) -> None:
    print(f"[bench] {message}", flush=True)


def run(cmd: list[str] | str, cwd: Path = WORK, check: bool = True) -> float:
    """Run a command, return its wall time in seconds; raise with its output if it fails."""
    start = time.perf_counter()
    result = subprocess.run(
        cmd, cwd=cwd, shell=isinstance(cmd, str), capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if check and result.returncode != 0:
        tail = (result.stdout + result.stderr)[-3000:]
        raise RuntimeError(f"{cmd} failed ({result.returncode}):\n{tail}")
    return elapsed


def median_of(fn, n: int = REPEAT) -> float:
    return statistics.median(fn() for _ in range(n))


def make_copy() -> None:
    """A fresh clone of HEAD (or, with BENCH_FROM=worktree, a copy of the working tree),
    sharing the main .venv and .venv-lean (so `make` installs nothing)."""
    if WORK.exists():
        shutil.rmtree(WORK)
    if os.environ.get("BENCH_FROM") == "worktree":
        shutil.copytree(REPO, WORK, ignore=COPY_IGNORE, symlinks=True)
    else:
        run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(WORK)], REPO)
    (WORK / ".venv").symlink_to(VENV)
    # the main lean environment, brought up to date with this copy's package (usually a no-op)
    run(
        [str(VENV / "bin" / "python"), "scripts/lean_env.py", "--prefix", str(LEAN)],
        WORK,
    )
    (WORK / ".venv-lean").symlink_to(LEAN)
    # make re-installs when requirements.txt or pyproject.toml is newer than the venv's
    # stamp, and a clone's files are new: date them back, or the shared venv's editable
    # install would point at the clone (and break once the clone is removed).
    stamps = list(VENV.glob(".installed-*"))
    if stamps:
        before = min(stamp.stat().st_mtime for stamp in stamps) - 1
        for name in ("requirements.txt", "pyproject.toml"):
            os.utime(WORK / name, (before, before))


def test_stages(makefile: Path = REPO / "Makefile") -> list[str]:
    """The targets `make test` runs, in order (its `$(MAKE) target` lines)."""
    recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile.read_text(), re.M)
    assert recipe, "no test target in the Makefile"
    return re.findall(r"^\t\$\(MAKE\) ([a-z-]+)\s*$", recipe.group(1), re.M)


def notebooks() -> list[Path]:
    return sorted((WORK / "notebooks").glob("*.ipynb")) + sorted(
        (WORK / "book").glob("*.ipynb")
    )


def edit_markdown(notebook: Path, counter: int) -> None:
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "markdown")
    cell.source += (
        f"\n\nA sentence added by the benchmark (edit {'I' * (counter + 1)})."
    )
    nbformat.write(nb, notebook)


def execute_seconds(notebook: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start


def cohort_throughput() -> tuple[float | None, str]:
    try:
        from cart_autoimmunity import cohort
    except ImportError as error:
        return None, f"cart_autoimmunity.cohort not importable ({error})"
    simulate = getattr(cohort, "simulate_cohort", None)
    if simulate is None:
        return None, "cart_autoimmunity.cohort has no simulate_cohort"
    simulate(n_patients=50)  # warm up imports and caches

    def once() -> float:
        start = time.perf_counter()
        simulate(n_patients=1000)
        return time.perf_counter() - start

    seconds = median_of(once)
    return (
        1000 / seconds,
        f"simulate_cohort(n_patients=1000): {seconds:.2f} s (median of {REPEAT})",
    )


def page_weights(html: Path) -> dict[str, int]:
    """gzip-compressed bytes of every TOC page with everything it loads, via headless Chromium."""
    sys.path.insert(0, str(REPO / "tests" / "browser"))
    from browser_checks import CHROMIUM, CHROMIUM_ARGS, Server, toc_pages, visit
    from playwright.sync_api import sync_playwright

    weights = {}
    with Server(html) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        for page in toc_pages(REPO):
            weights[page] = visit(browser, html, server.url + page).gzip_bytes
        browser.close()
    return weights


def source() -> str:
    if os.environ.get("BENCH_FROM") == "worktree":
        return "copy of the working tree"
    return f"clone of {git_head()}"


def git_head() -> str:
    result = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() or "HEAD"


def main() -> int:
    rows: list[Row] = []
    details: list[str] = []
    previous = previous_results()
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    log(f"a fresh clone in {WORK}")
    make_copy()

    def measure(
        name: str, label: str, target: float | None, fn, unit: str = "s"
    ) -> None:
        if name in SKIP:
            rows.append(Row(label, None, unit, target, "skipped"))
            return
        log(label)
        try:
            value, note = fn()
        except Exception as error:  # noqa: BLE001 - a benchmark reports, it carries on
            value, note = None, f"failed: {str(error).splitlines()[0][:200]}"
            details.append(f"### {label} failed\n\n```\n{error}\n```\n")
        rows.append(Row(label, value, unit, target, note))
        log(f"  -> {rows[-1].cells()[1]} {note}")

    measure(
        "cold",
        "Cold build (`_build` removed, env installed): `make book`",
        15,
        lambda: (run("make book"), "one run"),
    )
    measure(
        "warm",
        "Warm rebuild, nothing changed: `make book`",
        3,
        lambda: (median_of(lambda: run("make book")), f"median of {REPEAT}"),
    )

    first = notebooks()[0] if notebooks() else None

    def edit_rebuild():
        assert first is not None, "no notebook to edit"
        times, original = [], first.read_bytes()
        for i in range(REPEAT):
            edit_markdown(first, i)
            times.append(run("make book"))
        first.write_bytes(original)
        return statistics.median(
            times
        ), f"{first.name}, markdown edited; median of {REPEAT}"

    measure("edit", "Rebuild after editing one notebook's markdown", 5, edit_rebuild)

    def perturb():
        start = time.perf_counter()
        result = subprocess.run(
            "make perturb", cwd=WORK, shell=True, capture_output=True, text=True
        )
        elapsed = time.perf_counter() - start
        summary = pytest_summary(result.stdout)
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-3000:]
            details.append(f"### `make perturb` found changes\n\n```\n{tail}\n```\n")
            return elapsed, f"**failed** (exit {result.returncode}): {summary}"
        return elapsed, f"passed: {summary}"

    measure(
        "perturb",
        "Perturbation check: `make perturb` (tolerances 10x tighter)",
        45,
        perturb,
    )

    def lean_from_scratch():
        prefix = WORK / "_lean_from_scratch"
        seconds = run(
            [
                str(VENV / "bin" / "python"),
                "scripts/lean_env.py",
                "--prefix",
                str(prefix),
            ]
        )
        shutil.rmtree(prefix)
        return seconds, "one run; set-up, like .venv, so not in the `make test` stages"

    measure(
        "lean",
        "Lean environment from scratch: `scripts/lean_env.py` (pip, from its cache)",
        None,
        lean_from_scratch,
    )

    if "notebooks" in SKIP:
        rows.append(Row("Each notebook's execution", None, "s", 6, "skipped"))
    else:
        per_notebook = {}
        for notebook in notebooks():
            log(f"executing {notebook.name}")
            try:
                per_notebook[notebook.name] = median_of(
                    lambda notebook=notebook: execute_seconds(notebook)
                )
            except Exception as error:  # noqa: BLE001
                per_notebook[notebook.name] = None
                details.append(
                    f"### {notebook.name} failed to execute\n\n```\n{error}\n```\n"
                )
        for name, seconds in per_notebook.items():
            rows.append(
                Row(
                    f"Execute `{name}` (fresh kernel)",
                    seconds,
                    "s",
                    6,
                    f"median of {REPEAT}" if seconds is not None else "failed",
                )
            )

    # `make test` as a maintainer meets it: a second fresh clone, its stages in order.
    stage_targets = {
        "lint": None,
        "unit": 30,
        "notebooks": 45,
        "book": 15,
        "browser": 60,
    }
    if "make_test" in SKIP:
        rows.append(Row("Everything: `make test`", None, "s", 150, "skipped"))
    else:
        log("make test, stage by stage, in a fresh clone")
        make_copy()
        stage_rows, total, failed = [], 0.0, ""
        for stage in test_stages():
            label = STAGE_LABELS.get(stage, f"`make test` stage: `make {stage}`")
            log(label)
            start = time.perf_counter()
            result = subprocess.run(
                ["make", stage], cwd=WORK, capture_output=True, text=True
            )
            seconds = time.perf_counter() - start
            total += seconds
            note = "passed" if result.returncode == 0 else "**failed**"
            if result.returncode != 0:
                failed = failed or stage
                tail = (result.stdout + result.stderr)[-3000:]
                details.append(f"### `make {stage}` failed\n\n```\n{tail}\n```\n")
            stage_rows.append(Row(label, seconds, "s", stage_targets.get(stage), note))
            log(f"  -> {seconds:.1f} s {note}")
        note = "sum of its stages, run in order from a fresh clone"
        if failed:
            note += f"; **`make {failed}` failed**"
        rows.append(Row("Everything: `make test`", total, "s", 150, note))
        rows.extend(stage_rows)

    if "cohort" in SKIP:
        rows.append(
            Row(
                "Model throughput, kinetics cohort",
                None,
                "patients/s",
                500,
                "skipped",
                higher_is_better=True,
            )
        )
    else:
        log("cohort throughput")
        value, note = cohort_throughput()
        rows.append(
            Row(
                "Model throughput, kinetics cohort (1,000 patients in ≤ 2 s)",
                value,
                "patients/s",
                500,
                note,
                higher_is_better=True,
            )
        )

    weights: dict[str, int] = {}
    if "weight" not in SKIP:
        html = WORK / "_build" / "html"
        try:
            if not (html / "index.html").is_file():
                run("make book")
            log("page weights (headless Chromium)")
            weights = page_weights(html)
        except Exception as error:  # noqa: BLE001
            details.append(f"### Page weight failed\n\n```\n{error}\n```\n")
    heaviest = max(weights.items(), key=lambda kv: kv[1]) if weights else None
    rows.append(
        Row(
            "Heaviest page, gzip-compressed with everything it loads",
            heaviest[1] if heaviest else None,
            "B",
            1_000_000,
            heaviest[0] if heaviest else ("skipped" if "weight" in SKIP else "failed"),
        )
    )

    for row in rows:
        row.previous = previous.get(row.what, "–")
    lines = [
        "# Benchmarks",
        "",
        f"Measured {started:%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores "
        f"({platform.machine()}, {platform.system()}, Python {platform.python_version()}) "
        f"by `make bench` (`benchmarks/run.py`), in a fresh {source()} with no cache.",
        "Short measurements are the median of several runs; `previous` is the result of "
        "the run before. A benchmark, not a test.",
        load_note(load_before, os.getloadavg()[0], os.cpu_count() or 1),
        "",
        "| measurement | result | previous | target | met | note |",
        "| --- | --- | --- | --- | --- | --- |",
        *("| " + " | ".join(row.cells()) + " |" for row in rows),
    ]
    if weights:
        lines += [
            "",
            "## Page weight",
            "",
            "Every page of the TOC, gzip-compressed, with every file it loads (HTML, CSS, "
            "scripts, fonts, figures).",
            "",
            "| page | gzip |",
            "| --- | --- |",
        ]
        lines += [f"| {page} | {size / 1e6:.2f} MB |" for page, size in weights.items()]
    if details:
        lines += ["", "## Failures", "", *details]
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
