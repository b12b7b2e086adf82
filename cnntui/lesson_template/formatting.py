"""How values are written by default: thousands separators, H×W×C shapes, aligned grids."""

from __future__ import annotations

from contextvars import ContextVar
from fractions import Fraction

from cnntui.lesson_template.values import Matrix, Number, Shape, ShapeValue, Text, Value

MAX_SIDE_BY_SIDE = 64
LANGUAGE: ContextVar[str] = ContextVar("lesson_language", default="en")
"""The language of the lesson being rendered: sourced facts write their units in it."""


def format_number(value: Number, decimals: int | None = None) -> str:
    """Thousands separators; integers exactly, other numbers to `decimals` (default: up to 2)."""
    if isinstance(value, Fraction) and value.denominator == 1:
        value = int(value)
    if isinstance(value, float) and value.is_integer() and decimals is None and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int) and decimals is None:
        return f"{value:,}"
    if decimals is not None:
        return (
            f"{float(value):,.{decimals}f}"
            if not isinstance(value, int)
            else f"{value:,.{decimals}f}"
        )
    if isinstance(value, float):
        text = f"{value:,}"
        if "e" not in text and len(text.split(".")[-1]) <= 4:
            return text
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_shape(dims: Shape) -> str:
    """`(96, 55, 55)` → `55×55×96`; `(9216,)` → `9,216`; `(100, 1, 1)` → `1×1×100`."""
    if len(dims) == 3:
        c, h, w = dims
        return f"{h}×{w}×{c}"
    if len(dims) == 1:
        return f"{dims[0]:,}"
    return "×".join(str(d) for d in dims)


def format_matrix(matrix: Matrix) -> str:
    """Right-aligned columns, one row per line. Several channels stand side by side, three
    spaces apart (or one below the other when that would be wider than a narrow terminal)."""
    cells = [[[format_number(v) for v in row] for row in channel] for channel in matrix.channels]
    width = max(len(c) for channel in cells for row in channel for c in row)
    blocks = [[" ".join(c.rjust(width) for c in row) for row in channel] for channel in cells]
    block_width = len(blocks[0][0])
    if len(blocks) > 1 and len(blocks) * (block_width + 3) - 3 <= MAX_SIDE_BY_SIDE:
        return "\n".join("   ".join(block[i] for block in blocks) for i in range(len(blocks[0])))
    return "\n\n".join("\n".join(block) for block in blocks)


def default_text(value: Value) -> str:
    if isinstance(value, Text):
        return value.text
    if isinstance(value, Matrix):
        return format_matrix(value)
    if isinstance(value, ShapeValue):
        return format_shape(value.dims)
    if value.fact is not None:
        return value.fact.display(LANGUAGE.get())
    if value.percent:
        return format_number(Fraction(value.value) * 100, 1) + "%"
    if value.decimals is not None and value.decimals > 0:
        text = format_number(value.value, value.decimals)
        return text.rstrip("0").rstrip(".") if "." in text else text
    return format_number(value.value)
