"""Figures of the cost chapter: each is drawn from a small table, labelled, and validated."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

import cart_autoimmunity as ca  # noqa: E402
from cart_autoimmunity.figures import costs as fc  # noqa: E402


def _legend_texts(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_modality_bars_have_labels_and_a_legend_below_the_axes():
    options = ca.costs.compare_modalities(in_vivo_doses=(1,))
    breakdown = ca.costs.option_breakdown(options)
    fig, ax = fc.plot_modality_costs(
        breakdown, prices={"list price": (373_000, 475_000)}
    )
    assert ax.get_xlabel()
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "list price"
    assert "product" in _legend_texts(fig) and "reported price" in _legend_texts(fig)
    assert ax.get_legend() is None  # the legend sits outside the axes
    plt.close(fig)


def test_scale_and_tornado_figures_are_labelled():
    by_patients = ca.costs.cost_vs_scale([50, 200, 800])
    by_batch = ca.costs.cost_vs_doses_per_batch([1, 10, 100])
    fig, (left, right) = fc.plot_cost_vs_scale(
        by_patients, by_batch, {"autologous": 200}, 100
    )
    assert left.get_xlabel() and right.get_xlabel() and left.get_ylabel()
    assert set(_legend_texts(fig)) == {"Autologous", "Allogeneic (batch)", "In vivo"}
    plt.close(fig)
    table = ca.costs.tornado("autologous")
    fig, ax = fc.plot_tornado(
        table, ca.costs.cost_per_patient("autologous"), "autologous", top=3
    )
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(table["label"].head(3))[::-1]
    assert "_" not in "".join(labels)
    plt.close(fig)


def test_cost_figures_reject_bad_tables():
    with pytest.raises(ValueError, match="breakdown"):
        fc.plot_modality_costs(ca.costs.compare_modalities())
    with pytest.raises(ValueError, match="price range"):
        breakdown = ca.costs.option_breakdown(ca.costs.compare_modalities())
        fc.plot_modality_costs(breakdown, prices={"bad": (5, 1)})
    with pytest.raises(ValueError, match="by_batch"):
        fc.plot_cost_vs_scale(
            ca.costs.cost_vs_scale([10, 20]), ca.costs.cost_vs_scale([10]), {}, 1
        )
    with pytest.raises(ValueError, match="modality"):
        fc.plot_tornado(ca.costs.tornado("autologous"), 1.0, "lymphoma")
    plt.close("all")
