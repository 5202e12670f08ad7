"""One place for every model parameter, one module per model family.

Each module defines frozen dataclasses built with :func:`param`; this package collects
them into the table rendered in the book's model appendix.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil

import pandas as pd

from .. import validation
from ._fields import Parameters, param, source_keys, validate_fields

__all__ = [
    "Parameters",
    "param",
    "source_keys",
    "validate_fields",
    "parameter_classes",
    "parameter_table",
    "parameter_rows",
    "format_value",
]


def parameter_classes() -> list[type]:
    """Every parameter dataclass in this package, in module order then definition order."""
    classes: list[type] = []
    for module_info in sorted(
        pkgutil.iter_modules(__path__), key=lambda info: info.name
    ):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        members = [
            obj
            for obj in vars(module).values()
            if inspect.isclass(obj)
            and dataclasses.is_dataclass(obj)
            and issubclass(obj, Parameters)
            and obj.__module__ == module.__name__
        ]
        classes.extend(sorted(members, key=lambda cls: inspect.getsourcelines(cls)[1]))
    return classes


def parameter_table() -> pd.DataFrame:
    """A tidy table of every parameter: family, set, name, value, unit, basis and reason.

    ``basis`` is ``"source"`` (with citation keys in ``source``) or ``"assumption"`` (with a
    one-line reason in ``assumption``).
    """
    rows = []
    for cls in parameter_classes():
        defaults = cls()
        for field in dataclasses.fields(cls):
            meta = field.metadata
            rows.append(
                {
                    "family": cls.__module__.rsplit(".", 1)[-1],
                    "parameter_set": cls.__name__,
                    "name": field.name,
                    "value": getattr(defaults, field.name),
                    "unit": meta["unit"],
                    "symbol": meta.get("symbol") or "",
                    "description": meta["description"],
                    "basis": "source" if meta["source"] else "assumption",
                    "source": meta["source"] or "",
                    "assumption": meta["assumption"] or "",
                }
            )
    return pd.DataFrame(rows)


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def format_value(value) -> str:
    """A parameter value for reading: 0.16, 1,200, or 7 × 10⁷."""
    if isinstance(value, bool):
        return str(value)
    number = validation.require_finite("value", value)
    if number != 0 and (abs(number) >= 1e5 or abs(number) < 1e-3):
        mantissa, exponent = f"{number:.3e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.4g}"


def parameter_rows(parameter_set: str, names=None) -> list[tuple[str, str, str]]:
    """One parameter set as reader cells: (meaning and symbol, value with unit, basis).

    The basis is a ``{cite:t}`` citation (so it links to the bibliography) with any note on
    how the value was derived, or "Assumption:" and its reason. ``names`` keeps only those
    parameters, in that order. Rendered by :func:`cart_autoimmunity.chapter.parameter_table`.
    """
    validation.require_text("parameter_set", parameter_set)
    table = parameter_table()
    rows = table[table["parameter_set"] == parameter_set]
    if rows.empty:
        known = ", ".join(sorted(table["parameter_set"].unique()))
        raise ValueError(
            f"unknown parameter_set {parameter_set!r}; choose one of {known}"
        )
    if names is not None:
        names = validation.require_names("names", names)
        unknown = sorted(set(names) - set(rows["name"]))
        if unknown:
            raise ValueError(f"{parameter_set} has no parameters {unknown}")
        rows = rows.set_index("name").loc[names].reset_index()
    cells = []
    for row in rows.itertuples():
        if row.basis == "source":
            keys, _, how = row.source.partition(";")
            basis = f"{{cite:t}}`{keys.replace(' ', '')}`" + (
                f"; {how.strip()}" if how.strip() else ""
            )
        else:
            basis = f"*Assumption:* {row.assumption}"
        unit = (
            ""
            if row.unit in ("", "-", "fraction", "count", "dimensionless")
            else f" {row.unit}"
        )
        meaning = row.description[:1].upper() + row.description[1:]
        if row.symbol:
            meaning += f" (${row.symbol}$)"
        cells.append((meaning, f"{format_value(row.value)}{unit}", basis))
    return cells
