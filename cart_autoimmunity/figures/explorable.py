"""Explorable figures for the HTML book: precomputed model grids, drawn with Bokeh.

Each function takes the tidy tables of a model grid (one row per grid point, made by the
model modules: :func:`kinetics.memory_burden_grid`, :func:`costs.assumption_grid`,
:func:`in_vivo.dose_schedule_grid`) and returns an :class:`ExplorableFigure`. In the book's
web page it is a Bokeh layout with one labelled drop-down list per grid dimension; a
``CustomJS`` callback looks the chosen point up in the grid, so no kernel is needed. The
JavaScript lives in ``figures/js/*.js`` (package data, read with :mod:`importlib.resources`):
``find_row.js`` (the shared look-up), one callback per figure named after its function, and
``loader.js`` (loads BokehJS when the reader asks). Bokeh itself is imported only inside the
functions that draw, so importing the package never loads it. The
sentence under the plots (the read-out) is written here in Python for every grid point, and
carries each number's exact value in a ``data-value`` attribute.

BokehJS is served by the book itself, never by a CDN: ``book/_ext/bokeh_static.py`` copies
the installed bokeh's own ``bokeh.min.js`` and ``bokeh-widgets.min.js`` into
``_static/bokeh/<version>/``, and the figure loads them by a path relative to its page
(:data:`BOKEH_ROOT`, right for pages one folder below the site root such as
``notebooks/04_erlangen.html``).

The HTML is byte-identical between runs: Bokeh's model ids (a process-wide counter) and its
random document and element ids are renumbered in order of appearance under the figure's
name. The text/plain repr is a short description without ids.

The static matplotlib figure stays in each chapter for the PDF and for readers without
JavaScript; an explorable figure is an addition.
"""

from __future__ import annotations

import functools
import gzip
import html
import json
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .. import numerics, validation
from .style import OKABE_ITO, QUANTITY_COLOURS

#: Where the page finds ``_static/bokeh/<version>/`` (relative to a page in notebooks/ or book/).
BOKEH_ROOT = "../_static/bokeh"
#: BokehJS bundles an explorable figure loads (copied into the build by book/_ext/bokeh_static.py).
BOKEH_JS_FILES = ("bokeh.min.js", "bokeh-widgets.min.js")

_NOTE = (
    "Model runs, not patient data: every setting shows a run of the book's model, computed "
    "when the chapter was built. Choose a value in each list; the plots and the sentence "
    "under them change."
)
_NOSCRIPT = (
    "This explorable figure needs JavaScript. The static figure of this section shows "
    "the same model."
)
#: Shown where the book's stylesheet is absent (Jupyter, Colab); book.css hides it on the page.
_OFFLINE = "Runs in the book's web page; the static figure above shows the same."
_BOX_STYLE = (
    "background:#ffffff;color:#1a1a1a;border:1px solid #d0d0d0;border-radius:4px;"
    "padding:0.75rem;margin:1rem 0;max-width:100%;overflow:hidden"
)
_CONTROL_CSS = (
    ":host { color: #1a1a1a; } label { font-weight: 600; }"
    " select { color: #1a1a1a; background-color: #ffffff; }"
)
_READOUT_CSS = ":host { color: #1a1a1a; font-size: 0.95rem; line-height: 1.45; }"
#: A decimal number with three or more decimals (it may carry unconverged digits).
_LONG_FLOAT = re.compile(r"(?<![\w.])-?\d+\.\d{3,}(?:[eE][-+]?\d+)?(?![\w.])")
_ID = re.compile(
    r'"(p\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"'
)

_BUTTON_STYLE = (
    "background:#0072B2;color:#ffffff;border:none;border-radius:4px;padding:0.4rem 0.9rem;"
    "font-size:1rem;cursor:pointer"
)


def _js(file: str) -> str:
    """The JavaScript of ``js/<file>`` (package data), without its leading ``//`` comment lines.

    The comments document the file; the page's HTML carries only the code.
    """
    text = resources.files(__package__).joinpath("js", file).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("//"):
        lines.pop(0)
    return "".join(lines)


def _callback_js(file: str) -> str:
    """A figure's ``CustomJS`` code: the shared row look-up, then ``js/<file>``."""
    return "\n" + _js("find_row.js") + "\n" + _js(file)


class ExplorableFigure:
    """An interactive figure: HTML for the book's page, a short deterministic text otherwise."""

    def __init__(self, name: str, title: str, html_text: str, summary: str):
        self.name, self.title, self.html, self.summary = name, title, html_text, summary

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.summary


# --------------------------------------------------------------------------------------------
# Formatting (public so that tests format a fresh model value exactly as the page does)
# --------------------------------------------------------------------------------------------
def _require_row(row) -> None:
    """A grid row: a mapping or a pandas Series (``grid.iloc[i]``)."""
    if not isinstance(row, (Mapping, pd.Series)):
        raise TypeError(f"row must be a mapping or a Series, got {type(row).__name__}")


def format_number(value: float, digits: int = 0) -> str:
    """``value`` with thousands separators and ``digits`` decimals ("n/a" if not finite:
    a read-out the run never reached, such as a B-cell return after the end)."""
    digits = validation.require_integer("digits", digits, minimum=0, maximum=17)
    if value is None:
        return "n/a"
    if not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a number, got {type(value).__name__}")
    if not math.isfinite(float(value)):
        return "n/a"
    return f"{float(value):,.{digits}f}"


def format_thousand_usd(value: float) -> str:
    """USD ``value`` in thousands, as on the page: ``"USD 221 thousand"``."""
    value = validation.require_non_negative("value", value)
    return f"USD {format_number(value / 1000.0)} thousand"


def format_percent(fraction: float) -> str:
    """A fraction as a whole percentage: ``0.194 -> "19%"``."""
    fraction = validation.require_fraction("fraction", fraction)
    return f"{format_number(100.0 * fraction)}%"


def format_cells(value: float) -> str:
    """A cell count as "none" or "3 × 10^11" with a superscript exponent."""
    value = validation.require_non_negative("value", value)
    if value == 0:
        return "none"
    exponent = int(math.floor(math.log10(value)))
    mantissa = value / 10.0**exponent
    superscript = str(exponent).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    lead = "" if math.isclose(mantissa, 1.0) else f"{mantissa:g} × "
    return f"{lead}10{superscript}"


def _value(value: float, shown: str) -> str:
    """A number as the reader sees it, with its exact value for tests and tools."""
    return (
        f'<span class="explorable-value" data-value="{float(value)!r}">{shown}</span>'
    )


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------
def _levels(frame: pd.DataFrame, column: str) -> list:
    return sorted(frame[column].unique().tolist())


def _start_row(
    grid: pd.DataFrame, columns: Sequence[str], start: Mapping | None
) -> int:
    if start is not None:
        validation.require_mapping("start", start)
        unknown = set(start) - set(columns)
        if unknown:
            raise ValueError(
                f"start names unknown controls {sorted(unknown)}; use {list(columns)}"
            )
        mask = np.ones(len(grid), dtype=bool)
        for name, value in start.items():
            mask &= np.isclose(grid[name].to_numpy(dtype=float), float(value))
        if not mask.any():
            raise ValueError(f"start {dict(start)!r} is not a point of the grid")
        return int(np.flatnonzero(mask)[0])
    if "is_default" in grid.columns and grid["is_default"].any():
        return int(np.flatnonzero(grid["is_default"].to_numpy())[0])
    return 0


def _check_grid(grid: pd.DataFrame, controls: Sequence[str]) -> None:
    if grid.duplicated(subset=list(controls)).any():
        raise ValueError(f"grid has repeated points of {list(controls)}")
    expected = math.prod(grid[c].nunique() for c in controls)
    if len(grid) != expected:
        raise ValueError(
            f"grid must hold every combination of {list(controls)}: "
            f"{len(grid)} rows, expected {expected}"
        )


#: Significant figures of drawn curves: a pixel on the plot is coarser, and thousands of
#: curve points at 4 figures would put some of them on a rounding edge that numerical
#: noise (another processor, tighter tolerances) tips over.
CURVE_FIGURES = 3


def _rounded(values, floor: float | None = None, step: float | None = None) -> list:
    """Curve values for the page, at :data:`CURVE_FIGURES` significant figures.

    ``floor`` keeps log axes finite (values below it are drawn at it); ``step`` rounds
    values on a linear axis to multiples of it first, so that values near zero, which carry
    only solver noise, are drawn as zero.
    """
    array = np.asarray(values, dtype=float)
    if floor is not None:
        array = np.maximum(array, floor)
    if step is not None:
        array = np.round(array / step) * step
    return [numerics.round_significant(v, CURVE_FIGURES) for v in array]


def _linear_step(curves) -> float:
    """A rounding step for curves on one linear axis: a thousandth of their maximum's decade."""
    top = max((float(np.max(np.abs(c))) for c in curves), default=0.0)
    return 10.0 ** (np.floor(np.log10(top)) - 3) if top > 0 else 1.0


def _controls(name: str, grid: pd.DataFrame, controls: Sequence[tuple], row: int):
    """One Bokeh Select per grid column; option values are level indices."""
    from bokeh.models import Select

    selects, level_columns, index_columns = [], [], {}
    for column, label, fmt in controls:
        levels = _levels(grid, column)
        index = {level: k for k, level in enumerate(levels)}
        index_columns[f"level_{column}"] = [index[v] for v in grid[column].tolist()]
        level_columns.append(f"level_{column}")
        selects.append(
            Select(
                title=label,
                options=[(str(k), fmt(level)) for k, level in enumerate(levels)],
                value=str(index[grid[column].iloc[row]]),
                width=250,
                html_id=f"{name}-{column}",
                stylesheets=[_CONTROL_CSS],
                margin=(0, 16, 8, 0),
            )
        )
    return selects, level_columns, index_columns


def _plot(
    title: str,
    x_label: str,
    y_label: str,
    description: str,
    *,
    y_log: bool,
    x_range=None,
    y_range=None,
    height: int = 230,
):
    from bokeh.plotting import figure

    kwargs = {"y_axis_type": "log"} if y_log else {}
    if x_range is not None:
        kwargs["x_range"] = x_range
    if y_range is not None:
        kwargs["y_range"] = y_range
    plot = figure(
        title=title,
        height=height,
        sizing_mode="stretch_width",
        toolbar_location=None,
        tools="",
        x_axis_label=x_label,
        y_axis_label=y_label,
        html_attributes={"role": "img", "aria-label": description},
        **kwargs,
    )
    plot.title.text_font_size = "13px"
    plot.axis.axis_label_text_font_style = "normal"
    plot.outline_line_color = None
    return plot


def _reference(plot, value: float, text: str, x: float) -> None:
    """A dashed horizontal reference line with its name written above its right end."""
    from bokeh.models import Label, Span

    plot.add_layout(
        Span(
            location=value,
            dimension="width",
            line_dash="dashed",
            line_color=OKABE_ITO["grey"],
            line_width=1.5,
        )
    )
    plot.add_layout(
        Label(
            x=x,
            y=value,
            text=text,
            text_align="right",
            text_baseline="bottom",
            text_font_size="11px",
            text_color="#4d4d4d",
            y_offset=2,
        )
    )


def _legend_below(plot, label: str, renderer) -> None:
    """A one-entry legend under the plot, where it cannot cover data on a phone."""
    from bokeh.models import Legend

    legend = Legend(
        items=[(label, [renderer])], location="center", orientation="horizontal"
    )
    legend.label_text_font_size = "11px"
    legend.border_line_color = None
    plot.add_layout(legend, "below")


def _embed(name: str, title: str, layout, summary: str) -> ExplorableFigure:
    """The page's HTML: a button that loads BokehJS from the book's own _static and then
    draws the layout (ids renumbered, so the HTML is the same on every run)."""
    import bokeh
    from bokeh.embed import components

    # Bokeh's own embedding code, unwrapped: it runs once the loader below has BokehJS.
    render_js, div = components(layout, wrap_script=False)
    mapping: dict[str, str] = {}

    def renumber(match: re.Match) -> str:
        old = match.group(1)
        if old not in mapping:
            mapping[old] = f"{name}-{len(mapping) + 1}"
        return f'"{mapping[old]}"'

    div, render_js = _ID.sub(renumber, div), _ID.sub(renumber, render_js)
    root = f"{BOKEH_ROOT}/{bokeh.__version__}"
    sources = [f"{root}/{file}" for file in BOKEH_JS_FILES]
    loader = (
        _js("loader.js")
        .rstrip("\n")
        .replace("__BOX__", f"explorable-{name}")
        .replace("__SOURCES__", json.dumps(sources))
        .replace("__RENDER__", render_js.replace("</", "<\\/"))
    )
    page = (
        f'<div class="explorable" id="explorable-{name}" tabindex="-1" style="{_BOX_STYLE}">'
        f'<p style="margin:0 0 0.25rem 0"><strong>{html.escape(title)}</strong></p>'
        f'<p style="margin:0 0 0.75rem 0;font-size:0.9rem">{html.escape(_NOTE)}</p>'
        f"<noscript><p>{html.escape(_NOSCRIPT)}</p></noscript>"
        f'<p class="explorable-offline" style="margin:0">{html.escape(_OFFLINE)}</p>'
        f'<p class="explorable-start" hidden style="margin:0">'
        f'<button type="button" class="explorable-load" style="{_BUTTON_STYLE}">'
        f"Show the explorable figure</button> "
        f'<span style="font-size:0.9rem">(loads the plotting library, about '
        f"{_bokeh_download_kb():,} kB)</span></p>"
        f"{div}<script>{loader}</script></div>"
    )
    # Only converged digits: nbval compares this HTML, and the data behind it comes from ODE
    # solves whose last digits differ between processors.
    page = _LONG_FLOAT.sub(
        lambda m: repr(numerics.round_significant(float(m.group()))), page
    )
    return ExplorableFigure(name, title, page, summary)


@functools.lru_cache(maxsize=1)
def _bokeh_download_kb() -> int:
    """What a reader downloads for BokehJS, gzip-compressed, rounded to 10 kB."""
    from bokeh.util.paths import bokehjs_path

    js = Path(bokehjs_path()) / "js"
    total = sum(
        len(gzip.compress((js / f).read_bytes(), compresslevel=6, mtime=0))
        for f in BOKEH_JS_FILES
    )
    return int(round(total / 10_000.0) * 10)


def _layout(selects, plots, readout):
    from bokeh.layouts import column, row

    controls = row(*selects, sizing_mode="stretch_width", styles={"flex-wrap": "wrap"})
    return column(controls, *plots, readout, sizing_mode="stretch_width")


def _readout(name: str, text: str):
    from bokeh.models import Div

    return Div(
        text=text,
        html_id=f"{name}-readout",
        html_attributes={"aria-live": "polite"},
        sizing_mode="stretch_width",
        stylesheets=[_READOUT_CSS],
    )


# --------------------------------------------------------------------------------------------
# Chapter 4: memory formation and target burden against CAR T persistence
# --------------------------------------------------------------------------------------------
MEMORY_GRID_COLUMNS = (
    "autoimmune_memory_factor",
    "tumour_cells",
    "last_day_above_lod",
    "detectable_at_end",
    "b_return_day",
    "detection_limit_per_ul",
    "b_return_fraction",
)
MEMORY_COURSE_COLUMNS = (
    "autoimmune_memory_factor",
    "tumour_cells",
    "time_days",
    "car_t_per_ul",
    "b_cells_fraction_of_normal",
)


def memory_readout(row: Mapping, horizon_days: float) -> str:
    """The sentence under chapter 4's explorable figure for one grid row (HTML)."""
    _require_row(row)
    validation.require_positive("horizon_days", horizon_days)
    factor, burden = row["autoimmune_memory_factor"], row["tumour_cells"]
    tumour = (
        "no tumour cells" if burden == 0 else f"{format_cells(burden)} tumour cells"
    )
    lead = (
        f"Model run with memory formation at {_value(factor, f'{factor:g}')} × the cancer "
        f"rate and {tumour}: "
    )
    if row["detectable_at_end"]:
        car = (
            f"CAR T cells are still detectable on day "
            f"{_value(row['last_day_above_lod'], format_number(horizon_days))}, the end of the run"
        )
    else:
        car = (
            f"CAR T cells are last detectable on day "
            f"{_value(row['last_day_above_lod'], format_number(row['last_day_above_lod']))}"
        )
    threshold = format_percent(row["b_return_fraction"])
    if math.isfinite(row["b_return_day"]):
        back = (
            f"B cells are back at {threshold} of normal on day "
            f"{_value(row['b_return_day'], format_number(row['b_return_day']))}."
        )
    else:
        back = f"B cells are not back at {threshold} of normal within the run."
    return f"<p>{lead}{car}; {back}</p>"


def memory_persistence(
    grid: pd.DataFrame, time_courses: pd.DataFrame, *, start: Mapping | None = None
) -> ExplorableFigure:
    """Chapter 4: CAR T cells and B cells of the run chosen by memory formation and target burden.

    ``grid`` and ``time_courses`` are the two tables of :func:`kinetics.memory_burden_grid`.
    ``start`` picks the first point shown (default: the ``is_default`` row).
    """
    from bokeh.models import ColumnDataSource, CustomJS, Range1d, Span

    name = "memory"
    validation.require_columns("grid", grid, MEMORY_GRID_COLUMNS)
    validation.require_columns("time_courses", time_courses, MEMORY_COURSE_COLUMNS)
    keys = ["autoimmune_memory_factor", "tumour_cells"]
    _check_grid(grid, keys)
    grid = grid.reset_index(drop=True)
    row = _start_row(grid, keys, start)
    courses = {k: g for k, g in time_courses.groupby(keys, sort=False)}
    missing = [
        k for k in grid[keys].itertuples(index=False, name=None) if k not in courses
    ]
    if missing:
        raise ValueError(f"time_courses lack the grid points {missing[:3]}")
    time = courses[tuple(grid.loc[0, keys])]["time_days"].to_numpy()
    if any(
        not np.array_equal(c["time_days"].to_numpy(), time) for c in courses.values()
    ):
        raise ValueError("every time course must share the same days")
    horizon = float(time[-1])
    car_floor, b_floor = 1e-3, 1e-4
    car = [
        _rounded(courses[k]["car_t_per_ul"], car_floor)
        for k in grid[keys].itertuples(index=False, name=None)
    ]
    b_pct = [
        _rounded(100 * courses[k]["b_cells_fraction_of_normal"], 100 * b_floor)
        for k in grid[keys].itertuples(index=False, name=None)
    ]
    lod = float(grid["detection_limit_per_ul"].iloc[0])
    threshold_pct = 100 * float(grid["b_return_fraction"].iloc[0])

    selects, level_names, level_data = _controls(
        name,
        grid,
        [
            (
                "autoimmune_memory_factor",
                "Memory formation (× the cancer rate)",
                lambda v: f"{v:g}",
            ),
            ("tumour_cells", "Tumour cells (extra CD19 targets)", format_cells),
        ],
        row,
    )
    readouts = [memory_readout(r, horizon) for r in grid.to_dict("records")]
    return_days = [float(v) if math.isfinite(v) else None for v in grid["b_return_day"]]
    store = ColumnDataSource(
        {
            **level_data,
            "car": car,
            "b": b_pct,
            "readout": readouts,
            "last_day": grid["last_day_above_lod"].tolist(),
            "return_day": return_days,
        }
    )
    shown = ColumnDataSource({"t": time.tolist(), "car": car[row], "b": b_pct[row]})

    x_range = Range1d(0, horizon)
    car_top = 10 ** math.ceil(math.log10(max(max(c) for c in car)))
    car_plot = _plot(
        "CAR T cells in blood (model)",
        "Days after infusion",
        "CAR T cells per µL",
        "Line chart of the chosen model run's CAR T cells in blood over time, on a "
        "log scale, with the detection limit as a dashed line.",
        y_log=True,
        x_range=x_range,
        y_range=Range1d(car_floor, car_top),
    )
    car_plot.line(
        "t", "car", source=shown, line_width=2.5, color=QUANTITY_COLOURS["car_t"]
    )
    _reference(car_plot, lod, "detection limit (assumed)", 0.98 * horizon)
    last_span = Span(
        location=grid.loc[row, "last_day_above_lod"],
        dimension="height",
        line_dash="dotted",
        line_color=QUANTITY_COLOURS["car_t"],
    )
    car_plot.add_layout(last_span)
    b_plot = _plot(
        "B cells (model)",
        "Days after infusion",
        "B cells, % of normal",
        "Line chart of the chosen model run's B cells as a percentage of normal over "
        "time, on a log scale, with the return threshold as a dashed line.",
        y_log=True,
        x_range=x_range,
        y_range=Range1d(100 * b_floor, 200),
    )
    b_plot.line(
        "t", "b", source=shown, line_width=2.5, color=QUANTITY_COLOURS["b_cells"]
    )
    _reference(b_plot, threshold_pct, "return threshold", 0.98 * horizon)
    back_day = grid.loc[row, "b_return_day"]
    back_span = Span(
        location=float(back_day) if math.isfinite(back_day) else 0.0,
        dimension="height",
        line_dash="dotted",
        line_color=QUANTITY_COLOURS["b_cells"],
        visible=math.isfinite(back_day),
    )
    b_plot.add_layout(back_span)
    readout = _readout(name, readouts[row])
    callback = CustomJS(
        args=dict(
            grid=store,
            shown=shown,
            selects=selects,
            levels=level_names,
            readout=readout,
            last_span=last_span,
            back_span=back_span,
        ),
        code=_callback_js("memory_persistence.js"),
    )
    for select in selects:
        select.js_on_change("value", callback)
    title = "Explore the model: memory formation, target burden and CAR T persistence"
    summary = (
        f"ExplorableFigure({title!r}: {len(grid)} model runs over "
        f"{grid['autoimmune_memory_factor'].nunique()} memory factors × "
        f"{grid['tumour_cells'].nunique()} tumour burdens, {horizon:g} days)"
    )
    return _embed(name, title, _layout(selects, [car_plot, b_plot], readout), summary)


# --------------------------------------------------------------------------------------------
# Chapter 8: the cost model's main assumptions against cost per patient
# --------------------------------------------------------------------------------------------
COST_OPTIONS = (
    ("autologous_usd", "Autologous"),
    ("allogeneic_usd", "Allogeneic (batch)"),
    ("in_vivo_usd", "In vivo"),
)
#: Labels and formats of the assumptions a cost grid may vary (others get a generic label).
COST_CONTROLS = {
    "patients_per_year": (
        "Patients a year, autologous facility",
        lambda v: f"{v:,.0f}",
    ),
    "doses_per_batch": ("Doses per allogeneic batch", lambda v: f"{v:,.0f}"),
    "in_vivo_dose_usd": ("Cost of one in vivo dose", lambda v: f"USD {v:,.0f}"),
    "in_vivo_doses": ("In vivo doses per patient", lambda v: f"{v:,.0f}"),
    "hospital_stay_usd": (
        "Hospital stay after an ex vivo infusion",
        lambda v: f"USD {v:,.0f}",
    ),
    "manufacturing_usd": (
        "Manufacturing of one autologous product",
        lambda v: f"USD {v:,.0f}",
    ),
}


_COST_LEAD = "<p>Model cost of goods and delivery per treated patient, not a price: "


def cost_readout(row: Mapping) -> str:
    """The sentence under chapter 8's explorable figure for one grid row (HTML).

    The page composes the same sentence in JavaScript (1,000s of grid points would otherwise
    repeat it), so its ``data-value`` attributes print numbers as JavaScript does.
    """
    _require_row(row)
    parts = [
        f'{label.lower()} <span class="explorable-value" data-value="{_js_number(row[column])}">'
        f"{format_thousand_usd(row[column])}</span>"
        for column, label in COST_OPTIONS
    ]
    return f"{_COST_LEAD}{'; '.join(parts)}.</p>"


def _js_number(value: float) -> str:
    """``String(value)`` in JavaScript for a finite float below 1e21 (no exponent form)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def cost_assumptions(
    grid: pd.DataFrame, *, start: Mapping | None = None
) -> ExplorableFigure:
    """Chapter 8: cost per treated patient of each modality under the chosen assumptions.

    ``grid`` is :func:`costs.assumption_grid`: one column per assumption, then
    ``autologous_usd, allogeneic_usd, in_vivo_usd`` (and ``is_default``, where the lighter
    marks sit). ``start`` picks the first point shown (default: the ``is_default`` row).
    """
    from bokeh.models import ColumnDataSource, CustomJS, FactorRange, Range1d

    name = "cost"
    cost_columns = [c for c, _ in COST_OPTIONS]
    validation.require_columns("grid", grid, cost_columns)
    keys = [c for c in grid.columns if c not in (*cost_columns, "is_default")]
    if not keys:
        raise ValueError("grid must have at least one assumption column")
    _check_grid(grid, keys)
    grid = grid.reset_index(drop=True)
    row = _start_row(grid, keys, start)
    specs = [
        (
            k,
            *COST_CONTROLS.get(
                k, (k.replace("_", " ").capitalize(), lambda v: f"{v:,g}")
            ),
        )
        for k in keys
    ]
    selects, level_names, level_data = _controls(name, grid, specs, row)
    labels = [label for _, label in COST_OPTIONS]
    thousands = {c: (grid[c] / 1000.0).round(1).tolist() for c in cost_columns}
    bar_labels = {
        f"label_{c}": [format_number(v / 1000.0) for v in grid[c]] for c in cost_columns
    }
    exact = {f"exact_{c}": grid[c].astype(float).tolist() for c in cost_columns}
    store = ColumnDataSource({**level_data, **thousands, **bar_labels, **exact})

    def bars(k: int) -> dict:
        return {
            "option": labels,
            "cost": [thousands[c][k] for c in cost_columns],
            "label": [bar_labels[f"label_{c}"][k] for c in cost_columns],
        }

    shown = ColumnDataSource(bars(row))
    top = float(max(grid[c].max() for c in cost_columns)) / 1000.0
    plot = _plot(
        "Cost per treated patient (model)",
        "Thousand USD per treated patient",
        "",
        "Horizontal bar chart of the model's cost per treated patient for autologous, "
        "allogeneic and in vivo CAR T under the chosen assumptions.",
        y_log=False,
        x_range=Range1d(0, 1.2 * top),
        y_range=FactorRange(*reversed(labels)),
        height=220,
    )
    plot.hbar(
        y="option", right="cost", height=0.6, source=shown, color=OKABE_ITO["blue"]
    )
    plot.text(
        x="cost",
        y="option",
        text="label",
        source=shown,
        x_offset=6,
        text_baseline="middle",
        text_font_size="12px",
        text_color="#1a1a1a",
    )
    if "is_default" in grid.columns and grid["is_default"].any():
        base = bars(int(np.flatnonzero(grid["is_default"].to_numpy())[0]))
        marks = plot.scatter(
            x="cost",
            y="option",
            source=ColumnDataSource(base),
            marker="dash",
            size=26,
            angle=math.pi / 2,
            line_width=2,
            color="#1a1a1a",
        )
        _legend_below(plot, "with the default assumptions", marks)
    plot.ygrid.grid_line_color = None
    readout = _readout(name, cost_readout(grid.loc[row]))
    callback = CustomJS(
        args=dict(
            grid=store,
            shown=shown,
            selects=selects,
            levels=level_names,
            readout=readout,
            columns=cost_columns,
            options=labels,
            lead=_COST_LEAD,
        ),
        code=_callback_js("cost_assumptions.js"),
    )
    for select in selects:
        select.js_on_change("value", callback)
    title = "Explore the model: the cost model's main assumptions"
    summary = (
        f"ExplorableFigure({title!r}: {len(grid)} grid points over {', '.join(keys)})"
    )
    return _embed(name, title, _layout(selects, [plot], readout), summary)


# --------------------------------------------------------------------------------------------
# Chapter 10: in vivo dose count and interval against depletion and severe-CRS risk
# --------------------------------------------------------------------------------------------
SCHEDULE_GRID_COLUMNS = (
    "doses",
    "interval_days",
    "last_dose_day",
    "days_b_below_1pct",
    "b_return_day",
    "cytokine_peak",
    "severe_crs_probability",
    "b_depleted_fraction",
    "b_return_fraction",
)
SCHEDULE_COURSE_COLUMNS = (
    "doses",
    "interval_days",
    "time_days",
    "b_cells_fraction_of_normal",
    "cytokine_proxy",
)


def schedule_readout(row: Mapping) -> str:
    """The sentence under chapter 10's explorable figure for one grid row (HTML)."""
    _require_row(row)
    n, interval = int(row["doses"]), row["interval_days"]
    if n == 1:
        schedule = "Model run with one dose"
    else:
        schedule = (
            f"Model run with {n} doses {_value(interval, format_number(interval))} days "
            f"apart (the last on day {format_number(row['last_dose_day'])})"
        )
    depleted = format_percent(row["b_depleted_fraction"])
    below = (
        f"B cells are below {depleted} of normal for "
        f"{_value(row['days_b_below_1pct'], format_number(row['days_b_below_1pct']))} days in all"
    )
    threshold = format_percent(row["b_return_fraction"])
    if math.isfinite(row["b_return_day"]):
        back = (
            f"and back at {threshold} of normal on day "
            f"{_value(row['b_return_day'], format_number(row['b_return_day']))}"
        )
    else:
        back = f"and not back at {threshold} of normal by the end of the run"
    risk = (
        f"The cytokine proxy peaks at {_value(row['cytokine_peak'], format_number(row['cytokine_peak']))}, "
        f"a severe-CRS risk of "
        f"{_value(row['severe_crs_probability'], format_percent(row['severe_crs_probability']))} "
        "(a model prediction)."
    )
    return f"<p>{schedule}: {below}, {back}. {risk}</p>"


def in_vivo_schedules(
    grid: pd.DataFrame, time_courses: pd.DataFrame, *, start: Mapping | None = None
) -> ExplorableFigure:
    """Chapter 10: B cells and cytokine proxy of the in vivo schedule chosen by dose count and interval.

    ``grid`` and ``time_courses`` are the two tables of :func:`in_vivo.dose_schedule_grid`.
    ``start`` picks the first point shown (default: the first row).
    """
    from bokeh.models import ColumnDataSource, CustomJS, Range1d

    name = "schedule"
    validation.require_columns("grid", grid, SCHEDULE_GRID_COLUMNS)
    validation.require_columns("time_courses", time_courses, SCHEDULE_COURSE_COLUMNS)
    keys = ["doses", "interval_days"]
    _check_grid(grid, keys)
    grid = grid.reset_index(drop=True)
    row = _start_row(grid, keys, start)
    courses = {k: g for k, g in time_courses.groupby(keys, sort=False)}
    points = list(grid[keys].itertuples(index=False, name=None))
    missing = [k for k in points if k not in courses]
    if missing:
        raise ValueError(f"time_courses lack the grid points {missing[:3]}")
    b_floor = 1e-4
    times = [  # the solver's output days: exact, not noisy
        [numerics.round_significant(t) for t in courses[k]["time_days"]] for k in points
    ]
    b_pct = [
        _rounded(100 * courses[k]["b_cells_fraction_of_normal"], 100 * b_floor)
        for k in points
    ]
    step = _linear_step(courses[k]["cytokine_proxy"].to_numpy() for k in points)
    cytokine = [_rounded(courses[k]["cytokine_proxy"], step=step) for k in points]
    dose_days = [
        [float(r["interval_days"]) * j for j in range(int(r["doses"]))]
        for r in grid.to_dict("records")
    ]

    selects, level_names, level_data = _controls(
        name,
        grid,
        [
            ("doses", "Number of in vivo doses", lambda v: f"{v:.0f}"),
            ("interval_days", "Days between doses", lambda v: f"{v:g}"),
        ],
        row,
    )
    readouts = [schedule_readout(r) for r in grid.to_dict("records")]
    store = ColumnDataSource(
        {
            **level_data,
            "t": times,
            "b": b_pct,
            "cytokine": cytokine,
            "dose_days": dose_days,
            "readout": readouts,
        }
    )
    shown = ColumnDataSource(
        {"t": times[row], "b": b_pct[row], "cytokine": cytokine[row]}
    )
    doses_shown = ColumnDataSource(
        {"day": dose_days[row], "y": [150.0] * len(dose_days[row])}
    )

    horizon = max(t[-1] for t in times)
    x_range = Range1d(0, horizon)
    b_plot = _plot(
        "B cells (model)",
        "Days after the first dose",
        "B cells, % of normal",
        "Line chart of the chosen schedule's B cells as a percentage of normal over time, "
        "on a log scale, with triangles at the dose days and the depletion threshold as "
        "a dashed line.",
        y_log=True,
        x_range=x_range,
        y_range=Range1d(100 * b_floor, 300),
    )
    b_plot.line(
        "t", "b", source=shown, line_width=2.5, color=QUANTITY_COLOURS["b_cells"]
    )
    marks = b_plot.scatter(
        "day",
        "y",
        source=doses_shown,
        marker="inverted_triangle",
        size=9,
        color=OKABE_ITO["reddish_purple"],
    )
    _legend_below(b_plot, "dose days", marks)
    _reference(
        b_plot,
        100 * float(grid["b_depleted_fraction"].iloc[0]),
        "depletion threshold",
        0.98 * horizon,
    )
    top = max(max(c) for c in cytokine)
    c_plot = _plot(
        "Cytokine proxy (model)",
        "Days after the first dose",
        "Cytokine proxy",
        "Line chart of the chosen schedule's cytokine proxy over time.",
        y_log=False,
        x_range=x_range,
        y_range=Range1d(0, 1.1 * top),
        height=180,
    )
    c_plot.line(
        "t",
        "cytokine",
        source=shown,
        line_width=2.5,
        color=QUANTITY_COLOURS["cytokine"],
    )
    readout = _readout(name, readouts[row])
    callback = CustomJS(
        args=dict(
            grid=store,
            shown=shown,
            doses_shown=doses_shown,
            selects=selects,
            levels=level_names,
            readout=readout,
        ),
        code=_callback_js("in_vivo_schedules.js"),
    )
    for select in selects:
        select.js_on_change("value", callback)
    title = "Explore the model: in vivo dose count and interval"
    summary = (
        f"ExplorableFigure({title!r}: {len(grid)} model runs over "
        f"{grid['doses'].nunique()} dose counts × {grid['interval_days'].nunique()} intervals)"
    )
    return _embed(name, title, _layout(selects, [b_plot, c_plot], readout), summary)
