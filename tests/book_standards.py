"""Checks of the book's own standards, shared by the notebook and page tests.

The prose-number rule: every sentence of prose that states a number must either glue it from
the notebook's code (``{glue:text}`` / ``{glue:}``) or cite its source (``{cite:p}`` /
``{cite:t}``). Digits that are part of a name (CD19, IL-6, IgG1, SLEDAI-2K) and four-digit
years are not numbers in this sense.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

#: Roles that make a sentence's numbers accountable.
ACCOUNTABLE_ROLE = re.compile(
    r"\{(glue|glue:text|glue:any|glue:md|cite|cite:p|cite:t|cite:ps|cite:ts)\}`[^`]*`"
)
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
        if stripped.startswith(
            (":::", "```", ":class:", ":name:", ":gutter:", ":label:")
        ):
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
            units.extend(
                s
                for s in re.split(r"(?<=[.!?])\s+(?=[A-Z(\[{*_])", joined)
                if s.strip()
            )
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            flush()
        elif (
            stripped.startswith("|")
            or stripped.startswith("#")
            or re.match(r"^([-*+]|\d+\.)\s", stripped)
        ):
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


# --- reader rules (issue #13): what a reader of the page sees -----------------------------

#: Tags that keep a code cell's source off the page (it stays one click away, or in the file).
HIDDEN_TAGS = {"hide-input", "remove-input", "remove-cell", "hide-cell"}
#: Visible code cells a chapter may show, and the lines each may have.
MAX_VISIBLE_CELLS = 3
MAX_VISIBLE_LINES = 12
#: Words in CamelCase that are ordinary names, not code.
CAMEL_WORDS = {
    "LaTeX",
    "JavaScript",
    "GitHub",
    "PubMed",
    "MathJax",
    "JupyterLab",
    "YouTube",
    "TrialNet",
    "IgG1",
    "IgG2",
    "IgG3",
    "IgG4",
}
_CODE_SPAN = re.compile(r"(?<![}\w])`[^`\n]+`")
_SNAKE = re.compile(r"(?<![\w\\/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
_CAMEL = re.compile(r"(?<![\w/.-])[A-Z][a-z]+(?:[A-Z][a-z0-9]+)+\b")
_MODULE = re.compile(r"\bcart_autoimmunity\b|\bdocstring\b|\.py\b")


def visible_code_cells(nb: dict) -> list[dict]:
    """The code cells whose source a reader sees on the page."""
    return [
        c
        for c in nb["cells"]
        if c["cell_type"] == "code"
        and not HIDDEN_TAGS & set(c["metadata"].get("tags", []))
    ]


def _reader_text(text: str) -> str:
    """Prose without roles, maths, links, fenced code and directive options."""
    text = _strip_markup(text)
    text = ANY_ROLE.sub(" ", text)
    return re.sub(r"\{[a-z:-]+\}", " ", text)


def code_identifiers(text: str) -> list[str]:
    """Code names in reader-facing text: `spans`, snake_case, CamelCase and module names."""
    spans = _CODE_SPAN.findall(
        ANY_ROLE.sub(" ", re.sub(r"```.*?```", " ", text, flags=re.S))
    )
    plain = _reader_text(text)
    camel = [w for w in _CAMEL.findall(plain) if w not in CAMEL_WORDS]
    return spans + _SNAKE.findall(plain) + camel + _MODULE.findall(plain)


def without_try_it(markdown: str) -> str:
    """The prose before the "Try it" section, where learners are told which code to edit."""
    return re.split(r"^## Try it\s*$", markdown, maxsplit=1, flags=re.M)[0]


def raw_table_outputs(nb: dict) -> list[str]:
    """Outputs that print a DataFrame or Series as it comes (index, dtype, raw floats)."""
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            data = output.get("data", {})
            html = "".join(data.get("text/html", ""))
            plain = "".join(data.get("text/plain", "")) + "".join(
                output.get("text", "")
            )
            if 'class="dataframe"' in html or re.search(r"\bdtype: \w+", plain):
                found.append("".join(cell["source"])[:60])
    return found


def reader_tables(nb: dict) -> list[str]:
    """The MyST of every table output made by ``cart_autoimmunity.chapter`` (text/markdown)."""
    tables = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            markdown = "".join(output.get("data", {}).get("text/markdown", ""))
            if markdown.startswith(":::{table}"):
                tables.append(markdown)
    return tables


# --- reading stored notebooks --------------------------------------------------------------


def load_notebook(path: Path) -> dict:
    """A stored notebook as JSON (nbformat 4)."""
    return json.loads(path.read_text())


def cell_source(cell: dict) -> str:
    """A cell's source as one string."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def notebook_markdown(nb: dict) -> str:
    """All markdown cells of a notebook, in order."""
    return "\n\n".join(
        cell_source(c) for c in nb["cells"] if c["cell_type"] == "markdown"
    )
