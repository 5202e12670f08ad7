"""Side effects of CAR T therapy: cytokine release syndrome, neurotoxicity and the rest.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number):

* :func:`crs_rates`: cytokine release syndrome (CRS) and neurotoxicity, cancer against
  autoimmune disease; :func:`severe_crs_range` summarises its severe-CRS rows across the
  cited cancer trials;
* :func:`other_adverse_events`: infections, low blood counts, antibody loss,
  organ-specific reactions, secondary T-cell cancers and graft-versus-host disease
  (antibody loss and late infections after CD19 CAR T, Hill 2019, have their home in
  :func:`cart_autoimmunity.evidence.antibody_longevity`);
* :func:`safety_overview`: a few-column summary of both for the safety chapter.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import validation
from . import summaries
from ._table import load
from .immunity import antibody_longevity

ELIANA = "ELIANA (tisa-cel, paediatric B-ALL)"
JULIET = "JULIET (tisa-cel, DLBCL)"
ZUMA1 = "ZUMA-1 (axi-cel, LBCL)"
CIBMTR = "CIBMTR real world (tisa-cel, ALL + NHL)"
MSKCC = "MSKCC 19-28z (adult B-ALL)"
MULLER = "Müller et al. 2024 (SLE, myositis, SSc)"
FENG = "Feng 2025 (SLE, CD19 + BCMA)"
HAGEN = "Hagen 2025 (LICATS, autoimmune)"
WANG2025 = "Wang 2025 allogeneic CD19 (SLE)"
APPROVED = "Approved autologous CAR T products (US)"
HILL = "Hill 2019, adults in CR after CD19 CAR T"

#: The cancer trials whose severe-CRS rates the book cites (the registry is left out).
CANCER_TRIALS = (ELIANA, JULIET, ZUMA1, MSKCC)

#: Quantities that count as severe CRS (grade 3 or higher, or MSKCC "severe").
SEVERE_CRS_QUANTITIES = ("crs_grade_3_plus", "crs_severe")

#: The CRS grading scale of each cancer trial, as far as the sources say.
CRS_GRADING = {
    ELIANA: "Penn scale (secondary)",
    JULIET: "Penn scale (read for a subset paper; implied for the main paper)",
    ZUMA1: "scale not confirmed in the sources read",
    MSKCC: "MSKCC severity criteria",
    CIBMTR: "mixed scales in routine care",
}


def crs_rates() -> pd.DataFrame:
    """Cytokine release syndrome and neurotoxicity: cancer trials against autoimmune
    series.

    Fractions of treated patients. Grading scales differ between trials (Penn, Lee,
    ASTCT, MSKCC; see :data:`CRS_GRADING`), so cross-trial comparisons are approximate.
    The grade 3 or higher CRS rates of ELIANA and JULIET were seen only in secondary
    sources.
    """
    return load("crs_rates")


def crs_rates_with_intervals(confidence: float = 0.95) -> pd.DataFrame:
    """:func:`crs_rates` with the exact binomial interval of each count."""
    return summaries.with_binomial_intervals(crs_rates(), confidence)


def severe_crs_range(rates: pd.DataFrame | None = None, cohorts=CANCER_TRIALS) -> dict:
    """The lowest and highest severe-CRS share among ``cohorts`` (default: the cancer
    trials).

    ``rates`` defaults to :func:`crs_rates`. Severe means one of
    :data:`SEVERE_CRS_QUANTITIES`. Returns a dict with ``low`` and ``high`` (fractions)
    and, for each end, its ``cohort``, ``source``, ``status`` and ``grading``
    (``low_cohort``, ``high_source``, ...), plus ``trials`` (how many cohorts had a
    row). Raises ``ValueError`` if ``rates`` lacks the needed columns or no cohort has a
    row.
    """
    rates = crs_rates() if rates is None else rates
    validation.require_columns(
        "rates", rates, ["quantity", "value", "cohort", "source", "status"]
    )
    cohorts = tuple(validation.require_names("cohorts", cohorts))
    if not cohorts:
        raise ValueError("cohorts must name at least one cohort")
    severe = rates[
        rates["quantity"].isin(SEVERE_CRS_QUANTITIES) & rates["cohort"].isin(cohorts)
    ]
    if severe.empty:
        raise ValueError(f"no severe-CRS rows for cohorts {list(cohorts)}")
    ordered = severe.sort_values("value", kind="stable")
    result = {"trials": int(ordered["cohort"].nunique())}
    for end, record in (("low", ordered.iloc[0]), ("high", ordered.iloc[-1])):
        result[end] = float(record["value"])
        result[f"{end}_cohort"] = record["cohort"]
        result[f"{end}_source"] = record["source"]
        result[f"{end}_status"] = record["status"]
        result[f"{end}_grading"] = CRS_GRADING.get(record["cohort"], "not stated")
    return result


def other_adverse_events() -> pd.DataFrame:
    """Side effects other than CRS and ICANS, in autoimmune series and cancer
    comparators.

    Infections, prolonged low blood counts (cytopenias), organ-specific reactions (local immune effector cell-associated toxicity syndrome, LICATS),
    secondary T-cell cancers and graft-versus-host disease. The toxicity of the
    fludarabine and cyclophosphamide lymphodepletion is not reported separately in any
    source read, so it has no row. Feng 2025 used a CD19 + BCMA product, not CD19 alone.
    Antibody loss and viral infections after day 90 (Hill 2019) are in
    :func:`cart_autoimmunity.evidence.antibody_longevity`, their one home.
    """
    return load("other_adverse_events")


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _count(value: float, n: float) -> str:
    return f"{round(value * n)} of {int(n)}"


def safety_overview(
    crs: pd.DataFrame | None = None,
    other: pd.DataFrame | None = None,
    longevity: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per kind of side effect: ``event, autoimmune, cancer, sources`` (text
    cells).

    Built from :func:`crs_rates`, :func:`other_adverse_events` and
    :func:`cart_autoimmunity.evidence.antibody_longevity` (or the tables given);
    "not reported" where no source read gives a number. ``sources`` holds
    comma-separated citation keys for the chapter's citation formatter.
    """
    crs = crs_rates() if crs is None else crs
    other = other_adverse_events() if other is None else other
    longevity = antibody_longevity() if longevity is None else longevity
    for name, frame in (("crs", crs), ("other", other), ("longevity", longevity)):
        validation.require_columns(
            name, frame, ["quantity", "value", "cohort", "n", "source"]
        )

    def get(frame, quantity, cohort, field="value"):
        hits = frame[(frame["quantity"] == quantity) & (frame["cohort"] == cohort)]
        if len(hits) != 1:
            raise ValueError(
                f"expected one {quantity!r} row for {cohort!r}, found {len(hits)}"
            )
        return hits.iloc[0][field]

    def share(frame, quantity, cohort):
        value, n = get(frame, quantity, cohort), get(frame, quantity, cohort, "n")
        return _count(value, n) if not math.isnan(n) else _pct(value)

    span = severe_crs_range(crs)
    rows = [
        (
            "Severe CRS (grade 3 or higher)",
            f"{share(crs, 'crs_grade_3_plus', MULLER)} (Erlangen)",
            f"{_pct(span['low'])} to {_pct(span['high'])}, on differing scales",
            "muller2024,"
            + ",".join(dict.fromkeys((span["low_source"], span["high_source"]))),
        ),
        (
            "Severe neurotoxicity (ICANS)",
            f"{share(crs, 'neurotoxicity_grade_3_plus', MULLER)} (Erlangen)",
            f"{_pct(get(crs, 'neurotoxicity_grade_3_plus', JULIET))} to "
            f"{_pct(get(crs, 'neurotoxicity_grade_3_plus', ZUMA1))}",
            "muller2024,schuster2019,neelapu2017",
        ),
        (
            "Infections",
            f"{share(other, 'infection_hospitalisation', MULLER)} in hospital with "
            f"pneumonia",
            f"{_pct(get(other, 'infections_grade_3_plus', JULIET))} grade 3 or 4; "
            f"{get(longevity, 'viral_infections_after_day_90', HILL):.2f} "
            f"viral per person-year after day 90",
            "muller2024,schuster2019,hill2019",
        ),
        (
            "Low blood counts",
            f"severe neutropenia in {share(other, 'neutropenia_grade_3_plus', FENG)} "
            "(CD19 + BCMA cells), all reversible",
            f"{_pct(get(other, 'cytopenia_beyond_day_28', JULIET))} beyond day 28",
            "feng2025,schuster2019",
        ),
        (
            "Low antibody levels",
            "not reported",
            f"total IgG {_pct(-get(longevity, 'total_igg_change_after_cd19_car_t', HILL))} "
            f"lower on average",
            "hill2019",
        ),
        (
            "Chemotherapy before infusion",
            "not reported separately",
            "not reported separately",
            "mackensen2022",
        ),
        (
            "Organ-specific reactions",
            f"{share(other, 'licats_any', HAGEN)}, mostly mild, all resolved",
            "not reported",
            "hagen2025",
        ),
        (
            "T-cell cancers",
            "not reported",
            f"{get(other, 't_cell_cancer_cases_reported', APPROVED):.0f} cases in "
            f"over {get(other, 'doses_given_min', APPROVED):,.0f} doses",
            "verdun2024,fda2024boxed",
        ),
        (
            "Graft-versus-host disease (donor cells)",
            f"{share(other, 'gvhd_any_grade', WANG2025)}",
            "not applicable (own cells)",
            "wang2025",
        ),
    ]
    return pd.DataFrame(rows, columns=["event", "autoimmune", "cancer", "sources"])
