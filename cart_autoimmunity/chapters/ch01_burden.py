"""Chapter 1, *Management, not resolution*: how common autoimmune disease is, and the
treatment years a one-time therapy could save a CAR T candidate.

Cited numbers come from the evidence tables (UK cohort, lupus, Erlangen reports); the
treatment count is :func:`cart_autoimmunity.burden.lifetime_treatment_years` with the
default :class:`~cart_autoimmunity.parameters.burden.BurdenParameters`.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import burden, chapter, evidence, parameters
from ..claims import Bound, Check, Claim
from ..parameters.burden import BurdenParameters
from ..parameters.costs import PopulationParameters
from ..validation import require_choice

CHAPTER = "notebooks/01_burden"

#: The cohort labels of the two Erlangen reports in the evidence table.
MACKENSEN_2022 = "Mackensen et al. 2022, refractory SLE"
MULLER_2024 = "Müller et al. 2024, SLE + myositis + SSc"

#: Rows of the prevalence table: quantity -> (measure in words, value format).
PREVALENCE_MEASURES = {
    "individuals_in_cohort": ("People in the cohort", "{:,.0f}"),
    "new_diagnoses": ("People newly diagnosed, 2000–2019", "{:,.0f}"),
    "diseases_studied": ("Diseases studied", "{:.0f}"),
    "female_fraction_of_diagnosed": ("Women among the newly diagnosed", "{:.1%}"),
    "mean_age_at_diagnosis": ("Mean age at diagnosis (years)", "{:.0f}"),
    "population_fraction_affected": ("Share of the population affected", "{:.1%}"),
    "sle_prevalence_per_100000": ("Lupus in the UK, 2012 (per 100,000)", "{:.0f}"),
    "severe_refractory_sle_fraction": (
        "Lupus with severe refractory disease",
        "{:.0%}",
    ),
}

#: Rows of the Erlangen table: quantity -> (measure in words, value format).
ERLANGEN_MEASURES = {
    "patients": ("Patients treated", "{:.0f}"),
    "immunosuppression_stopped": ("Immunosuppression stopped", "{:.0%} of patients"),
    "b_return_day_mean": ("Mean time to B-cell return", "{:.0f} days"),
    "follow_up_median": ("Median follow-up", "{:.0f} months"),
    "drug_free_follow_up_median": ("Median drug-free follow-up", "{:.0f} months"),
}
ERLANGEN_REPORTS = {
    MACKENSEN_2022: "Mackensen et al. 2022 (lupus)",
    MULLER_2024: "Müller et al. 2024 (three diseases)",
}

#: The burden model's strategies, as readers see them.
STRATEGY_NAMES = {
    "lifelong immunosuppression": "Lifelong immunosuppression",
    "one-time CAR T": "One CAR T episode, with relapse",
    "one-time CAR T, no relapse": "One CAR T episode, no relapse",
}


# --- cited numbers ---------------------------------------------------------------------
def cited_prevalence() -> pd.Series:
    """The UK cohort and lupus numbers (evidence table ``prevalence``), by quantity."""
    return evidence.prevalence().set_index("quantity")["value"]


def sle_refractory_per_100k() -> float:
    """Illustrative people with severe refractory lupus per 100,000 (people/100,000).

    ``P_SLE × f_refractory``: the UK lupus prevalence (rees2016) times the Asia-Pacific
    share with severe refractory disease (kandanerathnayake2025); not a published number.
    """
    cited = cited_prevalence()
    return float(
        cited["sle_prevalence_per_100000"] * cited["severe_refractory_sle_fraction"]
    )


def candidates_per_100k(population: PopulationParameters | None = None) -> float:
    """Assumed CAR T candidates per 100,000 people: ``1e5 × prevalence × candidate share``."""
    p = population or PopulationParameters()
    return 1e5 * p.autoimmune_prevalence * p.car_t_candidate_fraction


# --- the treatment count ---------------------------------------------------------------
@cache
def _default_lifetime() -> pd.DataFrame:
    return burden.lifetime_treatment_years(BurdenParameters())


def lifetime(params: BurdenParameters | None = None) -> pd.DataFrame:
    """Expected years on treatment up to the horizon age, per start age and strategy.

    The default parameters' run is cached and shared by numbers, table and claims.
    """
    if params is None:
        return _default_lifetime().copy()
    if not isinstance(params, BurdenParameters):
        raise ValueError(
            f"params must be BurdenParameters, got {type(params).__name__}"
        )
    return burden.lifetime_treatment_years(params)


def treatment_years(start_age: float, strategy: str) -> float:
    """Expected treatment years (years) of the default run for one start age and strategy."""
    require_choice("strategy", strategy, STRATEGY_NAMES)
    years = _default_lifetime().set_index(["start_age_years", "strategy"])
    key = (start_age, strategy)
    if key not in years.index:
        starts = sorted(years.index.get_level_values(0).unique())
        raise ValueError(f"start_age {start_age!r} is not one of {starts}")
    return float(years.loc[key, "treatment_years"])


# --- the chapter's protocol ------------------------------------------------------------
def numbers() -> dict:
    """Every number the prose glues, by glue name (cited values and the default run)."""
    cited = cited_prevalence()
    women = cited["female_fraction_of_diagnosed"]
    population = PopulationParameters()
    params = BurdenParameters()
    young, later = params.sle_treatment_age_years, params.onset_age_years
    lifelong, once = "lifelong immunosuppression", "one-time CAR T"
    return {
        "cohort_millions": cited["individuals_in_cohort"] / 1e6,
        "diseases_studied": int(cited["diseases_studied"]),
        "new_diagnoses": int(cited["new_diagnoses"]),
        "prev_all_pct": 100 * cited["population_fraction_affected"],
        "female_share_pct": 100 * women,
        "male_share_pct": 100 * (1 - women),
        "women_per_man": women / (1 - women),
        "mean_onset_age": cited["mean_age_at_diagnosis"],
        "sle_per_100k": cited["sle_prevalence_per_100000"],
        "srsle_pct": 100 * cited["severe_refractory_sle_fraction"],
        "srsle_per_100k": sle_refractory_per_100k(),
        "candidate_pct": 100 * population.car_t_candidate_fraction,
        "candidates_per_100k": candidates_per_100k(population),
        "muller_n": int(evidence.lookup("erlangen_trials", "patients", MULLER_2024)),
        "b_return_days": evidence.lookup(
            "erlangen_trials", "b_return_day_mean", MACKENSEN_2022
        ),
        "sle_age": young,
        "typical_age": later,
        "horizon_age": params.horizon_age_years,
        "relapse_pct": 100 * params.relapse_rate_per_year,
        "life_years_sle": treatment_years(young, lifelong),
        "life_years_typical": treatment_years(later, lifelong),
        "once_no_relapse_years": treatment_years(young, "one-time CAR T, no relapse"),
        "once_relapse_sle_years": treatment_years(young, once),
        "once_relapse_typical_years": treatment_years(later, once),
        "saved_sle_years": treatment_years(young, lifelong)
        - treatment_years(young, once),
    }


def _with_shown_values(frame: pd.DataFrame, measures: dict) -> pd.DataFrame:
    """Keep the rows of ``measures``; add the measure's words and its formatted value."""
    shown = frame[frame["quantity"].isin(measures)].copy()
    shown["measure"] = shown["quantity"].map(lambda q: measures[q][0])
    shown["shown"] = [
        measures[q][1].format(v)
        for q, v in zip(shown["quantity"], shown["value"], strict=True)
    ]
    return shown


def tables(params: BurdenParameters | None = None) -> dict[str, pd.DataFrame]:
    """Every table the chapter shows, as data; ``params`` feed the treatment count."""
    prevalence = _with_shown_values(evidence.prevalence(), PREVALENCE_MEASURES)
    prevalence["evidence"] = prevalence["status"].map(
        {"primary": "paper's abstract", "secondary": "secondary report"}
    )
    trials = evidence.erlangen_trials()
    # The table shows the B-cell return of the first report only (the larger series'
    # mean B-cell aplasia is chapter 4's).
    trials = trials[
        (trials["quantity"] != "b_return_day_mean")
        | (trials["cohort"] == MACKENSEN_2022)
    ]
    erlangen = _with_shown_values(trials, ERLANGEN_MEASURES)
    erlangen["report"] = erlangen["cohort"].map(ERLANGEN_REPORTS)
    inputs = parameters.parameter_table()
    years = lifetime(params)
    return {
        "tbl-burden-prevalence": prevalence,
        "tbl-burden-erlangen": erlangen,
        "tbl-burden-parameters": inputs[inputs["parameter_set"] == "BurdenParameters"],
        "tbl-burden-lifetime": years.assign(
            strategy=years["strategy"].map(STRATEGY_NAMES)
        ),
    }


#: How each table is shown to readers, by its ``tbl-`` name (in the order of the page).
TABLE_SPECS = {
    "tbl-burden-prevalence": chapter.TableSpec(
        {
            "measure": "Measure",
            "shown": "Value",
            "source": "Source",
            "evidence": "Read in",
        },
        "How common autoimmune disease is (UK), and two cited numbers on lupus.",
        formats={"source": chapter.cite},
    ),
    "tbl-burden-erlangen": chapter.TableSpec(
        {
            "report": "Report",
            "measure": "Measure",
            "shown": "Value",
            "source": "Source",
        },
        "The Erlangen CD19 CAR T reports: what stopped, and when.",
        formats={"source": chapter.cite},
    ),
    "tbl-burden-parameters": chapter.ParameterTableSpec(
        "BurdenParameters",
        "Inputs of the treatment count: cited values and labelled assumptions.",
    ),
    "tbl-burden-lifetime": chapter.TableSpec(
        {
            "start_age_years": "Age at start (years)",
            "strategy": "Strategy",
            "treatment_years": "Years on treatment",
            "years_to_horizon": "Years to the horizon age",
        },
        "Expected years on treatment up to the horizon age, by age at start.",
        formats={
            "start_age_years": "{:.0f}",
            "treatment_years": "{:.1f}",
            "years_to_horizon": "{:.0f}",
        },
    ),
}


def reader_table(
    name: str, params: BurdenParameters | None = None
) -> chapter.ReaderTable:
    """Table ``name`` formatted for readers; ``params`` feed the treatment count."""
    require_choice("name", name, TABLE_SPECS)
    return chapter.show_table(TABLE_SPECS[name], tables(params)[name], name=name)


def claims() -> tuple[Claim, ...]:
    """The story's claims checked here; the headline (one person in ten) first."""
    cited = cited_prevalence()
    diseases = int(cited["diseases_studied"])
    return (
        Claim(
            id="prevalence-one-in-ten",
            claim="Autoimmune disease affects about one person in ten.",
            chapter=CHAPTER,
            verdict="supported with caveats",
            sources=("conrad2023",),
            checks=(
                Check(
                    f"cited share of the population with one of {diseases} autoimmune "
                    "diseases, one UK cohort (fraction of the population)",
                    cited["population_fraction_affected"],
                    Bound(low=0.08, high=0.12),
                ),
            ),
            caveat=(
                "the overall share is reported in summaries of the study; it counts "
                "diagnoses, not treatment, and CAR T candidates are a small minority"
            ),
        ),
        Claim(
            id="management-not-resolution",
            claim=(
                "Autoimmune disease is managed by lifelong immunosuppression, which "
                "controls it without resolving it."
            ),
            chapter=CHAPTER,
            verdict="oversimplified",
            sources=("conrad2023", "muller2024", "kandanerathnayake2025"),
            checks=(
                Check(
                    "cited share of lupus patients with severe refractory disease "
                    "(fraction of lupus patients)",
                    cited["severe_refractory_sle_fraction"],
                    Bound(high=0.5, strict_high=True),
                ),
            ),
            caveat=(
                "true of the refractory, B-cell-driven diseases treated with CAR T "
                "cells, but many common autoimmune diseases are managed with hormone "
                "replacement, insulin, diet or vitamin B12, and even in lupus only a "
                "minority is refractory to standard treatment"
            ),
        ),
    )
