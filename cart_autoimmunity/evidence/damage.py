"""Damage that removing the immune attack cannot undo.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from ._table import row, table


def organ_damage() -> pd.DataFrame:
    """Damage that removing the immune attack cannot undo: beta cells and axons."""
    rows = [
        row(
            "beta_cell_loss_at_onset_textbook",
            0.875,
            "fraction",
            "T1D, histopathology (common statement)",
            "biology",
            "klinke2008",
            "PLoS ONE abstract: commonly stated 80-95% reduction at onset; value is the midpoint",
            low=0.80,
            high=0.95,
        ),
        row(
            "beta_cell_loss_at_onset_age_20",
            0.40,
            "fraction",
            "T1D, meta-analysis of 105 autopsy cases under age 20",
            "biology",
            "klinke2008",
            "PLoS ONE abstract: on average a 40% reduction sufficed at 20 years of age; cohort aged under 20 years, not measured in adults (any use for older patients is an extrapolation)",
            n=105,
        ),
        row(
            "c_peptide_slope_year_1",
            -0.0245,
            "pmol/mL per month",
            "TrialNet composite controls",
            "autoimmune",
            "greenbaum2012",
            "Diabetes abstract: 95% CI -0.0271 to -0.0215",
            low=-0.0271,
            high=-0.0215,
        ),
        row(
            "c_peptide_slope_year_2",
            -0.0079,
            "pmol/mL per month",
            "TrialNet composite controls",
            "autoimmune",
            "greenbaum2012",
            "Diabetes abstract: 95% CI -0.0113 to -0.0050",
            low=-0.0113,
            high=-0.0050,
        ),
        row(
            "detectable_c_peptide_at_2_years",
            0.93,
            "fraction",
            "TrialNet composite controls",
            "autoimmune",
            "greenbaum2012",
            "Diabetes abstract: 93% have detectable C-peptide 2 years from diagnosis",
        ),
        row(
            "transected_axons_active_lesions",
            11236,
            "per mm^3",
            "MS autopsy, 11 patients",
            "autoimmune",
            "trapp1998",
            "NEJM abstract: averaged 11,236 per mm^3 in active lesions",
            n=11,
        ),
        row(
            "transected_axons_chronic_lesion_edge",
            3138,
            "per mm^3",
            "MS autopsy, 11 patients",
            "autoimmune",
            "trapp1998",
            "NEJM abstract: 3,138 at hypocellular edges of chronic active lesions",
            n=11,
        ),
        row(
            "transected_axons_chronic_lesion_centre",
            875,
            "per mm^3",
            "MS autopsy, 11 patients",
            "autoimmune",
            "trapp1998",
            "NEJM abstract: 875 in hypocellular centres of chronic active lesions",
            n=11,
        ),
        row(
            "time_to_t1d_diagnosis_teplizumab",
            48.4,
            "months",
            "TrialNet at-risk relatives, teplizumab",
            "autoimmune",
            "herold2019",
            "NEJM abstract: median time to diagnosis 48.4 months (44 participants)",
            n=44,
        ),
        row(
            "time_to_t1d_diagnosis_placebo",
            24.4,
            "months",
            "TrialNet at-risk relatives, placebo",
            "autoimmune",
            "herold2019",
            "NEJM abstract: median time to diagnosis 24.4 months (32 participants)",
            n=32,
        ),
    ]
    return table(rows)
