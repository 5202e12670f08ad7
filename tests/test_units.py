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


#: Day counts that are several 365-day years on purpose, by file: the text calls them days.
#: antibodies.reseeding_runs' horizon is "730 days" in chapter 6's figure and prose, and
#: the chapter's RESEEDING_DAYS is the same horizon.
DAY_COUNTS = {
    "antibodies.py": [730.0],
    "chapters/ch06_immune_reset.py": [730.0],
}


def year_conversions(source: str) -> list[tuple[int, float]]:
    """(line, value) where ``source`` types years as 365-day multiples: a whole number of
    365-day years next to ``*``, ``/``, ``*=`` or ``/=`` (a conversion), or a literal of two or
    more such years anywhere (3650 as "ten years")."""
    tokens = [
        token
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT)
    ]
    operators = {"*", "/", "*=", "/="}
    found = []
    for before, token, after in zip(tokens, tokens[1:], tokens[2:]):
        if token.type != tokenize.NUMBER or "j" in token.string.lower():
            continue
        value = float(
            int(token.string, 0)
            if token.string[:2].lower() in ("0x", "0o", "0b")
            else token.string
        )
        if value <= 0 or value % 365:
            continue
        if value >= 730 or operators & {before.string, after.string}:
            found.append((token.start[0], value))
    return found


def test_year_conversions_finds_years_typed_as_365_days():
    source = (
        "a = 11 * 365.0\nb = days / 365\nc = 365.0  # day 365, a time point\n"
        "d = 3650.0\ne = 0x10\nf = 2j\ng = 1.5\nh = 365\nh /= 365\n"
    )
    assert year_conversions(source) == [(1, 365.0), (2, 365.0), (4, 3650.0), (9, 365.0)]


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


def test_no_year_is_typed_as_365_days():
    """Day 365 may be a time point (trials report at day 365); a conversion between years
    and days, or a span of years, uses DAYS_PER_YEAR (only DAY_COUNTS are days on purpose)."""
    typed = {
        str(path.relative_to(PACKAGE)): [value for _, value in found]
        for path in sorted(PACKAGE.rglob("*.py"))
        if (found := year_conversions(path.read_text(encoding="utf-8")))
    }
    assert typed == DAY_COUNTS
