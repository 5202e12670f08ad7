"""Parameters of the beta-cell damage model (M6): slow regeneration, a growing attack, a threshold.

Time is in days; beta-cell mass and attack intensity are dimensionless (beta-cell mass is a
fraction of the healthy mass, attack intensity a fraction of its maximum).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._fields import Parameters, param


@dataclass(frozen=True)
class BetaCellParameters(Parameters):
    """Beta-cell mass under an autoimmune attack that grows until it is stopped."""

    beta_regeneration_per_day: float = param(
        1e-4,
        unit="1/day",
        description="maximum net regeneration rate of beta-cell mass (logistic towards 1)",
        assumption="adult human beta cells are long-lived and barely divide; chosen so that ten years of regrowth restores under a tenth of the mass",
    )
    attack_growth_per_day: float = param(
        0.004,
        unit="1/day",
        description="net growth rate of the autoimmune attack (logistic towards 1)",
        assumption="a slowly expanding autoreactive clone (doubling about half a year), so that untreated disease reaches the age-20 threshold in about three years",
    )
    attack_initial: float = param(
        0.01,
        unit="fraction of maximum attack",
        description="attack intensity at time zero (first detectable autoimmunity)",
        assumption="a small attack at the start, one hundredth of its maximum",
        check="fraction",
    )
    beta_killing_per_day: float = param(
        0.004,
        unit="1/day per unit attack",
        description="rate at which a full-strength attack destroys beta-cell mass",
        assumption="at full strength the attack halves beta-cell mass in about half a year",
    )
    diagnosis_threshold_beta: float = param(
        0.6,
        unit="fraction of healthy beta-cell mass",
        description="remaining mass at which clinical diabetes is diagnosed (age 20)",
        source="klinke2008; a 40% loss of beta-cell mass sufficed for onset at age 20",
        check="open_fraction",
    )
    classical_threshold_beta: float = param(
        0.2,
        unit="fraction of healthy beta-cell mass",
        description="remaining mass at diagnosis in the classical view (80% loss, the mild end of 80-95%)",
        source="klinke2008; the commonly stated 80-95% loss at onset, mild end",
        check="open_fraction",
    )


@dataclass(frozen=True)
class CPeptideParameters(Parameters):
    """Fall of stimulated C-peptide after diagnosis of type 1 diabetes (TrialNet composite data)."""

    slope_year1_pmol_per_ml_per_month: float = param(
        -0.0245,
        unit="pmol/mL per month",
        description="mean C-peptide slope during the first 12 months after diagnosis",
        source="greenbaum2012; 95% CI -0.0271 to -0.0215",
        check="finite",
    )
    slope_year2_pmol_per_ml_per_month: float = param(
        -0.0079,
        unit="pmol/mL per month",
        description="mean C-peptide slope from month 12 to month 24",
        source="greenbaum2012; 95% CI -0.0113 to -0.0050",
        check="finite",
    )
    slope_year1_ci_steep_pmol_per_ml_per_month: float = param(
        -0.0271,
        unit="pmol/mL per month",
        description="steep end of the 95% CI of the year-1 slope",
        source="greenbaum2012",
        check="finite",
    )
    slope_year1_ci_shallow_pmol_per_ml_per_month: float = param(
        -0.0215,
        unit="pmol/mL per month",
        description="shallow end of the 95% CI of the year-1 slope",
        source="greenbaum2012",
        check="finite",
    )
    slope_year2_ci_steep_pmol_per_ml_per_month: float = param(
        -0.0113,
        unit="pmol/mL per month",
        description="steep end of the 95% CI of the year-2 slope",
        source="greenbaum2012",
        check="finite",
    )
    slope_year2_ci_shallow_pmol_per_ml_per_month: float = param(
        -0.0050,
        unit="pmol/mL per month",
        description="shallow end of the 95% CI of the year-2 slope",
        source="greenbaum2012",
        check="finite",
    )
