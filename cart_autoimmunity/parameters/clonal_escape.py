"""Parameters of the clonal-escape family (model M7): a lymphocyte clone as a
birth-death process.

Rates are per cell per day. A clone whose cells die at ``birth x (1 - escape_fraction)``
grows on average at ``birth x escape_fraction`` per day and survives, from one cell,
with probability ``escape_fraction``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._fields import Parameters, param


@dataclass(frozen=True)
class CloneParameters(Parameters):
    """Model M7: an autoreactive clone with an apoptosis defect; a leukaemic clone."""

    memory_b_division_per_day: float = param(
        0.0266,
        unit="1/day",
        description="division rate of an autoreactive (memory-like) B cell",
        source=(
            "macallan2005; blood memory B cells divide 2.66% per day "
            "(deuterated-glucose labelling)"
        ),
        check="positive",
    )
    escape_fraction: float = param(
        0.2,
        unit="fraction",
        description=(
            "apoptosis defect epsilon: death rate = division rate x (1 - epsilon)"
        ),
        assumption=(
            "illustrative partial escape from deletion; 0 means intact tolerance "
            "(no net growth)"
        ),
        check="fraction",
    )
    tumour_net_growth_per_day: float = param(
        1 / 30,
        unit="1/day",
        description="net growth rate of the leukaemia-like comparator clone",
        source="leontriana2021; leukaemic growth rate rho_L = 1/30 per day",
    )
    tumour_escape_fraction: float = param(
        0.2,
        unit="fraction",
        description=(
            "survival advantage of the tumour clone "
            "(its birth rate = net growth / this)"
        ),
        assumption=(
            "same escape fraction as the autoreactive clone so that only the speed "
            "differs"
        ),
        check="open_fraction",
    )
