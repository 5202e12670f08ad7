"""The cited clinical numbers behind the book, as small tidy tables.

Every function returns a :class:`pandas.DataFrame` with one row per published number and
the columns in :data:`COLUMNS`:

``quantity``
    What was measured, as a snake_case name (``crs_grade_3_plus``).
``value``
    The number itself, in ``unit``. Fractions are 0..1 (a count of 10 out of 15 is 0.667).
    Where a source gives only a range, ``value`` is the midpoint and the note says so.
``low``, ``high``
    The reported range, interval or ± SD band where there is one (NaN otherwise); the
    ``verification`` note says which.
``unit``
    Unit of ``value`` (``fraction``, ``days``, ``years``, ``patients``, ...).
``cohort``
    Trial, product or population the number belongs to.
``setting``
    ``autoimmune``, ``leukaemia``, ``lymphoma``, ``myeloma``, ``mixed blood cancers`` (a
    cohort or a label across them, such as a registry of ALL and lymphoma), ``allogeneic``,
    ``population`` or ``biology``; ``autoimmune``, ``leukaemia``, ``lymphoma`` and
    ``allogeneic`` match the book's scenario colours.
``n``
    Number of patients or subjects behind the number, where the source states it (NaN otherwise).
``source``
    Citation key in ``references.bib``.
``status``
    ``primary`` (seen in the source's own text, usually its abstract), ``secondary``
    (seen only in a named secondary source; the note names it) or ``assumption``.
``verification``
    Where and how the number was seen.

Only numbers that were read in a primary source's text, or in a secondary source named in
the note, are included. Numbers that could not be verified (for example how long CAR T
cells stay detectable after autoimmune treatment) are left out rather than guessed.

The rows are data: one CSV file per table in ``data/`` (``data/crs_rates.csv``, ...), read
and checked by one loader (:func:`read_table`: exact columns, numbers, ``low <= value <=
high``, known units, statuses and settings, no empty text). The topic modules
(``population``, ``trials``, ``safety``, ``immunity``, ``damage``, ``delivery``,
``future``) document each table and hold the code that computes from its rows; this package
collects them. :func:`duplicates` finds a number stored twice.
"""

from __future__ import annotations

import pandas as pd

from ..validation import require_choice
from . import summaries
from ._table import (
    CANCER_SETTINGS,
    COLUMNS,
    SETTINGS,
    STATUSES,
    UNITS,
    duplicates,
    read_table,
)
from .damage import organ_damage
from .delivery import manufacturing, prices
from .future import donor_cell_reports, refractory_lupus
from .immunity import antibody_longevity, tolerance_checkpoints
from .population import prevalence
from .safety import crs_rates, other_adverse_events
from .trials import b_cell_depletion, car_t_persistence, erlangen_trials

#: Every evidence table, by name, in book order.
TABLES = {
    "prevalence": prevalence,
    "erlangen_trials": erlangen_trials,
    "crs_rates": crs_rates,
    "other_adverse_events": other_adverse_events,
    "car_t_persistence": car_t_persistence,
    "b_cell_depletion": b_cell_depletion,
    "antibody_longevity": antibody_longevity,
    "manufacturing": manufacturing,
    "prices": prices,
    "tolerance_checkpoints": tolerance_checkpoints,
    "organ_damage": organ_damage,
    "refractory_lupus": refractory_lupus,
    "donor_cell_reports": donor_cell_reports,
}


def all_evidence() -> pd.DataFrame:
    """Every cited number in one table, with a ``table`` column naming its source function."""
    frames = [fn().assign(table=name) for name, fn in TABLES.items()]
    return pd.concat(frames, ignore_index=True)


def lookup(table: str, quantity: str, cohort: str | None = None) -> float:
    """The single ``value`` for ``quantity`` in ``table`` (optionally restricted to ``cohort``).

    Raises ``ValueError`` for an unknown table, or if the selection is not exactly one row.
    """
    require_choice("table", table, TABLES)
    df = TABLES[table]()
    mask = df["quantity"] == quantity
    if cohort is not None:
        mask &= df["cohort"] == cohort
    hits = df.loc[mask, "value"]
    if len(hits) != 1:
        raise ValueError(
            f"expected one row for quantity={quantity!r}, cohort={cohort!r} in {table!r}, found {len(hits)}"
        )
    return float(hits.iloc[0])


def citation_keys() -> set[str]:
    """Citation keys used by the evidence tables."""
    return set(all_evidence()["source"])


__all__ = [
    "COLUMNS",
    "SETTINGS",
    "CANCER_SETTINGS",
    "STATUSES",
    "TABLES",
    "UNITS",
    "duplicates",
    "read_table",
    "all_evidence",
    "citation_keys",
    "lookup",
    "antibody_longevity",
    "b_cell_depletion",
    "car_t_persistence",
    "crs_rates",
    "other_adverse_events",
    "summaries",
    "donor_cell_reports",
    "erlangen_trials",
    "manufacturing",
    "organ_damage",
    "prevalence",
    "prices",
    "refractory_lupus",
    "tolerance_checkpoints",
]
