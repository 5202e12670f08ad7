"""Chapter 3's module: each quoted number against the evidence or the model it comes from."""

from __future__ import annotations

import pytest

from cart_autoimmunity import evidence, kinetics
from cart_autoimmunity.chapters import ch03_living_drug as ch
from cart_autoimmunity.evidence import safety
from cart_autoimmunity.parameters.kinetics import KineticsParameters


@pytest.fixture(scope="module")
def numbers() -> dict:
    return ch.numbers()


@pytest.fixture(scope="module")
def readouts() -> dict:
    """An independent one-year run of both scenarios with the default parameters."""
    params = KineticsParameters()
    return {
        name: kinetics.readouts(kinetics.simulate(name, params, days=365), params)
        for name in ("autoimmune", "lymphoma")
    }


def rows(table, quantity: str, product: str):
    """Rows of ``table`` for ``quantity`` whose cohort starts with ``product``."""
    return table[
        (table["quantity"] == quantity) & table["cohort"].str.startswith(product)
    ]


def test_dose_is_the_erlangen_dose(numbers):
    dose = evidence.lookup("erlangen_trials", "dose_car_t_per_kg")
    assert numbers["dose_millions_per_kg"] * 1e6 == pytest.approx(dose)


@pytest.mark.parametrize("product", ["axi", "liso", "tisa"])
def test_manufacturing_numbers_are_the_cited_ones(numbers, product):
    table = evidence.manufacturing()
    v2v = rows(table, "vein_to_vein_median", f"{product}-cel")
    assert numbers[f"v2v_{product}"] == v2v["value"].item()
    # the pivotal-trial failure share is the lymphoma row of the review's table
    failure = rows(table, "manufacturing_failure", f"{product}-cel")
    lymphoma = failure[failure["setting"] == "lymphoma"]
    assert numbers[f"fail_{product}_pct"] == pytest.approx(
        100 * lymphoma["value"].item()
    )


@pytest.mark.parametrize("product", ["axi", "tisa"])
def test_never_infused_is_the_cited_share(numbers, product):
    table = evidence.manufacturing()
    never = rows(table, "never_infused_any_reason", f"{product}-cel")
    lymphoma = never[never["setting"] == "lymphoma"]
    assert numbers[f"never_infused_{product}_pct"] == pytest.approx(
        100 * lymphoma["value"].item()
    )


@pytest.mark.parametrize(
    ("name", "quantity", "trial"),
    [
        ("eliana_crs_pct", "crs_any_grade", "ELIANA"),
        ("eliana_neuro_pct", "neurotoxicity_any_grade", "ELIANA"),
        ("zuma_neuro3_pct", "neurotoxicity_grade_3_plus", "ZUMA-1"),
        ("juliet_crs_any_pct", "crs_any_grade", "JULIET"),
        ("juliet_neuro3_pct", "neurotoxicity_grade_3_plus", "JULIET"),
        ("cibmtr_crs3_pct", "crs_grade_3_plus", "CIBMTR"),
        ("cibmtr_neuro3_pct", "neurotoxicity_grade_3_plus", "CIBMTR"),
    ],
)
def test_side_effect_rates_are_the_cited_ones(numbers, name, quantity, trial):
    row = rows(evidence.crs_rates(), quantity, trial)
    assert numbers[name] == pytest.approx(100 * row["value"].item())


def test_registry_size_is_the_cited_one(numbers):
    crs = evidence.crs_rates()
    assert numbers["cibmtr_n"] == crs[crs["cohort"].str.startswith("CIBMTR")]["n"].max()


def test_severe_crs_range_spans_the_cancer_trials(numbers):
    crs = evidence.crs_rates()
    severe = crs[
        crs["quantity"].isin(safety.SEVERE_CRS_QUANTITIES)
        & crs["cohort"].isin(safety.CANCER_TRIALS)
    ]
    assert numbers["severe_low_pct"] == pytest.approx(100 * severe["value"].min())
    assert numbers["severe_high_pct"] == pytest.approx(100 * severe["value"].max())
    assert numbers["severe_trials"] == severe["cohort"].nunique()


def test_model_numbers_come_from_one_run_of_each_scenario(numbers, readouts):
    auto, lymph = readouts["autoimmune"], readouts["lymphoma"]
    assert numbers["peak_day"] == pytest.approx(auto["car_t_peak_day"])
    assert numbers["peak_auto_per_ul"] == pytest.approx(auto["car_t_peak_per_ul"])
    assert numbers["peak_lymph_per_ul"] == pytest.approx(lymph["car_t_peak_per_ul"])
    assert numbers["contraction_auto_days"] == pytest.approx(
        auto["contraction_half_life_days"]
    )
    assert numbers["lod_day_auto"] == pytest.approx(auto["last_day_above_lod"])
    assert numbers["b_return_auto"] == pytest.approx(auto["b_return_day"])
    assert numbers["b_return_lymph"] == pytest.approx(lymph["b_return_day"])
    assert numbers["cytokine_ratio"] == pytest.approx(
        lymph["cytokine_peak"] / auto["cytokine_peak"]
    )
    assert numbers["sim_days"] == 365


def test_cited_and_assumed_comparators(numbers):
    assert numbers["stein_decline_days"] == evidence.lookup(
        "car_t_persistence", "initial_decline_half_life"
    )
    mackensen = evidence.lookup(
        "erlangen_trials",
        "b_return_day_mean",
        "Mackensen et al. 2022, refractory SLE",
    )
    assert numbers["b_return_mackensen"] == mackensen
    assert numbers["memory_factor_inverse"] == pytest.approx(
        1 / KineticsParameters().autoimmune_memory_factor
    )


def test_first_run_table_follows_the_parameters_it_is_given():
    default = ch.tables()["tbl-living-first-run"]
    params = KineticsParameters()
    tripled = params.replace(dose_cells=3 * params.dose_cells)
    higher = ch.tables(tripled)["tbl-living-first-run"]
    peak = default["readout"] == "CAR T peak (cells/µL)"
    assert float(higher.loc[peak, "autoimmune"].item()) > float(
        default.loc[peak, "autoimmune"].item()
    )


def test_manufacturing_table_joins_days_to_the_lymphoma_products():
    overview = ch.tables()["tbl-living-manufacturing"].set_index("cohort")
    assert overview.loc["axi-cel", "days"] == evidence.lookup(
        "manufacturing", "vein_to_vein_median", "axi-cel, r/r LBCL (22 studies)"
    )
    assert overview["days"].isna().sum() == len(overview) - 3  # only three have a time


def test_claims_hold_on_the_cited_numbers(numbers):
    process, side_effects = ch.claims()
    assert process.id == "car-t-process" and process.verdict == "supported with caveats"
    assert process.value == min(numbers[f"v2v_{p}"] for p in ("axi", "liso", "tisa"))
    failure = rows(evidence.manufacturing(), "manufacturing_failure", "")
    assert process.checks[1].value == failure["value"].max()
    assert side_effects.value == pytest.approx(numbers["severe_low_pct"] / 100)
    assert process.passed and side_effects.passed


def test_the_checks_would_fail_on_numbers_that_do_not_support_the_claims():
    process, side_effects = ch.claims()
    assert not process.checks[0].bound.holds(14)
    assert not process.checks[1].bound.holds(0)
    assert not side_effects.checks[0].bound.holds(0.05)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: ch.reader_table("tbl-nothing"), "name"),
        (lambda: ch.first_run(params="fast"), "params"),
        (lambda: ch.tables(params=3), "params"),
        (lambda: ch.manufacturing_value("vein_to_vein_median", "no such"), "cohort"),
        (lambda: ch.crs_pct("crs_any_grade", "no such"), "cohort"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()
