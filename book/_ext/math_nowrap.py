"""Inline maths stays on one line with the punctuation that touches it.

A browser may break a line between "(" and inline maths, or between the maths and the ")",
"," or "." after it (MathJax draws inline maths as an inline block), which leaves a
parenthesis alone at the end or the start of a line: "a marrow precursor chain (" then
"P₁ … Pₙ) and ..." on the next line. Every page has such places, most in the parameter tables
("Half-life (τ)"). After the doctrees are resolved, this extension wraps each inline maths
node, with the punctuation glued to it on either side, in ``<span class="math-nowrap">``
(``white-space: nowrap`` in ``book/_static/book.css``); the browser suite checks that no
parenthesis is left alone at 390 px.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

#: Punctuation that belongs to the maths right after it, or right before it.
OPENING = "([{“‘\"'"
CLOSING = ")]}.,;:!?”’\"'"
CLASS = "math-nowrap"


def _run(text: str, characters: str, from_end: bool) -> int:
    """Length of the run of ``characters`` at the end (or start) of ``text``."""
    chars = reversed(text) if from_end else iter(text)
    length = 0
    for char in chars:
        if char not in characters:
            break
        length += 1
    return length


def wrap_inline_maths(document: nodes.Node) -> int:
    """Wrap every inline maths node of ``document`` and its touching punctuation in an
    ``inline`` node of class :data:`CLASS`; return how many were wrapped."""
    wrapped = 0
    for math in list(document.findall(nodes.math)):
        parent = math.parent
        if (
            parent is None
            or isinstance(parent, nodes.inline)
            and CLASS in parent["classes"]
        ):
            continue
        index = parent.index(math)
        before = parent[index - 1] if index > 0 else None
        after = parent[index + 1] if index + 1 < len(parent) else None
        lead = (
            _run(before.astext(), OPENING, True)
            if isinstance(before, nodes.Text)
            else 0
        )
        tail = (
            _run(after.astext(), CLOSING, False) if isinstance(after, nodes.Text) else 0
        )
        if not (lead or tail):
            continue
        box = nodes.inline(classes=[CLASS])
        if lead:
            text = before.astext()
            parent.replace(before, nodes.Text(text[:-lead]))
            box += nodes.Text(text[-lead:])
        parent.replace(math, box)
        box += math
        if tail:
            text = after.astext()
            parent.replace(after, nodes.Text(text[tail:]))
            box += nodes.Text(text[:tail])
        wrapped += 1
    return wrapped


class MathNoWrap(SphinxPostTransform):
    """Apply :func:`wrap_inline_maths` to each page before it is written."""

    default_priority = 900

    def run(self, **kwargs) -> None:
        wrap_inline_maths(self.document)


def setup(app):
    app.add_post_transform(MathNoWrap)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
