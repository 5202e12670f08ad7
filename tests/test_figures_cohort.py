"""Smoke and validation tests of the figures set against the Erlangen data (chapters 4 and 6):
figures.cohort, and the Erlangen comparisons of figures.kinetics and figures.antibodies."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402

from cart_autoimmunity import antibodies, evidence  # noqa: E402
from cart_autoimmunity.evidence.trials import persistence_points, return_points  # noqa: E402
from cart_autoimmunity.figures import antibodies as fa  # noqa: E402
from cart_autoimmunity.figures import cohort as pe  # noqa: E402
from cart_autoimmunity.figures import kinetics as fk  # noqa: E402
from cart_autoimmunity.figures.style import SCENARIO_COLOURS  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _time_course(
    quantities=("b_cells_fraction_of_normal", "car_t_per_ul"),
) -> pd.DataFrame:
    """A tiny synthetic cohort time course with the 5/50/95% quantiles."""
    t = np.linspace(0, 400, 41)
    parts = []
    for quantity in quantities:
        for q, scale in ((0.05, 0.5), (0.5, 1.0), (0.95, 2.0)):
            parts.append(
                pd.DataFrame(
                    {
                        "time_days": t,
                        "quantity": quantity,
                        "quantile": q,
                        "value": scale * (1 - np.exp(-t / 100)) + 1e-6,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def _run(level: float) -> pd.DataFrame:
    t = np.linspace(0, 1000, 101)
    return pd.DataFrame({"time_days": t, "car_t_per_ul": level * np.exp(-t / 300)})


def _errorbars(ax) -> list:
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def _legend_texts(fig, ax) -> list[str]:
    """The legend entries of a figure whose legend sits outside, below the axes."""
    assert ax.get_legend() is None, "the legend must sit outside the axes (phone width)"
    assert len(fig.legends) == 1
    texts = [text.get_text() for text in fig.legends[0].get_texts()]
    assert all(len(text) <= 40 for text in texts), texts  # short enough for a phone
    return texts


# --- published points --------------------------------------------------------------------------
def test_return_points_carry_the_published_mean_and_sd():
    points = return_points(evidence.erlangen_trials())
    mackensen = points[points["label"].str.startswith("Mackensen")].iloc[0]
    # Mackensen et al. 2022 abstract: B cells reappeared after 110 +/- 32 (SD) days.
    assert mackensen["time_days"] == pytest.approx(110)
    assert mackensen["time_sd"] == pytest.approx(32)
    assert bool(mackensen["primary"])
    muller = points[points["label"].str.startswith("Müller")].iloc[0]
    assert not bool(muller["primary"]) and "secondary" in muller["label"]


def test_persistence_points_mark_melenhorst_as_a_lower_bound():
    points = persistence_points(evidence.car_t_persistence()).set_index("label")
    lower = points[points["lower_bound"]]
    assert (
        len(lower) == 1 and "10 years" in lower.index[0]
    )  # Melenhorst 2022: "more than ten years"
    # JULIET qPCR responders, Awasthi et al. 2020: 693 days maximum.
    assert points.loc[points.index.str.startswith("JULIET"), "time_days"].iloc[
        0
    ] == pytest.approx(693)


@pytest.mark.parametrize("fn", [return_points, persistence_points])
def test_point_builders_reject_wrong_tables(fn):
    with pytest.raises(ValueError, match="is missing columns"):
        fn(pd.DataFrame({"quantity": ["x"]}))
    with pytest.raises(ValueError, match="must be a pandas DataFrame"):
        fn("not a table")


# --- chapter 4 figures -------------------------------------------------------------------------
def test_trial_summary_draws_both_reports_with_error_bars():
    fig, (left, right) = pe.plot_trial_summary(evidence.erlangen_trials())
    assert len(_errorbars(right)) == 2
    assert left.get_ylabel().startswith("SLEDAI-2K")
    names = [label.get_text() for label in right.get_yticklabels()]
    assert names == ["Mackensen et al. 2022", "Müller et al. 2024"]


def test_trial_summary_draws_a_range_only_where_its_end_points_are_known():
    # Mackensen 2022 gives "16 (8)" at baseline (a width, no end points) and "0 (2)" after
    # three months (0-2, since a score cannot be negative): one range bar, on the second bar.
    fig, (left, _right) = pe.plot_trial_summary(evidence.erlangen_trials())
    (bars,) = _errorbars(left)
    segments = bars.lines[2][0].get_segments()
    assert len(segments) == 1
    assert segments[0][0][0] == pytest.approx(1)  # x of the three-month bar
    assert [segments[0][0][1], segments[0][1][1]] == pytest.approx([0, 2])


def test_trial_summary_needs_the_b_cell_rows():
    trials = evidence.erlangen_trials()
    muller_return = (trials["quantity"] == "b_return_day_mean") & (
        trials["source"] == "muller2024"
    )
    with pytest.raises(ValueError, match="b_return_day_mean"):
        pe.plot_trial_summary(trials[~muller_return])


def test_b_cells_vs_data_shows_every_published_point_with_its_error_bar():
    points = return_points(evidence.erlangen_trials())
    fig, ax = pe.plot_b_cells_vs_data(_time_course(), points, threshold=0.05)
    labels = _legend_texts(fig, ax)
    assert "model, median" in labels
    assert any(label.startswith("Müller et al. 2024") for label in labels)
    bars = _errorbars(ax)
    assert len(bars) == len(points)
    for bar, (_, row) in zip(bars, points.iterrows()):
        x = bar.lines[0].get_xdata()[0]
        assert x == pytest.approx(row["time_days"])
    assert ax.get_yscale() == "log"


def test_b_cells_vs_data_validates_inputs():
    points = return_points(evidence.erlangen_trials())
    with pytest.raises(
        ValueError, match="threshold must be a fraction between 0 and 1"
    ):
        pe.plot_b_cells_vs_data(_time_course(), points, threshold=1.5)
    with pytest.raises(ValueError, match="time_course has no rows"):
        pe.plot_b_cells_vs_data(_time_course(("car_t_per_ul",)), points, threshold=0.05)
    with pytest.raises(ValueError, match="quantile"):
        pe.plot_b_cells_vs_data(_time_course(), points, threshold=0.05, high=0.99)
    with pytest.raises(ValueError, match="points is missing columns"):
        pe.plot_b_cells_vs_data(
            _time_course(), points.drop(columns="time_sd"), threshold=0.05
        )


def test_persistence_figure_uses_scenario_colours_and_marks_data():
    points = persistence_points(evidence.car_t_persistence())
    fig, ax = pe.plot_persistence_vs_data(
        _time_course(),
        {"lymphoma": _run(1.0), "leukaemia": _run(3.0)},
        points,
        detection_limit_per_ul=0.04,
        days=1000,
    )
    colours = {line.get_label(): line.get_color() for line in ax.get_lines()}
    assert colours["lymphoma run"] == SCENARIO_COLOURS["lymphoma"]
    labels = _legend_texts(fig, ax)
    assert any("off the axis" in label for label in labels)
    assert any(label.startswith("JULIET") for label in labels)


def test_persistence_figure_validates_inputs():
    points = persistence_points(evidence.car_t_persistence())
    with pytest.raises(
        ValueError, match="cancer_runs must contain at least one scenario"
    ):
        pe.plot_persistence_vs_data(
            _time_course(), {}, points, detection_limit_per_ul=0.04
        )
    with pytest.raises(ValueError, match="detection_limit_per_ul must be > 0"):
        pe.plot_persistence_vs_data(
            _time_course(), {"lymphoma": _run(1.0)}, points, detection_limit_per_ul=-1
        )
    with pytest.raises(ValueError, match="unknown scenario"):
        pe.plot_persistence_vs_data(
            _time_course(), {"mars": _run(1.0)}, points, detection_limit_per_ul=0.04
        )


def test_memory_sweep_plot_and_validation():
    sweep = pd.DataFrame(
        {
            "autoimmune_memory_factor": [0.01, 0.1, 1.0],
            "last_day_above_lod": [50.0, 54.0, 519.0],
        }
    )
    fig, ax = fk.plot_memory_sweep(
        sweep, reference_days={"lymphoma": 611.0, "six months": 182.6}
    )
    assert ax.get_xscale() == "log"
    assert ax.get_ylim()[1] > 611.0  # the highest guide stays on the plot
    assert _legend_texts(fig, ax) == ["model", "lymphoma", "six months"]
    with pytest.raises(
        ValueError, match="sweep: autoimmune_memory_factor values must be in"
    ):
        fk.plot_memory_sweep(sweep.assign(autoimmune_memory_factor=[0.0, 0.1, 1.0]))
    with pytest.raises(ValueError, match="sweep must not be empty"):
        fk.plot_memory_sweep(sweep.iloc[0:0])
    with pytest.raises(ValueError, match="sweep is missing columns"):
        fk.plot_memory_sweep(sweep.drop(columns="last_day_above_lod"))


def test_car_t_runs_take_scenario_colours_and_dash_the_variants():
    runs = {
        "autoimmune": _run(0.1),
        "autoimmune (burden only)": _run(1.0),
        "lymphoma": _run(2.0),
    }
    fig, ax = fk.plot_car_t_runs(runs, detection_limit_per_ul=0.04, days=1000)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["autoimmune"].get_color() == SCENARIO_COLOURS["autoimmune"]
    assert (
        lines["autoimmune (burden only)"].get_color() == SCENARIO_COLOURS["autoimmune"]
    )
    assert lines["autoimmune (burden only)"].get_linestyle() == "--"
    assert lines["lymphoma"].get_linestyle() == "-"
    assert _legend_texts(fig, ax)[-1] == "detection limit (assumed)"
    assert ax.get_yscale() == "log"


def test_car_t_runs_validate_inputs():
    with pytest.raises(ValueError, match="runs must contain at least one labelled run"):
        fk.plot_car_t_runs({}, detection_limit_per_ul=0.04)
    with pytest.raises(ValueError, match="detection_limit_per_ul must be > 0"):
        fk.plot_car_t_runs({"lymphoma": _run(1.0)}, detection_limit_per_ul=0)
    with pytest.raises(ValueError, match=r"runs\['lymphoma'\] is missing columns"):
        fk.plot_car_t_runs(
            {"lymphoma": pd.DataFrame({"time_days": [0.0]})},
            detection_limit_per_ul=0.04,
        )


# --- chapter 6 figures -------------------------------------------------------------------------
def test_b_cell_renewal_plot_and_validation():
    t = np.linspace(0, 365, 50)
    run = pd.DataFrame(
        {
            "time_days": t,
            "b_cells_old_fraction": 0.1 * np.exp(-t),
            "b_cells_new_fraction": 1 - np.exp(-t / 100),
        }
    )
    points = return_points(evidence.erlangen_trials())
    fig, ax = fk.plot_b_cell_renewal(run, points, threshold=0.05)
    assert len(_errorbars(ax)) == len(points)
    labels = _legend_texts(fig, ax)
    assert labels[:2] == ["pre-existing B cells", "newly made B cells"]
    with pytest.raises(ValueError, match="result is missing columns"):
        fk.plot_b_cell_renewal(
            run.drop(columns="b_cells_new_fraction"), points, threshold=0.05
        )
    with pytest.raises(ValueError, match="days must be > 0"):
        fk.plot_b_cell_renewal(run, points, threshold=0.05, days=0)


def test_reseeding_plot_draws_one_line_per_run_plus_vaccine():
    runs = {
        "a": antibodies.simulate_antibodies("CD19", t_end_days=60, n_points=61),
        "b": antibodies.simulate_antibodies("none", t_end_days=60, n_points=61),
    }
    fig, ax = fa.plot_reseeding(runs, window_days=30)
    assert len(ax.get_lines()) == 3
    assert _legend_texts(fig, ax) == ["a", "b", "vaccine antibody", "B-cell aplasia"]
    with pytest.raises(ValueError, match="window_days must be >= 0"):
        fa.plot_reseeding(runs, window_days=-1)
    with pytest.raises(
        ValueError, match="runs must contain at least one labelled antibody run"
    ):
        fa.plot_reseeding({})
    with pytest.raises(ValueError, match=r"runs\['x'\] is missing columns"):
        fa.plot_reseeding({"x": pd.DataFrame({"time_days": [0.0]})})
    with pytest.raises(ValueError, match="runs: at most 4 can be drawn"):
        fa.plot_reseeding({str(k): runs["a"] for k in range(5)})
