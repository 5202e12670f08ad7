"""Chapter 4, *Erlangen*: CAR T cells that do their job and leave, against the kinetics model.

Cited numbers come from the evidence tables ``erlangen_trials``, ``b_cell_depletion`` and
``car_t_persistence``, and (the larger series, relapses and follow-up since 2024) from the
cohort map :func:`cart_autoimmunity.evidence.cohort_map.cohorts`. The model numbers come from the kinetics model with default
parameters (:class:`~cart_autoimmunity.parameters.kinetics.KineticsParameters`), in four
runs, each made once per process and shared by the numbers, the tables, the claims and the
figures:

* two virtual cohorts (:func:`cart_autoimmunity.cohort.simulate_cohort`, calibrated and
  uncalibrated spreads);
* the grid of memory formation against target burden behind the explorable figure, one
  vectorised solve (:func:`cart_autoimmunity.kinetics.memory_burden_runs`); the single runs
  of the chapter (autoimmune, burden only, lymphoma, leukaemia, half memory formation) are
  points of that grid;
* the sweep of the memory factor without a tumour
  (:func:`cart_autoimmunity.kinetics.memory_burden_grid_vectorised`).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import chapter, cohort, evidence, kinetics
from ..claims import Bound, Check, Claim
from ..evidence import cohort_map
from ..parameters.kinetics import CohortParameters, KineticsParameters
from ..units import DAYS_PER_YEAR
from ..validation import require_choice

CHAPTER = "notebooks/04_erlangen"

#: The cohort labels of the two Erlangen reports in the evidence table.
MACKENSEN_2022 = "Mackensen et al. 2022, refractory SLE"
MULLER_2024 = "Müller et al. 2024, SLE + myositis + SSc"

#: The cohort map's overlap group of the Erlangen reports, and its target in the series table.
ERLANGEN_GROUP = "erlangen"
SERIES_TARGET = "CD19"
#: The cohort map's rows the prose quotes, by source key.
HAGEN_2025, CASTLE, QIN_2023 = "hagen2025", "hagen2025castle", "qin2023"

#: Virtual cohorts: patients, seed and days simulated; days of every single run (days).
COHORT_SIZE = 300
COHORT_SEED = 2024
DAYS = 1000.0
#: One year (days): "still detectable at one year" in the cohort's tail.
ONE_YEAR_DAYS = 365.0
#: Six months (days; half of 365.25, to one decimal), the line the memory sweep is read at.
SIX_MONTHS_DAYS = 182.6
#: The memory factors of the sweep: 15 values, evenly spaced on a log scale from 0.01 to 1.
SWEEP_FACTORS = tuple(float(f) for f in np.geomspace(0.01, 1.0, 15))
#: The extra autoimmune run read in the prose: memory formation at half the cancer rate.
HALF_FACTOR = 0.5
HALF_MEMORY = "autoimmune (half memory formation)"

#: Glue-name prefix of each single run.
RUN_KEYS = {
    "autoimmune": "auto",
    "lymphoma": "lymph",
    "leukaemia": "leuk",
    "autoimmune (burden only)": "burden",
}
#: The cohorts, by label: their spreads.
COHORTS = {
    "calibrated": CohortParameters,
    "uncalibrated": CohortParameters.uncalibrated,
}
#: The summaries of each cohort (:func:`cohort_summary`) that the prose quotes.
QUOTED_SUMMARIES = {
    "calibrated": (
        "mean",
        "sd",
        "median",
        "p05",
        "p95",
        "within_pct",
        "tail_pct",
        "lod_median",
    ),
    "uncalibrated": ("mean", "sd", "p95", "tail_pct", "no_return"),
}
#: Methods in the persistence table's quantity names, as readers know them.
METHODS = {"qpcr": "qPCR", "flow": "flow cytometry"}
#: Days per year and per month, for the cited persistence (days).
DAYS_PER_MONTH = 30.44


# --- cited numbers ---------------------------------------------------------------------
def _trial(quantity: str, cohort_label: str | None = None) -> float:
    return evidence.lookup("erlangen_trials", quantity, cohort_label)


def b_cell_return_row(cohort_label: str) -> pd.Series:
    """Mean day of B-cell return of one Erlangen report; ``low``/``high`` hold mean ∓ SD."""
    table = evidence.erlangen_trials()
    rows = table[
        (table["quantity"] == evidence.trials.B_RETURN)
        & (table["cohort"] == cohort_label)
    ]
    if len(rows) != 1:
        raise ValueError(f"cohort_label {cohort_label!r} has no B-cell return row")
    return rows.iloc[0]


def published_b_cell_return() -> pd.Series:
    """Mean B-cell return in Mackensen et al. 2022 (days); ``low``/``high`` hold mean ∓ SD."""
    return b_cell_return_row(MACKENSEN_2022)


def _sd(row: pd.Series) -> float:
    """The SD of a ``mean ± SD`` row whose ``low``/``high`` hold mean ∓ SD (days)."""
    return float((row["high"] - row["low"]) / 2)


def longest_persistence() -> pd.DataFrame:
    """The longest published detection of CAR T cells in cancer, one row per report and group."""
    table = evidence.car_t_persistence()
    return table[table["quantity"].str.startswith("max_detectable")]


def cited_numbers() -> dict:
    """The cited numbers the prose quotes (units as in the evidence tables)."""
    aplasia = b_cell_return_row(MULLER_2024)
    returned = published_b_cell_return()
    longest = longest_persistence().drop_duplicates("source").set_index("source")
    return {
        "mk_n": int(_trial("patients", MACKENSEN_2022)),
        "mk_dose_million": _trial("dose_car_t_per_kg") / 1e6,
        "mu_n": int(_trial("patients", MULLER_2024)),
        "mu_sle": int(_trial("patients_sle")),
        "mu_myositis": int(_trial("patients_myositis")),
        "mu_ssc": int(_trial("patients_systemic_sclerosis")),
        "sledai_before": _trial("sledai2k_baseline_median"),
        "sledai_before_width": _trial("sledai2k_baseline_range_width"),
        "sledai_after": _trial("sledai2k_3_months_median"),
        "sledai_after_width": _trial("sledai2k_3_months_range_width"),
        "doris_pct": 100 * _trial("doris_remission_3_months"),
        "drug_free_months": _trial("drug_free_follow_up_median"),
        "b_return_mean": returned["value"],
        "b_return_sd": _sd(returned),
        "aplasia_mean": aplasia["value"],
        "aplasia_sd": _sd(aplasia),
        "melenhorst_years": longest.loc["melenhorst2022", "value"] / DAYS_PER_YEAR,
        "juliet_qpcr": evidence.lookup(
            "car_t_persistence", "max_detectable_persistence_qpcr_responders"
        ),
        "eliana_months": longest.loc["maude2018", "value"] / DAYS_PER_MONTH,
    }


# --- the cohort map: larger series, relapses, follow-up (as of the book's date) --------
@cache
def _map() -> pd.DataFrame:
    return cohort_map.cohorts()


def map_row(source: str) -> pd.Series:
    """The one cohort-map row of citation key ``source``; ValueError if not exactly one."""
    table = _map()
    rows = table[table["source"] == source]
    if len(rows) != 1:
        raise ValueError(f"source {source!r} has {len(rows)} rows in the cohort map")
    return rows.iloc[0]


def erlangen_series() -> pd.DataFrame:
    """The Erlangen CD19 series in the cohort map (one overlap group; they share patients)."""
    table = _map()
    keep = (table["overlap_group"] == ERLANGEN_GROUP) & (
        table["target"] == SERIES_TARGET
    )
    return table[keep].reset_index(drop=True)


def durability_numbers() -> dict:
    """The counts the prose quotes on the larger series, relapses and follow-up.

    Patients of Hagen 2025 and CASTLE; of the Erlangen CD19 series, how many there are and
    in how many a drug-free remission count was read in the source itself (``primary``);
    how many cohorts of the map report relapses; Qin 2023's relapses, patients and median
    follow-up (months); the longest median follow-up of any primary cohort in the map and
    the end of the follow-up range of Müller 2024 (months).
    """
    table, series = _map(), erlangen_series()
    primary = table[table["status"] == "primary"]
    qin = map_row(QIN_2023)
    longest = primary.loc[primary["follow_up_months"].idxmax()]
    return {
        "hagen_n": int(map_row(HAGEN_2025)["patients"]),
        "castle_n": int(map_row(CASTLE)["patients"]),
        "series_n": len(series),
        "series_dfr_read": int(
            (
                series["drug_free_remission"].notna() & (series["status"] == "primary")
            ).sum()
        ),
        "map_n": len(table),
        "relapse_cohorts": int(primary["relapses"].notna().sum()),
        "qin_relapses": int(qin["relapses"]),
        "qin_n": int(qin["patients"]),
        "qin_follow_up": float(qin["follow_up_months"]),
        "longest_follow_up": float(longest["follow_up_months"]),
        "mu_follow_up_high": evidence.erlangen_trials()
        .set_index("quantity")
        .loc["follow_up_median", "high"],
    }


def longest_follow_up_source() -> str:
    """Citation key of the primary cohort with the longest median follow-up in the map."""
    primary = _map()[_map()["status"] == "primary"]
    return str(primary.loc[primary["follow_up_months"].idxmax(), "source"])


# --- virtual cohorts -------------------------------------------------------------------
@cache
def virtual_cohort(label: str) -> cohort.Cohort:
    """The autoimmune virtual cohort with ``label``'s spreads (:data:`COHORTS`).

    :func:`cart_autoimmunity.cohort.simulate_cohort` with :data:`COHORT_SIZE` patients,
    seed :data:`COHORT_SEED`, over :data:`DAYS` days; cached, so do not modify it.
    """
    require_choice("label", label, COHORTS)
    return cohort.simulate_cohort(
        COHORT_SIZE,
        "autoimmune",
        KineticsParameters(),
        COHORTS[label](),
        seed=COHORT_SEED,
        days=DAYS,
    )


def cohort_summary(label: str) -> dict:
    """B-cell return (days) and CAR T persistence of cohort ``label``, summarised.

    ``mean``, ``sd``, ``median``, ``p05``, ``p95`` of the return day; ``within_pct``, the
    percentage of patients inside the published mean ± SD; ``tail_pct``, the percentage
    still above the detection limit at :data:`ONE_YEAR_DAYS`; ``lod_median``, the median
    last day above it; ``no_return``, the patients without B cells back by :data:`DAYS`.
    """
    patients = virtual_cohort(label).patients
    day, lod = patients["b_return_day"], patients["last_day_above_lod"]
    published = published_b_cell_return()
    return {
        "mean": day.mean(),
        "sd": day.std(),
        "median": day.median(),
        "p05": day.quantile(0.05),
        "p95": day.quantile(0.95),
        "within_pct": 100 * day.between(published["low"], published["high"]).mean(),
        "tail_pct": 100 * (lod >= ONE_YEAR_DAYS).mean(),
        "lod_median": lod.median(),
        "no_return": int(day.isna().sum()),
    }


def cohort_numbers() -> dict:
    """The cohort numbers the prose quotes, and the spreads behind them (log units)."""
    fitted, prior = CohortParameters(), CohortParameters.uncalibrated()
    numbers = {
        f"{label}_{key}": summary[key]
        for label, keys in QUOTED_SUMMARIES.items()
        for summary in (cohort_summary(label),)
        for key in keys
    }
    return {
        **numbers,
        "cohort_n": len(virtual_cohort("calibrated").patients),
        "return_threshold_pct": 100 * KineticsParameters().b_return_fraction,
        "fitted_expansion_sd": fitted.homeostatic_expansion_log_sd,
        "fitted_effector_sd": fitted.effector_death_log_sd,
        "prior_expansion_sd": prior.homeostatic_expansion_log_sd,
        "prior_effector_sd": prior.effector_death_log_sd,
    }


# --- the grid of memory formation and target burden, and the single runs on it --------
@cache
def _grid_runs() -> kinetics.PatientRuns:
    return kinetics.memory_burden_runs(params=KineticsParameters(), days=DAYS)


@cache
def _memory_grid() -> tuple[pd.DataFrame, pd.DataFrame]:
    return kinetics.memory_burden_tables(_grid_runs(), params=KineticsParameters())


def memory_grid() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The explorable figure's data: ``(grid, time_courses)`` of
    :func:`cart_autoimmunity.kinetics.memory_burden_tables` on the default grid
    (:data:`~cart_autoimmunity.kinetics.MEMORY_FACTORS` ×
    :data:`~cart_autoimmunity.kinetics.TARGET_BURDENS`, :data:`DAYS` days)."""
    grid, courses = _memory_grid()
    return grid.copy(), courses.copy()


def single_points() -> dict:
    """The single runs, by label, as points ``(memory factor, tumour cells)`` of the grid.

    The cancer runs are the grid's points with memory factor 1 and the scenario's tumour
    burden (the scenarios differ only in these two); "burden only" is memory factor 1
    without a tumour (:func:`cart_autoimmunity.kinetics.simulate` with ``burden_only``).
    """
    params = KineticsParameters()
    return {
        "autoimmune": (params.autoimmune_memory_factor, 0.0),
        "autoimmune (burden only)": (1.0, 0.0),
        "lymphoma": (1.0, kinetics.initial_tumour_cells(params, "lymphoma")),
        "leukaemia": (1.0, kinetics.initial_tumour_cells(params, "leukaemia")),
        HALF_MEMORY: (HALF_FACTOR, 0.0),
    }


def _grid_index(factor: float, burden: float) -> int:
    """Row of the grid (and patient of its runs) at ``(factor, burden)``."""
    factors, burdens = kinetics.MEMORY_FACTORS, kinetics.TARGET_BURDENS
    if factor not in factors or burden not in burdens:
        raise ValueError(f"({factor}, {burden}) is not a point of the memory grid")
    return factors.index(factor) * len(burdens) + burdens.index(burden)


def single_runs() -> dict:
    """``{label: simulate() table}`` of the runs drawn in the chapter (not the half run)."""
    return {
        label: kinetics.runs_frame(_grid_runs(), _grid_index(*point))
        for label, point in single_points().items()
        if label != HALF_MEMORY
    }


def single_readouts() -> pd.DataFrame:
    """The grid's read-outs (days; cells/µL) of each single run, one row per label."""
    grid, _ = _memory_grid()
    rows = [_grid_index(*point) for point in single_points().values()]
    columns = list(kinetics.MEMORY_GRID_READOUTS)
    table = grid.iloc[rows][columns].set_axis(list(single_points()), axis=0)
    return table.rename_axis("run")


def run_numbers() -> dict:
    """The single runs' numbers the prose quotes (days; cells/µL)."""
    out = single_readouts()
    numbers = {}
    for label, key in RUN_KEYS.items():  # the half run is quoted separately
        numbers[f"{key}_lod_day"] = out.loc[label, "last_day_above_lod"]
        if label != "leukaemia":  # the prose quotes no B-cell return for leukaemia
            numbers[f"{key}_b_return"] = out.loc[label, "b_return_day"]
    half = out.loc[HALF_MEMORY]
    return {
        **numbers,
        "auto_peak_day": out.loc["autoimmune", "car_t_peak_day"],
        "auto_peak_per_ul": out.loc["autoimmune", "car_t_peak_per_ul"],
        "lod_per_ul": KineticsParameters().detection_limit_per_ul,
        "half_lod_day": half["last_day_above_lod"],
        "half_b_return": half["b_return_day"],
    }


# --- memory formation: the sweep -------------------------------------------------------
@cache
def memory_sweep() -> pd.DataFrame:
    """Autoimmune runs over :data:`SWEEP_FACTORS` (no tumour): the ``grid`` table of
    :func:`cart_autoimmunity.kinetics.memory_burden_grid_vectorised`."""
    sweep, _ = kinetics.memory_burden_grid_vectorised(
        SWEEP_FACTORS, tumour_cells=(0.0,), params=KineticsParameters(), days=DAYS
    )
    return sweep


def factor_at_six_months() -> float:
    """Memory factor at which CAR T cells stop being detectable by :data:`SIX_MONTHS_DAYS`.

    Linear interpolation of ``ln f`` against the last detectable day of :func:`memory_sweep`
    (that day rises with ``f``): ``f* = exp(interp(182.6, last_day, ln f))``.
    """
    sweep = memory_sweep()
    log_factor = np.interp(
        SIX_MONTHS_DAYS,
        sweep["last_day_above_lod"],
        np.log(sweep["autoimmune_memory_factor"]),
    )
    return float(np.exp(log_factor))


def memory_numbers() -> dict:
    """The memory-formation numbers the prose quotes (factors; days)."""
    params = KineticsParameters()
    factor = factor_at_six_months()
    return {
        "memory_factor": params.autoimmune_memory_factor,
        "memory_fold": 1 / params.autoimmune_memory_factor,
        "factor_six_months": factor,
        "fold_six_months": 1 / factor,
        "memory_half_life": np.log(2) / params.memory_death_per_day,
    }


# --- the chapter's protocol ------------------------------------------------------------
def numbers() -> dict:
    """Every number the prose glues, by glue name."""
    return {
        **cited_numbers(),
        **cohort_numbers(),
        **run_numbers(),
        **memory_numbers(),
        **durability_numbers(),
        "melenhorst_n": int(
            longest_persistence().set_index("source").loc["melenhorst2022", "n"]
        ),
    }


def persistence_table() -> pd.DataFrame:
    """The longest detection in cancer per trial and patient group (days; lower bounds flagged).

    A report not split by response names how many patients it followed (``n``), never "all".
    """
    longest = longest_persistence()
    return longest.assign(
        trial=longest["cohort"].str.split(" [(]", regex=True).str[0],
        group=[
            (
                "non-responders"
                if "nonresp" in q
                else "responders"
                if "resp" in q
                else f"{n:.0f} patients followed"
            )
            + next((f", {m}" for k, m in METHODS.items() if k in q), "")
            for q, n in zip(longest["quantity"], longest["n"])
        ],
        lower_bound=longest["verification"].str.contains("lower bound"),
    )


def cohort_table() -> pd.DataFrame:
    """Published B-cell return against both virtual cohorts (days; tail as a fraction)."""
    published = published_b_cell_return()
    rows = [
        {
            "cohort": "Mackensen et al. 2022",
            "mean": published["value"],
            "sd": _sd(published),
        }
    ]
    for label in COHORTS:
        summary = cohort_summary(label)
        rows.append(
            {
                "cohort": f"Model, {label}",
                **{k: summary[k] for k in ("mean", "sd", "p05", "p95")},
                "tail": summary["tail_pct"] / 100,
            }
        )
    return pd.DataFrame(rows)


def tables() -> dict:
    """The chapter's tables as data, by ``tbl-`` name."""
    erlangen = evidence.erlangen_trials()
    return {
        "tbl-erlangen-first": evidence.trials.headline_table(erlangen, "mackensen2022"),
        "tbl-erlangen-larger": evidence.trials.headline_table(erlangen, "muller2024"),
        "tbl-erlangen-series": erlangen_series(),
        "tbl-erlangen-cancer": persistence_table(),
        "tbl-erlangen-cohort": cohort_table(),
        "tbl-erlangen-runs": single_readouts().drop(index=HALF_MEMORY).reset_index(),
    }


HEADLINE_COLUMNS = {
    "measure": "Measure",
    "value": "Value",
    "seen_in": "Seen in",
}
#: What the series table says where the cohort map has no count.
NOT_REPORTED = "not reported"


def _series_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """The series table's cells as text: patients and disease, follow-up, outcome counts."""

    def outcome(row) -> str:
        if pd.isna(row.drug_free_remission) and pd.isna(row.relapses):
            return NOT_REPORTED
        dfr = (
            NOT_REPORTED
            if pd.isna(row.drug_free_remission)
            else f"{row.drug_free_remission} of {row.patients}"
        )
        relapses = NOT_REPORTED if pd.isna(row.relapses) else f"{row.relapses}"
        text = f"drug-free: {dfr}; relapses: {relapses}"
        return text if row.status == "primary" else f"{text} (secondary summary only)"

    return frame.assign(
        who=[f"{n}: {d}" for n, d in zip(frame["patients"], frame["disease"])],
        follow=[
            NOT_REPORTED if np.isnan(m) else f"{m:.0f} months"
            for m in frame["follow_up_months"]
        ],
        outcome=[outcome(r) for r in frame.itertuples()],
    )


def _longest_text(row) -> str:
    if row.lower_bound:
        return f"more than {row.value / DAYS_PER_YEAR:.0f} years"
    return f"{row.value:,.0f} days"


def _cohort_texts(frame: pd.DataFrame) -> pd.DataFrame:
    """The cohort table's cells as text; a missing band or tail stays missing."""
    return frame.assign(
        mean_sd=[f"{m:.0f} ± {s:.0f}" for m, s in zip(frame["mean"], frame["sd"])],
        band=[
            None if np.isnan(lo) else f"{lo:.0f}–{hi:.0f}"
            for lo, hi in zip(frame["p05"], frame["p95"])
        ],
        tail_text=[None if np.isnan(t) else f"{100 * t:.1f}%" for t in frame["tail"]],
    )


def _with_longest(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(longest=[_longest_text(r) for r in frame.itertuples()])


#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-erlangen-first": chapter.TableSpec(
        HEADLINE_COLUMNS,
        lambda: (
            f"The first Erlangen report: {int(_trial('patients', MACKENSEN_2022))} "
            "patients with refractory lupus; every number is from {cite:t}`mackensen2022`."
        ),
    ),
    "tbl-erlangen-larger": chapter.TableSpec(
        HEADLINE_COLUMNS,
        "The larger Erlangen series: lupus, myositis and systemic sclerosis; every "
        "number is from {cite:t}`muller2024`.",
    ),
    "tbl-erlangen-series": chapter.TableSpec(
        {
            "source": "Report",
            "who": "Patients: disease",
            "follow": "Median follow-up",
            "outcome": "Drug-free remission; relapses",
        },
        "The Erlangen CD19 series in the book's evidence map. They share patients, so "
        "their counts must not be added up; 'not reported' means the text we could read "
        "gives no count.",
        formats={"source": chapter.cite},
        derive=_series_texts,
    ),
    "tbl-erlangen-cancer": chapter.TableSpec(
        {
            "trial": "Trial",
            "group": "Patients, method",
            "longest": "Longest detection",
            "source": "Source",
        },
        "Longest published detection of CAR T cells in cancer (the CLL row is a lower "
        "bound).",
        formats={"source": chapter.cite},
        derive=_with_longest,
    ),
    "tbl-erlangen-cohort": chapter.TableSpec(
        {
            "cohort": "Patients",
            "mean_sd": "B cells back, mean ± SD (days)",
            "band": "5–95% of patients (days)",
            "tail_text": "CAR T detectable at 1 year",
        },
        lambda: (
            "B-cell return: the first Erlangen report against the virtual cohort "
            f"with calibrated and with uncalibrated spreads ({COHORT_SIZE} virtual patients "
            "each)."
        ),
        derive=_cohort_texts,
    ),
    "tbl-erlangen-runs": chapter.TableSpec(
        {
            "run": "Single model run",
            "car_t_peak_day": "CAR T peak (day)",
            "last_day_above_lod": "CAR T detectable until (day)",
            "b_return_day": "B cells back (day)",
        },
        "Single runs of the kinetics model with default parameters; the burden-only run "
        "gives the autoimmune patient the memory formation of cancer.",
        formats={
            day: "{:.0f}"
            for day in ("car_t_peak_day", "last_day_above_lod", "b_return_day")
        },
    ),
}


def reader_table(name: str) -> chapter.ReaderTable:
    """Table ``name`` of :func:`tables`, formatted for readers."""
    require_choice("name", name, TABLE_SPECS)
    return chapter.show_table(TABLE_SPECS[name], tables()[name], name=name)


def claims() -> tuple[Claim, ...]:
    """The chapter's claims, the headline (lupus remission) first."""
    cited, runs = cited_numbers(), run_numbers()
    durable = durability_numbers()
    published = published_b_cell_return()
    lod_check = Check(
        "model: last day above the detection limit, autoimmune scenario (days)",
        runs["auto_lod_day"],
        Bound(high=180, strict_high=True),
    )
    burden_check = Check(
        "model: last day above the detection limit, target burden as the only "
        "difference (days)",
        runs["burden_lod_day"],
        Bound(low=ONE_YEAR_DAYS, strict_low=True),
    )
    melenhorst = longest_persistence().set_index("source").loc["melenhorst2022"]
    return (
        Claim(
            id="lupus-remission",
            claim="In Erlangen, CD19 CAR T cells put patients with refractory lupus "
            "into drug-free remission.",
            chapter=CHAPTER,
            verdict="supported with caveats",
            sources=(
                "mackensen2022",
                "muller2024",
                "hagen2025",
                "hagen2025castle",
                "muller2025",
            ),
            checks=(
                Check(
                    "cited: fraction in DORIS remission at 3 months, Mackensen et al. "
                    "2022 (fraction)",
                    cited["doris_pct"] / 100,
                    Bound(low=1.0, high=1.0),
                ),
            ),
            caveat=(
                f"small, uncontrolled series: drug-free remission was read in the "
                f"source itself only for the first {cited['mk_n']} patients; the "
                f"larger series since ({durable['hagen_n']} and "
                f"{durable['castle_n']} patients) give no remission count we could "
                "read; relapses occur, and how long drug-free remission lasts beyond "
                f"about {durable['mu_follow_up_high']:.0f} months is not known"
            ),
        ),
        Claim(
            id="cells-vanish-in-autoimmunity",
            claim="In autoimmune patients the CAR T cells disappear within a few months.",
            chapter=CHAPTER,
            verdict="supported with caveats",
            sources=("mackensen2022", "stein2019"),
            checks=(lod_check,),
            caveat=(
                "this needs the named assumption of lower memory formation (with target "
                f"burden alone they persist for {runs['burden_lod_day']:.0f} days); in "
                "the virtual cohort, whose spreads are fitted to the published B-cell "
                f"return, {cohort_summary('calibrated')['tail_pct']:.1f}% are still "
                "detectable at one year"
            ),
        ),
        Claim(
            id="why-cells-vanish",
            claim="The cells vanish in autoimmune disease because there is little "
            "target to sustain them.",
            chapter=CHAPTER,
            verdict="plausible, not yet measured",
            sources=("mackensen2022", "stein2019", "muller2025"),
            checks=(burden_check, lod_check),
            caveat=(
                "with target burden as the only difference from cancer the CAR T cells "
                "stay detectable for more than a year; 'months' needs the assumed lower "
                "memory formation or clearance of the CAR by the host; neither is "
                "measured in autoimmune patients"
            ),
        ),
        Claim(
            id="cells-persist-in-cancer",
            claim="In cancer, CAR T cells can persist for years.",
            chapter=CHAPTER,
            verdict="supported",
            sources=("melenhorst2022", "awasthi2020", "stein2019"),
            checks=(
                Check(
                    "model: last day above the detection limit, high-burden leukaemia "
                    "scenario (days)",
                    runs["leuk_lod_day"],
                    Bound(low=ONE_YEAR_DAYS, strict_low=True),
                ),
            ),
            caveat=(
                "cited: detectable for more than "
                f"{melenhorst['value'] / DAYS_PER_YEAR:.0f} years in "
                f"{melenhorst['n']:.0f} CLL patients"
            ),
        ),
        Claim(
            id="b-cells-return",
            claim="After the CAR T cells leave, B cells come back.",
            chapter=CHAPTER,
            verdict="supported",
            sources=("mackensen2022",),
            checks=(
                Check(
                    "model: day B cells return, autoimmune scenario (days)",
                    runs["auto_b_return"],
                    Bound(low=published["low"], high=published["high"]),
                ),
            ),
            caveat=(
                f"cited: B cells returned after a mean of {published['value']:.0f} +/- "
                f"{_sd(published):.0f} days; the model, whose kill rate and marrow "
                "maturation time were calibrated to that report and whose cohort "
                "spreads were fitted to it, returns them within that range (a "
                "consistency check by construction, not an independent test)"
            ),
        ),
    )
