"""Plot helpers for the evidence-led chapters (chapter 1: burden of autoimmune disease)."""

from __future__ import annotations

import pandas as pd

from .style import OKABE_ITO, SCENARIO_COLOURS, new_figure


def plot_diagnoses_by_sex(prevalence: pd.DataFrame):
    """Bar chart of the share of new diagnoses in women and in men (Conrad et al. 2023).

    Uses the ``female_fraction_of_diagnosed`` row of :func:`cart_autoimmunity.evidence.prevalence`;
    the men's share is taken as its complement.
    """
    women = 100 * float(prevalence.set_index("quantity").loc["female_fraction_of_diagnosed", "value"])
    heights = [women, 100 - women]
    fig, ax = new_figure(height_in=3.4)
    ax.set_axisbelow(True)
    bars = ax.bar(["Women", "Men"], heights, color=[OKABE_ITO["reddish_purple"], OKABE_ITO["sky_blue"]])
    ax.bar_label(bars, labels=[f"{h:.1f}%" for h in heights], padding=3)
    ax.set_ylabel("Share of people newly diagnosed\nwith an autoimmune disease (%)")
    ax.set_ylim(0, 100)
    ax.set_title("UK cohort, 2000-2019 (Conrad et al. 2023)", loc="left")
    return fig, ax


def plot_cumulative_treatment(curves: dict[str, pd.DataFrame]):
    """Cumulative years of treatment against age; ``curves`` maps a legend label to a
    :func:`cart_autoimmunity.burden.cumulative_treatment` table (strategy column used)."""
    fig, ax = new_figure()
    styles = {
        "lifelong immunosuppression": dict(color=SCENARIO_COLOURS["reference"], linestyle="-"),
        "one-time CAR T": dict(color=SCENARIO_COLOURS["autoimmune"], linestyle="-"),
    }
    drawn = set()
    for label, df in curves.items():
        for strategy, part in df.groupby("strategy", sort=False):
            if strategy == "lifelong immunosuppression":
                if strategy in drawn:
                    continue
                drawn.add(strategy)
                name = "Lifelong immunosuppression"
            else:
                name = label
            style = dict(styles[strategy])
            if strategy != "lifelong immunosuppression" and part["relapse_rate_per_year"].iloc[0] > 0:
                style["linestyle"] = "--"
            ax.plot(part["age_years"], part["treatment_years"], linewidth=2.2, label=name, **style)
    ax.set_xlabel("Age (years)")
    ax.set_ylabel("Cumulative years on treatment")
    ax.legend(loc="upper left")
    return fig, ax
