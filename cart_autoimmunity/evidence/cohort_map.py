"""Every published cohort of CAR T (and related engineered-cell) therapy in autoimmune disease.

One row per cohort in ``cohorts/autoimmune_cohorts.csv``, read by :func:`cohorts`. Unlike the
topic tables of this package (one row per cited number), this table stores *counts* per
cohort, so that every proportion the book shows is computed from them:

``cohort``, ``product``, ``target``, ``disease``
    What was given to whom, in words.
``cell_source``
    ``autologous`` (the patient's own cells, made outside the body), ``donor`` (allogeneic
    cells from a healthy donor) or ``in_vivo`` (CAR T cells made inside the body).
``patients``
    Patients treated (a count, at least 1).
``follow_up_months``
    Median follow-up in months, or empty where the source gives no median.
``drug_free_remission``, ``crs_any``, ``crs_grade3_plus``, ``icans_any``,
``icans_grade3_plus``, ``relapses``
    Counts of patients, or empty where the text we could read does not report them
    ("not reported" there; never guessed). ``remission_definition`` says what "drug-free remission" meant there.
``source``
    Citation key in ``references.bib`` (a test checks that every key is there).
``status``
    ``primary``: every count in the row was read in the source's own text (abstract or full
    text). ``secondary``: at least one count was seen only in a named secondary summary;
    such rows are shown but kept out of every computation.
``overlap_group``
    Cohorts in one group may share patients (for example the Erlangen series, each of
    which extends the last), so an analysis takes at most one row per group.
``verification``
    Where each count was read.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pandas as pd

from .. import validation

#: The book's date: the map holds what was published, and could be read, up to then.
BOOK_DATE = date(2026, 12, 5)

#: The table's file, shipped with the package.
COHORTS_CSV = Path(__file__).with_name("cohorts") / "autoimmune_cohorts.csv"

#: Event counts (patients with the event), each at most ``patients``.
COUNT_COLUMNS = (
    "drug_free_remission",
    "crs_any",
    "crs_grade3_plus",
    "icans_any",
    "icans_grade3_plus",
    "relapses",
)
TEXT_COLUMNS = (
    "cohort",
    "product",
    "target",
    "cell_source",
    "disease",
    "remission_definition",
    "source",
    "status",
    "overlap_group",
    "verification",
)
COLUMNS = (
    "cohort",
    "product",
    "target",
    "cell_source",
    "disease",
    "patients",
    "follow_up_months",
    *COUNT_COLUMNS[:1],
    "remission_definition",
    *COUNT_COLUMNS[1:],
    "source",
    "status",
    "overlap_group",
    "verification",
)
CELL_SOURCES = ("autologous", "donor", "in_vivo")
STATUSES = ("primary", "secondary")
#: Each grade 3 or higher count and the any-grade count it is part of.
GRADE_PAIRS = (("crs_grade3_plus", "crs_any"), ("icans_grade3_plus", "icans_any"))


def cohorts(path: str | Path = COHORTS_CSV) -> pd.DataFrame:
    """The cohort table at ``path``, checked (see :func:`check`).

    Counts are nullable integers (``pd.NA`` where not reported); ``follow_up_months`` is a
    float (NaN where not reported).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    if not Path(path).is_file():
        raise ValueError(f"path must name an existing cohort table file, got {path!r}")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return check(frame)


def check(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with typed columns, or ``ValueError`` naming the first problem found.

    Refused: a missing column; an empty cohort name, source or status; a repeated cohort;
    an unknown ``cell_source`` or ``status``; a count that is not a whole number, is
    negative or exceeds ``patients``; ``patients`` below 1; a negative follow-up; a grade
    3 or higher count above its any-grade count; a drug-free remission count without its
    definition.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"frame must be a cohort table; missing columns {missing}")
    out = frame.loc[:, list(COLUMNS)].copy()
    for column in TEXT_COLUMNS:
        out[column] = out[column].fillna("").astype(str).str.strip()
    for column in ("cohort", "source", "status", "cell_source", "overlap_group"):
        empty = out.loc[out[column] == "", "cohort"].tolist()
        if empty:
            raise ValueError(f"cohort table: empty {column} in rows {empty}")
    repeated = out.loc[out["cohort"].duplicated(), "cohort"].tolist()
    if repeated:
        raise ValueError(f"cohort table: cohort listed twice: {repeated}")
    for column, allowed in (("cell_source", CELL_SOURCES), ("status", STATUSES)):
        bad = sorted(set(out[column]) - set(allowed))
        if bad:
            raise ValueError(f"cohort table: unknown {column} {bad}; allowed {allowed}")
    out["patients"] = _counts(out, "patients")
    if out["patients"].isna().any() or (out["patients"] < 1).any():
        raise ValueError("cohort table: patients must be a count of at least 1")
    out["follow_up_months"] = pd.to_numeric(
        out["follow_up_months"].replace("", None), errors="raise"
    ).astype(float)
    if (out["follow_up_months"] < 0).any():
        raise ValueError("cohort table: follow_up_months must not be negative")
    for column in COUNT_COLUMNS:
        out[column] = _counts(out, column)
        too_many = out.loc[out[column] > out["patients"], "cohort"].tolist()
        if too_many:
            raise ValueError(f"cohort table: {column} exceeds patients in {too_many}")
    for severe, any_grade in GRADE_PAIRS:
        worse = out.loc[out[severe] > out[any_grade], "cohort"].tolist()
        if worse:
            raise ValueError(f"cohort table: {severe} exceeds {any_grade} in {worse}")
    undefined = out.loc[
        out["drug_free_remission"].notna() & (out["remission_definition"] == ""),
        "cohort",
    ].tolist()
    if undefined:
        raise ValueError(f"cohort table: remission_definition missing in {undefined}")
    return out.reset_index(drop=True)


def _counts(frame: pd.DataFrame, column: str) -> pd.Series:
    """``column`` as nullable non-negative integers; ValueError naming the column otherwise."""
    text = frame[column].astype(str).str.strip().replace({"": None, "nan": None})
    try:
        values = pd.to_numeric(text, errors="raise")
    except (ValueError, TypeError):
        raise ValueError(f"cohort table: {column} must hold counts") from None
    whole = values.dropna()
    if (whole != whole.round()).any():
        raise ValueError(f"cohort table: {column} must hold whole counts")
    if (whole < 0).any():
        raise ValueError(f"cohort table: {column} must not be negative")
    return values.astype("Int64")


def analysable(table: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """The rows fit to pool for ``outcome``: primary, reported, one per overlap group.

    Within an overlap group the row with the most patients reporting ``outcome`` is kept
    (the largest of series that may share patients). Columns: ``cohort``, ``source``,
    ``cell_source``, ``events``, ``patients``.
    """
    if outcome not in COUNT_COLUMNS:
        raise ValueError(f"outcome must be one of {COUNT_COLUMNS}, got {outcome!r}")
    validation.require_columns(
        "table",
        table,
        [
            "cohort",
            "source",
            "cell_source",
            "status",
            "overlap_group",
            "patients",
            outcome,
        ],
    )
    rows = table[(table["status"] == "primary") & table[outcome].notna()]
    rows = rows.sort_values(["patients", "cohort"], ascending=[False, True])
    rows = rows.drop_duplicates("overlap_group").sort_values("cohort")
    return pd.DataFrame(
        {
            "cohort": rows["cohort"],
            "source": rows["source"],
            "cell_source": rows["cell_source"],
            "events": rows[outcome].astype(int),
            "patients": rows["patients"].astype(int),
        }
    ).reset_index(drop=True)
