"""The Erlangen trials and how long CAR T cells and B-cell depletion last.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from .. import validation
from ..units import DAYS_PER_YEAR
from ..validation import require_columns
from ._table import load

#: The quantity of the published mean day of B-cell return (the models' ``b_return_day``).
B_RETURN = "b_return_day_mean"

#: The two Erlangen cohorts, as the ``cohort`` column names them.
MACKENSEN_2022 = "Mackensen et al. 2022, refractory SLE"
MULLER_2024 = "Müller et al. 2024, SLE + myositis + SSc"


def erlangen_trials() -> pd.DataFrame:
    """The Erlangen CD19 CAR T results in autoimmune disease (Mackensen 2022; Müller
    2024).

    Mackensen et al., Nat Med 2022: five patients with refractory SLE, abstract numbers.
    Müller et al., NEJM 2024: fifteen patients (8 SLE, 3 myositis, 4 systemic
    sclerosis). The stored Müller abstract is cut off after the follow-up sentence, so
    its safety and B-cell numbers are from named secondary summaries
    (``status="secondary"``).

    ``b_return_day_mean`` is the mean (± SD as ``low``/``high``) day on which B cells came
    back, in both cohorts (Müller reports it as the length of B-cell aplasia); these two
    rows are the book's one home for the published B-cell return.
    """
    return load("erlangen_trials")


def car_t_persistence() -> pd.DataFrame:
    """How long CAR T cells stay detectable, and tisa-cel kinetic half-lives, in days.

    Months are converted at 30.44 days per month and years at
    :data:`~cart_autoimmunity.units.DAYS_PER_YEAR` days; the note gives the original
    wording. Lower bounds ("more than") are stated in the note.
    """
    return load("car_t_persistence")


def b_cell_depletion() -> pd.DataFrame:
    """How fast donor CD19 CAR T cells deplete B cells, and how fast B cells turn over.

    The published B-cell return times of the Erlangen cohorts are in
    :func:`erlangen_trials` (quantity ``b_return_day_mean``).
    """
    return load("b_cell_depletion")


# Published points as plotting tables ------------------------------------------------

#: How readers know the cohorts of the trial tables (the ``cohort`` column keeps its
#: keys).
READER_NAMES = {
    "mackensen2022": "Mackensen et al. 2022",
    "muller2024": "Müller et al. 2024",
}


def reader_name(source: str) -> str:
    """The cohort of citation key ``source`` as readers know it (the key itself if unnamed)."""
    validation.require_text("source", source)
    return READER_NAMES.get(source, source)


def return_points(b_cell_table: pd.DataFrame) -> pd.DataFrame:
    """Published B-cell return times as plotting points (``label``, ``time_days``,
    ``time_sd``, ``primary``).

    Takes :func:`cart_autoimmunity.evidence.erlangen_trials` (its ``b_return_day_mean``
    rows; autoimmune rows with unit ``days``); ``time_sd`` is half the reported mean ± SD band; ``primary`` is the
    status.
    """
    require_columns(
        "b_cell_table",
        b_cell_table,
        (
            "quantity",
            "value",
            "low",
            "high",
            "unit",
            "setting",
            "n",
            "source",
            "status",
        ),
    )
    rows = b_cell_table[
        (b_cell_table["quantity"] == B_RETURN)
        & (b_cell_table["setting"] == "autoimmune")
        & (b_cell_table["unit"] == "days")
    ]
    if rows.empty:
        raise ValueError(f"b_cell_table has no autoimmune {B_RETURN!r} rows in days")
    labels = [
        f"{reader_name(r.source)} (n = {r.n:.0f}"
        + ("" if r.status == "primary" else "; secondary")
        + ")"
        for r in rows.itertuples()
    ]
    return pd.DataFrame(
        {
            "label": labels,
            "time_days": rows["value"].to_numpy(dtype=float),
            "time_sd": ((rows["high"] - rows["low"]) / 2).to_numpy(dtype=float),
            "primary": (rows["status"] == "primary").to_numpy(),
        }
    )


def persistence_points(persistence: pd.DataFrame) -> pd.DataFrame:
    """Longest published CAR T detection times in cancer as plotting points.

    Takes :func:`cart_autoimmunity.evidence.car_t_persistence`; keeps the
    maximum-persistence rows (responders only, qPCR where both are given). Columns
    ``label``, ``time_days``, ``lower_bound``.
    """
    require_columns(
        "persistence",
        persistence,
        ("quantity", "value", "unit", "cohort", "source", "verification"),
    )
    keep = persistence["quantity"].isin(
        ["max_detectable_persistence", "max_detectable_persistence_qpcr_responders"]
    )
    rows = persistence[keep & (persistence["unit"] == "days")]
    if rows.empty:
        raise ValueError("persistence has no maximum-persistence rows in days")
    short = {
        "melenhorst2022": "CLL",
        "maude2018": "ELIANA",
        "awasthi2020": "JULIET (qPCR)",
    }
    lower = rows["verification"].str.contains("lower bound", case=False).to_numpy()
    labels = [
        f"{short.get(r.source, r.cohort)}: > {r.value / DAYS_PER_YEAR:.0f} years"
        if lb
        else f"{short.get(r.source, r.cohort)}, longest"
        for r, lb in zip(rows.itertuples(), lower, strict=True)
    ]
    return pd.DataFrame(
        {
            "label": labels,
            "time_days": rows["value"].to_numpy(dtype=float),
            "lower_bound": lower,
        }
    )


# Reader tables ------------------------------------------------------------------------

#: Headline rows of the reader tables: (quantity, what was measured), in book order.
HEADLINES = {
    "mackensen2022": (
        ("patients", "Patients with lupus"),
        ("median_age", "Age, median (range)"),
        ("dose_car_t_per_kg", "Dose per kg body weight"),
        ("sledai2k_baseline_median", "Lupus activity before"),
        ("sledai2k_3_months_median", "Lupus activity at 3 months"),
        ("doris_remission_3_months", "DORIS remission at 3 months"),
        ("b_return_day_mean", "B cells back after"),
        ("drug_free_follow_up_median", "Drug-free follow-up"),
    ),
    "muller2024": (
        ("patients", "Patients"),
        ("follow_up_median", "Follow-up, median (range)"),
        ("doris_remission_sle", "DORIS remission (lupus)"),
        ("immunosuppression_stopped", "Immunosuppression stopped"),
        ("b_return_day_mean", "B-cell aplasia"),
    ),
}


def _g(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:g}"


def _headline_value(rows: pd.DataFrame, quantity: str) -> str:
    r = rows.loc[quantity]
    value, low, high, unit = r["value"], r["low"], r["high"], r["unit"]
    has_range = not (pd.isna(low) or pd.isna(high))
    if quantity == "patients" and "patients_sle" in rows.index:
        parts = (
            ("patients_sle", "lupus"),
            ("patients_myositis", "myositis"),
            ("patients_systemic_sclerosis", "systemic sclerosis"),
        )
        split = ", ".join(f"{_g(rows.loc[q, 'value'])} {name}" for q, name in parts)
        return f"{_g(value)} ({split})"
    if quantity == "patients" and "women" in rows.index:
        return f"{_g(value)} ({_g(rows.loc['women', 'value'])} women)"
    if unit == "CAR T cells/kg":
        return f"{_g(value / 1e6)} million CAR T cells"
    if unit == "fraction":
        return f"{_g(round(value * r['n']))} of {_g(r['n'])}"
    if quantity.startswith("sledai2k"):
        width = rows.loc[quantity.replace("_median", "_range_width"), "value"]
        return f"SLEDAI-2K {_g(value)} (range width {_g(width)})"
    if quantity.endswith("_mean") and has_range:
        return f"{_g(value)} ± {_g((high - low) / 2)} {unit} (mean ± SD)"
    if has_range:
        return f"{_g(value)} {unit} ({_g(low)}–{_g(high)})"
    return f"{_g(value)} {unit}" + (", median" if quantity.endswith("median") else "")


def headline_table(erlangen: pd.DataFrame, source: str) -> pd.DataFrame:
    """One Erlangen report's headline numbers as short texts, for a reader table.

    Takes :func:`erlangen_trials` and a source key of :data:`HEADLINES`; returns the
    columns ``measure``, ``value`` (text with unit), ``source`` and ``seen_in``
    (``"abstract"`` or ``"secondary summary"``).
    """
    require_columns(
        "erlangen",
        erlangen,
        ("quantity", "value", "low", "high", "unit", "n", "source", "status"),
    )
    if source not in HEADLINES:
        raise ValueError(f"source must be one of {sorted(HEADLINES)}, got {source!r}")
    rows = erlangen[erlangen["source"] == source].set_index("quantity")
    wanted = [q for q, _ in HEADLINES[source]]
    missing = [q for q in wanted if q not in rows.index]
    if missing:
        raise ValueError(f"erlangen is missing quantities {missing} for {source}")
    return pd.DataFrame(
        {
            "measure": [measure for _, measure in HEADLINES[source]],
            "value": [_headline_value(rows, q) for q in wanted],
            "source": source,
            "seen_in": [
                "abstract"
                if rows.loc[q, "status"] == "primary"
                else "secondary summary"
                for q in wanted
            ],
        }
    )
