"""Memory and tolerance: plasma cells, antibody half-lives, self-reactive B cells.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from ._table import load


def antibody_longevity() -> pd.DataFrame:
    """Why CD19 CAR T spares old immunity: long-lived plasma cells, antibody half-lives.

    The IgG half-lives are background statements (an introduction, a review table), so
    they are marked secondary.
    """
    return load("antibody_longevity")


def tolerance_checkpoints() -> pd.DataFrame:
    """How many developing B cells are self-reactive, and evidence of 'rogue' clones.

    Where only a range is published, ``value`` is its midpoint (stated in the note).
    """
    return load("tolerance_checkpoints")
