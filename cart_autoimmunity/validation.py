"""Input checks shared by every model: fail loudly, name the parameter and the value.

Each helper returns the (converted) value so that it can be used inline::

    dose_cells = require_positive("dose_cells", dose_cells)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

#: Integration spans shorter than this (days) leave a model's state unchanged: SciPy's LSODA
#: stalls on subnormal spans (found by the property tests), and nothing happens in a nanosecond.
SHORTEST_SEGMENT_DAYS = 1e-9


def _as_float(name: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return number


def require_finite(name: str, value: Any) -> float:
    """Return ``value`` as a float; reject NaN, infinity and non-numbers."""
    return _as_float(name, value)


def require_non_negative(name: str, value: Any) -> float:
    """Return ``value`` as a float; reject negative values."""
    number = _as_float(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return number


def require_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float; reject zero and negative values."""
    number = _as_float(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return number


def require_fraction(name: str, value: Any) -> float:
    """Return ``value`` as a float in the closed interval [0, 1]."""
    number = _as_float(name, value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be a fraction between 0 and 1, got {value!r}")
    return number


def require_open_fraction(name: str, value: Any) -> float:
    """Return ``value`` as a float in the open interval (0, 1)."""
    number = _as_float(name, value)
    if not 0.0 < number < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value!r}")
    return number


def require_integer(name: str, value: Any, minimum: int = 0) -> int:
    """Return ``value`` as an int that is at least ``minimum``."""
    if isinstance(value, bool) or not float(value).is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    number = int(value)
    if number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return number


def require_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``; otherwise list the valid names."""
    options = list(choices)
    if value not in options:
        raise ValueError(
            f"unknown {name} {value!r}; choose one of {', '.join(map(repr, options))}"
        )
    return value


def require_increasing(name: str, values: Any) -> np.ndarray:
    """Return ``values`` as a 1-D float array that is non-empty, finite and strictly increasing."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 1-D sequence, got shape {array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers")
    if np.any(np.diff(array) <= 0):
        raise ValueError(f"{name} must be strictly increasing, got {array.tolist()!r}")
    return array


def require_columns(name: str, frame: Any, columns: Iterable[str]):
    """Return ``frame`` if it is a non-empty DataFrame with every one of ``columns``."""
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise ValueError(
            f"{name} must be a pandas DataFrame, got {type(frame).__name__}"
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} is missing columns {missing}")
    if frame.empty:
        raise ValueError(f"{name} must not be empty")
    return frame
