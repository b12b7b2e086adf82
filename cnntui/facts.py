"""Historical figures (error rates, data-set sizes, paper claims) with their sources.

They live in `assets/facts.toml`, one table per fact: `value` (a number or a short text), `source`
(a citation), and optionally `unit`, `label` and `note`. Nested tables give dotted keys, so
`[ilsvrc.2012.top5]` is the fact `ilsvrc.2012.top5`. Lessons quote them with `{{ fact KEY }}`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from cnntui.errors import CnnTuiError
from cnntui.i18n import _
from cnntui.resources import asset_path

FACT_FIELDS = frozenset({"value", "source", "unit", "label", "note"})


class FactsError(CnnTuiError):
    """The facts file is missing, is not valid TOML, or a fact lacks its value or source."""


@dataclass(frozen=True)
class Fact:
    """One sourced figure.

    `unit` is "%" (written straight after the number), "year" (written without a thousands
    separator), or a word written after the number ("million", "times", "GB").
    """

    key: str
    value: int | float | str
    source: str
    unit: str = ""
    label: str = ""
    note: str = ""

    @property
    def is_number(self) -> bool:
        return isinstance(self.value, int | float) and not isinstance(self.value, bool)

    def number_text(self) -> str:
        """The value as lessons write it, without the unit: `14,197,122`, `3.57`, `1998`."""
        if not self.is_number:
            return str(self.value)
        if self.unit == "year":
            return str(self.value)
        return format(self.value, ",")

    def display(self, language: str = "en") -> str:
        """The value with its unit: `15.3%`, `60 million`, `14,197,122`, `1998`; in Korean the
        word units are Korean (`6배`, `6,000만`, `15억`)."""
        text = self.number_text()
        if not self.unit or self.unit == "year":
            return text
        if self.unit == "%":
            return f"{text}%"
        if language == "ko" and self.is_number:
            if self.unit == "times":
                return f"{text}배"
            if self.unit in _SCALES:
                return korean_amount(Decimal(str(self.value)) * _SCALES[self.unit])
        return f"{text} {self.unit}"


_SCALES = {"thousand": Decimal(10**3), "million": Decimal(10**6), "billion": Decimal(10**9)}


def korean_amount(amount: Decimal) -> str:
    """A large amount the Korean way, in 만 (10⁴) or 억 (10⁸): 65,000,000 → `6,500만`,
    1,500,000,000 → `15억`, 3,860,000,000 → `38.6억`."""
    for unit, word in ((Decimal(10**8), "억"), (Decimal(10**4), "만")):
        if abs(amount) >= unit:
            scaled = (amount / unit).normalize()
            text = f"{scaled:,f}" if scaled != scaled.to_integral() else f"{int(scaled):,}"
            return f"{text}{word}"
    return f"{amount.normalize():,f}"


def parse_facts(document: dict[str, Any], prefix: str = "") -> dict[str, Fact]:
    """Flatten a parsed facts document: every table that has a `value` is one fact.

    Raises FactsError naming the key when a fact has no source, an unknown field, or a value that
    is neither a number nor a text.
    """
    facts: dict[str, Fact] = {}
    for name, item in document.items():
        key = f"{prefix}.{name}" if prefix else str(name)
        if not isinstance(item, dict):
            raise FactsError(
                _("facts: {key} must be a table with a value and a source").format(key=repr(key))
            )
        if "value" not in item:
            facts.update(parse_facts(item, key))
            continue
        unknown = set(item) - FACT_FIELDS
        if unknown:
            raise FactsError(
                _("facts: {key} has unknown field(s) {fields}; allowed: {allowed}").format(
                    key=repr(key),
                    fields=", ".join(sorted(unknown)),
                    allowed=", ".join(sorted(FACT_FIELDS)),
                )
            )
        value = item["value"]
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise FactsError(
                _("facts: {key} value must be a number or a text").format(key=repr(key))
            )
        source = item.get("source", "")
        if not isinstance(source, str) or not source.strip():
            raise FactsError(
                _("facts: {key} has no source; every figure needs a citation").format(key=repr(key))
            )
        facts[key] = Fact(
            key=key,
            value=value,
            source=source.strip(),
            unit=str(item.get("unit", "")),
            label=str(item.get("label", "")),
            note=str(item.get("note", "")),
        )
    return facts


def load_facts_file(path: Path) -> dict[str, Fact]:
    """Read and validate one facts file."""
    try:
        with path.open("rb") as fh:
            document = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise FactsError(_("facts file not found: {name}").format(name=path.name)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise FactsError(
            _("facts file {name} is not valid TOML: {reason}").format(name=path.name, reason=exc)
        ) from exc
    return parse_facts(document)


@cache
def load_facts() -> dict[str, Fact]:
    """The bundled facts, by dotted key (read once per process)."""
    return load_facts_file(asset_path("facts.toml"))


def get_fact(key: str) -> Fact:
    """One bundled fact; KeyError when there is none with that key."""
    return load_facts()[key]
