"""Chapter 5, "A safer profile": side effects in autoimmune disease and in cancer.

Three strands, each quoted by the chapter's prose:

- cited rates (CRS, ICANS and other side effects) of the Erlangen series and the cancer
  trials, with what zero events out of n can and cannot exclude: the exact (Clopper–Pearson)
  upper bound and the binomial chance P(0 of n) = (1 − p)ⁿ of seeing no case at a cancer
  rate p;
- the kinetic model of :mod:`cart_autoimmunity.kinetics`, whose cytokine proxy follows the
  killing, and the assumed map from its peak to a severe-CRS probability
  (:mod:`cart_autoimmunity.cytokines`);
- the CRS and ICANS counts of every autoimmune cohort in the evidence map
  (:mod:`cart_autoimmunity.evidence.cohort_map`), pooled over the independent primary cohorts
  as a total count with its exact interval (:func:`.evidence_map.forest`);
- the claims built from all three: the headline "autoimmune-side-effects-mild", then
  "autoimmune-crs-cited" and "milder-crs-in-autoimmunity".
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import chapter, cytokines, evidence, kinetics
from ..claims import Bound, Check, Claim
from ..evidence import cohort_map, safety, summaries
from ..parameters import parameter_rows
from ..parameters.kinetics import KineticsParameters
from ..validation import (
    require_choice,
    require_fraction,
    require_integer,
    require_open_fraction,
)
from . import evidence_map

CHAPTER = "notebooks/05_safety"

#: Cancer cohorts whose severe-CRS rate is set against zero of n, and the quantity used.
CANCER_COMPARATORS = {
    safety.ZUMA1: "crs_grade_3_plus",
    safety.CIBMTR: "crs_grade_3_plus",
    safety.MSKCC: "crs_severe",
}
#: Largest series size searched for the zero-event series that excludes a cancer rate.
LARGEST_SERIES = 1000
#: Probability of severe CRS that separates "rare" from "not rare" in the model claim.
SEVERE_CRS_CUTOFF = 0.05
#: Scenarios of the kinetic model, by increasing target burden.
SCENARIOS = ("autoimmune", "lymphoma", "leukaemia")
#: Days of the early time courses in the cytokine figure.
EARLY_DAYS = 30


#: Citation key of the Erlangen series whose CRS counts were seen only in summaries.
MULLER_KEY = "muller2024"
#: The evidence table that holds Hill 2019's late infections and IgG change.
LONGEVITY = "antibody_longevity"


# --- cited numbers ----------------------------------------------------------------
def muller_n() -> int:
    """Patients in the larger Erlangen series (Müller 2024)."""
    return int(
        evidence.lookup(
            "erlangen_trials", "patients", "Müller et al. 2024, SLE + myositis + SSc"
        )
    )


def _event(
    quantity: str,
    cohort: str,
    field: str = "value",
    table: str = "other_adverse_events",
) -> float:
    """One field of a row of an evidence table (by default the other adverse events)."""
    rows = evidence.TABLES[table]()
    hits = rows[(rows["quantity"] == quantity) & (rows["cohort"] == cohort)]
    return hits[field].iloc[0]


def _count(quantity: str, cohort: str) -> int:
    """Patients with the event: the cited fraction times the cited n, rounded."""
    return round(_event(quantity, cohort) * _event(quantity, cohort, "n"))


def cancer_severe_crs_rates() -> dict[str, float]:
    """Severe-CRS fraction of each of :data:`CANCER_COMPARATORS` (cited)."""
    return {
        cohort: evidence.lookup("crs_rates", quantity, cohort)
        for cohort, quantity in CANCER_COMPARATORS.items()
    }


def _crs_numbers() -> dict:
    n = muller_n()
    erl = evidence.erlangen_trials().set_index("quantity")
    severe = safety.severe_crs_range(evidence.crs_rates())
    return {
        "muller_n": n,
        "muller_crs1": round(erl.loc["crs_grade_1", "value"] * n),
        "muller_crs2": round(erl.loc["crs_grade_2", "value"] * n),
        "muller_icans": round(erl.loc["neurotoxicity_grade_1", "value"] * n),
        "muller_any_pct": 100
        * evidence.lookup("crs_rates", "crs_any_grade", safety.MULLER),
        "severe_low_pct": 100 * severe["low"],
        "severe_high_pct": 100 * severe["high"],
        "severe_trials": severe["trials"],
    }


def _other_event_numbers() -> dict:
    return {
        "muller_pneumonia": _count("infection_hospitalisation", safety.MULLER),
        "juliet_infection_pct": 100 * _event("infections_grade_3_plus", safety.JULIET),
        "hill_viral_rate": _event(
            "viral_infections_after_day_90", safety.HILL, table=LONGEVITY
        ),
        "hill_n": int(
            _event("viral_infections_after_day_90", safety.HILL, "n", table=LONGEVITY)
        ),
        "hill_igg_pct": -100
        * _event("total_igg_change_after_cd19_car_t", safety.HILL, table=LONGEVITY),
        "feng_n": int(_event("neutropenia_grade_3_plus", safety.FENG, "n")),
        "feng_neutropenia_pct": 100 * _event("neutropenia_grade_3_plus", safety.FENG),
        "feng_thrombocytopenia_pct": 100
        * _event("thrombocytopenia_grade_3_plus", safety.FENG),
        "juliet_cytopenia_pct": 100 * _event("cytopenia_beyond_day_28", safety.JULIET),
        "wang_n": int(_event("gvhd_any_grade", safety.WANG2025, "n")),
        "wang_withdrawn": _count("withdrawn_for_thrombocytopenia", safety.WANG2025),
        "wang_gvhd": _count("gvhd_any_grade", safety.WANG2025),
        "licats_patients": _count("licats_any", safety.HAGEN),
        "licats_n": int(_event("licats_any", safety.HAGEN, "n")),
        "licats_pct": 100 * _event("licats_any", safety.HAGEN),
        "licats_grade3": _count("licats_grade_3", safety.HAGEN),
        "tcell_cases": int(_event("t_cell_cancer_cases_reported", safety.APPROVED)),
        "tcell_doses": int(_event("doses_given_min", safety.APPROVED)),
        "boxed_products": int(_event("boxed_warning_products", safety.APPROVED)),
    }


# --- every autoimmune cohort of the evidence map ------------------------------------
#: The map's CRS and ICANS counts, any grade and grade 3 or higher.
MAP_EVENTS = ("crs_any", "crs_grade3_plus", "icans_any", "icans_grade3_plus")


def cohort_safety() -> pd.DataFrame:
    """Each cohort of the evidence map that reports a CRS or ICANS count, with its counts.

    Columns: ``cohort``, ``patients``, the :data:`MAP_EVENTS` (nullable counts; ``<NA>``
    where the source's text gives none), ``source`` and ``status``.
    """
    table = cohort_map.cohorts()
    reported = table[list(MAP_EVENTS)].notna().any(axis=1)
    columns = ["cohort", "patients", *MAP_EVENTS, "source", "status"]
    return table.loc[reported, columns].reset_index(drop=True)


def _pooled(outcome: str) -> dict:
    """The map's total for ``outcome`` over the independent primary cohorts."""
    return evidence_map.forest(outcome)[1]


def _analysable(outcome: str) -> pd.DataFrame:
    return cohort_map.analysable(cohort_map.cohorts(), outcome).set_index("source")


def _map_numbers() -> dict:
    severe = _pooled("crs_grade3_plus")
    icans = _pooled("icans_grade3_plus")
    any_crs = _analysable("crs_any")
    donor = any_crs[any_crs["cell_source"] == "donor"]
    primary = cohort_map.cohorts().query("status == 'primary'")
    cibmtr = cancer_severe_crs_rates()[safety.CIBMTR]
    return {
        "map_crs3_cohorts": severe["cohorts"],
        "map_crs3_patients": severe["patients"],
        "map_crs3_events": severe["events"],
        "map_crs3_upper_pct": 100 * severe["high"],
        "map_p_zero_cibmtr_pct": 100 * chance_of_no_case(cibmtr, severe["patients"]),
        "map_icans3_cohorts": icans["cohorts"],
        "map_icans3_patients": icans["patients"],
        "map_icans3_events": icans["events"],
        "qin_crs_any": int(any_crs.loc["qin2023", "events"]),
        "qin_n": int(any_crs.loc["qin2023", "patients"]),
        "feng_crs_any": int(any_crs.loc["feng2025", "events"]),
        "donor_crs_any": int(donor["events"].sum()),
        "donor_n": int(donor["patients"].sum()),
        "map_longest_follow_up": float(primary["follow_up_months"].max()),
        "map_cohorts_silent": len(cohort_map.cohorts()) - len(cohort_safety()),
    }


# --- what zero of n can tell ------------------------------------------------------
def chance_of_no_case(rate: float, n: int) -> float:
    """Binomial probability of no case in ``n`` patients at a true ``rate`` p: (1 − p)ⁿ
    (a test checks it against ``scipy.stats.binom.pmf(0, n, p)``)."""
    n = require_integer("n", n, minimum=1)
    return (1.0 - require_fraction("rate", rate)) ** n


def series_needed(rate: float) -> int:
    """Smallest zero-event series whose exact 95% upper bound is below ``rate``."""
    rate = require_open_fraction("rate", rate)
    found = next(
        (
            m
            for m in range(1, LARGEST_SERIES + 1)
            if summaries.exact_binomial_interval(0, m)[1] < rate
        ),
        None,
    )
    if found is None:
        raise ValueError(f"rate {rate!r} needs more than {LARGEST_SERIES} patients")
    return found


def _zero_of_n_numbers() -> dict:
    n = muller_n()
    rates = cancer_severe_crs_rates()
    zero = {cohort: chance_of_no_case(p, n) for cohort, p in rates.items()}
    return {
        "cp_upper_pct": 100 * summaries.exact_binomial_interval(0, n)[1],
        "cp_one_sided_pct": 100 * summaries.exact_binomial_interval(0, n, 0.90)[1],
        "p_zero_zuma_pct": 100 * zero[safety.ZUMA1],
        "p_zero_cibmtr_pct": 100 * zero[safety.CIBMTR],
        "p_zero_park_pct": 100 * zero[safety.MSKCC],
        "zuma_crs3_pct": 100 * rates[safety.ZUMA1],
        "cibmtr_crs3_pct": 100 * rates[safety.CIBMTR],
        "park_severe_pct": 100 * rates[safety.MSKCC],
        "n_needed": series_needed(rates[safety.CIBMTR]),
    }


# --- the model --------------------------------------------------------------------
@cache
def _params() -> KineticsParameters:
    return KineticsParameters()


@cache
def _early() -> dict[str, pd.DataFrame]:
    return {
        name: kinetics.simulate(name, _params(), days=EARLY_DAYS) for name in SCENARIOS
    }


def early_time_courses() -> dict[str, pd.DataFrame]:
    """The first :data:`EARLY_DAYS` days of each scenario (for the cytokine figure)."""
    return {name: run.copy() for name, run in _early().items()}


@cache
def _scenarios() -> pd.DataFrame:
    """Cytokine-proxy peak (10⁹ killed cells per day) and severe-CRS probability."""
    return cytokines.scenario_crs_table(_params()).set_index("scenario")


@cache
def _no_lymphodepletion() -> pd.Series:
    """The autoimmune scenario with every B cell left in place before infusion."""
    no_ld = _params().replace(lymphodepletion_survival_fraction=1.0)
    return cytokines.scenario_crs_table(no_ld, scenarios=("autoimmune",)).iloc[0]


@cache
def _dose_table() -> pd.DataFrame:
    """Peak and severe-CRS probability for two doses and two malignant masses."""
    params = _params()
    doses = {"Erlangen dose": params.dose_cells, "3 × dose": 3 * params.dose_cells}
    burdens = {"none": 0.0, "leukaemia-sized": params.leukaemia_tumour_cells}
    return pd.concat(
        [
            cytokines.crs_vs_burden(
                list(burdens.values()), params=params, dose_cells=dose
            ).assign(dose=label, burden=list(burdens))
            for label, dose in doses.items()
        ],
        ignore_index=True,
    )


def _model_numbers() -> dict:
    params = _params()
    peaks = _scenarios()
    auto_peak = peaks.loc["autoimmune", "cytokine_peak"]
    dose_peak = _dose_table().set_index(["dose", "burden"])["cytokine_peak"]
    no_ld = _no_lymphodepletion()
    return {
        "normal_b_billions": params.normal_b_cells / 1e9,
        "ld_survival_pct": 100 * params.lymphodepletion_survival_fraction,
        "lymphoma_billions": params.lymphoma_tumour_cells / 1e9,
        "leukaemia_billions": params.leukaemia_tumour_cells / 1e9,
        "peak_ratio_lymphoma": peaks.loc["lymphoma", "cytokine_peak"] / auto_peak,
        "peak_ratio_leukaemia": peaks.loc["leukaemia", "cytokine_peak"] / auto_peak,
        "p_auto_pct": 100 * peaks.loc["autoimmune", "severe_crs_probability"],
        "p_lymph_pct": 100 * peaks.loc["lymphoma", "severe_crs_probability"],
        "p_leuk_pct": 100 * peaks.loc["leukaemia", "severe_crs_probability"],
        "dose_effect": dose_peak[("3 × dose", "none")]
        / dose_peak[("Erlangen dose", "none")],
        "burden_effect": dose_peak[("Erlangen dose", "leukaemia-sized")]
        / dose_peak[("Erlangen dose", "none")],
        "no_ld_ratio": no_ld["cytokine_peak"] / auto_peak,
        "no_ld_p_pct": 100 * no_ld["severe_crs_probability"],
    }


# --- the chapter's face -----------------------------------------------------------
@cache
def _numbers() -> dict:
    return {
        **_crs_numbers(),
        **_map_numbers(),
        **_zero_of_n_numbers(),
        **_other_event_numbers(),
        **_model_numbers(),
    }


def numbers() -> dict:
    """Every number the chapter's prose glues, by glue name (percentages in %)."""
    return dict(_numbers())


def tables() -> dict[str, pd.DataFrame]:
    """The chapter's tables as data, by ``tbl-`` name (rates and risks in %)."""
    n = muller_n()
    rates = cancer_severe_crs_rates()
    scenarios = _scenarios()
    no_ld = _no_lymphodepletion()
    dose = _dose_table()
    return {
        "tbl-safety-zero-of-n": pd.DataFrame(
            {
                "cohort": list(rates),
                "rate": [100 * p for p in rates.values()],
                "p_zero": [100 * chance_of_no_case(p, n) for p in rates.values()],
            }
        ),
        "tbl-safety-cohorts": cohort_safety(),
        "tbl-safety-overview": _overview(),
        "tbl-safety-crs-map": pd.DataFrame(
            parameter_rows("SevereCRSParameters"),
            columns=["parameter", "value", "basis"],
        ),
        "tbl-safety-dose": dose.assign(risk=100 * dose["severe_crs_probability"]),
        "tbl-safety-no-ld": pd.DataFrame(
            {
                "run": [
                    "B cells left after lymphodepletion (assumed)",
                    "no B cells removed",
                ],
                "peak": [
                    scenarios.loc["autoimmune", "cytokine_peak"],
                    no_ld["cytokine_peak"],
                ],
                "risk": [
                    100 * scenarios.loc["autoimmune", "severe_crs_probability"],
                    100 * no_ld["severe_crs_probability"],
                ],
            }
        ),
    }


def _overview() -> pd.DataFrame:
    """The safety overview, its severe CRS and ICANS rows counted over the evidence map."""
    frame = safety.safety_overview(evidence.crs_rates(), safety.other_adverse_events())
    for event, outcome in (
        ("Severe CRS (grade 3 or higher)", "crs_grade3_plus"),
        ("Severe neurotoxicity (ICANS)", "icans_grade3_plus"),
    ):
        pooled = _pooled(outcome)
        row = frame["event"] == event
        if row.sum() != 1:
            raise ValueError(f"safety overview has no single row {event!r}")
        sources = frame.loc[row, "sources"].iloc[0].split(",")
        autoimmune = list(_analysable(outcome).index)
        frame.loc[row, "autoimmune"] = (
            f"{pooled['events']} of {pooled['patients']} in {pooled['cohorts']} cohorts"
        )
        frame.loc[row, "sources"] = ",".join(
            autoimmune + [key for key in sources if key != MULLER_KEY]
        )
    return frame


def _counts_text(any_grade, severe) -> str:
    """``"13 / 0"``: any grade and grade 3 or higher, "not reported" where missing."""
    return " / ".join(
        "not reported" if pd.isna(count) else str(int(count))
        for count in (any_grade, severe)
    )


def _cohort_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Each cohort's words and its CRS and ICANS counts as cells."""
    return frame.assign(
        who=[
            f"{label.split(' (')[0]} ({n} patients)"
            + (", secondary" if status == "secondary" else "")
            for label, n, status in zip(
                frame["cohort"], frame["patients"], frame["status"]
            )
        ],
        crs=[
            _counts_text(a, b)
            for a, b in zip(frame["crs_any"], frame["crs_grade3_plus"])
        ],
        icans=[
            _counts_text(a, b)
            for a, b in zip(frame["icans_any"], frame["icans_grade3_plus"])
        ],
    )


#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-safety-zero-of-n": chapter.TableSpec(
        lambda: {
            "cohort": "Cancer study",
            "rate": "Severe CRS rate (%)",
            "p_zero": f"Chance of no case in {muller_n()} patients (%)",
        },
        lambda: (
            "If autoimmune patients had the severe-CRS rate of a cancer study, how "
            f"often would a series of {muller_n()} show no case at all? Binomial "
            "probabilities."
        ),
        formats={"rate": chapter.number, "p_zero": chapter.number},
    ),
    "tbl-safety-cohorts": chapter.TableSpec(
        {
            "who": "Cohort",
            "crs": "CRS: any / grade 3+",
            "icans": "ICANS: any / grade 3+",
            "source": "Source",
        },
        "CRS and ICANS in every autoimmune cohort of the evidence map that reports "
        "either: patients with any grade / grade 3 or higher, as read in each source; "
        "'not reported' where the text we could read gives no count. 'Secondary' rows "
        "were seen only in summaries and are left out of every total.",
        formats={"source": chapter.cite},
        derive=_cohort_cells,
    ),
    "tbl-safety-overview": chapter.TableSpec(
        {
            "event": "Side effect",
            "autoimmune": "Autoimmune series",
            "cancer": "Cancer trials and cohorts",
            "sources": "Sources",
        },
        "The safety picture after CAR T cells aimed at CD19, BCMA or both, as far as "
        "the sources read here report it. Severe CRS and ICANS in autoimmune disease "
        "are totals over the independent cohorts of the evidence map that report them; "
        "the other autoimmune rows come from single small series. Cancer numbers come "
        "from different trials, several through secondary sources.",
        formats={"sources": chapter.cite},
    ),
    "tbl-safety-crs-map": chapter.ParameterTableSpec(
        "SevereCRSParameters",
        "The assumed map from the cytokine-proxy peak to the probability of grade 3 or "
        "higher CRS.",
    ),
    "tbl-safety-dose": chapter.TableSpec(
        {
            "dose": "Dose",
            "burden": "Malignant cell mass",
            "cytokine_peak": "Cytokine-proxy peak",
            "risk": "Severe CRS (%, model)",
        },
        "Dose against target burden in the model: the cytokine-proxy peak (10⁹ killed "
        "cells per day) and the modelled probability of severe CRS.",
        formats={"cytokine_peak": chapter.number, "risk": chapter.number},
    ),
    "tbl-safety-no-ld": chapter.TableSpec(
        {
            "run": "Autoimmune run",
            "peak": "Cytokine-proxy peak",
            "risk": "Severe CRS (%, model)",
        },
        "How much the assumed lymphodepletion matters in the model: the autoimmune run "
        "with and without the removal of B cells before infusion.",
        formats={"peak": chapter.number, "risk": chapter.number},
    ),
}


def reader_table(name: str) -> chapter.ReaderTable:
    """The table ``name`` (a key of :data:`TABLE_SPECS`) formatted for readers."""
    require_choice("name", name, TABLE_SPECS)
    return chapter.show_table(TABLE_SPECS[name], tables()[name], name=name)


# --- claims -----------------------------------------------------------------------
def _severe_crs_check() -> Check:
    return Check(
        "cited: fraction of the Erlangen autoimmune patients with grade 3 or higher "
        "CRS",
        evidence.lookup("crs_rates", "crs_grade_3_plus", safety.MULLER),
        Bound(low=0, high=0),
    )


def _map_severe_crs_check() -> Check:
    nums = _numbers()
    return Check(
        "cited (evidence map): patients with grade 3 or higher CRS in the independent "
        f"primary autoimmune cohorts ({nums['map_crs3_patients']} patients)",
        nums["map_crs3_events"],
        Bound(low=0, high=0),
    )


def _side_effects_mild() -> Claim:
    nums = _numbers()
    neutropenia = _event("neutropenia_grade_3_plus", safety.FENG)
    return Claim(
        id="autoimmune-side-effects-mild",
        claim=(
            "Patients treated for autoimmune disease have had only mild side effects: "
            "none of the severe, sometimes fatal reactions known from cancer treatment "
            "has occurred."
        ),
        chapter=CHAPTER,
        verdict="supported with caveats",
        sources=(
            "mackensen2022",
            "wang2024a",
            "qin2023",
            "feng2025",
            "wang2024",
            "wang2025",
            "hagen2025",
            "fda2024boxed",
            "verdun2024",
        ),
        checks=(
            Check(
                "cited: fraction of autoimmune patients with grade 3 local reactions "
                "(LICATS)",
                _event("licats_grade_3", safety.HAGEN),
                Bound(low=0, strict_low=True),
            ),
            _map_severe_crs_check(),
            Check(
                "computed: exact 95% upper bound on the severe-CRS rate over the "
                "map's patients, below the routine-care tisa-cel rate (CIBMTR)",
                nums["map_crs3_upper_pct"] / 100,
                Bound(high=cancer_severe_crs_rates()[safety.CIBMTR], strict_high=True),
            ),
            Check(
                "cited: fraction of autoimmune patients with any local reaction "
                "(LICATS)",
                _event("licats_any", safety.HAGEN),
                Bound(low=0.5, strict_low=True),
            ),
            Check(
                "cited: fraction of lupus patients with grade 3 or higher neutropenia "
                "(Feng 2025)",
                neutropenia,
                Bound(low=0.5, strict_low=True),
            ),
        ),
        caveat=(
            f"no grade >= 3 CRS in {nums['map_crs3_patients']} patients of "
            f"{nums['map_crs3_cohorts']} independent cohorts (exact 95% upper bound "
            f"{nums['map_crs3_upper_pct']:.0f}%, if they share one rate), but any-grade "
            f"CRS was common ({nums['qin_crs_any']} of {nums['qin_n']} and "
            f"{nums['feng_crs_any']} of {nums['feng_n']} in two cohorts); "
            f"organ-specific reactions (LICATS) affected {nums['licats_patients']} of "
            f"{nums['licats_n']} patients, {nums['licats_grade3']} at grade 3, and "
            "severe neutropenia "
            f"{_count('neutropenia_grade_3_plus', safety.FENG)} of {nums['feng_n']} "
            "(Feng 2025): mild on CRS and ICANS, not free of serious events, and too "
            "few patients followed too briefly to exclude rare risks such as T-cell "
            "cancers, for which the cancer products carry a boxed warning"
        ),
    )


def _crs_cited() -> Claim:
    nums = _numbers()
    return Claim(
        id="autoimmune-crs-cited",
        claim=(
            "In the larger Erlangen series, cytokine release syndrome never reached "
            "a severe grade."
        ),
        chapter=CHAPTER,
        verdict="supported with caveats",
        sources=("muller2024", "neelapu2017", "maude2018"),
        checks=(_severe_crs_check(),),
        caveat=(
            f"no grade >= 3 CRS among the {nums['muller_n']} patients of the Erlangen "
            "case series (counts seen only in secondary summaries); with so few patients a true rate up to "
            f"{nums['cp_upper_pct']:.0f}% (exact 95% upper bound) cannot be excluded "
            f"(cancer trials for comparison: {nums['severe_low_pct']:.0f}% to "
            f"{nums['severe_high_pct']:.0f}% severe CRS)"
        ),
    )


def _milder_crs() -> Claim:
    nums = _numbers()
    return Claim(
        id="milder-crs-in-autoimmunity",
        claim=(
            "Severe side effects are rarer in autoimmune patients because there is "
            "far less target to kill."
        ),
        chapter=CHAPTER,
        verdict="plausible, not yet measured",
        sources=("park2018", "awasthi2020"),
        checks=(
            Check(
                "model: probability of severe CRS, autoimmune scenario",
                _scenarios().loc["autoimmune", "severe_crs_probability"],
                Bound(high=SEVERE_CRS_CUTOFF, strict_high=True),
            ),
            Check(
                "model: probability of severe CRS, high-burden leukaemia scenario",
                _scenarios().loc["leukaemia", "severe_crs_probability"],
                Bound(low=SEVERE_CRS_CUTOFF, strict_low=True),
            ),
        ),
        caveat=(
            "the model computes a cytokine-proxy peak "
            f"{nums['peak_ratio_leukaemia']:.0f} times higher in the leukaemia "
            "scenario than in the autoimmune one; the map from that peak to a "
            "probability is a labelled assumption"
        ),
    )


def claims() -> tuple[Claim, ...]:
    """The chapter's claims, the headline (whose verdict the chapter states) first."""
    return (_side_effects_mild(), _crs_cited(), _milder_crs())
