"""Every public function and parameter class refuses bad input, loudly and by name.

The walker finds the public functions of the model package with :mod:`inspect` (a new function
is walked automatically; one with required arguments and no entry in :data:`VALID` fails until
it gets one). For each parameter in turn it keeps the other arguments valid and passes values
that no caller can mean: NaN, infinities, negative numbers, fractions above 1, wrong types,
unknown names, empty tables and sizes beyond the stated bounds
(:data:`cart_autoimmunity.validation.MAX_POINTS`, ``MAX_REPLICATES``). A call passes only if
it raises ``ValueError`` or ``TypeError`` whose message names the parameter; a result, an
unnamed error or any other exception (``KeyError``, ``MemoryError``, ...) fails it. The table
is fixed (no random draws), so a failure is reproducible; each call has a time limit, so an
unbounded size fails quickly instead of exhausting memory.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import math
import pkgutil
import signal
from collections.abc import Callable, Mapping

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import cart_autoimmunity as ca  # noqa: E402
from cart_autoimmunity.parameters._fields import Parameters  # noqa: E402
from cart_autoimmunity.parameters.beta_cells import BetaCellParameters  # noqa: E402
from cart_autoimmunity.parameters.in_vivo import InVivoParameters  # noqa: E402
from cart_autoimmunity.parameters.kinetics import KineticsParameters  # noqa: E402

MODULES = [
    "kinetics",
    "cytokines",
    "antibodies",
    "in_vivo",
    "beta_cells",
    "clonal_escape",
    "costs",
    "cohort",
    "burden",
    "tolerance",
    "numerics",
    "validation",
    "chapter",
    "claims",
    "figures._interactive",  # private, but its formatting functions (its __all__) are walked
]
PACKAGES = ["parameters", "evidence", "figures"]

#: Public names that are not walked, each with its reason.
SKIP = {
    # No parameters: nothing to pass a bad value to.
    **dict.fromkeys(
        [
            "chapter.setup",
            "chapter.warn_about_illegible_figures",
            "chapter.draw_figures_as_palette_png",
            "cohort.published_b_cell_return",
            "evidence.all_evidence",
            "evidence.citation_keys",
            "numerics.tolerance_scale",
            "parameters.parameter_classes",
            "parameters.parameter_table",
            "figures.style.use_book_style",
            "tolerance.self_reactive_fractions",
            "tolerance.leak_ratio",
        ],
        "no parameters",
    ),
}

#: Parameters for which negative numbers are meaningful, with the reason.
NEGATIVE_OK = {
    "numerics.round_significant.value": "any real number can be rounded",
    "chapter.converged.value": "any real number can be rounded",
    "chapter.number.value": "any real number can be written",
    "figures._interactive.format_number.value": "any real number can be written",
    "validation.require_finite.value": "the finite check accepts negatives",
    "validation.require_increasing.values": "an increasing sequence may start below 0",
    "validation.require_array.values": "no minimum unless the caller gives one",
    "parameters.format_value.value": "some parameters are negative (C-peptide slopes)",
}

#: Parameters for which NaN, infinities and negatives have a documented meaning: only a
#: wrong type is bad.
DEFINED = {
    "figures._interactive.format_number.value": "NaN shows as 'n/a': a read-out not reached",
}

#: Parameters whose kind the annotation does not tell. "text" is free text (a caption, a
#: citation key the book build checks): only a wrong type is bad.
KINDS = {
    "costs.assumption_grid.values": "mapping",
    "chapter.cite.keys": "text",
    "chapter.over_precise_numbers.text": "text",
    "chapter.reader_table.caption": "text",
    "chapter.reader_table.name": "text",
    "chapter.parameter_table.caption": "text",
    "chapter.parameter_table.name": "text",
    "chapter.significant_figures.token": "text",
    "validation.require_text.value": "text",
    "figures.beta_cells.plot_delay_law.reference_label": "text",
    "evidence.trials.reader_name.source": "text",  # an unnamed key is shown as it is
}

#: The validation helpers report their caller's parameter (``name``); only the value they
#: check is walked, the other arguments are set by the package's own code.
VALIDATION_VALUES = {"value", "values", "frame", "span", "step"}

#: Numeric parameters that are sizes: a huge value must be refused before any allocation.
SIZES = {
    "antibodies.simulate_antibodies.n_points": 10**12,
    "antibodies.simulate_targets.n_points": 10**12,
    "antibodies.reseeding_runs.t_end_days": 1e12,
    "antibodies.tradeoff_summary.vaccine_day": 1e12,
    "clonal_escape.simulate_clone_sizes.n_replicates": 10**12,
    "clonal_escape.simulate_clone_sizes.t_end_days": 1e12,
    "clonal_escape.simulate_clone.n_replicates": 10**12,
    "clonal_escape.simulate_clone.t_end_days": 1e12,
    "clonal_escape.trajectories.n_replicates": 10**12,
    "clonal_escape.trajectories.n_shown": 10**12,
    "clonal_escape.time_to_size.n_replicates": 10**12,
    "clonal_escape.clone_summary.n_replicates": 10**12,
    "cohort.sample_cohort.n_patients": 10**12,
    "cohort.simulate_cohort.n_patients": 10**12,
    "cohort.b_return_moments.n_patients": 10**12,
    "kinetics.simulate.days": 1e12,
    "kinetics.simulate_patients.days": 1e12,
    "kinetics.time_grid.days": 1e12,
    "kinetics.initial_state.n_patients": 10**12,
    "kinetics.scenario_table.days": 1e12,
    "in_vivo.simulate_in_vivo.days": 1e12,
    "in_vivo.dose_count_sweep.max_doses": 10**12,
    "beta_cells.simulate_intervention.horizon_days": 1e12,
    "beta_cells.diagnosis_day.horizon_days": 1e12,
    "beta_cells.sweep_intervention_times.horizon_years": 1e12,
    "beta_cells.depletion_delay_table.horizon_years": 1e12,
    "chapter.number.figures": 10**12,
    "chapter.converged.figures": 10**12,
    "numerics.round_significant.figures": 10**12,
}

BAD_NAME = "no-such-name"
WRONG_TYPE = object()


# --- valid arguments for the required parameters -------------------------------------------
@functools.cache
def _sim() -> pd.DataFrame:
    return ca.kinetics.simulate(days=30.0, step_days=1.0)


@functools.cache
def _runs():
    return ca.kinetics.simulate_patients(days=30.0)


@functools.cache
def _in_vivo() -> pd.DataFrame:
    return ca.in_vivo.simulate_in_vivo("single", days=30.0, step_days=1.0)


@functools.cache
def _antibodies() -> pd.DataFrame:
    return ca.antibodies.simulate_antibodies("CD19", t_end_days=100.0, n_points=11)


def _kp():
    return KineticsParameters()


#: For each function with required parameters: a callable returning valid keyword arguments.
VALID: dict[str, Callable[[], dict]] = {
    "kinetics.memory_formation_per_day": lambda: {
        "params": _kp(),
        "scenario": "autoimmune",
    },
    "kinetics.initial_tumour_cells": lambda: {"params": _kp(), "scenario": "lymphoma"},
    "kinetics.scenario_rates": lambda: {"params": _kp(), "scenario": "autoimmune"},
    "kinetics.initial_state": lambda: {"params": _kp()},
    "kinetics.memory_burden_tables": lambda: {
        "runs": _memory_runs(),
        "memory_factors": MEMORY_LEVELS,
        "tumour_cells": BURDEN_LEVELS,
    },
    "kinetics.solve": lambda: {
        "rates": ca.kinetics.scenario_rates(_kp(), "autoimmune"),
        "y0": ca.kinetics.initial_state(_kp()),
        "n_stages": _kp().maturation_stages,
        "time_days": np.linspace(0.0, 5.0, 6),
    },
    "kinetics.derivatives": lambda: {
        "t": 3.0,
        "state": ca.kinetics.initial_state(_kp()),
        "rates": ca.kinetics.scenario_rates(_kp(), "autoimmune"),
        "n_stages": _kp().maturation_stages,
    },
    "kinetics.time_grid": lambda: {"days": 10.0, "step_days": 1.0},
    "kinetics.states_dict": lambda: {
        "out": np.tile(ca.kinetics.initial_state(_kp()), (3, 1)),
        "n_stages": _kp().maturation_stages,
    },
    "kinetics.check_params": lambda: {"params": _kp()},
    "kinetics.runs_frame": lambda: {"runs": _runs()},
    "kinetics.readout_arrays": lambda: {
        "t": _sim()["time_days"].to_numpy(),
        "car": _sim()[["car_t_per_ul"]].to_numpy(),
        "b_total": _sim()[["b_cells_per_ul"]].to_numpy(),
        "b_new": _sim()[["b_cells_per_ul"]].to_numpy(),
        "cytokine": _sim()[["cytokine_proxy"]].to_numpy(),
        "params": _kp(),
    },
    "kinetics.readouts": lambda: {"result": _sim()},
    "kinetics.homeostatic_only_effector": lambda: {"time_days": [0.0, 1.0, 2.0]},
    "cytokines.severe_crs_probability": lambda: {"cytokine_peak": 100.0},
    "antibodies.depleted_compartments": lambda: {"target": "CD19"},
    "antibodies.autoantibody_closed_form": lambda: {"t_days": [0.0, 10.0]},
    "antibodies.value_at": lambda: {
        "frame": _antibodies(),
        "quantity": "autoantibody",
        "day": 50.0,
    },
    "in_vivo.schedule_days": lambda: {"schedule": "weekly_x6"},
    "in_vivo.car_pool_closed_form": lambda: {
        "time_days": [0.0, 1.0],
        "schedule": "single",
    },
    "in_vivo.periodic_pool_bounds": lambda: {"interval_days": 7.0},
    "in_vivo.in_vivo_rates": lambda: {
        "params": _kp(),
        "in_vivo_params": InVivoParameters(),
    },
    "in_vivo.simulate_in_vivo_schedules": lambda: {"schedules": ["single"]},
    "in_vivo.in_vivo_readouts": lambda: {"result": _in_vivo()},
    "beta_cells.simulate_intervention": lambda: {"intervention_day": 365.0},
    "beta_cells.diagnosis_day": lambda: {"intervention_day": 365.0},
    "beta_cells.sweep_intervention_times": lambda: {"intervention_years": [1.0]},
    "beta_cells.attack_delay_days": lambda: {
        "depth": 0.5,
        "attack_growth_per_day": 0.004,
    },
    "beta_cells.depletion_delay_table": lambda: {"depths": [0.5]},
    "beta_cells.c_peptide_change": lambda: {"months": [0.0, 12.0]},
    "beta_cells.c_peptide_band": lambda: {"months": [0.0, 12.0]},
    "clonal_escape.clone_rates": lambda: {"clone": "autoreactive"},
    "clonal_escape.extinction_probability": lambda: {
        "birth_per_day": 0.03,
        "death_per_day": 0.01,
    },
    "clonal_escape.expected_size": lambda: {
        "birth_per_day": 0.03,
        "death_per_day": 0.01,
        "t_days": [0.0, 10.0],
    },
    "clonal_escape.approx_time_to_size": lambda: {
        "birth_per_day": 0.03,
        "death_per_day": 0.01,
        "size": 1e3,
    },
    "clonal_escape.simulate_clone_sizes": lambda: {
        "birth_per_day": 0.03,
        "death_per_day": 0.01,
        "t_end_days": 20.0,
        "n_replicates": 10,
    },
    "clonal_escape.first_passage_days": lambda: {
        "times": np.array([0.0, 5.0, 10.0]),
        "sizes": np.array([[1.0, 3.0, 9.0], [1.0, 0.0, 0.0]]),
        "size": 2.0,
    },
    "costs.cost_breakdown": lambda: {"modality": "autologous"},
    "costs.cost_per_patient": lambda: {"modality": "autologous"},
    "costs.option_breakdown": lambda: {"options": _cost_options()},
    "costs.cost_vs_scale": lambda: {"patients_per_year": [100.0]},
    "costs.cost_vs_doses_per_batch": lambda: {"doses_per_batch": [10.0]},
    "costs.tornado": lambda: {"modality": "autologous"},
    "costs.health_system_cost": lambda: {"population": 1e6},
    "burden.expected_relapse_years": lambda: {
        "years_after": np.array([0.0, 5.0]),
        "relapse_rate_per_year": 0.05,
    },
    "numerics.tolerances": lambda: {"model": "kinetics"},
    "numerics.round_significant": lambda: {"value": 1.2345},
    "validation.require_finite": lambda: {"name": "x", "value": 1.0},
    "validation.require_non_negative": lambda: {"name": "x", "value": 1.0},
    "validation.require_positive": lambda: {"name": "x", "value": 1.0},
    "validation.require_fraction": lambda: {"name": "x", "value": 0.5},
    "validation.require_open_fraction": lambda: {"name": "x", "value": 0.5},
    "validation.require_integer": lambda: {"name": "x", "value": 2},
    "validation.require_choice": lambda: {"name": "x", "value": "a", "choices": ["a"]},
    "validation.require_increasing": lambda: {"name": "x", "values": [0.0, 1.0]},
    "validation.require_array": lambda: {"name": "x", "values": [1.0]},
    "validation.require_bool": lambda: {"name": "x", "value": True},
    "validation.require_mapping": lambda: {"name": "x", "value": {"a": 1}},
    "validation.require_names": lambda: {"name": "x", "values": ["a"]},
    "validation.require_points": lambda: {"name": "x", "span": 10.0, "step": 1.0},
    "validation.require_multiple": lambda: {"name": "x", "value": 10.0, "step": 1.0},
    "validation.require_text": lambda: {"name": "x", "value": "a"},
    "validation.require_columns": lambda: {
        "name": "x",
        "frame": pd.DataFrame({"a": [1]}),
        "columns": ["a"],
    },
    "chapter.converged": lambda: {"value": 1.2345},
    "chapter.significant_figures": lambda: {"token": "1.25"},
    "chapter.over_precise_numbers": lambda: {"text": "about 1.25 cells"},
    "chapter.cite": lambda: {"keys": "mackensen2022"},
    "chapter.number": lambda: {"value": 1.2345},
    "chapter.reader_table": lambda: {
        "frame": pd.DataFrame({"a": [1.0]}),
        "columns": {"a": "A"},
        "caption": "A caption.",
        "name": "tbl-test-walker",
    },
    "chapter.show_table": lambda: {
        "spec": ca.chapter.TableSpec({"a": "A"}, "A caption."),
        "frame": pd.DataFrame({"a": [1.0]}),
        "name": "tbl-test-walker",
    },
    "chapter.parameter_table": lambda: {
        "parameter_set": "KineticsParameters",
        "caption": "A caption.",
        "name": "tbl-test-walker",
    },
    "claims.chapter_verdict": lambda: {"claims": list(_claims())},
    "claims.verdict_counts": lambda: {"entries": list(_claims())},
    "claims.check_counts": lambda: {"entries": list(_claims())},
    "parameters.format_value": lambda: {"value": 1.5},
    "parameters.parameter_rows": lambda: {"parameter_set": "KineticsParameters"},
    "evidence.lookup": lambda: {"table": "crs_rates", "quantity": "crs_any_grade"},
    "evidence.cohort_map.analysable": lambda: {
        "table": ca.evidence.cohort_map.cohorts(),
        "outcome": "drug_free_remission",
    },
    "evidence.delivery.process_timeline": lambda: {
        "manufacturing": ca.evidence.manufacturing()
    },
    "evidence.summaries.exact_binomial_interval": lambda: {"events": 3, "n": 10},
    "evidence.summaries.with_binomial_intervals": lambda: {
        "rates": ca.evidence.crs_rates()
    },
    "evidence.trials.reader_name": lambda: {"source": "mackensen2022"},
    "evidence.trials.return_points": lambda: {
        "b_cell_table": ca.evidence.erlangen_trials()
    },
    "evidence.trials.persistence_points": lambda: {
        "persistence": ca.evidence.car_t_persistence()
    },
    "figures.antibodies.plot_antibody_time_courses": lambda: {"frame": _antibodies()},
    "figures.antibodies.plot_tradeoff": lambda: {
        "summary": ca.antibodies.tradeoff_summary(targets=("none", "CD19"))
    },
    "figures.beta_cells.plot_beta_trajectories": lambda: {
        "runs": _beta_runs(),
        **_beta_thresholds(),
    },
    "figures.beta_cells.plot_final_beta": lambda: {
        "sweep": ca.beta_cells.sweep_intervention_times([0.0, 1.0], horizon_years=2.0),
        **_beta_thresholds(),
        "untreated_diagnosis_year": 2.9,
    },
    "figures.beta_cells.plot_c_peptide": lambda: {
        "band": ca.beta_cells.c_peptide_band([0.0, 12.0, 24.0])
    },
    "figures.beta_cells.plot_delay_law": lambda: {
        "table": ca.beta_cells.depletion_delay_table([0.1], horizon_years=10.0),
        "reference_delay_years": 2.0,
        "reference_label": "teplizumab",
    },
    "figures.clonal_escape.plot_clone_trajectories": lambda: {
        "frames": [ca.clonal_escape.trajectories(t_end_days=50.0, n_replicates=5)]
    },
    "figures.clonal_escape.plot_time_to_size": lambda: {
        "passage": ca.clonal_escape.time_to_size(
            1e2, t_end_days=500.0, n_replicates=20
        ),
        "size": 1e2,
    },
    "figures.costs.plot_modality_costs": lambda: {
        "breakdown": ca.costs.option_breakdown(_cost_options()),
        "prices": {"list price": (373_000.0, 475_000.0)},
    },
    "figures.costs.plot_cost_vs_scale": lambda: {
        "by_patients": ca.costs.cost_vs_scale([50, 200]),
        "by_batch": ca.costs.cost_vs_doses_per_batch([1, 10]),
        "default_patients": {"autologous": 200},
        "default_doses": 10,
    },
    "figures.costs.plot_tornado": lambda: {
        "table": ca.costs.tornado("autologous"),
        "base_cost": ca.costs.cost_per_patient("autologous"),
        "modality": "autologous",
    },
    "figures.cohort.plot_b_cells_vs_data": lambda: {
        "time_course": _cohort_course(),
        "points": _return_points(),
        "threshold": 0.1,
    },
    "figures.cohort.plot_persistence_vs_data": lambda: {
        "time_course": _cohort_course(),
        "cancer_runs": {"lymphoma": _sim()},
        "persistence": ca.evidence.trials.persistence_points(
            ca.evidence.car_t_persistence()
        ),
        "detection_limit_per_ul": 0.1,
    },
    "figures.kinetics.plot_car_t_runs": lambda: {
        "runs": {"autoimmune": _sim()},
        "detection_limit_per_ul": 0.1,
    },
    "figures.kinetics.plot_memory_sweep": lambda: {
        "sweep": _memory_grid()[0],
        "reference_days": {"a guide": 100.0},
    },
    "figures.kinetics.plot_b_cell_renewal": lambda: {
        "result": _renewal(),
        "points": _return_points(),
        "threshold": 0.1,
    },
    "figures.antibodies.plot_reseeding": lambda: {"runs": {"reset": _antibodies()}},
    "figures.kinetics.memory_readout": lambda: {
        "row": _memory_grid()[0].iloc[0].to_dict(),
        "horizon_days": 60.0,
    },
    "figures.kinetics.memory_persistence": lambda: {
        "grid": _memory_grid()[0],
        "time_courses": _memory_grid()[1],
    },
    "figures.costs.cost_assumptions": lambda: {
        "grid": ca.costs.assumption_grid({"patients_per_year": (100, 200)})
    },
    "figures.costs.cost_readout": lambda: {
        "row": ca.costs.assumption_grid({"patients_per_year": (100, 200)})
        .iloc[0]
        .to_dict()
    },
    "figures.in_vivo.schedule_readout": lambda: {
        "row": _schedule_grid()[0].iloc[0].to_dict()
    },
    "figures.in_vivo.in_vivo_schedules": lambda: {
        "grid": _schedule_grid()[0],
        "time_courses": _schedule_grid()[1],
    },
    "figures._interactive.format_number": lambda: {"value": 1.5},
    "figures.kinetics.plot_rejection_time_courses": lambda: {
        "runs": {0.0: _sim()},
        "detection_limit_per_ul": 0.1,
    },
    "figures.in_vivo.plot_cytokine_comparison": lambda: {
        "results": {"autoimmune": _sim()}
    },
    "figures.kinetics.plot_time_courses": lambda: {"results": {"autoimmune": _sim()}},
    "figures.cohort.plot_cohort_bands": lambda: {
        "time_courses": {"autoimmune": _cohort_course()},
        "data_points": pd.DataFrame(
            {"time_days": [10.0], "value": [1.0], "label": ["a"]}
        ),
    },
    "figures.cytokines.plot_crs_vs_burden": lambda: {
        "sweep": ca.cytokines.crs_vs_burden([0.0, 1e11], days=20.0),
        "scenario_points": ca.cytokines.scenario_crs_table(scenarios=("lymphoma",)),
    },
    "figures.in_vivo.plot_in_vivo": lambda: {"results": {"single": _in_vivo()}},
    "figures.style.phone_text_px": lambda: {"font_pt": 10.0, "figure_width_in": 6.0},
    "figures.style.saved_width_in": lambda: {"fig": ca.figures.style.new_figure()[0]},
    "figures.style.illegible_texts": lambda: {"fig": ca.figures.style.new_figure()[0]},
    "figures.style.crowded_texts": lambda: {"fig": ca.figures.style.new_figure()[0]},
    "figures.cytokines.plot_event_rates": lambda: {
        "rates": ca.evidence.summaries.with_binomial_intervals(ca.evidence.crs_rates())
    },
    "evidence.trials.headline_table": lambda: {
        "erlangen": ca.evidence.erlangen_trials(),
        "source": "mackensen2022",
    },
}


@functools.cache
def _cohort_course() -> pd.DataFrame:
    return ca.cohort.simulate_cohort(20, days=60.0, step_days=2.0).time_course


@functools.cache
def _beta_runs() -> dict:
    return {"never": ca.beta_cells.simulate_intervention(None, horizon_days=730.0)}


def _beta_thresholds() -> dict:
    p = BetaCellParameters()
    return {
        "klinke": p.diagnosis_threshold_beta,
        "classical": p.classical_threshold_beta,
    }


@functools.cache
def _renewal() -> pd.DataFrame:
    normal = KineticsParameters().normal_b_cells
    run = _sim()
    return run.assign(
        b_cells_old_fraction=run["b_cells_old"] / normal
        if "b_cells_old" in run
        else 0.5,
        b_cells_new_fraction=0.5,
    )


def _return_points() -> pd.DataFrame:
    return ca.evidence.trials.return_points(ca.evidence.erlangen_trials())


MEMORY_LEVELS = (0.1, 1.0)
BURDEN_LEVELS = (0.0, 1e11)


@functools.cache
def _memory_grid():
    return ca.kinetics.memory_burden_grid(MEMORY_LEVELS, BURDEN_LEVELS, days=60.0)


@functools.cache
def _memory_runs():
    return ca.kinetics.memory_burden_runs(MEMORY_LEVELS, BURDEN_LEVELS, days=60.0)


@functools.cache
def _schedule_grid():
    return ca.in_vivo.dose_schedule_grid((1, 2), (7.0,))


@functools.cache
def _cost_options() -> pd.DataFrame:
    return ca.costs.compare_modalities()


@functools.cache
def _claims() -> tuple:
    """Two claims built here (the ledger's own run every chapter's models: too slow)."""
    check = ca.claims.Check("a number (days)", 1.0, ca.claims.Bound(low=0.0))
    return tuple(
        ca.claims.Claim(
            f"walker-{verdict}", "A claim.", "notebooks/x", verdict, ("k",), (check,)
        )
        for verdict in ca.claims.VERDICTS[:2]
    )


# --- discovery -------------------------------------------------------------------------------
def _module_names() -> list[str]:
    names = list(MODULES)
    for package in PACKAGES:
        names.append(package)
        module = importlib.import_module(f"cart_autoimmunity.{package}")
        names += [
            f"{package}.{info.name}"
            for info in pkgutil.iter_modules(module.__path__)
            if not info.name.startswith("_")
        ]
    return names


def public_callables() -> dict[str, Callable]:
    """``{"module.name": object}`` for every public function defined in a walked module and
    every parameter class (each object once, under the module that defines it)."""
    found: dict[str, Callable] = {}
    seen: set[int] = set()
    for name in _module_names():
        module = importlib.import_module(f"cart_autoimmunity.{name}")
        public = getattr(module, "__all__", None) or [
            k for k in vars(module) if not k.startswith("_")
        ]
        for attr in public:
            obj = getattr(module, attr)
            if id(obj) in seen or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isclass(obj) and not (
                issubclass(obj, Parameters) and obj is not Parameters
            ):
                continue  # result records (PatientRuns, Cohort, ...) are made by the models
            if inspect.isfunction(obj) or inspect.isclass(obj):
                seen.add(id(obj))
                found[f"{name}.{attr}"] = obj
    return found


CALLABLES = public_callables()
FUNCTIONS = {
    key: fn
    for key, fn in CALLABLES.items()
    if key not in SKIP and not inspect.isclass(fn)
}
PARAMETER_CLASSES = {key: cls for key, cls in CALLABLES.items() if inspect.isclass(cls)}


# --- bad values ------------------------------------------------------------------------------
_FRACTION_WORDS = ("fraction", "share", "probability", "confidence", "low", "high")
_ARRAY_NAMES = {
    "time_days",
    "t_days",
    "t",
    "months",
    "depths",
    "years_after",
    "intervention_years",
    "patients_per_year",
    "doses_per_batch",
    "ages_years",
    "start_ages_years",
    "values",
    "y0",
    "times",
    "sizes",
    "car",
    "b_total",
    "b_new",
    "cytokine",
    "out",
    "cytokine_peak",
}


def kind(key: str, parameter: inspect.Parameter, default) -> str:
    """What sort of value a parameter takes, from its annotation, default and name."""
    if f"{key}.{parameter.name}" in KINDS:
        return KINDS[f"{key}.{parameter.name}"]
    note = str(parameter.annotation)
    if parameter.name in _ARRAY_NAMES or (
        isinstance(default, (tuple, list))
        and default
        and isinstance(default[0], (int, float))
        and not isinstance(default[0], bool)
    ):
        return "numbers"
    if isinstance(default, (tuple, list)) and default and isinstance(default[0], str):
        return "names"
    if "Parameters" in note or parameter.name in ("params", "cohort_params"):
        return "params"
    if "DataFrame" in note or isinstance(default, pd.DataFrame):
        return "frame"
    if isinstance(default, bool) or note == "bool":
        return "flag"
    if isinstance(default, str) or note.startswith("str"):
        return "name"
    if "dict" in note or "Mapping" in note or isinstance(default, Mapping):
        return "mapping"
    if note.startswith("float"):
        return "number"
    if (isinstance(default, int) and not isinstance(default, bool)) or note.startswith(
        "int"
    ):
        return "count"
    if isinstance(default, float):
        return "number"
    return "other"


def bad_values(key: str, parameter: inspect.Parameter, default) -> list:
    """The bad values to try for one parameter of the function ``key``."""
    name = parameter.name
    full = f"{key}.{name}"
    sort = kind(key, parameter, default)
    negative_ok = full in NEGATIVE_OK
    values: list = []
    if full in DEFINED:
        return [v for v in ("abc", WRONG_TYPE)]
    if sort in ("number", "count"):
        values += [math.nan, math.inf, -math.inf, "abc"]
        if not negative_ok:
            values.append(-1.0)
        if sort == "count":
            values.append(2.5)
        if any(word in name for word in _FRACTION_WORDS):
            values.append(1.5)
    elif sort == "numbers":
        values += [[math.nan], [math.inf], "abc", []]
        if not negative_ok:
            values.append([-1.0])
    elif sort == "names":
        values += [[BAD_NAME], 3, []]
    elif sort == "name":
        values += [BAD_NAME, 3]
    elif sort == "flag":
        values += ["yes"]
    elif sort == "text":
        values += [3]
    elif sort in ("params", "frame", "mapping"):
        values += ["abc", WRONG_TYPE]
        if sort == "frame":
            values.append(pd.DataFrame())
    else:
        values += [WRONG_TYPE]
    if full in SIZES:
        values.append(SIZES[full])
    return values


# --- one call --------------------------------------------------------------------------------
class _TooSlow(Exception):
    pass


def _alarm(signum, frame):
    raise _TooSlow


SECONDS_PER_CALL = 5


def problem(fn: Callable, kwargs: dict, expected: str) -> str | None:
    """None if ``fn(**kwargs)`` raises ValueError/TypeError naming ``expected``; else why not."""
    has_alarm = hasattr(signal, "SIGALRM")
    if has_alarm:
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(SECONDS_PER_CALL)
    try:
        fn(**kwargs)
    except (ValueError, TypeError) as error:
        message = str(error)
        stem = expected[:-1] if expected.endswith("s") else expected
        if stem in message:
            return None
        return f"{type(error).__name__} not naming {expected!r}: {message[:160]}"
    except _TooSlow:
        return f"no refusal within {SECONDS_PER_CALL} s"
    except Exception as error:  # noqa: BLE001 - any other exception is the finding
        return f"{type(error).__name__}: {str(error)[:160]}"
    finally:
        if has_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        plt.close("all")
    return "silent result"


def _show(value) -> str:
    return "object()" if value is WRONG_TYPE else repr(value)[:40]


def walk_function(key: str, fn: Callable) -> tuple[int, list[str]]:
    """Call ``fn`` once per (parameter, bad value); return the count and the problems."""
    signature = inspect.signature(fn)
    valid = VALID.get(key, lambda: {})()
    calls, problems = 0, []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_KEYWORD, parameter.VAR_POSITIONAL):
            continue
        default = valid.get(parameter.name, parameter.default)
        for value in bad_values(key, parameter, default):
            kwargs = {**valid, parameter.name: value}
            expected = parameter.name
            if key.startswith("validation."):
                expected = valid["name"]  # the helpers name their caller's parameter
                if parameter.name not in VALIDATION_VALUES:
                    continue
            calls += 1
            found = problem(fn, kwargs, expected)
            if found:
                problems.append(f"{key}({parameter.name}={_show(value)}): {found}")
    return calls, problems


FIELD_BAD = {
    "positive": [math.nan, math.inf, "abc", 0.0, -1.0],
    "non_negative": [math.nan, math.inf, "abc", -1.0],
    "fraction": [math.nan, "abc", -0.1, 1.5],
    "open_fraction": [math.nan, 0.0, 1.0],
    "finite": [math.nan, math.inf, -math.inf, "abc"],
    "integer": [math.nan, "abc", 0, 2.5],
}


def walk_class(key: str, cls: type) -> tuple[int, list[str]]:
    """Build the parameter class with one bad field at a time."""
    calls, problems = 0, []
    for field in dataclasses.fields(cls):
        for value in FIELD_BAD[field.metadata.get("check", "non_negative")]:
            calls += 1
            found = problem(cls, {field.name: value}, field.name)
            if found:
                problems.append(f"{key}({field.name}={_show(value)}): {found}")
    return calls, problems


# --- the tests -------------------------------------------------------------------------------
def test_every_public_function_with_required_arguments_has_valid_ones():
    """One bad value at a time needs the other arguments valid: a function with a required
    parameter and any other parameter needs an entry in VALID."""
    missing = []
    for key, fn in FUNCTIONS.items():
        params = [
            p
            for p in inspect.signature(fn).parameters.values()
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        required = [p for p in params if p.default is p.empty]
        if required and len(params) > 1 and key not in VALID:
            missing.append(key)
    assert not missing, f"add valid arguments to VALID for: {missing}"


def test_the_walker_finds_the_public_api():
    assert len(FUNCTIONS) > 100 and len(PARAMETER_CLASSES) >= 10
    assert "kinetics.simulate" in FUNCTIONS and "evidence.lookup" in FUNCTIONS
    assert "parameters.kinetics.KineticsParameters" in PARAMETER_CLASSES
    assert all(key in CALLABLES for key in SKIP), "a skipped name no longer exists"


@pytest.mark.parametrize("key", sorted(FUNCTIONS))
def test_function_refuses_bad_input_by_name(key):
    calls, problems = walk_function(key, FUNCTIONS[key])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", sorted(PARAMETER_CLASSES))
def test_parameter_class_refuses_bad_fields_by_name(key):
    calls, problems = walk_class(key, PARAMETER_CLASSES[key])
    assert calls > 0 and not problems, "\n".join(problems)


# --- the silent results found in issue #22, each now refused by name ------------------------
@pytest.mark.parametrize(
    "call, message",
    [
        # CAR T cells five days before infusion: times count from infusion, t < 0 is refused.
        (
            lambda: ca.kinetics.homeostatic_only_effector([-5.0]),
            "time_days must be >= 0",
        ),
        # A NaN time turned into 0 cells.
        (
            lambda: ca.in_vivo.car_pool_closed_form([math.nan], "single"),
            "time_days must contain only finite numbers",
        ),
        (
            lambda: ca.in_vivo.car_pool_closed_form([-1.0], "single"),
            "time_days must be >= 0",
        ),
        # A negative time in the clone-size formula.
        (
            lambda: ca.clonal_escape.expected_size(0.03, 0.01, [-1.0]),
            "t_days must be >= 0",
        ),
        # A lookup that returned day 30's value for day 10^6: no extrapolation.
        (
            lambda: ca.antibodies.value_at(_antibodies(), "autoantibody", 1e6),
            r"day must lie within the table's times \[0, 100\]",
        ),
        # figures=0 was treated as 1.
        (
            lambda: ca.numerics.round_significant(1.234, 0),
            "figures must be a whole number from 1 to 17",
        ),
        (lambda: ca.chapter.number(1.234, 0), "figures must be a whole number"),
        # Sizes were never bounded: a MemoryError after tens of seconds.
        (lambda: ca.kinetics.simulate(days=1e12), "days gives"),
        (
            lambda: ca.clonal_escape.simulate_clone(n_replicates=10**12),
            "n_replicates must be <= 100,000",
        ),
        # A KeyError for a missing table column.
        (
            lambda: ca.beta_cells.c_peptide_band([0.0, 12.0]).pipe(
                ca.figures.beta_cells.plot_delay_law
            ),
            "table is missing columns",
        ),
    ],
)
def test_the_issues_silent_results_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()
