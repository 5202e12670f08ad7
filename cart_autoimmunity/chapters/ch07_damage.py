"""Chapter 7, "Damage that stays": organ damage that ending the attack cannot undo.

The cited numbers (Klinke 2008, Greenbaum 2012, Herold 2019, Trapp 1998) and the
beta-cell model of :mod:`cart_autoimmunity.beta_cells` with its default parameters:

    dβ/dt = r_β β (1 − β) − k_β A β,   dA/dt = g_A A (1 − A),   A(t_i⁺) = f A(t_i⁻)

(β beta-cell mass and A attack intensity, both fractions; rates per day). The headline
claim, "damage-irreversible", is checked on the same sweep of intervention times that the
chapter shows.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import beta_cells, chapter, evidence
from ..claims import Bound, Check, Claim
from ..parameters.beta_cells import BetaCellParameters
from ..validation import require_choice

CHAPTER = "notebooks/07_damage"

#: Intervention times of the sweep (years after the attack begins), figure and claim.
INTERVENTION_YEARS = np.arange(0.0, 8.01, 0.25)
#: Intervention times shown in the sweep table (years).
TABLE_YEARS = (0.5, 1, 2, 3, 4, 5, 6)
#: Intervention times quoted in the prose (years).
QUOTED_YEARS = (1, 2, 3, 4)
#: Fractions f of the attack left by a partial depletion one year in.
DELAY_DEPTHS = (0.5, 0.2, 0.1, 0.05, 0.02, 0.01, 0.003, 0.001)
#: Months per year, to turn the cited medians (months) into years.
MONTHS_PER_YEAR = 12
#: Numerical tolerance of "never increases" (fraction of a healthy pancreas).
RISE_TOLERANCE = 1e-9

YEAR_DAYS = beta_cells.DAYS_PER_YEAR


def _cited(quantity: str) -> float:
    """A cited value of the organ-damage evidence table."""
    return evidence.lookup("organ_damage", quantity)


def _cited_row(quantity: str) -> pd.Series:
    """A whole row (value, low, high, n, ...) of the organ-damage evidence table."""
    return evidence.organ_damage().set_index("quantity").loc[quantity]


@cache
def _params() -> BetaCellParameters:
    return BetaCellParameters()


@cache
def _band() -> pd.DataFrame:
    return beta_cells.c_peptide_band(np.linspace(0, 24, 49))


def c_peptide_band() -> pd.DataFrame:
    """Mean C-peptide change (pmol/mL) over months 0–24 with its CI envelope (Greenbaum 2012)."""
    return _band().copy()


@cache
def _sweep() -> pd.DataFrame:
    """Mass at the intervention and at ten years, for each of :data:`INTERVENTION_YEARS`."""
    return beta_cells.sweep_intervention_times(INTERVENTION_YEARS, _params())


@cache
def _delays() -> pd.DataFrame:
    """Delays bought by depletion to each of :data:`DELAY_DEPTHS` one year in (model)."""
    return beta_cells.depletion_delay_table(
        list(DELAY_DEPTHS), _params(), intervention_year=1.0
    )


@cache
def _diagnosis_years() -> dict[str, float]:
    """Years from the start of the attack to diagnosis, untreated, by threshold.

    ``"klinke"``: mass below the age-20 threshold (40% loss, Klinke 2008);
    ``"classical"``: below the classical 80% loss.
    """
    params = _params()
    klinke = beta_cells.diagnosis_day(None, params)
    classical = beta_cells.diagnosis_day(
        None, params, threshold_beta=params.classical_threshold_beta
    )
    return {"klinke": klinke / YEAR_DAYS, "classical": classical / YEAR_DAYS}


def teplizumab_delay_years() -> float:
    """Shift in median time to diagnosis with teplizumab (years; Herold 2019).

    Δt = (t_teplizumab − t_placebo) / 12, both medians in months.
    """
    return (
        _cited("time_to_t1d_diagnosis_teplizumab")
        - _cited("time_to_t1d_diagnosis_placebo")
    ) / MONTHS_PER_YEAR


def largest_rise_at_ten_years() -> float:
    """Largest increase of the mass at ten years from one intervention time to the next.

    max_i [β₁₀(t_{i+1}) − β₁₀(t_i)] over the sweep; at most 0 when later is never better.
    """
    return float(np.max(np.diff(_sweep()["beta_at_horizon"].to_numpy())))


def _cited_numbers() -> dict:
    textbook = _cited_row("beta_cell_loss_at_onset_textbook")
    return {
        "textbook_low_pct": 100 * textbook["low"],
        "textbook_high_pct": 100 * textbook["high"],
        "klinke_n": int(_cited_row("beta_cell_loss_at_onset_age_20")["n"]),
        "klinke_age20_pct": 100 * _cited("beta_cell_loss_at_onset_age_20"),
        "slope_year1": -_cited("c_peptide_slope_year_1"),
        "slope_year2": -_cited("c_peptide_slope_year_2"),
        "detectable_pct": 100 * _cited("detectable_c_peptide_at_2_years"),
        "tep_months": _cited("time_to_t1d_diagnosis_teplizumab"),
        "placebo_months": _cited("time_to_t1d_diagnosis_placebo"),
        "axons_active": int(_cited("transected_axons_active_lesions")),
        "axons_edge": int(_cited("transected_axons_chronic_lesion_edge")),
        "axons_centre": int(_cited("transected_axons_chronic_lesion_centre")),
        "trapp_n": int(_cited_row("transected_axons_active_lesions")["n"]),
    }


def _c_peptide_numbers() -> dict:
    """Mean fall (pmol/mL) after one and two years, and the first year's share (%)."""
    band = _band()
    year1, year2 = (
        band.loc[band["month"] == m, "change_pmol_per_ml"].iloc[0] for m in (12, 24)
    )
    return {
        "cpep_fall_year1": -year1,
        "cpep_fall_two_years": -year2,
        "cpep_share_in_year1": 100 * year1 / year2,
    }


def _model_numbers() -> dict:
    params = _params()
    dx = _diagnosis_years()
    sweep = _sweep()
    at_ten = sweep.set_index("intervention_year")["beta_at_horizon"]
    at_dx = beta_cells.sweep_intervention_times(
        [dx["klinke"], dx["classical"]], params
    )["beta_at_horizon"]
    delays = _delays().set_index("depth")
    law_error = delays["diagnosis_delay_years"] / delays["predicted_delay_years"] - 1
    tep = teplizumab_delay_years()
    return {
        "untreated_dx_years": dx["klinke"],
        "classical_dx_years": dx["classical"],
        "classical_extra_years": dx["classical"] - dx["klinke"],
        "klinke_loss_pct": 100 * (1 - params.diagnosis_threshold_beta),
        "classical_loss_pct": 100 * (1 - params.classical_threshold_beta),
        **{f"beta10_year{year}": at_ten[year] for year in QUOTED_YEARS},
        "max_regained": sweep["regained"].max(),
        # Ceiling of logistic regrowth over ten years: r_β Δt / 4 (largest rate r_β/4).
        "regain_bound": params.beta_regeneration_per_day * 10 * YEAR_DAYS / 4,
        "beta10_at_klinke_dx": at_dx.iloc[0],
        "beta10_at_classical_dx": at_dx.iloc[1],
        "teplizumab_delay_years": tep,
        "delay_f01": delays.loc[0.1, "predicted_delay_years"],
        "delay_f0001": delays.loc[0.001, "predicted_delay_years"],
        # Depth whose law delay ln(1/f)/g_A equals the teplizumab shift: f = e^(−g_A Δt).
        "depth_for_teplizumab_pct": 100
        * np.exp(-params.attack_growth_per_day * tep * YEAR_DAYS),
        "delay_law_error_pct": 100 * law_error.abs().max(),
    }


@cache
def _numbers() -> dict:
    return {**_cited_numbers(), **_c_peptide_numbers(), **_model_numbers()}


def numbers() -> dict:
    """Every number the chapter's prose glues, by glue name (percentages in %)."""
    return dict(_numbers())


def tables() -> dict[str, pd.DataFrame]:
    """The chapter's tables as data: the intervention sweep and the depletion delays."""
    sweep = _sweep()
    return {
        "tbl-damage-sweep": sweep[sweep["intervention_year"].isin(TABLE_YEARS)].copy(),
        "tbl-damage-delay": _delays().copy(),
    }


#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-damage-sweep": chapter.TableSpec(
        {
            "intervention_year": "Attack stopped after (years)",
            "beta_at_intervention": "Mass when stopped",
            "beta_at_horizon": "Mass at ten years",
            "diagnosed": "Diagnosed by year ten",
        },
        "Beta-cell mass (fraction of a healthy pancreas) when the attack is stopped and "
        "ten years after it began, for interventions at different times (model).",
        formats={
            "intervention_year": "{:g}",
            "beta_at_intervention": "{:.3f}",
            "beta_at_horizon": "{:.3f}",
        },
        derive=lambda frame: frame.assign(
            diagnosed=frame["diagnosed"].map({True: "yes", False: "no"})
        ),
    ),
    "tbl-damage-delay": chapter.TableSpec(
        {
            "left_pct": "Attack left after depletion (%)",
            "predicted_delay_years": "Delay by the law (years)",
            "diagnosis_delay_years": "Delay of diagnosis, full model (years)",
        },
        "Delay of diagnosis bought by depleting the attack one year after it began "
        "(model).",
        formats={
            "left_pct": "{:g}",
            "predicted_delay_years": "{:.2f}",
            "diagnosis_delay_years": "{:.2f}",
        },
        derive=lambda frame: frame.assign(left_pct=100 * frame["depth"]),
    ),
}


def reader_table(name: str) -> chapter.ReaderTable:
    """The table ``name`` (a key of :func:`tables`) formatted for readers."""
    require_choice("name", name, TABLE_SPECS)
    return chapter.show_table(TABLE_SPECS[name], tables()[name], name=name)


def claims() -> tuple[Claim, ...]:
    """The chapter's claim: ending the attack does not undo the damage already done."""
    return (
        Claim(
            id="damage-irreversible",
            claim="Stopping the immune attack cannot undo organ damage already done.",
            chapter=CHAPTER,
            verdict="supported with caveats",
            sources=("klinke2008", "greenbaum2012", "trapp1998"),
            checks=(
                Check(
                    "model: largest increase in beta-cell mass at 10 years between "
                    "successive, later interventions (fraction of a healthy pancreas)",
                    largest_rise_at_ten_years(),
                    Bound(high=RISE_TOLERANCE),
                ),
            ),
            caveat=(
                "this rests on the assumption of negligible beta-cell regeneration, "
                "consistent with the autopsy and C-peptide data, and on axon loss in "
                "MS; the beta-cell threshold was measured only in children and young "
                "adults, so applying it to older patients is an extrapolation"
            ),
        ),
    )
