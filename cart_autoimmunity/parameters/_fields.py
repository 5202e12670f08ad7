"""How a parameter is declared: a value, its unit, and its source or an assumption.

Every model's parameters are a frozen dataclass whose fields are made with :func:`param`.
The metadata travels with the field, so the book's parameter table is generated from the
code and cannot drift from it. ``check`` names the rule applied when an instance is made:
``"positive"``, ``"non_negative"``, ``"fraction"``, ``"open_fraction"``, ``"finite"`` or
``"integer"``.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from .. import validation

_CHECKS = {
    "positive": validation.require_positive,
    "non_negative": validation.require_non_negative,
    "fraction": validation.require_fraction,
    "open_fraction": validation.require_open_fraction,
    "finite": validation.require_finite,
    "integer": lambda name, value: validation.require_integer(name, value, minimum=1),
}


def param(
    default: Any,
    *,
    unit: str,
    description: str,
    source: str | None = None,
    assumption: str | None = None,
    check: str = "non_negative",
    symbol: str | None = None,
) -> Any:
    """Declare one model parameter.

    ``symbol`` is the parameter's mathematical symbol in TeX (``\\delta_E``), for those
    that appear in a model's equations. Give exactly one of ``source`` (citation keys in ``references.bib``, comma-separated,
    optionally followed by ``;`` and a note on how the value was derived) or ``assumption``
    (a one-line reason why this value was chosen).
    """
    if (source is None) == (assumption is None):
        raise TypeError("give exactly one of source= or assumption=")
    if check not in _CHECKS:
        raise TypeError(f"unknown check {check!r}")
    metadata = {
        "unit": unit,
        "description": description,
        "source": source,
        "assumption": assumption,
        "check": check,
        "symbol": symbol,
    }
    return dataclasses.field(default=default, metadata=metadata)


def validate_fields(instance: Any) -> None:
    """Apply each field's ``check`` rule; raise ``ValueError`` naming the field and the value."""
    for field in dataclasses.fields(instance):
        check = field.metadata.get("check")
        if check is not None:
            _CHECKS[check](field.name, getattr(instance, field.name))


class Parameters:
    """Mixin for frozen parameter dataclasses: validation on creation, and ``replace``."""

    def __post_init__(self) -> None:
        validate_fields(self)

    @classmethod
    def resolve(cls, value: Any, name: str = "params"):
        """``value`` if it is an instance of this class, the defaults if it is ``None``;
        anything else raises ``ValueError`` naming the argument."""
        if value is None:
            return cls()
        if not isinstance(value, cls):
            raise ValueError(
                f"{name} must be a {cls.__name__} instance, got {type(value).__name__}"
            )
        return value

    def symbol_values(self) -> dict[str, Any]:
        """``{symbol key: value}`` for every field with a symbol (see :func:`symbol_key`)."""
        return {
            symbol_key(field.metadata["symbol"]): getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.metadata.get("symbol")
        }

    def replace(self, **changes: Any):
        """Return a copy with ``changes`` applied (and validated)."""
        return dataclasses.replace(self, **changes)


def symbol_key(symbol: str) -> str:
    """The plain name of a TeX symbol, as the model code uses it: ``\\tau_{mat}`` → ``tau_mat``."""
    key = re.sub(r"[\\{}]", "", symbol)
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", key):
        raise ValueError(f"symbol {symbol!r} does not give a plain name")
    return key


def source_keys(instance_or_class: Any) -> set[str]:
    """Citation keys named in the ``source`` metadata of a parameter dataclass."""
    keys: set[str] = set()
    for field in dataclasses.fields(instance_or_class):
        source = field.metadata.get("source")
        if source:
            citation_part = source.split(";", 1)[0]
            keys.update(key.strip() for key in citation_part.split(",") if key.strip())
    return keys
