"""Integration tolerances of every ODE model, one scale for them all, and the digits they
leave converged (:data:`SIGNIFICANT_FIGURES`).

Each model module asks :func:`tolerances` for its ``(rtol, atol)`` when it calls the
solver (at call time, not import time), so one environment variable tightens or loosens
every integration of the book at once:

``CART_TOLERANCE_SCALE``
    A positive, finite number that multiplies every ``rtol`` and ``atol`` (default 1,
    which gives the values in :data:`DEFAULT_TOLERANCES`; unset or empty means 1).
    ``0.1`` makes the solvers ten times stricter: ``make perturb`` re-runs every
    notebook that way and checks that no stored output changes, i.e. that the book
    shows only converged digits.

The tolerances are numerical choices of this book (assumption), not model parameters:
the digits the book prints must not move when the tolerances are tightened.
"""

from __future__ import annotations

import math
import numbers
import os

#: Significant figures of every number the book stores in a notebook (glued values, tables,
#: the data of explorable figures): differences between processors and a tenfold change of
#: the tolerances below move results by far less than one part in 10⁴.
SIGNIFICANT_FIGURES = 4

#: Name of the environment variable that scales every tolerance.
SCALE_VARIABLE = "CART_TOLERANCE_SCALE"

#: Unscaled ``(rtol, atol)`` per model module (atol in the units of the model's states:
#: whole-body cells for ``kinetics``, fractions of baseline for the other two).
DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    # kinetics.solve also integrates the in_vivo and cohort models
    "kinetics": (1e-7, 1e-3),
    "antibodies": (1e-9, 1e-12),
    "beta_cells": (1e-9, 1e-12),
}


def tolerance_scale() -> float:
    """The factor read from ``CART_TOLERANCE_SCALE`` (1 if unset or empty).

    Raises ``ValueError`` unless the variable holds a positive, finite number.
    """
    raw = os.environ.get(SCALE_VARIABLE, "").strip()
    if not raw:
        return 1.0
    try:
        scale = float(raw)
    except ValueError:
        raise ValueError(
            f"{SCALE_VARIABLE} must be a positive number (e.g. 0.1), got {raw!r}"
        ) from None
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError(
            f"{SCALE_VARIABLE} must be a positive, finite number (e.g. 0.1), "
            f"got {raw!r}"
        )
    return scale


def tolerances(model: str) -> tuple[float, float]:
    """``(rtol, atol)`` for ``model`` (a key of :data:`DEFAULT_TOLERANCES`), scaled.

    >>> tolerances("kinetics")  # with CART_TOLERANCE_SCALE unset
    (1e-07, 0.001)
    """
    if not isinstance(model, str) or model not in DEFAULT_TOLERANCES:
        raise ValueError(
            f"model must be one of {sorted(DEFAULT_TOLERANCES)}, got {model!r}"
        )
    rtol, atol = DEFAULT_TOLERANCES[model]
    scale = tolerance_scale()
    if scale == 1.0:
        return rtol, atol
    return rtol * scale, atol * scale


def round_significant(value: float, figures: int = SIGNIFICANT_FIGURES) -> float:
    """``value`` rounded to ``figures`` significant figures (``95.39015929`` → ``95.39``).

    Raises ``ValueError`` for a value that is not finite, and for ``figures`` outside 1..17
    (a double carries at most 17 significant digits).
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"value must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"value must be a finite number, got {number}")
    if isinstance(figures, bool) or not isinstance(figures, numbers.Integral):
        raise ValueError(
            f"figures must be a whole number from 1 to 17, got {figures!r}"
        )
    if not 1 <= figures <= 17:
        raise ValueError(
            f"figures must be a whole number from 1 to 17, got {figures!r}"
        )
    return 0.0 if number == 0.0 else float(f"{number:.{figures}g}")
