"""Figures for the damage chapter: beta-cell mass against the time the attack is stopped (M6)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import validation
from .style import (
    OKABE_ITO,
    QUANTITY_COLOURS,
    SCENARIO_COLOURS,
    SMALL_FONT_PT,
    new_figure,
)

INTERVENTION_COLOURS = [
    OKABE_ITO["blue"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["orange"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish_purple"],
]
THRESHOLD_STYLE = {
    "klinke": dict(color=OKABE_ITO["black"], ls=":", lw=1.4),
    "classical": dict(color=SCENARIO_COLOURS["reference"], ls="-.", lw=1.4),
}


def _check_thresholds(klinke: float, classical: float) -> None:
    validation.require_open_fraction("klinke", klinke)
    validation.require_open_fraction("classical", classical)


#: Where a threshold's label goes: x in axes fraction, its alignment, above or below the line.
LabelPlace = tuple[float, str, bool]


def _label_line(ax, y: float, text: str, place: LabelPlace, **style) -> None:
    x, ha, above = place
    ax.text(
        x,
        y + 0.015 if above else y - 0.015,
        text,
        fontsize=SMALL_FONT_PT,
        ha=ha,
        va="bottom" if above else "top",
        transform=ax.get_yaxis_transform(),  # x in axes fraction, y in data
        **style,
    )


def _thresholds(
    ax,
    klinke: float,
    classical: float,
    klinke_at: LabelPlace,
    classical_at: LabelPlace,
    classical_label: str = "classical view (80% lost)",
) -> None:
    """The two thresholds as horizontal lines, each labelled where no curve passes (each
    figure says where: chapter.warn_about_illegible_figures checks it)."""
    ax.axhline(klinke, **THRESHOLD_STYLE["klinke"])
    ax.axhline(classical, **THRESHOLD_STYLE["classical"])
    _label_line(ax, klinke, "diagnosis at age 20\n(40% lost)", klinke_at)
    _label_line(ax, classical, classical_label, classical_at, color="#555555")


def plot_beta_trajectories(
    runs: dict[str, pd.DataFrame], klinke: float, classical: float
):
    """Beta-cell mass over ten years, one line per intervention (the untreated course dashed grey)."""
    validation.require_mapping("runs", runs)
    for label, run in runs.items():
        validation.require_columns(
            f"runs[{label!r}]", run, ("year", "beta_mass", "treated")
        )
    _check_thresholds(klinke, classical)
    fig, ax = new_figure()
    colours = iter(INTERVENTION_COLOURS)
    for label, run in runs.items():
        untreated = not run["treated"].any()
        style = (
            dict(color=SCENARIO_COLOURS["reference"], ls="--")
            if untreated
            else dict(color=next(colours))
        )
        ax.plot(run["year"], run["beta_mass"], lw=2, label=label, **style)
    # Diagnosis: above its line, after the steep fall and before the latest rise reaches
    # it; classical: below its line, right of the untreated fall.
    _thresholds(
        ax,
        klinke,
        classical,
        klinke_at=(0.34, "left", True),
        classical_at=(0.98, "right", False),
    )
    ax.set_xlabel("years after the attack begins")
    ax.set_ylabel("beta-cell mass (fraction of healthy)")
    ax.set_ylim(0, 1.05)
    ax.set_xlim(0, 10)
    fig.legend(
        loc="outside lower center",
        ncols=3,
        title="attack stopped",
        fontsize=SMALL_FONT_PT,
    )
    return fig, ax


def plot_final_beta(
    sweep: pd.DataFrame,
    klinke: float,
    classical: float,
    untreated_diagnosis_year: float,
):
    """Beta-cell mass at the intervention and ten years on, against the intervention time."""
    validation.require_columns(
        "sweep",
        sweep,
        ("intervention_year", "beta_at_horizon", "beta_at_intervention"),
    )
    _check_thresholds(klinke, classical)
    validation.require_non_negative(
        "untreated_diagnosis_year", untreated_diagnosis_year
    )
    fig, ax = new_figure()
    colour = QUANTITY_COLOURS["beta_cells"]
    ax.plot(
        sweep["intervention_year"],
        sweep["beta_at_horizon"],
        color=OKABE_ITO["blue"],
        lw=2.2,
        label="at 10 years",
    )
    ax.plot(
        sweep["intervention_year"],
        sweep["beta_at_intervention"],
        color=colour,
        lw=2,
        ls="--",
        label="when stopped",
    )
    ax.axvline(untreated_diagnosis_year, color=OKABE_ITO["vermillion"], lw=1.2)
    ax.text(
        untreated_diagnosis_year + 0.1,
        0.93,
        "untreated\ndiagnosis",
        fontsize=SMALL_FONT_PT,
        color=OKABE_ITO["vermillion"],
        va="top",
    )
    # Both where the curve has not yet fallen (left) or has long fallen (right).
    _thresholds(
        ax,
        klinke,
        classical,
        klinke_at=(0.98, "right", True),
        classical_at=(0.02, "left", True),
        classical_label="classical view\n(80% lost)",
    )
    ax.set_xlabel("years from the start of the attack to the intervention")
    ax.set_ylabel("beta-cell mass (fraction of healthy)")
    ax.set_ylim(0, 1.05)
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    return fig, ax


def plot_c_peptide(band: pd.DataFrame):
    """Mean fall in stimulated C-peptide after diagnosis (piecewise linear), with the slopes' CI envelope.

    ``band`` is the output of :func:`cart_autoimmunity.beta_cells.c_peptide_band`.
    """
    validation.require_columns(
        "band",
        band,
        ("month", "steep_pmol_per_ml", "shallow_pmol_per_ml", "change_pmol_per_ml"),
    )
    fig, ax = new_figure()
    ax.fill_between(
        band["month"],
        band["steep_pmol_per_ml"],
        band["shallow_pmol_per_ml"],
        color=SCENARIO_COLOURS["reference"],
        alpha=0.3,
        lw=0,
        label="95% CI of both slopes",
    )
    ax.plot(
        band["month"],
        band["change_pmol_per_ml"],
        color=SCENARIO_COLOURS["data"],
        lw=2,
        label="mean slopes (TrialNet)",
    )
    ax.axvline(12, color=SCENARIO_COLOURS["reference"], lw=1, ls=":")
    ax.set_xlabel("months after diagnosis")
    ax.set_ylabel("change in C-peptide (pmol/mL)")
    ax.set_xlim(0, 24)
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    return fig, ax


def plot_delay_law(
    table: pd.DataFrame,
    reference_delay_years: float | None = None,
    reference_label: str = "",
):
    """Delay of the attack against depletion depth: the law ln(1/f)/g_A and the simulated delays."""
    validation.require_columns(
        "table", table, ("depth", "predicted_delay_years", "diagnosis_delay_years")
    )
    if reference_delay_years is not None:
        validation.require_non_negative("reference_delay_years", reference_delay_years)
    validation.require_text("reference_label", reference_label)
    fig, ax = new_figure()
    depth = table["depth"].to_numpy()
    ax.plot(
        depth,
        table["predicted_delay_years"],
        color=OKABE_ITO["black"],
        lw=1.5,
        label="law ln(1/f)/growth rate",
    )
    ax.plot(
        depth,
        table["diagnosis_delay_years"],
        "o",
        color=OKABE_ITO["blue"],
        ms=6,
        label="model",
    )
    if reference_delay_years is not None:
        ax.axhline(
            reference_delay_years,
            color=OKABE_ITO["orange"],
            lw=1.5,
            ls="--",
            label=reference_label,
        )
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("fraction of the attack left after depletion, f (log scale)")
    ax.set_ylabel("delay (years)")
    ax.set_ylim(0, np.nanmax(table["predicted_delay_years"]) * 1.15)
    fig.legend(loc="outside lower center", ncols=3, fontsize=SMALL_FONT_PT)
    return fig, ax
