"""Chapter 1's module: each quoted number against the evidence or the model it comes from."""

from __future__ import annotations

import pytest

from cart_autoimmunity import burden, evidence, units
from cart_autoimmunity.chapters import ch01_burden as ch
from cart_autoimmunity.parameters.burden import BurdenParameters
from cart_autoimmunity.parameters.costs import PopulationParameters


def cited(quantity: str) -> float:
    return evidence.lookup("prevalence", quantity)


@pytest.fixture(scope="module")
def numbers() -> dict:
    return ch.numbers()


def test_cohort_numbers_are_the_cited_ones(numbers):
    assert numbers["cohort_millions"] == pytest.approx(
        cited("individuals_in_cohort") / 1e6
    )
    assert numbers["diseases_studied"] == cited("diseases_studied")
    assert numbers["new_diagnoses"] == cited("new_diagnoses")
    assert numbers["prev_all_pct"] == pytest.approx(
        100 * cited("population_fraction_affected")
    )
    assert numbers["mean_onset_age"] == cited("mean_age_at_diagnosis")


def test_the_sex_split_adds_up_to_everyone_diagnosed(numbers):
    women = cited("female_fraction_of_diagnosed")
    assert numbers["female_share_pct"] == pytest.approx(100 * women)
    assert numbers["female_share_pct"] + numbers["male_share_pct"] == pytest.approx(100)
    assert numbers["women_per_man"] == pytest.approx(
        numbers["female_share_pct"] / numbers["male_share_pct"]
    )


def test_lupus_numbers_and_their_product(numbers):
    sle = evidence.lookup("prevalence", "sle_prevalence_per_100000")
    refractory = evidence.lookup("prevalence", "severe_refractory_sle_fraction")
    assert numbers["sle_per_100k"] == sle
    assert numbers["srsle_pct"] == pytest.approx(100 * refractory)
    assert numbers["srsle_per_100k"] == pytest.approx(sle * refractory)
    assert numbers["srsle_per_100k"] < numbers["sle_per_100k"]


def test_candidates_are_the_assumed_share_of_the_prevalence(numbers):
    population = PopulationParameters()
    assert numbers["candidate_pct"] == pytest.approx(
        100 * population.car_t_candidate_fraction
    )
    per_100k = 1e5 * population.autoimmune_prevalence
    assert numbers["candidates_per_100k"] == pytest.approx(
        per_100k * population.car_t_candidate_fraction
    )
    doubled = population.replace(
        car_t_candidate_fraction=2 * population.car_t_candidate_fraction
    )
    assert ch.candidates_per_100k(doubled) == pytest.approx(
        2 * numbers["candidates_per_100k"]
    )


def test_erlangen_numbers_are_the_cited_ones(numbers):
    trials = evidence.erlangen_trials()
    patients = trials[trials["quantity"] == "patients"]["value"]
    assert numbers["muller_n"] == patients.max()  # the larger of the two reports
    assert numbers["b_return_days"] == evidence.lookup(
        "erlangen_trials", "b_return_day_mean", "Mackensen et al. 2022, refractory SLE"
    )


def test_treatment_years_come_from_the_burden_model(numbers):
    params = BurdenParameters()
    young, later = params.sle_treatment_age_years, params.onset_age_years
    assert (numbers["sle_age"], numbers["typical_age"]) == (young, later)
    assert numbers["horizon_age"] == params.horizon_age_years
    assert numbers["relapse_pct"] == pytest.approx(100 * params.relapse_rate_per_year)
    # lifelong suppression: one year of treatment per year lived up to the horizon
    assert numbers["life_years_sle"] == pytest.approx(params.horizon_age_years - young)
    assert numbers["life_years_typical"] == pytest.approx(
        params.horizon_age_years - later
    )
    # without relapse, the whole burden is the episode
    assert numbers["once_no_relapse_years"] == pytest.approx(
        params.car_t_episode_days / units.DAYS_PER_YEAR
    )
    for start, name in (
        (young, "once_relapse_sle_years"),
        (later, "once_relapse_typical_years"),
    ):
        curve = burden.cumulative_treatment(
            params, start, [start, params.horizon_age_years]
        )
        final = curve[curve["strategy"] == "one-time CAR T"]["treatment_years"].iloc[-1]
        assert numbers[name] == pytest.approx(final)
    assert numbers["saved_sle_years"] == pytest.approx(
        numbers["life_years_sle"] - numbers["once_relapse_sle_years"]
    )


def test_tables_follow_the_parameters_they_are_given():
    later = BurdenParameters(sle_treatment_age_years=40.0)
    table = ch.tables(later)["tbl-burden-lifetime"]
    assert 40.0 in set(table["start_age_years"])
    assert 22.0 not in set(table["start_age_years"])
    assert ch.reader_table("tbl-burden-lifetime", later).rows[3][0] == "40"


def test_the_headline_claim_is_the_cited_prevalence():
    headline, management = ch.claims()
    assert headline.id == "prevalence-one-in-ten"
    assert headline.value == cited("population_fraction_affected")
    assert headline.passed
    assert str(int(cited("diseases_studied"))) in headline.unit
    assert management.id == "management-not-resolution"
    assert management.value == cited("severe_refractory_sle_fraction")
    assert management.passed


def test_the_claims_fail_when_the_number_would_not_support_them():
    headline, management = ch.claims()
    assert not headline.checks[0].bound.holds(0.2)
    assert not management.checks[0].bound.holds(0.5)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: ch.reader_table("tbl-nothing"), "name"),
        (lambda: ch.lifetime(params=80.0), "params"),
        (lambda: ch.tables(params="young"), "params"),
        (lambda: ch.treatment_years(22.0, "surgery"), "strategy"),
        (lambda: ch.treatment_years(99.0, "one-time CAR T"), "start_age"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()
