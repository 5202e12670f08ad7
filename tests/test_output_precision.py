"""Stored outputs show only converged digits (issue #12), so nbval passes on any processor.

Every glued number and every number in a stored text output (printouts, tables, glued
values) may carry at most ``SIGNIFICANT_FIGURES`` significant figures. Differences between
CPUs, BLAS kernels and a tenfold change of the solver tolerances (``make perturb``) stay far
below that precision.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cart_autoimmunity.chapter import (
    SIGNIFICANT_FIGURES,
    converged,
    over_precise_numbers,
    significant_figures,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "book").glob("*.ipynb")
)
FIXTURES = ROOT / "tests" / "fixtures" / "precision"
#: Output types whose text nbval compares (images and widget state are not compared).
TEXT_TYPES = ("text/plain", "text/markdown", "text/html", "text/latex")


def stored_texts(path: Path) -> list[tuple[str, str]]:
    """(where, text) for every glued value and compared text output of a stored notebook."""
    found = []
    cells = json.loads(path.read_text())["cells"]
    for index, cell in enumerate(cells):
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            where = f"{path.name} cell {index}"
            if output.get("output_type") == "stream":
                found.append((where, "".join(output["text"])))
            data = output.get("data", {})
            for mime, value in data.items():
                text = "".join(value) if isinstance(value, list) else str(value)
                if mime.startswith("application/papermill.record/"):
                    name = (
                        output.get("metadata", {}).get("scrapbook", {}).get("name", "?")
                    )
                    found.append((f"{where}, glued {name!r}", text))
                elif mime in TEXT_TYPES and not (
                    "image/png" in data and mime == "text/plain"
                ):
                    found.append((f"{where} {mime}", text))
    return found


def too_precise(path: Path) -> list[str]:
    return [
        f"{where}: {', '.join(numbers[:5])}"
        for where, text in stored_texts(path)
        if (numbers := over_precise_numbers(text))
    ]


# --- the rule and the checker ------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "figures"),
    [
        ("95.39", 4),
        ("0.3333", 4),
        ("1,200", 2),
        ("1000000.0", 1),
        ("0.50", 2),
        ("-12.5", 3),
        ("6.721e-10", 4),
        ("0.3333333333333333", 16),
        ("2024", 4),
        ("7", 1),
    ],
)
def test_significant_figures_are_counted_as_written(token, figures):
    assert significant_figures(token) == figures


def test_converged_rounds_floats_and_keeps_counts():
    assert converged(95.39015929) == 95.39
    assert converged(611.0735097088052) == 611.1
    assert converged(1234567.0) == 1235000.0
    assert converged(15) == 15 and isinstance(converged(15), int)
    assert converged(True) is True
    with pytest.raises(ValueError, match="finite"):
        converged(float("nan"))
    with pytest.raises(ValueError, match="plain number"):
        converged("3")


def test_names_and_years_are_not_numbers():
    assert (
        over_precise_numbers("CD19 CAR T, mackensen2022, IL-6, 2024-05-01, fig-4-1")
        == []
    )
    assert over_precise_numbers("a mean of 95.39015929 days") == ["95.39015929"]
    assert over_precise_numbers("22,009,375 people counted") == []
    assert over_precise_numbers("12345.6 USD") == ["12345.6"]


def test_a_notebook_that_glues_one_third_unrounded_is_rejected():
    assert too_precise(FIXTURES / "glue_third_unrounded.ipynb") == [
        "glue_third_unrounded.ipynb cell 1, glued 'third': 0.3333333333333333"
    ]


def test_a_printed_float_at_full_precision_is_rejected():
    assert too_precise(FIXTURES / "table_too_precise.ipynb")


def test_the_books_glue_passes():
    assert too_precise(FIXTURES / "glue_third_rounded.ipynb") == []


# --- the book ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_stored_outputs_carry_only_converged_digits(path):
    problems = too_precise(path)
    assert not problems, (
        f"more than {SIGNIFICANT_FIGURES} significant figures:\n" + "\n".join(problems)
    )
