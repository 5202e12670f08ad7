"""Models behind the book *CAR T cells for autoimmune disease, from management to reset*.

The package flows one way, and its layout shows it::

    evidence/     cited numbers, one table per topic (sources: references.bib)
    parameters/   every model parameter, with unit, symbol and source or assumption
    kinetics, cytokines, antibodies, in_vivo, beta_cells, clonal_escape, tolerance,
    cohort, costs, burden
                  the models: pure functions from parameters to tidy tables (with sweeps)
    figures/      draw those tables; never run a model
    numerics      solver tolerances, in one place
    chapter       what a chapter notebook needs: set-up, glued numbers, reader tables
    ledger        the story's claims, each checked by a model or a cited number

A chapter starts with ``import cart_autoimmunity as ca``. Nothing here imports a notebook.
"""

from . import (
    antibodies,
    beta_cells,
    burden,
    chapter,
    clonal_escape,
    cohort,
    costs,
    cytokines,
    evidence,
    figures,
    in_vivo,
    kinetics,
    ledger,  # last: it runs every model above
    numerics,
    parameters,
    tolerance,
    validation,
)
from .parameters.antibodies import AntibodyParameters
from .parameters.beta_cells import BetaCellParameters, CPeptideParameters
from .parameters.burden import BurdenParameters
from .parameters.clonal_escape import CloneParameters
from .parameters.costs import CostParameters, PopulationParameters
from .parameters.in_vivo import InVivoParameters
from .parameters.kinetics import (
    CohortParameters,
    KineticsParameters,
    SevereCRSParameters,
)

__version__ = "0.1.0"

__all__ = [
    "AntibodyParameters",
    "BetaCellParameters",
    "BurdenParameters",
    "CPeptideParameters",
    "CloneParameters",
    "CohortParameters",
    "CostParameters",
    "InVivoParameters",
    "KineticsParameters",
    "PopulationParameters",
    "SevereCRSParameters",
    "antibodies",
    "beta_cells",
    "burden",
    "chapter",
    "clonal_escape",
    "cohort",
    "costs",
    "cytokines",
    "evidence",
    "figures",
    "in_vivo",
    "kinetics",
    "ledger",
    "numerics",
    "parameters",
    "tolerance",
    "validation",
]
