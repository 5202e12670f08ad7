"""Figures: functions that draw tidy data frames, one module per model module.

Nothing here runs a model: every function takes tables made by the model modules or the
evidence tables and returns the matplotlib figure (and axes), or an explorable (Bokeh)
figure drawn from a precomputed model grid. Each module is named after the model module
whose tables it draws. :mod:`.style` holds the colour-blind-safe palette and the figure
style shared by the whole book; the private ``_interactive`` holds the explorable figures'
Bokeh plumbing (their callbacks are ``js/*.js``) and ``_shared`` the drawing helpers
several modules share.
"""

from . import (
    antibodies,
    beta_cells,
    burden,
    clonal_escape,
    cohort,
    costs,
    cytokines,
    in_vivo,
    kinetics,
    meta_analysis,
    style,
    tolerance,
)

__all__ = [
    "antibodies",
    "beta_cells",
    "burden",
    "clonal_escape",
    "cohort",
    "costs",
    "cytokines",
    "in_vivo",
    "kinetics",
    "meta_analysis",
    "style",
    "tolerance",
]
