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
