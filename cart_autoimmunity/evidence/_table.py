"""Building blocks of the evidence tables: the columns, one row, one table.

The columns are described in :mod:`cart_autoimmunity.evidence`.
"""

from __future__ import annotations

import math

import pandas as pd

from ..validation import require_choice

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

SETTINGS = (
    "autoimmune",
    "leukaemia",
    "lymphoma",
    "allogeneic",
    "population",
    "biology",
)
STATUSES = ("primary", "secondary")

NAN = math.nan


def row(
    quantity,
    value,
    unit,
    cohort,
    setting,
    source,
    verification,
    *,
    low=NAN,
    high=NAN,
    n=NAN,
    status="primary",
):
    require_choice("setting", setting, SETTINGS)
    require_choice("status", status, STATUSES)
    return {
        "quantity": quantity,
        "value": float(value),
        "low": float(low),
        "high": float(high),
        "unit": unit,
        "cohort": cohort,
        "setting": setting,
        "n": float(n),
        "source": source,
        "status": status,
        "verification": verification,
    }


def table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def fraction(count: int, total: int) -> float:
    return count / total
