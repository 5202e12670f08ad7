"""Chapter 9's module: every number its prose quotes, its tables and its claims.

Each quoted number is recomputed here from the evidence table or a fresh model run, not
copied from the module.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cart_autoimmunity import antibodies, evidence
from cart_autoimmunity.chapters import ch09_precision as chapter
from cart_autoimmunity.parameters.antibodies import AntibodyParameters

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "09_precision.ipynb"


@pytest.fixture(scope="module")
def numbers():
    return chapter.numbers()


@pytest.fixture(scope="module")
def fresh_summary():
    """Autoantibody at day 90 and vaccine titre at one year, per target, run here."""
    return antibodies.tradeoff_summary(AntibodyParameters()).set_index("target")


def test_cited_numbers_come_from_the_evidence_table(numbers):
    def cited(quantity):
        return evidence.lookup("antibody_longevity", quantity)

    table = evidence.antibody_longevity().set_index("quantity")
    assert numbers["bhoj_n"] == table.loc["plasma_cell_persistence_min", "n"]
    assert isinstance(numbers["bhoj_n"], int)
    assert numbers["bhoj_months"] == cited("plasma_cell_persistence_min")
    assert numbers["hill_total_pct"] == pytest.approx(
        -100 * cited("total_igg_change_after_cd19_car_t")
    )
    assert numbers["hill_total_pct"] > 0  # the prose says total IgG "fell by"
    assert numbers["hill_measles_pct"] == pytest.approx(
        100 * cited("measles_igg_change_after_cd19_car_t")
    )
    assert numbers["tetanus_years"] == cited("antibody_half_life_tetanus")
    assert numbers["diphtheria_years"] == cited("antibody_half_life_diphtheria")
    assert numbers["measles_years"] == cited("antibody_half_life_measles_min")


@pytest.mark.parametrize(
    "name, target, column",
    [
        ("cd19_auto_pct", "CD19", "autoantibody_fraction"),
        ("cd19_vaccine_pct", "CD19", "vaccine_titre_fraction"),
        ("cd20_auto_pct", "CD20", "autoantibody_fraction"),
        ("bcma_vaccine_pct", "BCMA", "vaccine_titre_fraction"),
        ("both_auto_pct", "CD19+BCMA", "autoantibody_fraction"),
        ("both_vaccine_pct", "CD19+BCMA", "vaccine_titre_fraction"),
    ],
)
def test_target_results_are_the_models(numbers, fresh_summary, name, target, column):
    assert numbers[name] == pytest.approx(100 * fresh_summary.loc[target, column])


def test_one_year_autoantibody_and_parameters_are_the_models(numbers):
    params = AntibodyParameters()
    courses = antibodies.simulate_targets(
        ["CD19", "BCMA"], params, t_end_days=365, n_points=366
    )
    assert numbers["cd19_auto_365_pct"] == pytest.approx(
        100 * antibodies.value_at(courses, "autoantibody", 365, "CD19")
    )
    assert numbers["bcma_rebound_pct"] == pytest.approx(
        100 * antibodies.value_at(courses, "autoantibody", 365, "BCMA")
    )
    # The prose: CD19 levels off below its day-90 value; BCMA climbs back.
    assert numbers["cd19_auto_365_pct"] < numbers["cd19_auto_pct"]
    assert numbers["bcma_rebound_pct"] > 50
    assert numbers["window_days"] == params.depletion_window_days
    assert numbers["short_half_life"] == params.short_lived_half_life_days


def test_half_life_sensitivity_reruns_the_model(numbers):
    assert (numbers["half_life_short"], numbers["half_life_long"]) == (5.0, 60.0)
    slow = AntibodyParameters().replace(
        short_lived_half_life_days=numbers["half_life_long"]
    )
    run = antibodies.tradeoff_summary(slow, targets=["CD19", "CD20"]).set_index(
        "target"
    )["autoantibody_fraction"]
    assert numbers["cd19_auto_60_pct"] == pytest.approx(100 * run["CD19"])
    assert numbers["cd20_auto_60_pct"] == pytest.approx(100 * run["CD20"])
    # With long-lived plasmablasts, killing them directly (CD19) matters.
    assert numbers["cd19_auto_60_pct"] < numbers["cd20_auto_60_pct"]


def test_tables_hold_the_data_shown(fresh_summary):
    tables = chapter.tables()
    assert set(tables) == {
        "tbl-precision-evidence",
        "tbl-precision-targets",
        "tbl-precision-sensitivity",
    }
    cited = tables["tbl-precision-evidence"]
    assert set(cited["quantity"]) == set(chapter.EVIDENCE_ROWS)
    targets = tables["tbl-precision-targets"].set_index("target")
    assert targets.loc["CD19", "vaccine_titre_fraction"] == pytest.approx(
        fresh_summary.loc["CD19", "vaccine_titre_fraction"]
    )
    assert "No CAR T cells" in targets.index
    sensitivity = tables["tbl-precision-sensitivity"]
    assert sorted(set(sensitivity["half_life_days"])) == list(chapter.HALF_LIVES_DAYS)
    assert len(sensitivity) == 2 * len(chapter.HALF_LIVES_DAYS)
    # tables() hands out copies: changing one leaves the chapter's data alone.
    cited.loc[:, "value"] = -1.0
    assert (chapter.tables()["tbl-precision-evidence"]["value"] > -1.0).all()


def test_reader_tables_show_percentages():
    table = chapter.reader_table("tbl-precision-targets")
    cd19 = next(row for row in table.rows if row[0] == "CD19")
    assert cd19[2] == f"{100 * chapter.fraction_left('CD19', 'vaccine'):.0f}"


def test_claims_carry_the_ledger_entries(fresh_summary):
    kept, bcma = chapter.claims()
    assert (kept.id, kept.verdict) == (
        "protective-antibodies-kept",
        "supported with caveats",
    )
    assert (bcma.id, bcma.verdict) == ("bcma-removes-protection", "supported")
    assert kept.value == pytest.approx(
        fresh_summary.loc["CD19", "vaccine_titre_fraction"]
    )
    assert kept.checks[1].value == pytest.approx(
        fresh_summary.loc["CD19", "autoantibody_fraction"]
    )
    assert bcma.value == pytest.approx(
        fresh_summary.loc["BCMA", "vaccine_titre_fraction"]
    )
    assert kept.passed and bcma.passed
    months = evidence.lookup("antibody_longevity", "plasma_cell_persistence_min")
    assert f"at least {months:.0f} months" in kept.caveat


def test_the_bcma_check_would_fail_if_protection_were_kept():
    (check,) = chapter.claims()[1].checks
    assert not check.bound.holds(0.5) and check.bound.holds(0.49)


@pytest.mark.parametrize(
    "call, parameter",
    [
        (lambda: chapter.reader_table("tbl-nothing"), "name"),
        (lambda: chapter.fraction_left("CD22", "vaccine"), "target"),
        (lambda: chapter.fraction_left("CD19", "titre"), "quantity"),
        (lambda: chapter.cited_value("antibody_half_life_varicella"), "quantity"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ValueError, match=parameter):
        call()


def test_the_teaching_cell_runs_the_model_over_the_modules_year():
    """The figures are drawn from the teaching cell's run; the prose from the module's."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    (source,) = [
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and "simulate_targets" in "".join(c["source"])
    ]
    days = int(chapter.VACCINE_DAY)
    assert f"t_end_days={days}, n_points={days + 1}" in source


def test_values_below_any_assay_are_said_as_such(numbers):
    """Issue #21: a model value that rounds to 0% is named as far below detection."""
    assert numbers["both_vaccine_pct"] < 0.5  # shown as 0 at the chapter's precision
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    text = "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"
    )
    at = text.index("both_vaccine_pct")
    assert "any antibody test can detect" in text[at : at + 300]
    shown = chapter.reader_table("tbl-precision-targets")
    rounded = [row for row in shown.rows if row[-1] == "0"]
    assert rounded, "the CD19+BCMA vaccine titre rounds to 0 in the table"
    assert "any antibody test" in shown.caption
