"""Print the whole book to one PDF, offline (`make pdf`, after the singlehtml build).

    jupyter-book build . --builder singlehtml -n -W --keep-going   # _build/singlehtml
    python scripts/build_pdf.py            # -> _build/pdf/car-t-reset-book.pdf

The single-page HTML build is served on 127.0.0.1 and opened in Debian's Chromium
(through Playwright, the browser the browser suite uses); every request to another host
is aborted and fails the build. The script adds a cover (title, authors, description,
version: no date), a table of contents and a title page for each part of _toc.yml,
injects book/_static/print.css (which hides navigation, buttons and code inputs and
keeps outputs), opens collapsed content, and prints A4 pages with page numbers in the
footer. It prints twice: the page numbers of the contents are read from the first
print's named destinations (`pdfinfo -dests`, poppler-utils) and filled into space
reserved for them, so the second print has the same pages.

No page shows a date, and the PDF's metadata dates are those of SOURCE_DATE_EPOCH or,
without it, of the last commit, not the time of the print."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import unicodedata
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import yaml

REPO = Path(__file__).resolve().parents[1]
PDF_NAME = "car-t-reset-book.pdf"
DEFAULT_HTML = REPO / "_build" / "singlehtml"
DEFAULT_OUT = REPO / "_build" / "pdf" / PDF_NAME
PRINT_CSS = REPO / "book" / "_static" / "print.css"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MARGIN = {"top": "18mm", "bottom": "20mm", "left": "18mm", "right": "18mm"}
FOOTER = (
    '<div style="width:100%;font-size:8pt;font-family:sans-serif;text-align:center;'
    'color:#555;"><span class="pageNumber"></span> / <span class="totalPages"></span>'
    "</div>"
)
TIMEOUT_MS = 120_000
# The theme's search script asks for it on every page; the singlehtml builder writes
# none.
MAY_BE_MISSING = {"/searchindex.js"}


# --- What goes on the cover and into the contents -------------------------------------


def book_metadata(repo: Path = REPO) -> dict:
    """Title and authors (_config.yml), version (pyproject.toml), one-line description
    (.zenodo.json), repository (_config.yml)."""
    config = yaml.safe_load((repo / "_config.yml").read_text(encoding="utf-8"))
    project = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"
    ]
    zenodo = json.loads((repo / ".zenodo.json").read_text(encoding="utf-8"))
    return {
        "title": config["title"],
        "author": config["author"],
        "version": project["version"],
        "description": zenodo["description"],
        "repository": config["repository"]["url"],
    }


def toc_parts(repo: Path = REPO) -> list[dict]:
    """The parts of _toc.yml in order: caption and the docnames of their chapters."""
    toc = yaml.safe_load((repo / "_toc.yml").read_text(encoding="utf-8"))

    def files(entries):
        for entry in entries or []:
            if "file" in entry:
                yield str(Path(entry["file"]).with_suffix(""))
            yield from files(entry.get("sections"))

    parts = [
        {"caption": p.get("caption", ""), "docs": list(files(p.get("chapters")))}
        for p in toc.get("parts") or []
    ]
    if toc.get("chapters"):
        parts.insert(0, {"caption": "", "docs": list(files(toc["chapters"]))})
    return parts


# --- Text of a PDF, as the tests compare it -------------------------------------------

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u00ad": "",
    }
)


def normalise(text: str) -> str:
    """Compare text as a reader reads it: ligatures split (NFKC), typographic quotes and
    dashes as ASCII (Sphinx's smartquotes), every run of whitespace a single space."""
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf: Path) -> str:
    """The text of the PDF (pdftotext, UTF-8), pages separated by form feeds."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


def named_destinations(pdf: Path) -> dict[str, int]:
    """Element id -> page number, from the named destinations Chromium writes for link
    targets (`pdfinfo -dests`)."""
    result = subprocess.run(
        ["pdfinfo", "-dests", str(pdf)], check=True, capture_output=True, text=True
    )
    pages = {}
    for line in result.stdout.splitlines():
        match = re.match(r"\s*(\d+)\s+\[.*\]\s+\"(.*)\"\s*$", line)
        if match:
            pages.setdefault(match.group(2), int(match.group(1)))
    return pages


# --- The browser ----------------------------------------------------------------------


def find_chromium() -> str:
    """Debian's Chromium (make browser-deps); CHROMIUM overrides it, as in the browser
    suite."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or "/usr/bin/chromium"
    )


class _Handler(SimpleHTTPRequestHandler):
    """Files of the build, and the book's root document at "/". The singlehtml builder
    writes the root document (book/intro.html) with links relative to the site root, as
    if it were index.html there."""

    root_document: Path

    def translate_path(self, path: str) -> str:
        if urlparse(path).path == "/":
            return str(self.root_document)
        return super().translate_path(path)

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by http.server
        pass


class Server:
    """Serve a singlehtml build on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, root: Path, root_document: Path):
        handler = type("Handler", (_Handler,), {"root_document": root_document})
        self.httpd = ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(handler, directory=str(root))
        )
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def _is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


_WAIT_FOR_CONTENT = """async () => {
  for (const img of document.images) { img.loading = 'eager'; }
  await Promise.all([...document.images].map(img => img.complete ? null :
    new Promise(done => { img.addEventListener('load', done);
                          img.addEventListener('error', done); })));
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  return [...document.images].filter(img => img.naturalWidth === 0).map(img => img.src);
}"""

# Adds the cover, the contents and the part pages; returns the id of each contents
# entry.
_PREPARE = """({meta, parts, rootPage}) => {
  const html = document.documentElement;
  html.dataset.theme = 'light';
  html.dataset.mode = 'light';
  document.title = meta.title;
  for (const details of document.querySelectorAll('details')) { details.open = true; }
  for (const el of document.querySelectorAll('.toggle-hidden')) {
    el.classList.remove('toggle-hidden');
  }
  const article = document.querySelector('article.bd-article')
    || document.querySelector('main');
  // Links within the book become links within the PDF; links to other files of the
  // build (which the PDF does not contain) become plain text.
  for (const link of article.querySelectorAll('a[href]')) {
    const href = link.getAttribute('href');
    const url = new URL(href, document.baseURI);
    if (url.origin !== location.origin || href.startsWith('#')) { continue; }
    if (url.pathname === '/' || url.pathname === '/' + rootPage) {
      link.setAttribute('href', url.hash || '#');
    } else {
      link.removeAttribute('href');
    }
  }
  const make = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  };
  const headingText = (heading) => {
    const copy = heading.cloneNode(true);
    copy.querySelectorAll('.headerlink').forEach(a => a.remove());
    return copy.textContent.replace(/\\s+/g, ' ').trim();
  };
  // The heading that opens a document: the first h1 or h2 after its marker span.
  const opening = (span) => {
    for (let el = span.nextElementSibling; el; el = el.nextElementSibling) {
      if (el.matches('span[id^="document-"]')) { break; }
      const heading = el.matches('h1, h2') ? el : el.querySelector('h1, h2');
      if (heading) { return heading; }
    }
    return null;
  };
  const entries = [];
  const rootHeading = article.querySelector('h1');
  const rootSection = rootHeading.closest('section');
  entries.push({kind: 'chapter', label: 'Introduction', id: rootSection.id});

  parts.forEach((part, index) => {
    const spans = part.docs.map(doc => document.getElementById('document-' + doc))
      .filter(span => span !== null);
    if (spans.length === 0) { return; }
    if (part.caption) {
      const page = make('div', 'pdf-part');
      page.id = 'pdf-part-' + (index + 1);
      page.append(make('h1', '', part.caption));
      const wrapper = spans[0].closest('.toctree-wrapper') || spans[0];
      wrapper.before(page);
      entries.push({kind: 'part', label: part.caption, id: page.id});
    }
    for (const span of spans) {
      // A new page for each chapter (the part page already ends with a page break).
      const first = span.nextElementSibling;
      if (first && !(part.caption && span === spans[0])) {
        first.classList.add('pdf-chapter-start');
      }
      const heading = opening(span);
      if (heading === null) { continue; }
      const target = heading.closest('section') || heading;
      entries.push({kind: 'chapter', label: headingText(heading), id: target.id});
    }
  });

  const cover = make('div', 'pdf-cover');
  cover.append(make('p', 'pdf-cover__title', meta.title),
               make('p', 'pdf-cover__description', meta.description),
               make('p', 'pdf-cover__authors', meta.author),
               make('p', 'pdf-cover__meta', 'Version ' + meta.version),
               make('p', 'pdf-cover__meta', meta.repository));
  const toc = make('nav', 'pdf-toc');
  toc.setAttribute('aria-label', 'Contents');
  toc.append(make('h1', '', 'Contents'));
  const list = make('ol');
  for (const entry of entries) {
    const item = make('li', 'pdf-toc__' + entry.kind);
    const link = make('a');
    link.href = '#' + entry.id;
    link.append(make('span', 'pdf-toc__label', entry.label),
                make('span', 'pdf-toc__leader'),
                make('span', 'pdf-toc__page'));
    item.append(link);
    list.append(item);
  }
  toc.append(list);
  article.prepend(cover, toc);
  return entries.map(entry => entry.id);
}"""

_FILL_PAGES = """(pages) => {
  const cells = document.querySelectorAll('.pdf-toc__page');
  cells.forEach((cell, i) => {
    cell.textContent = pages[i] === null ? '' : String(pages[i]);
  });
}"""


def _print(page, path: Path, draft: bool = False) -> None:
    """Print the page to ``path``. A ``draft`` is read only for the page each contents entry
    falls on: the same pages (same size and margins), without what does not move them
    (backgrounds, footer, outline, tags), about a third faster."""
    final = not draft
    page.pdf(
        path=str(path),
        format="A4",
        print_background=final,
        margin=MARGIN,
        display_header_footer=final,
        header_template="<div></div>",
        footer_template=FOOTER,
        outline=final,
        tagged=final,
    )


def print_book(
    html_dir: Path = DEFAULT_HTML, out: Path = DEFAULT_OUT, repo: Path = REPO
) -> Path:
    """Print the singlehtml build in html_dir to out; return out."""
    from playwright.sync_api import sync_playwright

    html_dir = Path(html_dir).resolve()
    out = Path(out).resolve()
    root = yaml.safe_load((repo / "_toc.yml").read_text(encoding="utf-8"))["root"]
    index = html_dir / f"{Path(root).with_suffix('')}.html"
    if not index.is_file():
        raise SystemExit(
            f"no singlehtml build at {index}: run "
            "`jupyter-book build . --builder singlehtml` (make pdf does)"
        )
    chromium = find_chromium()
    if not Path(chromium).exists():
        raise SystemExit(f"{chromium} is missing: run `make browser-deps`")
    meta = book_metadata(repo)
    parts = toc_parts(repo)
    css = PRINT_CSS.read_text(encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)

    blocked: list[str] = []
    failed: list[str] = []
    with Server(html_dir, index) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS
        )
        context = browser.new_context()

        def guard(route):
            if _is_local(route.request.url):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on(
            "response",
            lambda r: (
                failed.append(f"{r.url} (HTTP {r.status})")
                if r.status >= 400 and urlparse(r.url).path not in MAY_BE_MISSING
                else None
            ),
        )
        page.emulate_media(media="print", color_scheme="light")
        page.goto(server.url, wait_until="load")
        try:
            page.wait_for_load_state("networkidle", timeout=10_000)
        except Exception:  # noqa: BLE001 - a page that keeps polling prints as it is
            pass
        broken = page.evaluate(_WAIT_FOR_CONTENT)
        ids = page.evaluate(
            _PREPARE,
            {
                "meta": meta,
                "parts": parts,
                "rootPage": str(index.relative_to(html_dir)),
            },
        )
        page.add_style_tag(content=css)
        page.evaluate(_WAIT_FOR_CONTENT)
        problems = (
            [f"not loaded: {src}" for src in broken]
            + failed
            + [f"request to another host blocked: {url}" for url in blocked]
        )
        if problems:
            browser.close()
            raise SystemExit("the PDF would be incomplete:\n  " + "\n  ".join(problems))

        with tempfile.TemporaryDirectory() as tmp:
            draft_pdf = Path(tmp) / "draft.pdf"
            _print(page, draft_pdf, draft=True)
            numbers = _contents_pages(draft_pdf, ids)
        page.evaluate(_FILL_PAGES, numbers)
        _print(page, out)
        browser.close()

    final = _contents_pages(out, ids) if shutil.which("pdfinfo") else numbers
    moved = [f"{i}: {a} -> {b}" for i, a, b in zip(ids, numbers, final) if a != b]
    if moved:
        out.unlink()  # no PDF with a wrong contents page is left behind
        raise SystemExit(
            "the contents' page numbers (from the draft print) are not the pages of the "
            "final print (see _print(draft=True)): " + "; ".join(moved)
        )
    _stamp_date(out, repo)
    return out


def _contents_pages(pdf: Path, ids: list[str]) -> list[int | None]:
    if not shutil.which("pdfinfo"):
        print(
            "warning: pdfinfo (poppler-utils) missing: contents without page numbers",
            file=sys.stderr,
        )
        return [None] * len(ids)
    dests = named_destinations(pdf)
    return [dests.get(i) for i in ids]


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


def _source_date(repo: Path) -> int | None:
    """SOURCE_DATE_EPOCH, else the time of the last commit; never the print's time."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), "log", "-1", "--format=%ct"],
            check=True,
            capture_output=True,
            text=True,
        )
        return int(result.stdout.strip())
    except (OSError, subprocess.CalledProcessError, ValueError):
        return None


def _stamp_date(pdf: Path, repo: Path) -> None:
    """Write the source date (_source_date) over the print time in the PDF's Info
    dictionary, in as many bytes, so that the cross-reference table stays valid."""
    epoch = _source_date(repo)
    if epoch is None:
        print(
            "warning: no SOURCE_DATE_EPOCH and no git: the PDF's metadata keeps the "
            "time "
            "of the print",
            file=sys.stderr,
        )
        return
    stamp = datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y%m%d%H%M%S")

    def replace(match: re.Match) -> bytes:
        zone = b"+00'00'" if len(match.group(3)) == len(b"+00'00'") else match.group(3)
        return b"/" + match.group(1) + b" (D:" + stamp.encode() + zone + b")"

    data = pdf.read_bytes()
    stamped = _PDF_DATE.sub(replace, data)
    assert len(stamped) == len(data)
    pdf.write_bytes(stamped)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--html",
        type=Path,
        default=DEFAULT_HTML,
        help="the singlehtml build (default: _build/singlehtml)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"the PDF to write (default: _build/pdf/{PDF_NAME})",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    out = print_book(args.html, args.out)
    seconds = time.perf_counter() - start
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB) in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
