"""Figures of the damage chapter: each is drawn from a small table, labelled, and validated."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import cart_autoimmunity as ca  # noqa: E402
from cart_autoimmunity.figures import beta_cells as fb  # noqa: E402

P = ca.BetaCellParameters()
THRESHOLDS = (P.diagnosis_threshold_beta, P.classical_threshold_beta)


def _legend_texts(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_each_figure_is_drawn_with_labels_and_a_legend_below():
    runs = {
        "never": ca.beta_cells.simulate_intervention(None, P),
        "after 1 year": ca.beta_cells.simulate_intervention(365.25, P),
    }
    sweep = ca.beta_cells.sweep_intervention_times([0.0, 1.0, 2.0], P)
    delays = ca.beta_cells.depletion_delay_table([0.1, 0.01], P, intervention_year=1.0)
    figures = [
        (fb.plot_beta_trajectories(runs, *THRESHOLDS), {"never", "after 1 year"}),
        (fb.plot_final_beta(sweep, *THRESHOLDS, 2.9), {"at 10 years", "when stopped"}),
        (
            fb.plot_c_peptide(ca.beta_cells.c_peptide_band(np.linspace(0, 24, 5))),
            {"95% CI of both slopes", "mean slopes (TrialNet)"},
        ),
        (fb.plot_delay_law(delays, 2.0, "teplizumab"), {"model", "teplizumab"}),
    ]
    for (fig, ax), expected in figures:
        assert ax.get_xlabel() and ax.get_ylabel()
        assert expected <= set(_legend_texts(fig))
        assert ax.get_legend() is None
        plt.close(fig)


def test_beta_figures_fail_on_missing_columns():
    with pytest.raises(ValueError, match="sweep is missing columns"):
        fb.plot_final_beta(pd.DataFrame({"intervention_year": [1.0]}), *THRESHOLDS, 2.0)
    with pytest.raises(ValueError, match="table is missing columns"):
        fb.plot_delay_law(pd.DataFrame({"depth": [0.1]}))
    plt.close("all")
