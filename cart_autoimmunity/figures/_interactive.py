"""The explorable figures' shared Bokeh plumbing (private to the figures package).

The explorable figures live in the module of their model: :func:`.kinetics.memory_persistence`
(chapter 4, :func:`kinetics.memory_burden_grid`), :func:`.costs.cost_assumptions` (chapter 8,
:func:`costs.assumption_grid`) and :func:`.in_vivo.in_vivo_schedules` (chapter 10,
:func:`in_vivo.dose_schedule_grid`). Each takes the tidy tables of a model grid (one row per
grid point) and returns an :class:`ExplorableFigure`. In the book's web page it is a Bokeh
layout with one labelled drop-down list per grid dimension; a ``CustomJS`` callback looks the
chosen point up in the grid, so no kernel is needed. The JavaScript lives in
``figures/js/*.js`` (package data, read with :mod:`importlib.resources`): ``find_row.js`` (the
shared look-up), one callback per figure named after its function, and ``loader.js`` (loads
BokehJS when the reader asks). Bokeh itself is imported only inside the functions that draw,
so importing the package never loads it. The sentence under the plots (the read-out) is
written in Python for every grid point, and carries each number's exact value in a
``data-value`` attribute.

This module holds what the three share: the controls, plots, reference lines, read-out and
embedding (names without a leading underscore, so that the figure modules may import them),
and the number formats of the read-outs (:data:`__all__`: public, so that tests format a fresh
model value exactly as the page does).

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
from .style import OKABE_ITO

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

__all__ = [
    "BOKEH_JS_FILES",
    "BOKEH_ROOT",
    "CURVE_FIGURES",
    "ExplorableFigure",
    "format_cells",
    "format_number",
    "format_percent",
    "format_thousand_usd",
]

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


def callback_js(file: str) -> str:
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
def require_row(row) -> None:
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


def value_html(value: float, shown: str) -> str:
    """A number as the reader sees it, with its exact value for tests and tools."""
    return (
        f'<span class="explorable-value" data-value="{float(value)!r}">{shown}</span>'
    )


# --------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------
def _levels(frame: pd.DataFrame, column: str) -> list:
    return sorted(frame[column].unique().tolist())


def start_row(grid: pd.DataFrame, columns: Sequence[str], start: Mapping | None) -> int:
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


def check_grid(grid: pd.DataFrame, controls: Sequence[str]) -> None:
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


def rounded(values, floor: float | None = None, step: float | None = None) -> list:
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


def linear_step(curves) -> float:
    """A rounding step for curves on one linear axis: a thousandth of their maximum's decade."""
    top = max((float(np.max(np.abs(c))) for c in curves), default=0.0)
    return 10.0 ** (np.floor(np.log10(top)) - 3) if top > 0 else 1.0


def select_controls(name: str, grid: pd.DataFrame, controls: Sequence[tuple], row: int):
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


def new_plot(
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


def reference(plot, value: float, text: str, x: float) -> None:
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


def legend_below(plot, label: str, renderer) -> None:
    """A one-entry legend under the plot, where it cannot cover data on a phone."""
    from bokeh.models import Legend

    legend = Legend(
        items=[(label, [renderer])], location="center", orientation="horizontal"
    )
    legend.label_text_font_size = "11px"
    legend.border_line_color = None
    plot.add_layout(legend, "below")


def embed(name: str, title: str, layout, summary: str) -> ExplorableFigure:
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


def connect(
    name: str, title: str, plots, *, script: str, args: dict, summary: str
) -> ExplorableFigure:
    """Run ``js/<script>`` whenever one of the figure's selects changes, then embed it.

    ``args`` are the callback's arguments, in the order the page's JSON lists them; they
    hold the figure's ``selects`` and its ``readout``, which the layout shows too.
    """
    from bokeh.models import CustomJS

    callback = CustomJS(args=args, code=callback_js(script))
    for select in args["selects"]:
        select.js_on_change("value", callback)
    return embed(name, title, layout(args["selects"], plots, args["readout"]), summary)


def layout(selects, plots, readout):
    from bokeh.layouts import column, row

    controls = row(*selects, sizing_mode="stretch_width", styles={"flex-wrap": "wrap"})
    return column(controls, *plots, readout, sizing_mode="stretch_width")


def readout_div(name: str, text: str):
    from bokeh.models import Div

    return Div(
        text=text,
        html_id=f"{name}-readout",
        html_attributes={"aria-live": "polite"},
        sizing_mode="stretch_width",
        stylesheets=[_READOUT_CSS],
    )
