"""The filters after `|`: `raw`, `fixed N`, `pct`, `million`, `sci`, the shape filters..."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

from cnntui.i18n import _
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.formatting import default_text, format_number
from cnntui.lesson_template.values import Number, Quantity, Shape, ShapeValue, Text, Value


def _as_number(value: Value, filter_name: str) -> Number:
    if isinstance(value, Quantity):
        return value.value
    if isinstance(value, ShapeValue) and len(value.dims) == 1:
        return value.dims[0]
    raise _Problem(
        _("filter '{filter_name}' needs a number, not {value!r}").format(
            filter_name=filter_name, value=default_text(value)
        )
    )


def _int_arg(args: list[str], index: int, default: int, filter_name: str) -> int:
    if len(args) <= index:
        return default
    try:
        return int(args[index])
    except ValueError:
        raise _Problem(
            _("filter '{filter_name}' takes a whole number, not '{value}'").format(
                filter_name=filter_name, value=args[index]
            )
        ) from None


def _scaled(value: Value, args: list[str], name: str, scale: int) -> Value:
    """The number in thousands, millions or billions, rounded to N decimals (default 1)."""
    decimals = _int_arg(args, 0, 1, name)
    number = round(Fraction(_as_number(value, name)) / scale, decimals)
    return Quantity(int(number) if number.denominator == 1 else number, decimals=decimals)


def _filter_raw(value: Value, args: list[str]) -> Value:
    if isinstance(value, ShapeValue):
        return Text("x".join(str(d) for d in value.dims))
    number = _as_number(value, "raw")
    if isinstance(number, Fraction):
        number = int(number) if number.denominator == 1 else float(number)
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return Text(str(number))


def _filter_fixed(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "fixed")
    if isinstance(value, Quantity) and value.percent:
        return Text(format_number(Fraction(number) * 100, _int_arg(args, 0, 1, "fixed")) + "%")
    text = format_number(number, _int_arg(args, 0, 2, "fixed"))
    if isinstance(value, Quantity) and value.fact is not None and value.fact.unit == "%":
        text += "%"
    return Text(text)


def _filter_round(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "round")
    places = _int_arg(args, 0, 0, "round")
    rounded = round(Fraction(number), places)
    return Text(
        format_number(rounded if places > 0 else int(rounded), places if places > 0 else None)
    )


def _filter_pct(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "pct")
    return Text(format_number(Fraction(number) * 100, _int_arg(args, 0, 1, "pct")) + "%")


def _filter_times(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "times")
    return Text(format_number(Fraction(number), _int_arg(args, 0, 1, "times")) + "×")


def _filter_digits(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "digits")
    if not isinstance(number, int) or number == 0:
        raise _Problem(_("filter 'digits' needs a non-zero whole number"))
    return Quantity(len(str(abs(number))))


def _filter_sci(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "sci")
    decimals = _int_arg(args, 0, 2, "sci")
    if number == 0:
        return Text("0")
    exact = Fraction(number)
    exponent = len(str(abs(int(exact)))) - 1 if abs(exact) >= 1 else -len(str(int(1 / abs(exact))))
    mantissa = exact / Fraction(10) ** exponent
    if abs(mantissa) >= 10:
        mantissa /= 10
        exponent += 1
    if abs(round(mantissa, decimals)) >= 10:
        mantissa /= 10
        exponent += 1
    return Text(f"{float(mantissa):.{decimals}f} × 10^{exponent}")


def _shape_filter(name: str, pick: Callable[[Shape], str]) -> Callable[[Value, list[str]], Value]:
    def apply(value: Value, args: list[str]) -> Value:
        if not isinstance(value, ShapeValue):
            raise _Problem(_("filter '{name}' needs a shape").format(name=name))
        return Text(pick(value.dims))

    return apply


def _chw(dims: Shape) -> str:
    return "×".join(str(d) for d in dims)


def _hw(dims: Shape) -> str:
    if len(dims) != 3:
        raise _Problem(_("filter 'hw' needs a C×H×W shape"))
    return f"{dims[1]}×{dims[2]}"


def _filter_channels(value: Value, args: list[str]) -> Value:
    if not isinstance(value, ShapeValue):
        raise _Problem(_("filter 'c' needs a shape"))
    return Quantity(value.dims[0])


def _shape_axis(value: Value, name: str, axis: int) -> Value:
    if not isinstance(value, ShapeValue) or len(value.dims) != 3:
        raise _Problem(_("filter '{name}' needs a C×H×W shape").format(name=name))
    return Quantity(value.dims[axis])


def _filter_positions(value: Value, args: list[str]) -> Value:
    if not isinstance(value, ShapeValue) or len(value.dims) != 3:
        raise _Problem(_("filter 'positions' needs a C×H×W shape"))
    return Quantity(value.dims[1] * value.dims[2])


def _filter_numel(value: Value, args: list[str]) -> Value:
    if not isinstance(value, ShapeValue):
        raise _Problem(_("filter 'numel' needs a shape"))
    return Quantity(math.prod(value.dims))


FILTERS: dict[str, Callable[[Value, list[str]], Value]] = {
    "raw": _filter_raw,
    "fixed": _filter_fixed,
    "round": _filter_round,
    "pct": _filter_pct,
    "percent": lambda v, a: Quantity(
        round(Fraction(_as_number(v, "percent")) * 100, _int_arg(a, 0, 1, "percent"))
    ),
    "times": _filter_times,
    "digits": _filter_digits,
    "sci": _filter_sci,
    "thousand": lambda v, a: _scaled(v, a, "thousand", 1_000),
    "million": lambda v, a: _scaled(v, a, "million", 1_000_000),
    "billion": lambda v, a: _scaled(v, a, "billion", 1_000_000_000),
    "chw": _shape_filter("chw", _chw),
    "hw": _shape_filter("hw", _hw),
    "c": _filter_channels,
    "numel": _filter_numel,
    "positions": _filter_positions,
    "h": lambda v, a: _shape_axis(v, "h", 1),
    "w": lambda v, a: _shape_axis(v, "w", 2),
}
