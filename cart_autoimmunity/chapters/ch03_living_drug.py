"""Chapter 3, *The living drug*: how long autologous CAR T cells take to make, how often
they fail, the side effects in cancer (cited), and a first run of the kinetic model M1.

Cited numbers come from the evidence tables ``manufacturing``, ``crs_rates``,
``erlangen_trials``, ``car_t_persistence`` and ``b_cell_depletion``; the model run is
:func:`cart_autoimmunity.kinetics.simulate` for :data:`SCENARIOS` over :data:`SIM_DAYS`,
cached per parameter set.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import chapter, evidence, kinetics
from ..claims import Bound, Check, Claim
from ..evidence import delivery, safety
from ..figures.cytokines import RATE_LABELS
from ..parameters.kinetics import KineticsParameters
from ..validation import require_choice

CHAPTER = "notebooks/03_living_drug"

#: The two scenarios of the first run, and its length (days).
SCENARIOS = ("autoimmune", "lymphoma")
SIM_DAYS = 365

#: Evidence cohorts of the numbers the prose quotes.
PIVOTAL = {"axi": "axi-cel", "liso": "liso-cel", "tisa": "tisa-cel (pivotal trials)"}

#: Readouts of the first run shown in its table: key -> (label, value format).
FIRST_RUN_READOUTS = {
    "car_t_peak_day": ("Day of the CAR T peak", "{:.1f}"),
    "car_t_peak_per_ul": ("CAR T peak (cells/µL)", "{:.1f}"),
    "contraction_half_life_days": ("Contraction half-life (days)", "{:.1f}"),
    "last_day_above_lod": ("Last day above detection limit", "{:.0f}"),
    "b_return_day": ("Day B cells return", "{:.0f}"),
    "cytokine_peak": ("Cytokine-proxy peak (10⁹ killed cells/day)", "{:.1f}"),
}


# --- cited numbers ---------------------------------------------------------------------
def manufacturing_value(quantity: str, cohort: str) -> float:
    """One cited value of the ``manufacturing`` evidence table (days or fraction)."""
    return evidence.lookup("manufacturing", quantity, cohort)


def crs_pct(quantity: str, cohort: str) -> float:
    """One cited share of the ``crs_rates`` evidence table, in percent of patients."""
    return 100 * evidence.lookup("crs_rates", quantity, cohort)


def manufacturing_overview() -> pd.DataFrame:
    """Per product and setting: failed manufacture and never infused (as ``"x% (k of n)"``)
    and the median vein-to-vein ``days`` where the meta-analysis gives one (else None).
    """
    table = evidence.manufacturing()
    losses = table[table["quantity"] != "vein_to_vein_median"]
    losses = losses.assign(
        share=[
            f"{100 * v:.1f}% ({round(v * n)} of {n:.0f})"
            for v, n in zip(losses["value"], losses["n"], strict=True)
        ]
    )
    overview = losses.pivot(
        index=["cohort", "setting"], columns="quantity", values="share"
    ).reset_index()
    v2v = table[table["quantity"] == "vein_to_vein_median"]
    days = {
        (cohort.split(",")[0], setting): value
        for cohort, setting, value in zip(
            v2v["cohort"], v2v["setting"], v2v["value"], strict=True
        )
    }
    overview["days"] = [
        days.get((cohort.split(" (")[0], setting))
        for cohort, setting in zip(overview["cohort"], overview["setting"], strict=True)
    ]
    return overview


# --- the kinetic model -----------------------------------------------------------------
@cache
def _first_run(params: KineticsParameters) -> dict:
    runs = {name: kinetics.simulate(name, params, days=SIM_DAYS) for name in SCENARIOS}
    return {
        "runs": runs,
        "readouts": {
            name: kinetics.readouts(run, params) for name, run in runs.items()
        },
    }


def first_run(params: KineticsParameters | None = None) -> dict:
    """The first run: ``{"runs": {scenario: time course}, "readouts": {scenario: dict}}``.

    Each scenario of :data:`SCENARIOS` simulated for :data:`SIM_DAYS` days with the same
    ``params``; cached per parameter set, so numbers, table and claims share one run.
    """
    if params is None:
        params = KineticsParameters()
    if not isinstance(params, KineticsParameters):
        raise ValueError(
            f"params must be KineticsParameters, got {type(params).__name__}"
        )
    return _first_run(params)


# --- the chapter's protocol ------------------------------------------------------------
def numbers() -> dict:
    """Every number the prose glues, by glue name (days, cells/µL, percent, ratios)."""
    crs = evidence.crs_rates()
    severe = safety.severe_crs_range()
    params = KineticsParameters()
    run = first_run(params)
    auto, lymph = run["readouts"]["autoimmune"], run["readouts"]["lymphoma"]
    return {
        "dose_millions_per_kg": evidence.lookup("erlangen_trials", "dose_car_t_per_kg")
        / 1e6,
        **delivery.vein_to_vein_glue(),
        **{
            f"fail_{name}_pct": 100
            * manufacturing_value("manufacturing_failure", cohort)
            for name, cohort in PIVOTAL.items()
        },
        "never_infused_tisa_pct": 100
        * manufacturing_value("never_infused_any_reason", PIVOTAL["tisa"]),
        "never_infused_axi_pct": 100
        * manufacturing_value("never_infused_any_reason", PIVOTAL["axi"]),
        "eliana_crs_pct": crs_pct("crs_any_grade", safety.ELIANA),
        "eliana_neuro_pct": crs_pct("neurotoxicity_any_grade", safety.ELIANA),
        "zuma_neuro3_pct": crs_pct("neurotoxicity_grade_3_plus", safety.ZUMA1),
        "juliet_crs_any_pct": crs_pct("crs_any_grade", safety.JULIET),
        "juliet_neuro3_pct": crs_pct("neurotoxicity_grade_3_plus", safety.JULIET),
        "cibmtr_crs3_pct": crs_pct("crs_grade_3_plus", safety.CIBMTR),
        "cibmtr_neuro3_pct": crs_pct("neurotoxicity_grade_3_plus", safety.CIBMTR),
        "cibmtr_n": int(crs.loc[crs["cohort"] == safety.CIBMTR, "n"].iloc[0]),
        "severe_low_pct": 100 * severe["low"],
        "severe_high_pct": 100 * severe["high"],
        "severe_trials": severe["trials"],
        "peak_day": auto["car_t_peak_day"],
        "peak_auto_per_ul": auto["car_t_peak_per_ul"],
        "peak_lymph_per_ul": lymph["car_t_peak_per_ul"],
        "contraction_auto_days": auto["contraction_half_life_days"],
        "stein_decline_days": evidence.lookup(
            "car_t_persistence", "initial_decline_half_life"
        ),
        "lod_day_auto": auto["last_day_above_lod"],
        "sim_days": float(run["runs"]["lymphoma"]["time_days"].max()),
        "b_return_auto": auto["b_return_day"],
        "b_return_lymph": lymph["b_return_day"],
        "b_return_mackensen": evidence.lookup(
            "erlangen_trials",
            "b_return_day_mean",
            "Mackensen et al. 2022, refractory SLE",
        ),
        "memory_factor_inverse": 1 / params.autoimmune_memory_factor,
        "cytokine_ratio": lymph["cytokine_peak"] / auto["cytokine_peak"],
    }


def tables(params: KineticsParameters | None = None) -> dict[str, pd.DataFrame]:
    """Every table the chapter shows, as data; ``params`` feed the first model run."""
    crs = evidence.crs_rates()
    cancer = crs[crs["setting"].isin(evidence.CANCER_SETTINGS)]
    cancer = cancer.assign(
        measured=cancer["quantity"].map(RATE_LABELS),
        share=[
            chapter.number(100 * v) + "%" + (" (secondary)" if s == "secondary" else "")
            for v, s in zip(cancer["value"], cancer["status"], strict=True)
        ],
    )
    readouts = first_run(params)["readouts"]
    first = pd.DataFrame(
        {
            "readout": [label for label, _ in FIRST_RUN_READOUTS.values()],
            **{
                name: [
                    fmt.format(float(readouts[name][key]))
                    for key, (_, fmt) in FIRST_RUN_READOUTS.items()
                ]
                for name in SCENARIOS
            },
        }
    )
    return {
        "tbl-living-manufacturing": manufacturing_overview(),
        "tbl-living-crs": cancer,
        "tbl-living-first-run": first,
    }


#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-living-manufacturing": chapter.TableSpec(
        {
            "cohort": "Product (trials)",
            "days": "Collection to infusion, median (days)",
            "manufacturing_failure": "Manufacture failed",
            "never_infused_any_reason": "Enrolled, never infused",
        },
        "Time to treatment and products lost, for six commercial CAR T "
        "products. Median days from T-cell collection to infusion in large B-cell "
        "lymphoma {cite:p}`eha2023v2v`; failed manufacture and patients never "
        "infused (for any reason), out of those enrolled in the trials, from the "
        "ZUMA-2 report {cite:p}`wang2020zuma2` and, for the other products, as "
        "tabulated in a review {cite:p}`fimmu2021manufacturing`.",
        formats={"days": "{:.0f}"},
    ),
    "tbl-living-crs": chapter.TableSpec(
        {
            "cohort": "Study (product, disease)",
            "measured": "Side effect",
            "share": "Patients affected",
            "source": "Source",
        },
        "Cytokine release syndrome (CRS) and neurotoxicity (ICANS) after "
        "CD19 CAR T cells in cancer: pivotal trials and one registry of routine "
        "care. Grading scales differ between studies.",
        formats={"source": chapter.cite},
    ),
    "tbl-living-first-run": chapter.TableSpec(
        {
            "readout": "Model readout",
            "autoimmune": "Autoimmune",
            "lymphoma": "Lymphoma",
        },
        "First run of the kinetic model (one year after one infusion): the same "
        "parameters, with and without a malignant B-cell mass.",
    ),
}


def reader_table(
    name: str, params: KineticsParameters | None = None
) -> chapter.ReaderTable:
    """Table ``name`` formatted for readers; ``params`` feed the first model run."""
    require_choice("name", name, TABLE_SPECS)
    return chapter.show_table(TABLE_SPECS[name], tables(params)[name], name=name)


def _read_in(severe: dict) -> str:
    """Where the two ends of the severe-CRS range were read, in words."""
    low, high = severe["low_status"], severe["high_status"]
    if low == high:
        return f"both ends read in {low} sources"
    return f"the lowest read in a {low} source, the highest in a {high} one"


def claims() -> tuple[Claim, ...]:
    """The story's claims checked here; the headline (the bespoke process) first."""
    table = evidence.manufacturing()
    vein_to_vein = table.loc[table["quantity"] == "vein_to_vein_median", "value"]
    failure = table.loc[table["quantity"] == "manufacturing_failure", "value"]
    severe = safety.severe_crs_range()
    return (
        Claim(
            id="car-t-process",
            claim=(
                "CAR T therapy means collecting a patient's T cells, engineering them "
                "and giving them back: a bespoke process that takes weeks and sometimes"
                " fails."
            ),
            chapter=CHAPTER,
            verdict="supported with caveats",
            sources=("eha2023v2v", "fimmu2021manufacturing", "wang2020zuma2"),
            checks=(
                Check(
                    "cited median vein-to-vein time, the shortest of the "
                    f"{len(vein_to_vein)} products in the meta-analysis (days)",
                    vein_to_vein.min(),
                    Bound(low=21),
                ),
                Check(
                    "cited share of products that failed manufacture, the highest of "
                    f"the {len(failure)} pivotal-trial cohorts (fraction)",
                    failure.max(),
                    Bound(low=0, strict_low=True),
                ),
            ),
            caveat=(
                "the story leaves out the lymphodepleting chemotherapy before the "
                f"infusion; the longest median wait is {vein_to_vein.max():.0f} days"
            ),
        ),
        Claim(
            id="cancer-severe-side-effects",
            claim=(
                "In cancer, CAR T cells can cause severe side effects, including "
                "neurotoxicity."
            ),
            chapter=CHAPTER,
            verdict="supported",
            sources=(
                "neelapu2017",
                "maude2018",
                "schuster2019",
                "park2018",
                "porter2018",
            ),
            checks=(
                Check(
                    "cited share with grade 3 or higher CRS, the lowest of the "
                    f"{severe['trials']} cancer trials (fraction)",
                    severe["low"],
                    Bound(low=0.1),
                ),
            ),
            caveat=(
                f"severe CRS in {severe['low']:.0%} to {severe['high']:.0%} of patients "
                f"across the cited cancer trials ({severe['low_cohort']} lowest, "
                f"{severe['high_cohort']} highest; {_read_in(severe)}; grading of the "
                f"highest: {severe['high_grading']}; of the lowest: "
                f"{severe['low_grading']})"
            ),
        ),
    )
