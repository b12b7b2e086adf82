"""Reading the words of an expression: `let` values, exact numbers, whole numbers, arity."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from cnntui.i18n import _
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.values import Matrix, Number

LET = re.compile(r"^let\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$")


def _let_value(raw: str) -> Any:
    """A `let` value: a data set of `x:y` samples, or an exact number."""
    words = raw.split()
    if all(":" in w for w in words):
        samples = []
        for word in words:
            x, _colon, y = word.partition(":")
            if not x or not y:
                raise _Problem(_("let: '{word}' is not an x:y sample").format(word=word))
            samples.append((x, y))
        return samples
    if len(words) == 1:
        return _fraction_or_int(words[0], "let")
    rows = [row.split() for row in raw.split(";")]
    if any(not row for row in rows) or len({len(row) for row in rows}) != 1:
        raise _Problem(
            _("let: the rows of '{raw}' must all have the same number of values").format(raw=raw)
        )
    return Matrix((tuple(tuple(_fraction_or_int(v, "let") for v in row) for row in rows),))


def _fraction(text: str, function: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise _Problem(
            _("{function}: '{text}' is not a number").format(function=function, text=text)
        ) from None


def _fraction_or_int(text: str, function: str) -> Number:
    value = _fraction(text.replace(",", ""), function)
    return int(value) if value.denominator == 1 else value


def _whole(text: str, function: str, variables: dict[str, Any]) -> int:
    value = variables.get(text, None)
    if value is None:
        try:
            return int(text)
        except ValueError:
            raise _Problem(
                _("{function}: '{text}' is not a whole number").format(function=function, text=text)
            ) from None
    if isinstance(value, int):
        return value
    raise _Problem(
        _("{function}: '{text}' is not a whole number").format(function=function, text=text)
    )


def _at_most(args: list[str], count: int, usage: str) -> None:
    if len(args) > count:
        raise _Problem(_("too many arguments; usage: {{{{ {usage} }}}}").format(usage=usage))
