"""Parameters of model M5: in vivo (mRNA-LNP) CAR T cells, reusing M1's B-cell machinery."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._fields import Parameters, param


@dataclass(frozen=True)
class InVivoParameters(Parameters):
    """A dose adds CAR+ T cells to a non-proliferating pool V that loses CAR expression at k_CAR."""

    car_cells_per_dose: float = param(
        2e10,
        unit="cells",
        description="CAR-positive T cells created by one LNP dose",
        symbol=r"\eta",
        assumption="a large share of circulating T cells becomes CAR-positive after one dose (guided by unverified press reports only)",
        check="positive",
    )
    car_expression_loss_per_day: float = param(
        math.log(2.0),
        unit="1/day",
        description="rate at which cells lose CAR expression (a half-life of one day)",
        symbol=r"k_\text{CAR}",
        assumption="mRNA is not replicated, so the CAR fades within days; not measured in people",
        check="positive",
    )
    marrow_access_weight: float = param(
        0.03,
        unit="fraction",
        description="killing of marrow B-cell precursors by the CAR-positive pool, relative to blood B cells",
        symbol="w_V",
        assumption="short-lived CAR-positive cells in blood barely reach the marrow",
        check="fraction",
    )
    b_depleted_fraction: float = param(
        0.01,
        unit="fraction",
        description="B cells count as depleted below this fraction of normal",
        assumption="1% of normal is the usual flow-cytometry depletion threshold",
        check="open_fraction",
    )
