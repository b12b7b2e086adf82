"""Sourced figures from assets/facts.toml: the functions `fact` and `bars`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cnntui.facts import Fact
from cnntui.i18n import _
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.formatting import LANGUAGE
from cnntui.lesson_template.values import Quantity, Text, Value

MAX_BAR_WIDTH = 20


class FactFunctions:
    """The template functions that read the facts file (a part of `Renderer`)."""

    _facts_source: dict[str, Fact] | Callable[[], dict[str, Fact]] | None

    def facts(self) -> dict[str, Fact]:
        source = self._facts_source
        if source is None:
            from cnntui.facts import load_facts

            return load_facts()
        return source() if callable(source) else source

    def _fact(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 1:
            raise _Problem(_("usage: {{ fact KEY }}, e.g. {{ fact ilsvrc.2012.top5 }}"))
        fact = self._lookup_fact(args[0])
        if not fact.is_number:
            return Text(str(fact.value))
        return Quantity(fact.value, fact=fact)  # type: ignore[arg-type]

    def _lookup_fact(self, key: str) -> Fact:
        facts = self.facts()
        if key not in facts:
            close = [k for k in facts if k.split(".")[0] == key.split(".")[0]]
            hint = f"; facts under '{key.split('.')[0]}': {', '.join(close)}" if close else ""
            raise _Problem(
                _("unknown fact '{key}' (not in assets/facts.toml){hint}").format(
                    key=key, hint=hint
                )
            )
        return facts[key]

    def _bars(self, args: list[str], variables: dict[str, Any]) -> Value:
        if not args:
            raise _Problem(_("usage: {{ bars FACT_KEY ... }}"))
        facts = [self._lookup_fact(k) for k in args]
        for fact in facts:
            if not fact.is_number:
                raise _Problem(
                    _("fact '{key}' is not a number and cannot be a bar").format(key=fact.key)
                )
        top = max(float(f.value) for f in facts)  # type: ignore[arg-type]
        label_width = max(len(f.label or f.key) for f in facts)
        lines = []
        for fact in facts:
            width = round(float(fact.value) / top * MAX_BAR_WIDTH) if top > 0 else 0  # type: ignore[arg-type]
            label = (fact.label or fact.key).ljust(label_width)
            lines.append(f"{label} |{'#' * width} {fact.display(LANGUAGE.get())}".rstrip())
        return Text("\n".join(lines))
