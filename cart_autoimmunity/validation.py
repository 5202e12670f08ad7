"""Input checks shared by every model: fail loudly, name the parameter and the value.

Each helper returns the (converted) value so that it can be used inline::

    dose_cells = require_positive("dose_cells", dose_cells)

Conventions the whole package keeps (tests/test_bad_input.py walks every public function):

* A bad value raises ``ValueError`` (or ``TypeError`` for a wrong type) whose message starts
  with the parameter's name: ``"<parameter> must ..., got ..."``.
* Model times count days after infusion (day 0). Times before infusion (t < 0) are refused,
  never given a value: no model is defined before its start.
* A look-up outside a table's range is refused, never extrapolated.
* Sizes are bounded before anything is allocated: :data:`MAX_POINTS` for time grids and
  input arrays, :data:`MAX_REPLICATES` for patients and stochastic replicates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

#: Integration spans shorter than this (days) leave a model's state unchanged: SciPy's LSODA
#: stalls on subnormal spans (found by the property tests), and nothing happens in a nanosecond.
SHORTEST_SEGMENT_DAYS = 1e-9

#: The most points a time grid or an input array may have. The book's longest grid has a few
#: thousand points (ten years in steps of a day); a million keeps every model well inside
#: memory (a few MB per state variable) and refuses a typo such as days=1e12 at once, before
#: anything is allocated.
MAX_POINTS = 1_000_000

#: The most patients or stochastic replicates one call may simulate. The book uses up to a few
#: thousand; 100,000 x a 731-point grid is still under a GB, a billion would never finish.
MAX_REPLICATES = 100_000


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


def require_integer(
    name: str, value: Any, minimum: int = 0, maximum: int | None = None
) -> int:
    """Return ``value`` as an int in ``[minimum, maximum]`` (no upper bound if ``None``)."""
    if isinstance(value, (bool, str)):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    number = _as_float(name, value)
    if not number.is_integer():
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    whole = int(number)
    if whole < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    if maximum is not None and whole > maximum:
        raise ValueError(f"{name} must be <= {maximum:,}, got {value!r}")
    return whole


def require_bool(name: str, value: Any) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (NumPy booleans too); else TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def require_text(name: str, value: Any) -> str:
    """Return ``value`` if it is a string; else TypeError."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    return value


def require_mapping(name: str, value: Any, *, empty: bool = False) -> Mapping:
    """Return ``value`` if it is a mapping (a dict), non-empty unless ``empty``."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a mapping (dict), got {type(value).__name__}")
    if not empty and not value:
        raise ValueError(f"{name} must not be empty")
    return value


def require_names(
    name: str, values: Any, choices: Iterable[str] | None = None
) -> list[str]:
    """Return ``values`` as a non-empty list of strings, each one of ``choices`` if given."""
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise TypeError(
            f"{name} must be a sequence of names, got {type(values).__name__}"
        )
    names = list(values)
    if not names:
        raise ValueError(f"{name} must not be empty")
    for value in names:
        if choices is None:
            require_text(name, value)
        else:
            require_choice(name, value, choices)
    return names


def require_multiple(name: str, value: Any, step: float) -> int:
    """How many ``step``s ``value`` spans: ``value / step``, a whole number of at least one.

    Raises ``ValueError`` naming ``name`` unless ``value`` is a positive multiple of
    ``step`` to within one part in 10⁹ (floating-point round-off: 0.3 is three steps of
    0.1), e.g. a sampling interval on an output grid.
    """
    step = require_positive(name, step)
    value = require_positive(name, value)
    count = round(value / step)
    if count < 1 or not math.isclose(count * step, value, rel_tol=1e-9):
        raise ValueError(f"{name} must be a multiple of {step}, got {value!r}")
    return count


def require_points(name: str, span: float, step: float) -> int:
    """The number of grid points from 0 to ``span`` in steps of ``step``, at most MAX_POINTS.

    Call it before allocating a grid: ``days=1e12`` is refused at once, by name.
    """
    span = require_non_negative(name, span)
    step = require_positive(name, step)
    points = math.floor(span / step) + 1
    if points > MAX_POINTS:
        raise ValueError(
            f"{name} gives {points:,} time points (span {span!r} in steps of {step!r}); "
            f"at most {MAX_POINTS:,} (validation.MAX_POINTS)"
        )
    return points


def require_array(
    name: str,
    values: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    max_size: int | None = MAX_POINTS,
) -> np.ndarray:
    """Return ``values`` as a non-empty float array of finite numbers in [minimum, maximum].

    Scalars are accepted (as 0-d arrays); text is a ``TypeError``; more than
    ``max_size`` values (default :data:`MAX_POINTS`; ``None`` for a model's own output,
    already in memory) a ``ValueError``. Every message names ``name``.
    """
    if isinstance(values, (str, bytes)) or values is None:
        raise TypeError(f"{name} must be numbers, got {type(values).__name__}")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be numbers, got {values!r:.60}") from None
    if array.size == 0:
        raise ValueError(f"{name} must be a non-empty sequence of numbers")
    if max_size is not None and array.size > max_size:
        raise ValueError(
            f"{name} has {array.size:,} values; at most {max_size:,} (validation.MAX_POINTS)"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers, got {values!r:.60}")
    if minimum is not None and np.any(array < minimum):
        raise ValueError(f"{name} must be >= {minimum}, got {array.min()!r}")
    if maximum is not None and np.any(array > maximum):
        raise ValueError(f"{name} must be <= {maximum}, got {array.max()!r}")
    return array


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
    array = require_array(name, values)
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
