"""The whole book as one PDF (`make pdf`, scripts/build_pdf.py): what a reader of the
PDF gets.

Runs with the browser suite (`make browser`, marker `browser`), after the book is built.
It uses _build/pdf/car-t-reset-book.pdf when that is newer than every source of the book
(so a `make pdf` earlier in the same run is not repeated); otherwise it builds the
singlehtml output and prints it, as `make pdf` does, in a subprocess (the browser suite
holds Playwright's synchronous API in this process). The text is read with pdftotext
(poppler-utils)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import build_pdf  # noqa: E402

pytestmark = pytest.mark.browser

CAPTION_KEY_LENGTH = 40
# The sources of chapters, captions and cover: a newer one makes the PDF stale.
SOURCES = [
    "_config.yml",
    "_toc.yml",
    "references.bib",
    "pyproject.toml",
    ".zenodo.json",
    "scripts/build_pdf.py",
    "book/_static/print.css",
    "book/_static/book.css",
]
SOURCE_GLOBS = [
    "notebooks/*.ipynb",
    "book/*.ipynb",
    "book/*.md",
    "cart_autoimmunity/**/*.py",
    "_templates/*.html",
    "book/_ext/*.py",
]


# --- What the book says it contains ---------------------------------------------------


def toc_files() -> list[Path]:
    """Every file of _toc.yml (root first), with its suffix."""
    docs = [yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))["root"]]
    docs += [doc for part in build_pdf.toc_parts(REPO) for doc in part["docs"]]
    paths = []
    for doc in docs:
        matches = [
            p for p in (REPO / f"{doc}.ipynb", REPO / f"{doc}.md") if p.is_file()
        ]
        assert matches, f"{doc} is in _toc.yml but neither .ipynb nor .md exists"
        paths.append(matches[0])
    return paths


def chapter_title(path: Path) -> str:
    """The first `# ` heading of a chapter (an .md file or a notebook's markdown)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n".join(
            "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
        )
    else:
        text = path.read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("# "):
            return build_pdf.normalise(line[2:])
    raise AssertionError(f"{path} has no '# ' title")


def figure_captions() -> list[tuple[str, str, str]]:
    """(notebook, figure name, caption) of every mystnb.figure in the notebooks."""
    found = []
    for path in toc_files():
        if path.suffix != ".ipynb":
            continue
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            figure = cell.get("metadata", {}).get("mystnb", {}).get("figure")
            if cell["cell_type"] == "code" and figure and figure.get("caption"):
                found.append((path.name, figure.get("name", "?"), figure["caption"]))
    return found


def caption_key(caption: str, length: int = CAPTION_KEY_LENGTH) -> str:
    """The first `length` characters of a caption as it prints: text before the first
    MyST markup (a role, maths, emphasis, a link), whitespace-normalised."""
    plain = build_pdf.normalise(re.split(r"[{`$*\[<]|\b_", caption)[0])
    if len(plain) < 15:
        raise ValueError(
            f"caption starts with markup; no plain text to look for: {caption!r}"
        )
    return plain[:length].strip()


def printed(text: str, phrase: str) -> bool:
    return build_pdf.normalise(phrase) in text


# --- The PDF --------------------------------------------------------------------------


def _newest_source() -> float:
    paths = [REPO / s for s in SOURCES] + [
        p for g in SOURCE_GLOBS for p in REPO.glob(g)
    ]
    return max(p.stat().st_mtime for p in paths if p.is_file())


def _fresh(path: Path) -> bool:
    return path.is_file() and path.stat().st_mtime > _newest_source()


@pytest.fixture(scope="module")
def pdf() -> Path:
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            pytest.fail(
                f"{tool} is missing: run `make browser-deps` "
                "(apt-get install poppler-utils)"
            )
    out = build_pdf.DEFAULT_OUT
    if _fresh(out):
        return out
    root = yaml.safe_load((REPO / "_toc.yml").read_text(encoding="utf-8"))["root"]
    if not _fresh(build_pdf.DEFAULT_HTML / f"{root}.html"):
        jupyter_book = Path(sys.executable).with_name("jupyter-book")
        subprocess.run(
            [
                str(jupyter_book),
                "build",
                ".",
                "--builder",
                "singlehtml",
                "-n",
                "-W",
                "--keep-going",
            ],
            cwd=REPO,
            check=True,
        )
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_pdf.py")], cwd=REPO, check=True
    )
    return out


@pytest.fixture(scope="module")
def pages(pdf) -> list[str]:
    """The normalised text of each page."""
    return [build_pdf.normalise(page) for page in build_pdf.pdf_text(pdf).split("\f")]


@pytest.fixture(scope="module")
def body(pages) -> str:
    """The text after the cover and the contents, where chapters and captions are."""
    return " ".join(pages[_first_body_page(pages) :])


def _first_body_page(pages: list[str]) -> int:
    contents = next(i for i, page in enumerate(pages) if page.startswith("Contents"))
    title = build_pdf.normalise(build_pdf.book_metadata(REPO)["title"])
    return next(
        i for i, page in enumerate(pages) if i > contents and page.startswith(title)
    )


@cache
def _metadata() -> dict:
    return build_pdf.book_metadata(REPO)


# --- Tests ----------------------------------------------------------------------------


def test_cover_has_title_authors_version_and_no_date(pages):
    cover = pages[0]
    meta = _metadata()
    for field in ("title", "author", "description", "version", "repository"):
        assert printed(cover, meta[field]), f"cover lacks the {field} {meta[field]!r}"
    assert not re.search(r"\b(19|20)\d\d\b", cover), (
        f"the cover shows a year: {cover!r}"
    )


def test_every_page_is_numbered_in_its_footer(pages):
    total = len(pages) - 1  # pdftotext ends the last page with a form feed too
    assert pages[-1] == ""
    missing = [
        i + 1 for i, page in enumerate(pages[:-1]) if f"{i + 1} / {total}" not in page
    ]
    assert not missing, f"pages without 'n / {total}' in the footer: {missing}"


def test_contents_lists_every_chapter_with_increasing_page_numbers(pages):
    contents = re.sub(rf"\b2 / {len(pages) - 1}\b", "", pages[1])
    assert contents.startswith("Contents")
    for path in toc_files()[1:]:
        assert printed(contents, chapter_title(path)), (
            f"{path.name} missing from the contents"
        )
    numbers = [int(n) for n in re.findall(r"(?<![\d.])\d{1,3}(?![\d.])", contents)]
    assert len(numbers) >= len(toc_files()), f"page numbers missing: {contents!r}"
    assert numbers == sorted(numbers) and numbers[-1] < len(pages), numbers


def start_pages(pages: list[str], path: Path) -> list[int]:
    """Page numbers (1 for the cover) of the body pages that start with the title of the
    chapter in ``path`` (numbered "4. ..." or not)."""
    title = re.escape(chapter_title(path))
    first = _first_body_page(pages)
    return [
        i + 1
        for i, page in enumerate(pages)
        if i >= first and re.match(rf"(\d+\. )?{title}(?!\w)", page)
    ]


def test_each_contents_entry_gives_the_page_its_chapter_starts_on(pages):
    """The contents' numbers come from a draft print (scripts/build_pdf.py): each must be
    the page of the final PDF (its footer's n) on which that chapter's title starts."""
    wrong = []
    for path in toc_files()[1:]:
        title = re.escape(chapter_title(path))
        listed = re.search(rf"{title} (\d+)(?!\d)", pages[1])
        starts = start_pages(pages, path)
        if not (listed and starts and int(listed.group(1)) == starts[0]):
            wrong.append(
                f"{path.name}: listed {listed and listed.group(1)}, starts {starts[:1]}"
            )
    assert not wrong, wrong


@pytest.mark.parametrize("path", toc_files(), ids=lambda p: p.stem)
def test_every_chapter_starts_a_page(pages, path):
    assert start_pages(pages, path), (
        f"no page of the PDF starts with the title of {path.name}: "
        f"{chapter_title(path)!r}"
    )


@pytest.mark.parametrize(
    "notebook, name, caption",
    figure_captions(),
    ids=[f"{nb}:{name}" for nb, name, _ in figure_captions()],
)
def test_every_figure_is_numbered_with_its_caption(body, notebook, name, caption):
    key = caption_key(caption)
    assert printed(body, key), f"{notebook} {name}: caption {key!r} not in the PDF"
    assert re.search(rf"Fig\. \d+\.\d+ {re.escape(key)}", body), (
        f"{name} is not numbered"
    )


def test_bibliography_is_printed(pages):
    start = next(
        (i for i, p in enumerate(pages) if re.match(r"(Bibliography|References)\b", p)),
        None,
    )
    assert start is not None, "no page starts with a Bibliography or References heading"
    references = " ".join(pages[start:])
    assert references.count("doi:") >= 10, "the bibliography lists fewer than ten DOIs"


def code_lines(min_length: int = 30) -> list[tuple[str, str]]:
    """(notebook, line) for the longest source line of every code cell: long enough that
    prose would not repeat it word for word."""
    found = []
    for path in toc_files():
        if path.suffix != ".ipynb":
            continue
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            lines = [
                build_pdf.normalise(x) for x in "".join(cell["source"]).splitlines()
            ]
            longest = max(lines, key=len, default="")
            if len(longest) >= min_length and not longest.startswith("#"):
                found.append((path.name, longest))
    return found


def test_code_inputs_are_hidden_and_outputs_kept(body):
    lines = code_lines()
    assert len(lines) > 20, "too few code lines to check"
    shown = [f"{nb}: {line}" for nb, line in lines if line in body]
    assert not shown, "code cells' sources are printed:\n" + "\n".join(shown[:10])
    assert "Show code cell" not in body and "Hide code cell" not in body
    assert re.search(r"Fig\. 1\.1 \S", body), "outputs (figures) are missing"


def test_the_matcher_can_fail(body):
    """A caption the book does not have, or a real one with a word changed, is not
    found."""
    assert not printed(
        body, caption_key("A caption that no chapter of this book has written.")
    )
    nb, name, real = figure_captions()[0]
    key = caption_key(real)
    assert printed(body, key)
    first, rest = key.split(" ", 1)
    assert not printed(body, f"{first[::-1]}x {rest}"), (
        f"{name}: altered caption was found"
    )
    # Typography that Sphinx changes (smart quotes, dashes, line breaks) still matches.
    assert (
        build_pdf.normalise("the men\u2019s share,\n 5\u201395%")
        == "the men's share, 5-95%"
    )


def test_caption_key_refuses_a_caption_that_starts_with_markup():
    with pytest.raises(ValueError, match="caption starts with markup"):
        caption_key("{cite:t}`conrad2023` found")
    assert caption_key("Plain words then {cite:p}`key` more") == "Plain words then"
