"""Virtual cohorts of model M1."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cart_autoimmunity import cohort, kinetics
from cart_autoimmunity.parameters.kinetics import CohortParameters, KineticsParameters

P = KineticsParameters()


@pytest.fixture(scope="module")
def big():
    start = time.perf_counter()
    result = cohort.simulate_cohort(1000, "autoimmune", P, seed=7, days=365.0)
    return result, time.perf_counter() - start


def test_a_thousand_patients_run_in_one_go(big):
    result, seconds = big
    assert len(result.patients) == 1000
    assert seconds < 10.0  # about 1.5 s on two cores; generous for slow CI machines
    assert result.patients["car_t_peak_cells"].gt(0).all()


def test_median_b_cell_return_matches_mackensen(big):
    # Mackensen 2022: 110 +/- 32 days.
    median = big[0].patients["b_return_day"].median()
    assert 78.0 <= median <= 142.0


def test_quantiles_are_ordered(big):
    wide = big[0].time_course.pivot_table(index=["quantity", "time_days"], columns="quantile", values="value")
    assert (wide[0.05] <= wide[0.5] + 1e-12).all() and (wide[0.5] <= wide[0.95] + 1e-12).all()
    assert set(big[0].time_course["quantity"]) == set(cohort.QUANTITIES)
    summary = big[0].readout_quantiles()
    assert (summary[0.05] <= summary[0.95]).all()


def test_same_seed_same_cohort_other_seed_other_cohort():
    a = cohort.simulate_cohort(20, "lymphoma", P, seed=1, days=120.0)
    b = cohort.simulate_cohort(20, "lymphoma", P, seed=1, days=120.0)
    c = cohort.simulate_cohort(20, "lymphoma", P, seed=2, days=120.0)
    assert a.patients.equals(b.patients) and a.time_course.equals(b.time_course)
    assert not np.allclose(a.patients["kappa_multiplier"], c.patients["kappa_multiplier"])


def test_zero_spread_reproduces_the_single_patient():
    none = CohortParameters(**{name: 0.0 for name in CohortParameters.__dataclass_fields__})
    result = cohort.simulate_cohort(3, "autoimmune", P, none, days=200.0)
    single = kinetics.readouts(kinetics.simulate("autoimmune", P, days=200.0, step_days=1.0))
    for key in ("car_t_peak_cells", "b_return_day", "last_day_above_lod"):
        np.testing.assert_allclose(result.patients[key], single[key], rtol=1e-4)


def test_cancer_cohorts_sample_the_burden():
    sample = cohort.sample_cohort(500, "leukaemia", P, seed=3)
    median = np.median(sample["tumour_cells"])
    assert 0.8 * P.leukaemia_tumour_cells < median < 1.25 * P.leukaemia_tumour_cells
    assert (cohort.sample_cohort(10, "autoimmune", P)["tumour_cells"] == 0).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"n_patients": 0}, "n_patients must be >= 1"), ({"n_patients": 2.5}, "whole number"),
     ({"scenario": "flu"}, "unknown scenario"), ({"quantiles": (0.5, 1.5)}, "quantiles")],
)
def test_bad_input_is_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cohort.simulate_cohort(**{"n_patients": 5, "days": 30.0, **kwargs})
