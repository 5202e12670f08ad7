"""Models behind the book *CAR T cells for autoimmune disease, from management to reset*.

The package flows one way, and its layout shows it::

    evidence/     cited numbers as data files, one table per topic (sources: references.bib)
    parameters/   every model parameter, with unit, symbol and source or assumption
    kinetics, cytokines, antibodies, in_vivo, beta_cells, clonal_escape, tolerance,
    cohort, costs, burden, meta_analysis
                  the models: pure functions from parameters to tidy tables (with sweeps)
    figures/      draw those tables; never run a model
    numerics      solver tolerances, in one place
    chapter       what a chapter notebook needs: set-up, glued numbers, reader tables
    claims        the story's claims as data: checks, bounds, verdicts
    chapters/     one module per chapter: the numbers it quotes, its tables, its claims
    ledger        collects the chapters' claims and renders them

A chapter starts with ``import cart_autoimmunity as ca``. Nothing here imports a notebook.
"""

from importlib import import_module

__version__ = "0.1.0"

# Submodules and parameter classes load on first use (module-level __getattr__, PEP 562):
# `import cart_autoimmunity as ca` costs almost nothing, and `ca.kinetics`, `ca.ledger`
# (which runs every model) or `ca.KineticsParameters` import what they need when first
# touched. tests/test_layers.py checks what the bare import loads.
_SUBMODULES = (
    "antibodies",
    "beta_cells",
    "burden",
    "chapter",
    "chapters",
    "claims",
    "clonal_escape",
    "cohort",
    "costs",
    "cytokines",
    "evidence",
    "figures",
    "in_vivo",
    "kinetics",
    "ledger",
    "meta_analysis",
    "numerics",
    "parameters",
    "tolerance",
    "validation",
)
_CLASSES = {
    "AntibodyParameters": "parameters.antibodies",
    "BetaCellParameters": "parameters.beta_cells",
    "CPeptideParameters": "parameters.beta_cells",
    "BurdenParameters": "parameters.burden",
    "CloneParameters": "parameters.clonal_escape",
    "CostParameters": "parameters.costs",
    "PopulationParameters": "parameters.costs",
    "InVivoParameters": "parameters.in_vivo",
    "CohortParameters": "parameters.kinetics",
    "KineticsParameters": "parameters.kinetics",
    "SevereCRSParameters": "parameters.kinetics",
}

__all__ = sorted([*_CLASSES, *_SUBMODULES])


def __getattr__(name: str):
    if name in _SUBMODULES:
        return import_module(f".{name}", __name__)
    if name in _CLASSES:
        value = getattr(import_module(f".{_CLASSES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
