"""Figures for chapter 1: who is diagnosed, and years on treatment for a CAR T
candidate.
"""

from __future__ import annotations

import pandas as pd

from .. import validation
from .style import OKABE_ITO, SCENARIO_COLOURS, new_figure

LIFELONG = "lifelong immunosuppression"
_CURVE_COLUMNS = ("age_years", "strategy", "relapse_rate_per_year", "treatment_years")


def plot_diagnoses_by_sex(prevalence: pd.DataFrame):
    """Bar chart of the share of new diagnoses in women and in men (Conrad et al. 2023).

    Uses the ``female_fraction_of_diagnosed`` row of the prevalence evidence table; the
    men's share is its complement.
    """
    validation.require_columns("prevalence", prevalence, ("quantity", "value"))
    rows = prevalence.set_index("quantity")["value"]
    if "female_fraction_of_diagnosed" not in rows.index:
        raise ValueError("prevalence has no 'female_fraction_of_diagnosed' row")
    share = float(rows["female_fraction_of_diagnosed"])
    if not 0.0 <= share <= 1.0:
        raise ValueError(
            f"prevalence: the women's share must lie in [0, 1], got {share}"
        )
    heights = [100 * share, 100 * (1 - share)]
    fig, ax = new_figure(height_in=3.4)
    ax.set_axisbelow(True)
    colours = [OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"]]
    bars = ax.bar(["Women", "Men"], heights, color=colours)
    ax.bar_label(bars, labels=[f"{h:.1f}%" for h in heights], padding=3)
    ax.set_ylabel("Share of people newly\ndiagnosed (%)")
    ax.set_ylim(0, 100)
    ax.set_title("UK cohort, 2000–2019 (Conrad et al. 2023)", loc="left")
    return fig, ax


def plot_cumulative_treatment(curves: dict[str, pd.DataFrame]):
    """Cumulative years of treatment against age.

    ``curves`` maps a short legend label to a cumulative-treatment table (columns
    ``age_years``, ``strategy``, ``relapse_rate_per_year``, ``treatment_years``). The
    lifelong line is drawn once; one-time curves with a relapse risk are dashed. The
    legend sits below the axes so that it stays readable on a phone.
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves must be a non-empty dict of label -> table")
    for label, df in curves.items():
        validation.require_columns(f"curve {label!r}", df, _CURVE_COLUMNS)
    fig, ax = new_figure(height_in=4.4)
    lifelong_drawn = False
    for label, df in curves.items():
        for strategy, part in df.groupby("strategy", sort=False):
            if strategy == LIFELONG:
                if lifelong_drawn:
                    continue
                lifelong_drawn = True
                style = {"color": SCENARIO_COLOURS["reference"], "linestyle": "-"}
                name = "Lifelong immunosuppression"
            else:
                relapse = part["relapse_rate_per_year"].iloc[0] > 0
                style = {
                    "color": SCENARIO_COLOURS["autoimmune"],
                    "linestyle": "--" if relapse else "-",
                }
                name = label
            ax.plot(
                part["age_years"], part["treatment_years"], lw=2.2, label=name, **style
            )
    ax.set_xlabel("Age (years)")
    ax.set_ylabel("Cumulative years on treatment")
    fig.legend(loc="outside lower center", ncols=1)
    return fig, ax
