"""Side effects of CAR T therapy: cytokine release syndrome, neurotoxicity and the rest.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number):

* :func:`crs_rates`: cytokine release syndrome (CRS) and neurotoxicity, cancer against
  autoimmune disease; :func:`severe_crs_range` summarises its severe-CRS rows across the
  cited cancer trials;
* :func:`other_adverse_events`: infections, low blood counts, antibody loss,
  organ-specific reactions, secondary T-cell cancers and graft-versus-host disease;
* :func:`safety_overview`: a few-column summary of both for the safety chapter.
"""

from __future__ import annotations

import math

import pandas as pd

from .. import validation
from . import summaries
from ._table import fraction, row, table

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

_ELIANA_ABSTRACT = (
    "Verbatim NEJM abstract (PMID 29385370, PMC5996391; copy in a public code fixture)"
)
_JULIET_SUMMARY = (
    "Secondary: study.space summary of the NEJM abstract and eviQ (Cancer Institute "
    "NSW); "
    "the NEJM abstract itself was not seen"
)


def crs_rates() -> pd.DataFrame:
    """Cytokine release syndrome and neurotoxicity: cancer trials against autoimmune
    series.

    Fractions of treated patients. Grading scales differ between trials (Penn, Lee,
    ASTCT, MSKCC; see :data:`CRS_GRADING`), so cross-trial comparisons are approximate.
    The grade 3 or higher CRS rates of ELIANA and JULIET were seen only in secondary
    sources.
    """
    rows = [
        row(
            "crs_any_grade",
            0.77,
            "fraction",
            ELIANA,
            "leukaemia",
            "maude2018",
            _ELIANA_ABSTRACT
            + ": CRS in 77%; 48% of those with CRS received tocilizumab",
            n=75,
        ),
        row(
            "crs_grade_3_plus",
            0.46,
            "fraction",
            ELIANA,
            "leukaemia",
            "maude2018",
            "Secondary: another project's verification notes, 'Grade 3/4 CRS 46%, "
            "Penn grading scale'; not in the abstract, and the full text (PMC5996391) "
            "was not read",
            n=75,
            status="secondary",
        ),
        row(
            "neurotoxicity_any_grade",
            0.40,
            "fraction",
            ELIANA,
            "leukaemia",
            "maude2018",
            _ELIANA_ABSTRACT + ": neurologic events in 40%, no cerebral oedema",
            n=75,
        ),
        row(
            "crs_grade_3_plus",
            0.13,
            "fraction",
            ZUMA1,
            "lymphoma",
            "neelapu2017",
            "Secondary: abstract sentence 'Grade 3 or higher cytokine release "
            "syndrome and neurologic events occurred in 13% and 28%' quoted in public "
            "verification notes (PMID 29226797); 13% grade 3-4 CRS also in the ZUMA-1 "
            "column of a Ther Adv Hematol 2019 review table (PMC6466472)",
            n=101,
            status="secondary",
        ),
        row(
            "neurotoxicity_grade_3_plus",
            0.28,
            "fraction",
            ZUMA1,
            "lymphoma",
            "neelapu2017",
            "Secondary: same abstract sentence as crs_grade_3_plus, quoted in public "
            "verification notes (PMID 29226797)",
            n=101,
            status="secondary",
        ),
        row(
            "crs_any_grade",
            0.58,
            "fraction",
            JULIET,
            "lymphoma",
            "schuster2019",
            "Secondary: eviQ (Cancer Institute NSW) protocol summary of the NEJM "
            "paper and Advanced Practitioner highlight",
            status="secondary",
        ),
        row(
            "crs_grade_3_plus",
            0.22,
            "fraction",
            JULIET,
            "lymphoma",
            "schuster2019",
            _JULIET_SUMMARY
            + "; grade 3 or 4 CRS in 22% of the 93 infused (Penn scale)",
            n=93,
            status="secondary",
        ),
        row(
            "neurotoxicity_any_grade",
            0.21,
            "fraction",
            JULIET,
            "lymphoma",
            "schuster2019",
            "Secondary: eviQ summary, neurologic events within 8 weeks",
            status="secondary",
        ),
        row(
            "neurotoxicity_grade_3_plus",
            0.12,
            "fraction",
            JULIET,
            "lymphoma",
            "schuster2019",
            "Secondary: eviQ summary, grade 3 or 4 neurologic events",
            status="secondary",
        ),
        row(
            "crs_grade_3_plus",
            0.116,
            "fraction",
            CIBMTR,
            "leukaemia",
            "pasquini2020",
            "Blood Adv abstract: grade >=3 CRS in 11.6% of all patients",
            n=410,
        ),
        row(
            "neurotoxicity_grade_3_plus",
            0.075,
            "fraction",
            CIBMTR,
            "leukaemia",
            "pasquini2020",
            "Blood Adv abstract: grade >=3 neurotoxicity in 7.5%",
            n=410,
        ),
        row(
            "crs_severe",
            fraction(14, 53),
            "fraction",
            MSKCC,
            "leukaemia",
            "park2018",
            "NEJM abstract (author manuscript): severe CRS in 14 of 53 (26%, 95% CI "
            "15-40); MSKCC severity criteria",
            low=0.15,
            high=0.40,
            n=53,
        ),
        row(
            "crs_any_grade",
            fraction(11, 15),
            "fraction",
            MULLER,
            "autoimmune",
            "muller2024",
            "Secondary: Nexus News Group highlight of the abstract: 10 grade 1 + 1 "
            "grade 2",
            n=15,
            status="secondary",
        ),
        row(
            "crs_grade_3_plus",
            0.0,
            "fraction",
            MULLER,
            "autoimmune",
            "muller2024",
            "Secondary: Nexus News Group highlight lists only grade 1 (10) and grade "
            "2 (1) CRS",
            n=15,
            status="secondary",
        ),
        row(
            "neurotoxicity_any_grade",
            fraction(1, 15),
            "fraction",
            MULLER,
            "autoimmune",
            "muller2024",
            "Secondary: Nexus News Group highlight: 1 grade 1 ICANS",
            n=15,
            status="secondary",
        ),
        row(
            "neurotoxicity_grade_3_plus",
            0.0,
            "fraction",
            MULLER,
            "autoimmune",
            "muller2024",
            "Secondary: Nexus News Group highlight lists a single grade 1 ICANS",
            n=15,
            status="secondary",
        ),
        row(
            "crs_any_grade",
            0.0,
            "fraction",
            "Wang et al. 2024, donor CD19 (myositis, SSc)",
            "allogeneic",
            "wang2024",
            "Cell abstract: deep remission 'without cytokine release syndrome or "
            "other serious adverse events' over 6 months",
            n=3,
        ),
    ]
    return table(rows)


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
    cohorts = tuple(cohorts)
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

    Infections, prolonged low blood counts (cytopenias), antibody loss, organ-specific
    reactions (local immune effector cell-associated toxicity syndrome, LICATS),
    secondary T-cell cancers and graft-versus-host disease. The toxicity of the
    fludarabine and cyclophosphamide lymphodepletion is not reported separately in any
    source read, so it has no row. Feng 2025 used a CD19 + BCMA product, not CD19 alone.
    """
    fda = "FDA page of 18 April 2024 (read on fda.gov)"
    verdun = (
        "Secondary: another project's verification notes quoting Verdun & Marks 2024 "
        "(NEJM text not seen); the 22 cases also in a news report "
        "(futurehealthstocks.com)"
    )
    hagen = (
        "Lancet Rheumatol abstract (copy on s4me.info) with summaries on epocrates "
        "and medugate"
    )
    feng = "Nat Med abstract (PubMed mirror, PMID 40993243)"
    rows = [
        # Infections
        row(
            "infection_hospitalisation",
            fraction(1, 15),
            "fraction",
            MULLER,
            "autoimmune",
            "muller2024",
            "Secondary: Nexus News Group highlight of the abstract: one "
            "hospitalisation for pneumonia; the abstract copy stops before its "
            "infection numbers",
            n=15,
            status="secondary",
        ),
        row(
            "infections_grade_3_plus",
            0.20,
            "fraction",
            JULIET,
            "lymphoma",
            "schuster2019",
            _JULIET_SUMMARY + ": grade 3 or 4 infections in 20%",
            n=93,
            status="secondary",
        ),
        row(
            "viral_infections_after_day_90",
            0.91,
            "per person-year",
            "Hill 2019, adults in CR after CD19 CAR T",
            "lymphoma",
            "hill2019",
            "Blood Adv abstract: viral infections more than 90 days after infusion, "
            "0.91 per person-year, despite B-cell aplasia in all",
            n=39,
        ),
        # Low blood counts
        row(
            "neutropenia_grade_3_plus",
            fraction(15, 15),
            "fraction",
            FENG,
            "autoimmune",
            "feng2025",
            feng + ": grade >=3 neutropenia in 100%, all reversible",
            n=15,
        ),
        row(
            "thrombocytopenia_grade_3_plus",
            fraction(6, 15),
            "fraction",
            FENG,
            "autoimmune",
            "feng2025",
            feng + ": grade >=3 thrombocytopenia in 40%, all reversible",
            n=15,
        ),
        row(
            "withdrawn_for_thrombocytopenia",
            fraction(1, 3),
            "fraction",
            WANG2025,
            "allogeneic",
            "wang2025",
            "Med abstract (oncotriage.ru copy): patient 1 withdrew at month 1 with "
            "severe thrombocytopenia and received an immunosuppressant",
            n=3,
        ),
        row(
            "cytopenia_beyond_day_28",
            0.32,
            "fraction",
            JULIET,
            "lymphoma",
            "schuster2019",
            _JULIET_SUMMARY
            + ": cytopenias lasting more than 28 days in 32% (grade 3 or 4)",
            n=93,
            status="secondary",
        ),
        # Antibody loss
        row(
            "total_igg_change_after_cd19_car_t",
            -0.175,
            "fraction",
            "Hill 2019, adults in CR after CD19 CAR T",
            "lymphoma",
            "hill2019",
            "Blood Adv abstract: mean change in total IgG -17.5%",
            n=39,
        ),
        # Organ-specific reactions
        row(
            "licats_any",
            fraction(30, 39),
            "fraction",
            HAGEN,
            "autoimmune",
            "hagen2025",
            hagen + ": 54 events in 30 of 39 patients; median onset day 10, "
            "median duration 11 days; all resolved",
            n=39,
        ),
        row(
            "licats_grade_3",
            fraction(3, 39),
            "fraction",
            HAGEN,
            "autoimmune",
            "hagen2025",
            hagen + ": 3 patients with grade 3 events (hospitalisation); "
            "grade 1 in 65% and grade 2 in 30% of events",
            n=39,
        ),
        # Secondary T-cell cancers
        row(
            "t_cell_cancer_cases_reported",
            22,
            "patients",
            APPROVED,
            "leukaemia",
            "verdun2024",
            verdun
            + "; reported to FDA by 31 Dec 2023, all approved products, blood cancers",
            status="secondary",
        ),
        row(
            "doses_given_min",
            27_000,
            "doses",
            APPROVED,
            "leukaemia",
            "verdun2024",
            verdun + "; 'more than 27,000 doses' given in the US (a lower bound)",
            status="secondary",
        ),
        row(
            "boxed_warning_products",
            6,
            "products",
            APPROVED,
            "leukaemia",
            "fda2024boxed",
            fda + ": boxed warning for T-cell malignancies on all six approved "
            "BCMA- and CD19-directed autologous CAR T products",
        ),
        # Donor cells
        row(
            "gvhd",
            0.0,
            "fraction",
            WANG2025,
            "allogeneic",
            "wang2025",
            "Med abstract (oncotriage.ru copy): 'No patient underwent GvHD'; no CRS, "
            "no ICANS",
            n=3,
        ),
    ]
    return table(rows)


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _count(value: float, n: float) -> str:
    return f"{round(value * n)} of {int(n)}"


def safety_overview(
    crs: pd.DataFrame | None = None, other: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per kind of side effect: ``event, autoimmune, cancer, sources`` (text
    cells).

    Built from :func:`crs_rates` and :func:`other_adverse_events` (or the tables given);
    "not reported" where no source read gives a number. ``sources`` holds
    comma-separated citation keys for the chapter's citation formatter.
    """
    crs = crs_rates() if crs is None else crs
    other = other_adverse_events() if other is None else other
    for name, frame in (("crs", crs), ("other", other)):
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
            f"{get(other, 'viral_infections_after_day_90', HILL):.2f} "
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
            f"total IgG {_pct(-get(other, 'total_igg_change_after_cd19_car_t', HILL))} "
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
            f"{share(other, 'gvhd', WANG2025)}",
            "not applicable (own cells)",
            "wang2025",
        ),
    ]
    return pd.DataFrame(rows, columns=["event", "autoimmune", "cancer", "sources"])
