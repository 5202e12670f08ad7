"""Damage that removing the immune attack cannot undo.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from ._table import load


def organ_damage() -> pd.DataFrame:
    """Damage that removing the immune attack cannot undo: beta cells and axons."""
    return load("organ_damage")
