"""Model M2: severe CRS probability from the cytokine proxy of M1."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cart_autoimmunity import cytokines, kinetics
from cart_autoimmunity.parameters.kinetics import (
    KineticsParameters,
    SevereCRSParameters,
)

P = KineticsParameters()


@pytest.fixture(scope="module")
def table():
    return cytokines.scenario_crs_table(P).set_index("scenario")


def test_severe_crs_is_rare_in_autoimmune_disease_and_common_in_leukaemia(table):
    prob = table["severe_crs_probability"]
    # Mueller 2024: no grade >= 3 CRS in 15 autoimmune patients.
    assert prob["autoimmune"] < 0.05 < prob["leukaemia"]
    # Park 2018: severe CRS in 26% (95% CI 15-40%) of adults with B-ALL.
    assert 0.15 <= prob["leukaemia"] <= 0.40
    assert prob["autoimmune"] < prob["lymphoma"] < prob["leukaemia"]


def test_probability_rises_strictly_with_burden():
    sweep = cytokines.crs_vs_burden(np.logspace(9, 12.5, 8), P)
    assert np.all(np.diff(sweep["cytokine_peak"]) > 0)
    assert np.all(np.diff(sweep["severe_crs_probability"]) > 0)
    assert list(sweep.columns) == [
        "tumour_cells",
        "car_t_peak_cells",
        "car_t_peak_per_ul",
        "cytokine_peak",
        "severe_crs_probability",
    ]


def test_default_sweep_covers_zero_to_high_burden():
    sweep = cytokines.crs_vs_burden(params=P)
    assert sweep["tumour_cells"].iloc[0] == 0 and sweep["tumour_cells"].iloc[
        -1
    ] == pytest.approx(3e12)
    assert sweep["severe_crs_probability"].between(0, 1).all()


def test_no_car_t_means_no_cytokine_and_no_crs():
    frame = kinetics.simulate("leukaemia", P, days=30.0, dose_cells=0.0)
    assert frame["cytokine_proxy"].max() == 0.0
    assert cytokines.severe_crs_probability(0.0) == 0.0


def test_burden_matters_more_than_dose():
    # Awasthi 2020 (JULIET): the dose effect on CRS was not significant after adjusting for burden.
    base = cytokines.crs_vs_burden([1e11], P)["cytokine_peak"].iloc[0]
    more_dose = cytokines.crs_vs_burden([1e11], P, dose_cells=10 * P.dose_cells)[
        "cytokine_peak"
    ].iloc[0]
    more_burden = cytokines.crs_vs_burden([1e12], P)["cytokine_peak"].iloc[0]
    assert abs(np.log(more_dose / base)) < abs(np.log(more_burden / base))


def test_half_probability_at_i50():
    crs = SevereCRSParameters()
    assert cytokines.severe_crs_probability(
        crs.half_probability_cytokine_peak, crs
    ) == pytest.approx(0.5)


@settings(max_examples=50, deadline=None)
@given(a=st.floats(0, 1e5), b=st.floats(0, 1e5), s=st.floats(0.1, 5))
def test_probability_is_monotone_and_bounded(a, b, s):
    crs = SevereCRSParameters(steepness=s)
    pa, pb = cytokines.severe_crs_probability([a, b], crs)
    assert 0 <= pa <= 1 and 0 <= pb <= 1
    if a < b:
        assert pa <= pb


@pytest.mark.parametrize("bad", [-1.0, float("nan"), [1.0, -2.0]])
def test_bad_peaks_are_rejected(bad):
    with pytest.raises(ValueError, match="cytokine_peak"):
        cytokines.severe_crs_probability(bad)


def test_bad_sweeps_are_rejected():
    with pytest.raises(ValueError, match="tumour_cells"):
        cytokines.crs_vs_burden([-1.0])
    with pytest.raises(ValueError, match="tumour_cells"):
        cytokines.crs_vs_burden([])
    with pytest.raises(ValueError, match="crs_params"):
        cytokines.severe_crs_probability(1.0, crs_params={"steepness": 1})


@pytest.mark.parametrize("peak", [-1.0, float("nan"), float("inf"), [1.0, -2.0]])
def test_probability_rejects_impossible_peaks(peak):
    with pytest.raises(ValueError, match="cytokine_peak must"):
        cytokines.severe_crs_probability(peak)


@pytest.mark.parametrize("burdens", [[], [-1.0], [float("nan")]])
def test_sweep_rejects_impossible_burdens(burdens):
    with pytest.raises(ValueError, match="tumour_cells must"):
        cytokines.crs_vs_burden(burdens, P)
