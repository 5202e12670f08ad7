"""Cost per treated patient of autologous, allogeneic (batch) and in vivo CAR T (model M8).

Cost of goods and delivery, in US dollars, NOT the price a manufacturer charges:

    C_auto = (C_aph + C_vec + C_mfg + C_QC + C_log) / (1 - p_fail) + F/P + C_LD + C_hosp + p_ICU C_ICU
    C_allo = (C_batch / (N (1 - p_batch)) + C_fill) (1 + p_redose) + F/P_allo + C_LD + C_hosp + p_ICU C_ICU
    C_inv  = n (C_dose + C_adm) + C_mon + C_obs + p_ICU,inv C_ICU

F is a fixed facility cost per year shared by the patients it serves that year: P for an
autologous facility, P_allo for a batch facility that ships to several centres (ex vivo
products only); N doses per allogeneic batch; n in vivo doses. The in vivo course carries an
in-patient observation after the first dose and an intensive-care risk for cytokine release
syndrome (C_obs, p_ICU,inv). Every component is an assumption (see ``parameters.costs``) except
the failure fraction (pivotal trials) and the prevalence used for the health-system budget
(Conrad 2023); the share of that prevalence who are CAR T candidates is an assumption.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping

import pandas as pd

from . import validation
from .parameters.costs import CostParameters, PopulationParameters

#: The cost per treated patient of each modality in TeX (rows of an ``aligned`` block): one
#: source for chapter 8 and the model appendix. Each symbol but ``n`` (the in vivo doses) is
#: the ``symbol`` of a field of :class:`~cart_autoimmunity.parameters.costs.CostParameters`,
#: which the parameter tables show (a test checks both ways), combined as
#: :func:`cost_breakdown` combines them.
EQUATIONS = r"""
C_\text{auto} &= \frac{C_\text{aph} + C_\text{vec} + C_\text{mfg} + C_\text{QC}
  + C_\text{log}}{1 - p_\text{fail}} \\
&\quad + \frac{F}{P} + C_\text{LD} + C_\text{hosp} + p_\text{ICU}\,C_\text{ICU} \\
C_\text{allo} &= \Big(\frac{C_\text{batch}}{N(1 - p_\text{batch})}
  + C_\text{fill}\Big)(1 + p_\text{redose}) \\
&\quad + \frac{F}{P_\text{allo}} + C_\text{LD} + C_\text{hosp}
  + p_\text{ICU}\,C_\text{ICU} \\
C_\text{inv} &= n\,(C_\text{dose} + C_\text{adm}) + C_\text{mon} \\
&\quad + C_\text{obs} + p_\text{ICU,inv}\,C_\text{ICU}
"""

MODALITIES = ("autologous", "allogeneic", "in_vivo")
MODALITY_LABELS = {
    "autologous": "Autologous",
    "allogeneic": "Allogeneic (batch)",
    "in_vivo": "In vivo",
}

#: Low and high values for the sensitivity (tornado) analysis, with the reason for each range.
TORNADO_RANGES: dict[str, tuple[float, float, str]] = {
    "apheresis_usd": (2_500, 10_000, "half to double the assumed value"),
    "vector_usd": (15_000, 60_000, "half to double the assumed value"),
    "manufacturing_usd": (25_000, 100_000, "half to double the assumed value"),
    "quality_control_usd": (7_500, 30_000, "half to double the assumed value"),
    "logistics_usd": (2_500, 10_000, "half to double the assumed value"),
    "manufacturing_failure_fraction": (
        0.01,
        0.08,
        "about the pivotal-trial range (under 1% to 8%)",
    ),
    "batch_usd": (750_000, 3_000_000, "half to double the assumed value"),
    "doses_per_batch": (20, 500, "a small research batch to a large commercial batch"),
    "batch_failure_fraction": (0.02, 0.3, "reliable to troublesome batch processes"),
    "fill_finish_usd": (2_500, 10_000, "half to double the assumed value"),
    "redose_fraction": (0.0, 0.5, "no rejection to half of patients redosed"),
    "lymphodepletion_usd": (2_500, 10_000, "half to double the assumed value"),
    "hospital_stay_usd": (25_000, 100_000, "half to double the assumed value"),
    "icu_probability": (0.0, 0.3, "no intensive care to a cancer-like rate"),
    "icu_usd": (25_000, 100_000, "half to double the assumed value"),
    "facility_usd_per_year": (
        5_000_000,
        20_000_000,
        "half to double the assumed value",
    ),
    "patients_per_year": (50, 1000, "a small academic unit to a large centre"),
    "allogeneic_patients_per_year": (
        100,
        2000,
        "a single centre to a national supplier",
    ),
    "in_vivo_dose_usd": (5_000, 20_000, "half to double the assumed value"),
    "in_vivo_administration_usd": (1_000, 4_000, "half to double the assumed value"),
    "in_vivo_monitoring_usd": (2_500, 10_000, "half to double the assumed value"),
    "in_vivo_observation_usd": (5_000, 20_000, "half to double the assumed value"),
    "in_vivo_icu_probability": (
        0.0,
        0.4,
        "no intensive care to double the model's predicted severe-CRS risk",
    ),
}


#: Each cost input in plain words, for figures and reader tables.
INPUT_LABELS: dict[str, str] = {
    "apheresis_usd": "cell collection",
    "vector_usd": "viral vector",
    "manufacturing_usd": "manufacturing",
    "quality_control_usd": "release testing",
    "logistics_usd": "shipping",
    "manufacturing_failure_fraction": "failed products",
    "batch_usd": "cost of a batch",
    "doses_per_batch": "doses per batch",
    "batch_failure_fraction": "failed batches",
    "fill_finish_usd": "thaw, label, ship a dose",
    "redose_fraction": "second doses",
    "lymphodepletion_usd": "lymphodepletion",
    "hospital_stay_usd": "hospital stay",
    "icu_probability": "intensive-care risk",
    "icu_usd": "intensive-care cost",
    "facility_usd_per_year": "facility running cost",
    "patients_per_year": "patients per facility",
    "allogeneic_patients_per_year": "patients per batch facility",
    "in_vivo_dose_usd": "in vivo dose",
    "in_vivo_administration_usd": "giving a dose",
    "in_vivo_monitoring_usd": "monitoring",
    "in_vivo_observation_usd": "CRS observation",
    "in_vivo_icu_probability": "in vivo intensive-care risk",
}


def _modality(modality: str) -> str:
    return validation.require_choice("modality", modality, MODALITIES)


def _doses(in_vivo_doses) -> int:
    return validation.require_integer("in_vivo_doses", in_vivo_doses, minimum=1)


def cost_breakdown(
    modality: str, params: CostParameters | None = None, in_vivo_doses: int = 1
) -> pd.DataFrame:
    """Components of the cost per treated patient: one row per component, columns ``modality``,
    ``component`` and ``usd``. Their sum is :func:`cost_per_patient`."""
    params = CostParameters.resolve(params, "params")
    modality = _modality(modality)
    n = _doses(in_vivo_doses)
    p = params
    hospital = p.hospital_stay_usd + p.icu_probability * p.icu_usd
    if modality == "autologous":
        facility = p.facility_usd_per_year / p.patients_per_year
        product = (
            p.apheresis_usd
            + p.vector_usd
            + p.manufacturing_usd
            + p.quality_control_usd
            + p.logistics_usd
        ) / (1.0 - p.manufacturing_failure_fraction)
        parts = {
            "product": product,
            "facility share": facility,
            "lymphodepletion": p.lymphodepletion_usd,
            "hospital care": hospital,
        }
    elif modality == "allogeneic":
        dose = (
            p.batch_usd / (p.doses_per_batch * (1.0 - p.batch_failure_fraction))
            + p.fill_finish_usd
        )
        facility = p.facility_usd_per_year / p.allogeneic_patients_per_year
        parts = {
            "product": dose * (1.0 + p.redose_fraction),
            "facility share": facility,
            "lymphodepletion": p.lymphodepletion_usd,
            "hospital care": hospital,
        }
    else:
        parts = {
            "product": n * p.in_vivo_dose_usd,
            "administration and monitoring": n * p.in_vivo_administration_usd
            + p.in_vivo_monitoring_usd,
            "CRS observation and care": p.in_vivo_observation_usd
            + p.in_vivo_icu_probability * p.icu_usd,
        }
    return pd.DataFrame(
        {
            "modality": modality,
            "component": list(parts),
            "usd": [float(v) for v in parts.values()],
        }
    )


def cost_per_patient(
    modality: str, params: CostParameters | None = None, in_vivo_doses: int = 1
) -> float:
    """Cost of goods and delivery per treated patient in USD (see the module docstring)."""
    return float(cost_breakdown(modality, params, in_vivo_doses)["usd"].sum())


def allogeneic_cost_limit(params: CostParameters | None = None) -> float:
    """Limit of the allogeneic cost as doses per batch → ∞: the batch cost vanishes per patient."""
    p = CostParameters.resolve(params, "params")
    return float(
        p.fill_finish_usd * (1.0 + p.redose_fraction)
        + p.facility_usd_per_year / p.allogeneic_patients_per_year
        + p.lymphodepletion_usd
        + p.hospital_stay_usd
        + p.icu_probability * p.icu_usd
    )


def compare_modalities(
    params: CostParameters | None = None, in_vivo_doses: Iterable[int] = (1, 6)
) -> pd.DataFrame:
    """Cost per patient for each modality (in vivo at each dose count): one row per option with
    columns ``option``, ``modality``, ``in_vivo_doses`` (0 for ex vivo) and ``cost_usd``."""
    params = CostParameters.resolve(params, "params")
    rows = [
        {
            "option": MODALITY_LABELS[m],
            "modality": m,
            "in_vivo_doses": 0,
            "cost_usd": cost_per_patient(m, params),
        }
        for m in ("autologous", "allogeneic")
    ]
    for n in validation.require_array("in_vivo_doses", in_vivo_doses).ravel():
        n = _doses(n)
        label = f"In vivo, {n} dose" + ("s" if n > 1 else "")
        rows.append(
            {
                "option": label,
                "modality": "in_vivo",
                "in_vivo_doses": n,
                "cost_usd": cost_per_patient("in_vivo", params, n),
            }
        )
    return pd.DataFrame(rows)


def option_breakdown(
    options: pd.DataFrame, params: CostParameters | None = None
) -> pd.DataFrame:
    """The :func:`cost_breakdown` of every row of ``options`` (:func:`compare_modalities`
    output), stacked, with the row's ``option`` label: columns ``modality``, ``component``,
    ``usd`` and ``option``."""
    needed = {"option", "modality", "in_vivo_doses"}
    if (
        not isinstance(options, pd.DataFrame)
        or options.empty
        or not needed <= set(options.columns)
    ):
        raise ValueError(
            f"options must be a non-empty table with columns {sorted(needed)}"
        )
    params = CostParameters.resolve(params)
    parts = [
        cost_breakdown(row.modality, params, max(int(row.in_vivo_doses), 1)).assign(
            option=row.option
        )
        for row in options.itertuples()
    ]
    return pd.concat(parts, ignore_index=True)


def cost_vs_scale(
    patients_per_year, params: CostParameters | None = None, in_vivo_doses: int = 1
) -> pd.DataFrame:
    """Cost per patient against patients served per year by the facility that makes the product.

    The scale sets ``patients_per_year`` for autologous and ``allogeneic_patients_per_year`` for
    allogeneic products (the facility cost is shared more widely); in vivo is unaffected. Tidy table: one row per modality and scale, columns ``modality``, ``option`` (its label), ``patients_per_year``, ``cost_usd``.
    """
    params = CostParameters.resolve(params, "params")
    scales = validation.require_increasing("patients_per_year", patients_per_year)
    rows = []
    for scale in scales:
        scale = validation.require_integer("patients_per_year", scale, minimum=1)
        scaled = params.replace(
            patients_per_year=scale, allogeneic_patients_per_year=scale
        )
        for m in MODALITIES:
            rows.append(
                {
                    "modality": m,
                    "option": MODALITY_LABELS[m],
                    "patients_per_year": int(scale),
                    "cost_usd": cost_per_patient(m, scaled, in_vivo_doses),
                }
            )
    return pd.DataFrame(rows)


def cost_vs_doses_per_batch(
    doses_per_batch, params: CostParameters | None = None
) -> pd.DataFrame:
    """Allogeneic cost per patient against doses per batch: columns ``doses_per_batch``, ``cost_usd``, ``option``."""
    params = CostParameters.resolve(params, "params")
    doses = validation.require_increasing("doses_per_batch", doses_per_batch)
    costs = [
        cost_per_patient(
            "allogeneic",
            params.replace(
                doses_per_batch=validation.require_integer(
                    "doses_per_batch", d, minimum=1
                )
            ),
        )
        for d in doses
    ]
    return pd.DataFrame(
        {
            "doses_per_batch": doses.astype(int),
            "cost_usd": costs,
            "option": MODALITY_LABELS["allogeneic"],
        }
    )


def tornado(
    modality: str,
    params: CostParameters | None = None,
    ranges: Mapping[str, tuple] | None = None,
    in_vivo_doses: int = 1,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of the cost per patient to each input over its labelled range.

    Each input is set to its low and then its high value, all others at their defaults. One row
    per input that changes this modality's cost, sorted by ``swing`` (largest first), with columns
    ``parameter``, ``low``, ``high``, ``cost_at_low``, ``cost_at_high``, ``change_at_low``,
    ``change_at_high`` (relative to the base cost, USD), ``swing`` (``|cost_at_high - cost_at_low|``),
    ``reason`` (why that range) and ``label`` (the input in plain words, :data:`INPUT_LABELS`).
    """
    params = CostParameters.resolve(params, "params")
    modality = _modality(modality)
    ranges = validation.require_mapping(
        "ranges", TORNADO_RANGES if ranges is None else ranges
    )
    base = cost_per_patient(modality, params, in_vivo_doses)
    rows = []
    for name, spec in ranges.items():
        if not hasattr(params, name):
            raise ValueError(f"unknown cost parameter {name!r}")
        low, high = spec[0], spec[1]
        reason = spec[2] if len(spec) > 2 else ""
        if not low <= high:
            raise ValueError(
                f"range for {name} must have low <= high, got {low!r}..{high!r}"
            )
        at_low = cost_per_patient(
            modality, params.replace(**{name: low}), in_vivo_doses
        )
        at_high = cost_per_patient(
            modality, params.replace(**{name: high}), in_vivo_doses
        )
        if at_low == base and at_high == base:
            continue  # this input does not enter this modality's cost
        rows.append(
            {
                "parameter": name,
                "low": low,
                "high": high,
                "cost_at_low": at_low,
                "cost_at_high": at_high,
                "change_at_low": at_low - base,
                "change_at_high": at_high - base,
                "swing": abs(at_high - at_low),
                "reason": reason,
                "label": INPUT_LABELS.get(
                    name, name.replace("_usd", "").replace("_", " ")
                ),
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(
        drop=True
    )


def health_system_cost(
    population: float,
    params: CostParameters | None = None,
    population_params: PopulationParameters | None = None,
    in_vivo_doses: int = 1,
    prices_usd: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """What treating a share of the CAR T candidates would cost a health system once.

    patients = population × prevalence (Conrad 2023) × candidate fraction × treated share,
    where the candidate fraction (``population_params.car_t_candidate_fraction``, an
    assumption) is the share of people with an autoimmune disease whose disease is
    refractory and B-cell-driven, and the treated share
    (``population_params.treated_share``, an assumption) is the share of those candidates
    treated; total = patients × cost. One row per option (the three modalities at cost of
    goods and delivery, then any ``prices_usd`` given as label → price per patient) with
    columns ``option``, ``patients``, ``cost_per_patient_usd`` and ``total_usd``.
    """
    params = CostParameters.resolve(params, "params")
    population = validation.require_non_negative("population", population)
    population_params = PopulationParameters.resolve(
        population_params, "population_params"
    )
    patients = (
        population
        * population_params.autoimmune_prevalence
        * population_params.car_t_candidate_fraction
        * population_params.treated_share
    )
    options = {
        MODALITY_LABELS[m]: cost_per_patient(m, params, in_vivo_doses)
        for m in MODALITIES
    }
    if prices_usd is not None:
        validation.require_mapping("prices_usd", prices_usd, empty=True)
    for label, price in (prices_usd or {}).items():
        options[label] = validation.require_non_negative(f"price for {label}", price)
    return pd.DataFrame(
        {
            "option": list(options),
            "patients": patients,
            "cost_per_patient_usd": list(options.values()),
            "total_usd": [patients * c for c in options.values()],
        }
    )


def ordering_under_ranges(
    params: CostParameters | None = None,
    ranges: Mapping[str, tuple] | None = None,
    in_vivo_doses: int = 1,
) -> pd.DataFrame:
    """Does autologous > allogeneic > in vivo hold when each input in turn goes to its low or high value?

    One row per input and end of its range, columns ``parameter``, ``end`` ("low"/"high"),
    ``value``, the three costs (``autologous``, ``allogeneic``, ``in_vivo``) and ``ordered``.
    """
    params = CostParameters.resolve(params, "params")
    ranges = validation.require_mapping(
        "ranges", TORNADO_RANGES if ranges is None else ranges
    )
    rows = []
    for name, spec in ranges.items():
        if not hasattr(params, name):
            raise ValueError(f"unknown cost parameter {name!r}")
        for end, value in (("low", spec[0]), ("high", spec[1])):
            varied = params.replace(**{name: value})
            costs = {m: cost_per_patient(m, varied, in_vivo_doses) for m in MODALITIES}
            rows.append(
                {
                    "parameter": name,
                    "end": end,
                    "value": value,
                    **costs,
                    "ordered": costs["autologous"]
                    > costs["allogeneic"]
                    > costs["in_vivo"],
                }
            )
    return pd.DataFrame(rows)


#: The main assumptions of chapter 8's explorable figure and their grid values; each spans
#: the labelled range of :data:`TORNADO_RANGES` and includes the default.
ASSUMPTION_GRID: dict[str, tuple] = {
    "patients_per_year": (50, 100, 200, 400, 700, 1000),
    "doses_per_batch": (20, 50, 100, 200, 350, 500),
    "in_vivo_dose_usd": (5_000, 7_500, 10_000, 12_500, 15_000, 20_000),
    "in_vivo_doses": (1, 2, 3, 4, 5, 6),
}


def assumption_grid(
    values: Mapping[str, Iterable] | None = None,
    params: CostParameters | None = None,
    in_vivo_doses: int = 1,
) -> pd.DataFrame:
    """Cost per patient of every modality over the full grid of ``values`` (name → levels).

    A name is a :class:`CostParameters` field or ``"in_vivo_doses"``; every combination of
    levels is applied to ``params`` (the others keep their values, ``in_vivo_doses`` its
    argument). One row per combination (the first name outermost), columns: the names,
    ``autologous_usd``, ``allogeneic_usd``, ``in_vivo_usd`` (:func:`cost_per_patient`) and
    ``is_default`` (every name at its value in ``params``).
    """
    params = CostParameters.resolve(params, "params")
    values = ASSUMPTION_GRID if values is None else values
    validation.require_mapping("values", values)
    fields = {f.name for f in dataclasses.fields(params)}
    levels = {}
    for name, given in values.items():
        if name != "in_vivo_doses" and name not in fields:
            raise ValueError(f"unknown cost parameter {name!r} in values")
        level = list(validation.require_array(f"values[{name!r}]", given).ravel())
        if not level or len(set(level)) != len(level):
            raise ValueError(
                f"values for {name} must be non-empty without repeats, got {level!r}"
            )
        levels[name] = level
    base_doses = _doses(in_vivo_doses)
    defaults = {
        name: (base_doses if name == "in_vivo_doses" else getattr(params, name))
        for name in levels
    }
    rows = []
    for combination in itertools.product(*levels.values()):
        point = dict(zip(levels, combination))
        doses = _doses(point.get("in_vivo_doses", base_doses))
        varied = params.replace(
            **{k: v for k, v in point.items() if k != "in_vivo_doses"}
        )
        rows.append(
            {
                **point,
                **{f"{m}_usd": cost_per_patient(m, varied, doses) for m in MODALITIES},
                "is_default": point == defaults,
            }
        )
    return pd.DataFrame(rows)
