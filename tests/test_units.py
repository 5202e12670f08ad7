"""Unit constants have one home (cart_autoimmunity/units.py)."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

import cart_autoimmunity
from cart_autoimmunity import units

PACKAGE = Path(cart_autoimmunity.__file__).parent


def number_literals(source: str, value: float) -> list[int]:
    """Line numbers where ``source`` types the number ``value`` as code (not in text)."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [
        token.start[0]
        for token in tokens
        if token.type == tokenize.NUMBER and float(token.string) == value
    ]


def test_number_literals_finds_code_not_text():
    source = 'x = 365.25 * 2\n"""365.25 in a docstring"""\n# 365.25 in a comment\n'
    assert number_literals(source, 365.25) == [1]


def test_the_days_in_a_year_are_typed_once_in_the_package():
    typed = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := number_literals(path.read_text(encoding="utf-8"), 365.25))
    }
    assert typed == {"units.py": [7]}
    assert units.DAYS_PER_YEAR == 365.25
