"""Drawing and validation tests of the rogue-cells figures (chapter 2)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cart_autoimmunity.figures import clonal_escape as fc  # noqa: E402
from cart_autoimmunity.figures import tolerance as ft  # noqa: E402
from cart_autoimmunity.figures.style import illegible_texts  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _funnel(late_low: float, late_high: float) -> pd.DataFrame:
    return pd.DataFrame({"low": [0.55, late_low], "high": [0.75, late_high]})


def _trajectory(clone: str) -> pd.DataFrame:
    t = np.arange(0.0, 400.0, 100.0)
    rows = []
    for replicate, cells in ((0, [1, 4, 16, 64]), (1, [1, 2, 0, 0])):
        rows.append(
            pd.DataFrame(
                {
                    "time_days": t,
                    "replicate": replicate,
                    "cells": cells,
                    "clone": clone,
                    "survived": cells[-1] > 0,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _passage() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "clone": ["autoreactive"] * 3 + ["tumour"] * 3,
            "years": [6.0, 6.5, np.nan, 1.0, 1.1, 0.9],
            "theory_days": [2300.0] * 3 + [366.0] * 3,
        }
    )


def test_funnel_draws_one_panel_per_group_with_range_labels():
    funnels = {"healthy": _funnel(0.05, 0.20), "SLE": _funnel(0.25, 0.50)}
    fig, axes = ft.plot_tolerance_funnel(funnels)
    assert len(axes) == 2
    assert [ax.get_title() for ax in axes] == ["Healthy donors", "SLE patients"]
    assert axes[0].get_xlabel().startswith("Self-reactive share")
    labels = {t.get_text() for t in axes[1].texts}
    assert labels == {"55–75%", "25–50%"}
    # pale bar = high end, dark bar = low end of the range (in %)
    widths = sorted(round(p.get_width(), 6) for p in axes[1].patches)
    assert widths == [25.0, 50.0, 55.0, 75.0]
    assert not illegible_texts(fig)


@pytest.mark.parametrize(
    "bad, message",
    [
        ({}, "funnels must be a non-empty dict of group -> table"),
        ({"children": _funnel(0.05, 0.2)}, "unknown group 'children'"),
        (
            {"healthy": pd.DataFrame({"low": [0.1]})},
            "funnel 'healthy' is missing columns",
        ),
        ({"healthy": _funnel(0.3, 0.2)}, "funnel 'healthy': low must not exceed high"),
        ({"healthy": _funnel(0.05, 1.2)}, "funnel 'healthy': fractions must lie in"),
    ],
)
def test_funnel_rejects_bad_input(bad, message):
    with pytest.raises(ValueError, match=message):
        ft.plot_tolerance_funnel(bad)


def test_trajectories_draw_each_replicate_with_a_legend_below():
    frames = [_trajectory("autoreactive"), _trajectory("tumour")]
    fig, ax = fc.plot_clone_trajectories(frames)
    # two replicates per clone plus one legend handle per clone
    assert len(ax.get_lines()) == 6
    assert ax.get_yscale() == "log"
    assert ax.get_xlabel() == "Years after the first rogue cell"
    assert ax.get_ylabel() == "Cells in the clone"
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts == ["Autoreactive clone", "Leukaemia-like clone"]
    assert not illegible_texts(fig)


@pytest.mark.parametrize(
    ("frames", "max_cells", "message"),
    [
        ([], 1e12, "frames must be a non-empty list of trajectory tables"),
        ([pd.DataFrame({"clone": ["tumour"]})], 1e12, "trajectory is missing columns"),
        ([_trajectory("alien")], 1e12, "trajectory names unknown clones"),
        ([_trajectory("tumour")], 0.0, "max_cells must be > 0"),
    ],
)
def test_trajectories_reject_bad_input(frames, max_cells, message):
    with pytest.raises(ValueError, match=message):
        fc.plot_clone_trajectories(frames, max_cells=max_cells)


def test_time_to_size_draws_histograms_and_theory_lines():
    fig, ax = fc.plot_time_to_size(_passage(), 1e6)
    assert "$10^{6}$" in ax.get_xlabel()
    assert ax.get_ylabel() == "Number of simulated clones"
    drawn = sum(p.get_height() for p in ax.patches)
    assert drawn == 5  # the clone that never got there is not counted
    theory = sorted(line.get_xdata()[0] for line in ax.get_lines())
    assert theory == pytest.approx([366.0 / 365.25, 2300.0 / 365.25])
    assert not illegible_texts(fig)


def test_time_to_size_draws_an_empty_panel_when_no_clone_got_there():
    passage = _passage().assign(years=np.nan, theory_days=np.inf)
    fig, ax = fc.plot_time_to_size(passage, 1e6)
    assert any("No clone" in t.get_text() for t in ax.texts)


@pytest.mark.parametrize(
    ("passage", "size", "message"),
    [
        (pd.DataFrame({"clone": ["tumour"]}), 1e6, "passage is missing columns"),
        (_passage().assign(clone="alien"), 1e6, "passage names unknown clones"),
        (_passage(), 1.0, "size must be > 1 cell"),
        ("not a table", 1e6, "passage must be a pandas DataFrame"),
    ],
)
def test_time_to_size_rejects_bad_input(passage, size, message):
    with pytest.raises(ValueError, match=message):
        fc.plot_time_to_size(passage, size)
