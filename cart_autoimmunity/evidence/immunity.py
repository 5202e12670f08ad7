"""Memory and tolerance: plasma cells, antibody half-lives, self-reactive B cells.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from ._table import fraction, row, table


def antibody_longevity() -> pd.DataFrame:
    """Why CD19 CAR T spares old immunity: long-lived plasma cells, antibody half-lives.

    The IgG half-lives are background statements (an introduction, a review table), so
    they are marked secondary.
    """
    am = "Amanna 2007, 45 subjects followed up to 26 years"
    hill = "Hill 2019, adults in CR after CD19 CAR T"
    hill_abs = "Blood Adv abstract"
    bhoj = "Bhoj 2016, CTL019 recipients with B-cell aplasia"
    igg = "IgG in blood, human"
    cii = (
        "Secondary: review table (Cancer Immunol Immunother 2024;73:242, Table 1, "
        "PMC11448508), 'Biological half-life (days)'"
    )
    rows = [
        row(
            "antibody_half_life_varicella_zoster",
            50,
            "years",
            am,
            "biology",
            "amanna2007",
            "NEJM abstract: estimated half-life about 50 years",
            n=45,
        ),
        row(
            "antibody_half_life_measles_min",
            200,
            "years",
            am,
            "biology",
            "amanna2007",
            "NEJM abstract: 'more than 200 years' for measles and mumps "
            "(a lower bound)",
            n=45,
        ),
        row(
            "antibody_half_life_tetanus",
            11,
            "years",
            am,
            "biology",
            "amanna2007",
            "NEJM abstract: 11 years",
            n=45,
        ),
        row(
            "antibody_half_life_diphtheria",
            19,
            "years",
            am,
            "biology",
            "amanna2007",
            "NEJM abstract: 19 years",
            n=45,
        ),
        row(
            "total_igg_change_after_cd19_car_t",
            -0.175,
            "fraction",
            hill,
            "lymphoma",
            "hill2019",
            hill_abs + ": mean change in total IgG -17.5%",
            n=39,
        ),
        row(
            "measles_igg_change_after_cd19_car_t",
            0.012,
            "fraction",
            hill,
            "lymphoma",
            "hill2019",
            hill_abs + ": mean change in measles IgG +1.2%",
            n=39,
        ),
        row(
            "viral_infections_after_day_90",
            0.91,
            "per person-year",
            hill,
            "lymphoma",
            "hill2019",
            hill_abs
            + ": viral infections beyond day 90 were low (0.91 infections per person-year)",
            n=39,
        ),
        row(
            "plasma_cell_persistence_min",
            25,
            "months",
            bhoj,
            "leukaemia",
            "bhoj2016",
            "Blood abstract (PMID 27166358): 'revealed 8 patients with persistence of "
            "antibody-secreting PCs at least 25 months post-CTL019 infusion despite "
            "absence of CD19+CD20+ B cells' (a lower bound)",
            n=8,
        ),
        row(
            "secreted_ig_half_life_max",
            21,
            "days",
            igg,
            "biology",
            "mei2009",
            "Secondary: a background statement in the introduction of Mei 2009 "
            "(Blood), not its own measurement: 'the half-life of the secreted "
            "immunoglobulin (Ig) is limited to a maximum of 2 to 3 weeks'; value is "
            "the upper end, low/high the 2-3 weeks",
            low=14,
            high=21,
            status="secondary",
        ),
        row(
            "igg1_igg2_igg4_half_life",
            22.5,
            "days",
            igg,
            "biology",
            "cii2024iggtable",
            cii + ": 21-24 for IgG1, IgG2 and IgG4; value is the midpoint",
            low=21,
            high=24,
            status="secondary",
        ),
        row(
            "igg3_half_life",
            7.5,
            "days",
            igg,
            "biology",
            "cii2024iggtable",
            cii + ": 7-8 for IgG3; value is the midpoint",
            low=7,
            high=8,
            status="secondary",
        ),
    ]
    return table(rows)


def tolerance_checkpoints() -> pd.DataFrame:
    """How many developing B cells are self-reactive, and evidence of 'rogue' clones.

    Where only a range is published, ``value`` is its midpoint (stated in the note).
    """
    healthy = "Healthy controls, mature naive B cells"
    alps = "ALPS (FAS mutations)"
    rows = [
        row(
            "self_reactive_early_immature_b_cells",
            0.65,
            "fraction",
            "Healthy donors, early immature B cells",
            "biology",
            "wardemann2003",
            "Science abstract: 'A majority (55 to 75%)'; value is the midpoint",
            low=0.55,
            high=0.75,
        ),
        row(
            "self_reactive_mature_naive_b_cells",
            0.125,
            "fraction",
            healthy,
            "biology",
            "yurasov2005",
            "J Exp Med abstract: 5-20% in controls; value is the midpoint",
            low=0.05,
            high=0.20,
        ),
        row(
            "self_reactive_mature_naive_b_cells",
            0.375,
            "fraction",
            "SLE (3 adolescent patients), mature naive B cells",
            "autoimmune",
            "yurasov2005",
            "J Exp Med abstract: 25-50% in SLE; value is the midpoint",
            low=0.25,
            high=0.50,
            n=3,
        ),
        row(
            "patients_with_somatic_mutations_in_cd8_clones",
            fraction(5, 25),
            "fraction",
            "Newly diagnosed RA",
            "autoimmune",
            "savola2017",
            "Nat Commun abstract: 20% (5/25) of patients; only one mutation in 20 "
            "healthy controls",
            n=25,
        ),
        row(
            "lymphoid_mutation_rate",
            1e-6,
            "per cell division",
            "Lymphoid precursors (background estimate)",
            "biology",
            "savola2017",
            "Nat Commun introduction: mutation rate 'estimated to be 10^-6 per cell "
            "division'; a background estimate that Savola cites (their refs 1-2), not "
            "their own measurement; the sentence does not say per gene or per base",
        ),
        row(
            "fas_mutation_children_first_report",
            3,
            "patients",
            alps,
            "autoimmune",
            "rieuxlaucat1995",
            "Science abstract: three children (two siblings) with a "
            "lymphoproliferative syndrome",
            n=3,
        ),
        row(
            "fas_mutation_children_dominant_negative",
            4,
            "patients",
            alps,
            "autoimmune",
            "fisher1995",
            "Cell abstract (PubMed, PMID 7540117): five unrelated children, each with "
            "a unique Fas mutation; four dominant negative, one simple loss of "
            "function",
            n=5,
        ),
    ]
    return table(rows)
