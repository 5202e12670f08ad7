"""Chapter 8's module: every number its prose quotes, its tables and its claim.

Each quoted number is recomputed here from the evidence tables or the cost model, not
copied from the module.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cart_autoimmunity import costs, evidence
from cart_autoimmunity.chapters import ch08_cost as chapter
from cart_autoimmunity.parameters.costs import CostParameters, PopulationParameters

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "08_cost.ipynb"


@pytest.fixture(scope="module")
def numbers():
    return chapter.numbers()


def cost(modality, params=None, doses=1):
    return costs.cost_per_patient(modality, params or CostParameters(), doses)


def test_prices_and_failures_are_the_cited_values(numbers):
    prices = evidence.prices()
    launch = prices[prices["quantity"] == "list_price_at_launch"]["value"]
    assert numbers["list_low_k"] == pytest.approx(launch.min() / 1000)
    assert numbers["list_high_k"] == pytest.approx(launch.max() / 1000)
    assert numbers["ari_eur_k"] == pytest.approx(
        evidence.lookup("prices", "reimbursed_price") / 1000
    )
    assert numbers["ari_usd_k"] == pytest.approx(
        evidence.lookup("prices", "reimbursed_price_usd") / 1000
    )
    trials = evidence.manufacturing()
    failed = trials[trials["quantity"] == "manufacturing_failure"]["value"]
    never = trials[trials["quantity"] == "never_infused_any_reason"]["value"]
    assert numbers["fail_min_pct"] == pytest.approx(100 * failed.min())
    assert numbers["fail_max_pct"] == pytest.approx(100 * failed.max())
    assert numbers["never_min_pct"] == pytest.approx(100 * never.min())
    assert numbers["never_max_pct"] == pytest.approx(100 * never.max())


def test_costs_per_patient_are_the_models(numbers):
    p = CostParameters()
    auto, allo = cost("autologous"), cost("allogeneic")
    inv1, inv6 = cost("in_vivo"), cost("in_vivo", doses=6)
    # Whole thousands, the rounding of the figure's bar labels.
    assert numbers["cost_auto_k"] == round(auto / 1000)
    assert numbers["cost_allo_k"] == round(allo / 1000)
    assert numbers["cost_inv1_k"] == round(inv1 / 1000)
    assert numbers["cost_inv6_k"] == round(inv6 / 1000)
    assert numbers["ratio_auto_allo"] == pytest.approx(auto / allo)
    assert numbers["ratio_auto_inv1"] == pytest.approx(auto / inv1)
    assert numbers["in_vivo_icu_pct"] == pytest.approx(100 * p.in_vivo_icu_probability)
    assert numbers["ex_vivo_icu_pct"] == pytest.approx(100 * p.icu_probability)
    # Without CRS observation and intensive care: the dose, giving it and monitoring.
    bare = p.in_vivo_dose_usd + p.in_vivo_administration_usd + p.in_vivo_monitoring_usd
    assert numbers["cost_inv1_no_crs_k"] == pytest.approx(bare / 1000)
    product = (
        p.apheresis_usd
        + p.vector_usd
        + p.manufacturing_usd
        + p.quality_control_usd
        + p.logistics_usd
    ) / (1 - p.manufacturing_failure_fraction)
    assert numbers["auto_product_k"] == round(product / 1000)
    assert numbers["auto_product_share_pct"] == pytest.approx(100 * product / auto)
    low = evidence.prices().query("quantity == 'list_price_at_launch'")["value"].min()
    assert numbers["list_low_over_product"] == pytest.approx(low / product)


def test_scale_numbers_are_the_ends_of_the_figure(numbers):
    p = CostParameters()
    by_patients = costs.cost_vs_scale(chapter.PATIENTS_PER_YEAR, p)
    auto = by_patients[by_patients["modality"] == "autologous"]
    assert numbers["auto_small_patients"] == auto["patients_per_year"].iloc[0] == 20
    assert numbers["auto_large_patients"] == auto["patients_per_year"].iloc[-1] == 2000
    assert numbers["auto_small_k"] == pytest.approx(auto["cost_usd"].iloc[0] / 1000)
    assert numbers["auto_large_k"] == pytest.approx(auto["cost_usd"].iloc[-1] / 1000)
    by_batch = costs.cost_vs_doses_per_batch(chapter.DOSES_PER_BATCH, p)
    assert numbers["allo_one_dose_m"] == pytest.approx(
        by_batch["cost_usd"].iloc[0] / 1e6
    )


def test_the_allogeneic_floor_is_the_limit_and_its_parts(numbers):
    p = CostParameters()
    huge = cost("allogeneic", p.replace(doses_per_batch=10**9))
    assert numbers["allo_limit_k"] == pytest.approx(huge / 1000, rel=1e-4)
    parts = (
        numbers["allo_delivery_k"]
        + numbers["allo_facility_k"]
        + p.fill_finish_usd * (1 + p.redose_fraction) / 1000
    )
    assert numbers["allo_limit_k"] == pytest.approx(parts)
    assert numbers["allo_patients"] == p.allogeneic_patients_per_year
    assert numbers["allo_facility_k"] == pytest.approx(
        p.facility_usd_per_year / p.allogeneic_patients_per_year / 1000
    )


def figure_cell(name: str) -> str:
    """The source of the notebook's cell that draws figure ``name``."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return next(
        "".join(c["source"])
        for c in cells
        if c["metadata"].get("mystnb", {}).get("figure", {}).get("name") == name
    )


def test_the_notebook_draws_the_modality_figure_at_the_modules_doses():
    """The teaching cell types its dose counts; they must be those the prose quotes."""
    source = figure_cell("fig-cost-modalities")
    assert f"in_vivo_doses={chapter.IN_VIVO_DOSES}" in source


def test_the_prose_and_the_cost_figure_quote_one_number(numbers):
    """Issue #21: the prose said "about 220 thousand" beside a bar labelled "221k"."""
    import matplotlib.pyplot as plt

    import cart_autoimmunity as ca

    params = CostParameters()
    options = costs.compare_modalities(params, in_vivo_doses=chapter.IN_VIVO_DOSES)
    breakdown = costs.option_breakdown(options, params)
    fig, ax = ca.figures.costs.plot_modality_costs(
        breakdown, prices=chapter.price_ranges()
    )
    labels = {t.get_text() for t in ax.texts}
    plt.close(fig)
    for name in ("cost_auto_k", "cost_allo_k", "cost_inv1_k", "cost_inv6_k"):
        assert f"{numbers[name]:,.0f}k" in labels, (name, sorted(labels))


def test_captions_and_alt_texts_type_no_numbers():
    """Numbers in a caption or alt text cannot be glued, so the chapter states none."""
    import re

    cells = json.loads(NOTEBOOK.read_text())["cells"]
    for cell in cells:
        figure = cell["metadata"].get("mystnb", {})
        for text in (
            figure.get("figure", {}).get("caption", ""),
            figure.get("image", {}).get("alt", ""),
        ):
            assert not re.search(r"\d", text.replace("ARI-0001", "")), text


def test_the_try_it_cell_prints_the_costs_it_recomputed():
    """The learner's cell prints the costs of its own ``options``, so a change of the
    assumptions changes the printed numbers, not only the bars."""
    assert "print(chapter.cost_sentence(options))" in figure_cell("fig-cost-modalities")
    cheaper = CostParameters(patients_per_year=1000, doses_per_batch=500)
    table = costs.compare_modalities(cheaper, in_vivo_doses=chapter.IN_VIVO_DOSES)
    line = chapter.cost_sentence(table)
    auto = cost("autologous", cheaper)
    assert f"Autologous: {round(auto / 1000):,}" in line
    assert line != chapter.cost_sentence(chapter.options())
    stored = next(
        "".join(o.get("text", ""))
        for c in json.loads(NOTEBOOK.read_text())["cells"]
        if c["metadata"].get("mystnb", {}).get("figure", {}).get("name")
        == "fig-cost-modalities"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )
    assert stored.strip() == chapter.cost_sentence(chapter.options())


def test_the_notebook_draws_the_scale_figure_on_the_modules_grid():
    """The scale cell builds its grid with numpy; it must be the grid the prose quotes."""
    source = figure_cell("fig-cost-scale")
    grids = {}
    for line in source.splitlines():
        name, _, expression = line.partition(" = ")
        if name in ("scales", "batches"):
            grids[name] = eval(expression, {"np": np})  # the cell's own expression
    assert list(grids["scales"]) == list(chapter.PATIENTS_PER_YEAR)
    assert list(grids["batches"]) == list(chapter.DOSES_PER_BATCH)


def test_tornado_and_ordering_counts(numbers):
    swings = costs.tornado("autologous")["swing"]
    assert numbers["tornado_top_swing_k"] == pytest.approx(swings.max() / 1000)
    one = costs.ordering_under_ranges(in_vivo_doses=1)["ordered"]
    six = costs.ordering_under_ranges(in_vivo_doses=6)["ordered"]
    assert numbers["ordering_total"] == 2 * len(costs.TORNADO_RANGES) == len(six)
    assert numbers["ordering_held"] == one.sum()
    assert numbers["ordering_six_held"] == six.sum()
    assert numbers["ordering_six_held"] + numbers["ordering_six_failed"] == len(six)


def test_population_and_budget(numbers):
    population = PopulationParameters()
    sle = evidence.lookup("refractory_lupus", "sle_prevalence")
    share = evidence.lookup("refractory_lupus", "severe_refractory_share")
    assert numbers["sle_per_100k"] == pytest.approx(1e5 * sle)
    assert numbers["refractory_pct"] == pytest.approx(100 * share)
    assert numbers["refractory_sle_per_100k"] == pytest.approx(1e5 * sle * share)
    pool = sle * share / evidence.lookup("prevalence", "population_fraction_affected")
    assert numbers["refractory_sle_pool_pct"] == pytest.approx(100 * pool)
    assert numbers["candidate_over_sle"] == pytest.approx(
        population.car_t_candidate_fraction / pool
    )
    assert numbers["candidate_pct"] == pytest.approx(
        100 * population.car_t_candidate_fraction
    )
    assert numbers["prevalence_pct"] == pytest.approx(
        100 * population.autoimmune_prevalence
    )
    assert numbers["treated_share_pct"] == pytest.approx(100 * population.treated_share)
    patients = (
        1e6
        * population.autoimmune_prevalence
        * population.car_t_candidate_fraction
        * population.treated_share
    )
    assert numbers["patients_per_million"] == pytest.approx(patients)
    assert numbers["budget_auto_m"] == pytest.approx(
        patients * cost("autologous") / 1e6
    )
    assert numbers["budget_allo_m"] == pytest.approx(
        patients * cost("allogeneic") / 1e6
    )
    assert numbers["budget_inv_m"] == pytest.approx(patients * cost("in_vivo") / 1e6)
    high = evidence.prices().query("quantity == 'list_price_at_launch'")["value"].max()
    assert numbers["budget_list_high_m"] == pytest.approx(patients * high / 1e6)


def test_the_treated_share_is_a_labelled_assumption():
    field = {f.name: f for f in dataclasses.fields(PopulationParameters)}[
        "treated_share"
    ]
    assert field.metadata["assumption"] and not field.metadata["source"]
    assert PopulationParameters().treated_share == 1.0
    with pytest.raises(ValueError, match="treated_share"):
        PopulationParameters(treated_share=1.5)


def test_tables_hold_the_data_shown():
    tables = chapter.tables()
    assert set(tables) == {
        "tbl-cost-prices",
        "tbl-cost-failures",
        "tbl-cost-ex-vivo",
        "tbl-cost-delivery",
        "tbl-cost-tornado",
        "tbl-cost-ordering",
        "tbl-cost-population",
        "tbl-cost-budget",
    }
    assert list(tables["tbl-cost-ex-vivo"]["name"]) == list(chapter.EX_VIVO_INPUTS)
    assert list(tables["tbl-cost-delivery"]["name"]) == list(chapter.DELIVERY_INPUTS)
    assert set(tables["tbl-cost-population"]["name"]) == {
        f.name for f in dataclasses.fields(PopulationParameters)
    }
    assert len(tables["tbl-cost-tornado"]) == chapter.TORNADO_ROWS
    assert not tables["tbl-cost-ordering"]["ordered"].any()
    # Every cost input is in one of the two parameter tables.
    shown = set(chapter.EX_VIVO_INPUTS) | set(chapter.DELIVERY_INPUTS)
    assert shown == {f.name for f in dataclasses.fields(CostParameters)}


def test_a_trial_read_in_its_own_report_is_cited_in_its_row():
    """The failures table cites the trial's report in the row of each primary count; the
    caption cites the review for the rest."""
    table = chapter.reader_table("tbl-cost-failures")
    products = [
        row[table.headers.index("Product (pivotal trials)")] for row in table.rows
    ]
    trials = chapter.failures()
    primary = trials["status"] == "primary"
    assert primary.any() and not primary.all()
    assert [
        f"{{cite:p}}`{source}`" in cell
        for cell, source in zip(products, trials["source"], strict=True)
    ] == list(primary)
    assert "{cite:p}`fimmu2021manufacturing`" in table.caption


def test_the_budget_table_shows_a_budget_the_reader_recomputed():
    half = costs.health_system_cost(
        1e6,
        population_params=PopulationParameters(treated_share=0.5),
        prices_usd=chapter.list_prices(),
    )
    table = chapter.reader_table("tbl-cost-budget", half)
    total = dict((row[0], row[2]) for row in table.rows)["Autologous"]
    assert total == f"{half['total_usd'].iloc[0] / 1e6:.0f}"
    assert total != chapter.reader_table("tbl-cost-budget").rows[0][2]


def test_the_explorable_figure_shows_the_chapters_costs():
    grid = chapter.assumption_grid()
    default = grid[grid["is_default"]].iloc[0]
    assert default["autologous_usd"] == chapter.option_cost("Autologous")
    assert default["allogeneic_usd"] == chapter.option_cost("Allogeneic (batch)")
    assert default["in_vivo_usd"] == chapter.option_cost("In vivo, 1 dose")


def test_claim_carries_the_ledger_entry(numbers):
    (claim,) = chapter.claims()
    assert (claim.id, claim.verdict) == (
        "bespoke-is-expensive",
        "supported with caveats",
    )
    auto, allo, inv1 = cost("autologous"), cost("allogeneic"), cost("in_vivo")
    assert claim.value == pytest.approx(auto / inv1)
    assert [c.value for c in claim.checks[1:]] == pytest.approx(
        [auto / allo, allo / inv1]
    )
    assert claim.passed
    assert not claim.checks[0].bound.holds(1.0)  # equal costs would not be "expensive"
    assert f"in {numbers['ordering_six_held']}" in claim.caveat


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda: chapter.reader_table("tbl-nothing"), "name"),
        (lambda: chapter.reader_table("tbl-cost-budget", pd.DataFrame()), "data"),
        (lambda: chapter.option_cost("In vivo, 2 doses"), "option"),
        (lambda: chapter.ordering(3), "in_vivo_doses"),
        (lambda: chapter.cost_sentence(pd.DataFrame({"option": []})), "table"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()
