"""Small helpers for the chapter notebooks: set-up and gluing numbers into the prose."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from .style import use_book_style


def setup_chapter() -> None:
    """Apply the book's figure style and deterministic table display."""
    use_book_style()
    pd.set_option("display.precision", 3)
    pd.set_option("display.max_columns", 20)
    pd.set_option("display.width", 100)


def plain_number(value):
    """``value`` as a built-in int or float (numpy scalars print as ``np.float64(...)``)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise ValueError(f"can only glue a plain number, got {type(value).__name__}")


def glue_number(name: str, value) -> None:
    """Glue a number for ``{glue:text}`name:.1f``` in the prose, without displaying it."""
    from myst_nb import glue

    glue(name, plain_number(value), display=False)
