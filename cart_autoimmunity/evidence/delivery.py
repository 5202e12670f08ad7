"""Making and paying for CAR T cells: vein-to-vein times, failures and prices.

Tables in the format of :mod:`cart_autoimmunity.evidence` (one row per cited number).
"""

from __future__ import annotations

import pandas as pd

from .. import validation
from ._table import fraction, row, table


def manufacturing() -> pd.DataFrame:
    """Vein-to-vein times and manufacturing failure rates of commercial autologous CAR T.

    Failure fractions are counts / number enrolled from Table 2 of the Frontiers in
    Immunology 2021 review (``fimmu2021manufacturing``); they were not found in the trial
    papers themselves, so these rows are ``secondary``. Vein-to-vein medians are from the
    EHA 2023 meta-analysis abstract (``eha2023v2v``), median of study medians.
    """
    t2 = "Secondary: Frontiers in Immunology 2021 review, Table 2 (PMC8427697); not confirmed in the trial papers' own text"
    v2v = "EHA 2023 meta-analysis abstract (PMC10431072), median of medians across studies"
    rows = [
        row(
            "vein_to_vein_median",
            30.4,
            "days",
            "axi-cel, r/r LBCL (22 studies)",
            "lymphoma",
            "eha2023v2v",
            v2v,
        ),
        row(
            "vein_to_vein_median",
            35.9,
            "days",
            "liso-cel, r/r LBCL (3 studies)",
            "lymphoma",
            "eha2023v2v",
            v2v + "; clinical trials only",
        ),
        row(
            "vein_to_vein_median",
            48.4,
            "days",
            "tisa-cel, r/r LBCL (10 studies)",
            "lymphoma",
            "eha2023v2v",
            v2v,
        ),
        row(
            "manufacturing_failure",
            fraction(12, 165),
            "fraction",
            "tisa-cel (pivotal trials)",
            "lymphoma",
            "fimmu2021manufacturing",
            t2 + ": 7% (12/165)",
            n=165,
            status="secondary",
        ),
        row(
            "manufacturing_failure",
            fraction(7, 92),
            "fraction",
            "tisa-cel (B-ALL)",
            "leukaemia",
            "fimmu2021manufacturing",
            t2 + ": 8% (7/92)",
            n=92,
            status="secondary",
        ),
        row(
            "manufacturing_failure",
            fraction(1, 111),
            "fraction",
            "axi-cel",
            "lymphoma",
            "fimmu2021manufacturing",
            t2 + ": 1% (1/111)",
            n=111,
            status="secondary",
        ),
        row(
            "manufacturing_failure",
            fraction(2, 344),
            "fraction",
            "liso-cel",
            "lymphoma",
            "fimmu2021manufacturing",
            t2
            + ": <1% (2/344); a further 8% (25/344) received a non-conforming product",
            n=344,
            status="secondary",
        ),
        row(
            "manufacturing_failure",
            fraction(3, 74),
            "fraction",
            "brexu-cel (KTE-X19)",
            "lymphoma",
            "fimmu2021manufacturing",
            t2 + ": 4% (3/74)",
            n=74,
            status="secondary",
        ),
        row(
            "manufacturing_failure",
            fraction(1, 140),
            "fraction",
            "ide-cel",
            "leukaemia",
            "fimmu2021manufacturing",
            t2 + ": <1% (1/140); myeloma, grouped with blood cancers",
            n=140,
            status="secondary",
        ),
        row(
            "never_infused_any_reason",
            fraction(50, 165),
            "fraction",
            "tisa-cel (pivotal trials)",
            "lymphoma",
            "fimmu2021manufacturing",
            t2 + ": 30% (50/165) enrolled but not infused",
            n=165,
            status="secondary",
        ),
        row(
            "never_infused_any_reason",
            fraction(10, 111),
            "fraction",
            "axi-cel",
            "lymphoma",
            "fimmu2021manufacturing",
            t2 + ": 9% (10/111)",
            n=111,
            status="secondary",
        ),
        row(
            "never_infused_any_reason",
            fraction(50, 344),
            "fraction",
            "liso-cel",
            "lymphoma",
            "fimmu2021manufacturing",
            t2 + ": 15% (50/344)",
            n=344,
            status="secondary",
        ),
        row(
            "never_infused_any_reason",
            fraction(17, 92),
            "fraction",
            "tisa-cel (B-ALL)",
            "leukaemia",
            "fimmu2021manufacturing",
            t2 + ": 18% (17/92)",
            n=92,
            status="secondary",
        ),
        row(
            "never_infused_any_reason",
            fraction(6, 74),
            "fraction",
            "brexu-cel (KTE-X19)",
            "lymphoma",
            "fimmu2021manufacturing",
            t2
            + ": total printed as 8% (3); its parts, 4% (3) failures and 4% (3) manufactured but not received, give 6/74 = 8%",
            n=74,
            status="secondary",
        ),
        row(
            "never_infused_any_reason",
            fraction(12, 140),
            "fraction",
            "ide-cel",
            "leukaemia",
            "fimmu2021manufacturing",
            t2 + ": 9% (12/140); myeloma, grouped with blood cancers",
            n=140,
            status="secondary",
        ),
    ]
    return table(rows)


def prices() -> pd.DataFrame:
    """Reported prices of CAR T products: US list prices at launch and an academic product.

    Prices, not costs. All three sources are a commentary or news reports quoting the number,
    so every row is ``secondary``. ``value`` is in the currency named in ``unit``.
    """
    rows = [
        row(
            "list_price_at_launch",
            475_000,
            "USD",
            "tisagenlecleucel (Kymriah), US, 2017",
            "leukaemia",
            "prasad2018",
            "Secondary: Nature Reviews Clinical Oncology News & Views abstract, 'the high price tag of US$475,000'; a commentary quoting the launch price from a news report",
            status="secondary",
        ),
        row(
            "list_price_at_launch",
            373_000,
            "USD",
            "axicabtagene ciloleucel (Yescarta), US, 2017",
            "lymphoma",
            "scrip2017",
            "Secondary: Scrip (Citeline) news report, priced at US$373,000 after FDA approval on 18 October 2017",
            status="secondary",
        ),
        row(
            "reimbursed_price",
            89_000,
            "EUR",
            "ARI-0001 (Hospital Clínic Barcelona), Spain",
            "leukaemia",
            "stat2023ari",
            "Secondary: STAT News report read in an aggregator copy, reimbursed by the Spanish national health system at 89,000 euros, roughly a third of commercial list prices",
            status="secondary",
        ),
        row(
            "reimbursed_price_usd",
            97_000,
            "USD",
            "ARI-0001 (Hospital Clínic Barcelona), Spain",
            "leukaemia",
            "stat2023ari",
            "Secondary: STAT News report read in an aggregator copy, the report's own conversion, about US$97,000",
            status="secondary",
        ),
    ]
    return table(rows)


#: Products with both a vein-to-vein median and a manufacturing failure row.
PRODUCTS = ("axi-cel", "liso-cel", "tisa-cel")


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
