"""The B-cell tolerance checkpoints as a leaky filter: published self-reactive
fractions.

Cloned antibodies from single human B cells were tested for self-reactivity at
successive stages of development. The table holds the published ranges only (no model):

* early immature B cells in the bone marrow, healthy donors: 55-75% self-reactive
  (Wardemann et al. 2003, Science);
* mature naive B cells in the blood: 5-20% in healthy controls and 25-50% in lupus
  (Yurasov et al. 2005, J Exp Med; three adolescent patients).
"""

from __future__ import annotations

import pandas as pd

from . import validation

_ROWS = [
    # stage, group, low, high, source
    ("early immature B cells (bone marrow)", "healthy", 0.55, 0.75, "wardemann2003"),
    ("mature naive B cells (blood)", "healthy", 0.05, 0.20, "yurasov2005"),
    ("mature naive B cells (blood)", "SLE", 0.25, 0.50, "yurasov2005"),
]

#: Developmental stages in order, from first to last checkpoint passed.
STAGES = ("early immature B cells (bone marrow)", "mature naive B cells (blood)")


def self_reactive_fractions() -> pd.DataFrame:
    """Published self-reactive fractions.

    Columns ``stage``, ``group``, ``low``, ``high``, ``mid`` and ``source``.
    """
    frame = pd.DataFrame(_ROWS, columns=["stage", "group", "low", "high", "source"])
    frame["mid"] = (frame["low"] + frame["high"]) / 2
    return frame[["stage", "group", "low", "high", "mid", "source"]]


def funnel(group: str = "healthy") -> pd.DataFrame:
    """The two stages for ``group`` (``"healthy"`` or ``"SLE"``), the bone-marrow stage
    shared.

    The early immature stage was measured in healthy donors only; it is used as the
    starting point for both groups. Columns as in :func:`self_reactive_fractions`, plus
    ``group_shown``.
    """
    validation.require_choice("group", group, ("healthy", "SLE"))
    table = self_reactive_fractions()
    early = table[table["stage"] == STAGES[0]]
    late = table[(table["stage"] == STAGES[1]) & (table["group"] == group)]
    out = pd.concat([early, late], ignore_index=True)
    out["group_shown"] = group
    return out


def leak_ratio() -> float:
    """How many times more self-reactive naive B cells lupus lets through.

    The ratio of the midpoints of the published ranges.
    """
    table = self_reactive_fractions()
    naive = table[table["stage"] == STAGES[1]].set_index("group")["mid"]
    return float(naive["SLE"] / naive["healthy"])
