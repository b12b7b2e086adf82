"""The values an expression produces: numbers, shapes, finished text and small grids."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cnntui.facts import Fact

Number = int | Fraction | float
Shape = tuple[int, ...]


@dataclass(frozen=True)
class Quantity:
    """A number with the way it is written by default.

    `percent` marks a ratio (0.894) shown as a percentage (`89.4%`); `fact` keeps the sourced
    figure so its default text is exactly what the facts file says.
    """

    value: Number
    percent: bool = False
    fact: Fact | None = None
    decimals: int | None = None
    """Shown with up to this many decimals (trailing zeros dropped); None: the default."""


@dataclass(frozen=True)
class ShapeValue:
    """A per-sample shape `(C, H, W)` or `(F,)`, written the way lessons do: `55×55×96`."""

    dims: Shape


@dataclass(frozen=True)
class Text:
    """Finished text (a table, a chart, a name): filters do not apply."""

    text: str


@dataclass(frozen=True)
class Matrix:
    """A small grid of exact numbers for worked examples, one per channel: `(C, H, W)` nested
    lists. Written as aligned rows (for a code block), channels separated by a blank line."""

    channels: tuple[tuple[tuple[Number, ...], ...], ...]

    @property
    def height(self) -> int:
        return len(self.channels[0])

    @property
    def width(self) -> int:
        return len(self.channels[0][0])


Value = Quantity | ShapeValue | Text | Matrix
