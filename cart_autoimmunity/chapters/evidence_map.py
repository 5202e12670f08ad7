"""The evidence as of 5 December 2026: every published cohort, counted, and pooled with care.

The page draws :func:`cart_autoimmunity.evidence.cohort_map.cohorts` (one row per cohort,
counts read in each source) and pools proportions with
:mod:`cart_autoimmunity.meta_analysis`. Only primary rows enter a computation, and at most
one row per overlap group (series that may share patients).

The page checks no claim of the story on its own: :func:`claims` is empty. Its numbers feed
the caveats of chapters 4, 5 and 10 and of the conclusion.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import chapter as toolkit
from .. import meta_analysis
from ..chapter import ReaderTable, cite
from ..evidence import cohort_map
from ..figures import meta_analysis as meta_analysis_figures
from ..validation import require_choice

CHAPTER = "book/evidence_map"
#: The first company-sponsored multicentre trial in the map, which the page names.
COMPANY_TRIAL_SOURCE = "morand2025ytb323"
#: The outcomes the forest plot shows, with their panel titles.
FOREST_OUTCOMES = {
    "crs_grade3_plus": "Severe CRS (grade 3 or higher)",
    "drug_free_remission": "Drug-free remission",
}
_SOURCE_WORDS = {"autologous": "own", "donor": "donor", "in_vivo": "in vivo"}


@cache
def _cohorts() -> pd.DataFrame:
    return cohort_map.cohorts()


def label(cohort: str, patients: int) -> str:
    """A cohort's short name for a figure row: ``"Feng 2025 (n=15)"``."""
    return f"{cohort.split(' (')[0]} (n={patients})"


def book_date_text() -> str:
    """The book's date (:data:`cart_autoimmunity.evidence.cohort_map.BOOK_DATE`) in words:
    ``"5 December 2026"``."""
    return f"{cohort_map.BOOK_DATE.day} {cohort_map.BOOK_DATE:%B %Y}"


@cache
def forest(outcome: str) -> tuple[pd.DataFrame, dict]:
    """Per-cohort exact intervals (with a ``label``) and the summary for ``outcome``.

    The summary is :func:`cart_autoimmunity.meta_analysis.pool`'s: a random-effects
    estimate, or (no cohort with an event, or all with it) the total count with its exact
    interval, as its ``method`` says.
    """
    require_choice("outcome", outcome, cohort_map.COUNT_COLUMNS)
    rows = cohort_map.analysable(_cohorts(), outcome)
    table = meta_analysis.forest_table(rows)
    table["label"] = [label(c, n) for c, n in zip(table["cohort"], table["patients"])]
    return table, meta_analysis.pool(rows["events"], rows["patients"])


def figure():
    """The forest plot of :data:`FOREST_OUTCOMES`."""
    return meta_analysis_figures.plot_forest(
        {title: forest(outcome) for outcome, title in FOREST_OUTCOMES.items()}
    )


def numbers() -> dict[str, float]:
    """Every number the page glues.

    Per outcome (``crs3``, ``crs_any``, ``dfr``): ``_cohorts``, ``_patients``, ``_events``,
    then either ``_pooled_pct``, ``_low_pct``, ``_high_pct`` (random-effects estimate) or
    ``_total_pct``, ``_total_low_pct``, ``_total_high_pct`` (the summed count and its exact
    interval), whichever :func:`forest` gives; the page's prose names the one it expects,
    so a change of method fails the notebook checks rather than mislabelling a number.
    """
    table = _cohorts()
    primary = table[table["status"] == "primary"]
    independent = primary.sort_values("patients", ascending=False).drop_duplicates(
        "overlap_group"
    )
    values = {
        "book_day": cohort_map.BOOK_DATE.day,
        "interval_pct": 100 * (1 - meta_analysis.ALPHA),
        "continuity": meta_analysis.CONTINUITY,
        "n_cohorts": len(table),
        "n_primary": len(primary),
        "n_secondary": int((table["status"] == "secondary").sum()),
        "n_groups": int(table["overlap_group"].nunique()),
        "n_patients_independent": int(independent["patients"].sum()),
        "n_donor": int((table["cell_source"] == "donor").sum()),
        "n_in_vivo": int((table["cell_source"] == "in_vivo").sum()),
        "longest_follow_up_months": float(primary["follow_up_months"].max()),
    }
    for outcome, short in (
        ("crs_grade3_plus", "crs3"),
        ("crs_any", "crs_any"),
        ("drug_free_remission", "dfr"),
    ):
        _, pooled = forest(outcome)
        kind = "pooled" if pooled["method"] == meta_analysis.RANDOM_EFFECTS else "total"
        bound = "" if kind == "pooled" else "total_"
        values |= {
            f"{short}_cohorts": pooled["cohorts"],
            f"{short}_patients": pooled["patients"],
            f"{short}_events": pooled["events"],
            f"{short}_{kind}_pct": 100 * pooled["proportion"],
            f"{short}_{bound}low_pct": 100 * pooled["low"],
            f"{short}_{bound}high_pct": 100 * pooled["high"],
        }
    crs3_rows, _ = forest("crs_grade3_plus")
    largest = crs3_rows.sort_values("patients").iloc[-1]
    values["crs3_largest_upper_pct"] = 100 * float(largest["high"])
    values["crs3_largest_n"] = int(largest["patients"])
    company = table.set_index("source").loc[COMPANY_TRIAL_SOURCE]
    values["company_trial_patients"] = int(company["patients"])
    return values


def tables() -> dict[str, pd.DataFrame]:
    """The cohort table as data."""
    return {"tbl-evidence-cohorts": _cohorts()}


def _counts_cell(row) -> str:
    parts = []
    if pd.notna(row.drug_free_remission):
        parts.append(f"drug-free {row.drug_free_remission}")
    if pd.notna(row.crs_any):
        parts.append(f"CRS {row.crs_any}")
    if pd.notna(row.crs_grade3_plus):
        parts.append(f"severe CRS {row.crs_grade3_plus}")
    if pd.notna(row.relapses):
        parts.append(f"relapses {row.relapses}")
    text = "; ".join(parts) if parts else "none read"
    return text + (" (secondary)" if row.status == "secondary" else "")


def _cohort_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Each cohort's disease, size and cells in words, and its counts in one cell."""
    frame = frame.copy()
    frame["who"] = [
        f"{disease}; {n} patient{'s' if n > 1 else ''}; {_SOURCE_WORDS[source]} cells"
        for disease, n, source in zip(
            frame["disease"], frame["patients"], frame["cell_source"]
        )
    ]
    frame["counts"] = [_counts_cell(row) for row in frame.itertuples(index=False)]
    return frame


#: How each table is shown to readers, by its ``tbl-`` name (at most four columns).
TABLE_SPECS = {
    "tbl-evidence-cohorts": toolkit.TableSpec(
        {
            "product": "Product",
            "who": "Disease, patients, cells",
            "counts": "Patients with the outcome",
            "source": "Source",
        },
        lambda: (
            "Published cohorts of engineered-cell therapy in autoimmune disease, as "
            f"of {book_date_text()}: counts as read in each source's own text; 'none read' "
            "where the text available to us gave none; 'secondary' where a count was seen "
            "only in a summary."
        ),
        formats={"source": cite},
        derive=_cohort_cells,
    ),
}


def reader_table(name: str) -> ReaderTable:
    """``name`` formatted for readers."""
    require_choice("name", name, TABLE_SPECS)
    return toolkit.show_table(TABLE_SPECS[name], tables()[name], name=name)


def claims() -> tuple:
    """None: the page maps the evidence; the chapters check the story's claims against it."""
    return ()
