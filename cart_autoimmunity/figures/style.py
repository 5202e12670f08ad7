"""The book's look: one colour-blind-safe palette, one colour per scenario, legible figures.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which
stays distinguishable under the common forms of colour-vision deficiency. A scenario keeps
its colour in every chapter.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

from .. import validation

OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "grey": "#999999",
}

#: One colour per scenario or therapy, used in every chapter.
SCENARIO_COLOURS = {
    "autoimmune": OKABE_ITO["blue"],
    "lymphoma": OKABE_ITO["orange"],
    "leukaemia": OKABE_ITO["vermillion"],
    "allogeneic": OKABE_ITO["bluish_green"],
    "in_vivo": OKABE_ITO["reddish_purple"],
    "tumour": OKABE_ITO["vermillion"],
    "data": OKABE_ITO["black"],
    "reference": OKABE_ITO["grey"],
}

#: Colours for the antibody and cell compartments.
QUANTITY_COLOURS = {
    "car_t": OKABE_ITO["vermillion"],
    "b_cells": OKABE_ITO["blue"],
    "autoantibody": OKABE_ITO["orange"],
    "vaccine_antibody": OKABE_ITO["bluish_green"],
    "cytokine": OKABE_ITO["reddish_purple"],
    "beta_cells": OKABE_ITO["sky_blue"],
}

#: Targets of CAR T cells in the antibody chapter.
TARGET_COLOURS = {
    "none": OKABE_ITO["grey"],
    "CD19": OKABE_ITO["blue"],
    "CD20": OKABE_ITO["sky_blue"],
    "BCMA": OKABE_ITO["vermillion"],
    "CD19+BCMA": OKABE_ITO["reddish_purple"],
}

FIGURE_DPI = 144
FIGURE_SIZE_IN = (6.4, 4.0)
#: Width (CSS pixels) of the page's text column on a 375 px phone screen (the browser suite
#: measured 327 px; this keeps a margin). The browser suite measures the real figures too.
PHONE_FIGURE_PX = 340
#: The widest figure whose smallest text stays legible there.
MAX_FIGURE_WIDTH_IN = 6.4
#: Smallest text, in CSS pixels, that a figure may show on that phone screen.
MIN_PHONE_TEXT_PX = 9.0
#: Font sizes (points): the body of a figure, and the smallest text it uses (legends, notes).
BASE_FONT_PT = 13.5
SMALL_FONT_PT = 13.0


def use_book_style() -> None:
    """Set matplotlib defaults for the book: white background, readable fonts, crisp PNG."""
    mpl.rcParams.update(
        {
            "figure.figsize": FIGURE_SIZE_IN,
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "figure.facecolor": "white",
            "axes.facecolor": "white",
            "savefig.facecolor": "white",
            "savefig.transparent": False,
            "font.size": BASE_FONT_PT,
            "axes.titlesize": BASE_FONT_PT + 0.5,
            "axes.labelsize": BASE_FONT_PT,
            "xtick.labelsize": SMALL_FONT_PT,
            "ytick.labelsize": SMALL_FONT_PT,
            "legend.fontsize": SMALL_FONT_PT,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.prop_cycle": mpl.cycler(
                color=[
                    OKABE_ITO[k]
                    for k in (
                        "blue",
                        "orange",
                        "bluish_green",
                        "vermillion",
                        "reddish_purple",
                        "sky_blue",
                        "black",
                    )
                ]
            ),
            "svg.hashsalt": "cart-autoimmunity",
            "path.simplify": True,
        }
    )


#: The most rows or columns of panels in one figure: more would be illegible on a phone.
MAX_PANELS = 6


def scenario_colour(name: str) -> str:
    """The book-wide colour for a scenario; unknown names raise ``ValueError``."""
    return SCENARIO_COLOURS[
        validation.require_choice("scenario name", name, SCENARIO_COLOURS)
    ]


def new_figure(
    ncols: int = 1,
    nrows: int = 1,
    width_in: float | None = None,
    height_in: float | None = None,
    **kwargs,
):
    """A figure and its axes in the book style (``constrained`` layout).

    Wider than :data:`MAX_FIGURE_WIDTH_IN` raises ``ValueError``: its text would be too small
    on a phone.
    """
    ncols = validation.require_integer("ncols", ncols, minimum=1, maximum=MAX_PANELS)
    nrows = validation.require_integer("nrows", nrows, minimum=1, maximum=MAX_PANELS)
    if width_in is not None:
        validation.require_positive("width_in", width_in)
    if height_in is not None:
        validation.require_positive("height_in", height_in)
    use_book_style()
    width = width_in or FIGURE_SIZE_IN[0]
    if not 0 < width <= MAX_FIGURE_WIDTH_IN:
        raise ValueError(
            f"width_in must be in (0, {MAX_FIGURE_WIDTH_IN}] for phone legibility, got {width}"
        )
    height = height_in or FIGURE_SIZE_IN[1] * (1 if nrows == 1 else 0.75 * nrows)
    return plt.subplots(
        nrows, ncols, figsize=(width, height), layout="constrained", **kwargs
    )


def phone_text_px(font_pt: float, figure_width_in: float) -> float:
    """On-screen size (CSS px) of ``font_pt`` text in a figure ``figure_width_in`` wide, shown
    :data:`PHONE_FIGURE_PX` wide: ``font_pt / 72 * PHONE_FIGURE_PX / figure_width_in``."""
    font_pt = validation.require_positive("font_pt", font_pt)
    figure_width_in = validation.require_positive("figure_width_in", figure_width_in)
    return font_pt / 72.0 * PHONE_FIGURE_PX / figure_width_in


def saved_width_in(fig) -> float:
    """Width (inches) of ``fig`` as a notebook stores it: the inline backend saves the tight
    bounding box of everything drawn, plus ``savefig.pad_inches`` on each side."""
    if not isinstance(fig, mpl.figure.Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fig.draw_without_rendering()  # runs the constrained layout, as saving would
    box = fig.get_tightbbox(fig.canvas.get_renderer())
    return box.width + 2 * mpl.rcParams["savefig.pad_inches"]


def _set_legend_columns(legend, ncols: int) -> None:
    """Re-pack a drawn legend's entries into ``ncols`` columns (matplotlib's
    ``Legend.set_ncols`` only takes effect for a legend built afterwards)."""
    from matplotlib.offsetbox import HPacker, VPacker

    old = legend._legend_handle_box
    columns = old.get_children()
    items = [item for column in columns for item in column.get_children()]
    per_column = -(-len(items) // ncols)  # matplotlib fills the first columns first
    fontsize = legend._fontsize
    new = HPacker(
        pad=0,
        sep=legend.columnspacing * fontsize,
        align="baseline",
        mode=old.mode,
        children=[
            VPacker(
                pad=0,
                sep=legend.labelspacing * fontsize,
                align=columns[0].align,
                children=items[start : start + per_column],
            )
            for start in range(0, len(items), per_column)
        ],
    )
    legend._legend_box._children[1] = new
    legend._legend_handle_box = new
    legend._legend_box.set_figure(legend.get_figure(root=False))
    legend._ncols = ncols


def fit_to_width(fig) -> float:
    """Keep ``fig`` as saved no wider than drawn, so its text keeps its size on a phone: a
    legend below the axes, or an axis label, wider than the figure widens the saved image
    and shrinks every text in it. First fold the legends into fewer columns (down to one);
    then break the long axis labels over two lines. Returns the saved width (inches) after."""
    import textwrap

    width_in = saved_width_in(fig)  # also refuses anything but a Figure, by name
    limit = fig.get_figwidth() + 2 * mpl.rcParams["savefig.pad_inches"] + 0.02
    if width_in <= limit:
        return width_in
    legends = list(fig.legends) + [
        ax.get_legend() for ax in fig.axes if ax.get_legend()
    ]
    while width_in > limit:
        wide = [legend for legend in legends if legend._ncols > 1]
        if not wide:
            break
        for legend in wide:
            _set_legend_columns(legend, legend._ncols - 1)
        width_in = saved_width_in(fig)
    if width_in <= limit:
        return width_in
    for ax in fig.axes:
        for label in (ax.xaxis.label, ax.yaxis.label):
            text = label.get_text()
            if "\n" not in text and len(text) > 24:
                label.set_text(textwrap.fill(text, width=len(text) // 2 + 1))
    return saved_width_in(fig)


def illegible_texts(fig, width_in: float | None = None) -> list[str]:
    """The visible texts of ``fig`` smaller than :data:`MIN_PHONE_TEXT_PX` on a phone;
    ``width_in`` is its saved width (inches), measured if not given."""
    if width_in is None:
        width_in = saved_width_in(fig)
    else:
        width_in = validation.require_positive("width_in", width_in)
    small = []
    for text in fig.findobj(mpl.text.Text):
        if text.get_visible() and text.get_text().strip():
            if phone_text_px(text.get_fontsize(), width_in) < MIN_PHONE_TEXT_PX:
                small.append(f"{text.get_text()[:30]!r} at {text.get_fontsize():g} pt")
    return small


def _overlapping_tick_labels(ax, renderer) -> list[str]:
    """Tick labels of one axis of ``ax`` whose drawn boxes overlap (by more than a pixel),
    such as cohort names wrapped onto more lines than their row has room for."""
    problems = []
    for axis in (ax.xaxis, ax.yaxis):
        labels = [
            label
            for label in axis.get_ticklabels()
            if label.get_visible() and label.get_text().strip()
        ]
        boxes = [label.get_window_extent(renderer) for label in labels]
        for i, (first, box) in enumerate(zip(labels, boxes)):
            for second, other in zip(labels[i + 1 :], boxes[i + 1 :]):
                if (
                    min(box.x1, other.x1) - max(box.x0, other.x0) > 1
                    and min(box.y1, other.y1) - max(box.y0, other.y0) > 1
                ):
                    problems.append(
                        f"tick labels {first.get_text()[:30]!r} and "
                        f"{second.get_text()[:30]!r} overlap"
                    )
    return problems


def crowded_texts(fig) -> list[str]:
    """Labels a reader cannot read cleanly: one written into a plot (``ax.text``/
    ``ax.annotate``) whose box runs out of its axes, or that a plotted line crosses, and tick
    labels of one axis that overlap each other.

    Boxes are the texts' drawn extents in display pixels; a line crosses a label when its
    path, as drawn, passes through that box (:meth:`matplotlib.path.Path.intersects_bbox`).
    """
    if not isinstance(fig, mpl.figure.Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    fig.draw_without_rendering()  # lays the figure out, as saving it would
    renderer = fig.canvas.get_renderer()
    problems = []
    for ax in fig.axes:
        problems += _overlapping_tick_labels(ax, renderer)
        frame = ax.get_window_extent(renderer)
        for text in ax.texts:
            if not (text.get_visible() and text.get_text().strip()):
                continue
            box = text.get_window_extent(renderer)
            name = repr(text.get_text()[:30])
            if not (
                frame.x0 - 1 <= box.x0
                and box.x1 <= frame.x1 + 1
                and frame.y0 - 1 <= box.y0
                and box.y1 <= frame.y1 + 1
            ):
                problems.append(f"{name} runs out of its axes")
                continue
            for line in ax.lines:
                if not line.get_visible():
                    continue
                path = line.get_transform().transform_path(line.get_path())
                if path.intersects_bbox(box, filled=False):
                    problems.append(
                        f"{name} is crossed by the line {line.get_label()!r}"
                    )
                    break
    return problems
