"""Claims of the story as data: what is checked, against which bound, with which verdict.

A :class:`Claim` holds one or more :class:`Check` s. Each check is a number that a chapter
computed or cited, a :class:`Bound` it must meet, and the words that name the number. The
criterion sentence a reader sees is generated from the same bound the check uses, so the
threshold is written once::

    Check("median vein-to-vein time, the shortest of the cited reports (days)",
          value=21.0, bound=Bound(low=21))
    # -> "median vein-to-vein time, ... (days) is at least 21 (found: 21)"

Chapter modules (``cart_autoimmunity.chapters``) build their claims from the numbers their
prose quotes; the ledger only collects and renders them. Nothing here runs a model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .validation import require_choice, require_finite

#: The verdicts, from the strongest support to none. "plausible, not yet measured" is
#: for a claim that rests on a model alone: no measurement in people can check it yet.
VERDICTS = (
    "supported",
    "supported with caveats",
    "plausible, not yet measured",
    "oversimplified",
    "not supported",
)


def _number(value: float) -> str:
    """A bound or a value in a criterion sentence: at most 3 significant figures."""
    if value == 0:
        return "0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e6:
        text = f"{value:.3g}"
    else:
        text = f"{value:.2e}"
    return text


def _percent(fraction: float) -> str:
    """A share (0 to 1) as a percentage, at most 3 significant figures: 0.0305 -> "3.05%"."""
    return f"{_number(round(100 * fraction, 10))}%"


#: A quantity that is a share or a probability (its words say so).
_SHARE = re.compile(r"\b(fraction|share|probability)\b")
#: The unit a share's quantity ends with, "(fraction)" or "(fraction of ...)": dropped once
#: its value reads as a percentage.
_FRACTION_UNIT = re.compile(r"\s*\(fraction(?: of [^()]*)?\)$")


@dataclass(frozen=True)
class Bound:
    """A criterion as data: ``low <= value <= high``; either side may be open (None).

    ``strict_low`` and ``strict_high`` make that side a strict inequality. A bound with
    ``low == high`` (both inclusive) means "equal to".
    """

    low: float | None = None
    high: float | None = None
    strict_low: bool = False
    strict_high: bool = False

    def __post_init__(self) -> None:
        if self.low is None and self.high is None:
            raise ValueError("a Bound needs low, high or both")
        for name in ("low", "high"):
            value = getattr(self, name)
            if value is not None:
                require_finite(name, value)
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) must not exceed high ({self.high})")

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the bound (NaN never does)."""
        value = float(value)
        if math.isnan(value):
            return False
        if self.low is not None:
            if value < self.low or (self.strict_low and value == self.low):
                return False
        if self.high is not None:
            if value > self.high or (self.strict_high and value == self.high):
                return False
        return True

    def describe(self, number: Callable[[float], str] = _number) -> str:
        """The bound in words: "at least 21", "below 0.05", "between 0.08 and 0.12".

        ``number`` writes each end (by default with at most 3 significant figures).
        """
        low = None if self.low is None else number(self.low)
        high = None if self.high is None else number(self.high)
        if low is not None and high is not None:
            if self.low == self.high and not (self.strict_low or self.strict_high):
                return f"equal to {low}"
            if not (self.strict_low or self.strict_high):
                return f"between {low} and {high}"
            left = "above" if self.strict_low else "at least"
            right = "below" if self.strict_high else "at most"
            return f"{left} {low} and {right} {high}"
        if low is not None:
            return f"above {low}" if self.strict_low else f"at least {low}"
        return f"below {high}" if self.strict_high else f"at most {high}"


@dataclass(frozen=True)
class Check:
    """One number and the bound it must meet.

    ``quantity`` names the number in plain words with its unit in parentheses, and says
    whether it is cited or a model result (for example "model: last day above the
    detection limit, autoimmune scenario (days)").
    """

    quantity: str
    value: float
    bound: Bound

    def __post_init__(self) -> None:
        if not self.quantity.strip():
            raise ValueError("quantity must name the number")
        # Store a plain float so that numpy scalars never reach JSON or the page.
        object.__setattr__(self, "value", float(self.value))

    @property
    def passed(self) -> bool:
        return self.bound.holds(self.value)

    @property
    def as_percent(self) -> bool:
        """Whether the check reads as percentages: a share or a probability whose value and
        bounds all lie between 0.001 and 1 (a tiny fraction of normal keeps its notation)."""
        ends = [e for e in (self.bound.low, self.bound.high) if e is not None]
        return bool(_SHARE.search(self.quantity)) and all(
            n == 0 or 1e-3 <= abs(n) <= 1 for n in [self.value, *ends]
        )

    def _write(self, number: float) -> str:
        return _percent(number) if self.as_percent else _number(number)

    @property
    def label(self) -> str:
        """The quantity as a reader reads it (no "(fraction ...)" unit on a percentage)."""
        return (
            _FRACTION_UNIT.sub("", self.quantity) if self.as_percent else self.quantity
        )

    @property
    def shown_value(self) -> str:
        """The value as a reader reads it: "3.05%" for a share, "21" for days."""
        return self._write(self.value)

    @property
    def criterion(self) -> str:
        """The bound in words, its ends written as the value is."""
        return self.bound.describe(self._write)

    def sentence(self) -> str:
        """The criterion in words, generated from the bound the check uses."""
        return f"{self.label} is {self.criterion} (found: {self.shown_value})"


@dataclass(frozen=True)
class Claim:
    """One claim of the story, the book's verdict on it, and the checks behind the verdict.

    ``chapter`` is the TOC path of the chapter that shows it (``notebooks/04_erlangen``).
    ``caveat`` is what the checks cannot say (prose; build any number in it from the values
    the chapter computes or cites, never type it). The first check is the claim's headline
    number (``value`` and ``unit`` of the ledger).
    """

    id: str
    claim: str
    chapter: str
    verdict: str
    sources: tuple[str, ...]
    checks: tuple[Check, ...]
    caveat: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        require_choice("verdict", self.verdict, VERDICTS)
        if not self.checks:
            raise ValueError(f"claim {self.id!r} needs at least one check")
        if not self.sources:
            raise ValueError(f"claim {self.id!r} needs at least one source")
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "sources", tuple(self.sources))

    @property
    def value(self) -> float:
        return self.checks[0].value

    @property
    def unit(self) -> str:
        return self.checks[0].quantity

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def criterion(self) -> str:
        """Every check's sentence, then the caveat."""
        text = "; ".join(check.sentence() for check in self.checks)
        return f"{text}; {self.caveat}" if self.caveat else text

    def as_dict(self) -> dict:
        """The entry as plain data (for JSON and the ledger page)."""
        return {
            "id": self.id,
            "claim": self.claim,
            "chapter": self.chapter,
            "verdict": self.verdict,
            "value": _plain(self.value),
            "unit": self.unit,
            "criterion": self.criterion,
            "passed": self.passed,
            "checks": [
                {
                    "quantity": c.quantity,
                    "label": c.label,
                    "value": _plain(c.value),
                    "shown": c.shown_value,
                    "criterion": c.criterion,
                    "passed": c.passed,
                }
                for c in self.checks
            ],
            "sources": list(self.sources),
        }


def _plain(value: float) -> float | int:
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return float(f"{number:.6g}")


def chapter_verdict(claims) -> str:
    """A chapter's verdict: that of its first (headline) claim.

    ``claims`` are :class:`Claim` objects or their dicts (:meth:`Claim.as_dict`).
    """
    claims = _entries("claims", claims)
    if not claims:
        raise ValueError("claims must hold at least one claim for a chapter's verdict")
    return _field(claims[0], "verdict")


def verdict_counts(entries) -> dict[str, int]:
    """How many entries carry each verdict, for every verdict in :data:`VERDICTS` order.

    ``entries`` are claims or their dicts (:meth:`Claim.as_dict`). This answers "does the
    story hold?"; :func:`check_counts` answers "did the checks run?".
    """
    verdicts = [_field(entry, "verdict") for entry in _entries("entries", entries)]
    return {verdict: verdicts.count(verdict) for verdict in VERDICTS}


def check_counts(entries) -> dict[str, int]:
    """How many claims were checked, and how many met every criterion."""
    entries = _entries("entries", entries, "passed")
    return {
        "ran": len(entries),
        "met": sum(bool(_field(entry, "passed")) for entry in entries),
    }


def _entries(name: str, entries, *needed: str) -> list:
    """``entries`` as a list of claims or claim dicts, each with a verdict in VERDICTS.

    A dict must also hold every key in ``needed``. TypeError or ValueError naming ``name``.
    """
    if isinstance(entries, (str, bytes, dict)) or not isinstance(entries, Iterable):
        raise TypeError(
            f"{name} must be a sequence of Claim objects or their dicts, "
            f"got {type(entries).__name__}"
        )
    entries = list(entries)
    for entry in entries:
        if isinstance(entry, dict):
            missing = [k for k in ("verdict", *needed) if k not in entry]
            if missing:
                raise ValueError(
                    f"{name} must be claim dicts with {missing}, got {entry!r:.80}"
                )
        elif not isinstance(entry, Claim):
            raise TypeError(
                f"{name} must hold Claim objects or their dicts, got {type(entry).__name__}"
            )
    verdicts = [_field(entry, "verdict") for entry in entries]
    unknown = sorted({repr(v) for v in verdicts if v not in VERDICTS})
    if unknown:
        raise ValueError(
            f"{name} hold unknown verdicts [{', '.join(unknown)}]; "
            f"choose from {', '.join(map(repr, VERDICTS))}"
        )
    return entries


def _field(entry, name: str):
    return entry[name] if isinstance(entry, dict) else getattr(entry, name)
