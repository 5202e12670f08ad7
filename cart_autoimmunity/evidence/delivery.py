"""Making and paying for CAR T cells: vein-to-vein times, failures and prices.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from .. import validation
from ._table import load


def manufacturing() -> pd.DataFrame:
    """Vein-to-vein times and manufacturing failure rates of commercial autologous CAR T.

    Failure fractions are counts / number enrolled in each pivotal trial: ZUMA-2's from its
    own report (``wang2020zuma2``, ``primary``), the other five from Table 2 of the
    Frontiers in Immunology 2021 review (``fimmu2021manufacturing``), whose counts were not
    found in stored copies of the trial papers, so those rows are ``secondary``. Vein-to-vein
    medians are from the EHA 2023 meta-analysis abstract (``eha2023v2v``), median of study
    medians.
    """
    return load("manufacturing")


def prices() -> pd.DataFrame:
    """Reported prices of CAR T products: US list prices at launch and an academic product.

    Prices, not costs. All three sources are a commentary or news reports quoting the number,
    so every row is ``secondary``. ``value`` is in the currency named in ``unit``.
    """
    return load("prices")


#: Products with both a vein-to-vein median and a manufacturing failure row.
PRODUCTS = ("axi-cel", "liso-cel", "tisa-cel")


def vein_to_vein_glue(products=PRODUCTS) -> dict[str, float]:
    """:func:`vein_to_vein_days` under the glue names the chapters quote them by
    (``v2v_axi``, ``v2v_liso``, ``v2v_tisa``: the product name before its first hyphen)."""
    return {
        f"v2v_{product.split('-')[0]}": days
        for product, days in vein_to_vein_days(products).items()
    }


def vein_to_vein_days(products=PRODUCTS) -> dict[str, float]:
    """Product -> its cited median vein-to-vein time (days, T-cell collection to infusion),
    from the one ``vein_to_vein_median`` row whose cohort starts with the product's name."""
    products = validation.require_names("products", products)
    table = manufacturing()
    return {
        product: float(_one(table, "vein_to_vein_median", product)["value"])
        for product in products
    }


def process_timeline(
    manufacturing: pd.DataFrame, *, lymphodepletion_days: float = 5.0, products=PRODUCTS
) -> pd.DataFrame:
    """One row per product and step of autologous CAR T therapy, in days from T-cell collection.

    Collection is day 0; the product is infused at the cited median vein-to-vein time.
    Failure rates are taken from the row in the same ``setting`` as the vein-to-vein median
    (lymphoma for these products). Lymphodepletion is drawn over the last ``lymphodepletion_days`` before infusion (a
    schematic choice, not a cited number); the engineering step fills the time before it.
    Columns: ``product, step, start_day, end_day, vein_to_vein_days, manufacturing_failure,
    failure_events, failure_n`` (the last three repeat per product).
    """
    needed = {"quantity", "cohort", "value", "n"}
    validation.require_columns("manufacturing", manufacturing, ())
    products = validation.require_names("products", products)
    if not needed <= set(manufacturing.columns):
        raise ValueError(f"manufacturing must have columns {sorted(needed)}")
    validation.require_positive("lymphodepletion_days", lymphodepletion_days)
    if len(products) == 0:
        raise ValueError("products must name at least one product")
    rows = []
    for product in products:
        v2v = _one(manufacturing, "vein_to_vein_median", product)
        fail = _one(
            manufacturing, "manufacturing_failure", product, setting=v2v.get("setting")
        )
        days = float(v2v["value"])
        if lymphodepletion_days >= days:
            raise ValueError(
                f"lymphodepletion_days must be shorter than the vein-to-vein time of {product} ({days} days), got {lymphodepletion_days}"
            )
        steps = (
            ("collect T cells", 0.0, 1.0),
            ("engineer and expand", 1.0, days - lymphodepletion_days),
            ("lymphodepletion", days - lymphodepletion_days, days),
            ("infuse", days, days + 1.0),
        )
        for step, start, end in steps:
            rows.append(
                {
                    "product": product,
                    "step": step,
                    "start_day": start,
                    "end_day": end,
                    "vein_to_vein_days": days,
                    "manufacturing_failure": float(fail["value"]),
                    "failure_events": round(float(fail["value"]) * float(fail["n"])),
                    "failure_n": int(fail["n"]),
                }
            )
    return pd.DataFrame(rows)


def _one(table: pd.DataFrame, quantity: str, product: str, setting=None) -> pd.Series:
    """The single row for ``product`` (cohort name starts with it), in ``setting`` if given."""
    hits = table[
        (table["quantity"] == quantity) & table["cohort"].str.startswith(product)
    ]
    if setting is not None and "setting" in hits.columns:
        hits = hits[hits["setting"] == setting]
    if len(hits) != 1:
        raise ValueError(
            f"expected one {quantity!r} row for product {product!r}, found {len(hits)}"
        )
    return hits.iloc[0]
