"""How common autoimmune disease is, and how few patients have the refractory disease
that CAR T cells are tried in.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from ._table import load


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
    return load("prevalence")
