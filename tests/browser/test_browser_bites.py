"""Prove the browser checks bite: a deliberately broken page fails them, a control page passes.

The pages are in tests/fixtures/browser; they are served from a temporary copy with the
book's real book.css beside them, by the same server and visit code as the book's suite.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import browser_checks
import pytest
from browser_checks import (
    Server,
    dark_mode_problems,
    image_problems,
    overflow_problem,
    visit,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "browser"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def reports(browser, axe, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser_fixture")
    for name in ("good.html", "broken.html", "chart.png"):
        shutil.copy(FIXTURES / name, root / name)
    shutil.copy(REPO / "book" / "_static" / "book.css", root / "book.css")
    with Server(root) as server:
        yield {
            name: visit(browser, root, server.url + name, axe=axe)
            for name in ("good.html", "broken.html")
        }


def test_control_page_passes_every_check(reports):
    good = reports["good.html"]
    assert image_problems(good.images) == []
    assert good.console_errors == [] and good.failed_requests == []
    assert good.serious_violations == []
    assert overflow_problem(good) is None
    assert (
        len(good.dark_backgrounds) == 2
        and dark_mode_problems(good.dark_backgrounds) == []
    )
    assert good.requested_files == ["book.css", "chart.png", "good.html"]


def test_missing_image_and_bad_alt_text_are_caught(reports):
    problems = image_problems(reports["broken.html"].images)
    expected = [
        "missing.png: does not load",
        "chart.png: no alt text",
        "alt text is a file name ('chart.png')",
        "alt text is a generic word ('Figure')",
        "figure alt text too short ('CD19 counts')",
    ]
    for message in expected:
        assert any(message in p for p in problems), (message, problems)


def test_axe_reports_the_image_without_alt_text(reports):
    assert any(
        v.startswith("image-alt (critical)")
        for v in reports["broken.html"].serious_violations
    )


def test_external_request_and_console_error_are_caught(reports):
    broken = reports["broken.html"]
    assert any(
        "cdn.example.invalid" in r and "not 127.0.0.1" in r
        for r in broken.failed_requests
    )
    assert any("missing.png" in r for r in broken.failed_requests)
    assert any("deliberate console error" in e for e in broken.console_errors)


def test_a_request_made_after_load_is_waited_for(reports):
    """The visit settles on the page's own traffic, not on `load` alone: a file fetched
    100 ms after `load` (and missing) is still recorded."""
    assert any(
        "late-after-load.json" in r for r in reports["broken.html"].failed_requests
    )


def test_overflow_and_dark_mode_are_caught(reports):
    broken = reports["broken.html"]
    assert overflow_problem(broken) is not None
    assert dark_mode_problems(broken.dark_backgrounds)


def test_a_figure_shrunk_on_a_phone_is_caught():
    from browser_checks import phone_figure_problems

    wide = [{"src": "wide.png", "shown": 330.0, "natural": 2000}]
    fits = [{"src": "fits.png", "shown": 330.0, "natural": 900}]
    kwargs = {"smallest_font_pt": 11.0, "dpi": 144.0, "min_text_px": 7.0}
    assert phone_figure_problems(wide, **kwargs) and not phone_figure_problems(
        fits, **kwargs
    )


#: Issue #21 in miniature: a word broken in a narrow table, toggles over nothing and above the
#: title, code that scrolls sideways, a glued value in bold with stray spaces, a light caption.
BROKEN_READING = """<html><body><article>
<details class="hide above-input"><summary>Show code</summary></details>
<h1>Title</h1>
<div class="cell"><details class="hide above-input"><summary>s</summary></details><div class="cell_input"><pre style="width:200px;overflow:auto;white-space:pre">a_very_long_line_of_code_that_does_not_wrap_anywhere_at_all = 1</pre></div></div>
<table style="width:40px;table-layout:fixed"><tr><td style="word-break:break-all">abstract 475,000&nbsp;USD</td></tr></table>
<p>Seen ( <span class="pasted-text" style="font-weight:bold">1</span> in all) and a rate of <span class="pasted-text">0</span> %.</p>
<figure><figcaption style="font-weight:300">A caption</figcaption></figure>
<div class="cell_output"><pre style="width:200px;overflow:auto;white-space:pre">Printed: a line of output far too long for its box</pre></div>
<mjx-container display="true" style="display:block;width:200px;overflow:auto"><span style="display:inline-block;width:600px">C = a + b</span></mjx-container>
<p style="width:190px;font:16px monospace">aaaaaaa bbbbbbb (<span class="math"><mjx-container style="display:inline-block;width:50px">x</mjx-container></span>). and more text here.</p>
</article></body></html>"""
GOOD_READING = """<html><body><article><h1>Title</h1>
<div class="cell"><details class="hide above-input"><summary>s</summary></details><div class="cell_input"><pre>x = 1</pre></div><div class="cell_output"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></div></div>
<table style="width:300px"><tr><td>abstract 475,000 USD</td></tr></table>
<p>Seen (<span class="pasted-text">1</span> in all) and a rate of <span class="pasted-text">0</span>%.</p>
<figure><figcaption>A caption</figcaption></figure>
<div class="cell_output"><pre style="width:300px;overflow:auto">Short output</pre></div>
<mjx-container display="true" style="display:block;width:300px;overflow:auto"><span style="display:inline-block;width:120px">C = a + b</span></mjx-container>
<p style="width:190px;font:16px monospace">aaaaaaa bbbbbbb <span class="math-nowrap" style="white-space:nowrap">(<span class="math"><mjx-container style="display:inline-block;width:50px">x</mjx-container></span>).</span> and more text here.</p>
</article></body></html>"""


def _reading_checks(browser, html: str) -> dict:
    page = browser.new_page()
    page.set_content(html)
    found = {
        "words": page.evaluate(browser_checks._BROKEN_TABLE_WORDS),
        "code": page.evaluate(browser_checks._CODE_CELLS),
        "glue": page.evaluate(browser_checks._GLUE_TEXT),
        "captions": page.evaluate(browser_checks._CAPTION_WEIGHTS),
        "sideways": page.evaluate(browser_checks._SIDEWAYS_BLOCKS, True),
        "sideways_phone": page.evaluate(browser_checks._SIDEWAYS_BLOCKS, False),
        "stranded": page.evaluate(browser_checks._STRANDED_PUNCTUATION),
    }
    page.close()
    return found


def test_reading_checks_catch_what_issue_21_found(browser):
    found = _reading_checks(browser, BROKEN_READING)
    assert found["words"] == ["abstract", "475,000", "USD"]
    assert "toggle above the title" in found["code"]
    assert "toggle over a cell without output" in found["code"]
    assert any(p.startswith("code scrolls sideways") for p in found["code"])
    assert found["glue"][0] == "Seen ( 1 in all) and a rate of 0 %."
    assert "glued value in another weight: 1" in found["glue"]
    assert found["captions"] == [300]
    assert [p.split(":")[0] for p in found["sideways"]] == [
        "pre",
        "pre",
        "mjx-container",
    ]
    assert [p.split(":")[0] for p in found["sideways_phone"]] == [
        "pre",
        "mjx-container",
    ]
    assert found["sideways_phone"][0].startswith("pre: Printed: a line of output")
    assert found["stranded"] == ['"(" ends a line: aaaaaaa bbbbbbb (']


def test_reading_checks_pass_a_good_page(browser):
    found = _reading_checks(browser, GOOD_READING)
    assert found == {
        "words": [],
        "code": [],
        "glue": [],
        "captions": [400],
        "sideways": [],
        "sideways_phone": [],
        "stranded": [],
    }
