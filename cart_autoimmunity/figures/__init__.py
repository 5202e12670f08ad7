"""Figures: functions that draw tidy data frames, one module per chapter family.

Nothing here runs a model: every function takes tables made by the model modules or the
evidence tables and returns the matplotlib figure (and axes). :mod:`.style` holds the
colour-blind-safe palette and the figure style shared by the whole book; :mod:`.explorable`
draws the interactive (Bokeh) figures from precomputed model grids.
"""

from . import (
    antibodies,
    beta_cells,
    burden,
    clonal_escape,
    costs,
    erlangen,
    explorable,
    future,
    kinetics,
    style,
    therapy,
)

__all__ = [
    "antibodies",
    "beta_cells",
    "burden",
    "clonal_escape",
    "costs",
    "erlangen",
    "explorable",
    "future",
    "kinetics",
    "style",
    "therapy",
]
