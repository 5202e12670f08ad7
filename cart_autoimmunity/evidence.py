"""The cited clinical numbers behind the book, as small tidy tables.

Every function returns a :class:`pandas.DataFrame` with one row per published number and
the columns in :data:`COLUMNS`:

``quantity``
    What was measured, as a snake_case name (``crs_grade_3_plus``).
``value``
    The number itself, in ``unit``. Fractions are 0..1 (a count of 10 out of 15 is 0.667).
    Where a source gives only a range, ``value`` is the midpoint and the note says so.
``low``, ``high``
    The reported range, interval or ± SD band where there is one (NaN otherwise); the
    ``verification`` note says which.
``unit``
    Unit of ``value`` (``fraction``, ``days``, ``years``, ``patients``, ...).
``cohort``
    Trial, product or population the number belongs to.
``setting``
    ``autoimmune``, ``leukaemia``, ``lymphoma``, ``allogeneic``, ``population`` or ``biology``;
    the first four match the book's scenario colours.
``n``
    Number of patients or subjects behind the number, where the source states it (NaN otherwise).
``source``
    Citation key in ``references.bib``.
``status``
    ``primary`` (seen in the source's own text, usually its abstract) or ``secondary``
    (seen only in a named secondary source; the note names it).
``verification``
    Where and how the number was seen.

Only numbers that were read in a primary source's text, or in a secondary source named in
the note, are included. Numbers that could not be verified (for example how long CAR T
cells stay detectable after autoimmune treatment) are left out rather than guessed.
"""

from __future__ import annotations

import math

import pandas as pd

from .validation import require_choice

COLUMNS = [
    "quantity",
    "value",
    "low",
    "high",
    "unit",
    "cohort",
    "setting",
    "n",
    "source",
    "status",
    "verification",
]

SETTINGS = ("autoimmune", "leukaemia", "lymphoma", "allogeneic", "population", "biology")
STATUSES = ("primary", "secondary")

_NAN = math.nan


def _row(quantity, value, unit, cohort, setting, source, verification, *, low=_NAN, high=_NAN, n=_NAN, status="primary"):
    require_choice("setting", setting, SETTINGS)
    require_choice("status", status, STATUSES)
    return {
        "quantity": quantity,
        "value": float(value),
        "low": float(low),
        "high": float(high),
        "unit": unit,
        "cohort": cohort,
        "setting": setting,
        "n": float(n),
        "source": source,
        "status": status,
        "verification": verification,
    }


def _table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def _fraction(count: int, total: int) -> float:
    return count / total


# --------------------------------------------------------------------------------------
def prevalence() -> pd.DataFrame:
    """How common autoimmune disease is: the UK CPRD cohort of Conrad et al. (Lancet 2023).

    Cohort size, new diagnoses, the share of women among the diagnosed and age at diagnosis
    are from the abstract. The overall prevalence (10.2%) sits after the point where the
    stored abstract copies were cut off; it comes from named secondary reports of the
    abstract and is marked ``secondary``. The sex-specific prevalences and the
    incidence-rate ratio reported in news items could not be checked against the paper and
    are left out.
    """
    src = "conrad2023"
    setting = "population"
    cohort = "UK CPRD, 2000-2019"
    abstract = "Lancet abstract (copies on czeek.com, journalfilter.com)"
    rows = [
        _row("individuals_in_cohort", 22_009_375, "people", cohort, setting, src, abstract),
        _row("new_diagnoses", 978_872, "people", cohort, setting, src, abstract + "; at least one of the diseases studied, Jan 2000 to Jun 2019"),
        _row("diseases_studied", 19, "diseases", cohort, setting, src, abstract),
        _row("female_fraction_of_diagnosed", 0.639, "fraction", cohort, setting, src, abstract + ": 625,879 of 978,872 diagnosed were female"),
        _row("mean_age_at_diagnosis", 54.0, "years", cohort, setting, src, abstract + "; SD 21.4 years", low=54.0 - 21.4, high=54.0 + 21.4),
        _row(
            "population_fraction_affected",
            0.102,
            "fraction",
            cohort,
            setting,
            src,
            "Secondary: Rheumatology Advisor report of the EULAR 2023 presentation and debuglies.com summary of the abstract ('10.2% of the population'); cohort-level prevalence of the 19 diseases",
            status="secondary",
        ),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def erlangen_trials() -> pd.DataFrame:
    """The Erlangen CD19 CAR T results in autoimmune disease (Mackensen 2022; Müller 2024).

    Mackensen et al., Nat Med 2022: five patients with refractory SLE, abstract numbers.
    Müller et al., NEJM 2024: fifteen patients (8 SLE, 3 myositis, 4 systemic sclerosis).
    The stored Müller abstract is cut off after the follow-up sentence, so its safety and
    B-cell numbers are from named secondary summaries (``status="secondary"``).
    """
    mk, mu = "mackensen2022", "muller2024"
    mk_cohort = "Mackensen 2022, refractory SLE"
    mu_cohort = "Muller 2024, SLE + myositis + SSc"
    mk_abs = "Nat Med abstract (PubMed mirror, PMID 36109639)"
    mu_abs = "NEJM abstract (PubMed mirror, PMID 38381673)"
    mu_news = "Secondary: Nexus News Group highlight of the NEJM abstract (14 Mar 2024)"
    a = "autoimmune"
    rows = [
        _row("patients", 5, "patients", mk_cohort, a, mk, mk_abs + ": four women and one man", n=5),
        _row("women", 4, "patients", mk_cohort, a, mk, mk_abs, n=5),
        _row("median_age", 22, "years", mk_cohort, a, mk, mk_abs + "; range 18-24 (range given in the ACR Open Rheumatol journal club, PMID 37766597)", low=18, high=24, n=5),
        _row("dose_car_t_per_kg", 1e6, "CAR T cells/kg", mk_cohort, a, mk, mk_abs + ": 1 x 10^6 CAR T cells per kg after fludarabine and cyclophosphamide", n=5),
        _row("sledai2k_baseline_median", 16, "score", mk_cohort, a, mk, mk_abs + ": median 16, range 8-16", low=8, high=16, n=5),
        _row("sledai2k_3_months_median", 0, "score", mk_cohort, a, mk, mk_abs + ": median 0 after 3 months, range 0-2", low=0, high=2, n=5),
        _row("doris_remission_3_months", _fraction(5, 5), "fraction", mk_cohort, a, mk, mk_abs + ": DORIS remission in all five patients after 3 months", n=5),
        _row("b_cell_reappearance_mean", 110, "days", mk_cohort, a, mk, mk_abs + ": mean 110 +/- 32 (SD) days; low/high are mean -/+ SD", low=110 - 32, high=110 + 32, n=5),
        _row("returning_b_cells_naive", 1.0, "fraction", mk_cohort, a, mk, "Abstract (journal-club copy, PMID 37766597): 'Reappearing B cells were naive and showed non-class-switched B cell receptors'; qualitative, coded as 1", n=5),
        _row("drug_free_follow_up_median", 8, "months", mk_cohort, a, mk, mk_abs + ": drug-free remission maintained, median follow-up 8 months", n=5),
        _row("patients", 15, "patients", mu_cohort, a, mu, mu_abs, n=15),
        _row("patients_sle", 8, "patients", mu_cohort, a, mu, mu_abs, n=15),
        _row("patients_myositis", 3, "patients", mu_cohort, a, mu, mu_abs + ": idiopathic inflammatory myositis", n=15),
        _row("patients_systemic_sclerosis", 4, "patients", mu_cohort, a, mu, mu_abs, n=15),
        _row("follow_up_median", 15, "months", mu_cohort, a, mu, mu_abs + ": median 15 months, range 4-29", low=4, high=29, n=15),
        _row("doris_remission_sle", _fraction(8, 8), "fraction", mu_cohort, a, mu, mu_news + "; all 8 SLE patients in DORIS remission", n=8, status="secondary"),
        _row("immunosuppression_stopped", _fraction(15, 15), "fraction", mu_cohort, a, mu, mu_news + "; immunosuppressive therapy stopped in all patients", n=15, status="secondary"),
        _row("crs_grade_1", _fraction(10, 15), "fraction", mu_cohort, a, mu, mu_news + ": 10 patients with grade 1 CRS", n=15, status="secondary"),
        _row("crs_grade_2", _fraction(1, 15), "fraction", mu_cohort, a, mu, mu_news + ": 1 patient with grade 2 CRS", n=15, status="secondary"),
        _row("icans_grade_1", _fraction(1, 15), "fraction", mu_cohort, a, mu, mu_news + ": 1 patient with grade 1 ICANS", n=15, status="secondary"),
        _row("pneumonia_hospitalisation", _fraction(1, 15), "fraction", mu_cohort, a, mu, mu_news + ": 1 pneumonia-related hospitalisation", n=15, status="secondary"),
        _row(
            "b_cell_aplasia_mean",
            112,
            "days",
            mu_cohort,
            a,
            mu,
            "Secondary: public verification notes quoting the abstract (PMID 38381673), 112 +/- 47 days; the stored abstract stops just before this number; low/high are mean -/+ SD",
            low=112 - 47,
            high=112 + 47,
            n=15,
            status="secondary",
        ),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def crs_rates() -> pd.DataFrame:
    """Cytokine release syndrome and neurotoxicity: cancer trials against autoimmune series.

    Fractions of treated patients. Grading scales differ between trials (Penn, Lee, ASTCT,
    MSKCC), so cross-trial comparisons are approximate. JULIET's grade 3 or higher CRS rate
    could not be checked against the paper or a named summary and is left out.
    """
    rows = [
        _row("crs_any_grade", 0.77, "fraction", "ELIANA (tisa-cel, paediatric B-ALL)", "leukaemia", "maude2018", "Abstract summary (study.space) and abstract quote; 48% of those with CRS received tocilizumab", n=75),
        _row("neurotoxicity_any_grade", 0.40, "fraction", "ELIANA (tisa-cel, paediatric B-ALL)", "leukaemia", "maude2018", "Abstract summary (study.space): neurologic events in 40%", n=75),
        _row(
            "crs_grade_3_plus",
            0.13,
            "fraction",
            "ZUMA-1 (axi-cel, LBCL)",
            "lymphoma",
            "neelapu2017",
            "Secondary: abstract sentence 'Grade 3 or higher cytokine release syndrome and neurologic events occurred in 13% and 28%' quoted in public verification notes (PMID 29226797); 13% grade 3-4 CRS also in the ZUMA-1 column of a Ther Adv Hematol 2019 review table (PMC6466472)",
            n=101,
            status="secondary",
        ),
        _row(
            "neurotoxicity_grade_3_plus",
            0.28,
            "fraction",
            "ZUMA-1 (axi-cel, LBCL)",
            "lymphoma",
            "neelapu2017",
            "Secondary: same abstract sentence as crs_grade_3_plus, quoted in public verification notes (PMID 29226797)",
            n=101,
            status="secondary",
        ),
        _row("crs_any_grade", 0.58, "fraction", "JULIET (tisa-cel, DLBCL)", "lymphoma", "schuster2019", "Secondary: eviQ (Cancer Institute NSW) protocol summary of the NEJM paper and Advanced Practitioner highlight", status="secondary"),
        _row("neurotoxicity_any_grade", 0.21, "fraction", "JULIET (tisa-cel, DLBCL)", "lymphoma", "schuster2019", "Secondary: eviQ summary, neurologic events within 8 weeks", status="secondary"),
        _row("neurotoxicity_grade_3_plus", 0.12, "fraction", "JULIET (tisa-cel, DLBCL)", "lymphoma", "schuster2019", "Secondary: eviQ summary, grade 3 or 4 neurologic events", status="secondary"),
        _row("crs_grade_3_plus", 0.116, "fraction", "CIBMTR real world (tisa-cel, ALL + NHL)", "leukaemia", "pasquini2020", "Blood Adv abstract: grade >=3 CRS in 11.6% of all patients", n=410),
        _row("neurotoxicity_grade_3_plus", 0.075, "fraction", "CIBMTR real world (tisa-cel, ALL + NHL)", "leukaemia", "pasquini2020", "Blood Adv abstract: grade >=3 neurotoxicity in 7.5%", n=410),
        _row("crs_severe", _fraction(14, 53), "fraction", "MSKCC 19-28z (adult B-ALL)", "leukaemia", "park2018", "NEJM abstract (author manuscript): severe CRS in 14 of 53 (26%, 95% CI 15-40); MSKCC severity criteria", low=0.15, high=0.40, n=53),
        _row("crs_any_grade", _fraction(11, 15), "fraction", "Muller 2024 (SLE, myositis, SSc)", "autoimmune", "muller2024", "Secondary: Nexus News Group highlight of the abstract: 10 grade 1 + 1 grade 2", n=15, status="secondary"),
        _row("crs_grade_3_plus", 0.0, "fraction", "Muller 2024 (SLE, myositis, SSc)", "autoimmune", "muller2024", "Secondary: Nexus News Group highlight lists only grade 1 (10) and grade 2 (1) CRS", n=15, status="secondary"),
        _row("neurotoxicity_any_grade", _fraction(1, 15), "fraction", "Muller 2024 (SLE, myositis, SSc)", "autoimmune", "muller2024", "Secondary: Nexus News Group highlight: 1 grade 1 ICANS", n=15, status="secondary"),
        _row("neurotoxicity_grade_3_plus", 0.0, "fraction", "Muller 2024 (SLE, myositis, SSc)", "autoimmune", "muller2024", "Secondary: Nexus News Group highlight lists a single grade 1 ICANS", n=15, status="secondary"),
        _row("crs_any_grade", 0.0, "fraction", "Wang 2024 allogeneic CD19 (myositis, SSc)", "allogeneic", "wang2024", "Cell abstract: deep remission 'without cytokine release syndrome or other serious adverse events' over 6 months", n=3),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def car_t_persistence() -> pd.DataFrame:
    """How long CAR T cells stay detectable, and tisa-cel kinetic half-lives, in days.

    Months are converted at 30.44 days per month and years at 365.25 days; the note gives
    the original wording. Lower bounds ("more than") are stated in the note.
    """
    rows = [
        _row("max_detectable_persistence", 10 * 365.25, "days", "Penn CTL019, CLL (2 patients treated 2010)", "leukaemia", "melenhorst2022", "Nature abstract: 'CAR T cells remained detectable more than ten years after infusion' (a lower bound)", n=2),
        _row("max_detectable_persistence", 20 * 30.44, "days", "ELIANA (tisa-cel, paediatric B-ALL)", "leukaemia", "maude2018", "Abstract summary (study.space): persistence 'for up to 20 months'", n=75),
        _row("max_detectable_persistence_qpcr_responders", 693, "days", "JULIET (tisa-cel, DLBCL)", "lymphoma", "awasthi2020", "Blood Adv abstract: 693 days maximum by qPCR in responders", n=111),
        _row("max_detectable_persistence_qpcr_nonresponders", 374, "days", "JULIET (tisa-cel, DLBCL)", "lymphoma", "awasthi2020", "Blood Adv abstract: 374 days maximum by qPCR in non-responders", n=111),
        _row("max_detectable_persistence_flow_responders", 554, "days", "JULIET (tisa-cel, DLBCL)", "lymphoma", "awasthi2020", "Blood Adv abstract: 554 days maximum by flow cytometry in responders", n=111),
        _row("max_detectable_persistence_flow_nonresponders", 400, "days", "JULIET (tisa-cel, DLBCL)", "lymphoma", "awasthi2020", "Blood Adv abstract: 400 days maximum by flow cytometry in non-responders", n=111),
        _row("expansion_doubling_time", 0.78, "days", "ELIANA + ENSIGN popPK (tisa-cel)", "leukaemia", "stein2019", "CPT:PSP abstract (Europe PMC copy): doubling time 0.78 days"),
        _row("initial_decline_half_life", 4.3, "days", "ELIANA + ENSIGN popPK (tisa-cel)", "leukaemia", "stein2019", "CPT:PSP abstract: initial decline half-life 4.3 days"),
        _row("terminal_half_life", 220, "days", "ELIANA + ENSIGN popPK (tisa-cel)", "leukaemia", "stein2019", "CPT:PSP abstract: terminal half-life 220 days"),
        _row("min_detectable_persistence", 3 * 30.44, "days", "Wang 2024 allogeneic CD19 (myositis, SSc)", "allogeneic", "wang2024", "Cell abstract: infused cells 'persisted for over 3 months' (a lower bound)", n=3),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def b_cell_depletion() -> pd.DataFrame:
    """B-cell depletion and return after CD19-directed therapy, and B-cell turnover."""
    rows = [
        _row("b_cell_reappearance_mean", 110, "days", "Mackensen 2022, refractory SLE", "autoimmune", "mackensen2022", "Nat Med abstract: mean 110 +/- 32 (SD) days; low/high are mean -/+ SD", low=78, high=142, n=5),
        _row("b_cell_aplasia_mean", 112, "days", "Muller 2024, SLE + myositis + SSc", "autoimmune", "muller2024", "Secondary: public verification notes quoting the abstract, 112 +/- 47 days; low/high are mean -/+ SD", low=65, high=159, n=15, status="secondary"),
        _row("time_to_complete_b_cell_depletion_max", 14, "days", "Wang 2024 allogeneic CD19 (myositis, SSc)", "allogeneic", "wang2024", "Cell abstract: complete B cell depletion 'within 2 weeks' (an upper bound)", n=3),
        _row("blood_b_cell_division_rate_young", 0.019, "per day", "Healthy young adults, deuterated glucose", "biology", "macallan2005", "Blood abstract: total blood B cells divide at 1.9% (+/- 1.0%) per day; low/high are -/+ SD", low=0.009, high=0.029),
        _row("naive_b_cell_division_rate", 0.0046, "per day", "Healthy adults, deuterated glucose", "biology", "macallan2005", "Blood abstract: naive (CD27-) blood B cells divide at 0.46% per day"),
        _row("memory_b_cell_division_rate", 0.0266, "per day", "Healthy adults, deuterated glucose", "biology", "macallan2005", "Blood abstract: memory (CD27+) blood B cells divide at 2.66% per day"),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def antibody_longevity() -> pd.DataFrame:
    """Why CD19 CAR T spares old immunity: long-lived plasma cells and antibody half-lives."""
    am = "Amanna 2007, 45 subjects followed up to 26 years"
    rows = [
        _row("antibody_half_life_varicella_zoster", 50, "years", am, "biology", "amanna2007", "NEJM abstract: estimated half-life about 50 years", n=45),
        _row("antibody_half_life_measles_min", 200, "years", am, "biology", "amanna2007", "NEJM abstract: 'more than 200 years' for measles and mumps (a lower bound)", n=45),
        _row("antibody_half_life_tetanus", 11, "years", am, "biology", "amanna2007", "NEJM abstract: 11 years", n=45),
        _row("antibody_half_life_diphtheria", 19, "years", am, "biology", "amanna2007", "NEJM abstract: 19 years", n=45),
        _row("total_igg_change_after_cd19_car_t", -0.175, "fraction", "Hill 2019, adults in CR after CD19 CAR T", "lymphoma", "hill2019", "Blood Adv abstract: mean change in total IgG -17.5%", n=39),
        _row("measles_igg_change_after_cd19_car_t", 0.012, "fraction", "Hill 2019, adults in CR after CD19 CAR T", "lymphoma", "hill2019", "Blood Adv abstract: mean change in measles IgG +1.2%", n=39),
        _row("viral_infections_after_day_90", 0.91, "per person-year", "Hill 2019, adults in CR after CD19 CAR T", "lymphoma", "hill2019", "Blood Adv abstract: 0.91 infections per person-year beyond day 90", n=39),
        _row("plasma_cell_persistence_min", 25, "months", "Bhoj 2016, CTL019 recipients with B-cell aplasia", "leukaemia", "bhoj2016", "Blood abstract: antibody-secreting plasma cells in marrow at least 25 months after CTL019 in 8 patients (a lower bound)", n=8),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def manufacturing() -> pd.DataFrame:
    """Vein-to-vein times and manufacturing failure rates of commercial autologous CAR T.

    Failure fractions are counts / number enrolled from Table 2 of the Frontiers in
    Immunology 2021 review (``fimmu2021manufacturing``). Vein-to-vein medians are from the
    EHA 2023 meta-analysis abstract (``eha2023v2v``), median of study medians.
    """
    t2 = "Frontiers in Immunology 2021 review, Table 2 (PMC8427697)"
    v2v = "EHA 2023 meta-analysis abstract (PMC10431072), median of medians across studies"
    rows = [
        _row("vein_to_vein_median", 30.4, "days", "axi-cel, r/r LBCL (22 studies)", "lymphoma", "eha2023v2v", v2v),
        _row("vein_to_vein_median", 35.9, "days", "liso-cel, r/r LBCL (3 studies)", "lymphoma", "eha2023v2v", v2v + "; clinical trials only"),
        _row("vein_to_vein_median", 48.4, "days", "tisa-cel, r/r LBCL (10 studies)", "lymphoma", "eha2023v2v", v2v),
        _row("manufacturing_failure", _fraction(12, 165), "fraction", "tisa-cel (pivotal trials)", "lymphoma", "fimmu2021manufacturing", t2 + ": 7% (12/165)", n=165),
        _row("manufacturing_failure", _fraction(7, 92), "fraction", "tisa-cel (B-ALL)", "leukaemia", "fimmu2021manufacturing", t2 + ": 8% (7/92)", n=92),
        _row("manufacturing_failure", _fraction(1, 111), "fraction", "axi-cel", "lymphoma", "fimmu2021manufacturing", t2 + ": 1% (1/111)", n=111),
        _row("manufacturing_failure", _fraction(2, 344), "fraction", "liso-cel", "lymphoma", "fimmu2021manufacturing", t2 + ": <1% (2/344); a further 8% (25/344) received a non-conforming product", n=344),
        _row("manufacturing_failure", _fraction(3, 74), "fraction", "brexu-cel (KTE-X19)", "lymphoma", "fimmu2021manufacturing", t2 + ": 4% (3/74)", n=74),
        _row("manufacturing_failure", _fraction(1, 140), "fraction", "ide-cel", "leukaemia", "fimmu2021manufacturing", t2 + ": <1% (1/140); myeloma, grouped with blood cancers", n=140),
        _row("never_infused_any_reason", _fraction(50, 165), "fraction", "tisa-cel (pivotal trials)", "lymphoma", "fimmu2021manufacturing", t2 + ": 30% (50/165) enrolled but not infused", n=165),
        _row("never_infused_any_reason", _fraction(10, 111), "fraction", "axi-cel", "lymphoma", "fimmu2021manufacturing", t2 + ": 9% (10/111)", n=111),
        _row("never_infused_any_reason", _fraction(50, 344), "fraction", "liso-cel", "lymphoma", "fimmu2021manufacturing", t2 + ": 15% (50/344)", n=344),
        _row("never_infused_any_reason", _fraction(17, 92), "fraction", "tisa-cel (B-ALL)", "leukaemia", "fimmu2021manufacturing", t2 + ": 18% (17/92)", n=92),
        _row("never_infused_any_reason", _fraction(6, 74), "fraction", "brexu-cel (KTE-X19)", "lymphoma", "fimmu2021manufacturing", t2 + ": total printed as 8% (3); its parts, 4% (3) failures and 4% (3) manufactured but not received, give 6/74 = 8%", n=74),
        _row("never_infused_any_reason", _fraction(12, 140), "fraction", "ide-cel", "leukaemia", "fimmu2021manufacturing", t2 + ": 9% (12/140); myeloma, grouped with blood cancers", n=140),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def tolerance_checkpoints() -> pd.DataFrame:
    """How many developing B cells are self-reactive, and evidence of 'rogue' clones.

    Where only a range is published, ``value`` is its midpoint (stated in the note).
    """
    rows = [
        _row("self_reactive_early_immature_b_cells", 0.65, "fraction", "Healthy donors, early immature B cells", "biology", "wardemann2003", "Science abstract: 'A majority (55 to 75%)'; value is the midpoint of the range", low=0.55, high=0.75),
        _row("self_reactive_mature_naive_b_cells", 0.125, "fraction", "Healthy controls, mature naive B cells", "biology", "yurasov2005", "J Exp Med abstract: 5-20% in controls; value is the midpoint", low=0.05, high=0.20),
        _row("self_reactive_mature_naive_b_cells", 0.375, "fraction", "SLE (3 adolescent patients), mature naive B cells", "autoimmune", "yurasov2005", "J Exp Med abstract: 25-50% in SLE; value is the midpoint", low=0.25, high=0.50, n=3),
        _row("patients_with_somatic_mutations_in_cd8_clones", _fraction(5, 25), "fraction", "Newly diagnosed RA", "autoimmune", "savola2017", "Nat Commun abstract: 20% (5/25) of patients; only one mutation in 20 healthy controls", n=25),
        _row("lymphoid_mutation_rate", 1e-6, "per cell division", "Lymphoid precursors (background estimate)", "biology", "savola2017", "Nat Commun introduction: mutation rate 'estimated to be 10^-6 per cell division' (a per-gene, per-division rate)"),
        _row("fas_mutation_children_first_report", 3, "patients", "ALPS (FAS mutations)", "autoimmune", "rieuxlaucat1995", "Science abstract: three children (two siblings) with a lymphoproliferative syndrome", n=3),
        _row("fas_mutation_children_dominant_negative", 4, "patients", "ALPS (FAS mutations)", "autoimmune", "fisher1995", "Cell abstract (PubMed, PMID 7540117): five unrelated children, each with a unique Fas mutation; four dominant negative, one simple loss of function", n=5),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def organ_damage() -> pd.DataFrame:
    """Damage that removing the immune attack cannot undo: beta cells and axons."""
    rows = [
        _row("beta_cell_loss_at_onset_textbook", 0.875, "fraction", "T1D, histopathology (common statement)", "biology", "klinke2008", "PLoS ONE abstract: commonly stated 80-95% reduction at onset; value is the midpoint", low=0.80, high=0.95),
        _row("beta_cell_loss_at_onset_age_20", 0.40, "fraction", "T1D, meta-analysis of 105 autopsy cases", "biology", "klinke2008", "PLoS ONE abstract: on average a 40% reduction sufficed at 20 years of age", n=105),
        _row("c_peptide_slope_year_1", -0.0245, "pmol/mL per month", "TrialNet composite controls", "autoimmune", "greenbaum2012", "Diabetes abstract: 95% CI -0.0271 to -0.0215", low=-0.0271, high=-0.0215),
        _row("c_peptide_slope_year_2", -0.0079, "pmol/mL per month", "TrialNet composite controls", "autoimmune", "greenbaum2012", "Diabetes abstract: 95% CI -0.0113 to -0.0050", low=-0.0113, high=-0.0050),
        _row("detectable_c_peptide_at_2_years", 0.93, "fraction", "TrialNet composite controls", "autoimmune", "greenbaum2012", "Diabetes abstract: 93% have detectable C-peptide 2 years from diagnosis"),
        _row("transected_axons_active_lesions", 11236, "per mm^3", "MS autopsy, 11 patients", "autoimmune", "trapp1998", "NEJM abstract: averaged 11,236 per mm^3 in active lesions", n=11),
        _row("transected_axons_chronic_lesion_edge", 3138, "per mm^3", "MS autopsy, 11 patients", "autoimmune", "trapp1998", "NEJM abstract: 3,138 at hypocellular edges of chronic active lesions", n=11),
        _row("transected_axons_chronic_lesion_centre", 875, "per mm^3", "MS autopsy, 11 patients", "autoimmune", "trapp1998", "NEJM abstract: 875 in hypocellular centres of chronic active lesions", n=11),
        _row("time_to_t1d_diagnosis_teplizumab", 48.4, "months", "TrialNet at-risk relatives, teplizumab", "autoimmune", "herold2019", "NEJM abstract: median time to diagnosis 48.4 months (44 participants)", n=44),
        _row("time_to_t1d_diagnosis_placebo", 24.4, "months", "TrialNet at-risk relatives, placebo", "autoimmune", "herold2019", "NEJM abstract: median time to diagnosis 24.4 months (32 participants)", n=32),
    ]
    return _table(rows)


# --------------------------------------------------------------------------------------
def prices() -> pd.DataFrame:
    """Reported prices of CAR T products: US list prices at launch and an academic product.

    Prices, not costs. All three sources are a commentary or news reports quoting the number,
    so every row is ``secondary``. ``value`` is in the currency named in ``unit``.
    """
    rows = [
        _row("list_price_at_launch", 475_000, "USD", "tisagenlecleucel (Kymriah), US, 2017", "leukaemia", "prasad2018", "Secondary: Nature Reviews Clinical Oncology News & Views abstract, 'the high price tag of US$475,000'; a commentary quoting the launch price from a news report", status="secondary"),
        _row("list_price_at_launch", 373_000, "USD", "axicabtagene ciloleucel (Yescarta), US, 2017", "lymphoma", "scrip2017", "Secondary: Scrip (Citeline) news report, priced at US$373,000 after FDA approval on 18 October 2017", status="secondary"),
        _row("reimbursed_price", 89_000, "EUR", "ARI-0001 (Hospital Clinic Barcelona), Spain", "leukaemia", "stat2023ari", "Secondary: STAT News report read in an aggregator copy, reimbursed by the Spanish national health system at 89,000 euros, roughly a third of commercial list prices", status="secondary"),
        _row("reimbursed_price_usd", 97_000, "USD", "ARI-0001 (Hospital Clinic Barcelona), Spain", "leukaemia", "stat2023ari", "Secondary: STAT News report read in an aggregator copy, the report's own conversion, about US$97,000", status="secondary"),
    ]
    return _table(rows)


#: Every evidence table, by name, in book order.
TABLES = {
    "prevalence": prevalence,
    "erlangen_trials": erlangen_trials,
    "crs_rates": crs_rates,
    "car_t_persistence": car_t_persistence,
    "b_cell_depletion": b_cell_depletion,
    "antibody_longevity": antibody_longevity,
    "manufacturing": manufacturing,
    "prices": prices,
    "tolerance_checkpoints": tolerance_checkpoints,
    "organ_damage": organ_damage,
}


def all_evidence() -> pd.DataFrame:
    """Every cited number in one table, with a ``table`` column naming its source function."""
    frames = [fn().assign(table=name) for name, fn in TABLES.items()]
    return pd.concat(frames, ignore_index=True)


def lookup(table: str, quantity: str, cohort: str | None = None) -> float:
    """The single ``value`` for ``quantity`` in ``table`` (optionally restricted to ``cohort``).

    Raises ``ValueError`` for an unknown table, or if the selection is not exactly one row.
    """
    require_choice("table", table, TABLES)
    df = TABLES[table]()
    mask = df["quantity"] == quantity
    if cohort is not None:
        mask &= df["cohort"] == cohort
    hits = df.loc[mask, "value"]
    if len(hits) != 1:
        raise ValueError(f"expected one row for quantity={quantity!r}, cohort={cohort!r} in {table!r}, found {len(hits)}")
    return float(hits.iloc[0])


def citation_keys() -> set[str]:
    """Citation keys used by the evidence tables."""
    return set(all_evidence()["source"])


__all__ = [
    "COLUMNS",
    "SETTINGS",
    "TABLES",
    "all_evidence",
    "antibody_longevity",
    "b_cell_depletion",
    "car_t_persistence",
    "citation_keys",
    "crs_rates",
    "erlangen_trials",
    "lookup",
    "manufacturing",
    "organ_damage",
    "prevalence",
    "prices",
    "tolerance_checkpoints",
]
