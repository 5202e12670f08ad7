"""Parameters of the cost-per-patient model (M8): cost of goods and delivery, not price.

No published cost-of-goods breakdown for any CAR T product could be verified, so every cost
component is an assumption, in US dollars, chosen for transparency and meant to be varied
(the chapter's tornado plot does exactly that). Only the manufacturing failure fraction and
the prevalence of autoimmune disease are taken from the literature; the share of that
prevalence who would be CAR T candidates is an assumption built from two partial sources, and
the share of those candidates treated is an illustrative assumption. The in vivo intensive-care
probability borrows the book's own model prediction (chapter 10), not a measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import evidence
from ._fields import Parameters, param


@dataclass(frozen=True)
class CostParameters(Parameters):
    """Cost components of autologous, allogeneic (batch) and in vivo CAR T, per treated patient."""

    # Autologous: one product per patient.
    apheresis_usd: float = param(
        5_000,
        symbol=r"C_\text{aph}",
        unit="USD per patient",
        description="collecting the patient's T cells (leukapheresis)",
        assumption="a day-case procedure with a cell separator and staff",
    )
    vector_usd: float = param(
        30_000,
        symbol=r"C_\text{vec}",
        unit="USD per product",
        description="clinical-grade viral vector for one autologous product",
        assumption="GMP lentiviral vector is a large share of materials for a single product",
    )
    manufacturing_usd: float = param(
        50_000,
        symbol=r"C_\text{mfg}",
        unit="USD per product",
        description="clean-room time, staff and reagents to make one autologous product",
        assumption="one to two weeks of GMP clean-room work per patient",
    )
    quality_control_usd: float = param(
        15_000,
        symbol=r"C_\text{QC}",
        unit="USD per product",
        description="release testing of one product (sterility, identity, potency)",
        assumption="a full release panel is run for every patient-specific lot",
    )
    logistics_usd: float = param(
        5_000,
        symbol=r"C_\text{log}",
        unit="USD per product",
        description="cryogenic shipping and chain of custody, both ways",
        assumption="two temperature-controlled courier shipments",
    )
    manufacturing_failure_fraction: float = param(
        0.05,
        symbol=r"p_\text{fail}",
        unit="fraction of products",
        description="autologous products that fail and must be remade",
        source="fimmu2021manufacturing; pivotal-trial failure rates of under 1% to 8% (Table 2), a value inside that range",
        check="fraction",
    )
    # Allogeneic: one batch from a healthy donor treats many patients.
    batch_usd: float = param(
        1_500_000,
        symbol=r"C_\text{batch}",
        unit="USD per batch",
        description="making and release-testing one allogeneic batch (donor, gene editing, expansion, QC)",
        assumption="a large edited batch costs more than one autologous product but is shared",
    )
    doses_per_batch: int = param(
        100,
        symbol=r"N",
        unit="doses per batch",
        description="patient doses obtained from one allogeneic batch",
        assumption="a low dose (about a million cells per kg) lets one large batch serve many patients",
        check="integer",
    )
    batch_failure_fraction: float = param(
        0.1,
        symbol=r"p_\text{batch}",
        unit="fraction of batches",
        description="allogeneic batches that fail release",
        assumption="batch processes with gene editing are assumed somewhat less reliable than autologous lots",
        check="fraction",
    )
    fill_finish_usd: float = param(
        5_000,
        symbol=r"C_\text{fill}",
        unit="USD per dose",
        description="thawing, labelling, shipping one off-the-shelf dose",
        assumption="similar to the shipping and handling of one autologous product",
    )
    redose_fraction: float = param(
        0.1,
        symbol=r"p_\text{redose}",
        unit="fraction of patients",
        description="allogeneic patients who need a second dose (rejection)",
        assumption="a minority of patients reject the cells before depletion is deep",
        check="fraction",
    )
    # Delivery of ex vivo products (autologous and allogeneic).
    lymphodepletion_usd: float = param(
        5_000,
        symbol=r"C_\text{LD}",
        unit="USD per patient",
        description="fludarabine and cyclophosphamide before infusion",
        assumption="generic chemotherapy given over three days",
    )
    hospital_stay_usd: float = param(
        50_000,
        symbol=r"C_\text{hosp}",
        unit="USD per patient",
        description="infusion, in-patient monitoring and follow-up visits",
        assumption="one to two weeks in hospital for monitoring after infusion",
    )
    icu_probability: float = param(
        0.1,
        symbol=r"p_\text{ICU}",
        unit="fraction of patients",
        description="patients who need intensive care after an ex vivo product",
        assumption="rare in autoimmune cohorts so far, kept as a cushion",
        check="fraction",
    )
    icu_usd: float = param(
        50_000,
        symbol=r"C_\text{ICU}",
        unit="USD per ICU admission",
        description="cost of one intensive-care admission",
        assumption="several days of intensive care",
    )
    facility_usd_per_year: float = param(
        10_000_000,
        symbol=r"F",
        unit="USD per year",
        description="fixed running cost of a GMP cell-manufacturing facility",
        assumption="staff, clean rooms and quality system, shared by all patients treated in a year",
    )
    patients_per_year: int = param(
        200,
        symbol=r"P",
        unit="patients per year",
        description="patients treated by one autologous facility each year",
        assumption="a mid-sized regional programme",
        check="integer",
    )
    allogeneic_patients_per_year: int = param(
        400,
        symbol=r"P_\text{allo}",
        unit="patients per year",
        description="patients supplied each year by one allogeneic (batch) facility of the same running cost",
        assumption="off-the-shelf doses ship to several treatment centres, so one batch facility serves more patients than a patient-specific one",
        check="integer",
    )
    # In vivo: an injectable carrier that makes CAR T cells inside the patient.
    in_vivo_dose_usd: float = param(
        10_000,
        symbol=r"C_\text{dose}",
        unit="USD per dose",
        description="one dose of mRNA-LNP or vector made at scale, with its share of manufacturing overhead",
        assumption="a targeted nanoparticle made in large lots, priced like a complex biologic dose",
    )
    in_vivo_administration_usd: float = param(
        2_000,
        symbol=r"C_\text{adm}",
        unit="USD per dose",
        description="giving one infusion as a day case",
        assumption="an out-patient infusion and observation",
    )
    in_vivo_monitoring_usd: float = param(
        5_000,
        symbol=r"C_\text{mon}",
        unit="USD per patient",
        description="laboratory and clinic monitoring around an in vivo course",
        assumption="blood tests and clinic visits; no lymphodepletion to monitor",
    )
    in_vivo_observation_usd: float = param(
        10_000,
        symbol=r"C_\text{obs}",
        unit="USD per patient",
        description="in-patient observation for cytokine release syndrome after the first in vivo dose",
        assumption="two to three days on a ward, because the cytokine model predicts an early surge without lymphodepletion (chapter 10)",
    )
    in_vivo_icu_probability: float = param(
        0.2,
        symbol=r"p_\text{ICU,inv}",
        unit="fraction of patients",
        description="in vivo patients who need intensive care for severe cytokine release syndrome",
        assumption="about the severe-CRS risk the cytokine model predicts for one dose without lymphodepletion (chapter 10); a model prediction, not data",
        check="fraction",
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("manufacturing_failure_fraction", "batch_failure_fraction"):
            value = getattr(self, name)
            if value >= 1.0:
                raise ValueError(
                    f"{name} must be < 1 (a process that always fails makes nothing), got {value!r}"
                )


@dataclass(frozen=True)
class PopulationParameters(Parameters):
    """How many people live with an autoimmune disease, how many would be CAR T candidates, and
    what share of the candidates a budget treats."""

    autoimmune_prevalence: float = param(
        evidence.lookup("prevalence", "population_fraction_affected"),
        unit="fraction of population",
        description="share of the population with at least one autoimmune disease",
        source="conrad2023; UK cohort, 19 diseases, as in chapter 1",
        check="fraction",
    )
    car_t_candidate_fraction: float = param(
        0.01,
        unit="fraction of people with an autoimmune disease",
        description="share of people with an autoimmune disease who would be CAR T candidates "
        "(refractory, B-cell-driven disease)",
        assumption="no source sizes this group. Severe refractory lupus alone is about 0.13% of "
        "the pool: a UK lupus prevalence of about 97 per 100,000 (Rees et al. 2016) times a 14% "
        "severe refractory share in an Asia-Pacific cohort (Kandane-Rathnayake et al. 2025), "
        "divided by the 10.2% prevalence of any autoimmune disease. About seven times that is "
        "allowed for other refractory B-cell-driven diseases (myositis, systemic sclerosis, "
        "myasthenia gravis, vasculitis, arthritis); most of the pool (thyroid disease, type 1 "
        "diabetes, coeliac disease) is not treated by suppressing B cells",
        check="fraction",
    )
    treated_share: float = param(
        1.0,
        unit="fraction of CAR T candidates",
        description="share of the CAR T candidates treated, once each, in a health-system budget",
        assumption="every candidate treated once: an illustrative one-off budget, not a forecast of "
        "uptake; the budget scales in proportion to it",
        check="fraction",
    )
