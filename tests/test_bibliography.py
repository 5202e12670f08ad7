"""references.bib holds bibliographic data only, and every entry can be cited in short.

The bibliography page renders every field pybtex reads. Working notes about how an
entry was verified belong in BibTeX comments (``%`` lines outside the entries), which
are never rendered; a ``note`` or ``annote`` field is for bibliographic information
only. Every entry names an author, an editor or an organisation, so that an in-text
citation reads "(Author, year)" instead of a title. And a dollar sign is written as a
plain ``$`` (pybtex renders ``\\$`` as a literal backslash and dollar).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import BibliographyData, parse_file, parse_string

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "references.bib"

#: Words that mark a working note, not bibliographic data.
WORKING_NOTE = re.compile(
    r"memory|per project|project notes|aggregator|verif|todo|fixme|secondary copy|"
    r"stored source|not seen|not captured|not confirmed|could not be|re-checked|mirror",
    re.IGNORECASE,
)
NOTE_FIELDS = ("note", "annote", "annotation")


def note_problems(data: BibliographyData) -> list[str]:
    """Entries whose note-like fields hold working notes."""
    return [
        f"{key}: {field}"
        for key, entry in data.entries.items()
        for field in NOTE_FIELDS
        if WORKING_NOTE.search(entry.fields.get(field, ""))
    ]


def authorless(data: BibliographyData) -> list[str]:
    """Entries with neither an author, an editor nor an organisation."""
    return [
        key
        for key, entry in data.entries.items()
        if not (
            entry.persons.get("author")
            or entry.persons.get("editor")
            or entry.fields.get("organization", "").strip()
        )
    ]


def escaped_dollars(data: BibliographyData) -> list[str]:
    """Fields with a backslash before a dollar sign (rendered as a literal "\\$")."""
    return [
        f"{key}: {field}"
        for key, entry in data.entries.items()
        for field, value in entry.fields.items()
        if "\\$" in value
    ]


CHECKS = {"notes": note_problems, "authors": authorless, "dollars": escaped_dollars}


@pytest.fixture(scope="module")
def bibliography() -> BibliographyData:
    return parse_file(str(BIB), bib_format="bibtex")


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_references_bib_passes(check, bibliography):
    problems = CHECKS[check](bibliography)
    assert not problems, f"{check}: {problems}"


def test_mackensen_names_sebastian_boltz_and_its_correction_is_listed(bibliography):
    names = [str(p) for p in bibliography.entries["mackensen2022"].persons["author"]]
    assert 'B{\\"o}ltz, Sebastian' in names
    correction = bibliography.entries["mackensen2023correction"]
    assert correction.fields["doi"] == "10.1038/s41591-022-02091-9"


def test_working_notes_stay_out_of_the_entries():
    """The ``%`` lines of references.bib are comments: pybtex does not read them."""
    text = BIB.read_text()
    comments = [line for line in text.splitlines() if line.startswith("%")]
    assert comments, "working notes are kept, as comments"
    parsed = parse_string(
        "% verified from memory\n@misc{k, author = {A, B}}\n", "bibtex"
    )
    assert note_problems(parsed) == [] and list(parsed.entries) == ["k"]


# --- each check fails on a bad entry ---------------------------------------------

BAD = {
    "notes": r"@article{bad, author = {Doe, Jane}, title = {T}, year = {2020},"
    r" note = {DOI from memory, per project notes}}",
    "authors": r"@misc{bad, title = {A table}, year = {2021}}",
    "dollars": r"@article{bad, author = {Doe, Jane}, title = {Costs US\$475,000},"
    r" year = {2017}}",
}
GOOD = (
    r"@article{good, author = {Doe, Jane}, title = {Costs US$475,000}, year = {2017},"
    r" note = {Erratum in volume 2}}"
    r"@misc{org, author = {{World Health Organization}}, title = {R}, year = {2020}}"
    r"@misc{org2, organization = {EHA}, title = {Abstract}, year = {2023}}"
)


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_check_fails_on_a_bad_entry(check):
    assert CHECKS[check](parse_string(BAD[check], "bibtex")) != []


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_check_passes_a_good_entry(check):
    assert CHECKS[check](parse_string(GOOD, "bibtex")) == []
