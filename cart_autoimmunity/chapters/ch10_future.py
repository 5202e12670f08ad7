"""Chapter 10, off the shelf and in vivo: donor CAR T cells and CAR T cells made in the body.

Two routes away from cells made for each patient, checked for what matters in autoimmune
disease, the depth and length of B-cell depletion:

* donor (allogeneic) cells that the recovering host rejects: the CAR T model M1 with the
  rejection hazard of M4, ``r(t) = r_max (1 - exp(-t / tau_rec))`` (per day), swept over
  ``r_max`` (:func:`rejection_sweep`), against the first reports of donor CD19 CAR T cells
  (:func:`donor_reports`);
* CAR T cells made in the body from mRNA-LNP doses (M5, :mod:`cart_autoimmunity.in_vivo`):
  one run per dose count and interval (:func:`schedule_grid`), from which the chapter's
  named schedules and its weekly dose-count sweep are read;
* the cytokine proxy (billion killed cells per day) of each route in the first month
  (:func:`cytokine_runs`), and the severe-CRS risk that chapter 5's link attaches to it;
* the detection limit: B-cell levels below ``L / B_normal`` (``L`` the book's detection
  limit for cells in blood, cells/µL; ``B_normal`` the normal B-cell count, cells/µL) are
  model values that no blood test can confirm (:func:`undetectable_fraction`).

Each model run happens once per process (``functools.cache``); numbers, tables, figures
and claims share it.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import chapter, cytokines, evidence, in_vivo, kinetics
from ..claims import Bound, Check, Claim
from ..evidence import cohort_map
from ..figures import in_vivo as in_vivo_figures
from ..figures.style import SMALL_FONT_PT
from ..parameters import parameter_table
from ..parameters.in_vivo import InVivoParameters
from ..parameters.kinetics import KineticsParameters
from ..validation import require_choice

CHAPTER = "notebooks/10_future"

#: Host rejection hazards ``r_max`` of the sweep (per day); 0 is the patient's own cells.
SWEEP_HAZARDS_PER_DAY = (0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2)
#: Length of each sweep run (days): long enough for B cells to return at every hazard.
SWEEP_DAYS = 150.0
#: Length of the runs whose cytokine proxy is compared (days); as the time-course figure.
COURSE_DAYS = 120.0
#: "Rejected within weeks": last detectable between three and six weeks after infusion (days).
WITHIN_WEEKS_DAYS = (21.0, 42.0)
#: Deep depletion: B cells on day 14 below one-thousandth of normal (fraction of normal).
DEEP_DEPLETION_FRACTION = 1e-3
#: One dose is "short-lived" when it keeps B cells below 1% of normal for under two weeks.
SHORT_DEPLETION_DAYS = 14.0
#: The named in vivo schedules (:data:`cart_autoimmunity.in_vivo.SCHEDULES`) and their labels.
SCHEDULE_LABELS = {
    "single": "one dose",
    "weekly_x6": "weekly x6",
    "every_2_weeks_x6": "every 2 weeks x6",
    "monthly_x6": "monthly x6",
}
#: Interval of the dose-count sweep (days between weekly doses).
WEEKLY_DAYS = 7.0
#: Dose-size factor of the "smaller dose" check of the cytokine prediction.
QUARTER = 0.25
#: Names of the three therapies in the cytokine comparison.
THERAPY_NAMES = {
    "autoimmune": "Own cells, after lymphodepletion",
    "allogeneic": "Donor cells, rejected",
    "in_vivo": "One LNP dose, no lymphodepletion",
}
#: Cohort of the CRS rate of the first donor-cell report in the CRS evidence table.
WANG2024_CRS_COHORT = "Wang et al. 2024, donor CD19 (myositis, SSc)"
#: Readers' names of the donor-report quantities, and the factor to their display unit.
#: In the order a report's rows are shown.
DONOR_QUANTITIES = {
    "patients": ("Patients treated", 1.0),
    "dose_car_t_per_kg": ("Dose (million cells per kg)", 1e-6),
    "follow_up": ("Follow-up (months)", 1.0),
    "follow_up_median": ("Median follow-up (days)", 1.0),
    "car_t_peak_day": ("CAR T cells peaked (day)", 1.0),
    "lldas_and_doris_week_12": ("Low activity and remission, week 12 (%)", 100.0),
    "crs_any_grade": ("CRS, any grade (%)", 100.0),
    "neurotoxicity_any_grade": ("ICANS, any grade (%)", 100.0),
    "gvhd_any_grade": ("Graft-versus-host disease (%)", 100.0),
    "withdrawn_for_thrombocytopenia": ("Withdrawn, low platelets (%)", 100.0),
}


# ------------------------------------------------------------------------------------------
# Evidence
# ------------------------------------------------------------------------------------------
@cache
def donor_reports() -> pd.DataFrame:
    """The donor-cell reports (wang2024, wang2025) and the lupus series feng2025 for scale.

    :func:`cart_autoimmunity.evidence.donor_cell_reports`, with each report's numbers that
    have their home in the safety tables (:func:`~cart_autoimmunity.evidence.crs_rates`,
    :func:`~cart_autoimmunity.evidence.other_adverse_events`) joined under the report's
    name; rows of a report in :data:`DONOR_QUANTITIES` order.
    """
    own = evidence.donor_cell_reports()
    names = own.drop_duplicates("source").set_index("source")["cohort"]
    safety = pd.concat([evidence.crs_rates(), evidence.other_adverse_events()])
    joined = safety[
        safety["source"].isin(names.index) & safety["quantity"].isin(DONOR_QUANTITIES)
    ].assign(cohort=lambda t: t["source"].map(names))
    reports = pd.concat([own, joined[own.columns]], ignore_index=True)
    if reports.duplicated(["source", "quantity"]).any():
        raise ValueError("a donor-report number is stored in two evidence tables")
    order = {source: i for i, source in enumerate(names.index)}
    rank = {quantity: i for i, quantity in enumerate(DONOR_QUANTITIES)}
    key = reports["source"].map(order) * len(rank) + reports["quantity"].map(rank)
    return reports.iloc[key.argsort(kind="stable")].reset_index(drop=True)


def report(source: str) -> pd.Series:
    """One report's values by quantity (units as in the evidence table)."""
    reports = donor_reports()
    require_choice("source", source, set(reports["source"]))
    return reports[reports["source"] == source].set_index("quantity")["value"]


def donor_cohorts() -> pd.DataFrame:
    """The evidence map's donor-cell cohorts (:func:`cohort_map.cohorts`, ``cell_source``
    ``"donor"``): what the book could verify of donor products in autoimmune disease."""
    table = cohort_map.cohorts()
    return table[table["cell_source"] == "donor"]


# ------------------------------------------------------------------------------------------
# What a blood test could see
# ------------------------------------------------------------------------------------------
def undetectable_fraction(params: KineticsParameters | None = None) -> float:
    """The B-cell level (fraction of normal) at the book's detection limit for cells in blood.

    ``L / B_normal``, with ``L`` the detection limit (:attr:`KineticsParameters.
    detection_limit_per_ul`, cells/µL; the model's limit for CAR T cells, a sensitive qPCR)
    and ``B_normal`` the normal blood B-cell count (cells/µL). A routine B-cell count by
    flow cytometry is less sensitive, so every level below this one is beyond any test.
    """
    params = params or KineticsParameters()
    return params.detection_limit_per_ul / params.normal_b_cells_per_ul


def mark_undetectable(fig, params: KineticsParameters | None = None) -> None:
    """Shade, on ``fig``'s B-cell panel (its second axes, log scale), the levels below
    :func:`undetectable_fraction`, and say so in the panel: curves there are model values.
    """
    if len(fig.axes) < 2 or fig.axes[1].get_yscale() != "log":
        raise ValueError("fig must have a log-scale B-cell panel as its second axes")
    ax = fig.axes[1]
    floor = undetectable_fraction(params)
    bottom, top = ax.get_ylim()
    ax.axhspan(bottom, floor, color="0.88", zorder=0, linewidth=0)
    ax.text(  # bottom right of the band, where the curves are not
        0.97,
        0.04,
        "below detection",
        transform=ax.transAxes,
        fontsize=SMALL_FONT_PT,
        color="0.3",
        ha="right",
        va="bottom",
    )
    ax.set_ylim(bottom, top)


# ------------------------------------------------------------------------------------------
# Donor cells that the host rejects (M1 with M4 rejection)
# ------------------------------------------------------------------------------------------
@cache
def rejection_sweep() -> pd.DataFrame:
    """Read-outs of the autoimmune run at each hazard in :data:`SWEEP_HAZARDS_PER_DAY`.

    One row per ``rejection_max_per_day`` (per day): CAR T peak and last detectable day,
    B cells on day 14 (fraction of normal) and the day B cells return (days).
    """
    return kinetics.rejection_sweep(
        SWEEP_HAZARDS_PER_DAY, KineticsParameters(), days=SWEEP_DAYS
    )


def sweep_row(hazard: float) -> pd.Series:
    """The sweep's read-outs at rejection hazard ``hazard`` (per day, one of the sweep's)."""
    by_hazard = rejection_sweep().set_index("rejection_max_per_day")
    if hazard not in by_hazard.index:
        raise ValueError(
            f"hazard must be one of {list(by_hazard.index)}, got {hazard!r}"
        )
    return by_hazard.loc[hazard]


def within_weeks() -> pd.DataFrame:
    """Sweep rows whose donor cells are last detectable within :data:`WITHIN_WEEKS_DAYS`."""
    sweep = rejection_sweep()
    return sweep[sweep["last_day_above_lod"].between(*WITHIN_WEEKS_DAYS)]


def shallow_depletion_hazard() -> tuple[float, float]:
    """Hazard (per day) at which day-14 B cells reach one-thousandth of normal, and the
    last detectable day there (days): log-linear interpolation over the sweep,
    ``log10 B14(r) = -3``."""
    sweep = rejection_sweep()
    hazard = float(
        np.interp(
            np.log10(DEEP_DEPLETION_FRACTION),
            np.log10(sweep["b_fraction_day_14"]),
            sweep["rejection_max_per_day"],
        )
    )
    last_day = np.interp(
        hazard, sweep["rejection_max_per_day"], sweep["last_day_above_lod"]
    )
    return hazard, float(last_day)


# ------------------------------------------------------------------------------------------
# CAR T cells made in the body (M5)
# ------------------------------------------------------------------------------------------
@cache
def schedule_grid() -> tuple[pd.DataFrame, pd.DataFrame]:
    """M5 over the default dose counts and intervals (:func:`in_vivo.dose_schedule_grid`).

    The grid holds every schedule the chapter quotes: one dose, six doses every 7, 14 and
    28 days, and one to six weekly doses; each grid point is that schedule's model run.
    """
    return in_vivo.dose_schedule_grid(
        params=KineticsParameters(), in_vivo_params=InVivoParameters()
    )


def _grid_rows(doses, interval_days: float) -> pd.DataFrame:
    grid = schedule_grid()[0]
    return grid[grid["doses"].isin(doses) & (grid["interval_days"] == interval_days)]


def schedule_readouts() -> pd.DataFrame:
    """Read-outs of the named schedules (:data:`SCHEDULE_LABELS`), one row each.

    Columns ``schedule``, ``label`` and those of :func:`in_vivo.in_vivo_readouts` (days).
    """
    rows = []
    for name in SCHEDULE_LABELS:
        days = in_vivo.schedule_days(name)
        interval = float(np.diff(days)[0]) if days.size > 1 else WEEKLY_DAYS
        row = _grid_rows([days.size], interval).iloc[0]
        rows.append({"schedule": name, "label": SCHEDULE_LABELS[name], **row})
    return pd.DataFrame(rows)


def dose_count_sweep() -> pd.DataFrame:
    """One to six weekly doses: the grid's rows at :data:`WEEKLY_DAYS` (as
    :func:`in_vivo.dose_count_sweep`)."""
    grid = schedule_grid()[0]
    return _grid_rows(grid["doses"].unique(), WEEKLY_DAYS).reset_index(drop=True)


def explorable():
    """The explorable figure of the schedule grid, opening at six weekly doses."""
    return in_vivo_figures.in_vivo_schedules(
        *schedule_grid(), start={"doses": 6, "interval_days": WEEKLY_DAYS}
    )


# ------------------------------------------------------------------------------------------
# The cytokine prediction
# ------------------------------------------------------------------------------------------
@cache
def cytokine_runs() -> dict[str, pd.DataFrame]:
    """Own cells (no rejection), donor cells at the default hazard, one LNP dose.

    Each a model run table (:func:`kinetics.simulate` columns) over :data:`COURSE_DAYS`.
    """
    params = KineticsParameters()
    hazard = params.allogeneic_rejection_max_per_day
    runs = kinetics.rejection_runs((0.0, hazard), params, days=COURSE_DAYS)
    one_dose = in_vivo.simulate_in_vivo("single", params, InVivoParameters())
    return {"autoimmune": runs[0.0], "allogeneic": runs[hazard], "in_vivo": one_dose}


def cytokine_peaks() -> pd.DataFrame:
    """Peak of each run's cytokine proxy (billion killed cells per day) and its day."""
    rows = []
    for therapy, run in cytokine_runs().items():
        at_peak = run.loc[run["cytokine_proxy"].idxmax()]
        rows.append(
            {
                "key": therapy,
                "therapy": THERAPY_NAMES[therapy],
                "peak": float(at_peak["cytokine_proxy"]),
                "day": float(at_peak["time_days"]),
            }
        )
    return pd.DataFrame(rows).set_index("key", drop=False)


@cache
def quarter_dose_cytokine_peak() -> float:
    """Cytokine-proxy peak of one LNP dose :data:`QUARTER` the assumed size (30-day run)."""
    iv = InVivoParameters()
    smaller = iv.replace(car_cells_per_dose=QUARTER * iv.car_cells_per_dose)
    run = in_vivo.simulate_in_vivo("single", KineticsParameters(), smaller, days=30.0)
    return float(run["cytokine_proxy"].max())


# ------------------------------------------------------------------------------------------
# What the prose quotes
# ------------------------------------------------------------------------------------------
def _evidence_numbers() -> dict:
    wang24, wang25, feng = (report(s) for s in ("wang2024", "wang2025", "feng2025"))
    return {
        "wang_n": int(wang24["patients"]),
        "wang_depletion_days": evidence.lookup(
            "b_cell_depletion", "time_to_complete_b_cell_depletion_max"
        ),
        "wang_persist_days": evidence.lookup(
            "car_t_persistence", "min_detectable_persistence"
        ),
        "wang_crs_pct": 100
        * evidence.lookup("crs_rates", "crs_any_grade", WANG2024_CRS_COHORT),
        "wang25_n": int(wang25["patients"]),
        "wang25_dose_m": float(wang25["dose_car_t_per_kg"]) / 1e6,
        "wang25_months": float(wang25["follow_up"]),
        "wang25_peak_day": float(wang25["car_t_peak_day"]),
        "wang25_withdrawn": round(
            wang25["withdrawn_for_thrombocytopenia"] * wang25["patients"]
        ),
        "feng_n": int(feng["patients"]),
        "feng_remission_pct": 100 * float(feng["lldas_and_doris_week_12"]),
        "feng_crs_pct": 100 * float(feng["crs_any_grade"]),
        "book_day": cohort_map.BOOK_DATE.day,
        "map_donor_cohorts": len(donor_cohorts()),
        "map_donor_patients": int(donor_cohorts()["patients"].sum()),
    }


def _parameter_numbers() -> dict:
    params, iv = KineticsParameters(), InVivoParameters()
    return {
        "tau_rec": params.rejection_onset_days,
        "r_default": params.allogeneic_rejection_max_per_day,
        "ld_survival_pct": 100 * params.lymphodepletion_survival_fraction,
        "eta_billion": iv.car_cells_per_dose / 1e9,
        "car_half_life_days": float(np.log(2) / iv.car_expression_loss_per_day),
        "marrow_weight_pct": 100 * iv.marrow_access_weight,
        "depleted_pct": 100 * iv.b_depleted_fraction,
        "detect_per_ul": params.detection_limit_per_ul,
        "detect_logs": float(-np.log10(undetectable_fraction(params))),
        "detect_per_million": 1e6 * undetectable_fraction(params),
    }


def _rejection_numbers() -> dict:
    auto = sweep_row(0.0)
    allo = sweep_row(KineticsParameters().allogeneic_rejection_max_per_day)
    weeks = within_weeks()
    r_cross, r_cross_last_day = shallow_depletion_hazard()
    return {
        "auto_last_day": float(auto["last_day_above_lod"]),
        "auto_b_return": float(auto["b_return_day"]),
        "auto_b14_logs": float(-np.log10(auto["b_fraction_day_14"])),
        "allo_peak_day": float(allo["car_t_peak_day"]),
        "allo_last_day": float(allo["last_day_above_lod"]),
        "allo_b_return": float(allo["b_return_day"]),
        "allo_b14_logs": float(-np.log10(allo["b_fraction_day_14"])),
        "weeks_min_days": WITHIN_WEEKS_DAYS[0],
        "weeks_max_days": WITHIN_WEEKS_DAYS[1],
        "weeks_r_low": float(weeks["rejection_max_per_day"].min()),
        "weeks_r_high": float(weeks["rejection_max_per_day"].max()),
        "weeks_worst_b14_per_million": 1e6 * float(weeks["b_fraction_day_14"].max()),
        "weeks_slowest_last_day": float(weeks["last_day_above_lod"].max()),
        "weeks_fastest_last_day": float(weeks["last_day_above_lod"].min()),
        "r_cross": r_cross,
        "r_cross_last_day": r_cross_last_day,
    }


def _in_vivo_numbers() -> dict:
    at = schedule_readouts().set_index("schedule")
    return {
        "single_days_below": float(at.loc["single", "days_b_below_1pct"]),
        "single_recovery_day": float(at.loc["single", "b_return_day"]),
        "weekly_days_below": float(at.loc["weekly_x6", "days_b_below_1pct"]),
        "weekly_recovery_after": float(
            at.loc["weekly_x6", "recovery_after_last_dose_days"]
        ),
        "q2w_days_below": float(at.loc["every_2_weeks_x6", "days_b_below_1pct"]),
        "monthly_days_below": float(at.loc["monthly_x6", "days_b_below_1pct"]),
    }


def _cytokine_numbers() -> dict:
    peaks = cytokine_peaks()
    auto, allo, lnp = (peaks.loc[k, "peak"] for k in THERAPY_NAMES)
    severe = cytokines.severe_crs_probability
    return {
        "cyt_auto": auto,
        "cyt_allo": allo,
        "cyt_in_vivo": lnp,
        "cyt_in_vivo_day": float(peaks.loc["in_vivo", "day"]),
        "cyt_ratio": lnp / auto,
        "p_severe_auto_pct": 100 * float(severe(auto)),
        "p_severe_in_vivo_pct": 100 * float(severe(lnp)),
        "cyt_quarter": quarter_dose_cytokine_peak(),
    }


def numbers() -> dict:
    """Every number the chapter's prose glues, by its glue name (units in the names)."""
    return {
        **_evidence_numbers(),
        **_parameter_numbers(),
        **_rejection_numbers(),
        **_in_vivo_numbers(),
        **_cytokine_numbers(),
    }


# ------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------
def donor_table() -> pd.DataFrame:
    """The donor reports for readers: ``report`` (cells, disease), ``what`` (quantity in
    words), ``value`` (in the unit ``what`` names) and ``source``."""
    reports = donor_reports()
    scale = reports["quantity"].map(lambda q: DONOR_QUANTITIES[q][1])
    return pd.DataFrame(
        {
            "report": reports["cohort"].str.split(", ", n=1).str[1],
            "what": reports["quantity"].map(lambda q: DONOR_QUANTITIES[q][0]),
            "value": reports["value"] * scale,
            "source": reports["source"],
        }
    )


def _parameters(parameter_set: str, names=None) -> pd.DataFrame:
    table = parameter_table()
    rows = table[table["parameter_set"] == parameter_set]
    return rows if names is None else rows.set_index("name").loc[names].reset_index()


REJECTION_PARAMETERS = (
    "rejection_max_per_day",
    "allogeneic_rejection_max_per_day",
    "rejection_onset_days",
)


def rejection_table() -> pd.DataFrame:
    """The sweep with day-14 B cells per million of normal (``b14_per_million``)."""
    sweep = rejection_sweep()
    return sweep.assign(b14_per_million=1e6 * sweep["b_fraction_day_14"])


#: How each table is built, by its ``tbl-`` name.
_BUILDERS = {
    "tbl-future-donor": donor_table,
    "tbl-future-rejection-parameters": lambda: _parameters(
        "KineticsParameters", list(REJECTION_PARAMETERS)
    ),
    "tbl-future-rejection": rejection_table,
    "tbl-future-in-vivo-parameters": lambda: _parameters("InVivoParameters"),
    "tbl-future-schedules": schedule_readouts,
    "tbl-future-cytokine": lambda: cytokine_peaks().reset_index(drop=True),
}


def tables() -> dict[str, pd.DataFrame]:
    """Every table the chapter shows, by its ``tbl-`` name, before formatting."""
    return {name: build() for name, build in _BUILDERS.items()}


def _shown(value: float) -> str:
    """A report's value: whole numbers without decimals, a fraction of one to 2 figures."""
    return f"{value:,.0f}" if value == 0 or abs(value) >= 1 else f"{value:.2g}"


#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-future-donor": chapter.TableSpec(
        {
            "report": "Cells (disease)",
            "what": "Quantity",
            "value": "Value",
            "source": "Source",
        },
        "Reports of donor CD19 CAR T cells in autoimmune disease, with the largest "
        "checked lupus series of the patients' own cells for scale (primary sources, "
        "abstracts).",
        formats={"value": _shown, "source": chapter.cite},
    ),
    "tbl-future-rejection-parameters": chapter.ParameterTableSpec(
        "KineticsParameters",
        "The assumed host rejection of donor CAR T cells.",
        names=REJECTION_PARAMETERS,
    ),
    "tbl-future-rejection": chapter.TableSpec(
        {
            "rejection_max_per_day": "Rejection hazard (per day)",
            "last_day_above_lod": "CAR T last detectable (day)",
            "b14_per_million": "B cells on day 14 (per million of normal)",
            "b_return_day": "B cells back (day)",
        },
        "Host rejection of donor CAR T cells against persistence and B-cell depletion "
        "(model sweep; the first row is the patient's own cells).",
        formats={
            "rejection_max_per_day": "{:g}",
            "last_day_above_lod": "{:.0f}",
            "b14_per_million": chapter.number,
            "b_return_day": "{:.0f}",
        },
    ),
    "tbl-future-in-vivo-parameters": chapter.ParameterTableSpec(
        "InVivoParameters",
        "Assumed inputs of the in vivo (mRNA-LNP) model; none is measured in people.",
    ),
    "tbl-future-schedules": chapter.TableSpec(
        {
            "label": "Schedule",
            "days_b_below_1pct": "Days with B cells below 1% of normal",
            "b_return_day": "B cells back (day)",
            "recovery_after_last_dose_days": "Back after the last dose (days)",
        },
        "B-cell depletion after one and six mRNA-LNP doses on different schedules "
        "(model).",
        formats={
            "days_b_below_1pct": "{:.1f}",
            "b_return_day": "{:.0f}",
            "recovery_after_last_dose_days": "{:.0f}",
        },
    ),
    "tbl-future-cytokine": chapter.TableSpec(
        {
            "therapy": "Therapy",
            "peak": "Peak cytokine proxy (billion cells killed per day)",
            "day": "Day of the peak",
        },
        "Peak of the model's cytokine proxy in the first month (a prediction).",
        formats={"peak": chapter.number, "day": "{:.1f}"},
    ),
}


def reader_table(name: str) -> chapter.ReaderTable:
    """The table ``name`` (a key of :func:`tables`) formatted for readers."""
    name = require_choice("name", name, TABLE_SPECS)
    return chapter.show_table(TABLE_SPECS[name], _BUILDERS[name](), name=name)


# ------------------------------------------------------------------------------------------
# Claims
# ------------------------------------------------------------------------------------------
def claims() -> tuple[Claim, ...]:
    """The story's claims this chapter checks: donor cells first (the chapter's verdict)."""
    n = numbers()
    wang25 = report("wang2025")
    allo = sweep_row(KineticsParameters().allogeneic_rejection_max_per_day)
    weeks_low, weeks_high = WITHIN_WEEKS_DAYS
    harms = ("crs_any_grade", "neurotoxicity_any_grade", "gvhd_any_grade")
    deep = Bound(high=DEEP_DEPLETION_FRACTION, strict_high=True)
    off_the_shelf = Claim(
        "off-the-shelf-enough",
        (
            "Donor (off-the-shelf) CAR T cells may be enough for autoimmune disease, "
            "even if they do not last."
        ),
        CHAPTER,
        "supported with caveats",
        ("wang2024", "wang2025"),
        (
            Check(
                "model: highest B-cell level on day 14 among donor cells rejected "
                f"within weeks, last detectable between day {weeks_low:.0f} and day "
                f"{weeks_high:.0f} (fraction of normal)",
                n["weeks_worst_b14_per_million"] / 1e6,
                deep,
            ),
            Check(
                "model: B cells on day 14, donor cells at the default rejection "
                "hazard (fraction of normal)",
                float(allo["b_fraction_day_14"]),
                deep,
            ),
            Check(
                "cited: longest time to complete B-cell depletion with donor cells, "
                f"{n['wang_n']} patients (days)",
                n["wang_depletion_days"],
                Bound(high=SHORT_DEPLETION_DAYS),
            ),
            Check(
                "cited: highest rate of CRS, ICANS or graft-versus-host disease with "
                f"donor cells in lupus, {n['wang25_n']} patients over "
                f"{n['wang25_months']:.0f} months (fraction)",
                float(wang25[list(harms)].max()),
                Bound(high=0.0),
            ),
        ),
        caveat=(
            "the edited donor cells were not rejected quickly (detectable for at least "
            f"{n['wang_persist_days']:.0f} days), so the 'rejected within weeks' part "
            "is a model result"
        ),
    )
    in_body = Claim(
        "in-vivo-transient",
        (
            "CAR T cells made inside the body could replace the lab process, but their "
            "effect is short-lived."
        ),
        CHAPTER,
        "plausible, not yet measured",
        ("rurik2022",),
        (
            Check(
                "model: days with B cells below 1% of normal after one dose (days)",
                n["single_days_below"],
                Bound(high=SHORT_DEPLETION_DAYS, strict_high=True),
            ),
            Check(
                "model: days with B cells below 1% of normal gained by six weekly "
                "doses over one (days)",
                n["weekly_days_below"] - n["single_days_below"],
                Bound(low=0.0, strict_low=True),
            ),
        ),
        caveat=(
            "model with assumed parameters (no checkable human numbers yet); the first "
            "human reports of CAR T cells made in the body, in myeloma and in lupus, "
            "were seen only in news summaries and could not be verified, so none is "
            "cited"
        ),
    )
    return (off_the_shelf, in_body)
