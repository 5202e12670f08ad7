"""What the browser suite measures on a page, shared by the book's tests and the fixture tests.

Everything runs against a local http.server on 127.0.0.1; a request to any other host is
aborted and reported (the book must work offline).
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml


def find_chromium() -> str:
    """Debian's Chromium (make browser-deps); CHROMIUM overrides it (CI sets it if it differs)."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or "/usr/bin/chromium"
    )


CHROMIUM = find_chromium()
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
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 740}
# gzip-compressed, all of a page's requests together (issue #23: at most 1 MB)
MAX_PAGE_BYTES = 1_000_000
GENERIC_ALT = {
    "png",
    "jpg",
    "jpeg",
    "svg",
    "gif",
    "image",
    "img",
    "figure",
    "fig",
    "picture",
    "plot",
    "graph",
    "chart",
    "photo",
    "output",
    "untitled",
}
FILE_NAME = re.compile(r"^\S*\.(png|jpe?g|gif|svg|webp)$|^\S*/\S*$", re.I)
FIGURE_ALT_MIN_WORDS = 4


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature fixed by http.server
        pass


class Server:
    """Serve a directory on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.httpd = ThreadingHTTPServer(
            ("127.0.0.1", 0), partial(_QuietHandler, directory=str(root))
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


def toc_pages(repo: Path) -> list[str]:
    """Every page of the book's table of contents, as HTML paths relative to the site root."""
    toc = yaml.safe_load((repo / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts") or []:
        walk(part.get("chapters"))
    return [f"{Path(f).with_suffix('')}.html" for f in files]


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("data", "blob", "about") or parsed.hostname == "127.0.0.1"


def install_offline_guard(context, blocked: list[str]) -> None:
    """Abort every request that leaves 127.0.0.1 and remember it."""

    def handle(route):
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", handle)


_GZIP_CACHE: dict[Path, int] = {}


def gzip_size(path: Path) -> int:
    if path not in _GZIP_CACHE:
        _GZIP_CACHE[path] = len(gzip.compress(path.read_bytes(), compresslevel=6))
    return _GZIP_CACHE[path]


def local_file(root: Path, url: str) -> Path | None:
    """The file under root that a 127.0.0.1 URL serves (index.html for a directory)."""
    parsed = urlparse(url)
    if parsed.hostname != "127.0.0.1":
        return None
    path = root / unquote(parsed.path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


_WAIT_FOR_IMAGES = """async () => {
  for (const img of document.images) { img.loading = 'eager'; }
  await Promise.all([...document.images].map(img => img.complete ? null :
    new Promise(done => { img.addEventListener('load', done); img.addEventListener('error', done); })));
  return [...document.images].map(img => ({
    src: img.getAttribute('src'),
    alt: img.getAttribute('alt'),
    naturalWidth: img.naturalWidth,
    figure: img.closest('.cell_output, figure, .figure') !== null,
  }));
}"""

_FIGURE_BACKGROUNDS = """() => [...document.images]
  .filter(img => img.closest('.cell_output, figure, .figure') !== null)
  .map(img => ({src: img.getAttribute('src'), background: getComputedStyle(img).backgroundColor}))"""


_FIGURE_SIZES = """() => [...document.images]
  .filter(img => img.closest('.cell_output') !== null && img.naturalWidth > 0)
  .map(img => ({src: img.getAttribute('src'), shown: img.getBoundingClientRect().width,
                natural: img.naturalWidth}))"""


#: Words of table cells broken across lines ("abstrac|t", "475,00|0 USD"): each run of
#: characters between spaces, hyphens and slashes must sit on one line.
_BROKEN_TABLE_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('article table td, article table th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/[^\\s\\-\u2010-\u2014\\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                       .map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""

#: Code toggles over nothing or above the title, and visible code that scrolls sideways.
_CODE_CELLS = """() => {
  const title = document.querySelector('article h1');
  const problems = [];
  for (const d of document.querySelectorAll('article details.above-input, article details.hide')) {
    d.open = true;
    const cell = d.closest('.cell');
    const output = cell && cell.querySelector('.cell_output');
    if (!output || output.textContent.trim() === '' && !output.querySelector('img, svg, table'))
      problems.push('toggle over a cell without output');
    if (title && (title.compareDocumentPosition(d) & Node.DOCUMENT_POSITION_PRECEDING))
      problems.push('toggle above the title');
  }
  for (const pre of document.querySelectorAll('article div.cell_input pre')) {
    if (pre.scrollWidth > pre.clientWidth + 1)
      problems.push('code scrolls sideways: ' + pre.textContent.slice(0, 40));
  }
  return problems;
}"""

#: Blocks a reader sees that scroll sideways inside the column: display equations, printed
#: outputs and code listings in the text (at phone width, code cells are left out: a line
#: of code may scroll there; at desktop width _CODE_CELLS checks them too). Waits for MathJax.
_SIDEWAYS_BLOCKS = """async (withCodeCells) => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise)
    await MathJax.startup.promise;
  const problems = [];
  const blocks = 'article pre, article mjx-container[display="true"]';
  for (const el of document.querySelectorAll(blocks)) {
    if (el.offsetParent === null) continue;  // not shown (a closed toggle)
    if (!withCodeCells && el.closest('div.cell_input')) continue;
    if (el.scrollWidth > el.clientWidth + 1)
      problems.push(el.tagName.toLowerCase() + ': '
        + el.textContent.replace(/\\s+/g, ' ').trim().slice(0, 50));
  }
  return problems;
}"""

#: Inline maths whose "(" ends the line before it, or whose ")" (or , . ; :) starts the next
#: line: measured on the characters' own boxes against the maths' box.
_STRANDED_PUNCTUATION = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise)
    await MathJax.startup.promise;
  const problems = [];
  const charBox = (node, index) => {
    const range = document.createRange();
    range.setStart(node, index);
    range.setEnd(node, index + 1);
    return range.getBoundingClientRect();
  };
  const sameLine = (a, b) => a.bottom > b.top + 1 && a.top < b.bottom - 1;
  for (const math of document.querySelectorAll('article mjx-container:not([display="true"])')) {
    if (math.offsetParent === null) continue;  // not shown (a closed toggle)
    const box = math.getBoundingClientRect();
    if (!box.width) continue;
    const el = math.parentElement && math.parentElement.matches('span.math')
      ? math.parentElement : math;
    const before = el.previousSibling, after = el.nextSibling;
    if (before && before.nodeType === Node.TEXT_NODE && /[(\\[{]$/.test(before.data)
        && !sameLine(charBox(before, before.data.length - 1), box))
      problems.push('"(" ends a line: ' + before.data.replace(/\\s+/g, ' ').slice(-40));
    if (after && after.nodeType === Node.TEXT_NODE && /^[)\\]},.;:]/.test(after.data)
        && !sameLine(charBox(after, 0), box))
      problems.push('"' + after.data[0] + '" starts a line: '
        + after.data.replace(/\\s+/g, ' ').slice(0, 40));
  }
  return problems;
}"""

#: Sentences around glued values: "( 1 in all)", "0 %", "()", unbalanced parentheses.
_GLUE_TEXT = """() => {
  const problems = [];
  const blocks = new Set([...document.querySelectorAll('article span.pasted-text')]
    .map(s => s.closest('p, li, td, th, dd')).filter(b => b));
  for (const b of blocks) {
    const text = b.textContent.replace(/\\s+/g, ' ');
    if (/\\(\\s|\\s\\)|\\(\\)|\\d\\s%/.test(text) ||
        (text.match(/\\(/g) || []).length !== (text.match(/\\)/g) || []).length)
      problems.push(text.slice(0, 90));
  }
  for (const s of document.querySelectorAll('article span.pasted-text')) {
    if (getComputedStyle(s).fontWeight !== getComputedStyle(s.parentElement).fontWeight)
      { problems.push('glued value in another weight: ' + s.textContent); break; }
  }
  return problems;
}"""

#: Every link and resource of the page on the book's own site (href/src, without #fragment).
_INTERNAL_LINKS = """() => [...document.querySelectorAll('a[href], link[href]')]
  .map(e => e.href).filter(h => h.startsWith(location.origin))
  .map(h => h.split('#')[0])"""

#: Caption text in a light weight is faint on phones.
_CAPTION_WEIGHTS = """() => [...document.querySelectorAll('article figcaption p, article figcaption')]
  .map(e => Number(getComputedStyle(e).fontWeight))"""


@dataclass
class PageReport:
    """Everything the suite checks about one page, gathered in one visit at each width."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    serious_violations: list[str] = field(default_factory=list)
    scroll_width: int = 0
    inner_width: int = 0
    dark_backgrounds: list[dict] = field(default_factory=list)
    gzip_bytes: int = 0
    requested_files: list[str] = field(default_factory=list)
    phone_figures: list[dict] = field(default_factory=list)
    broken_table_words: dict[str, list[str]] = field(default_factory=dict)
    sideways_blocks: dict[str, list[str]] = field(default_factory=dict)
    code_cell_problems: list[str] = field(default_factory=list)
    glue_text_problems: list[str] = field(default_factory=list)
    internal_links: list[str] = field(default_factory=list)
    caption_weights: list[float] = field(default_factory=list)
    stranded_punctuation: dict[str, list[str]] = field(default_factory=dict)


def _listen(page, report: PageReport, finished: list[str], pending: set) -> None:
    """Record the page's console errors, failed requests and fetched URLs, and in
    ``pending`` the requests still in flight (for `_settle`)."""
    page.on("request", lambda req: pending.add(req))
    page.on("requestfinished", lambda req: pending.discard(req))
    page.on("requestfailed", lambda req: pending.discard(req))
    page.on(
        "console",
        lambda msg: (
            report.console_errors.append(msg.text) if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda exc: report.console_errors.append(f"uncaught: {exc}"))
    page.on(
        "requestfailed",
        lambda req: report.failed_requests.append(f"{req.url} ({req.failure})"),
    )
    page.on(
        "response",
        lambda resp: (
            report.failed_requests.append(f"{resp.url} (HTTP {resp.status})")
            if resp.status >= 400
            else None
        ),
    )
    page.on("requestfinished", lambda req: finished.append(req.url))


#: A page has settled when no request has been in flight for this long after `load`
#: (Playwright's "networkidle" waits for 500 ms of silence).
QUIET_MS = 150
SETTLE_TIMEOUT_MS = 5_000


def _settle(page, pending: set) -> None:
    """Wait for `load`, then until no request is in flight for QUIET_MS (at most
    SETTLE_TIMEOUT_MS: a page that keeps polling is still checked as it is)."""
    page.wait_for_load_state("load")
    step, quiet, waited = 50, 0, 0
    while quiet < QUIET_MS and waited < SETTLE_TIMEOUT_MS:
        page.wait_for_timeout(step)
        waited += step
        quiet = quiet + step if not pending else 0


def phone_measurements(page) -> dict:
    """What the suite measures at phone width, on a page already shown at that width."""
    page.evaluate(_WAIT_FOR_IMAGES)
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    return {
        "scroll_width": scroll_width,
        "inner_width": inner_width,
        "phone_figures": page.evaluate(_FIGURE_SIZES),
        "broken_table_words": page.evaluate(_BROKEN_TABLE_WORDS),
        "caption_weights": page.evaluate(_CAPTION_WEIGHTS),
        "sideways_blocks": page.evaluate(_SIDEWAYS_BLOCKS, False),
        "stranded_punctuation": page.evaluate(_STRANDED_PUNCTUATION),
    }


def phone_measurements_in_a_phone(
    browser, url: str, screenshot: Path | None = None, report: PageReport | None = None
) -> dict:
    """phone_measurements of url loaded in an emulated phone (a touch screen, a mobile
    viewport): the control for measuring a desktop page resized to PHONE (see visit).
    With ``screenshot``, the whole page is also saved there as the phone shows it; with
    ``report``, the load's console errors and failed or off-site requests go into it."""
    report = PageReport(url) if report is None else report
    blocked: list[str] = []
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    install_offline_guard(context, blocked)
    page = context.new_page()
    pending: set = set()
    _listen(page, report, [], pending)
    page.goto(url)
    _settle(page, pending)
    measured = phone_measurements(page)
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    context.close()
    report.failed_requests += [f"{u} (not 127.0.0.1)" for u in blocked]
    return measured


def visit(
    browser, root: Path, url: str, screenshot_stem: Path | None = None, axe=None
) -> PageReport:
    """Open url at desktop width, gather a PageReport, then resize the same page to phone
    width and measure it again; save screenshots if asked.

    The phone width is measured on the loaded page, resized, rather than on a second load
    in an emulated phone: the same layout at 390 px for a tenth of the time (a second
    load, settle and image decode per page). `test_a_resized_page_measures_as_a_phone`
    keeps that true: it compares both on a chapter with tables and figures. Screenshots,
    for a person to look at, come after the measurements (a full-page screenshot before a
    resize left Chromium drawing the desktop layout into the phone's width), the phone's
    from a second load in an emulated phone.
    """
    report = PageReport(url)
    blocked: list[str] = []
    finished: list[str] = []

    context = browser.new_context(viewport=DESKTOP)
    install_offline_guard(context, blocked)
    page = context.new_page()
    pending: set = set()
    _listen(page, report, finished, pending)
    page.goto(url)
    _settle(page, pending)
    report.images = page.evaluate(_WAIT_FOR_IMAGES)
    if axe is not None:
        # axe-core re-fetches stylesheets itself and resolves the theme's `@import "../basic.css"`
        # against the page, not the sheet: a 404 no reader ever gets. So what axe does is not
        # recorded: the page's own requests and console are read before it runs.
        seen = (
            list(report.console_errors),
            list(report.failed_requests),
            list(blocked),
            list(finished),
        )
        violations = axe.run(page).response["violations"]
        report.console_errors[:], report.failed_requests[:], blocked[:], finished[:] = (
            seen
        )
        report.serious_violations = [
            f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['target']}"
            for v in violations
            if v["impact"] in ("serious", "critical")
        ]
    report.broken_table_words["desktop"] = page.evaluate(_BROKEN_TABLE_WORDS)
    report.sideways_blocks["desktop"] = page.evaluate(_SIDEWAYS_BLOCKS, True)
    report.stranded_punctuation["desktop"] = page.evaluate(_STRANDED_PUNCTUATION)
    report.glue_text_problems = page.evaluate(_GLUE_TEXT)
    report.internal_links = sorted(set(page.evaluate(_INTERNAL_LINKS)))

    # Phone width, before anything below opens code toggles or darkens the page.
    page.set_viewport_size(PHONE)
    phone = phone_measurements(page)
    report.scroll_width, report.inner_width = (
        phone["scroll_width"],
        phone["inner_width"],
    )
    report.phone_figures = phone["phone_figures"]
    report.broken_table_words["phone"] = phone["broken_table_words"]
    report.sideways_blocks["phone"] = phone["sideways_blocks"]
    report.caption_weights = phone["caption_weights"]
    report.stranded_punctuation["phone"] = phone["stranded_punctuation"]
    page.set_viewport_size(DESKTOP)
    if screenshot_stem is not None:
        page.screenshot(path=f"{screenshot_stem}-desktop.png", full_page=True)

    report.code_cell_problems = page.evaluate(_CODE_CELLS)
    page.evaluate(
        "() => { const h = document.documentElement;"
        " h.dataset.theme = 'dark'; h.dataset.mode = 'dark'; }"
    )
    report.dark_backgrounds = page.evaluate(_FIGURE_BACKGROUNDS)
    context.close()
    if screenshot_stem is not None:
        phone_measurements_in_a_phone(
            browser, url, screenshot=Path(f"{screenshot_stem}-phone.png")
        )

    report.failed_requests = sorted(
        set(report.failed_requests) | {f"{u} (not 127.0.0.1)" for u in blocked}
    )
    files = {f for f in (local_file(root, u) for u in finished) if f is not None}
    report.requested_files = sorted(str(f.relative_to(root)) for f in files)
    report.gzip_bytes = sum(gzip_size(f) for f in files)
    return report


def image_problems(images: list[dict]) -> list[str]:
    """Images that do not load or lack real alt text (figures need a sentence, not a label)."""
    problems = []
    for img in images:
        src, alt = img["src"], img["alt"]
        if img["naturalWidth"] == 0:
            problems.append(f"{src}: does not load")
        text = (alt or "").strip()
        if not text:
            problems.append(f"{src}: no alt text")
        elif FILE_NAME.match(text):
            problems.append(f"{src}: alt text is a file name ({text!r})")
        elif text.lower().strip(".") in GENERIC_ALT:
            problems.append(f"{src}: alt text is a generic word ({text!r})")
        elif img["figure"] and len(text.split()) < FIGURE_ALT_MIN_WORDS:
            problems.append(f"{src}: figure alt text too short ({text!r})")
    return problems


def overflow_problem(report: PageReport) -> str | None:
    """Horizontal overflow at phone width. With mobile emulation Chromium widens the layout
    viewport to fit wide content, so innerWidth is checked against the phone width too."""
    width = PHONE["width"]
    if report.scroll_width > width + 1 or report.inner_width > width + 1:
        return f"page is {report.scroll_width} px wide (window {report.inner_width} px) on a {width} px phone"
    return None


def dark_mode_problems(backgrounds: list[dict]) -> list[str]:
    return [
        f"{b['src']}: background {b['background']} in dark mode"
        for b in backgrounds
        if b["background"] != "rgb(255, 255, 255)"
    ]


def search_result_count(browser, base_url: str, query: str) -> tuple[int, str]:
    """Run the book's own search page for query; return (number of results, summary text)."""
    context = browser.new_context(viewport=DESKTOP)
    blocked: list[str] = []
    install_offline_guard(context, blocked)
    page = context.new_page()
    page.goto(f"{base_url}search.html?q={query}")
    page.wait_for_function(
        "() => { const s = document.querySelector('.search-summary');"
        " return s !== null && /Search finished|did not match/.test(s.textContent); }",
        timeout=15_000,
    )
    count = page.locator("ul.search > li").count()
    summary = page.locator(".search-summary").inner_text()
    context.close()
    assert not blocked, blocked
    return count, summary


def phone_figure_problems(
    figures: list[dict], *, smallest_font_pt: float, dpi: float, min_text_px: float
) -> list[str]:
    """Computed figures whose smallest text is below ``min_text_px`` CSS pixels on the phone.

    A figure saved at ``dpi`` with text of ``smallest_font_pt`` points has that text
    ``smallest_font_pt * dpi / 72`` image pixels high; shown ``shown`` CSS pixels wide out of
    ``natural`` image pixels, it is ``shown / natural`` times that on the screen.
    """
    problems = []
    for fig in figures:
        text_px = fig["shown"] / fig["natural"] * smallest_font_pt * dpi / 72
        if text_px < min_text_px:
            problems.append(
                f"{fig['src']}: smallest text {text_px:.1f} px on a phone "
                f"(shown {fig['shown']:.0f} of {fig['natural']} px)"
            )
    return problems


def unresolved_links(root: Path, links: list[str]) -> list[str]:
    """Links to the book's own site whose file the build does not have."""
    return [url for url in links if local_file(root, url) is None]
