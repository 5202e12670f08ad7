"""CITATION.cff, .zenodo.json and CHANGELOG.md agree with the book's own metadata.

The title and repository come from _config.yml, the version from pyproject.toml; the
checks of each file are functions returning a list of problems, so the tests below can
show that a wrong file is caught."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tomllib
import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]

# Top-level keys of the Citation File Format 1.2.0 schema.
CFF_KEYS = {
    "abstract",
    "authors",
    "cff-version",
    "commit",
    "contact",
    "date-released",
    "doi",
    "identifiers",
    "keywords",
    "license",
    "license-url",
    "message",
    "preferred-citation",
    "references",
    "repository",
    "repository-artifact",
    "repository-code",
    "title",
    "type",
    "url",
    "version",
}
CFF_REQUIRED = {"authors", "cff-version", "message", "title"}
# An author is a person (family-names, given-names, ...) or an entity (name, ...).
CFF_AUTHOR_KEYS = {
    "name",
    "family-names",
    "given-names",
    "name-particle",
    "name-suffix",
    "affiliation",
    "address",
    "alias",
    "city",
    "country",
    "email",
    "orcid",
    "post-code",
    "region",
    "tel",
    "website",
    "date-end",
    "date-start",
    "location",
    "fax",
}
ZENODO_UPLOAD_TYPES = {
    "publication",
    "poster",
    "presentation",
    "dataset",
    "image",
    "video",
    "software",
    "lesson",
    "physicalobject",
    "other",
}
ZENODO_LICENSES = {"mit", "cc-by-4.0"}


def expected() -> dict:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    return {
        "title": config["title"],
        "version": project["version"],
        "repository": config["repository"]["url"],
        "author": config["author"],
    }


def cff_problems(cff: dict, want: dict) -> list[str]:
    problems = []
    if cff.get("cff-version") != "1.2.0":
        problems.append(f"cff-version is {cff.get('cff-version')!r}, not '1.2.0'")
    if missing := CFF_REQUIRED - cff.keys():
        problems.append(f"required keys missing: {sorted(missing)}")
    if unknown := cff.keys() - CFF_KEYS:
        problems.append(f"keys CFF 1.2.0 does not have: {sorted(unknown)}")
    if cff.get("type", "software") not in ("software", "dataset"):
        problems.append(f"type {cff.get('type')!r} is neither software nor dataset")
    authors = cff.get("authors") or []
    if not authors:
        problems.append("no authors")
    for author in authors:
        if not isinstance(author, dict) or not (
            {"name", "family-names"} & author.keys()
        ):
            problems.append(f"author {author!r} is neither an entity nor a person")
        elif unknown := author.keys() - CFF_AUTHOR_KEYS:
            problems.append(f"author keys CFF does not have: {sorted(unknown)}")
    if [a.get("name") for a in authors if isinstance(a, dict)] != [want["author"]]:
        problems.append(f"authors are not the entity {want['author']!r} of _config.yml")
    for key, value in (
        ("title", want["title"]),
        ("version", want["version"]),
        ("repository-code", want["repository"]),
    ):
        if cff.get(key) != value:
            problems.append(f"{key} is {cff.get(key)!r}, not {value!r}")
    if cff.get("license") != "MIT":
        problems.append(f"license is {cff.get('license')!r}, not the code's 'MIT'")
    if "CC BY 4.0" not in cff.get("message", ""):
        problems.append("the message does not name the text's licence, CC BY 4.0")
    return problems


def zenodo_problems(zenodo: dict, want: dict, cff: dict) -> list[str]:
    problems = []
    for key, value in (("title", want["title"]), ("version", want["version"])):
        if zenodo.get(key) != value:
            problems.append(f"{key} is {zenodo.get(key)!r}, not {value!r}")
    if zenodo.get("upload_type") not in ZENODO_UPLOAD_TYPES:
        problems.append(
            f"upload_type {zenodo.get('upload_type')!r} is not one of Zenodo's"
        )
    if zenodo.get("upload_type") == "publication" and not zenodo.get(
        "publication_type"
    ):
        problems.append("a publication needs a publication_type")
    if zenodo.get("license") not in ZENODO_LICENSES:
        problems.append(f"license {zenodo.get('license')!r} is not MIT or CC BY 4.0")
    if [c.get("name") for c in zenodo.get("creators") or []] != [want["author"]]:
        problems.append(f"creators are not [{want['author']!r}]")
    keywords = zenodo.get("keywords")
    if not keywords or not all(isinstance(k, str) and k for k in keywords):
        problems.append("keywords must be a non-empty list of words")
    description = " ".join(str(zenodo.get("description", "")).split())
    if not description or description != " ".join(str(cff.get("abstract", "")).split()):
        problems.append("description differs from CITATION.cff's abstract")
    related = [r.get("identifier") for r in zenodo.get("related_identifiers") or []]
    if want["repository"] not in related:
        problems.append(f"related_identifiers lack the repository {want['repository']}")
    return problems


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def zenodo() -> dict:
    return json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))


def test_citation_cff_is_valid_and_agrees_with_the_book(cff):
    assert cff_problems(cff, expected()) == []


def test_citation_cff_has_no_invented_release_date(cff):
    # A date-released must be a real release; there is none yet (see CHANGELOG.md).
    assert "date-released" not in cff


def test_zenodo_json_agrees_with_the_book_and_citation_cff(zenodo, cff):
    assert zenodo_problems(zenodo, expected(), cff) == []


def changelog_sections(text: str) -> list[str]:
    """The names of the changelog's ``## [...]`` sections, in order."""
    return re.findall(r"^## \[([^\]]+)\]", text, flags=re.M)


def changelog_problems(text: str, version: str) -> list[str]:
    """What is wrong with a changelog for a package at ``version``.

    The first section must be ``[Unreleased]``; every other names a release: a valid version
    (PEP 440, compared as versions, not as strings), not above ``version`` and newest first.
    """
    sections = changelog_sections(text)
    if not sections:
        return ["no '## [...]' sections"]
    problems = (
        [] if sections[0] == "Unreleased" else ["the first section is not [Unreleased]"]
    )
    released = []
    for name in sections[1:]:
        try:
            released.append(Version(name))
        except InvalidVersion:
            problems.append(f"[{name}] is not a version")
    current = Version(version)
    problems += [
        f"[{v}] is above the package version {current}" for v in released if v > current
    ]
    if released != sorted(released, reverse=True):
        problems.append("releases are not listed newest first")
    return problems


def test_changelog_has_an_unreleased_section_and_no_unreleased_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog_sections(text), "CHANGELOG.md has no sections"
    assert changelog_problems(text, expected()["version"]) == []


def test_the_changelog_check_compares_versions_as_versions():
    text = "## [Unreleased]\n\n## [0.10.0]\n\n## [0.9.0]\n"
    assert changelog_sections(text) == ["Unreleased", "0.10.0", "0.9.0"]
    assert changelog_problems(text, "0.10.0") == []  # as strings, "0.10.0" < "0.9.0"
    assert changelog_problems(text, "0.9.0") == [
        "[0.10.0] is above the package version 0.9.0"  # as strings it would pass
    ]
    swapped = "## [Unreleased]\n## [0.9.0]\n## [0.10.0]\n"
    assert changelog_problems(swapped, "1.0.0") == [
        "releases are not listed newest first"
    ]
    assert changelog_problems("## [0.1.0]\n## [soon]\n", "0.1.0") == [
        "the first section is not [Unreleased]",
        "[soon] is not a version",
    ]
    assert changelog_problems("# Changelog\n", "0.1.0") == ["no '## [...]' sections"]


def test_the_checks_catch_a_wrong_file(cff, zenodo):
    want = expected()
    wrong_cff = dict(cff, version="9.9.9", **{"cff-version": "1.1.0", "repo": "x"})
    problems = cff_problems(wrong_cff, want)
    assert any("version is '9.9.9'" in p for p in problems)
    assert any("cff-version" in p for p in problems)
    assert any("'repo'" in p for p in problems)
    wrong_zenodo = dict(zenodo, title="Another book", license="gpl", creators=[])
    problems = zenodo_problems(wrong_zenodo, want, cff)
    assert len(problems) == 3, problems
