"""The antibody figures (chapters 6, 9): drawn from small tables, labelled, checked."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from cart_autoimmunity.figures import antibodies as fa  # noqa: E402
from cart_autoimmunity.figures.style import TARGET_COLOURS  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _frame(targets=("none", "CD19", "BCMA")) -> pd.DataFrame:
    """A tiny antibody time course: one decaying line per target and quantity."""
    t = np.linspace(0, 365, 13)
    parts = [
        pd.DataFrame(
            {
                "time_days": t,
                "target": target,
                "quantity": quantity,
                "fraction_of_baseline": np.exp(-k * t / 365),
            }
        )
        for k, target in enumerate(targets)
        for quantity in ("autoantibody", "vaccine_antibody")
    ]
    return pd.concat(parts, ignore_index=True)


def _legend(fig, ax) -> list[str]:
    assert ax.get_legend() is None, "the legend must sit outside the axes"
    assert len(fig.legends) == 1
    return [text.get_text() for text in fig.legends[0].get_texts()]


def test_time_courses_draw_one_line_per_target_in_its_colour():
    fig, axes = fa.plot_antibody_time_courses(_frame(), window_days=110)
    assert [ax.get_title(loc="left") for ax in axes] == [
        "Autoantibody",
        "Vaccine antibody",
    ]
    lines = {line.get_label(): line for line in axes[0].get_lines()}
    assert lines["CD19"].get_color() == TARGET_COLOURS["CD19"]
    assert lines["no CAR T"].get_color() == TARGET_COLOURS["none"]
    # Percent of the starting level: a line that starts at 1 starts at 100.
    assert lines["CD19"].get_ydata()[0] == pytest.approx(100)
    assert _legend(fig, axes[0]) == ["no CAR T", "CD19", "BCMA", "CAR T active"]
    assert axes[0].get_ylabel() == "% of pre-treatment level"


def test_time_courses_reject_bad_tables():
    with pytest.raises(ValueError, match="frame is missing columns"):
        fa.plot_antibody_time_courses(_frame().drop(columns="target"))
    frame = _frame()
    with pytest.raises(ValueError, match="vaccine_antibody"):
        fa.plot_antibody_time_courses(frame[frame["quantity"] == "autoantibody"])
    with pytest.raises(ValueError, match="unknown targets"):
        fa.plot_antibody_time_courses(_frame(("CD19", "CD22")))
    with pytest.raises(ValueError, match="window_days must be >= 0"):
        fa.plot_antibody_time_courses(_frame(), window_days=-5)


def test_tradeoff_places_each_target_at_removed_and_kept_percent():
    summary = pd.DataFrame(
        {
            "target": ["CD19", "BCMA"],
            "autoantibody_fraction": [0.15, 0.05],
            "vaccine_titre_fraction": [0.95, 0.02],
        }
    )
    fig, ax = fa.plot_tradeoff(summary)
    points = [tuple(c.get_offsets()[0]) for c in ax.collections]
    assert points[0] == pytest.approx((85, 95))
    assert points[1] == pytest.approx((95, 2))
    assert ax.get_xlabel() == "Autoantibody removed by day 90 (%)"
    assert ax.get_ylabel() == "Vaccine titre kept at day 365 (%)"
    assert _legend(fig, ax) == ["CD19", "BCMA"]


def test_tradeoff_rejects_bad_tables():
    good = pd.DataFrame(
        {
            "target": ["CD19"],
            "autoantibody_fraction": [0.1],
            "vaccine_titre_fraction": [1.0],
        }
    )
    with pytest.raises(ValueError, match="summary is missing columns"):
        fa.plot_tradeoff(good.drop(columns="vaccine_titre_fraction"))
    with pytest.raises(ValueError, match="summary must not be empty"):
        fa.plot_tradeoff(good.iloc[0:0])
    with pytest.raises(ValueError, match="unknown targets"):
        fa.plot_tradeoff(good.assign(target="CD7"))
    with pytest.raises(ValueError, match="vaccine_day must be >= 0"):
        fa.plot_tradeoff(good, vaccine_day=-1)
