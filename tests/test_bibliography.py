"""references.bib holds bibliographic data only, and every entry names who wrote it.

The bibliography page renders every field pybtex reads. Working notes about how an
entry was verified belong in BibTeX comments (``%`` lines outside the entries), which
are never rendered; a ``note`` or ``annote`` field is for bibliographic information
only. Every entry names a person or a named group as its author or editor, so that an
in-text citation reads "(Author, year)" instead of a title (an ``organization`` field is
not enough: the label never uses it); the two entries whose authors could not be verified
are listed, with the reason, in ``AUTHORLESS_ALLOWED``. A journal or other publication
is never the author: a review is written by people, so a journal's name in the author
field hides an author list that was not looked up. An article with one author says so on
the ``%`` line right above it (``% single author verified``) or is listed, with the
reason, in ``SINGLE_AUTHOR_ALLOWED``; a list that was cut short ends in ``and others``,
with no name after it. Every entry has a DOI or a URL (``ADDRESS_UNKNOWN`` lists, with the
reason, those whose address could not be found); a URL points at the work on the
publisher's own site, not at a third party's copy of it nor at a home page. And a dollar sign is written as a plain
``$`` (pybtex renders ``\\$`` as a literal backslash and dollar).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from pybtex.database import BibliographyData, parse_string

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "references.bib"

#: Words that mark a working note, not bibliographic data.
WORKING_NOTE = re.compile(
    r"memory|per project|project notes|aggregator|verif|todo|fixme|secondary copy|"
    r"stored source|not seen|not captured|not confirmed|could not be|re-checked|mirror",
    re.IGNORECASE,
)
NOTE_FIELDS = ("note", "annote", "annotation")

#: Words of journal titles. An organisation named with one of them is a publication,
#: not a group of people who wrote something (e.g. "Frontiers in Immunology",
#: "Cancer Immunology, Immunotherapy").
JOURNAL_WORDS = re.compile(
    r"\b(frontiers in|journal|annals of|proceedings of|transactions|immunology|"
    r"immunotherapy|the lancet|new england|plos|nature|blood advances|hemasphere)\b",
    re.IGNORECASE,
)
#: Fields that name where an entry was published.
VENUE_FIELDS = ("journal", "booktitle", "howpublished", "series")

#: The ``%`` line that records a checked single-author article.
SINGLE_AUTHOR_MARK = "% single author verified"
#: Single-author articles whose single authorship could not be checked, with the reason.
SINGLE_AUTHOR_ALLOWED = {
    "prasad2018": "a News & Views piece; the stored records (medworm, Ovid) show no author "
    "list, so the single author recorded earlier is neither confirmed nor contradicted",
}
#: Entries with neither a DOI nor a URL, each with the reason (none is better than a
#: link that leads elsewhere: a home-page link fails ``home_pages``).
ADDRESS_UNKNOWN = {
    "stat2023ari": "a news story read in an aggregator's copy; its own address on "
    "statnews.com was not found",
}
#: Entries that name no author because none could be verified, with the reason.
AUTHORLESS_ALLOWED = {
    "fimmu2021manufacturing": "the table (PMC8427697/table/T2) was verified but the "
    "review's title and authors were not found in the stored sources; the entry cites "
    "the table by its own title instead of naming the journal as its author",
    "eha2023v2v": "a congress abstract whose stored copy (PMC10431072) starts after its "
    "author list; the European Hematology Association held the congress and is named where "
    "it was presented, not as the author",
}

#: Host words of sites that republish other outlets' stories (feed readers, digests).
AGGREGATOR_HOST_WORDS = ("pulse", "aggregat", "feed", "digest", "newsnow", "flipboard")
#: Outlets named as organisations, and the host of their own website.
PUBLISHER_HOSTS = {
    "stat": "statnews.com",
    "scrip": "citeline.com",
    "food and drug administration": "fda.gov",
}
DOMAIN = re.compile(r"\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io)\b", re.IGNORECASE)


def _norm(text: str) -> str:
    """Lower case, braces and punctuation removed, spaces collapsed."""
    return " ".join(re.sub(r"[{}(),.;:]", " ", text).lower().split())


def comments_above(text: str) -> dict[str, list[str]]:
    """The block of ``%`` lines directly above each entry, keyed by entry key."""
    blocks: dict[str, list[str]] = {}
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"\s*@\w+\s*\{\s*([^,\s]+)\s*,", line)
        if not match:
            continue
        block: list[str] = []
        above = number - 1
        while above >= 0 and lines[above].lstrip().startswith("%"):
            block.insert(0, lines[above].strip())
            above -= 1
        blocks[match.group(1)] = block
    return blocks


def organisations(entry) -> list[str]:
    """Names of organisations given as author or editor (``{{...}}``) or as ``organization``."""
    names = [
        str(person).strip("{}")
        for role in ("author", "editor")
        for person in entry.persons.get(role, [])
        if str(person).startswith("{") and str(person).endswith("}")
    ]
    if entry.fields.get("organization", "").strip():
        names.append(entry.fields["organization"])
    return names


def note_problems(data: BibliographyData, text: str) -> list[str]:
    """Entries whose note-like fields hold working notes."""
    return [
        f"{key}: {field}"
        for key, entry in data.entries.items()
        for field in NOTE_FIELDS
        if WORKING_NOTE.search(entry.fields.get(field, ""))
    ]


def authorless(data: BibliographyData, text: str) -> list[str]:
    """Entries with no author or editor (allow-list aside). An ``organization`` field does
    not count: the bibliography's style does not print it for most entry types and the
    in-text label never uses it, so the reader would see a title where the author goes; a
    group that wrote the work is its author, in braces (``{{Ministerio de Sanidad}}``)."""
    return [
        f"{key}: no author or editor"
        for key, entry in data.entries.items()
        if key not in AUTHORLESS_ALLOWED
        and not (entry.persons.get("author") or entry.persons.get("editor"))
    ]


def publication_as_author(data: BibliographyData, text: str) -> list[str]:
    """Entries whose organisation is a journal or publication, not a group of people.

    Flagged when the organisation's name equals or contains the entry's journal,
    booktitle, howpublished or series (or is contained in its journal, or opens its
    howpublished), or when it carries a word of journal titles (``JOURNAL_WORDS``).
    """
    problems = []
    for key, entry in data.entries.items():
        venues = {
            field: _norm(entry.fields[field])
            for field in VENUE_FIELDS
            if entry.fields.get(field)
        }
        for name in map(_norm, organisations(entry)):
            same = [
                field
                for field, venue in venues.items()
                if name == venue
                or venue in name
                or (field == "journal" and name in venue)
                or (field == "howpublished" and venue.startswith(name))
            ]
            if same or JOURNAL_WORDS.search(name):
                problems.append(f"{key}: organisation {name!r} is a publication")
    return problems


def single_author_articles(data: BibliographyData, text: str) -> list[str]:
    """Articles with one author and neither the verified mark right above nor a reason."""
    above = comments_above(text)
    problems = []
    for key, entry in data.entries.items():
        authors = entry.persons.get("author", [])
        if entry.type != "article" or len(authors) != 1:
            continue
        marked = above.get(key, [])[-1:] == [SINGLE_AUTHOR_MARK]
        if not marked and key not in SINGLE_AUTHOR_ALLOWED:
            problems.append(f"{key}: one author ({authors[0]}), not marked as verified")
    return problems


def _host_matches(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def third_party_urls(data: BibliographyData, text: str) -> list[str]:
    """URLs that point at a copy on another site instead of the publisher's own page.

    A URL is a third party's copy when its host carries a word of feed and digest sites
    (``AGGREGATOR_HOST_WORDS``), when its query string names another site's domain (as
    a copy's link back to its source does), or when the entry names an outlet whose own
    host is known (``PUBLISHER_HOSTS``) and the URL is on a different host.
    """
    problems = []
    for key, entry in data.entries.items():
        url = entry.fields.get("url", "")
        if not url:
            continue
        parts = urlsplit(url)
        host = parts.hostname or ""
        if any(word in host for word in AGGREGATOR_HOST_WORDS):
            problems.append(f"{key}: {host} republishes other sites' stories")
        foreign = [
            domain
            for _, value in parse_qsl(parts.query)
            for domain in DOMAIN.findall(value)
            if not _host_matches(host, domain.lower())
        ]
        if foreign:
            problems.append(f"{key}: URL is a copy of {foreign[0]}")
        for name in map(_norm, organisations(entry)):
            for outlet, domain in PUBLISHER_HOSTS.items():
                named = re.search(rf"\b{re.escape(outlet)}\b", name)
                if named and not _host_matches(host, domain):
                    problems.append(
                        f"{key}: {name!r} publishes on {domain}, not {host}"
                    )
    return problems


def addressless(data: BibliographyData, text: str) -> list[str]:
    """Entries with neither a DOI nor a URL (allow-list aside)."""
    return [
        f"{key}: no doi or url"
        for key, entry in data.entries.items()
        if key not in ADDRESS_UNKNOWN
        and "doi" not in entry.fields
        and "url" not in entry.fields
    ]


def home_page_urls(data: BibliographyData, text: str) -> list[str]:
    """URLs that lead to a site's home page, not to the work: a reader cannot find the
    cited story or paper from there (no URL is better than that)."""
    return [
        f"{key}: {entry.fields['url']} is a home page"
        for key, entry in data.entries.items()
        if entry.fields.get("url")
        and urlsplit(entry.fields["url"]).path.strip("/") == ""
        and not urlsplit(entry.fields["url"]).query
    ]


#: Words an in-text citation may spend on an entry's name when it has no author.
MAX_LABEL_WORDS = 8


def long_title_labels(data: BibliographyData, text: str) -> list[str]:
    """Entries without author or editor whose in-text citation would be a long title: the
    book's citation style (book/_ext/book_bibstyle.py) uses the ``shorttitle`` if given."""
    problems = []
    for key, entry in data.entries.items():
        if entry.persons.get("author") or entry.persons.get("editor"):
            continue
        label = entry.fields.get("shorttitle") or entry.fields.get("title", "")
        if len(label.split()) > MAX_LABEL_WORDS:
            problems.append(f"{key}: cited in the text as {len(label.split())} words")
    return problems


def others_not_last(data: BibliographyData, text: str) -> list[str]:
    """Name lists with ``others`` before their end: BibTeX reads ``others`` as "et al."
    only in the last place, so a name after it is dropped or printed as a person."""
    return [
        f"{key}: {role} list has 'others' before {persons[-1]}"
        for key, entry in data.entries.items()
        for role, persons in entry.persons.items()
        if any(str(person) == "others" for person in persons[:-1])
    ]


def escaped_dollars(data: BibliographyData, text: str) -> list[str]:
    """Fields with a backslash before a dollar sign (rendered as a literal "\\$")."""
    return [
        f"{key}: {field}"
        for key, entry in data.entries.items()
        for field, value in entry.fields.items()
        if "\\$" in value
    ]


CHECKS = {
    "notes": note_problems,
    "authors": authorless,
    "publications": publication_as_author,
    "single_authors": single_author_articles,
    "third_party_urls": third_party_urls,
    "dollars": escaped_dollars,
    "others_last": others_not_last,
    "home_pages": home_page_urls,
    "long_labels": long_title_labels,
    "addresses": addressless,
}


@pytest.fixture(scope="module")
def source() -> str:
    return BIB.read_text()


@pytest.fixture(scope="module")
def bibliography(source) -> BibliographyData:
    return parse_string(source, "bibtex")


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_references_bib_passes(check, bibliography, source):
    problems = CHECKS[check](bibliography, source)
    assert not problems, f"{check}: {problems}"


def test_allow_lists_name_entries_that_still_need_them(bibliography):
    """An allow-list entry that has been fixed (or removed) must leave the list."""
    for key, reason in SINGLE_AUTHOR_ALLOWED.items():
        entry = bibliography.entries[key]
        assert reason and entry.type == "article"
        assert len(entry.persons.get("author", [])) == 1, key
    for key, reason in AUTHORLESS_ALLOWED.items():
        entry = bibliography.entries[key]
        assert reason and not entry.persons.get("author"), key
        assert not entry.fields.get("organization"), key
    for key, reason in ADDRESS_UNKNOWN.items():
        entry = bibliography.entries[key]
        assert reason and not {"doi", "url"} & set(entry.fields), key


def test_klinke_is_the_surname_and_ii_the_suffix(bibliography):
    (person,) = bibliography.entries["klinke2008"].persons["author"]
    assert person.last_names == ["Klinke"]
    assert person.lineage_names == ["II"]
    assert person.first_names == ["David"]


def test_mackensen_names_sebastian_boltz_and_its_correction_is_listed(bibliography):
    names = [str(p) for p in bibliography.entries["mackensen2022"].persons["author"]]
    assert 'B{\\"o}ltz, Sebastian' in names
    correction = bibliography.entries["mackensen2023correction"]
    assert correction.fields["doi"] == "10.1038/s41591-022-02091-9"


def test_working_notes_stay_out_of_the_entries(source):
    """The ``%`` lines of references.bib are comments: pybtex does not read them."""
    comments = [line for line in source.splitlines() if line.startswith("%")]
    assert comments, "working notes are kept, as comments"
    parsed = parse_string(
        "% verified from memory\n@misc{k, author = {A, B}}\n", "bibtex"
    )
    assert note_problems(parsed, "") == [] and list(parsed.entries) == ["k"]


def test_comments_above_reads_the_block_right_above_each_entry():
    text = "% a\n% b\n@article{x, author = {A, B}}\n\n% c\n\n@misc{y, title = {T}}\n"
    assert comments_above(text) == {"x": ["% a", "% b"], "y": []}


# --- each check fails on a bad entry, and names every bad entry -------------------

BAD = {
    "notes": r"@article{bad, author = {Doe, Jane}, title = {T}, year = {2020},"
    r" note = {DOI from memory, per project notes}}",
    "authors": (
        r"@misc{bad, title = {A table}, year = {2021}}"
        r"@misc{bad2, organization = {European Hematology Association}, title = {Abstract},"
        r" howpublished = {Abstract, EHA Congress 2023}, year = {2023}}"
    ),
    "publications": (
        r"@misc{bad, author = {{Frontiers in Immunology}}, title = {Table 2},"
        r" howpublished = {Frontiers in Immunology 2021;12:718621}, year = {2021}}"
        r"@misc{bad2, author = {{Cancer Immunology, Immunotherapy}}, title = {Table 1},"
        r" howpublished = {Cancer Immunology, Immunotherapy 2024;73(12):242}, year = {2024}}"
        r"@article{bad3, author = {{Blood}}, title = {T}, journal = {Blood}, year = {2009}}"
        r"@misc{bad4, organization = {Journal of Examples}, title = {T}, year = {2020}}"
    ),
    "single_authors": (
        r"@article{bad, author = {Mei, Henrik E.}, title = {T}, journal = {Blood},"
        r" year = {2009}}"
        "\n% single author verified\n% a later note hides the mark\n"
        r"@article{bad2, author = {Doe, Jane}, title = {T}, journal = {J}, year = {2020}}"
    ),
    "third_party_urls": (
        r"@misc{bad, author = {{STAT News}}, title = {T}, year = {2023},"
        r" url = {https://www.pharmacytechnicianpulse.com/edition/yearly--2023/"
        r"?open-article-id=25580730&blog-domain=statnews.com&blog-title=stat}}"
        r"@misc{bad2, author = {{STAT}}, title = {T}, year = {2023},"
        r" url = {https://example.org/copy-of-a-story}}"
        r"@misc{bad3, author = {Doe, Jane}, title = {T}, year = {2023},"
        r" url = {https://reader.example.net/item?source=publisher.com}}"
    ),
    "dollars": r"@article{bad, author = {Doe, Jane}, title = {Costs US\$475,000},"
    r" year = {2017}}",
    "others_last": (
        r"@article{bad, author = {Maude, Shannon L. and others and Grupp, Stephan A.},"
        r" title = {T}, journal = {N}, year = {2018}}"
    ),
    "addresses": r"@misc{bad, author = {{STAT}}, title = {T}, year = {2023}}",
    "long_labels": (
        r"@misc{bad, title = {Vein-to-vein time for three products in relapsed or refractory"
        r" lymphoma: a meta-analysis}, year = {2023}}"
    ),
    "home_pages": (
        r"@misc{bad, author = {{STAT}}, title = {T}, year = {2023},"
        r" url = {https://www.statnews.com/}}"
        r"@misc{bad2, author = {Doe, Jane}, title = {T}, year = {2023},"
        r" url = {https://example.org}}"
    ),
}
GOOD = (
    SINGLE_AUTHOR_MARK + "\n"
    r"@article{good, author = {Doe, Jane}, title = {Costs US$475,000}, year = {2017},"
    r" journal = {Blood}, note = {Erratum in volume 2}, doi = {10.1000/good}}"
    "\n"
    r"@article{cut, author = {Mei, Henrik E. and others}, title = {T}, journal = {Blood},"
    r" year = {2009}, doi = {10.1000/cut}}"
    r"@misc{org, author = {{World Health Organization}}, title = {R}, year = {2020},"
    r" url = {https://www.who.int/publications/i/item/r}}"
    r"@misc{news, author = {{STAT}}, title = {T}, howpublished = {News report (STAT+)},"
    r" year = {2023}, url = {https://www.statnews.com/2023/01/01/a-story/}}"
    r"@misc{fda, author = {{U.S. Food and Drug Administration}}, title = {W}, year = {2024},"
    r" url = {https://www.fda.gov/vaccines-blood-biologics/page?id=1}}"
)


def _keys(problems: list[str]) -> set[str]:
    return {problem.split(":", 1)[0] for problem in problems}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_check_fails_on_every_bad_entry(check):
    data = parse_string(BAD[check], "bibtex")
    assert _keys(CHECKS[check](data, BAD[check])) == set(data.entries)


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_check_passes_good_entries(check):
    assert CHECKS[check](parse_string(GOOD, "bibtex"), GOOD) == []
