"""Turn what the learner typed into a number, or a one-line reason why it is not one.

Every editable numeric field in the app parses through `parse_number`, so that no text can crash
or stall it: `float()` alone lets through `inf`, `nan` and `1e400` (infinite), `int()` accepts
`²` in `str.isdigit()` checks but not in parsing, `Fraction("1e1000000000")` spends minutes
building an exact power of ten, and a 5,000-digit integer is an error only after conversion.
Here the text is bounded first, only ASCII forms are accepted, the value must be finite and, when
a range is given, inside it. Pure: no Textual.
"""

from __future__ import annotations

import math
import re

from cnntui.i18n import _

MAX_TEXT = 40
"""Longest text considered: any number worth typing into a field is shorter."""

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class NumberError(ValueError):
    """Text that is not an acceptable number; the message is one line saying what would be."""


def _valid(integer: bool, fractions: bool, low: float | None, high: float | None) -> str:
    if fractions:
        kind = (
            _("a whole number or a fraction such as 1/9")
            if integer
            else _("a number or a fraction such as 1/9")
        )
    else:
        kind = _("a whole number") if integer else _("a number")
    if low is not None and high is not None:
        return _("{kind} from {low} to {high}").format(kind=kind, low=f"{low:g}", high=f"{high:g}")
    if low is not None:
        return _("{kind} of at least {low}").format(kind=kind, low=f"{low:g}")
    if high is not None:
        return _("{kind} of at most {high}").format(kind=kind, high=f"{high:g}")
    return kind


KERNEL_LIMIT = 1e6
"""Largest magnitude of a kernel value typed into the Conv Lab (its sums stay far from overflow)."""
BIAS_LIMIT = 1e6
"""Largest magnitude of the Conv Lab's bias."""


def valid_number(text: str, **limits: object) -> bool:
    """Whether `parse_number(text, **limits)` accepts `text`."""
    try:
        parse_number(text, **limits)  # type: ignore[arg-type]
    except NumberError:
        return False
    return True


def parse_number(
    text: str,
    *,
    integer: bool = False,
    fractions: bool = False,
    low: float | None = None,
    high: float | None = None,
) -> float:
    """The finite number written in `text` (an int-valued float when `integer`).

    `fractions` also accepts `a/b`. `low` and `high` bound the value, both inclusive.
    Raises NumberError with a message such as `'1e400' is not a number from -1e+06 to 1e+06`.
    """
    valid = _valid(integer, fractions, low, high)
    compact = text.strip().replace(" ", "")
    shown = compact if len(compact) <= MAX_TEXT else compact[: MAX_TEXT - 1] + "…"
    if not compact or len(compact) > MAX_TEXT:
        raise NumberError(_("{shown!r} is not {valid}").format(shown=shown, valid=valid))
    parts = compact.split("/") if fractions else [compact]
    if len(parts) > 2:
        raise NumberError(_("{shown!r} is not {valid}").format(shown=shown, valid=valid))
    pattern = _INTEGER if integer and len(parts) == 1 else _DECIMAL
    if not all(pattern.fullmatch(part) for part in parts):
        raise NumberError(_("{shown!r} is not {valid}").format(shown=shown, valid=valid))
    # float() of a short ASCII decimal is quick whatever its exponent (1e999999 is inf at once)
    values = [float(part) for part in parts]
    if len(values) == 2:
        if values[1] == 0:
            raise NumberError(
                _("{shown!r} divides by zero; enter {valid}").format(shown=shown, valid=valid)
            )
        value = values[0] / values[1]  # inf when it overflows, caught below
    else:
        value = values[0]
    if not math.isfinite(value) or not all(math.isfinite(v) for v in values):
        raise NumberError(
            _("{shown!r} is too large; enter {valid}").format(shown=shown, valid=valid)
        )
    if integer and value != int(value):
        raise NumberError(_("{shown!r} is not {valid}").format(shown=shown, valid=valid))
    if (low is not None and value < low) or (high is not None and value > high):
        raise NumberError(
            _("{shown!r} is outside the range: enter {valid}").format(shown=shown, valid=valid)
        )
    return value
