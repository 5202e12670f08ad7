"""The project's metadata agrees with itself: citation files, licences, the book's footer,
the Python range, the declared dependencies, Binder's and Colab's set-up, CI.

The title and repository come from _config.yml, the version, the Python range and the
licence from pyproject.toml; the checks of each file are functions returning a list of
problems, so the tests below can show that a wrong file is caught."""

from __future__ import annotations

import ast
import datetime
import importlib.util
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))

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


def test_citation_cff_release_date_is_a_date_and_matches_the_changelog(cff):
    released = datetime.date.fromisoformat(str(cff["date-released"]))
    assert released <= datetime.date.today() + datetime.timedelta(days=1)
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = re.escape(expected()["version"])
    heading = re.search(rf"^## \[{version}\] - (\d{{4}}-\d{{2}}-\d{{2}})", text, re.M)
    if heading:  # once the changelog lists this version, its date is the release date
        assert heading.group(1) == released.isoformat()


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


# ------------------------------------------------------------------------------------------
# Licences: MIT for the code, CC BY 4.0 for the text, the same in every file that says so
# ------------------------------------------------------------------------------------------
LICENCE_FILES = {"LICENSE": "MIT License", "LICENSES/CC-BY-4.0.txt": "Attribution 4.0"}


def licence_problems(project: dict, cff: dict, zenodo: dict, footer: str) -> list[str]:
    problems = []
    if project.get("license") != "MIT":
        problems.append(f"pyproject license is {project.get('license')!r}, not 'MIT'")
    if cff.get("license") != project.get("license"):
        problems.append(f"CITATION.cff license {cff.get('license')!r} differs")
    if str(zenodo.get("license")).upper() != str(project.get("license")).upper():
        problems.append(f".zenodo.json license {zenodo.get('license')!r} differs")
    for where, text in (
        ("CITATION.cff message", cff.get("message", "")),
        (".zenodo.json notes", zenodo.get("notes", "")),
        ("the footer", footer),
    ):
        if "CC BY 4.0" not in " ".join(text.split()):
            problems.append(f"{where} does not name the text's licence, CC BY 4.0")
    if "MIT" not in footer:
        problems.append("the footer does not name the code's licence, MIT")
    return problems


def test_licences_agree_in_spdx_form(cff, zenodo):
    footer = CONFIG["html"]["extra_footer"]
    assert licence_problems(PYPROJECT["project"], cff, zenodo, footer) == []


def test_licence_checks_catch_a_disagreement(cff, zenodo):
    table_form = dict(PYPROJECT["project"], license={"text": "MIT"})
    problems = licence_problems(table_form, cff, dict(zenodo, license="cc-by-4.0"), "")
    assert len(problems) == 5, problems
    assert any("pyproject license" in p for p in problems)
    assert any(".zenodo.json license" in p for p in problems)


def test_licence_files_exist_and_are_declared():
    declared = PYPROJECT["project"]["license-files"]
    for name, first_words in LICENCE_FILES.items():
        assert first_words in (ROOT / name).read_text(encoding="utf-8")[:200], name
        assert any(Path(name).match(pattern) for pattern in declared), name


def test_footer_shows_the_version_and_links_the_changelog_and_licence():
    footer = " ".join(CONFIG["html"]["extra_footer"].split())
    repo = CONFIG["repository"]
    blob = f"{repo['url']}/blob/{repo['branch']}"
    assert f"Version {PYPROJECT['project']['version']} " in footer
    assert f'href="{blob}/CHANGELOG.md"' in footer
    assert f'href="{blob}/LICENSE"' in footer
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in footer


# ------------------------------------------------------------------------------------------
# One Python range
# ------------------------------------------------------------------------------------------
def minimum_python() -> str:
    match = re.fullmatch(r">=(3\.\d+)", PYPROJECT["project"]["requires-python"])
    assert match, "requires-python is one lower bound, '>=3.N'"
    return match.group(1)


def test_the_python_range_is_the_same_everywhere():
    lowest = minimum_python()
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py" + lowest.replace(".", "")
    runtime = (ROOT / "binder" / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == f"python-{lowest}"
    workflow = yaml.safe_load((ROOT / ".github/workflows/test.yml").read_text())
    tested = workflow["jobs"]["test"]["strategy"]["matrix"]["python"]
    assert min(tested, key=lambda v: tuple(map(int, v.split(".")))) == lowest
    assert len(tested) >= 2, "CI tests the lowest and the newest supported Python"


def test_the_makefile_refuses_an_older_python_by_name(tmp_path):
    old = tmp_path / "python"
    old.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.10.13"\nexit 1\n')
    old.chmod(0o755)
    make = ["make", "--no-print-directory", "-C", str(ROOT), "python-version"]
    fresh = f"VENV={tmp_path / 'no-venv'}"
    refused = subprocess.run(
        [*make, f"PYTHON={old}", fresh], capture_output=True, text=True
    )
    assert refused.returncode != 0
    assert f"needs Python >= {minimum_python()}" in refused.stderr
    assert "Python 3.10.13" in refused.stderr
    accepted = subprocess.run([*make, f"PYTHON={sys.executable}", fresh])
    assert accepted.returncode == 0


# ------------------------------------------------------------------------------------------
# Dependencies: what the package and the chapters import, no more and no less
# ------------------------------------------------------------------------------------------
def imported_modules() -> set[str]:
    """Top-level modules imported by the package and the notebooks, minus the stdlib."""
    sources = [
        p.read_text(encoding="utf-8") for p in ROOT.glob("cart_autoimmunity/**/*.py")
    ]
    for path in sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(
        ROOT.glob("book/*.ipynb")
    ):
        notebook = nbformat.read(path, as_version=4)
        code = [c.source for c in notebook.cells if c.cell_type == "code"]
        sources += [
            "\n".join(
                line for line in s.splitlines() if not line.lstrip().startswith("%")
            )
            for s in code
        ]
    found = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"cart_autoimmunity", "__future__"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_dependencies() -> set[str]:
    names = (
        re.split(r"[<>=!~ ;\[]", d)[0] for d in PYPROJECT["project"]["dependencies"]
    )
    return {normalise(n) for n in names}


def test_declared_dependencies_are_exactly_what_is_imported():
    distributions = metadata.packages_distributions()
    needed = set()
    for module in imported_modules():
        assert module in distributions, f"{module} is imported but not installed"
        needed |= {normalise(d) for d in distributions[module]}
    declared = declared_dependencies()
    assert needed - declared == set(), "imported but not declared in pyproject.toml"
    assert declared - needed == set(), "declared in pyproject.toml but imported nowhere"


# ------------------------------------------------------------------------------------------
# Binder: the package editable and its runtime dependencies, no test stack
# ------------------------------------------------------------------------------------------
TEST_STACK = {
    "axe-playwright-python",
    "coverage",
    "hypothesis",
    "jupyter-book",
    "nbval",
    "playwright",
    "pytest",
    "pytest-xdist",
    "ruff",
}


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            found[normalise(name)] = version.strip()
    return found


def binder_problems(lines: list[str], pinned: dict[str, str]) -> list[str]:
    problems = []
    requirements = [
        line.strip() for line in lines if line.strip() and not line.startswith("#")
    ]
    if "-e ." not in requirements:
        problems.append("the package is not installed editable ('-e .')")
    names = {normalise(re.split(r"[<>=!~ ;\[]", r)[0]) for r in requirements}
    if stack := names & TEST_STACK:
        problems.append(f"test stack installed: {sorted(stack)}")
    for requirement in requirements:
        if "==" in requirement:
            name, version = requirement.split("==")
            if pinned.get(normalise(name)) != version:
                problems.append(f"{requirement} differs from requirements.txt")
    missing = declared_dependencies() - names - {"ipython"}
    if missing:
        problems.append(f"runtime dependencies missing: {sorted(missing)}")
    return problems


def test_binder_installs_the_package_editable_and_no_test_stack():
    lines = (ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8")
    assert binder_problems(lines.splitlines(), pins(ROOT / "requirements.txt")) == []


def test_binder_check_catches_the_full_requirements():
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    problems = binder_problems(
        [line for line in lines if line != "-e ."], pins(ROOT / "requirements.txt")
    )
    assert any("editable" in p for p in problems)
    assert any("test stack" in p and "playwright" in p for p in problems)


# ------------------------------------------------------------------------------------------
# Colab: every notebook installs the release the book was built from
# ------------------------------------------------------------------------------------------
def colab_cell():
    spec = importlib.util.spec_from_file_location(
        "colab_cell", ROOT / "scripts" / "colab_cell.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_installs_the_release_on_colab():
    script = colab_cell()
    url, ref = script.repository_url(), script.release_ref()
    assert ref == "v" + PYPROJECT["project"]["version"]
    assert url == CONFIG["repository"]["url"].rstrip("/")
    problems = {
        path.relative_to(ROOT).as_posix(): script.problem(
            nbformat.read(path, as_version=4), url, ref
        )
        for path in script.notebooks()
    }
    assert len(problems) >= 10
    wrong = {k: v for k, v in problems.items() if v}
    assert not wrong, f"run `python scripts/colab_cell.py` to pin them: {wrong}"


def test_colab_script_rewrites_only_the_install_line_and_is_idempotent(tmp_path):
    script = colab_cell()
    cell = (
        "try:\n    import cart_autoimmunity as ca\nexcept ImportError:\n"
        '    %pip install --quiet "git+https://example.org/old/repo"\n'
        "    import cart_autoimmunity as ca\n"
    )
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# T"),
        nbformat.v4.new_code_cell(cell),
    ]
    path = tmp_path / "chapter.ipynb"
    nbformat.write(notebook, path)
    assert script.main(["--check", str(path)]) == 1
    assert script.main([str(path)]) == 0
    once = path.read_text(encoding="utf-8")
    assert script.main([str(path)]) == 0
    assert path.read_text(encoding="utf-8") == once
    assert script.main(["--check", str(path)]) == 0
    source = nbformat.read(path, as_version=4).cells[1].source
    pinned = script.install_line(script.repository_url(), script.release_ref())
    assert source == cell.replace(
        '%pip install --quiet "git+https://example.org/old/repo"', pinned
    )
    assert "@v" in pinned


# ------------------------------------------------------------------------------------------
# CI: the test workflow runs .ci/run; every action is pinned by commit
# ------------------------------------------------------------------------------------------
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_the_test_workflow_runs_ci_run_and_gates_the_deployment():
    workflow = yaml.safe_load((ROOT / ".github/workflows/test.yml").read_text())
    jobs = workflow["jobs"]
    runs = [step.get("run", "") for step in jobs["test"]["steps"]]
    assert any(r.strip().startswith(".ci/run") for r in runs)
    assert jobs["build"]["needs"] == "test" and jobs["deploy"]["needs"] == "build"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_by_commit_with_the_tag_named(path):
    uses = re.findall(r"uses:\s*(\S+)(.*)", path.read_text(encoding="utf-8"))
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s*# v\d+(\.\d+)*", comment), f"{action}: tag comment"


def test_one_place_installs_debian_packages():
    places = [ROOT / "Makefile", *WORKFLOWS, *(ROOT / ".ci").iterdir()]
    installing = [
        p.relative_to(ROOT).as_posix()
        for p in places
        if "apt-get install" in p.read_text(encoding="utf-8")
    ]
    assert installing == [".ci/debian-packages"]


def _marked_modules(marker: str) -> set[str]:
    """Test modules that mark their tests with ``pytest.mark.<marker>``."""
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tests").rglob("test_*.py")
        if f"pytest.mark.{marker}" in path.read_text(encoding="utf-8")
    }


def _outside(modules: set[str], paths: list[str]) -> set[str]:
    """The modules that none of the paths (files or directories) contains."""
    return {
        m for m in modules if not any(m == p or m.startswith(p + "/") for p in paths)
    }


@pytest.mark.parametrize(
    ("marker", "variable_or_target"), [("browser", "BROWSER_TESTS"), ("colab", "colab")]
)
def test_make_runs_every_module_of_its_marker(marker, variable_or_target):
    """`make browser` and `make colab` name their test paths (collecting the whole suite
    would import every module in each worker): no marked module may lie outside them."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    if variable_or_target == "BROWSER_TESTS":
        paths = re.search(r"^BROWSER_TESTS := (.+)$", makefile, re.M).group(1).split()
    else:
        recipe = re.search(r"^colab:.*\n\t(.+)$", makefile, re.M).group(1)
        paths = [word for word in recipe.split() if word.startswith("tests/")]
    assert paths
    assert _outside(_marked_modules(marker), paths) == set()


def test_a_marked_module_outside_the_paths_is_caught():
    assert _outside(
        {"tests/browser/test_a.py", "tests/test_b.py"}, ["tests/browser"]
    ) == {"tests/test_b.py"}


def test_the_book_build_skips_both_virtual_environments():
    """Jupyter Book reads every file under the project: the environments that make creates
    (.venv, and the lean one) hold library docs that would fail the build under -W."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    made = {
        re.search(rf"^{name} := (\S+)$", makefile, re.M).group(1)
        for name in ("VENV", "LEAN")
    }
    assert made <= set(CONFIG["exclude_patterns"]), made
