"""The shared input checks reject impossible input with a message naming the parameter."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cart_autoimmunity import validation as v


@given(st.floats(max_value=-1e-12, allow_nan=False, allow_infinity=False))
def test_negative_values_are_rejected(value):
    with pytest.raises(ValueError, match="dose_cells must be >= 0"):
        v.require_non_negative("dose_cells", value)


@given(st.floats(min_value=0, max_value=1))
def test_fractions_in_range_pass_through(value):
    assert v.require_fraction("ld_fraction", value) == value


@given(
    st.one_of(
        st.floats(min_value=1.0000001, max_value=1e9),
        st.floats(max_value=-1e-9, min_value=-1e9),
    )
)
def test_fractions_out_of_range_are_rejected(value):
    with pytest.raises(ValueError, match="ld_fraction must be a fraction"):
        v.require_fraction("ld_fraction", value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, "ten", None])
def test_non_numbers_are_rejected(bad):
    with pytest.raises(ValueError, match="rate"):
        v.require_positive("rate", bad)


def test_zero_is_not_positive():
    with pytest.raises(ValueError, match="rate must be > 0, got 0"):
        v.require_positive("rate", 0)


def test_unknown_choice_lists_the_options():
    with pytest.raises(
        ValueError,
        match="unknown scenario 'flu'; choose one of 'autoimmune', 'lymphoma'",
    ):
        v.require_choice("scenario", "flu", ["autoimmune", "lymphoma"])


@pytest.mark.parametrize("grid", [[], [0, 1, 1], [3, 2], [[0, 1], [2, 3]], [0, np.nan]])
def test_bad_time_grids_are_rejected(grid):
    with pytest.raises(ValueError, match="days"):
        v.require_increasing("days", grid)


def test_integers():
    assert v.require_integer("doses", 3.0, minimum=1) == 3
    with pytest.raises(ValueError, match="doses must be >= 1"):
        v.require_integer("doses", 0, minimum=1)
    with pytest.raises(ValueError, match="whole number"):
        v.require_integer("doses", 2.5)


def test_arrays_are_numbers_finite_in_range_and_bounded():
    np.testing.assert_array_equal(v.require_array("t", [0.0, 2.0], minimum=0), [0, 2])
    assert v.require_array("t", 3.0).ndim == 0  # a scalar stays a scalar
    with pytest.raises(TypeError, match="t must be numbers"):
        v.require_array("t", "abc")
    with pytest.raises(ValueError, match="t must be a non-empty"):
        v.require_array("t", [])
    with pytest.raises(ValueError, match="t must contain only finite numbers"):
        v.require_array("t", [0.0, math.nan])
    with pytest.raises(ValueError, match="t must be >= 0"):
        v.require_array("t", [-1.0], minimum=0.0)
    with pytest.raises(ValueError, match="f must be <= 1"):
        v.require_array("f", [1.5], maximum=1.0)
    with pytest.raises(ValueError, match="MAX_POINTS"):
        v.require_array("t", np.zeros(v.MAX_POINTS + 1))
    assert v.require_array("t", np.zeros(v.MAX_POINTS + 1), max_size=None).size


def test_grid_sizes_are_refused_before_anything_is_allocated():
    assert v.require_points("days", 365.0, 1.0) == 366
    with pytest.raises(ValueError, match="days gives 1,000,000,000,001 time points"):
        v.require_points("days", 1e12, 1.0)
    with pytest.raises(ValueError, match="days must be > 0"):
        v.require_points("days", 10.0, 0.0)


def test_a_sampling_interval_is_a_whole_number_of_output_steps():
    assert v.require_multiple("every", 0.3, 0.1) == 3  # 0.3 / 0.1 is 2.9999999999999996
    assert v.require_multiple("every", 5.0, 5.0) == 1
    with pytest.raises(ValueError, match="every must be a multiple of 0.1, got 0.25"):
        v.require_multiple("every", 0.25, 0.1)
    with pytest.raises(ValueError, match="every must be a multiple of 5.0, got 2.0"):
        v.require_multiple("every", 2.0, 5.0)  # rounds to zero steps
    with pytest.raises(ValueError, match="every must be > 0"):
        v.require_multiple("every", -5.0, 5.0)
    with pytest.raises(
        ValueError, match="every must be a multiple of 0.1, got 1000.004"
    ):
        v.require_multiple("every", 1000.004, 0.1)  # not 10,000 steps
    # a number written as text is read as the other checks read it
    assert v.require_multiple("every", "0.5", 0.1) == 5


def test_integers_have_an_upper_bound_and_text_is_a_type_error():
    assert v.require_integer("n", 5, minimum=1, maximum=5) == 5
    with pytest.raises(ValueError, match="n must be <= 5"):
        v.require_integer("n", 6, maximum=5)
    with pytest.raises(TypeError, match="n must be a whole number"):
        v.require_integer("n", "6")
    with pytest.raises(ValueError, match="n must be finite"):
        v.require_integer("n", math.nan)


def test_flags_texts_mappings_and_names():
    assert v.require_bool("burden_only", np.bool_(True)) is True
    with pytest.raises(TypeError, match="burden_only must be True or False"):
        v.require_bool("burden_only", "yes")
    with pytest.raises(TypeError, match="caption must be a string"):
        v.require_text("caption", 3)
    assert v.require_mapping("runs", {}, empty=True) == {}
    with pytest.raises(ValueError, match="runs must not be empty"):
        v.require_mapping("runs", {})
    with pytest.raises(TypeError, match="runs must be a mapping"):
        v.require_mapping("runs", [1])
    assert v.require_names("scenarios", ("a",), ("a", "b")) == ["a"]
    with pytest.raises(TypeError, match="scenarios must be a sequence of names"):
        v.require_names("scenarios", "a")
    with pytest.raises(ValueError, match="unknown scenarios 'c'"):
        v.require_names("scenarios", ["c"], ("a", "b"))
    with pytest.raises(ValueError, match="scenarios must not be empty"):
        v.require_names("scenarios", [])
