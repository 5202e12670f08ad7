"""The explorable figures' model grids, their Bokeh rendering and the BokehJS copy step.

The grids are model functions (kinetics, in_vivo, costs): each grid point must equal the
model function called at that point. The figures must give byte-identical HTML on every
run (nbval compares it), load BokehJS from the book's own _static folder and never from
another host, and reject grids they cannot draw.
"""

from __future__ import annotations

import importlib.util
import json
import re
import types
from html import escape as html_escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cart_autoimmunity import costs, cytokines, in_vivo, kinetics
from cart_autoimmunity.figures import _interactive
from cart_autoimmunity.figures import costs as cost_figures
from cart_autoimmunity.figures import in_vivo as in_vivo_figures
from cart_autoimmunity.figures import kinetics as kinetics_figures
from cart_autoimmunity.numerics import round_significant
from cart_autoimmunity.parameters.costs import CostParameters
from cart_autoimmunity.parameters.kinetics import KineticsParameters

REPO = Path(__file__).resolve().parents[1]
SMALL_MEMORY = dict(memory_factors=(0.1, 1.0), tumour_cells=(0.0, 1e11), days=400.0)
SMALL_SCHEDULE = dict(dose_counts=(1, 3), intervals_days=(7.0, 14.0))
SMALL_COSTS = {"patients_per_year": (100, 200), "in_vivo_doses": (1, 2)}


@pytest.fixture(scope="module")
def memory():
    return kinetics.memory_burden_grid(**SMALL_MEMORY)


@pytest.fixture(scope="module")
def schedule():
    return in_vivo.dose_schedule_grid(**SMALL_SCHEDULE)


# --------------------------------------------------------------------------------------------
# Chapter 4 grid: kinetics.memory_burden_grid
# --------------------------------------------------------------------------------------------
def test_memory_grid_has_one_row_per_point_factor_outermost(memory):
    grid, courses = memory
    assert grid[["autoimmune_memory_factor", "tumour_cells"]].values.tolist() == [
        [0.1, 0.0],
        [0.1, 1e11],
        [1.0, 0.0],
        [1.0, 1e11],
    ]
    assert len(courses) == 4 * (400 // 5 + 1)
    assert grid["is_default"].tolist() == [True, False, False, False]


def test_memory_grid_point_is_the_model_run_there(memory):
    grid, courses = memory
    params = KineticsParameters().replace(autoimmune_memory_factor=1.0)
    run = kinetics.simulate("autoimmune", params, days=400.0, tumour_cells=1e11)
    expected = kinetics.readouts(run, params)
    row = grid.iloc[3]
    for name in kinetics.MEMORY_GRID_READOUTS:
        assert row[name] == expected[name], name
    sampled = courses[
        (courses.autoimmune_memory_factor == 1.0) & (courses.tumour_cells == 1e11)
    ]
    on_day_100 = sampled.set_index("time_days").loc[100.0, "car_t_per_ul"]
    assert on_day_100 == run.set_index("time_days").loc[100.0, "car_t_per_ul"]


def test_memory_factor_one_with_a_lymphoma_burden_is_the_lymphoma_run(memory):
    grid, _ = memory
    lymphoma = kinetics.readouts(kinetics.simulate("lymphoma", days=400.0))
    row = grid[
        (grid.autoimmune_memory_factor == 1.0) & (grid.tumour_cells == 1e11)
    ].iloc[0]
    assert row["last_day_above_lod"] == lymphoma["last_day_above_lod"]
    assert row["b_return_day"] == lymphoma["b_return_day"]


def test_more_memory_formation_keeps_car_t_longer(memory):
    grid, _ = memory
    by = grid.set_index(["tumour_cells", "autoimmune_memory_factor"])[
        "last_day_above_lod"
    ]
    for burden in (0.0, 1e11):
        assert by.loc[(burden, 1.0)] > 2 * by.loc[(burden, 0.1)]


def test_memory_grid_thresholds_are_the_parameters(memory):
    grid, _ = memory
    params = KineticsParameters()
    assert (
        grid["detection_limit_per_ul"]
        == params.detection_limit_cells * params.cells_to_per_ul
    ).all()
    assert (grid["b_return_fraction"] == params.b_return_fraction).all()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"memory_factors": (-0.1, 1.0)}, "memory_factors must be >= 0"),
        (
            {"memory_factors": ()},
            "memory_factors must be a non-empty sequence of numbers",
        ),
        ({"memory_factors": (0.1, 0.1)}, "memory_factors must not repeat a value"),
        (
            {"tumour_cells": (float("nan"),)},
            "tumour_cells must contain only finite numbers",
        ),
        ({"sample_every_days": 0.3}, r"sample_every_days must be a multiple of 0\.25"),
        ({"sample_every_days": 0.0}, "sample_every_days must be > 0"),
        ({"days": -5.0}, "days must be > 0"),
        ({"params": "defaults"}, "params must be a KineticsParameters instance"),
    ],
)
def test_memory_grid_rejects_impossible_input(kwargs, message):
    args = {
        **SMALL_MEMORY,
        "memory_factors": (0.1,),
        "tumour_cells": (0.0,),
        "days": 30.0,
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        kinetics.memory_burden_grid(**args)


# --------------------------------------------------------------------------------------------
# Chapter 10 grid: in_vivo.dose_schedule_grid
# --------------------------------------------------------------------------------------------
def test_schedule_grid_matches_the_dose_count_sweep():
    grid, _ = in_vivo.dose_schedule_grid(dose_counts=(1, 2, 3), intervals_days=(7.0,))
    sweep = in_vivo.dose_count_sweep(3, 7.0)
    for name in (
        "last_dose_day",
        "days_b_below_1pct",
        "b_nadir_fraction",
        "b_return_day",
        "recovery_after_last_dose_days",
    ):
        assert grid[name].tolist() == sweep[name].tolist(), name


def test_schedule_grid_point_is_the_model_run_there(schedule):
    """The grid solves its schedules together: a separate run agrees to the solver's
    tolerance (far below the 4 figures the book stores), not bit for bit."""
    grid, _ = schedule
    run = in_vivo.simulate_in_vivo([0.0, 14.0, 28.0])
    expected = in_vivo.in_vivo_readouts(run)
    row = grid[(grid.doses == 3) & (grid.interval_days == 14.0)].iloc[0]
    for name in in_vivo.SCHEDULE_GRID_READOUTS:
        assert row[name] == pytest.approx(expected[name], rel=1e-6), name
    assert row["severe_crs_probability"] == pytest.approx(
        cytokines.severe_crs_probability(expected["cytokine_peak"]), rel=1e-6
    )


def test_a_single_dose_does_not_depend_on_the_interval(schedule):
    grid, _ = schedule
    single = grid[grid.doses == 1].drop(columns="interval_days")
    assert len(single) == 2 and (single.iloc[0] == single.iloc[1]).all()


def test_schedule_time_courses_keep_the_cytokine_peak(schedule):
    """Fine sampling after each dose: the drawn curve reaches the read-out's peak."""
    grid, courses = schedule
    for row in grid.itertuples():
        course = courses[
            (courses.doses == row.doses) & (courses.interval_days == row.interval_days)
        ]
        assert course["cytokine_proxy"].max() == row.cytokine_peak
        assert course["time_days"].is_monotonic_increasing


def test_coarse_sampling_would_miss_the_cytokine_peak():
    """Control for the test above: without the fine window the peak is not drawn."""
    grid, courses = in_vivo.dose_schedule_grid(
        dose_counts=(1,),
        intervals_days=(7.0,),
        sample_every_days=1.0,
        fine_days_after_dose=0.0,
    )
    assert courses["cytokine_proxy"].max() < 0.95 * grid["cytokine_peak"].iloc[0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"dose_counts": (0, 1)}, "dose_counts must be >= 1"),
        ({"dose_counts": (1.5,)}, "dose_counts must be a whole number"),
        ({"dose_counts": ()}, "dose_counts must be a non-empty sequence of numbers"),
        ({"intervals_days": (-7.0,)}, "intervals_days must be > 0"),
        (
            {"intervals_days": (7.0, 7.0)},
            "intervals_days must be non-empty without repeats",
        ),
        ({"sample_every_days": 0.25}, r"sample_every_days must be a multiple of 0\.1"),
        ({"fine_days_after_dose": -1.0}, "fine_days_after_dose must be >= 0"),
        (
            {"in_vivo_params": "defaults"},
            "in_vivo_params must be a InVivoParameters instance",
        ),
    ],
)
def test_schedule_grid_rejects_impossible_input(kwargs, message):
    with pytest.raises(ValueError, match=message):
        in_vivo.dose_schedule_grid(
            **{"dose_counts": (1,), "intervals_days": (7.0,), **kwargs}
        )


# --------------------------------------------------------------------------------------------
# Chapter 8 grid: costs.assumption_grid
# --------------------------------------------------------------------------------------------
def test_cost_grid_is_the_cost_model_at_every_point():
    grid = costs.assumption_grid(SMALL_COSTS)
    assert grid[["patients_per_year", "in_vivo_doses"]].values.tolist() == [
        [100, 1],
        [100, 2],
        [200, 1],
        [200, 2],
    ]
    for row in grid.itertuples():
        params = CostParameters(patients_per_year=row.patients_per_year)
        for modality in costs.MODALITIES:
            assert getattr(row, f"{modality}_usd") == costs.cost_per_patient(
                modality, params, row.in_vivo_doses
            )


def test_cost_grid_default_row_is_the_chapter_comparison():
    grid = costs.assumption_grid()
    assert len(grid) == np.prod([len(v) for v in costs.ASSUMPTION_GRID.values()])
    default = grid[grid.is_default]
    assert len(default) == 1
    options = costs.compare_modalities(in_vivo_doses=(1,)).set_index("modality")[
        "cost_usd"
    ]
    for modality in costs.MODALITIES:
        assert default[f"{modality}_usd"].iloc[0] == options[modality]


def test_cost_grid_spans_the_labelled_ranges():
    for name, levels in costs.ASSUMPTION_GRID.items():
        if name in costs.TORNADO_RANGES:
            low, high, _ = costs.TORNADO_RANGES[name]
            assert min(levels) == low and max(levels) == high, name


@pytest.mark.parametrize(
    "values, message",
    [
        ({}, "values must not be empty"),
        ({"no_such_cost": (1, 2)}, "unknown cost parameter 'no_such_cost' in values"),
        ({"replace": (1, 2)}, "unknown cost parameter 'replace' in values"),
        (
            {"patients_per_year": ()},
            r"values\['patients_per_year'\] must be a non-empty sequence of numbers",
        ),
        (
            {"patients_per_year": (100, 100)},
            "values for patients_per_year must be non-empty without repeats",
        ),
        (
            {"manufacturing_failure_fraction": (0.5, 1.0)},
            r"manufacturing_failure_fraction must be < 1 \(a process that always fails makes nothing\)",
        ),
        ({"in_vivo_doses": (0, 1)}, "in_vivo_doses must be >= 1"),
    ],
)
def test_cost_grid_rejects_impossible_input(values, message):
    with pytest.raises(ValueError, match=message):
        costs.assumption_grid(values)


# --------------------------------------------------------------------------------------------
# Rendering: the explorable figures (figures.kinetics, .costs, .in_vivo)
# --------------------------------------------------------------------------------------------
def _figures(memory, schedule):
    return [
        kinetics_figures.memory_persistence(*memory),
        cost_figures.cost_assumptions(costs.assumption_grid(SMALL_COSTS)),
        in_vivo_figures.in_vivo_schedules(
            *schedule, start={"doses": 3, "interval_days": 7.0}
        ),
    ]


@pytest.fixture(scope="module")
def figures(memory, schedule):
    """The three explorable figures, built once for the tests that only read them."""
    return _figures(memory, schedule)


def test_html_is_identical_on_every_call(figures, memory, schedule):
    """Bokeh's ids come from a process-wide counter and uuid4: both are renumbered."""
    first = [f.html for f in figures]
    second = [f.html for f in _figures(memory, schedule)]
    assert first == second
    for html in first:
        assert not re.search(r'"p\d{4,}"', html)
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}", html)


def test_bokehjs_comes_from_the_books_static_folder(figures):
    import bokeh

    expected = [
        f"../_static/bokeh/{bokeh.__version__}/{name}"
        for name in _interactive.BOKEH_JS_FILES
    ]
    for figure in figures:
        sources = json.loads(re.search(r"const sources = (\[.*?\]);", figure.html)[1])
        assert sources == expected
        assert "<script src=" not in figure.html, "BokehJS loads only on request"
        assert (
            "http://" not in figure.html
            and "https://" not in figure.html
            and "cdn." not in figure.html
        )


def test_the_reader_asks_for_the_figure_with_a_real_button(figures):
    for figure in figures:
        button = re.search(r'<button type="button"[^>]*>([^<]+)</button>', figure.html)
        assert button and button[1] == "Show the explorable figure"
        # Hidden until the loader script runs: without JavaScript only <noscript> shows.
        assert '<p class="explorable-start" hidden' in figure.html
        assert re.search(r"about [\d,]+ kB", figure.html)
        # Bokeh's embedding code runs inside render(), never on page load.
        assert figure.html.index("function render()") < figure.html.index(
            "Bokeh.safely"
        )


def test_the_download_size_shown_is_bokehjs_compressed():
    import gzip

    from bokeh.util.paths import bokehjs_path

    js = Path(bokehjs_path()) / "js"
    total = sum(
        len(gzip.compress((js / f).read_bytes())) for f in _interactive.BOKEH_JS_FILES
    )
    assert abs(_interactive._bokeh_download_kb() * 1000 - total) <= 10_000


def test_text_repr_is_short_and_has_no_ids(figures):
    from IPython.core.interactiveshell import InteractiveShell

    formatter = InteractiveShell.instance().display_formatter
    for figure in figures:
        data, _ = formatter.format(figure)
        assert data["text/html"] == figure.html
        text = data["text/plain"]
        assert text.startswith("ExplorableFigure(") and (
            "model runs" in text or "grid points" in text
        )
        assert len(text) < 300 and "0x" not in text and not re.search(r"\d{4}-", text)


def test_figures_say_they_show_model_runs_and_label_their_controls(figures):
    for figure in figures:
        assert "Model runs, not patient data" in figure.html
        assert "<noscript>" in figure.html
        titles = re.findall(r'"title":"([^"]+)","options"', figure.html)
        assert len(titles) == figure.html.count('"name":"Select"') >= 2
        assert all(len(t.split()) >= 2 for t in titles), titles
        assert '"aria-live","polite"' in figure.html


def test_the_first_readout_is_the_start_point(memory):
    grid, _ = memory
    chosen = kinetics_figures.memory_persistence(
        *memory, start={"autoimmune_memory_factor": 1.0, "tumour_cells": 1e11}
    )
    default = kinetics_figures.memory_persistence(*memory)
    # The page keeps converged digits only (4 significant figures).
    start_value = repr(round_significant(grid.iloc[3]["last_day_above_lod"]))
    default_value = repr(round_significant(grid.iloc[0]["last_day_above_lod"]))
    # The grid source holds every row's number; the readout and the marker line the start's.
    assert chosen.html.count(start_value) == default.html.count(start_value) + 2
    assert default.html.count(default_value) == chosen.html.count(default_value) + 2


def test_readouts_format_edge_cases():
    row = {
        "autoimmune_memory_factor": 1.0,
        "tumour_cells": 1e12,
        "last_day_above_lod": 1000.0,
        "detectable_at_end": True,
        "b_return_day": float("nan"),
        "b_return_fraction": 0.05,
    }
    text = kinetics_figures.memory_readout(row, 1000.0)
    assert "still detectable on day" in text and "not back at 5% of normal" in text
    assert (
        _interactive.format_cells(3e11) == "3 × 10¹¹"
        and _interactive.format_cells(0.0) == "none"
    )
    assert _interactive.format_thousand_usd(220_526.3) == "USD 221 thousand"
    assert _interactive.format_percent(0.194) == "19%"
    assert (
        cost_figures._js_number(37000.0) == "37000"
        and cost_figures._js_number(0.25) == "0.25"
    )


def test_schedule_readout_says_how_long_b_cells_stay_down(schedule):
    grid, _courses = schedule
    one = grid[grid["doses"] == 1].iloc[0]
    text = in_vivo_figures.schedule_readout(one)
    assert text.startswith("<p>Model run with one dose:")
    assert (
        f"below {_interactive.format_percent(one['b_depleted_fraction'])} of normal"
        in text
    )
    assert "(a model prediction)" in text
    three = grid[(grid["doses"] == 3) & (grid["interval_days"] == 7.0)].iloc[0]
    text = in_vivo_figures.schedule_readout(three)
    assert "3 doses" in text and "days apart" in text
    assert (
        f"the last on day {_interactive.format_number(three['last_dose_day'])}" in text
    )
    never = in_vivo_figures.schedule_readout(
        {**three.to_dict(), "b_return_day": float("nan")}
    )
    assert "not back at" in never and "by the end of the run" in never


def test_cost_readout_names_every_option_as_the_page_script_does():
    grid = costs.assumption_grid(SMALL_COSTS)
    row = grid[grid["is_default"]].iloc[0]
    text = cost_figures.cost_readout(row)
    assert text.startswith("<p>Model cost of goods") and text.endswith(".</p>")
    for column, label in cost_figures.COST_OPTIONS:
        assert label.lower() in text
        assert f'data-value="{cost_figures._js_number(row[column])}"' in text
        assert _interactive.format_thousand_usd(row[column]) in text
    # The figure opens on this sentence, before any list is changed.
    page = cost_figures.cost_assumptions(grid).html
    # (up to its first number, which the page rounds)
    assert as_on_page(text.split(" data-value")[0]) in page


def test_figures_reject_grids_they_cannot_draw(memory, schedule):
    grid, courses = memory
    with pytest.raises(ValueError, match="every combination"):
        kinetics_figures.memory_persistence(grid.iloc[:3], courses)
    with pytest.raises(ValueError, match="repeated"):
        kinetics_figures.memory_persistence(pd.concat([grid, grid.iloc[:1]]), courses)
    with pytest.raises(ValueError, match="lack"):
        kinetics_figures.memory_persistence(grid, courses[courses.tumour_cells == 0.0])
    with pytest.raises(ValueError, match="missing"):
        kinetics_figures.memory_persistence(grid.drop(columns="b_return_day"), courses)
    with pytest.raises(ValueError, match="not a point"):
        kinetics_figures.memory_persistence(
            grid, courses, start={"autoimmune_memory_factor": 0.5, "tumour_cells": 0.0}
        )
    with pytest.raises(ValueError, match="unknown controls"):
        in_vivo_figures.in_vivo_schedules(*schedule, start={"dose": 3})
    with pytest.raises(ValueError, match="grid is missing columns"):
        cost_figures.cost_assumptions(
            costs.assumption_grid(SMALL_COSTS)[["autologous_usd"]]
        )


# --------------------------------------------------------------------------------------------
# book/_ext/bokeh_static.py
# --------------------------------------------------------------------------------------------
def _extension():
    spec = importlib.util.spec_from_file_location(
        "bokeh_static", REPO / "book" / "_ext" / "bokeh_static.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_extension_copies_the_files_the_figures_load(tmp_path):
    import bokeh

    extension = _extension()
    assert set(_interactive.BOKEH_JS_FILES) <= set(extension.FILES)
    app = types.SimpleNamespace(
        outdir=str(tmp_path), builder=types.SimpleNamespace(format="html")
    )
    extension.copy_bokeh_static(app, None)
    target = tmp_path / "_static" / "bokeh" / bokeh.__version__
    for name in (*_interactive.BOKEH_JS_FILES, "LICENSE.txt"):
        assert (target / name).stat().st_size > 1000, name
    from bokeh.util.paths import bokehjs_path

    installed = Path(bokehjs_path()) / "js" / "bokeh.min.js"
    assert (target / "bokeh.min.js").read_bytes() == installed.read_bytes()


def test_the_extension_skips_failed_and_non_html_builds(tmp_path):
    extension = _extension()
    latex = types.SimpleNamespace(
        outdir=str(tmp_path), builder=types.SimpleNamespace(format="latex")
    )
    extension.copy_bokeh_static(latex, None)
    html = types.SimpleNamespace(
        outdir=str(tmp_path), builder=types.SimpleNamespace(format="html")
    )
    extension.copy_bokeh_static(html, RuntimeError("build failed"))
    assert not (tmp_path / "_static").exists()


def test_the_extension_is_registered_in_the_book_config():
    import yaml

    config = yaml.safe_load((REPO / "_config.yml").read_text())
    assert config["sphinx"]["local_extensions"].get("bokeh_static") == "book/_ext"


def test_the_page_stores_only_converged_digits(memory):
    from cart_autoimmunity.chapter import over_precise_numbers

    html = kinetics_figures.memory_persistence(*memory).html
    assert over_precise_numbers(html) == []


# --------------------------------------------------------------------------------------------
# The callbacks' JavaScript: figures/js/*.js, package data
# --------------------------------------------------------------------------------------------
JS = REPO / "cart_autoimmunity" / "figures" / "js"


def as_on_page(text: str) -> str:
    """``text`` as a figure's HTML stores it: in Bokeh's document JSON, inside a JavaScript
    string (backslashes doubled), HTML-escaped (``'`` too, but not ``"``)."""
    encoded = json.dumps(text)[1:-1].replace("\\", "\\\\")
    return html_escape(encoded, quote=False).replace("'", "&#x27;")


def test_every_javascript_file_is_used_and_every_used_file_exists():
    source = "".join(
        p.read_text() for p in (REPO / "cart_autoimmunity" / "figures").glob("*.py")
    )
    used = set(
        re.findall(r'(?<!\w)(?:callback_js|_js)\("([\w.]+\.js)"\)', source)
    ) | set(re.findall(r'script="([\w.]+\.js)"', source))
    assert used == {p.name for p in JS.glob("*.js")}


def test_the_pages_carry_each_callback_without_its_comments(figures):
    pages = "".join(f.html for f in figures)
    for path in JS.glob("*.js"):
        code = _interactive._js(path.name)
        assert not code.startswith("//") and code.strip()
        lines = path.read_text().splitlines()
        assert lines[0].startswith("//"), f"{path.name} should say what it does"
        if path.name == "loader.js":  # its placeholders are filled in
            continue
        assert as_on_page(code) in pages, path.name
    assert "__BOX__" not in pages and "__RENDER__" not in pages


def test_cost_options_are_named_above_their_bars_not_on_an_axis():
    """On a phone an axis of option names took a third of the chart's width (issue #21)."""
    page = cost_figures.cost_assumptions(costs.assumption_grid(SMALL_COSTS)).html
    axis = re.search(
        r'"name":"CategoricalAxis","id":"[^"]+","attributes":\{([^}]*)', page
    )
    assert axis and '"visible":false' in axis.group(1)
    names = re.findall(r'"name":"Text".*?"text":\{"type":"field","field":"(\w+)"', page)
    assert "option" in names, "each bar carries its option's name"
