"""Tests of the cost-per-patient model (M8): scale laws, limits, ordering, sensitivity, validation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_autoimmunity.costs import (
    MODALITIES,
    TORNADO_RANGES,
    allogeneic_cost_limit,
    compare_modalities,
    cost_breakdown,
    cost_per_patient,
    cost_vs_doses_per_batch,
    cost_vs_scale,
    health_system_cost,
    tornado,
)
from cart_autoimmunity.parameters.costs import CostParameters, PopulationParameters

DEFAULT = CostParameters()


def _delivery(p: CostParameters, patients_per_year: int | None = None) -> float:
    """Facility share plus delivery of an ex vivo product (autologous throughput unless given)."""
    patients = p.patients_per_year if patients_per_year is None else patients_per_year
    return (
        p.facility_usd_per_year / patients
        + p.lymphodepletion_usd
        + p.hospital_stay_usd
        + p.icu_probability * p.icu_usd
    )


def _in_vivo_crs_care(p: CostParameters) -> float:
    return p.in_vivo_observation_usd + p.in_vivo_icu_probability * p.icu_usd


def test_allogeneic_cost_strictly_decreasing_in_doses_per_batch_with_limit():
    doses = [1, 2, 5, 10, 50, 100, 1000, 10_000, 1_000_000]
    costs = cost_vs_doses_per_batch(doses)["cost_usd"].to_numpy()
    assert np.all(np.diff(costs) < 0)
    limit = DEFAULT.fill_finish_usd * (1 + DEFAULT.redose_fraction) + _delivery(
        DEFAULT, DEFAULT.allogeneic_patients_per_year
    )
    assert allogeneic_cost_limit() == pytest.approx(limit)
    assert np.all(costs > limit)
    assert costs[-1] == pytest.approx(limit, rel=1e-4)
    # the batch share falls exactly as 1/N
    excess = costs - limit
    np.testing.assert_allclose(
        excess * np.array(doses), excess[0] * doses[0], rtol=1e-9
    )


@pytest.mark.parametrize("p_fail", [0.0, 0.01, 0.05, 0.3, 0.9])
def test_autologous_product_cost_scales_as_one_over_one_minus_failure(p_fail):
    params = DEFAULT.replace(manufacturing_failure_fraction=p_fail)
    product = cost_per_patient("autologous", params) - _delivery(params)
    per_attempt = (
        params.apheresis_usd
        + params.vector_usd
        + params.manufacturing_usd
        + params.quality_control_usd
        + params.logistics_usd
    )
    assert product * (1 - p_fail) == pytest.approx(per_attempt)


def test_in_vivo_cost_linear_in_doses():
    costs = np.array([cost_per_patient("in_vivo", DEFAULT, n) for n in range(1, 9)])
    steps = np.diff(costs)
    np.testing.assert_allclose(
        steps, DEFAULT.in_vivo_dose_usd + DEFAULT.in_vivo_administration_usd
    )
    assert costs[0] == pytest.approx(
        DEFAULT.in_vivo_dose_usd
        + DEFAULT.in_vivo_administration_usd
        + DEFAULT.in_vivo_monitoring_usd
        + _in_vivo_crs_care(DEFAULT)
    )


def test_in_vivo_crs_care_is_linear_in_icu_risk_and_removable():
    """The CRS-care term is an assumption: setting it to zero recovers the plain dosing cost, and
    the cost rises by exactly one ICU admission per unit of intensive-care probability."""
    without = DEFAULT.replace(in_vivo_observation_usd=0.0, in_vivo_icu_probability=0.0)
    plain = (
        DEFAULT.in_vivo_dose_usd
        + DEFAULT.in_vivo_administration_usd
        + DEFAULT.in_vivo_monitoring_usd
    )
    assert cost_per_patient("in_vivo", without) == pytest.approx(plain)
    low = cost_per_patient("in_vivo", DEFAULT.replace(in_vivo_icu_probability=0.1))
    high = cost_per_patient("in_vivo", DEFAULT.replace(in_vivo_icu_probability=0.3))
    assert (high - low) / 0.2 == pytest.approx(DEFAULT.icu_usd)


def test_each_facility_share_uses_its_own_throughput():
    """An allogeneic facility's running cost is shared by the patients it supplies, not by the
    patients of an autologous programme, and vice versa."""
    more_allo = DEFAULT.replace(
        allogeneic_patients_per_year=4 * DEFAULT.allogeneic_patients_per_year
    )
    assert cost_per_patient("autologous", more_allo) == pytest.approx(
        cost_per_patient("autologous", DEFAULT)
    )
    saving = cost_per_patient("allogeneic", DEFAULT) - cost_per_patient(
        "allogeneic", more_allo
    )
    assert saving == pytest.approx(
        0.75 * DEFAULT.facility_usd_per_year / DEFAULT.allogeneic_patients_per_year
    )
    more_auto = DEFAULT.replace(patients_per_year=4 * DEFAULT.patients_per_year)
    assert cost_per_patient("allogeneic", more_auto) == pytest.approx(
        cost_per_patient("allogeneic", DEFAULT)
    )


def test_bespoke_is_expensive_with_labelled_defaults():
    """Ledger claim "bespoke-is-expensive": with the labelled default assumptions (and only with
    them) autologous > allogeneic batch > single-dose in vivo."""
    auto, allo, inv = (cost_per_patient(m, DEFAULT) for m in MODALITIES)
    assert auto > allo > inv


def test_breakdown_sums_to_total_and_is_non_negative():
    for m in MODALITIES:
        table = cost_breakdown(m, DEFAULT, 3)
        assert (table["usd"] >= 0).all()
        assert table["usd"].sum() == pytest.approx(cost_per_patient(m, DEFAULT, 3))


def test_compare_modalities_rows():
    table = compare_modalities(DEFAULT, in_vivo_doses=(1, 6))
    assert list(table["modality"]) == ["autologous", "allogeneic", "in_vivo", "in_vivo"]
    assert table["cost_usd"].iloc[3] > table["cost_usd"].iloc[2]


def test_scale_lowers_ex_vivo_costs_only():
    table = cost_vs_scale([50, 200, 1000])
    for m in ("autologous", "allogeneic"):
        assert np.all(
            np.diff(table.loc[table["modality"] == m, "cost_usd"].to_numpy()) < 0
        )
    assert table.loc[table["modality"] == "in_vivo", "cost_usd"].nunique() == 1


@pytest.mark.parametrize("modality", MODALITIES)
def test_tornado_ordering_consistent(modality):
    table = tornado(modality)
    assert len(table) > 0
    assert np.all(np.diff(table["swing"].to_numpy()) <= 0)  # largest swing first
    base = cost_per_patient(modality)
    for _, row in table.iterrows():
        low = cost_per_patient(
            modality, DEFAULT.replace(**{row["parameter"]: row["low"]})
        )
        high = cost_per_patient(
            modality, DEFAULT.replace(**{row["parameter"]: row["high"]})
        )
        assert row["swing"] == pytest.approx(abs(high - low))
        assert row["change_at_low"] == pytest.approx(low - base)
        # each default lies inside its range, so the two changes straddle zero
        assert row["change_at_low"] * row["change_at_high"] <= 0


def test_tornado_drops_inputs_that_do_not_apply():
    names = set(tornado("in_vivo")["parameter"])
    assert names == {
        "in_vivo_dose_usd",
        "in_vivo_administration_usd",
        "in_vivo_monitoring_usd",
        "in_vivo_observation_usd",
        "in_vivo_icu_probability",
        "icu_usd",
    }


def test_tornado_defaults_lie_inside_ranges():
    for name, (low, high, reason) in TORNADO_RANGES.items():
        assert low <= getattr(DEFAULT, name) <= high, name
        assert reason


def test_health_system_cost_closed_form():
    population = PopulationParameters(treated_share=0.01)
    table = health_system_cost(
        1_000_000, population_params=population, prices_usd={"list price": 373_000}
    )
    patients = (
        1_000_000
        * population.autoimmune_prevalence
        * population.car_t_candidate_fraction
        * 0.01
    )
    assert np.allclose(table["patients"], patients)
    np.testing.assert_allclose(
        table["total_usd"], patients * table["cost_per_patient_usd"]
    )
    assert table["option"].iloc[-1] == "list price"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: CostParameters(vector_usd=-1.0), "vector_usd must be >= 0"),
        (
            lambda: CostParameters(manufacturing_failure_fraction=1.0),
            r"manufacturing_failure_fraction must be < 1 \(a process that always fails makes nothing\)",
        ),
        (
            lambda: CostParameters(manufacturing_failure_fraction=-0.1),
            "manufacturing_failure_fraction must be a fraction between 0 and 1",
        ),
        (
            lambda: CostParameters(batch_failure_fraction=1.0),
            r"batch_failure_fraction must be < 1 \(a process that always fails makes nothing\)",
        ),
        (
            lambda: CostParameters(batch_failure_fraction=1.5),
            "batch_failure_fraction must be a fraction between 0 and 1",
        ),
        (lambda: CostParameters(doses_per_batch=0), "doses_per_batch must be >= 1"),
        (
            lambda: CostParameters(doses_per_batch=2.5),
            "doses_per_batch must be a whole number",
        ),
        (lambda: CostParameters(patients_per_year=0), "patients_per_year must be >= 1"),
        (
            lambda: CostParameters(allogeneic_patients_per_year=0),
            "allogeneic_patients_per_year must be >= 1",
        ),
        (
            lambda: CostParameters(in_vivo_icu_probability=1.5),
            "in_vivo_icu_probability must be a fraction between 0 and 1",
        ),
        (
            lambda: CostParameters(in_vivo_observation_usd=-1.0),
            "in_vivo_observation_usd must be >= 0",
        ),
        (
            lambda: CostParameters(redose_fraction=1.2),
            "redose_fraction must be a fraction between 0 and 1",
        ),
        (lambda: cost_per_patient("bespoke"), "unknown modality 'bespoke'"),
        (
            lambda: cost_per_patient("in_vivo", in_vivo_doses=0),
            "in_vivo_doses must be >= 1",
        ),
        (lambda: cost_vs_doses_per_batch([0, 10]), "doses_per_batch must be >= 1"),
        (
            lambda: cost_vs_doses_per_batch([10, 5]),
            "doses_per_batch must be strictly increasing",
        ),
        (
            lambda: cost_vs_scale([]),
            "patients_per_year must be a non-empty sequence of numbers",
        ),
        (
            lambda: tornado("autologous", ranges={"no_such_cost": (1, 2)}),
            "unknown cost parameter 'no_such_cost'",
        ),
        (
            lambda: tornado("autologous", ranges={"vector_usd": (2, 1)}),
            "range for vector_usd must have low <= high",
        ),
        (lambda: health_system_cost(-1), "population must be >= 0"),
        (
            lambda: health_system_cost(1e6, prices_usd={"bad": -5}),
            "price for bad must be >= 0",
        ),
    ],
)
def test_invalid_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=60, deadline=None)
@given(
    costs=st.lists(st.floats(0, 1e6), min_size=5, max_size=5),
    p_fail=st.floats(0, 0.99),
    doses=st.integers(1, 10_000),
    n=st.integers(1, 20),
)
def test_costs_non_negative_and_finite(costs, p_fail, doses, n):
    params = DEFAULT.replace(
        vector_usd=costs[0],
        manufacturing_usd=costs[1],
        batch_usd=costs[2] * 10,
        hospital_stay_usd=costs[3],
        in_vivo_dose_usd=costs[4],
        manufacturing_failure_fraction=p_fail,
        doses_per_batch=doses,
    )
    for m in MODALITIES:
        value = cost_per_patient(m, params, n)
        assert np.isfinite(value) and value >= 0


def test_ordering_under_ranges_matches_direct_costs():
    from cart_autoimmunity.costs import ordering_under_ranges

    table = ordering_under_ranges()
    assert len(table) == 2 * len(TORNADO_RANGES)
    for _, row in table.sample(8, random_state=0).iterrows():
        varied = DEFAULT.replace(**{row["parameter"]: row["value"]})
        costs = [cost_per_patient(m, varied) for m in MODALITIES]
        assert row["ordered"] == (costs[0] > costs[1] > costs[2])
    # six in vivo doses at the high dose cost overtake the allogeneic batch: the check can fail
    six = ordering_under_ranges(in_vivo_doses=6)
    assert not six["ordered"].all()


def test_budget_counts_only_the_car_t_candidates():
    """Only the assumed candidate share of the autoimmune pool enters the budget, in proportion."""
    few = PopulationParameters(car_t_candidate_fraction=0.005)
    many = PopulationParameters(car_t_candidate_fraction=0.02)
    a = health_system_cost(1_000_000, population_params=few)
    b = health_system_cost(1_000_000, population_params=many)
    assert np.allclose(b["total_usd"], 4 * a["total_usd"])
    half = health_system_cost(
        1_000_000, population_params=few.replace(treated_share=0.5)
    )
    assert np.allclose(half["total_usd"], 0.5 * a["total_usd"])
    assert a["patients"].iloc[0] < 1_000_000 * few.autoimmune_prevalence
    with pytest.raises(ValueError, match="car_t_candidate_fraction"):
        PopulationParameters(car_t_candidate_fraction=1.5)
    with pytest.raises(ValueError, match="population_params"):
        health_system_cost(1_000_000, population_params="lupus")
