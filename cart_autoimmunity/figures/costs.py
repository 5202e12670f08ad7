"""Figures for the cost chapter: cost of goods and delivery per patient by modality (M8)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from .. import validation
from .style import OKABE_ITO, SCENARIO_COLOURS, SMALL_FONT_PT, new_figure

#: Autologous products are the ones given to autoimmune patients so far, so they share that colour.
MODALITY_COLOURS = {
    "autologous": SCENARIO_COLOURS["autoimmune"],
    "allogeneic": SCENARIO_COLOURS["allogeneic"],
    "in_vivo": SCENARIO_COLOURS["in_vivo"],
}
COMPONENT_HATCHES = {
    "product": "",
    "facility share": "//",
    "lymphodepletion": "..",
    "hospital care": "xx",
    "administration and monitoring": "\\\\",
    "CRS observation and care": "++",
}
_THOUSANDS = FuncFormatter(lambda x, _pos: f"{x / 1000:,.0f}")


def plot_modality_costs(
    breakdown: pd.DataFrame, prices: Mapping[str, tuple[float, float]] | None = None
):
    """Stacked horizontal bars: cost components per option (thousand USD), with reported prices below.

    ``breakdown`` has columns ``option``, ``modality``, ``component`` and ``usd``. ``prices`` maps a
    label to a (low, high) price in USD (equal for a single price); each is drawn as a grey bar to
    ``low`` with a whisker to ``high``, to be compared with the solid product part of the cost bars.
    """
    needed = {"option", "modality", "component", "usd"}
    if (
        not isinstance(breakdown, pd.DataFrame)
        or breakdown.empty
        or not needed <= set(breakdown.columns)
    ):
        raise ValueError(
            f"breakdown must be a non-empty table with columns {sorted(needed)}"
        )
    options = list(dict.fromkeys(breakdown["option"]))
    if prices is not None:
        validation.require_mapping("prices", prices, empty=True)
    prices = dict(prices or {})
    for label, (low, high) in prices.items():
        if not 0 <= low <= high:
            raise ValueError(
                f"price range for {label!r} must have 0 <= low <= high, got {low!r}..{high!r}"
            )
    fig, ax = new_figure(height_in=4.6 + 0.45 * len(prices))
    n_rows = len(options) + len(prices)
    y = np.arange(n_rows)[::-1]
    components = list(dict.fromkeys(breakdown["component"]))
    for yi, option in zip(y, options):
        rows = breakdown[breakdown["option"] == option]
        colour = MODALITY_COLOURS[rows["modality"].iloc[0]]
        left = 0.0
        for _, row in rows.iterrows():
            ax.barh(
                yi,
                row["usd"],
                left=left,
                color=colour,
                alpha=0.85,
                edgecolor="white",
                hatch=COMPONENT_HATCHES[row["component"]],
            )
            left += row["usd"]
        ax.text(
            left + 4_000,
            yi,
            f"{left / 1000:,.0f}k",
            va="center",
            fontsize=SMALL_FONT_PT,
        )
    for yi, (_label, (low, high)) in zip(y[len(options) :], prices.items()):
        ax.barh(
            yi, low, color=SCENARIO_COLOURS["reference"], alpha=0.6, edgecolor="white"
        )
        if high > low:
            ax.plot([low, high], [yi, yi], color=OKABE_ITO["black"], lw=1.4)
            ax.plot(
                [high, high], [yi - 0.15, yi + 0.15], color=OKABE_ITO["black"], lw=1.4
            )
        text = (
            f"{low / 1000:,.0f}k"
            if high == low
            else f"{low / 1000:,.0f}-{high / 1000:,.0f}k"
        )
        ax.text(high + 4_000, yi, text, va="center", fontsize=SMALL_FONT_PT)
    if prices:
        ax.set_xlim(
            0,
            1.15
            * max(
                max(high for _low, high in prices.values()),
                breakdown.groupby("option")["usd"].sum().max(),
            ),
        )
        ax.axhline(y[len(options) - 1] - 0.5, color=OKABE_ITO["black"], lw=0.6, ls=":")
    ax.set_yticks(y, options + list(prices))
    ax.xaxis.set_major_formatter(_THOUSANDS)
    ax.set_xlabel("thousand USD per treated patient (cost or price)")
    ax.grid(axis="y", visible=False)
    handles = [
        Patch(
            facecolor="white", edgecolor="#444444", hatch=COMPONENT_HATCHES[c], label=c
        )
        for c in components
    ]
    if prices:
        handles.append(
            Patch(
                facecolor=SCENARIO_COLOURS["reference"],
                alpha=0.6,
                label="reported price",
            )
        )
    fig.legend(
        handles=handles, loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT
    )
    return fig, ax


def plot_cost_vs_scale(
    by_patients: pd.DataFrame,
    by_batch: pd.DataFrame,
    default_patients: Mapping[str, int],
    default_doses: int,
):
    """Left: cost per patient against patients a facility serves a year. Right: allogeneic cost against doses per batch.

    ``default_patients`` maps a modality to its default patients per year, marked by a dotted line
    in that modality's colour.
    """
    for name, table, columns in (
        (
            "by_patients",
            by_patients,
            {"modality", "option", "patients_per_year", "cost_usd"},
        ),
        ("by_batch", by_batch, {"doses_per_batch", "cost_usd", "option"}),
    ):
        if (
            not isinstance(table, pd.DataFrame)
            or table.empty
            or not columns <= set(table.columns)
        ):
            raise ValueError(
                f"{name} must be a non-empty table with columns {sorted(columns)}"
            )
    validation.require_mapping("default_patients", default_patients, empty=True)
    for modality, patients in default_patients.items():
        validation.require_choice("modality", modality, MODALITY_COLOURS)
        validation.require_integer(
            f"default_patients[{modality!r}]", patients, minimum=1
        )
    default_doses = validation.require_integer(
        "default_doses", default_doses, minimum=1
    )
    fig, (left, right) = new_figure(ncols=2, height_in=4.0)
    for modality, group in by_patients.groupby("modality", sort=False):
        left.plot(
            group["patients_per_year"],
            group["cost_usd"],
            color=MODALITY_COLOURS[modality],
            lw=2,
            label=group["option"].iloc[0],
        )
    for modality, patients in default_patients.items():
        left.axvline(patients, color=MODALITY_COLOURS[modality], lw=1.2, ls=":")
    left.set_xscale("log")
    left.set_xlabel("patients per year per facility")
    left.set_ylabel("cost per patient (thousand USD)")
    left.yaxis.set_major_formatter(_THOUSANDS)
    right.plot(
        by_batch["doses_per_batch"],
        by_batch["cost_usd"],
        color=MODALITY_COLOURS["allogeneic"],
        lw=2,
    )
    right.axvline(default_doses, color=SCENARIO_COLOURS["reference"], lw=1, ls=":")
    right.set_xscale("log")
    right.set_xlabel("doses per allogeneic batch")
    right.set_ylabel("cost per patient (thousand USD)")
    right.yaxis.set_major_formatter(_THOUSANDS)
    fig.legend(
        *left.get_legend_handles_labels(),
        loc="outside lower center",
        ncols=3,
        fontsize=SMALL_FONT_PT,
    )
    left.set_ylim(bottom=0)
    right.set_ylim(bottom=0)
    return fig, (left, right)


def plot_tornado(table: pd.DataFrame, base_cost: float, modality: str, top: int = 8):
    """Tornado plot: change in cost per patient when each input goes to its low or high value.

    Inputs are labelled by the ``label`` column of ``table`` if there is one.
    """
    needed = {"parameter", "change_at_low", "change_at_high"}
    if (
        not isinstance(table, pd.DataFrame)
        or table.empty
        or not needed <= set(table.columns)
    ):
        raise ValueError(
            f"table must be a non-empty table with columns {sorted(needed)}"
        )
    if modality not in MODALITY_COLOURS:
        raise ValueError(
            f"unknown modality {modality!r}; choose one of {sorted(MODALITY_COLOURS)}"
        )
    validation.require_non_negative("base_cost", base_cost)
    top = validation.require_integer("top", top, minimum=1)
    table = table.head(top).iloc[::-1]
    fig, ax = new_figure(height_in=4.3)
    y = np.arange(len(table))
    colour = MODALITY_COLOURS[modality]
    ax.barh(
        y, table["change_at_low"], color=colour, alpha=0.45, label="input at low end"
    )
    ax.barh(
        y, table["change_at_high"], color=colour, alpha=0.95, label="input at high end"
    )
    ax.axvline(0, color=OKABE_ITO["black"], lw=1)
    labels = (
        table["label"]
        if "label" in table.columns
        else [name.replace("_usd", "").replace("_", " ") for name in table["parameter"]]
    )
    ax.set_yticks(y, list(labels))
    ax.xaxis.set_major_formatter(_THOUSANDS)
    ax.set_xlabel(
        f"change from {base_cost / 1000:,.0f}k USD per patient (thousand USD)"
    )
    ax.grid(axis="y", visible=False)
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    return fig, ax
