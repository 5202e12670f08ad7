"""Drawing and validation tests of the chapter-1 figures (burden of disease)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cart_autoimmunity.figures import burden as fb  # noqa: E402
from cart_autoimmunity.figures.style import illegible_texts  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _prevalence(women: float = 0.6) -> pd.DataFrame:
    return pd.DataFrame(
        {"quantity": ["female_fraction_of_diagnosed", "other"], "value": [women, 3.0]}
    )


def _curve(relapse: float) -> pd.DataFrame:
    ages = np.linspace(20, 80, 7)
    t = ages - 20
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "age_years": ages,
                    "strategy": "lifelong immunosuppression",
                    "relapse_rate_per_year": 0.0,
                    "treatment_years": t,
                }
            ),
            pd.DataFrame(
                {
                    "age_years": ages,
                    "strategy": "one-time CAR T",
                    "relapse_rate_per_year": relapse,
                    "treatment_years": relapse * t**2 / 2,
                }
            ),
        ],
        ignore_index=True,
    )


def test_diagnoses_by_sex_draws_both_shares_with_labels():
    fig, ax = fb.plot_diagnoses_by_sex(_prevalence(0.6))
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == pytest.approx([60.0, 40.0])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Women", "Men"]
    assert "newly" in ax.get_ylabel() and "(%)" in ax.get_ylabel()
    assert not illegible_texts(fig)


@pytest.mark.parametrize(
    "bad, message",
    [
        ("not a table", "prevalence must be a pandas DataFrame"),
        (pd.DataFrame(), "prevalence is missing columns"),
        (
            pd.DataFrame({"quantity": ["other"], "value": [1.0]}),
            "prevalence has no 'female_fraction_of_diagnosed' row",
        ),
        (_prevalence(1.5), "prevalence: the women's share must lie in"),
    ],
)
def test_diagnoses_by_sex_rejects_bad_tables(bad, message):
    with pytest.raises(ValueError, match=message):
        fb.plot_diagnoses_by_sex(bad)


def test_cumulative_treatment_draws_lifelong_once_and_dashes_relapse():
    curves = {"no relapse": _curve(0.0), "with relapse": _curve(0.05)}
    fig, ax = fb.plot_cumulative_treatment(curves)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"Lifelong immunosuppression", "no relapse", "with relapse"}
    assert lines["with relapse"].get_linestyle() == "--"
    assert lines["no relapse"].get_linestyle() == "-"
    assert ax.get_xlabel() == "Age (years)"
    assert ax.get_ylabel() == "Cumulative years on treatment"
    # the legend sits on the figure (below the axes), not inside them
    assert ax.get_legend() is None and fig.legends
    assert not illegible_texts(fig)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({}, "curves must be a non-empty dict of label -> table"),
        ([_curve(0.0)], "curves must be a non-empty dict of label -> table"),
        ({"x": pd.DataFrame({"age_years": [1.0]})}, "curve 'x' is missing columns"),
        ({"x": "not a table"}, "curve 'x' must be a pandas DataFrame"),
    ],
)
def test_cumulative_treatment_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        fb.plot_cumulative_treatment(bad)
