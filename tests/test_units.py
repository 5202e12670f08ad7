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


def year_conversions(source: str) -> list[int]:
    """Line numbers where ``source`` turns years into days (or back) with a typed 365:
    a whole number of 365-day years next to ``*`` or ``/``."""
    tokens = [
        token
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    ]
    found = []
    for before, token, after in zip(tokens, tokens[1:], tokens[2:]):
        if token.type == tokenize.NUMBER and float(token.string) % 365 == 0:
            if float(token.string) > 0 and {"*", "/"} & {before.string, after.string}:
                found.append(token.start[0])
    return found


def test_year_conversions_finds_years_typed_as_365_days():
    source = "a = 11 * 365.0\nb = days / 365\nc = 365.0  # one year of follow-up\n"
    assert year_conversions(source) == [1, 2]


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


def test_no_year_is_converted_with_a_typed_365():
    """Day 365 may be a time point (trials report at day 365); a conversion between years
    and days uses DAYS_PER_YEAR."""
    typed = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := year_conversions(path.read_text(encoding="utf-8")))
    }
    assert typed == {}
