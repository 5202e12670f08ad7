"""The forest plot: one row per cohort plus the pooled estimate, labelled axes, input checks."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from cart_autoimmunity import meta_analysis
from cart_autoimmunity.figures import meta_analysis as forest
from cart_autoimmunity.figures.style import illegible_texts


def _panel(n: int, method: str = meta_analysis.RANDOM_EFFECTS):
    table = pd.DataFrame(
        {
            "label": [f"Cohort {i} (n=10)" for i in range(n)],
            "cell_source": ["autologous", "donor", "in_vivo"][:n],
            "proportion": [0.1, 0.5, 0.9][:n],
            "low": [0.0, 0.2, 0.6][:n],
            "high": [0.4, 0.8, 1.0][:n],
        }
    )
    return table, {"method": method, "proportion": 0.5, "low": 0.2, "high": 0.8}


def test_one_row_per_cohort_and_the_pool_with_labelled_axes():
    fig = forest.plot_forest({"Outcome A": _panel(3), "Outcome B": _panel(2)})
    top, bottom = fig.axes
    assert [t.get_text() for t in top.get_yticklabels()] == [
        "Cohort 0 (n=10)",
        "Cohort 1 (n=10)",
        "Cohort 2 (n=10)",
        "Pooled",
    ]
    assert len(bottom.get_yticklabels()) == 3
    assert "%" in bottom.get_xlabel() and top.get_ylabel() == "Cohort"
    assert top.get_title(loc="left") == "Outcome A"
    assert not illegible_texts(fig)
    plt.close(fig)


def test_an_exact_total_is_drawn_as_all_patients_not_as_a_pool():
    panel = _panel(2, meta_analysis.EXACT_TOTAL)
    fig = forest.plot_forest({"Outcome": panel})
    ax = fig.axes[0]
    assert ax.get_yticklabels()[-1].get_text() == "All patients"
    assert [line.get_marker() for line in ax.get_lines()].count("D") == 0
    circles = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert [line.get_xdata()[0] for line in circles] == [50.0]
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert "All patients summed (exact interval)" in legend
    assert not any("random effects" in text for text in legend)
    plt.close(fig)


def test_every_summary_method_of_the_model_has_a_style():
    assert set(forest.SUMMARY_STYLE) == set(meta_analysis.METHODS)


def test_markers_sit_at_the_percentages():
    fig = forest.plot_forest({"Outcome": _panel(2)})
    squares = [line for line in fig.axes[0].get_lines() if line.get_marker() == "s"]
    assert sorted(line.get_xdata()[0] for line in squares) == [10.0, 50.0]
    plt.close(fig)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="panels"):
        forest.plot_forest({})
    table, pooled = _panel(2)
    with pytest.raises(ValueError, match="label"):
        forest.plot_forest({"A": (table.drop(columns="label"), pooled)})
    with pytest.raises(ValueError, match="pooled"):
        forest.plot_forest({"A": (table, {**pooled, "high": 2.0})})
    with pytest.raises(ValueError, match="pooled method"):
        forest.plot_forest({"A": (table, {**pooled, "method": "guess"})})
    table.loc[0, "cell_source"] = "martian"
    with pytest.raises(ValueError, match="cell_source"):
        forest.plot_forest({"A": (table, pooled)})
    plt.close("all")
