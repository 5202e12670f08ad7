"""Unit conversions shared by the models and the chapters: one home for each constant."""

from __future__ import annotations

#: Days in a year, the Julian year's 365.25 (leap years averaged in): every conversion
#: between days and years in the book uses this one value.
DAYS_PER_YEAR = 365.25
