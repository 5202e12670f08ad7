"""Chapter 9, precision: which antibody-making cells each CAR target removes, and the price.

The chapter quotes cited numbers on plasma-cell survival and antibody decay
(:func:`cart_autoimmunity.evidence.antibody_longevity`) and runs the antibody model (M3,
:mod:`cart_autoimmunity.antibodies`) with its default parameters: autoantibody left at day
:data:`AUTOANTIBODY_DAY` and vaccine titre left at day :data:`VACCINE_DAY`, as fractions of
the level before treatment, for each CAR target, and again for plasmablast half-lives at
the short and long ends of "days to months" (:data:`HALF_LIVES_DAYS`).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .. import antibodies, evidence
from ..chapter import ReaderTable, TableSpec, cite, show_table
from ..claims import Bound, Check, Claim
from ..parameters.antibodies import AntibodyParameters
from ..validation import require_choice

CHAPTER = "notebooks/09_precision"

#: Day at which the autoantibody left is read (days after infusion).
AUTOANTIBODY_DAY = 90.0
#: Day at which the vaccine titre left is read, and the length of the time courses (days).
VACCINE_DAY = 365.0
#: Plasmablast half-lives of the sensitivity table: the ends of "days to months" (days).
HALF_LIVES_DAYS = (5.0, 60.0)

#: Cited rows of the evidence table, their label for readers and their display format.
EVIDENCE_ROWS = {
    "plasma_cell_persistence_min": (
        "Marrow plasma cells after CD19 CAR T",
        "≥ {:.0f} months",
    ),
    "total_igg_change_after_cd19_car_t": (
        "Change in total IgG after CD19 CAR T",
        "{:+.1%}",
    ),
    "measles_igg_change_after_cd19_car_t": (
        "Change in measles IgG after CD19 CAR T",
        "{:+.1%}",
    ),
    "antibody_half_life_tetanus": ("Half-life of tetanus antibody", "{:.0f} years"),
    "antibody_half_life_diphtheria": (
        "Half-life of diphtheria antibody",
        "{:.0f} years",
    ),
    "antibody_half_life_measles_min": (
        "Half-life of measles antibody",
        "> {:.0f} years",
    ),
}


# ------------------------------------------------------------------------------------------
# What the data say
# ------------------------------------------------------------------------------------------
@cache
def cited() -> pd.DataFrame:
    """The cited rows of :data:`EVIDENCE_ROWS`, with ``measure`` (the reader's label) and
    ``shown`` (the value as a reader sees it) added."""
    longevity = evidence.antibody_longevity()
    shown = longevity[longevity["quantity"].isin(EVIDENCE_ROWS)].copy()
    shown["measure"] = shown["quantity"].map(lambda q: EVIDENCE_ROWS[q][0])
    shown["shown"] = [
        EVIDENCE_ROWS[q][1].format(v)
        for q, v in zip(shown["quantity"], shown["value"], strict=True)
    ]
    return shown.reset_index(drop=True)


def cited_value(quantity: str) -> float:
    """The cited value of ``quantity`` (one of :data:`EVIDENCE_ROWS`), in its table unit."""
    require_choice("quantity", quantity, EVIDENCE_ROWS)
    return float(cited().set_index("quantity").loc[quantity, "value"])


def persistence_patients() -> int:
    """Patients with marrow plasma cells at least the cited months after CD19 CAR T."""
    return int(cited().set_index("quantity").loc["plasma_cell_persistence_min", "n"])


# ------------------------------------------------------------------------------------------
# What the model says
# ------------------------------------------------------------------------------------------
@cache
def time_courses() -> pd.DataFrame:
    """Model M3 with default parameters: every target, days 0 to :data:`VACCINE_DAY`, one
    point a day (:func:`cart_autoimmunity.antibodies.simulate_targets`)."""
    days = int(VACCINE_DAY)
    return antibodies.simulate_targets(
        params=AntibodyParameters(), t_end_days=days, n_points=days + 1
    )


@cache
def tradeoff() -> pd.DataFrame:
    """Per target (``none`` included): autoantibody left at day 90 and vaccine titre left at
    one year, fractions of baseline (:func:`cart_autoimmunity.antibodies.tradeoff_summary`)."""
    return antibodies.tradeoff_summary(
        AntibodyParameters(),
        autoantibody_day=AUTOANTIBODY_DAY,
        vaccine_day=VACCINE_DAY,
    )


def fraction_left(target: str, quantity: str) -> float:
    """``"autoantibody"`` (day 90) or ``"vaccine"`` (one year) left after ``target``, as a
    fraction of baseline, from :func:`tradeoff`."""
    require_choice("target", target, antibodies.TARGETS)
    column = {
        "autoantibody": "autoantibody_fraction",
        "vaccine": "vaccine_titre_fraction",
    }
    require_choice("quantity", quantity, column)
    return float(tradeoff().set_index("target").loc[target, column[quantity]])


@cache
def half_life_sensitivity() -> pd.DataFrame:
    """:func:`tradeoff` for CD19 and CD20 at each plasmablast half-life of
    :data:`HALF_LIVES_DAYS`, with the half-life in ``half_life_days``."""
    runs = [
        antibodies.tradeoff_summary(
            AntibodyParameters().replace(short_lived_half_life_days=half_life),
            targets=["CD19", "CD20"],
            autoantibody_day=AUTOANTIBODY_DAY,
            vaccine_day=VACCINE_DAY,
        ).assign(half_life_days=half_life)
        for half_life in HALF_LIVES_DAYS
    ]
    return pd.concat(runs, ignore_index=True)


def numbers() -> dict[str, float | int]:
    """Every number the chapter's prose glues, by glue name (percentages are of baseline)."""
    params = AntibodyParameters()
    courses = time_courses()
    long_lived = half_life_sensitivity()
    long_lived = long_lived[long_lived["half_life_days"] == HALF_LIVES_DAYS[1]]
    long_lived = long_lived.set_index("target")["autoantibody_fraction"]
    return {
        "bhoj_n": persistence_patients(),
        "bhoj_months": cited_value("plasma_cell_persistence_min"),
        "hill_total_pct": -100 * cited_value("total_igg_change_after_cd19_car_t"),
        "hill_measles_pct": 100 * cited_value("measles_igg_change_after_cd19_car_t"),
        "tetanus_years": cited_value("antibody_half_life_tetanus"),
        "diphtheria_years": cited_value("antibody_half_life_diphtheria"),
        "measles_years": cited_value("antibody_half_life_measles_min"),
        "cd19_auto_pct": 100 * fraction_left("CD19", "autoantibody"),
        "cd19_vaccine_pct": 100 * fraction_left("CD19", "vaccine"),
        "cd20_auto_pct": 100 * fraction_left("CD20", "autoantibody"),
        "bcma_vaccine_pct": 100 * fraction_left("BCMA", "vaccine"),
        "both_auto_pct": 100 * fraction_left("CD19+BCMA", "autoantibody"),
        "both_vaccine_pct": 100 * fraction_left("CD19+BCMA", "vaccine"),
        "window_days": params.depletion_window_days,
        "short_half_life": params.short_lived_half_life_days,
        "bcma_rebound_pct": 100
        * antibodies.value_at(courses, "autoantibody", VACCINE_DAY, "BCMA"),
        "cd19_auto_365_pct": 100
        * antibodies.value_at(courses, "autoantibody", VACCINE_DAY, "CD19"),
        "half_life_short": HALF_LIVES_DAYS[0],
        "half_life_long": HALF_LIVES_DAYS[1],
        "cd19_auto_60_pct": 100 * long_lived["CD19"],
        "cd20_auto_60_pct": 100 * long_lived["CD20"],
    }


# ------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------
#: How each table's data is made (each call makes a fresh copy).
_DATA = {
    "tbl-precision-evidence": lambda: cited().copy(),
    "tbl-precision-targets": lambda: tradeoff().replace(
        {"target": {"none": "No CAR T cells"}}
    ),
    "tbl-precision-sensitivity": lambda: half_life_sensitivity().copy(),
}


def tables() -> dict[str, pd.DataFrame]:
    """Every table the chapter shows, by its ``tbl-`` name, as data (copies)."""
    return {name: make() for name, make in _DATA.items()}


def _percent(value: float) -> str:
    return f"{100 * value:.0f}"


_MODEL_COLUMNS = {
    "target": "CAR target",
    "autoantibody_fraction": "Autoantibody left at day 90 (%)",
    "vaccine_titre_fraction": "Vaccine titre left at one year (%)",
}
_PERCENTS = {"autoantibody_fraction": _percent, "vaccine_titre_fraction": _percent}
#: How each table is shown to readers, by its ``tbl-`` name.
TABLE_SPECS = {
    "tbl-precision-evidence": TableSpec(
        {
            "measure": "Measure",
            "shown": "Value",
            "n": "People studied",
            "source": "Source",
        },
        "Plasma cells and protective antibody after CD19 CAR T; antibody decay.",
        formats={"n": "{:.0f}", "source": cite},
    ),
    "tbl-precision-targets": TableSpec(
        _MODEL_COLUMNS,
        "Model result per CAR target, as a share of the level before treatment. A "
        f"{_percent(0.0)} marks a model value far below what any antibody test can "
        "detect.",
        formats=_PERCENTS,
    ),
    "tbl-precision-sensitivity": TableSpec(
        {"half_life_days": "Plasmablast half-life (days)", **_MODEL_COLUMNS},
        "How the CD19 and CD20 results depend on the assumed plasmablast lifespan.",
        formats={"half_life_days": "{:.0f}", **_PERCENTS},
    ),
}


def reader_table(name: str) -> ReaderTable:
    """Table ``name`` of :func:`tables`, captioned and formatted for readers."""
    require_choice("name", name, TABLE_SPECS)
    return show_table(TABLE_SPECS[name], _DATA[name](), name=name)


# ------------------------------------------------------------------------------------------
# Claims
# ------------------------------------------------------------------------------------------
def _vaccine_check(target: str, bound: Bound) -> Check:
    return Check(
        f"model: vaccine titre at one year, fraction of baseline ({target} targeting)",
        fraction_left(target, "vaccine"),
        bound,
    )


def claims() -> tuple[Claim, ...]:
    """The story's claims this chapter checks; the headline (CD19 keeps protection) first."""
    kept = Claim(
        "protective-antibodies-kept",
        (
            "CD19 CAR T cells remove the rogue antibody makers but keep protective "
            "antibodies."
        ),
        CHAPTER,
        "supported with caveats",
        ("hill2019", "mei2015", "bhoj2016", "amanna2007"),
        (
            _vaccine_check("CD19", Bound(low=0.8)),
            Check(
                "model: autoantibody at day 90, fraction of baseline (CD19 targeting)",
                fraction_left("CD19", "autoantibody"),
                Bound(high=0.5),
            ),
        ),
        caveat=(
            "this rests on many (not all) long-lived plasma cells lacking CD19, and "
            "marrow plasma cells persisted at least "
            f"{cited_value('plasma_cell_persistence_min'):.0f} months in "
            f"{persistence_patients()} patients"
        ),
    )
    bcma = Claim(
        "bcma-removes-protection",
        (
            "Killing only the rogue cells is hard: aiming at plasma cells also "
            "removes protective antibodies."
        ),
        CHAPTER,
        "supported",
        ("mei2015", "amanna2007"),
        (_vaccine_check("BCMA", Bound(high=0.5, strict_high=True)),),
    )
    return (kept, bcma)
