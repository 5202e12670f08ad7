"""Who the next CAR T products would be for, and the first reports of donor cells.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).

In vivo CAR T (cells made inside the body) in autoimmune disease has no row: the first
human reports in lupus were announced in 2025, but their journal record (authors, DOI) could
not be checked, so no number from them is used.
"""

from __future__ import annotations

import pandas as pd

from ._table import load

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
    return load("donor_cell_reports")


def refractory_lupus() -> pd.DataFrame:
    """Two partial anchors for sizing the CAR T candidates: lupus prevalence and its severe
    refractory share. No source sizes the candidates directly (see the population parameters).
    """
    return load("refractory_lupus")
