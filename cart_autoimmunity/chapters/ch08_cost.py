"""Chapter 8, the price of bespoke cells: cost of goods and delivery per treated patient.

The chapter quotes reported prices and pivotal-trial manufacturing failures
(:func:`cart_autoimmunity.evidence.prices`, :func:`cart_autoimmunity.evidence.manufacturing`)
and runs the cost model (M8, :mod:`cart_autoimmunity.costs`) with its labelled default
assumptions (:class:`CostParameters`, :class:`PopulationParameters`):

    C_auto = (C_aph + C_vec + C_mfg + C_QC + C_log) / (1 - p_fail) + F/P + C_LD + C_hosp + p_ICU C_ICU

and its allogeneic and in vivo analogues, all in US dollars per treated patient. A
health-system budget is patients × cost, with patients = :data:`POPULATION` × prevalence ×
candidate share × treated share.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import costs, evidence
from ..chapter import ParameterTableSpec, ReaderTable, TableSpec, cite, show_table
from ..claims import Bound, Check, Claim
from ..evidence import delivery
from ..parameters import parameter_table as all_parameters
from ..parameters.costs import CostParameters, PopulationParameters
from ..validation import require_choice

CHAPTER = "notebooks/08_cost"

#: In vivo dose counts compared: one dose, and six as in the six weekly infusions of an
#: mRNA CAR T product in myasthenia gravis (Chahin et al. 2025).
IN_VIVO_DOSES = (1, 6)
#: Inhabitants of the health system whose budget the chapter sizes (a unit, "per million").
POPULATION = 1_000_000
#: Patients a facility serves per year in the scale figure: 30 steps from 20 to 2,000.
PATIENTS_PER_YEAR = tuple(int(v) for v in np.unique(np.geomspace(20, 2000, 30).round()))
#: Doses per allogeneic batch in the scale figure: 40 steps from 1 to 10,000.
DOSES_PER_BATCH = tuple(int(v) for v in np.unique(np.geomspace(1, 10_000, 40).round()))
#: Inputs of the tornado table: the most influential ones.
TORNADO_ROWS = 8
#: Cost inputs of making an ex vivo product, and of giving a treatment, as tabulated.
EX_VIVO_INPUTS = (
    "apheresis_usd",
    "vector_usd",
    "manufacturing_usd",
    "quality_control_usd",
    "logistics_usd",
    "manufacturing_failure_fraction",
    "batch_usd",
    "doses_per_batch",
    "batch_failure_fraction",
    "fill_finish_usd",
    "redose_fraction",
)
DELIVERY_INPUTS = (
    "lymphodepletion_usd",
    "hospital_stay_usd",
    "icu_probability",
    "icu_usd",
    "facility_usd_per_year",
    "patients_per_year",
    "allogeneic_patients_per_year",
    "in_vivo_dose_usd",
    "in_vivo_administration_usd",
    "in_vivo_monitoring_usd",
    "in_vivo_observation_usd",
    "in_vivo_icu_probability",
)
PRICE_KINDS = {
    "list_price_at_launch": "US list price at launch",
    "reimbursed_price": "reimbursed price",
    "reimbursed_price_usd": "reimbursed price, converted",
}


# ------------------------------------------------------------------------------------------
# What the data say
# ------------------------------------------------------------------------------------------
def launch_prices() -> tuple[float, float]:
    """Lowest and highest US list price at launch (USD, product alone)."""
    table = evidence.prices()
    launch = table.loc[table["quantity"] == "list_price_at_launch", "value"]
    return float(launch.min()), float(launch.max())


def list_prices() -> dict[str, float]:
    """The launch list prices as budget options: label → USD per patient."""
    low, high = launch_prices()
    return {"US list price, low": low, "US list price, high": high}


def price_ranges() -> dict[str, tuple[float, float]]:
    """The grey price bars of the modality figure: label → (low, high) in USD."""
    ari = evidence.lookup("prices", "reimbursed_price_usd")
    return {"US list price": launch_prices(), "ARI-0001": (ari, ari)}


@cache
def failures() -> pd.DataFrame:
    """Pivotal trials: ``cohort``, ``n`` enrolled, ``failed_pct`` (manufacturing failed, %
    of enrolled), ``never_pct`` (never infused, any reason, %), and the ``source`` and
    ``status`` (primary or secondary) of both."""
    trials = evidence.manufacturing()
    failed = trials[trials["quantity"] == "manufacturing_failure"].set_index("cohort")
    never = trials[trials["quantity"] == "never_infused_any_reason"].set_index("cohort")
    if not failed["source"].equals(never["source"].reindex(failed.index)):
        raise ValueError(
            "a cohort's failures and never-infused counts differ in source"
        )
    return (
        failed[["n", "source", "status"]]
        .assign(
            failed_pct=100 * failed["value"],
            never_pct=100 * never["value"].reindex(failed.index),
        )
        .reset_index()
    )


# ------------------------------------------------------------------------------------------
# What the model says (default assumptions, computed once per process)
# ------------------------------------------------------------------------------------------
@cache
def options() -> pd.DataFrame:
    """:func:`cart_autoimmunity.costs.compare_modalities` at :data:`IN_VIVO_DOSES`."""
    return costs.compare_modalities(CostParameters(), in_vivo_doses=IN_VIVO_DOSES)


def whole_thousands(usd: float) -> int:
    """``usd`` in whole thousands (``round(usd / 1000)``), the rounding of the cost
    figure's bar labels, so that the prose and the figure quote one number."""
    return int(round(float(usd) / 1000))


def cost_sentence(table: pd.DataFrame) -> str:
    """The cost per treated patient of each option of ``table``
    (:func:`cart_autoimmunity.costs.compare_modalities` output: ``option``, ``cost_usd``),
    in whole thousand USD, for a reader who changed the assumptions and re-ran the cell: a
    heading line, then one short line per option (it fits a phone's width)."""
    if not isinstance(table, pd.DataFrame) or not {"option", "cost_usd"} <= set(
        table.columns
    ):
        raise ValueError("table must be a table with columns 'option' and 'cost_usd'")
    parts = [
        f"{option}: {whole_thousands(usd):,}"
        for option, usd in zip(table["option"], table["cost_usd"])
    ]
    return "\n".join(["Model cost per patient (thousand USD):", *parts])


def option_cost(option: str) -> float:
    """Cost per treated patient of ``option`` (a label of :func:`options`), USD."""
    table = options().set_index("option")["cost_usd"]
    require_choice("option", option, tuple(table.index))
    return float(table[option])


@cache
def autologous_parts() -> pd.Series:
    """The autologous cost per patient by component (product, facility share, …), USD."""
    parts = costs.cost_breakdown("autologous", CostParameters())
    return parts.set_index("component")["usd"]


@cache
def tornado() -> pd.DataFrame:
    """:func:`cart_autoimmunity.costs.tornado` of the autologous cost, largest swing first."""
    return costs.tornado("autologous", CostParameters())


@cache
def ordering(in_vivo_doses: int) -> pd.DataFrame:
    """Whether autologous > allogeneic > in vivo (``in_vivo_doses`` doses) holds with each
    input at either end of its labelled range (:func:`costs.ordering_under_ranges`)."""
    require_choice("in_vivo_doses", in_vivo_doses, IN_VIVO_DOSES)
    return costs.ordering_under_ranges(CostParameters(), in_vivo_doses=in_vivo_doses)


@cache
def assumption_grid() -> pd.DataFrame:
    """The explorable figure's data: :func:`cart_autoimmunity.costs.assumption_grid`."""
    return costs.assumption_grid(params=CostParameters())


@cache
def budget() -> pd.DataFrame:
    """One-off cost of treating the assumed share of CAR T candidates among
    :data:`POPULATION` inhabitants (:func:`cart_autoimmunity.costs.health_system_cost`),
    with the launch list prices as two more options."""
    return costs.health_system_cost(
        POPULATION, CostParameters(), PopulationParameters(), prices_usd=list_prices()
    )


def refractory_lupus() -> dict[str, float]:
    """Severe refractory lupus, as fractions: the UK lupus prevalence (``sle``), the
    severe refractory share of lupus patients (``refractory``), their product, a share of
    everyone (``per_person``), and that ÷ the prevalence of any autoimmune disease, a
    share of everyone with one (``of_pool``)."""
    sle = evidence.lookup("refractory_lupus", "sle_prevalence")
    refractory = evidence.lookup("refractory_lupus", "severe_refractory_share")
    per_person = sle * refractory
    return {
        "sle": sle,
        "refractory": refractory,
        "per_person": per_person,
        "of_pool": per_person / PopulationParameters().autoimmune_prevalence,
    }


def _model_numbers() -> dict[str, float]:
    """Costs per patient and the autologous product part in whole thousand USD
    (:func:`whole_thousands`, as the figure labels them), and ratios of the exact costs."""
    params = CostParameters()
    auto, allo = option_cost("Autologous"), option_cost("Allogeneic (batch)")
    inv1, inv6 = option_cost("In vivo, 1 dose"), option_cost("In vivo, 6 doses")
    parts = autologous_parts()
    no_crs_care = params.replace(
        in_vivo_observation_usd=0.0, in_vivo_icu_probability=0.0
    )
    return {
        "cost_auto_k": whole_thousands(auto),
        "cost_allo_k": whole_thousands(allo),
        "cost_inv1_k": whole_thousands(inv1),
        "cost_inv6_k": whole_thousands(inv6),
        "ratio_auto_allo": auto / allo,
        "ratio_auto_inv1": auto / inv1,
        "in_vivo_icu_pct": 100 * params.in_vivo_icu_probability,
        "ex_vivo_icu_pct": 100 * params.icu_probability,
        "cost_inv1_no_crs_k": costs.cost_per_patient("in_vivo", no_crs_care) / 1000,
        "auto_product_share_pct": 100 * parts["product"] / parts.sum(),
        "auto_product_k": whole_thousands(parts["product"]),
        "list_low_over_product": launch_prices()[0] / parts["product"],
    }


def _scale_numbers() -> dict[str, float]:
    """Cost at the ends of the scale figure's axes, and the allogeneic floor's parts:
    lim N→∞ C_allo = C_fill (1 + p_redose) + F/P_allo + C_LD + C_hosp + p_ICU C_ICU."""
    p = CostParameters()
    small, large = PATIENTS_PER_YEAR[0], PATIENTS_PER_YEAR[-1]
    return {
        "auto_small_k": costs.cost_per_patient(
            "autologous", p.replace(patients_per_year=small)
        )
        / 1000,
        "auto_small_patients": small,
        "auto_large_k": costs.cost_per_patient(
            "autologous", p.replace(patients_per_year=large)
        )
        / 1000,
        "auto_large_patients": large,
        "allo_one_dose_m": costs.cost_per_patient(
            "allogeneic", p.replace(doses_per_batch=DOSES_PER_BATCH[0])
        )
        / 1e6,
        "allo_limit_k": costs.allogeneic_cost_limit(p) / 1000,
        "allo_delivery_k": (
            p.lymphodepletion_usd + p.hospital_stay_usd + p.icu_probability * p.icu_usd
        )
        / 1000,
        "allo_facility_k": p.facility_usd_per_year
        / p.allogeneic_patients_per_year
        / 1000,
        "allo_patients": p.allogeneic_patients_per_year,
    }


def _ordering_numbers() -> dict[str, int]:
    """How often autologous > allogeneic > in vivo held over the one-at-a-time changes."""
    one, six = ordering(1)["ordered"], ordering(6)["ordered"]
    return {
        "ordering_held": int(one.sum()),
        "ordering_total": len(one),
        "ordering_six_held": int(six.sum()),
        "ordering_six_failed": int((~six).sum()),
    }


def _population_numbers() -> dict[str, float]:
    """Who would be a candidate, and the one-off budget (million USD) per million people."""
    population = PopulationParameters()
    lupus = refractory_lupus()
    totals = budget().set_index("option")["total_usd"] / 1e6
    return {
        "sle_per_100k": 1e5 * lupus["sle"],
        "refractory_pct": 100 * lupus["refractory"],
        "refractory_sle_per_100k": 1e5 * lupus["per_person"],
        "refractory_sle_pool_pct": 100 * lupus["of_pool"],
        "candidate_pct": 100 * population.car_t_candidate_fraction,
        "candidate_over_sle": population.car_t_candidate_fraction / lupus["of_pool"],
        "prevalence_pct": 100 * population.autoimmune_prevalence,
        "treated_share_pct": 100 * population.treated_share,
        "patients_per_million": float(budget()["patients"].iloc[0]),
        "budget_auto_m": totals["Autologous"],
        "budget_allo_m": totals["Allogeneic (batch)"],
        "budget_inv_m": totals["In vivo"],
        "budget_list_high_m": totals["US list price, high"],
    }


def numbers() -> dict[str, float | int]:
    """Every number the chapter's prose glues, by glue name (``_k`` thousand, ``_m``
    million US dollars; ``_pct`` per cent)."""
    low, high = launch_prices()
    failed = failures()
    return {
        "list_low_k": low / 1000,
        "list_high_k": high / 1000,
        "ari_eur_k": evidence.lookup("prices", "reimbursed_price") / 1000,
        "ari_usd_k": evidence.lookup("prices", "reimbursed_price_usd") / 1000,
        **delivery.vein_to_vein_glue(),
        "fail_min_pct": failed["failed_pct"].min(),
        "fail_max_pct": failed["failed_pct"].max(),
        "never_min_pct": failed["never_pct"].min(),
        "never_max_pct": failed["never_pct"].max(),
        **_model_numbers(),
        **_scale_numbers(),
        "tornado_top_swing_k": tornado()["swing"].iloc[0] / 1000,
        **_ordering_numbers(),
        **_population_numbers(),
    }


# ------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------
def _parameters(parameter_set: str, names=None) -> pd.DataFrame:
    """The rows of ``parameter_set`` in the package's parameter table (``names`` only)."""
    table = all_parameters()
    table = table[table["parameter_set"] == parameter_set].set_index("name")
    return table.loc[list(names) if names else table.index].reset_index()


def _ordering_swaps() -> pd.DataFrame:
    six = ordering(6)
    return six[~six["ordered"]].reset_index(drop=True)


#: How each table's data is made (each call makes a fresh copy).
_DATA = {
    "tbl-cost-prices": evidence.prices,
    "tbl-cost-failures": lambda: failures().copy(),
    "tbl-cost-ex-vivo": lambda: _parameters("CostParameters", EX_VIVO_INPUTS),
    "tbl-cost-delivery": lambda: _parameters("CostParameters", DELIVERY_INPUTS),
    "tbl-cost-tornado": lambda: tornado().head(TORNADO_ROWS).copy(),
    "tbl-cost-ordering": _ordering_swaps,
    "tbl-cost-population": lambda: _parameters("PopulationParameters"),
    "tbl-cost-budget": lambda: budget().copy(),
}


def tables() -> dict[str, pd.DataFrame]:
    """Every table the chapter shows, by its ``tbl-`` name, as data (copies)."""
    return {name: make() for name, make in _DATA.items()}


def _plain(value: float) -> str:
    """An input value as a reader reads it: 1,000 or 0.05."""
    return f"{value:,.0f}" if value >= 1 else f"{value:g}"


def _price_cells(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        kind=frame["quantity"].map(PRICE_KINDS),
        price=[
            f"{value:,.0f} {unit}"
            for value, unit in zip(frame["value"], frame["unit"], strict=True)
        ],
    )


def _failure_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """A trial read in its own report carries its citation in the product cell."""
    return frame.assign(
        cohort=[
            f"{cohort} {{cite:p}}`{source}`" if status == "primary" else cohort
            for cohort, source, status in zip(
                frame["cohort"], frame["source"], frame["status"], strict=True
            )
        ]
    )


def _tornado_cells(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        range=[
            f"{_plain(lo)} to {_plain(hi)}"
            for lo, hi in zip(frame["low"], frame["high"], strict=True)
        ],
        swing_k=frame["swing"] / 1000,
    )


def _ordering_cells(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        change=[
            f"{costs.INPUT_LABELS[name]} at its {end} end ({_plain(value)})"
            for name, end, value in zip(
                frame["parameter"], frame["end"], frame["value"], strict=True
            )
        ],
        allo_k=frame["allogeneic"] / 1000,
        inv_k=frame["in_vivo"] / 1000,
    )


def _budget_cells(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(
        per_patient_k=frame["cost_per_patient_usd"] / 1000,
        total_m=frame["total_usd"] / 1e6,
    )


#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-cost-prices": TableSpec(
        {
            "cohort": "Product",
            "kind": "Kind of price",
            "price": "Price",
            "source": "Source",
        },
        "Reported prices of CAR T products (secondary sources: a commentary and news "
        "reports).",
        formats={"source": cite},
        derive=_price_cells,
    ),
    "tbl-cost-failures": TableSpec(
        {
            "cohort": "Product (pivotal trials)",
            "n": "Patients enrolled",
            "failed_pct": "Manufacturing failed (%)",
            "never_pct": "Never infused, any reason (%)",
        },
        "Products that could not be made and patients never infused in the pivotal "
        "trials: from the trial's own report where its counts were read (cited in the "
        "row), otherwise from Table 2 of a review {cite:p}`fimmu2021manufacturing` (a "
        "secondary source).",
        formats={"n": "{:.0f}", "failed_pct": "{:.1f}", "never_pct": "{:.0f}"},
        derive=_failure_cells,
    ),
    "tbl-cost-ex-vivo": ParameterTableSpec(
        "CostParameters",
        "Assumed costs of making an ex vivo product, per patient, dose or batch (US "
        "dollars).",
        names=EX_VIVO_INPUTS,
    ),
    "tbl-cost-delivery": ParameterTableSpec(
        "CostParameters",
        "Assumed costs of giving the treatment, running a facility and an in vivo "
        "course (US dollars).",
        names=DELIVERY_INPUTS,
    ),
    "tbl-cost-tornado": TableSpec(
        {
            "label": "Input",
            "range": "Range tested",
            "swing_k": "Swing (thousand USD)",
            "reason": "Why this range",
        },
        "The eight inputs that move the autologous cost most, with the range each was "
        "varied over.",
        formats={"swing_k": "{:.1f}"},
        derive=_tornado_cells,
    ),
    "tbl-cost-ordering": TableSpec(
        {
            "change": "Input changed",
            "allo_k": "Allogeneic (thousand USD)",
            "inv_k": "In vivo, six doses (thousand USD)",
        },
        "The one-at-a-time changes under which a six-dose in vivo course costs at least "
        "as much as the allogeneic batch product.",
        formats={"allo_k": "{:.0f}", "inv_k": "{:.0f}"},
        derive=_ordering_cells,
    ),
    "tbl-cost-population": ParameterTableSpec(
        "PopulationParameters",
        "Who would be treated: the prevalence of autoimmune disease, the assumed share "
        "of CAR T candidates among those affected, and the assumed share of candidates "
        "treated.",
    ),
    "tbl-cost-budget": TableSpec(
        {
            "option": "Option",
            "per_patient_k": "Per patient (thousand USD)",
            "total_m": "Total (million USD)",
        },
        "One-off cost of treating every CAR T candidate once, per million inhabitants: "
        "cost of goods and delivery for the three modalities, and the product alone at "
        "US list prices.",
        formats={"per_patient_k": "{:.0f}", "total_m": "{:.0f}"},
        derive=_budget_cells,
    ),
}


def reader_table(name: str, data: pd.DataFrame | None = None) -> ReaderTable:
    """Table ``name`` of :func:`tables`, captioned and formatted for readers.

    ``data`` replaces the chapter's own data with a table of the same shape, for example
    a budget the reader recomputed with other assumptions (a parameter table always shows
    the package's parameters).
    """
    require_choice("name", name, TABLE_SPECS)
    if data is None:
        data = _DATA[name]()
    elif not isinstance(data, pd.DataFrame) or data.empty:
        raise ValueError("data must be a non-empty pandas DataFrame")
    return show_table(TABLE_SPECS[name], data, name=name)


# ------------------------------------------------------------------------------------------
# Claims
# ------------------------------------------------------------------------------------------
def claims() -> tuple[Claim, ...]:
    """The story's claim this chapter checks: bespoke manufacturing is what costs most."""
    auto, allo = option_cost("Autologous"), option_cost("Allogeneic (batch)")
    inv1 = option_cost("In vivo, 1 dose")
    held = _ordering_numbers()
    above_one = Bound(low=1.0, strict_low=True)
    return (
        Claim(
            "bespoke-is-expensive",
            "Making cells for each patient is what makes the therapy so expensive.",
            CHAPTER,
            "supported with caveats",
            ("fimmu2021manufacturing", "conrad2023"),
            (
                Check(
                    "model: ratio of autologous to single-dose in vivo cost per patient",
                    auto / inv1,
                    above_one,
                ),
                Check(
                    "model: ratio of autologous to allogeneic cost per patient",
                    auto / allo,
                    above_one,
                ),
                Check(
                    "model: ratio of allogeneic to single-dose in vivo cost per patient",
                    allo / inv1,
                    above_one,
                ),
            ),
            caveat=(
                "cost of goods and delivery under the model's labelled default "
                "assumptions, not price; the ordering autologous > allogeneic > "
                f"single-dose in vivo held in {held['ordering_held']} of "
                f"{held['ordering_total']} one-at-a-time changes of the inputs, and "
                f"with six in vivo doses in {held['ordering_six_held']}"
            ),
        ),
    )
