"""The chapter toolkit: set-up, numbers glued into the prose, and tables built for readers.

Every number a chapter shows passes through here, so the precision the book stores is set in
one place. :data:`SIGNIFICANT_FIGURES` is what the models have converged to on any machine:
differences between processors (BLAS kernels, SIMD paths) and a tenfold change of the solver
tolerances move results by far less than one part in 10⁴.
"""

from __future__ import annotations

import base64
import io
import math
import numbers
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import numerics, validation
from .figures.style import crowded_texts, fit_to_width, illegible_texts, use_book_style
from .parameters import parameter_rows

#: Significant figures of every glued number and every number in a stored text output.
SIGNIFICANT_FIGURES = numerics.SIGNIFICANT_FIGURES

#: What a reader sees in a table cell with no value.
MISSING = "–"


def setup() -> None:
    """Apply the book's figure style and a deterministic table display.

    In a notebook it also checks every figure a cell leaves open: text too small to read on a
    phone (see :func:`cart_autoimmunity.figures.style.illegible_texts`) raises a warning, which
    the book build and nbval treat as an error; and figures are shown as palette PNGs
    (:func:`palette_png`), the same to the eye at less than half the size.
    """
    use_book_style()
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.width", 88)
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing to hook into
        return
    shell = get_ipython()
    if shell is not None:
        callbacks = shell.events.callbacks["post_execute"]
        # First, so that they run before the inline backend shows and closes the figures.
        for hook in (draw_figures_as_palette_png, warn_about_illegible_figures):
            if hook not in callbacks:
                callbacks.insert(0, hook)
        if give_back_layout_engines not in shell.events.callbacks["pre_execute"]:
            shell.events.register("pre_execute", give_back_layout_engines)


#: Colours a figure's PNG keeps (:func:`palette_png`): the book's figures use a few flat
#: colours, and the rest are the anti-aliased edges between them.
PNG_COLOURS = 256


def palette_png(png: bytes) -> bytes:
    """``png`` (a figure as a PNG) as an 8-bit palette PNG of at most :data:`PNG_COLOURS`
    colours, on white where it was transparent.

    Pillow's median-cut quantiser, without dithering: every flat colour of the book's
    palette keeps its exact value (a test checks each), only anti-aliased edge pixels move,
    and the file is less than half the size, which a reader on a phone downloads.
    """
    from PIL import Image

    if not isinstance(png, bytes) or not png.startswith(b"\x89PNG"):
        raise ValueError("png must be the bytes of a PNG image")
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    if image.getextrema()[3][0] < 255:  # some transparency: put it on white
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image)
    quantised = image.convert("RGB").quantize(
        PNG_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    quantised.save(out, format="PNG")  # zlib's default level (optimize=True: 8x slower)
    return out.getvalue()


def draw_figures_as_palette_png() -> None:
    """Wrap the inline backend's PNG drawing of a figure in :func:`palette_png` (once).

    Run after each cell, before the backend shows the cell's figures: the backend registers
    its drawing when a notebook makes its first figure, not when pyplot is imported. Once
    drawn, a figure gets back the layout engine that :func:`warn_about_illegible_figures`
    kept off.
    """
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["image/png"]
    draw = formatter.type_printers.get(Figure)
    if draw is None or getattr(draw, "palette_png", False):
        return

    def figure_png(fig):
        try:
            drawn = draw(fig)
        finally:
            _give_back_layout(fig)
        if drawn is None:  # an empty figure draws nothing
            return None
        # Retina drawing returns (data, size metadata); either may be base64 text.
        data, metadata = drawn if isinstance(drawn, tuple) else (drawn, None)
        as_text = isinstance(data, str)
        png = palette_png(base64.b64decode(data) if as_text else data)
        shown = base64.b64encode(png).decode("ascii") if as_text else png
        return shown if metadata is None else (shown, metadata)

    figure_png.palette_png = True
    formatter.for_type(Figure, figure_png)


#: Where :func:`warn_about_illegible_figures` keeps a figure's layout engine until the
#: figure's PNG is drawn.
_KEPT_LAYOUT = "_book_kept_layout_engine"


def _give_back_layout(fig) -> None:
    """Give ``fig`` back the layout engine :func:`warn_about_illegible_figures` kept off."""
    kept = fig.__dict__.pop(_KEPT_LAYOUT, None)
    if kept is not None:
        fig.set_layout_engine(kept)


def give_back_layout_engines() -> None:
    """Before each cell, give every open figure its layout engine back (a figure the notebook
    has not drawn since, e.g. with the inline backend's ``close_figures`` off, or drawn by
    another backend, is then laid out again when a later cell changes it)."""
    from matplotlib._pylab_helpers import Gcf

    for manager in Gcf.get_all_fig_managers():
        _give_back_layout(manager.canvas.figure)


def warn_about_illegible_figures() -> None:
    """Keep each open figure as saved no wider than drawn (:func:`fit_to_width`), then warn
    about each figure whose smallest text would still be unreadable on a phone, or that
    has a label running out of its plot or crossed by a line
    (:func:`cart_autoimmunity.figures.style.crowded_texts`).

    The layout that :func:`fit_to_width` measured is used as it is by the checks and by the
    PNG the notebook stores (about 0.05 s sooner a figure, instead of laying the figure out
    twice more; the image is the same to within the anti-aliasing of edge pixels): the
    figure's layout engine is switched off until that PNG is drawn
    (:func:`draw_figures_as_palette_png` gives it back, and
    :func:`give_back_layout_engines` before the next cell in any case), so a figure a
    learner changes in a later cell is laid out again.
    """
    import matplotlib.pyplot as plt

    for number in plt.get_fignums():
        fig = plt.figure(number)
        width_in = fit_to_width(fig)  # measured once, used twice
        if _KEPT_LAYOUT not in fig.__dict__:  # not already kept by an earlier cell
            fig.__dict__[_KEPT_LAYOUT] = fig.get_layout_engine()
            fig.set_layout_engine("none")
        problems = illegible_texts(fig, width_in)
        if problems:
            warnings.warn(
                "figure text too small for a phone screen: " + "; ".join(problems[:4]),
                stacklevel=1,
            )
        crowded = crowded_texts(fig)
        if crowded:
            warnings.warn(
                "figure label hard to read: " + "; ".join(crowded[:4]), stacklevel=1
            )


# ------------------------------------------------------------------------------------------
# Numbers
# ------------------------------------------------------------------------------------------
def converged(value, figures: int = SIGNIFICANT_FIGURES):
    """``value`` as a built-in number with at most ``figures`` significant figures.

    Integers (counts) and booleans pass through unchanged; floats are rounded, so that
    ``converged(95.39015929) == 95.39``. Raises ``ValueError`` for anything that is not a
    finite real number.
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if not isinstance(value, numbers.Real):
        raise ValueError(f"value must be a plain number, got {type(value).__name__}")
    if not math.isfinite(float(value)):
        raise ValueError(f"value must be a finite number, got {float(value)}")
    return numerics.round_significant(value, figures)


def glue_numbers(**values) -> None:
    """Glue each ``name=value`` for ``{glue:text}`name:.1f``` in the prose, not displayed.

    Values are rounded by :func:`converged` first.
    """
    from myst_nb import glue

    for name, value in values.items():
        glue(name, converged(value), display=False)


def glue_equations(**equations: str) -> None:
    """Glue each ``name=tex`` as display maths, not displayed, for a ```{glue:md} name```
    block on a page. ``tex`` is the rows of an ``aligned`` block (such as
    :data:`cart_autoimmunity.costs.EQUATIONS`), so a chapter and the model appendix show one
    source of an equation."""
    from IPython.display import Markdown
    from myst_nb import glue

    for name, tex in equations.items():
        validation.require_text(name, tex)
        math = f"$$\n\\begin{{aligned}}{tex}\\end{{aligned}}\n$$"
        glue(name, Markdown(math), display=False)


_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def significant_figures(token: str) -> int:
    """Significant figures of a number as written (``"95.39"`` → 4, ``"1,200"`` → 2).

    Trailing zeros of a whole number do not count (``"1000000.0"`` → 1); trailing zeros after
    a decimal point do (``"0.50"`` → 2).
    """
    validation.require_text("token", token)
    mantissa = re.split(r"[eE]", token.strip().lstrip("+-").replace(",", ""))[0]
    if not mantissa or not any(ch.isdigit() for ch in mantissa):
        raise ValueError(f"not a number: {token!r}")
    whole, _, fraction = mantissa.partition(".")
    if fraction.strip("0") == "":  # a whole number, perhaps written 1200.0
        digits = whole.lstrip("0").rstrip("0")
    else:
        digits = (whole + fraction).lstrip("0")
    return max(len(digits), 1)


def over_precise_numbers(text: str, figures: int = SIGNIFICANT_FIGURES) -> list[str]:
    """The numbers in ``text`` written with more than ``figures`` significant figures.

    A whole number written without a decimal point or exponent (``22,009,375``) is a count:
    exact on every machine, so it is not held to the limit (as :func:`converged` keeps ints).
    """
    validation.require_text("text", text)
    figures = validation.require_integer("figures", figures, minimum=1, maximum=17)
    return [
        token
        for token in (m.group(0) for m in _NUMBER.finditer(text))
        if re.search(r"[.eE]", token) and significant_figures(token) > figures
    ]


# ------------------------------------------------------------------------------------------
# Tables for readers
# ------------------------------------------------------------------------------------------
Formatter = Callable[[object], str] | str


def _cell(value, formatter: Formatter | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if formatter is None:
        text = str(value)
    elif isinstance(formatter, str):
        text = formatter.format(value)
    else:
        text = formatter(value)
    return text.replace("|", "\\|").replace("\n", " ")


def cite(keys: str) -> str:
    """A table cell citing ``keys`` (comma-separated citation keys) in the author–year style."""
    validation.require_text("keys", keys)
    keys = ",".join(key.strip() for key in keys.split(",") if key.strip())
    if not keys:
        raise ValueError("cite needs at least one citation key")
    return f"{{cite:t}}`{keys}`"


def number(value, figures: int = 3) -> str:
    """A number for a table: ``figures`` significant figures, thousands separated."""
    rounded = converged(value, figures)
    if isinstance(rounded, float) and rounded.is_integer() and abs(rounded) < 1e15:
        return f"{int(rounded):,}"
    return f"{rounded:,}"


@dataclass(frozen=True)
class ReaderTable:
    """A numbered, captioned table in MyST (the page) with a plain-text twin (nbval compares it).

    ``rows`` hold the finished cell texts; build it with :func:`reader_table`.
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str
    name: str

    def _repr_markdown_(self) -> str:
        lines = [
            f":::{{table}} {self.caption}",
            f":name: {self.name}",
            ":class: reader-table",
            "",
        ]
        lines.append("| " + " | ".join(self.headers) + " |")
        lines.append("|" + "---|" * len(self.headers))
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        lines.append(":::")
        return "\n".join(lines)

    def __repr__(self) -> str:
        widths = [
            max(len(h), *(len(r[i]) for r in self.rows))
            for i, h in enumerate(self.headers)
        ]

        def line(cells):
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731

        body = [line(self.headers), line(["-" * w for w in widths])] + [
            line(r) for r in self.rows
        ]
        return "\n".join([f"Table {self.name}: {self.caption}", *body])


def reader_table(
    frame: pd.DataFrame,
    columns: Mapping[str, str],
    *,
    caption: str,
    name: str,
    formats: Mapping[str, Formatter] | None = None,
) -> ReaderTable:
    """A table for readers from ``frame``: the ``columns`` kept, renamed to their headers.

    ``columns`` maps a column of ``frame`` to its header (plain words, with units).
    ``formats`` maps a column to a format string (``"{:.0f} days"``) or a function returning
    the cell text (for example :func:`cite` or :func:`number`); other cells are ``str(value)``.
    Missing values show as :data:`MISSING`; the index is never shown. ``name`` must start with
    ``tbl-`` so that prose can cross-reference it with ``{numref}``.
    """
    validation.require_columns("frame", frame, ())
    validation.require_mapping("columns", columns)
    validation.require_text("caption", caption)
    validation.require_text("name", name)
    if formats is not None:
        validation.require_mapping("formats", formats, empty=True)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"frame has no columns {missing}")
    formats = dict(formats or {})
    unknown = [c for c in formats if c not in columns]
    if unknown:
        raise ValueError(f"formats name columns that are not shown: {unknown}")
    if not re.fullmatch(r"tbl-[a-z0-9-]+", name):
        raise ValueError(f"name must look like 'tbl-chapter-topic', got {name!r}")
    if not caption.strip():
        raise ValueError("caption must not be empty")
    rows = tuple(
        tuple(
            _cell(value, formats.get(column)) for column, value in zip(columns, record)
        )
        for record in frame[list(columns)].itertuples(index=False, name=None)
    )
    return ReaderTable(tuple(columns.values()), rows, caption.strip(), name)


def parameter_table(
    parameter_set: str, *, caption: str, name: str, names=None
) -> ReaderTable:
    """A parameter set as a reader table: meaning (and symbol), value with unit, and basis.

    The same renderer serves the chapters and the model appendix. ``names`` keeps only those
    parameters, in that order.
    """
    validation.require_text("caption", caption)
    validation.require_text("name", name)
    rows = tuple(
        tuple(cell.replace("|", "\\|") for cell in row)
        for row in parameter_rows(parameter_set, names)
    )
    if not re.fullmatch(r"tbl-[a-z0-9-]+", name):
        raise ValueError(f"name must look like 'tbl-chapter-topic', got {name!r}")
    return ReaderTable(("Parameter", "Value", "Basis"), rows, caption.strip(), name)


@dataclass(frozen=True)
class TableSpec:
    """How a chapter shows one table of its data (rendered by :func:`show_table`).

    ``columns`` maps a column to its header and ``formats`` a column to its cell format, as
    in :func:`reader_table`. ``columns`` and ``caption`` may be functions of no arguments,
    for texts that quote the chapter's computed numbers. ``derive`` adds the shown columns
    to the data (a function of the frame returning a frame), where cells combine columns.
    """

    columns: Mapping[str, str] | Callable[[], Mapping[str, str]]
    caption: str | Callable[[], str]
    formats: Mapping[str, Formatter] | None = None
    derive: Callable[[pd.DataFrame], pd.DataFrame] | None = None


@dataclass(frozen=True)
class ParameterTableSpec:
    """A chapter's table of one parameter set (``names`` only, in that order), rendered by
    :func:`parameter_table`."""

    parameter_set: str
    caption: str
    names: tuple[str, ...] | None = None


def show_table(
    spec: TableSpec | ParameterTableSpec,
    frame: pd.DataFrame | None = None,
    *,
    name: str,
) -> ReaderTable:
    """The reader table ``name`` that ``spec`` makes of ``frame`` (the chapter's data).

    A :class:`ParameterTableSpec` shows the package's parameters and needs no ``frame``.
    """
    if isinstance(spec, ParameterTableSpec):
        names = None if spec.names is None else list(spec.names)
        return parameter_table(
            spec.parameter_set, caption=spec.caption, name=name, names=names
        )
    if not isinstance(spec, TableSpec):
        raise TypeError(
            f"spec must be a TableSpec or ParameterTableSpec, got {type(spec).__name__}"
        )
    validation.require_columns("frame", frame, ())
    if spec.derive is not None:
        frame = spec.derive(frame)
    columns = spec.columns() if callable(spec.columns) else spec.columns
    caption = spec.caption() if callable(spec.caption) else spec.caption
    return reader_table(
        frame, columns, caption=caption, name=name, formats=spec.formats
    )
