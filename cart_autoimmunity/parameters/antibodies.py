"""Parameters of the antibody-compartment family (model M3): plasmablasts, plasma cells, IgG.

Time is in days. Cell compartments and antibody levels are fractions of their pre-treatment
steady state (1 = baseline), so no absolute cell numbers are needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import evidence
from ..units import DAYS_PER_YEAR
from ._fields import Parameters, param


@dataclass(frozen=True)
class AntibodyParameters(Parameters):
    """Model M3: autoreactive B cells, short-lived plasmablasts, long-lived plasma cells, IgG."""

    igg_half_life_days: float = param(
        21.0,
        unit="day",
        description="half-life of secreted IgG (autoantibody and vaccine antibody)",
        source="mei2009; upper end of the 2-3 week maximum half-life of secreted immunoglobulin",
        check="positive",
    )
    short_lived_half_life_days: float = param(
        5.0,
        unit="day",
        description="half-life of short-lived autoreactive plasmablasts (CD19+)",
        assumption="days-scale lifespan of short-lived antibody-secreting cells; not measured in lupus, vary it",
        check="positive",
    )
    autoreactive_llpc_half_life_days: float = param(
        11 * DAYS_PER_YEAR,
        unit="day",
        description="half-life of autoreactive CD19-negative long-lived plasma cells",
        assumption="taken equal to the shortest vaccine-antibody half-life (tetanus, 11 years); not measured",
        check="positive",
    )
    vaccine_llpc_half_life_days: float = param(
        11 * DAYS_PER_YEAR,
        unit="day",
        description="half-life of vaccine-specific long-lived plasma cells (tetanus titre)",
        source="amanna2007; tetanus antibody half-life 11 years, the fastest-waning antigen reported",
        check="positive",
    )
    short_lived_autoantibody_fraction: float = param(
        0.9,
        unit="fraction",
        description="share of the autoantibody made by short-lived plasmablasts (f_S)",
        assumption="most autoantibody from CD19+ plasmablasts; mei2015 shows CD19- plasma cells add some, so f_S < 1",
        check="fraction",
    )
    depletion_hazard_per_day: float = param(
        2.0,
        unit="1/day",
        description="kill hazard on a targeted compartment while CAR T cells are active",
        assumption="targets cleared within days, as blood B cells become undetectable within the first week",
        check="non_negative",
    )
    depletion_window_days: float = param(
        evidence.lookup(
            "erlangen_trials",
            evidence.trials.B_RETURN,
            evidence.trials.MACKENSEN_2022,
        ),
        unit="day",
        description="how long the CAR T cells kill their targets (the aplasia window)",
        source="mackensen2022; B cells reappeared 110 +/- 32 days after CD19 CAR T in lupus",
        check="non_negative",
    )
    reseeding_fraction: float = param(
        0.0,
        unit="fraction",
        description="autoreactive B-cell drive restored after the window (0 = none)",
        assumption="returning naive B cells do not re-seed autoreactive plasmablasts within the book's horizon",
        check="fraction",
    )
    b_cell_return_per_day: float = param(
        0.05,
        unit="1/day",
        description="rate at which the B-cell drive returns to reseeding_fraction after the window",
        assumption="weeks-scale B-cell repopulation; only matters when reseeding_fraction > 0",
        check="non_negative",
    )
