"""The parameter layer: every value has a unit and a source or an assumption label."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from cart_autoimmunity.parameters import (
    Parameters,
    param,
    parameter_classes,
    parameter_table,
    source_keys,
)

ROOT = Path(__file__).resolve().parents[1]

CLASSES = parameter_classes()


def test_every_model_family_has_parameters():
    families = {cls.__module__.rsplit(".", 1)[-1] for cls in CLASSES}
    assert {
        "kinetics",
        "antibodies",
        "beta_cells",
        "clonal_escape",
        "costs",
    } <= families


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_parameter_sets_are_frozen_and_valid_by_default(cls):
    instance = cls()
    field = dataclasses.fields(cls)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(instance, field.name, getattr(instance, field.name))


def test_table_lists_unit_and_basis_for_every_parameter():
    table = parameter_table()
    assert len(table) >= 40
    assert table["unit"].str.len().gt(0).all()
    assert table["description"].str.len().gt(0).all()
    assert set(table["basis"]) == {"source", "assumption"}
    sourced = table[table.basis == "source"]
    assumed = table[table.basis == "assumption"]
    assert sourced["source"].str.len().gt(0).all()
    assert assumed["assumption"].str.split().str.len().ge(3).all(), (
        "an assumption gives a reason"
    )
    assert not table.duplicated(["parameter_set", "name"]).any()


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_cited_keys_exist_in_references(cls, bib_keys):
    missing = source_keys(cls) - bib_keys
    assert not missing, (
        f"{cls.__name__} cites keys not in references.bib: {sorted(missing)}"
    )


@dataclasses.dataclass(frozen=True)
class _Example(Parameters):
    rate_per_day: float = param(
        0.1,
        unit="1/day",
        description="a rate",
        assumption="an example for the tests",
        check="positive",
    )
    share: float = param(
        0.5,
        unit="fraction",
        description="a share",
        source="mackensen2022; example",
        check="fraction",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rate_per_day": -1.0}, "rate_per_day must be > 0"),
        ({"share": 1.5}, "share must be a fraction"),
        ({"share": float("nan")}, "share must be finite"),
    ],
)
def test_invalid_values_are_rejected_with_the_parameter_name(change, message):
    with pytest.raises(ValueError, match=message):
        _Example().replace(**change)


def test_param_requires_exactly_one_basis():
    with pytest.raises(TypeError):
        param(1.0, unit="d", description="x")
    with pytest.raises(TypeError):
        param(1.0, unit="d", description="x", source="a2020", assumption="b c d")


def test_source_keys_reads_the_citation_part_only():
    assert source_keys(_Example) == {"mackensen2022"}


def test_appendix_table_cites_or_labels_every_parameter():
    from cart_autoimmunity.parameters import parameter_rows

    table = parameter_table()
    for parameter_set, rows in table.groupby("parameter_set"):
        cells = parameter_rows(parameter_set)
        assert len(cells) == len(rows)
        assert all(
            ("{cite:t}`" in basis) != ("*Assumption:*" in basis)
            for _, _, basis in cells
        )
    with pytest.raises(ValueError, match="unknown parameter_set 'Nope'"):
        parameter_rows("Nope")
    with pytest.raises(ValueError, match="has no parameters"):
        parameter_rows("CostParameters", names=["not_a_parameter"])
