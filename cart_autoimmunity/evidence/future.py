"""Who the next CAR T products would be for, and the first reports of donor cells.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).

In vivo CAR T (cells made inside the body) in autoimmune disease has no row: the first
human reports in lupus were announced in 2025, but their journal record (authors, DOI) could
not be checked, so no number from them is used.
"""

from __future__ import annotations

import pandas as pd

from ._table import fraction, row, table

#: Cohort names as readers know them.
WANG_2024 = "Wang et al. 2024, donor CD19 CAR T (myositis, systemic sclerosis)"
WANG_2025 = "Wang et al. 2025, donor CD19 CAR T (lupus)"
FENG_2025 = "Feng et al. 2025, own CD19 + BCMA CAR T (lupus)"


def donor_cell_reports() -> pd.DataFrame:
    """Reports of donor (allogeneic) CD19 CAR T cells in autoimmune disease, with the largest
    checked lupus series of the patient's own cells as a yardstick.

    Wang 2024 and Wang 2025 come from the same trial (NCT05859997) of healthy-donor,
    CRISPR-edited CD19 CAR T cells. Feng 2025 used the patients' own cells (CD19 and BCMA
    CAR T co-infused after lymphodepletion).
    """
    rows = [
        row(
            "patients",
            3,
            "patients",
            WANG_2024,
            "allogeneic",
            "wang2024",
            "Cell abstract: one patient with immune-mediated necrotising myopathy and two with diffuse cutaneous systemic sclerosis",
            n=3,
        ),
        row(
            "follow_up",
            6,
            "months",
            WANG_2024,
            "allogeneic",
            "wang2024",
            "Cell abstract: follow-up of six months",
            n=3,
        ),
        row(
            "crs_any_grade",
            fraction(0, 3),
            "fraction",
            WANG_2024,
            "allogeneic",
            "wang2024",
            "Cell abstract: no cytokine release syndrome or other serious adverse events",
            n=3,
        ),
        row(
            "patients",
            3,
            "patients",
            WANG_2025,
            "allogeneic",
            "wang2025",
            "Med abstract (PMID 40446794): three patients with refractory systemic lupus erythematosus, enrolled August to October 2023",
            n=3,
        ),
        row(
            "dose",
            1e6,
            "cells per kg",
            WANG_2025,
            "allogeneic",
            "wang2025",
            "Med abstract: 1 x 10^6 CAR T cells per kg",
            n=3,
        ),
        row(
            "follow_up",
            12,
            "months",
            WANG_2025,
            "allogeneic",
            "wang2025",
            "Med abstract: 12 months of follow-up",
            n=3,
        ),
        row(
            "car_t_peak_day",
            14,
            "days",
            WANG_2025,
            "allogeneic",
            "wang2025",
            "Med abstract: CAR-positive T cells peaked on day 14",
            n=3,
        ),
        row(
            "crs_any_grade",
            fraction(0, 3),
            "fraction",
            WANG_2025,
            "allogeneic",
            "wang2025",
            "Med abstract: no cytokine release syndrome and no severe adverse events",
            n=3,
        ),
        row(
            "icans_any_grade",
            fraction(0, 3),
            "fraction",
            WANG_2025,
            "allogeneic",
            "wang2025",
            "Med abstract: no immune effector cell-associated neurotoxicity syndrome",
            n=3,
        ),
        row(
            "gvhd_any_grade",
            fraction(0, 3),
            "fraction",
            WANG_2025,
            "allogeneic",
            "wang2025",
            "Med abstract: 'No patient underwent GvHD'",
            n=3,
        ),
        row(
            "withdrawals",
            1,
            "patients",
            WANG_2025,
            "allogeneic",
            "wang2025",
            "Med abstract: patient 1 withdrew at month 1 with severe, unresolved thrombocytopenia and was given an immunosuppressant",
            n=3,
        ),
        row(
            "patients",
            15,
            "patients",
            FENG_2025,
            "autoimmune",
            "feng2025",
            "Nat Med abstract (PMID 40993243): 15 patients with refractory lupus (14 women, 1 man)",
            n=15,
        ),
        row(
            "follow_up_median",
            712,
            "days",
            FENG_2025,
            "autoimmune",
            "feng2025",
            "Nat Med abstract: median follow-up 712 days (range 613 to 1,134)",
            low=613,
            high=1134,
            n=15,
        ),
        row(
            "lldas_and_doris_week_12",
            fraction(12, 15),
            "fraction",
            FENG_2025,
            "autoimmune",
            "feng2025",
            "Nat Med abstract: 12 of 15 (80%) reached both low disease activity (LLDAS) and remission (DORIS) at week 12",
            n=15,
        ),
        row(
            "crs_any_grade",
            fraction(13, 15),
            "fraction",
            FENG_2025,
            "autoimmune",
            "feng2025",
            "Nat Med abstract: grade 1 cytokine release syndrome in 13 of 15 (86.7%), none higher",
            n=15,
        ),
        row(
            "icans_any_grade",
            fraction(0, 15),
            "fraction",
            FENG_2025,
            "autoimmune",
            "feng2025",
            "Nat Med abstract: no neurotoxicity",
            n=15,
        ),
    ]
    return table(rows)


def refractory_lupus() -> pd.DataFrame:
    """Two partial anchors for sizing the CAR T candidates: lupus prevalence and its severe
    refractory share. No source sizes the candidates directly (see the population parameters).
    """
    rows = [
        row(
            "sle_prevalence",
            97.04e-5,
            "fraction of population",
            "UK, CPRD, 2012",
            "population",
            "rees2016",
            "Ann Rheum Dis abstract: prevalence 97.04 per 100,000 in 2012 (95% CI 94.18 to 99.90)",
            low=94.18e-5,
            high=99.90e-5,
        ),
        row(
            "severe_refractory_share",
            0.14,
            "fraction of lupus patients",
            "13-country Asia-Pacific lupus cohort, 2013-2020",
            "autoimmune",
            "kandanerathnayake2025",
            "Arthritis Res Ther abstract: a pilot definition of severe refractory lupus (SLEDAI-2K of 10 or more despite glucocorticoids and an immunosuppressant at two consecutive visits) was met by 14%, as the verification notes give it; their counts, 578 of 3,744, would be 15%, so one transcribed number may differ from the paper",
        ),
    ]
    return table(rows)
