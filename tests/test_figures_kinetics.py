"""Kinetics figures: drawn from small hand-made tables, labelled, validated."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cart_autoimmunity.figures import cohort as fco  # noqa: E402
from cart_autoimmunity.figures import cytokines as fcy  # noqa: E402
from cart_autoimmunity.figures import in_vivo as fiv  # noqa: E402
from cart_autoimmunity.figures import kinetics as fk  # noqa: E402

DAYS = np.linspace(0, 30, 31)


def run(scale: float) -> pd.DataFrame:
    """A tiny stand-in for a simulate() table."""
    return pd.DataFrame(
        {
            "time_days": DAYS,
            "car_t_per_ul": scale * np.exp(-DAYS / 10),
            "b_cells_per_ul": 100 * (1 - np.exp(-DAYS / 20)),
            "cytokine_proxy": scale * np.exp(-DAYS),
        }
    )


def legend_texts(fig) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_time_courses_have_axis_labels_and_one_legend_below():
    runs = {"autoimmune": run(1.0), "lymphoma (burden only)": run(3.0)}
    fig = fk.plot_time_courses(
        runs, reference_lines={"car_t_per_ul": (0.1, "detection limit")}
    )
    assert [ax.get_ylabel() for ax in fig.axes] == [
        fk.LABELS["car_t_per_ul"],
        fk.LABELS["b_cells_per_ul"],
    ]
    assert fig.axes[0].get_xlabel() == "Days after infusion"
    assert legend_texts(fig) == [
        "autoimmune",
        "lymphoma (burden only)",
        "detection limit",
    ]
    assert all(ax.get_legend() is None for ax in fig.axes)  # legend outside the axes
    plt.close(fig)


def test_time_courses_reject_bad_input():
    with pytest.raises(
        ValueError, match="results must contain at least one labelled run"
    ):
        fk.plot_time_courses({})
    with pytest.raises(ValueError, match="unknown quantities"):
        fk.plot_time_courses({"autoimmune": run(1.0)}, quantities=("speed",))
    with pytest.raises(ValueError, match="quantities: plot at most two"):
        fk.plot_time_courses(
            {"a": run(1.0)},
            quantities=("car_t_per_ul", "b_cells_per_ul", "cytokine_proxy"),
        )


def cohort_table() -> pd.DataFrame:
    rows = [
        {
            "time_days": t,
            "quantity": "b_cells_per_ul",
            "quantile": q,
            "value": v * (1 + t),
        }
        for t in (0.0, 10.0, 20.0)
        for q, v in ((0.05, 1.0), (0.5, 2.0), (0.95, 4.0))
    ]
    return pd.DataFrame(rows)


def test_cohort_bands_label_the_median_and_band():
    points = pd.DataFrame({"time_days": [10.0], "value": [5.0], "label": ["Erlangen"]})
    fig = fco.plot_cohort_bands({"autoimmune": cohort_table()}, data_points=points)
    assert fig.axes[0].get_ylabel() == fk.LABELS["b_cells_per_ul"]
    assert legend_texts(fig) == ["autoimmune, median and 5%–95%", "Erlangen"]
    plt.close(fig)


def test_cohort_bands_reject_missing_quantiles_and_empty_input():
    with pytest.raises(ValueError, match="quantile"):
        fco.plot_cohort_bands({"autoimmune": cohort_table()}, low=0.1)
    with pytest.raises(
        ValueError, match="time_courses must contain at least one cohort"
    ):
        fco.plot_cohort_bands({})


def test_crs_vs_burden_draws_percentages_and_scenarios():
    sweep = pd.DataFrame(
        {"tumour_cells": [0.0, 1e9, 1e12], "severe_crs_probability": [0.03, 0.05, 0.3]}
    )
    points = pd.DataFrame(
        {
            "scenario": ["autoimmune", "leukaemia"],
            "tumour_cells": [0.0, 1e12],
            "severe_crs_probability": [0.03, 0.3],
        }
    )
    fig = fcy.plot_crs_vs_burden(sweep, points)
    ax = fig.axes[0]
    assert "%" in ax.get_ylabel() and "cells" in ax.get_xlabel()
    assert np.nanmax(ax.lines[0].get_ydata()) == pytest.approx(30.0)
    assert legend_texts(fig) == ["model", "autoimmune", "leukaemia"]
    plt.close(fig)
    with pytest.raises(ValueError, match="columns"):
        fcy.plot_crs_vs_burden(sweep.drop(columns="severe_crs_probability"))


def test_in_vivo_panels_and_validation():
    frame = pd.DataFrame(
        {
            "time_days": DAYS,
            "b_cells_fraction_of_normal": np.exp(-DAYS / 5),
            "in_vivo_car_cells": 1e8 * np.exp(-DAYS),
        }
    )
    fig = fiv.plot_in_vivo({"3 doses": frame})
    assert [ax.get_ylabel() for ax in fig.axes] == [
        fk.LABELS["b_cells_fraction_of_normal"],
        fk.LABELS["in_vivo_car_cells"],
    ]
    assert legend_texts(fig) == ["3 doses", "1% of normal"]
    plt.close(fig)
    with pytest.raises(ValueError, match="results must contain at least one schedule"):
        fiv.plot_in_vivo({})
