"""Figures of the cost model (:mod:`cart_autoimmunity.costs`, M8).

Cost of goods and delivery per patient by modality (chapter 8), the explorable figure of
:func:`costs.assumption_grid`, and the collect-engineer-infuse timeline with each product's
manufacturing failure rate (chapter 3, the table of
:func:`cart_autoimmunity.evidence.delivery.process_timeline`, the process the cost model
prices).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from .. import validation
from ._interactive import (
    ExplorableFigure,
    check_grid,
    connect,
    format_number,
    format_thousand_usd,
    legend_below,
    new_plot,
    readout_div,
    require_row,
    select_controls,
    start_row,
)
from .style import (
    OKABE_ITO,
    SCENARIO_COLOURS,
    SMALL_FONT_PT,
    new_figure,
)

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
            1.25  # room for the price label right of the longest bar
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


#: Colours of the steps of the autologous process.
STEP_COLOURS = {
    "collect T cells": OKABE_ITO["sky_blue"],
    "engineer and expand": OKABE_ITO["orange"],
    "lymphodepletion": OKABE_ITO["reddish_purple"],
    "infuse": OKABE_ITO["vermillion"],
}


def plot_process_timeline(timeline: pd.DataFrame):
    """Horizontal bars, one row per product: collect, engineer, lymphodeplete, infuse.

    The manufacturing failure rate of each product is written at the end of its row.
    """
    needed = {
        "product",
        "step",
        "start_day",
        "end_day",
        "manufacturing_failure",
        "failure_events",
        "failure_n",
    }
    if (
        not isinstance(timeline, pd.DataFrame)
        or timeline.empty
        or not needed <= set(timeline.columns)
    ):
        raise ValueError(
            f"timeline must be a non-empty table with columns {sorted(needed)}"
        )
    products = list(dict.fromkeys(timeline["product"]))
    fig, ax = new_figure(height_in=3.2)
    labelled = set()
    for y, product in enumerate(products):
        part = timeline[timeline["product"] == product]
        for _, row in part.iterrows():
            colour = STEP_COLOURS.get(row["step"], OKABE_ITO["grey"])
            label = row["step"] if row["step"] not in labelled else None
            labelled.add(row["step"])
            ax.barh(
                y,
                row["end_day"] - row["start_day"],
                left=row["start_day"],
                height=0.5,
                color=colour,
                edgecolor="white",
                label=label,
            )
        first = part.iloc[0]
        ax.text(
            part["end_day"].max() + 1.0,
            y,
            f"{first['manufacturing_failure']:.1%} failed "
            f"({first['failure_events']}/{first['failure_n']})",
            va="center",
            fontsize=SMALL_FONT_PT,
        )
    ax.set_yticks(range(len(products)), products)
    ax.invert_yaxis()
    ax.set_xlim(0, timeline["end_day"].max() * 1.6)  # room for the label
    ax.set_xlabel("Days after T-cell collection")
    fig.legend(loc="outside lower center", ncols=2, fontsize=SMALL_FONT_PT)
    ax.grid(axis="y", visible=False)
    return fig


# --------------------------------------------------------------------------------------------
# Chapter 8: the cost model's main assumptions against cost per patient
# --------------------------------------------------------------------------------------------
COST_OPTIONS = (
    ("autologous_usd", "Autologous"),
    ("allogeneic_usd", "Allogeneic (batch)"),
    ("in_vivo_usd", "In vivo"),
)
#: Labels and formats of the assumptions a cost grid may vary (others get a generic label).
COST_CONTROLS = {
    "patients_per_year": (
        "Patients a year, autologous facility",
        lambda v: f"{v:,.0f}",
    ),
    "doses_per_batch": ("Doses per allogeneic batch", lambda v: f"{v:,.0f}"),
    "in_vivo_dose_usd": ("Cost of one in vivo dose", lambda v: f"USD {v:,.0f}"),
    "in_vivo_doses": ("In vivo doses per patient", lambda v: f"{v:,.0f}"),
    "hospital_stay_usd": (
        "Hospital stay after an ex vivo infusion",
        lambda v: f"USD {v:,.0f}",
    ),
    "manufacturing_usd": (
        "Manufacturing of one autologous product",
        lambda v: f"USD {v:,.0f}",
    ),
}


_COST_LEAD = "<p>Model cost of goods and delivery per treated patient, not a price: "


def cost_readout(row: Mapping) -> str:
    """The sentence under chapter 8's explorable figure for one grid row (HTML).

    The page composes the same sentence in JavaScript (1,000s of grid points would otherwise
    repeat it), so its ``data-value`` attributes print numbers as JavaScript does.
    """
    require_row(row)
    parts = [
        f'{label.lower()} <span class="explorable-value" data-value="{_js_number(row[column])}">'
        f"{format_thousand_usd(row[column])}</span>"
        for column, label in COST_OPTIONS
    ]
    return f"{_COST_LEAD}{'; '.join(parts)}.</p>"


def _js_number(value: float) -> str:
    """``String(value)`` in JavaScript for a finite float below 1e21 (no exponent form)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def cost_assumptions(
    grid: pd.DataFrame, *, start: Mapping | None = None
) -> ExplorableFigure:
    """Chapter 8: cost per treated patient of each modality under the chosen assumptions.

    ``grid`` is :func:`costs.assumption_grid`: one column per assumption, then
    ``autologous_usd, allogeneic_usd, in_vivo_usd`` (and ``is_default``, where the lighter
    marks sit). ``start`` picks the first point shown (default: the ``is_default`` row).
    """
    from bokeh.models import ColumnDataSource, FactorRange, Range1d

    name = "cost"
    cost_columns = [c for c, _ in COST_OPTIONS]
    validation.require_columns("grid", grid, cost_columns)
    keys = [c for c in grid.columns if c not in (*cost_columns, "is_default")]
    if not keys:
        raise ValueError("grid must have at least one assumption column")
    check_grid(grid, keys)
    grid = grid.reset_index(drop=True)
    row = start_row(grid, keys, start)
    specs = [
        (
            k,
            *COST_CONTROLS.get(
                k, (k.replace("_", " ").capitalize(), lambda v: f"{v:,g}")
            ),
        )
        for k in keys
    ]
    selects, level_names, level_data = select_controls(name, grid, specs, row)
    labels = [label for _, label in COST_OPTIONS]
    thousands = {c: (grid[c] / 1000.0).round(1).tolist() for c in cost_columns}
    bar_labels = {
        f"label_{c}": [format_number(v / 1000.0) for v in grid[c]] for c in cost_columns
    }
    exact = {f"exact_{c}": grid[c].astype(float).tolist() for c in cost_columns}
    store = ColumnDataSource({**level_data, **thousands, **bar_labels, **exact})

    def bars(k: int) -> dict:
        return {
            "option": labels,
            "cost": [thousands[c][k] for c in cost_columns],
            "label": [bar_labels[f"label_{c}"][k] for c in cost_columns],
        }

    shown = ColumnDataSource(bars(row))
    top = float(max(grid[c].max() for c in cost_columns)) / 1000.0
    plot = new_plot(
        "Cost per treated patient (model)",
        "Thousand USD per treated patient",
        "",
        "Horizontal bar chart of the model's cost per treated patient for autologous, "
        "allogeneic and in vivo CAR T under the chosen assumptions.",
        y_log=False,
        x_range=Range1d(0, 1.2 * top),
        # Padding above the top bar leaves room for its name.
        y_range=FactorRange(*reversed(labels), range_padding=0.2),
        height=260,
    )
    # The options' names stand above their bars, not on a y axis: on a phone an axis of
    # names would take a third of the width from the bars.
    plot.yaxis.visible = False
    plot.hbar(
        y="option", right="cost", height=0.5, source=shown, color=OKABE_ITO["blue"]
    )
    plot.text(
        x=0,
        y="option",
        text="option",
        source=shown,
        y_offset=-17,
        text_baseline="bottom",
        text_font_size="12px",
        text_color="#1a1a1a",
    )
    plot.text(
        x="cost",
        y="option",
        text="label",
        source=shown,
        x_offset=6,
        text_baseline="middle",
        text_font_size="12px",
        text_color="#1a1a1a",
    )
    if "is_default" in grid.columns and grid["is_default"].any():
        base = bars(int(np.flatnonzero(grid["is_default"].to_numpy())[0]))
        marks = plot.scatter(
            x="cost",
            y="option",
            source=ColumnDataSource(base),
            marker="dash",
            size=26,
            angle=math.pi / 2,
            line_width=2,
            color="#1a1a1a",
        )
        legend_below(plot, "with the default assumptions", marks)
    plot.ygrid.grid_line_color = None
    readout = readout_div(name, cost_readout(grid.loc[row]))
    title = "Explore the model: the cost model's main assumptions"
    summary = (
        f"ExplorableFigure({title!r}: {len(grid)} grid points over {', '.join(keys)})"
    )
    return connect(
        name,
        title,
        [plot],
        script="cost_assumptions.js",
        args=dict(
            grid=store,
            shown=shown,
            selects=selects,
            levels=level_names,
            readout=readout,
            columns=cost_columns,
            options=labels,
            lead=_COST_LEAD,
        ),
        summary=summary,
    )
