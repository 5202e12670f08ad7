"""Checks of the book's own standards, shared by the notebook and page tests.

The prose-number rule: every sentence of prose that states a number must either glue it from
the notebook's code (``{glue:text}`` / ``{glue:}``) or cite its source (``{cite:p}`` /
``{cite:t}``). Digits that are part of a name (CD19, IL-6, IgG1, SLEDAI-2K) and four-digit
years are not numbers in this sense.
"""

from __future__ import annotations

import re

#: Roles that make a sentence's numbers accountable.
ACCOUNTABLE_ROLE = re.compile(r"\{(glue|glue:text|glue:any|glue:md|cite|cite:p|cite:t|cite:ps|cite:ts)\}`[^`]*`")
ANY_ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")
#: Phrases where a digit names a category rather than states a quantity.
CATEGORY_PHRASES = re.compile(
    r"\btype [12] diabetes\b|\bgrades? (?:[≥≤<>]=?\s?)?[1-5](?:\s?(?:[-–/]|to|or|and)\s?[1-5])*\b|\b4-1BB\b",
    re.IGNORECASE,
)
YEAR = re.compile(r"^(19|20)\d\d$")


def _strip_markup(text: str) -> str:
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$\n]+\$", " ", text)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)  # fenced code and directives
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith((":::", "```", ":class:", ":name:", ":gutter:", ":label:")):
            continue
        if re.match(r"^:[a-z-]+:", stripped):  # directive options
            continue
        lines.append(line)
    text = "\n".join(lines)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"https?://\S+", " ", text)
    return text


def prose_units(markdown: str) -> list[str]:
    """Sentences (and table rows) of the prose, with code, math and link targets removed."""
    text = _strip_markup(markdown)
    units: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            joined = " ".join(paragraph)
            units.extend(s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(\[{*_])", joined) if s.strip())
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif stripped.startswith("|") or stripped.startswith("#") or re.match(r"^([-*+]|\d+\.)\s", stripped):
            flush()
            units.append(re.sub(r"^(\d+\.|[-*+])\s+", "", stripped))
        else:
            paragraph.append(stripped)
    flush()
    return units


def unaccounted_numbers(unit: str) -> list[str]:
    """Number tokens in one sentence that are neither glued, cited, names nor years."""
    if ACCOUNTABLE_ROLE.search(unit):
        return []
    text = ANY_ROLE.sub(" ", unit)
    text = re.sub(r"`[^`]*`", " ", text)
    text = CATEGORY_PHRASES.sub(" ", text)
    numbers = []
    for token in re.split(r"[\s,;:()\[\]{}\"'“”‘’*_/]+", text):
        token = token.strip(".!?")
        if not token or not token[0].isdigit():
            continue  # names such as CD19 or IL-6 start with a letter
        if YEAR.match(token):
            continue
        numbers.append(token)
    return numbers


def number_violations(markdown: str) -> list[str]:
    """Sentences that state a number without a glue or citation role."""
    return [unit for unit in prose_units(markdown) if unaccounted_numbers(unit)]
