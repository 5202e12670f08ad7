"""book/_ext/math_nowrap.py: inline maths is wrapped with the punctuation touching it.

The browser suite measures the result on the real book at 1280 and 390 px
(`test_no_parenthesis_is_left_alone_at_a_line_break`); these tests pin the rule on small
doctrees."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from docutils import nodes

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "math_nowrap", REPO / "book" / "_ext" / "math_nowrap.py"
)
math_nowrap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(math_nowrap)


def paragraph(*parts) -> nodes.paragraph:
    """A paragraph of text (str) and inline maths (nodes.math)."""
    para = nodes.paragraph()
    for part in parts:
        para += nodes.Text(part) if isinstance(part, str) else part
    return para


def shape(node: nodes.Node) -> list:
    """The paragraph as text, with each wrapper as a list of its parts."""
    out = []
    for child in node.children:
        if isinstance(child, nodes.inline):
            out.append([shape_part(c) for c in child.children])
        else:
            out.append(shape_part(child))
    return out


def shape_part(node: nodes.Node) -> str:
    return f"${node.astext()}$" if isinstance(node, nodes.math) else node.astext()


def test_a_parenthesis_and_what_follows_the_maths_go_with_it():
    para = paragraph("a chain (", nodes.math(text="P_1"), "). Then")
    assert math_nowrap.wrap_inline_maths(para) == 1
    assert shape(para) == ["a chain ", ["(", "$P_1$", ")."], " Then"]
    wrapper = para[1]
    assert wrapper["classes"] == [math_nowrap.CLASS]


def test_maths_with_spaces_around_it_is_left_as_it_is():
    para = paragraph("a hazard ", nodes.math(text="h"), " per cell")
    assert math_nowrap.wrap_inline_maths(para) == 0
    assert shape(para) == ["a hazard ", "$h$", " per cell"]


def test_each_maths_gets_its_own_wrapper_once():
    para = paragraph("(", nodes.math(text="E"), ") and (", nodes.math(text="M"), "),")
    assert math_nowrap.wrap_inline_maths(para) == 2
    assert shape(para) == ["", ["(", "$E$", ")"], " and ", ["(", "$M$", "),"], ""]
    assert math_nowrap.wrap_inline_maths(para) == 0  # a second pass changes nothing
