"""The explorable figures in the built book: they load, respond to the keyboard and to
choices, stay accessible, and show what the Python model returns.

Run with the rest of the browser suite (`make browser`, after `make book`; BOOK_HTML points
at another build). Each chapter's figure is found by the ids that the figures package
(``figures._interactive``) gives its controls and its read-out; each check of a number
computes it afresh with the model package, so the page and the model cannot drift apart
unnoticed.
"""

from __future__ import annotations

import bokeh
import pytest
from browser_checks import DESKTOP, install_offline_guard

from cart_autoimmunity import costs, cytokines, in_vivo, kinetics
from cart_autoimmunity.figures import _interactive
from cart_autoimmunity.parameters.costs import CostParameters
from cart_autoimmunity.parameters.kinetics import KineticsParameters

pytestmark = pytest.mark.browser

#: page, figure name, its controls (grid column: visible label).
FIGURES = {
    "notebooks/04_erlangen.html": (
        "memory",
        {
            "autoimmune_memory_factor": "Memory formation (× the cancer rate)",
            "tumour_cells": "Tumour cells (extra CD19 targets)",
        },
    ),
    "notebooks/08_cost.html": (
        "cost",
        {
            "patients_per_year": "Patients a year, autologous facility",
            "doses_per_batch": "Doses per allogeneic batch",
            "in_vivo_dose_usd": "Cost of one in vivo dose",
            "in_vivo_doses": "In vivo doses per patient",
        },
    ),
    "notebooks/10_future.html": (
        "schedule",
        {
            "doses": "Number of in vivo doses",
            "interval_days": "Days between doses",
        },
    ),
}
per_figure = pytest.mark.parametrize("path", list(FIGURES))


def on_page(path: str):
    """Parametrise a check by its page alone, so that the scheduler (tests/conftest.py) runs
    it on the worker that already has that page open."""
    return pytest.mark.parametrize("path", [path])


class Opened:
    """A desktop page of the book with the offline guard on, and what it reported."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport=DESKTOP)
        self.blocked: list[str] = []
        self.problems: list[str] = []
        self.requests: list[str] = []
        install_offline_guard(self.context, self.blocked)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.problems.append(f"uncaught: {exc}"))
        self.page.on(
            "console",
            lambda msg: self.problems.append(msg.text) if msg.type == "error" else None,
        )
        self.page.on(
            "requestfinished", lambda request: self.requests.append(request.url)
        )
        self.page.goto(url)
        self.page.wait_for_load_state("load")

    def assert_clean(self) -> None:
        assert self.blocked == [], self.blocked
        assert self.problems == [], self.problems

    def show(self, name: str) -> None:
        """Once the page is idle, show its figure (:func:`show`) and record what a reader
        gets at that moment: the URLs fetched before, where the focus went, whether the
        start button is hidden."""
        self.page.wait_for_load_state("networkidle")
        self.requests_before_show = list(self.requests)
        show(self.page, name)
        self.focus_after_show = self.page.evaluate("() => document.activeElement.id")
        self.start_hidden_after_show = self.page.locator(
            f"#explorable-{name} .explorable-start"
        ).is_hidden()


@pytest.fixture(scope="session")
def _shown_pages(browser, site):
    """One page per chapter with its figure shown, shared by the checks below (loadscope
    keeps a page's checks on one worker). Each check changes the figure only through its
    controls, as a reader would, and sets every control it reads."""
    opened: dict[str, Opened] = {}
    yield opened
    for each in opened.values():
        each.context.close()


@pytest.fixture()
def figure_page(_shown_pages, browser, site):
    """figure_page(path) -> the chapter's page with its explorable figure shown (pressed
    by keyboard); after the test, no console error and no off-site request."""
    used: list[Opened] = []

    def get(path: str):
        if path not in _shown_pages:
            _shown_pages[path] = Opened(browser, site.url + path)
            _shown_pages[path].show(FIGURES[path][0])
        used.append(_shown_pages[path])
        return _shown_pages[path].page

    yield get
    for each in used:
        each.assert_clean()


def show(page, name: str) -> None:
    """Press the figure's button with the keyboard, as a reader without a mouse would."""
    box = page.locator(f"#explorable-{name}")
    box.get_by_role("button", name="Show the explorable figure").focus()
    page.keyboard.press("Enter")
    page.locator(f"#{name}-readout p").wait_for(timeout=15_000)


def _readout(page, name: str) -> str:
    return page.locator(f"#{name}-readout p").inner_text()


def _values(page, name: str) -> list[tuple[float, str]]:
    """The numbers of the read-out: (exact value, as shown)."""
    spans = page.locator(f"#{name}-readout .explorable-value")
    return [
        (float(spans.nth(k).get_attribute("data-value")), spans.nth(k).inner_text())
        for k in range(spans.count())
    ]


def _figure_image(page, name: str) -> bytes:
    return page.locator(f"#explorable-{name}").screenshot()


def _wait_for_change(page, name: str, before: str) -> str:
    """The read-out once it differs from ``before`` (Bokeh's views sit in nested shadow roots,
    which Playwright's locators pierce and document.querySelector does not)."""
    from playwright.sync_api import expect

    expect(page.locator(f"#{name}-readout p")).not_to_have_text(before, timeout=5_000)
    return _readout(page, name)


@per_figure
def test_bokehjs_loads_from_the_book_only_when_asked(figure_page, _shown_pages, path):
    """The plotting library is heavier than the rest of a chapter page: readers opt in."""
    name = FIGURES[path][0]
    figure_page(path)
    opened = _shown_pages[path]
    assert not [url for url in opened.requests_before_show if "/_static/bokeh/" in url]
    loaded = sorted(
        url.split("/_static/", 1)[1]
        for url in opened.requests
        if "/_static/bokeh/" in url
    )
    version = bokeh.__version__
    assert loaded == sorted(f"bokeh/{version}/{f}" for f in _interactive.BOKEH_JS_FILES)
    assert opened.start_hidden_after_show
    assert opened.focus_after_show == f"explorable-{name}"


@per_figure
def test_the_figure_says_it_shows_model_runs(figure_page, path):
    page = figure_page(path)
    name = FIGURES[path][0]
    box = page.locator(f"#explorable-{name}")
    assert "Model runs, not patient data" in box.inner_text()
    assert "model" in _readout(page, name).lower()


@per_figure
def test_every_control_has_a_label_and_responds_to_the_keyboard(figure_page, path):
    page = figure_page(path)
    name, controls = FIGURES[path]
    for column, label in controls.items():
        select = page.get_by_label(label, exact=True)
        assert select.count() == 1, f"no control labelled {label!r}"
        assert select.evaluate("el => el.tagName") == "SELECT"
        before_text, before_image = _readout(page, name), _figure_image(page, name)
        select.focus()
        at_end = select.evaluate("el => el.selectedIndex === el.options.length - 1")
        page.keyboard.press("ArrowUp" if at_end else "ArrowDown")
        after_text = _wait_for_change(page, name, before_text)
        assert after_text != before_text, column
        if column != "interval_days":  # a single dose looks the same at every interval
            assert _figure_image(page, name) != before_image, (
                f"{column}: the plot did not change"
            )
        page.keyboard.press("ArrowDown" if at_end else "ArrowUp")
        assert _wait_for_change(page, name, after_text) == before_text, (
            f"{column}: not reversible"
        )


@per_figure
def test_no_serious_accessibility_violations_after_a_change(
    figure_page, _shown_pages, axe, path
):
    page = figure_page(path)
    name, controls = FIGURES[path]
    label = next(iter(controls.values()))
    before = _readout(page, name)
    select = page.get_by_label(label, exact=True)
    last = select.evaluate("el => el.options.length - 1")
    select.select_option(
        index=0 if select.evaluate("el => el.selectedIndex") == last else last
    )
    _wait_for_change(page, name, before)
    # axe re-fetches stylesheets itself (a 404 no reader gets: see browser_checks.visit), so
    # what it does is not counted as the page's own console errors. It checks the figure,
    # what the change redrew: the rest of the page had its check on the page's visit.
    violations = _figure_violations(axe, page, _shown_pages[path], name)
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []


def _figure_violations(axe, page, opened, name: str) -> list[dict]:
    """axe's violations inside the figure ``name`` (what a change redraws: the rest of the
    page had its check on the page's visit). axe re-fetches stylesheets itself (a 404 no
    reader gets: see browser_checks.visit), so what it does is not counted as the page's
    own console errors."""
    seen = list(opened.problems)
    try:
        return axe.run(page, context=f"#explorable-{name}").response["violations"]
    finally:
        opened.problems[:] = seen


@on_page("notebooks/10_future.html")
def test_the_figure_accessibility_check_finds_an_unlabelled_control(
    figure_page, _shown_pages, axe, path
):
    """The check above bites inside the figure: an unlabelled control put there is found."""
    page = figure_page(path)
    name = FIGURES[path][0]
    page.evaluate(
        "box => { const s = document.createElement('select');"
        " s.id = 'unlabelled-bite'; s.add(new Option('a'));"
        " document.querySelector(box).appendChild(s); }",
        f"#explorable-{name}",
    )
    try:
        found = _figure_violations(axe, page, _shown_pages[path], name)
    finally:
        page.evaluate("() => document.getElementById('unlabelled-bite').remove()")
    assert "select-name" in [v["id"] for v in found]


def _choose(page, name: str, controls: dict, choices: dict) -> None:
    """Set each control to the option with the given visible text, as a reader would."""
    for column, text in choices.items():
        before = _readout(page, name)
        select = page.get_by_label(controls[column], exact=True)
        if select.evaluate("(el, t) => el.options[el.selectedIndex].text === t", text):
            continue
        select.select_option(label=text)
        _wait_for_change(page, name, before)


def _assert_shown(
    values: list[tuple[float, str]], expected: list[tuple[float, str]]
) -> None:
    assert len(values) == len(expected)
    for (value, shown), (model, model_shown) in zip(values, expected, strict=True):
        # The page stores converged digits only (4 significant figures).
        assert value == pytest.approx(model, rel=5e-4)
        assert shown == model_shown


@on_page("notebooks/04_erlangen.html")
def test_chapter_4_shows_the_model_run_at_a_grid_point(figure_page, path):
    page = figure_page(path)
    name, controls = FIGURES[path]
    _choose(
        page,
        name,
        controls,
        {
            "autoimmune_memory_factor": "0.5",
            "tumour_cells": _interactive.format_cells(1e11),
        },
    )
    params = KineticsParameters().replace(autoimmune_memory_factor=0.5)
    out = kinetics.readouts(
        kinetics.simulate("autoimmune", params, days=1000.0, tumour_cells=1e11), params
    )
    assert not out["detectable_at_end"]
    _assert_shown(
        _values(page, name),
        [
            (0.5, "0.5"),
            (
                out["last_day_above_lod"],
                _interactive.format_number(out["last_day_above_lod"]),
            ),
            (out["b_return_day"], _interactive.format_number(out["b_return_day"])),
        ],
    )


@on_page("notebooks/08_cost.html")
def test_chapter_8_shows_the_cost_model_at_a_grid_point(figure_page, path):
    page = figure_page(path)
    name, controls = FIGURES[path]
    _choose(
        page,
        name,
        controls,
        {
            "patients_per_year": "700",
            "doses_per_batch": "350",
            "in_vivo_dose_usd": "USD 15,000",
            "in_vivo_doses": "4",
        },
    )
    params = CostParameters().replace(
        patients_per_year=700, doses_per_batch=350, in_vivo_dose_usd=15_000
    )
    model = [costs.cost_per_patient(m, params, 4) for m in costs.MODALITIES]
    _assert_shown(
        _values(page, name), [(v, _interactive.format_thousand_usd(v)) for v in model]
    )


@on_page("notebooks/10_future.html")
def test_chapter_10_shows_the_model_run_at_a_grid_point(figure_page, path):
    page = figure_page(path)
    name, controls = FIGURES[path]
    _choose(page, name, controls, {"doses": "4", "interval_days": "14"})
    out = in_vivo.in_vivo_readouts(in_vivo.simulate_in_vivo([0.0, 14.0, 28.0, 42.0]))
    risk = cytokines.severe_crs_probability(out["cytokine_peak"])
    _assert_shown(
        _values(page, name),
        [
            (14.0, "14"),
            (
                out["days_b_below_1pct"],
                _interactive.format_number(out["days_b_below_1pct"]),
            ),
            (out["b_return_day"], _interactive.format_number(out["b_return_day"])),
            (out["cytokine_peak"], _interactive.format_number(out["cytokine_peak"])),
            (risk, _interactive.format_percent(risk)),
        ],
    )


def test_a_wrong_model_value_would_be_caught():
    """Control for the three tests above: a changed model number fails the comparison."""
    with pytest.raises(AssertionError):
        _assert_shown([(96.006, "96")], [(97.5, "98")])
    with pytest.raises(AssertionError):
        _assert_shown([(96.006, "96")], [(96.006, "97")])
