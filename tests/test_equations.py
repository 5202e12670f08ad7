"""Model equations have one home: the package's ``EQUATIONS``, glued into every page showing them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from book_standards import load_notebook, notebook_markdown

from cart_autoimmunity import beta_cells, chapter, costs, kinetics

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "book").glob("*.ipynb")
)
#: Each glued equation, its one source, and the pages that show it.
HOMES = {
    "kinetics_equations": (kinetics.EQUATIONS, ["book/model_appendix.ipynb"]),
    "beta_cell_equations": (
        beta_cells.EQUATIONS,
        ["notebooks/07_damage.ipynb", "book/model_appendix.ipynb"],
    ),
    "cost_equations": (
        costs.EQUATIONS,
        ["notebooks/08_cost.ipynb", "book/model_appendix.ipynb"],
    ),
}


def display_maths(markdown: str) -> list[str]:
    """The ``$$ … $$`` blocks typed in a page's text."""
    return re.findall(r"\$\$(.*?)\$\$", markdown, re.S)


def left_sides(tex: str) -> set[str]:
    """The left-hand sides of the equations in a block (``C_\\text{auto}``, ``\\dot E``, …):
    rows split at ``\\\\`` and ``\\qquad``; a continued row (``&\\quad + …``) has none."""
    pieces = re.split(r"\\\\|\\qquad", tex)
    sides = (
        piece.split("=")[0].replace("&", "").strip() for piece in pieces if "=" in piece
    )
    return {side for side in sides if side}


def test_left_sides_reads_the_rows():
    block = r"a &= 1 \\ &\quad + 2 \\ \dot b &= 3, \qquad S = 4"
    assert left_sides(block) == {"a", r"\dot b", "S"}


@pytest.mark.parametrize("name", sorted(HOMES))
def test_pages_show_the_glued_equations_and_type_none_of_them(name):
    tex, pages = HOMES[name]
    sides = left_sides(tex)
    assert sides, name
    for path in PAGES:
        markdown = notebook_markdown(load_notebook(path))
        shown = f"```{{glue:md}} {name}\n" in markdown
        assert shown == (str(path.relative_to(ROOT)) in pages), (path.name, name)
        for block in display_maths(markdown):
            typed = sorted(sides & left_sides(block))
            assert not typed, f"{path.name} types {typed} of {name} again"


def test_glue_equations_glues_an_aligned_display(monkeypatch):
    glued = {}
    monkeypatch.setattr(
        "myst_nb.glue", lambda name, value, display: glued.update({name: value.data})
    )
    chapter.glue_equations(cost_equations=costs.EQUATIONS)
    assert glued["cost_equations"] == (
        f"$$\n\\begin{{aligned}}{costs.EQUATIONS}\\end{{aligned}}\n$$"
    )
    with pytest.raises(TypeError, match="cost_equations must be a string"):
        chapter.glue_equations(cost_equations=None)
