"""Parameters of the CAR T / CD19-target kinetics family (models M1, M2, M4 and the cohorts).

Time is in days and cell numbers are whole-body totals unless a name says otherwise.
Blood concentrations follow from ``cells/µL = total × blood_fraction / blood_volume_ul``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._fields import Parameters, param


@dataclass(frozen=True)
class KineticsParameters(Parameters):
    """Model M1 (+ M4 rejection): effector/memory CAR T, tumour, B cells and marrow precursors."""

    # --- CAR T cells -------------------------------------------------------------------------
    dose_cells: float = param(
        7e7,
        unit="cells",
        description="CAR T cells infused (1e6 per kg for a 70 kg adult)",
        source="mackensen2022; 1e6 CAR T cells/kg times an assumed 70 kg",
        check="non_negative",
        symbol=r"E_0",
    )
    homeostatic_expansion_per_day: float = param(
        1.2,
        unit="1/day",
        description="initial antigen-independent (post-lymphodepletion) CAR T expansion rate",
        assumption="chosen so that the CAR T peak falls near day 10, as in Stein's Tmax of 9.3 days",
        symbol=r"p_H",
    )
    homeostatic_decay_days: float = param(
        5.0,
        unit="day",
        description="time constant with which the post-lymphodepletion drive fades",
        assumption="about the reconstitution time scale of 1/0.17 days fitted by Kimmel et al. 2021",
        check="positive",
        symbol=r"\tau_H",
    )
    antigen_expansion_per_day: float = param(
        0.9,
        unit="1/day",
        description="maximal antigen-driven CAR T expansion rate",
        source="stein2019; ln(3900-fold expansion) / 9.3 days to peak = 0.89 per day",
        symbol=r"p_A",
    )
    antigen_half_saturation_cells: float = param(
        7e11,
        unit="cells",
        description="CD19+ target number giving half-maximal stimulation, 8x the normal B-cell mass",
        assumption="set so normal B-cell levels alone cannot sustain CAR T (R_B about 0.62 < 1)",
        check="positive",
        symbol=r"K_A",
    )
    effector_death_per_day: float = param(
        0.16,
        unit="1/day",
        description="effector CAR T contraction rate",
        source="stein2019; fast decline rate alpha (half-life 4.3 days)",
        symbol=r"\delta_E",
    )
    memory_formation_cancer_per_day: float = param(
        1.27e-3,
        unit="1/day",
        description="effector-to-memory conversion rate in cancer",
        source="stein2019; mu = F_B alpha / (1 - F_B) with F_B = 0.79%",
        symbol=r"\mu_c",
    )
    autoimmune_memory_factor: float = param(
        0.1,
        unit="fraction",
        description="memory formation in autoimmune disease relative to cancer",
        assumption="10x less memory formation without tumour; not measured, needed for months-not-years persistence",
        check="fraction",
        symbol=r"f_A",
    )
    memory_death_per_day: float = param(
        0.0032,
        unit="1/day",
        description="memory-like CAR T decay rate",
        source="stein2019; slow decline rate beta (half-life about 217 days)",
        symbol=r"\delta_M",
    )
    kill_rate_per_car_t_per_day: float = param(
        1e-9,
        unit="1/(cell·day)",
        description="per-target kill hazard per CAR T cell",
        assumption="calibrated so autoimmune B-cell return lands near 110 days (Mackensen 2022)",
        check="positive",
        symbol=r"\kappa",
    )
    memory_kill_weight: float = param(
        1.0,
        unit="fraction",
        description="killing by a memory CAR T cell relative to an effector",
        assumption="memory-like CAR T kill as well as effectors",
        check="fraction",
        symbol=r"\phi",
    )
    # --- Targets ------------------------------------------------------------------------------
    tumour_growth_per_day: float = param(
        1 / 30,
        unit="1/day",
        description="net growth rate of malignant CD19+ cells",
        source="leontriana2021; leukaemic growth rate rho_L = 1/30 per day",
        symbol=r"r_T",
    )
    lymphoma_tumour_cells: float = param(
        1e11,
        unit="cells",
        description="initial malignant cell number, lymphoma-like scenario",
        assumption="order of magnitude for bulky large B-cell lymphoma; illustrative",
    )
    leukaemia_tumour_cells: float = param(
        1e12,
        unit="cells",
        description="initial malignant cell number, high-burden leukaemia-like scenario",
        assumption="order of magnitude for high-burden B-ALL; not verified in a source",
    )
    b_cell_turnover_per_day: float = param(
        0.02,
        unit="1/day",
        description="loss rate of peripheral CD19+ B cells",
        source="pan2019; CD19+ turnover 0.02 per day (half-life 35 days)",
        check="positive",
        symbol=r"k_B",
    )
    normal_b_cells_per_ul: float = param(
        350.0,
        unit="cells/µL",
        description="normal blood CD19+ B-cell concentration",
        source="chng2004; mean 349 (men) and 356 (women) cells per µL, Table 3",
        check="positive",
    )
    blood_fraction: float = param(
        0.02,
        unit="fraction",
        description="share of the body's lymphocytes that are in the blood",
        source="westermann1992; blood holds about 2% of lymphocytes",
        check="open_fraction",
    )
    blood_volume_ul: float = param(
        5e6,
        unit="µL",
        description="adult blood volume (5 L)",
        assumption="textbook adult blood volume of about 5 litres",
        check="positive",
    )
    maturation_days: float = param(
        100.0,
        unit="day",
        description="mean transit time through the marrow precursor chain",
        assumption="calibrated so autoimmune B-cell return lands near 110 days (Mackensen 2022)",
        check="positive",
        symbol=r"\tau_{mat}",
    )
    maturation_stages: int = param(
        4,
        unit="stages",
        description="number of CD19+ marrow precursor compartments",
        assumption="a short chain gives a delayed, smooth B-cell return",
        check="integer",
        symbol=r"n",
    )
    lymphodepletion_survival_fraction: float = param(
        0.1,
        unit="fraction",
        description="share of B cells and precursors left after fludarabine/cyclophosphamide",
        assumption="lymphodepletion removes most but not all B-lineage cells",
        check="fraction",
    )
    # --- Cytokine proxy -----------------------------------------------------------------------
    cytokine_per_kill: float = param(
        1e-9,
        unit="proxy units per killed cell",
        description="cytokine proxy released per CD19+ cell killed",
        assumption="sets the proxy unit to 1e9 killed cells per day",
        check="positive",
        symbol=r"c_I",
    )
    cytokine_clearance_per_day: float = param(
        2.0,
        unit="1/day",
        description="clearance rate of the cytokine proxy",
        assumption="cytokines such as IL-6 clear within hours to a day",
        check="positive",
        symbol=r"k_I",
    )
    # --- Read-outs ----------------------------------------------------------------------------
    detection_limit_cells: float = param(
        1e7,
        unit="cells",
        description="whole-body CAR T number below which CAR T are counted undetectable",
        assumption="about 0.04 cells/µL in blood, a qPCR-like detection limit",
        check="positive",
    )
    b_return_fraction: float = param(
        0.05,
        unit="fraction",
        description="B cells count as returned at this fraction of normal",
        assumption="5% of normal is a clear flow-cytometry signal; 1 to 10% shift the day by about two weeks",
        check="open_fraction",
    )
    # --- M4: rejection of allogeneic cells ----------------------------------------------------
    rejection_max_per_day: float = param(
        0.0,
        unit="1/day",
        description="maximal host rejection hazard on CAR T cells (none for the patient's own cells)",
        assumption="autologous cells are not rejected",
        symbol=r"r_{max}",
    )
    allogeneic_rejection_max_per_day: float = param(
        0.2,
        unit="1/day",
        description="maximal host rejection hazard assumed for donor cells",
        assumption="rejection within a few weeks; only qualitative reports exist",
    )
    rejection_onset_days: float = param(
        14.0,
        unit="day",
        description="time constant of host immune recovery",
        assumption="host T cells recover over about two weeks after lymphodepletion",
        check="positive",
        symbol=r"\tau_{rec}",
    )

    @property
    def normal_b_cells(self) -> float:
        """Whole-body normal B-cell number: blood concentration scaled by blood volume and blood share."""
        return self.normal_b_cells_per_ul * self.blood_volume_ul / self.blood_fraction

    @property
    def cells_to_per_ul(self) -> float:
        """Factor that turns a whole-body cell number into blood cells per µL."""
        return self.blood_fraction / self.blood_volume_ul

    @property
    def detection_limit_per_ul(self) -> float:
        """The CAR T detection limit as a blood concentration (cells/µL)."""
        return self.detection_limit_cells * self.cells_to_per_ul


@dataclass(frozen=True)
class SevereCRSParameters(Parameters):
    """Model M2: probability of grade >= 3 CRS as a log-logistic function of the cytokine-proxy peak."""

    half_probability_cytokine_peak: float = param(
        600.0,
        unit="proxy units",
        description="cytokine-proxy peak at which severe CRS has probability 0.5 (I_50)",
        assumption="calibrated so leukaemia-like runs fall near the 26% severe CRS of adult B-ALL (Park 2018)",
        check="positive",
    )
    steepness: float = param(
        0.7,
        unit="per log unit",
        description="slope s of the log-odds against the log cytokine-proxy peak",
        assumption="shallow enough that lymphoma-like runs sit between autoimmune and leukaemia rates",
        check="positive",
    )


@dataclass(frozen=True)
class CohortParameters(Parameters):
    """Spreads for virtual cohorts: standard deviations of log-normal multipliers (log scale)."""

    kill_rate_log_sd: float = param(
        0.3,
        unit="log units",
        description="patient-to-patient spread of the kill rate",
        assumption="moderate spread; no published estimate for this model",
    )
    homeostatic_expansion_log_sd: float = param(
        0.082,
        unit="log units",
        description="spread of the post-lymphodepletion expansion rate",
        source="mackensen2022; fitted (with the effector spread) so the virtual "
        "cohort's B-cell return matches the published 110 ± 32 days, with the "
        "earlier assumed 0.2 as a weak prior; 0.2 is kept as the uncalibrated "
        "sensitivity case",
    )
    effector_death_log_sd: float = param(
        0.2,
        unit="log units",
        description="spread of the effector contraction rate",
        source="mackensen2022; fitted (with the expansion spread) so the virtual "
        "cohort's B-cell return matches the published 110 ± 32 days, with the "
        "earlier assumed 0.3 (below Stein's omega^2 0.91, which also mixes in "
        "burden) as a weak prior",
    )
    memory_formation_log_sd: float = param(
        0.5,
        unit="log units",
        description="spread of the memory formation rate",
        assumption="wide spread; memory formation is poorly known",
    )
    memory_death_log_sd: float = param(
        0.3,
        unit="log units",
        description="spread of the memory decay rate",
        assumption="smaller than Stein's variability (omega^2 0.86), which also mixes in burden",
    )
    maturation_log_sd: float = param(
        0.15,
        unit="log units",
        description="spread of the marrow maturation time",
        assumption="a modest spread; it barely moves the cohort's B-cell return, so "
        "the calibration leaves it fixed",
    )
    tumour_log_sd: float = param(
        0.5,
        unit="log units",
        description="spread of the initial tumour burden (cancer scenarios)",
        assumption="burden varies several-fold between patients",
    )
    dose_log_sd: float = param(
        0.2,
        unit="log units",
        description="spread of the infused CAR T dose (weight, product)",
        assumption="dose per kg is fixed but body weight and viability vary",
    )

    @classmethod
    def uncalibrated(cls) -> CohortParameters:
        """Sensitivity case: the spreads assumed before the calibration (issue #14).

        The same as the defaults except :data:`UNCALIBRATED_COHORT_SPREADS`; its B-cell
        return is about three times wider than Mackensen's ±32 days, with a tail of slow
        returners whose CAR T cells stay detectable for more than a year.
        """
        return cls(**UNCALIBRATED_COHORT_SPREADS)


#: The spreads (log units) that :func:`cart_autoimmunity.cohort.fit_spreads` calibrates,
#: at the values assumed before the calibration: the ``CohortParameters.uncalibrated()``
#: case.
UNCALIBRATED_COHORT_SPREADS = {
    "homeostatic_expansion_log_sd": 0.2,
    "effector_death_log_sd": 0.3,
}
