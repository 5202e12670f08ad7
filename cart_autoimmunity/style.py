"""The book's look: one colour-blind-safe palette, one colour per scenario, legible figures.

Colours are the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), which
stays distinguishable under the common forms of colour-vision deficiency. A scenario keeps
its colour in every chapter.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt

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
            "font.size": 11,
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 9.5,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.prop_cycle": mpl.cycler(color=[OKABE_ITO[k] for k in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "black")]),
            "svg.hashsalt": "cart-autoimmunity",
            "path.simplify": True,
        }
    )


def scenario_colour(name: str) -> str:
    """The book-wide colour for a scenario; unknown names raise ``ValueError``."""
    try:
        return SCENARIO_COLOURS[name]
    except KeyError:
        raise ValueError(f"unknown scenario {name!r}; choose one of {', '.join(map(repr, SCENARIO_COLOURS))}") from None


def new_figure(ncols: int = 1, nrows: int = 1, width_in: float | None = None, height_in: float | None = None, **kwargs):
    """A figure and its axes in the book style (``constrained`` layout)."""
    use_book_style()
    width = width_in or FIGURE_SIZE_IN[0]
    height = height_in or FIGURE_SIZE_IN[1] * (1 if nrows == 1 else 0.75 * nrows)
    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained", **kwargs)
