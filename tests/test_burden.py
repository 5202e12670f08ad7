"""Tests of the lifetime treatment-burden illustration (cart_autoimmunity.burden)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_autoimmunity import burden
from cart_autoimmunity.parameters import source_keys
from cart_autoimmunity.parameters.burden import BurdenParameters


def test_lifelong_burden_equals_years_since_start():
    p = BurdenParameters()
    df = burden.cumulative_treatment(p)
    life = df[df["strategy"] == "lifelong immunosuppression"]
    assert np.allclose(life["treatment_years"], life["age_years"] - p.onset_age_years)


def test_no_relapse_burden_is_one_episode():
    p = BurdenParameters(relapse_rate_per_year=0.0)
    final = burden.cumulative_treatment(p).groupby("strategy")["treatment_years"].last()
    assert final["one-time CAR T"] == pytest.approx(p.car_t_episode_days / 365.25)


def test_relapse_term_matches_closed_form_and_small_rate_limit():
    t = np.array([0.0, 1.0, 10.0, 58.0])
    lam = 0.05
    expected = t - (1 - np.exp(-lam * t)) / lam
    assert np.allclose(burden.expected_relapse_years(t, lam), expected)
    tiny = 1e-6  # lam t^2 / 2 for small lam t
    assert burden.expected_relapse_years(np.array([10.0]), tiny)[0] == pytest.approx(
        tiny * 100 / 2, rel=1e-4
    )


def test_very_high_relapse_rate_approaches_lifelong_burden():
    p = BurdenParameters(relapse_rate_per_year=1e4)
    final = burden.cumulative_treatment(p).groupby("strategy")["treatment_years"].last()
    # relapse is immediate, so the burden is the episode plus lifelong treatment
    episode = p.car_t_episode_days / 365.25
    assert final["one-time CAR T"] == pytest.approx(
        final["lifelong immunosuppression"] + episode, abs=0.01
    )


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(0.0, 2.0), start=st.floats(1.0, 79.0))
def test_one_time_burden_is_bounded_and_monotone(rate, start):
    p = BurdenParameters(relapse_rate_per_year=rate)
    df = burden.cumulative_treatment(p, start)
    one = df[df["strategy"] == "one-time CAR T"]["treatment_years"].to_numpy()
    life = df[df["strategy"] == "lifelong immunosuppression"][
        "treatment_years"
    ].to_numpy()
    assert np.all(np.diff(one) >= -1e-12)
    assert np.all(one >= 0) and np.all(
        one <= life + p.car_t_episode_days / 365.25 + 1e-9
    )


def test_input_validation():
    with pytest.raises(ValueError, match="relapse_rate_per_year"):
        BurdenParameters(relapse_rate_per_year=-0.1)
    with pytest.raises(ValueError, match="start_age_years"):
        burden.cumulative_treatment(BurdenParameters(), 90.0)
    with pytest.raises(ValueError, match="ages_years"):
        burden.cumulative_treatment(BurdenParameters(), 30.0, [40.0, 35.0])


def test_parameter_sources_are_cited_keys():
    assert source_keys(BurdenParameters) == {"conrad2023", "mackensen2022"}


def test_lifetime_table_reports_run_without_the_relapse_assumption():
    df = burden.lifetime_treatment_years()
    assert set(df["strategy"]) == {
        "lifelong immunosuppression",
        "one-time CAR T",
        "one-time CAR T, no relapse",
    }
    young = df[df["start_age_years"] == 22.0].set_index("strategy")["treatment_years"]
    assert young["lifelong immunosuppression"] == pytest.approx(58.0)
