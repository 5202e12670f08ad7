"""Open every page of the book's TOC in headless Chromium and check what a reader gets.

Run with `make browser` (after `make book`). Each check is its own test per page; the page is
visited once (loaded at desktop width, then resized to phone width) and the report is shared
by the checks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_checks import (
    MAX_PAGE_BYTES,
    PageReport,
    dark_mode_problems,
    image_problems,
    overflow_problem,
    phone_figure_problems,
    phone_measurements_in_a_phone,
    search_result_count,
    toc_pages,
    unresolved_links,
)

from cart_autoimmunity.figures import style  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
PAGES = toc_pages(REPO)

pytestmark = pytest.mark.browser
per_page = pytest.mark.parametrize("path", PAGES)


def test_the_toc_lists_the_chapters():
    assert len(PAGES) >= 10 and PAGES[0] == "book/intro.html"


@per_page
def test_page_exists(site_root, path):
    assert (site_root / path).is_file(), f"{path} is in _toc.yml but was not built"


@per_page
def test_no_console_errors(page_report, path):
    assert page_report(path).console_errors == []


@per_page
def test_no_failed_or_external_requests(page_report, path):
    assert page_report(path).failed_requests == []


@per_page
def test_images_load_and_have_alt_text(page_report, path):
    assert image_problems(page_report(path).images) == []


@per_page
def test_no_serious_accessibility_violations(page_report, path):
    assert page_report(path).serious_violations == []


@per_page
def test_no_horizontal_overflow_on_a_phone(page_report, path):
    assert overflow_problem(page_report(path)) is None


#: A chapter with wide tables (costs in USD), figures and an explorable figure.
RESIZE_CONTROL_PAGE = "notebooks/08_cost.html"


def test_a_resized_page_measures_as_a_phone(page_report, browser, site):
    """The phone checks measure the desktop page resized to 390 px (browser_checks.visit):
    on a real chapter, that gives what the same page loaded in an emulated phone (touch,
    mobile viewport) gives, field by field; and loading it as a phone logs no error and
    fails no request (the per-page checks of those read the desktop load)."""
    report = page_report(RESIZE_CONTROL_PAGE)
    url = site.url + RESIZE_CONTROL_PAGE
    loaded = PageReport(url)
    phone = phone_measurements_in_a_phone(browser, url, report=loaded)
    assert loaded.console_errors == [] and loaded.failed_requests == []
    assert report.phone_figures, "the control page shows figures"
    assert {
        "scroll_width": report.scroll_width,
        "inner_width": report.inner_width,
        "phone_figures": report.phone_figures,
        "broken_table_words": report.broken_table_words["phone"],
        "caption_weights": report.caption_weights,
        "sideways_blocks": report.sideways_blocks["phone"],
        "stranded_punctuation": report.stranded_punctuation["phone"],
    } == phone


@per_page
def test_figure_text_is_legible_on_a_phone(page_report, path):
    """Measured: how wide each computed figure is shown on the phone, against its pixels."""
    problems = phone_figure_problems(
        page_report(path).phone_figures,
        smallest_font_pt=style.SMALL_FONT_PT,
        dpi=style.FIGURE_DPI,
        min_text_px=style.MIN_PHONE_TEXT_PX,
    )
    assert problems == []


@per_page
def test_figures_have_a_white_background_in_dark_mode(page_report, path):
    report = page_report(path)
    if not report.dark_backgrounds:
        pytest.skip("no figure images on this page")
    assert dark_mode_problems(report.dark_backgrounds) == []


@per_page
def test_page_weight(page_report, path):
    report = page_report(path)
    assert path in report.requested_files, "the page itself should be counted"
    assert report.gzip_bytes <= MAX_PAGE_BYTES, (
        f"{report.gzip_bytes} B gzip: {report.requested_files}"
    )


@per_page
def test_screenshots_saved(page_report, screenshots, path):
    if screenshots is None:
        pytest.skip("screenshots not asked for (BOOK_SCREENSHOTS=1, make screenshots)")
    page_report(path)
    stem = path.removesuffix(".html").replace("/", "__")
    for width in ("desktop", "phone"):
        shot = screenshots / f"{stem}-{width}.png"
        assert shot.is_file() and shot.stat().st_size > 1000, shot


def test_search_finds_cd19(browser, site):
    count, summary = search_result_count(browser, site.url, "CD19")
    assert count >= 1, summary


def test_search_control_finds_nothing_for_a_nonsense_word(browser, site):
    """Control: the result counter reads 0 when nothing matches, so the test above can fail."""
    count, summary = search_result_count(browser, site.url, "qzxjvwk")
    assert count == 0 and "did not match" in summary, summary


@per_page
def test_no_table_word_breaks_across_lines(page_report, path):
    """At 1280 and 390 px: no word or number of a table cell is split over two lines."""
    assert page_report(path).broken_table_words == {"desktop": [], "phone": []}


@per_page
def test_no_equation_output_or_listing_scrolls_sideways(page_report, path):
    """At 1280 and 390 px: every display equation, printed output and code listing in the
    text fits its column (code cells may scroll at 390 px; at 1280 px they wrap)."""
    assert page_report(path).sideways_blocks == {"desktop": [], "phone": []}


@per_page
def test_no_parenthesis_is_left_alone_at_a_line_break(page_report, path):
    """At 1280 and 390 px: no "(" ends a line right before inline maths, and no ")" or
    other punctuation touching the maths starts the next one (book/_ext/math_nowrap.py)."""
    assert page_report(path).stranded_punctuation == {"desktop": [], "phone": []}


@per_page
def test_code_toggles_only_over_output_and_code_does_not_scroll(page_report, path):
    assert page_report(path).code_cell_problems == []


@per_page
def test_glued_values_sit_in_their_sentence(page_report, path):
    assert page_report(path).glue_text_problems == []


@per_page
def test_every_internal_link_resolves(page_report, site_root, path):
    report = page_report(path)
    assert any(link.endswith("favicon.svg") for link in report.internal_links)
    assert unresolved_links(site_root, report.internal_links) == []


@per_page
def test_captions_are_not_in_a_light_weight(page_report, path):
    assert all(weight >= 400 for weight in page_report(path).caption_weights)
