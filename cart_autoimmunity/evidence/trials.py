"""The Erlangen trials and how long CAR T cells and B-cell depletion last.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from ..validation import require_columns
from ._table import fraction, row, table


def erlangen_trials() -> pd.DataFrame:
    """The Erlangen CD19 CAR T results in autoimmune disease (Mackensen 2022; Müller
    2024).

    Mackensen et al., Nat Med 2022: five patients with refractory SLE, abstract numbers.
    Müller et al., NEJM 2024: fifteen patients (8 SLE, 3 myositis, 4 systemic
    sclerosis). The stored Müller abstract is cut off after the follow-up sentence, so
    its safety and B-cell numbers are from named secondary summaries
    (``status="secondary"``).
    """
    mk, mu = "mackensen2022", "muller2024"
    mk_cohort = "Mackensen et al. 2022, refractory SLE"
    mu_cohort = "Müller et al. 2024, SLE + myositis + SSc"
    mk_abs = "Nat Med abstract (PubMed mirror, PMID 36109639)"
    mu_abs = "NEJM abstract (PubMed mirror, PMID 38381673)"
    mu_news = "Secondary: Nexus News Group highlight of the NEJM abstract (14 Mar 2024)"
    a = "autoimmune"
    rows = [
        row(
            "patients",
            5,
            "patients",
            mk_cohort,
            a,
            mk,
            mk_abs + ": four women and one man",
            n=5,
        ),
        row("women", 4, "patients", mk_cohort, a, mk, mk_abs, n=5),
        row(
            "median_age",
            22,
            "years",
            mk_cohort,
            a,
            mk,
            mk_abs
            + "; range 18-24 (range given in the ACR Open Rheumatol journal club, "
            "PMID 37766597)",
            low=18,
            high=24,
            n=5,
        ),
        row(
            "dose_car_t_per_kg",
            1e6,
            "CAR T cells/kg",
            mk_cohort,
            a,
            mk,
            mk_abs
            + ": 1 x 10^6 CAR T cells per kg after fludarabine and cyclophosphamide",
            n=5,
        ),
        row(
            "sledai2k_baseline_median",
            16,
            "score",
            mk_cohort,
            a,
            mk,
            mk_abs
            + ": 'median (range) ... 16 (8)'; the abstract gives the width of the "
            "range (8 points), not its end points, so low/high are left empty",
            n=5,
        ),
        row(
            "sledai2k_baseline_range_width",
            8,
            "score",
            mk_cohort,
            a,
            mk,
            mk_abs + ": 'median (range) ... 16 (8)'; the range is given as its width",
            n=5,
        ),
        row(
            "sledai2k_3_months_median",
            0,
            "score",
            mk_cohort,
            a,
            mk,
            mk_abs
            + ": 'median (range) ... score after 3 months was 0 (2)'; low/high 0-2 "
            "are inferred from the width 2, since a score cannot be negative",
            low=0,
            high=2,
            n=5,
        ),
        row(
            "sledai2k_3_months_range_width",
            2,
            "score",
            mk_cohort,
            a,
            mk,
            mk_abs
            + ": 'median (range) ... score after 3 months was 0 (2)'; the range is "
            "given as its width",
            n=5,
        ),
        row(
            "doris_remission_3_months",
            fraction(5, 5),
            "fraction",
            mk_cohort,
            a,
            mk,
            mk_abs + ": DORIS remission in all five patients after 3 months",
            n=5,
        ),
        row(
            "b_cell_reappearance_mean",
            110,
            "days",
            mk_cohort,
            a,
            mk,
            mk_abs + ": mean 110 +/- 32 (SD) days; low/high are mean -/+ SD",
            low=110 - 32,
            high=110 + 32,
            n=5,
        ),
        row(
            "returning_b_cells_naive",
            1.0,
            "fraction",
            mk_cohort,
            a,
            mk,
            "Abstract (journal-club copy, PMID 37766597): 'Reappearing B cells were "
            "naive and showed non-class-switched B cell receptors'; qualitative, "
            "coded as 1",
            n=5,
        ),
        row(
            "drug_free_follow_up_median",
            8,
            "months",
            mk_cohort,
            a,
            mk,
            mk_abs + ": drug-free remission maintained, median follow-up 8 months",
            n=5,
        ),
        row("patients", 15, "patients", mu_cohort, a, mu, mu_abs, n=15),
        row("patients_sle", 8, "patients", mu_cohort, a, mu, mu_abs, n=15),
        row(
            "patients_myositis",
            3,
            "patients",
            mu_cohort,
            a,
            mu,
            mu_abs + ": idiopathic inflammatory myositis",
            n=15,
        ),
        row(
            "patients_systemic_sclerosis", 4, "patients", mu_cohort, a, mu, mu_abs, n=15
        ),
        row(
            "follow_up_median",
            15,
            "months",
            mu_cohort,
            a,
            mu,
            mu_abs + ": median 15 months, range 4-29",
            low=4,
            high=29,
            n=15,
        ),
        row(
            "doris_remission_sle",
            fraction(8, 8),
            "fraction",
            mu_cohort,
            a,
            mu,
            mu_news + "; all 8 SLE patients in DORIS remission",
            n=8,
            status="secondary",
        ),
        row(
            "immunosuppression_stopped",
            fraction(15, 15),
            "fraction",
            mu_cohort,
            a,
            mu,
            mu_news + "; immunosuppressive therapy stopped in all patients",
            n=15,
            status="secondary",
        ),
        row(
            "crs_grade_1",
            fraction(10, 15),
            "fraction",
            mu_cohort,
            a,
            mu,
            mu_news + ": 10 patients with grade 1 CRS",
            n=15,
            status="secondary",
        ),
        row(
            "crs_grade_2",
            fraction(1, 15),
            "fraction",
            mu_cohort,
            a,
            mu,
            mu_news + ": 1 patient with grade 2 CRS",
            n=15,
            status="secondary",
        ),
        row(
            "icans_grade_1",
            fraction(1, 15),
            "fraction",
            mu_cohort,
            a,
            mu,
            mu_news + ": 1 patient with grade 1 ICANS",
            n=15,
            status="secondary",
        ),
        row(
            "pneumonia_hospitalisation",
            fraction(1, 15),
            "fraction",
            mu_cohort,
            a,
            mu,
            mu_news + ": 1 pneumonia-related hospitalisation",
            n=15,
            status="secondary",
        ),
        row(
            "b_cell_aplasia_mean",
            112,
            "days",
            mu_cohort,
            a,
            mu,
            "Secondary: public verification notes quoting the abstract (PMID "
            "38381673), 112 +/- 47 days; the stored abstract stops just before this "
            "number; low/high are mean -/+ SD",
            low=112 - 47,
            high=112 + 47,
            n=15,
            status="secondary",
        ),
    ]
    return table(rows)


def car_t_persistence() -> pd.DataFrame:
    """How long CAR T cells stay detectable, and tisa-cel kinetic half-lives, in days.

    Months are converted at 30.44 days per month and years at 365.25 days; the note
    gives the original wording. Lower bounds ("more than") are stated in the note.
    """
    rows = [
        row(
            "max_detectable_persistence",
            10 * 365.25,
            "days",
            "Penn CTL019, CLL (2 patients treated 2010)",
            "leukaemia",
            "melenhorst2022",
            "Nature abstract: 'CAR T cells remained detectable more than ten years "
            "after infusion' (a lower bound)",
            n=2,
        ),
        row(
            "max_detectable_persistence",
            20 * 30.44,
            "days",
            "ELIANA (tisa-cel, paediatric B-ALL)",
            "leukaemia",
            "maude2018",
            "NEJM abstract (verbatim copy, PMID 29385370): CAR T cells persisted "
            "'for as long as 20 months'",
            n=75,
        ),
        row(
            "max_detectable_persistence_qpcr_responders",
            693,
            "days",
            "JULIET (tisa-cel, DLBCL)",
            "lymphoma",
            "awasthi2020",
            "Blood Adv abstract: 693 days maximum by qPCR in responders",
            n=111,
        ),
        row(
            "max_detectable_persistence_qpcr_nonresponders",
            374,
            "days",
            "JULIET (tisa-cel, DLBCL)",
            "lymphoma",
            "awasthi2020",
            "Blood Adv abstract: 374 days maximum by qPCR in non-responders",
            n=111,
        ),
        row(
            "max_detectable_persistence_flow_responders",
            554,
            "days",
            "JULIET (tisa-cel, DLBCL)",
            "lymphoma",
            "awasthi2020",
            "Blood Adv abstract: 554 days maximum by flow cytometry in responders",
            n=111,
        ),
        row(
            "max_detectable_persistence_flow_nonresponders",
            400,
            "days",
            "JULIET (tisa-cel, DLBCL)",
            "lymphoma",
            "awasthi2020",
            "Blood Adv abstract: 400 days maximum by flow cytometry in non-responders",
            n=111,
        ),
        row(
            "expansion_doubling_time",
            0.78,
            "days",
            "ELIANA + ENSIGN popPK (tisa-cel)",
            "leukaemia",
            "stein2019",
            "CPT:PSP abstract (Europe PMC copy): doubling time 0.78 days",
        ),
        row(
            "initial_decline_half_life",
            4.3,
            "days",
            "ELIANA + ENSIGN popPK (tisa-cel)",
            "leukaemia",
            "stein2019",
            "CPT:PSP abstract: initial decline half-life 4.3 days",
        ),
        row(
            "terminal_half_life",
            220,
            "days",
            "ELIANA + ENSIGN popPK (tisa-cel)",
            "leukaemia",
            "stein2019",
            "CPT:PSP abstract: terminal half-life 220 days",
        ),
        row(
            "min_detectable_persistence",
            3 * 30.44,
            "days",
            "Wang et al. 2024, donor CD19 (myositis, SSc)",
            "allogeneic",
            "wang2024",
            "Cell abstract: infused cells 'persisted for over 3 months' (a lower "
            "bound)",
            n=3,
        ),
    ]
    return table(rows)


def b_cell_depletion() -> pd.DataFrame:
    """B-cell depletion and return after CD19-directed therapy, and B-cell turnover."""
    rows = [
        row(
            "b_cell_reappearance_mean",
            110,
            "days",
            "Mackensen et al. 2022, refractory SLE",
            "autoimmune",
            "mackensen2022",
            "Nat Med abstract: mean 110 +/- 32 (SD) days; low/high are mean -/+ SD",
            low=78,
            high=142,
            n=5,
        ),
        row(
            "b_cell_aplasia_mean",
            112,
            "days",
            "Müller et al. 2024, SLE + myositis + SSc",
            "autoimmune",
            "muller2024",
            "Secondary: public verification notes quoting the abstract, 112 +/- 47 "
            "days; low/high are mean -/+ SD",
            low=65,
            high=159,
            n=15,
            status="secondary",
        ),
        row(
            "time_to_complete_b_cell_depletion_max",
            14,
            "days",
            "Wang et al. 2024, donor CD19 (myositis, SSc)",
            "allogeneic",
            "wang2024",
            "Cell abstract: complete B cell depletion 'within 2 weeks' (an upper "
            "bound)",
            n=3,
        ),
        row(
            "blood_b_cell_division_rate_young",
            0.019,
            "per day",
            "Healthy young adults, deuterated glucose",
            "biology",
            "macallan2005",
            "Blood abstract: total blood B cells divide at 1.9% (+/- 1.0%) per day; "
            "low/high are -/+ SD",
            low=0.009,
            high=0.029,
        ),
        row(
            "naive_b_cell_division_rate",
            0.0046,
            "per day",
            "Healthy adults, deuterated glucose",
            "biology",
            "macallan2005",
            "Blood abstract: naive (CD27-) blood B cells divide at 0.46% per day",
        ),
        row(
            "memory_b_cell_division_rate",
            0.0266,
            "per day",
            "Healthy adults, deuterated glucose",
            "biology",
            "macallan2005",
            "Blood abstract: memory (CD27+) blood B cells divide at 2.66% per day",
        ),
    ]
    return table(rows)


# Published points as plotting tables ------------------------------------------------

#: How readers know the cohorts of the trial tables (the ``cohort`` column keeps its
#: keys).
READER_NAMES = {
    "mackensen2022": "Mackensen et al. 2022",
    "muller2024": "Müller et al. 2024",
}


def reader_name(source: str) -> str:
    """The cohort of citation key ``source`` as readers know it."""
    return READER_NAMES.get(source, source)


def return_points(b_cell_table: pd.DataFrame) -> pd.DataFrame:
    """Published B-cell return times as plotting points (``label``, ``time_days``,
    ``time_sd``, ``primary``).

    Takes :func:`cart_autoimmunity.evidence.b_cell_depletion` (autoimmune rows with unit
    ``days``); ``time_sd`` is half the reported mean ± SD band; ``primary`` is the
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
        (b_cell_table["setting"] == "autoimmune") & (b_cell_table["unit"] == "days")
    ]
    if rows.empty:
        raise ValueError("b_cell_table has no autoimmune rows in days")
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
        f"{short.get(r.source, r.cohort)}: > {r.value / 365.25:.0f} years"
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
        ("b_cell_reappearance_mean", "B cells back after"),
        ("drug_free_follow_up_median", "Drug-free follow-up"),
    ),
    "muller2024": (
        ("patients", "Patients"),
        ("follow_up_median", "Follow-up, median (range)"),
        ("doris_remission_sle", "DORIS remission (lupus)"),
        ("immunosuppression_stopped", "Immunosuppression stopped"),
        ("b_cell_aplasia_mean", "B-cell aplasia"),
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
