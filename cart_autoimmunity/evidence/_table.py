"""The evidence tables' schema and their one loader.

Each table is a CSV file in ``data/`` (``data/<table>.csv``, one row per cited number) with
the columns of :data:`COLUMNS`, described in :mod:`cart_autoimmunity.evidence`.
:func:`read_table` reads a file with pandas and checks it against the schema; :func:`load`
returns a packaged table by name (read once, then copied).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = [
    "quantity",
    "value",
    "low",
    "high",
    "unit",
    "cohort",
    "setting",
    "n",
    "source",
    "status",
    "verification",
]

#: Columns that hold numbers (empty cells are NaN, except in ``value``).
NUMERIC = ("value", "low", "high", "n")
#: Columns that hold text and may not be empty.
TEXT = tuple(c for c in COLUMNS if c not in NUMERIC)

SETTINGS = (
    "autoimmune",
    "leukaemia",
    "lymphoma",
    "myeloma",
    "mixed blood cancers",
    "allogeneic",
    "population",
    "biology",
)
#: The settings that are blood cancers (the cancer side of every cancer-vs-autoimmune table).
CANCER_SETTINGS = ("leukaemia", "lymphoma", "myeloma", "mixed blood cancers")
STATUSES = ("primary", "secondary", "assumption")

#: Units a row may carry (add one here when a new kind of number is cited).
UNITS = (
    "fraction",
    "fraction of SLE patients",
    "fraction of population",
    "per 100,000 people",
    "per person-year",
    "per day",
    "per cell division",
    "per mm^3",
    "pmol/mL per month",
    "days",
    "months",
    "years",
    "patients",
    "people",
    "diseases",
    "doses",
    "products",
    "score",
    "CAR T cells/kg",
    "USD",
    "EUR",
)


def _fail(path, message: str):
    raise ValueError(f"evidence file {Path(path).name}: {message}")


def read_table(path) -> pd.DataFrame:
    """Read one evidence CSV file and check it against the schema.

    Checks: the header is exactly :data:`COLUMNS`; ``value`` is a number in every row and
    ``low``, ``high`` and ``n`` are numbers or empty; ``low <= value <= high`` where a bound
    is given; ``unit`` is in :data:`UNITS`, ``status`` in :data:`STATUSES`, ``setting`` in
    :data:`SETTINGS`; no text cell (``quantity``, ``cohort``, ``source``, ``verification``,
    ...) is empty. Raises ``ValueError`` naming the file, the column and the rows.
    """
    frame = pd.read_csv(
        path,
        dtype={c: str for c in TEXT},
        keep_default_na=False,
        na_values={c: [""] for c in NUMERIC},
        encoding="utf-8",
    )
    if list(frame.columns) != COLUMNS:
        _fail(path, f"columns must be {COLUMNS}, got {list(frame.columns)}")
    if frame.empty:
        _fail(path, "has no rows")
    for column in NUMERIC:
        numbers = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = numbers.isna() & frame[column].notna()
        if bad.any():
            _fail(path, f"{column} is not a number in rows {_rows(bad)}")
        frame[column] = numbers
    if frame["value"].isna().any() or not np.isfinite(frame["value"]).all():
        _fail(path, f"value is missing in rows {_rows(~np.isfinite(frame['value']))}")
    for column in TEXT:
        empty = frame[column].str.strip() == ""
        if empty.any():
            _fail(path, f"{column} is empty in rows {_rows(empty)}")
    for column, allowed in (
        ("unit", UNITS),
        ("status", STATUSES),
        ("setting", SETTINGS),
    ):
        unknown = ~frame[column].isin(allowed)
        if unknown.any():
            values = sorted(set(frame.loc[unknown, column]))
            _fail(
                path,
                f"{column} {values} not in {list(allowed)} (rows {_rows(unknown)})",
            )
    below = frame["low"] > frame["value"]
    above = frame["high"] < frame["value"]
    if below.any() or above.any():
        _fail(path, f"value outside low..high in rows {_rows(below | above)}")
    return frame


def _rows(mask: pd.Series) -> list[int]:
    """File line numbers (the header is line 1) of the rows where ``mask`` holds."""
    return [int(i) + 2 for i in np.flatnonzero(mask.to_numpy())]


@functools.cache
def _packaged(name: str) -> pd.DataFrame:
    source = resources.files(__package__).joinpath("data", f"{name}.csv")
    with resources.as_file(source) as path:
        return read_table(path)


def load(name: str) -> pd.DataFrame:
    """The packaged evidence table ``name`` (``data/<name>.csv``), checked, as a new copy."""
    return _packaged(name).copy()


def duplicates(evidence: pd.DataFrame) -> pd.DataFrame:
    """Rows that store a number twice: same ``quantity``, ``cohort`` and ``source``.

    Takes any frame with those columns (for example
    :func:`cart_autoimmunity.evidence.all_evidence`, across tables); returns every row
    of each repeated triple, empty when each number has one home.
    """
    key = ["quantity", "cohort", "source"]
    missing = [c for c in key if c not in evidence.columns]
    if missing:
        raise ValueError(f"evidence is missing columns {missing}")
    return evidence[evidence.duplicated(subset=key, keep=False)]
