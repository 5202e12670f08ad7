"""Model equations have one home: the package's ``EQUATIONS``, glued into every page showing them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from book_standards import load_notebook, notebook_markdown

from cart_autoimmunity import beta_cells, chapter, costs, in_vivo, kinetics

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted(
    (ROOT / "book").glob("*.ipynb")
)
#: Each glued equation, its one source, and the pages that show it.
HOMES = {
    "kinetics_equations": (kinetics.EQUATIONS, ["book/model_appendix.ipynb"]),
    "in_vivo_equations": (in_vivo.EQUATIONS, ["book/model_appendix.ipynb"]),
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
    """The left-hand sides of the equations in a block (``C_auto``, ``\\dot E``, …), spelt
    alike however they were typed (``C_{auto}`` and ``C_\\text{auto}`` both give ``C_auto``):
    rows split at ``\\\\`` and ``\\qquad``; a continued row (``&\\quad + …``) has none."""
    tex = re.sub(r"\\(begin|end)\{aligned\}", " ", tex)
    pieces = re.split(r"\\\\|\\qquad", tex)
    sides = (piece.split("=")[0] for piece in pieces if "=" in piece)
    return {side for side in map(_spelt_alike, sides) if side}


def _spelt_alike(tex: str) -> str:
    tex = re.sub(r"\\(text|mathrm)\b", "", tex.replace("&", ""))
    return re.sub(r"[{}\s]", "", tex).replace("\\dot", "\\dot ")


def test_left_sides_reads_the_rows_however_they_are_typed():
    block = r"\begin{aligned} a &= 1 \\ &\quad + 2 \\ \dot b &= 3, \qquad S = 4 \end{aligned}"
    assert left_sides(block) == {"a", r"\dot b", "S"}
    assert (
        left_sides(r"C_{auto} = 1") == left_sides(r"C_\text{auto} &= 2") == {"C_auto"}
    )


def test_the_check_finds_the_old_appendix_cost_block():
    """The appendix typed the cost equations (and lost two terms of one) before they had
    one home: its old block is found."""
    old = r"""\begin{aligned}
C_{auto} &= \frac{C_{aph}}{1 - p_{fail}} + \frac{F}{P}\\
C_{inv} &= n\,(C_{dose} + C_{adm}) + C_{mon}
\end{aligned}"""
    assert left_sides(old) & left_sides(costs.EQUATIONS) == {"C_auto", "C_inv"}


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


def equation_symbols(tex: str) -> set[str]:
    """The symbols of a TeX block: ``X_\\text{...}`` names and single letters outside commands."""
    named = set(re.findall(r"[A-Za-z]_\\text\{[^}]*\}", tex))
    rest = re.sub(r"[A-Za-z]_\\text\{[^}]*\}|\\[A-Za-z]+", " ", tex)
    return named | set(re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", rest))


def test_equation_symbols_reads_names_and_letters():
    tex = r"C_\text{auto} &= \frac{F}{P_\text{allo}} + n\,(C_\text{dose}) \\ &\quad + N"
    assert equation_symbols(tex) == {
        r"C_\text{auto}",
        "F",
        r"P_\text{allo}",
        "n",
        r"C_\text{dose}",
        "N",
    }


def test_every_cost_symbol_is_a_parameter_the_tables_show():
    """Readers find each symbol of the cost equations beside its value in the parameter
    tables: every symbol but the three costs and n is a CostParameters field's symbol."""
    import dataclasses

    from cart_autoimmunity.parameters.costs import CostParameters

    fields = {f.metadata["symbol"] for f in dataclasses.fields(CostParameters)}
    totals = {r"C_\text{auto}", r"C_\text{allo}", r"C_\text{inv}", "n"}
    assert equation_symbols(costs.EQUATIONS) - totals == fields
