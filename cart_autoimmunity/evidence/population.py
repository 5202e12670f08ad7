"""How common autoimmune disease is, and how few patients have the refractory disease
that CAR T cells are tried in.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from ._table import row, table

_CONRAD_ABSTRACT = "Lancet abstract (copies on czeek.com, journalfilter.com)"


def prevalence() -> pd.DataFrame:
    """How common autoimmune disease is, and the cited pieces of the CAR T candidate
    group.

    Conrad et al. (Lancet 2023), UK CPRD cohort: cohort size, new diagnoses, the share
    of women among the diagnosed and age at diagnosis are from the abstract. The overall
    prevalence (10.2%) sits after the point where the stored abstract copies were cut
    off; it comes from named secondary reports and is marked ``secondary``. The
    sex-specific prevalences and the incidence-rate ratio reported in news items could
    not be checked against the paper and are left out. Conrad reports how common the
    diseases are, not how they are treated.

    No study sizes the group of CAR T candidates (refractory, B-cell-driven disease).
    Two cited pieces for lupus are kept instead: UK SLE prevalence in 2012 (Rees et al.
    2016) and the share of SLE patients with severe refractory disease under a pilot
    definition in a 13-country Asia-Pacific cohort (Kandane-Rathnayake et al. 2025).
    Their product mixes two populations and is not a published number.
    """
    src = "conrad2023"
    setting = "population"
    cohort = "UK CPRD, 2000-2019"
    abstract = _CONRAD_ABSTRACT
    rees = "UK CPRD, SLE, 2012"
    apac = "Asia-Pacific lupus cohort, 2013-2020"
    rows = [
        row(
            "individuals_in_cohort",
            22_009_375,
            "people",
            cohort,
            setting,
            src,
            abstract,
        ),
        row(
            "new_diagnoses",
            978_872,
            "people",
            cohort,
            setting,
            src,
            abstract + "; at least one of the diseases studied, Jan 2000 to Jun 2019",
        ),
        row("diseases_studied", 19, "diseases", cohort, setting, src, abstract),
        row(
            "female_fraction_of_diagnosed",
            0.639,
            "fraction",
            cohort,
            setting,
            src,
            abstract + ": 625,879 of 978,872 diagnosed were female",
        ),
        row(
            "mean_age_at_diagnosis",
            54.0,
            "years",
            cohort,
            setting,
            src,
            abstract + "; SD 21.4 years",
            low=54.0 - 21.4,
            high=54.0 + 21.4,
        ),
        row(
            "population_fraction_affected",
            0.102,
            "fraction",
            cohort,
            setting,
            src,
            "Secondary: Rheumatology Advisor report of the EULAR 2023 presentation and "
            "debuglies.com summary of the abstract ('10.2% of the population'); "
            "cohort-level prevalence of the 19 diseases",
            status="secondary",
        ),
        row(
            "sle_prevalence_per_100000",
            97.04,
            "per 100,000 people",
            rees,
            setting,
            "rees2016",
            "Ann Rheum Dis abstract: prevalence 97.04 per 100,000 in 2012 "
            "(95% CI 94.18-99.90), primary definition of SLE",
            low=94.18,
            high=99.90,
        ),
        row(
            "severe_refractory_sle_fraction",
            0.14,
            "fraction of SLE patients",
            apac,
            "autoimmune",
            "kandanerathnayake2025",
            "Arthritis Res Ther abstract: 'Of 3,744 patients studied, 578 (14%) had "
            "srSLE' under a pilot definition (SLEDAI-2K >= 10 despite glucocorticoids "
            "and an immunosuppressant at two consecutive visits); 578/3,744 is 15.4%, "
            "so the reported 14% is kept and its denominator is not stated",
            n=3744,
        ),
    ]
    return table(rows)
