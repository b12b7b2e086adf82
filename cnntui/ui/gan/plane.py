"""The 2-D GAN's plane: real and generated points over the discriminator's shaded field.

The widget draws a `Snapshot` computed elsewhere (`cnntui.gan.gan2d`); it does no numerics beyond
mapping coordinates to cells. Each cell's background is D's belief at that spot, from purple
("seems fake", 0) through grey (unsure, 0.5) to green ("seems real", 1). Real points are `•`
(ASCII `o`), generated ones `×` (ASCII `x`); with gradients shown, some generated points become
arrows pointing where the generator's loss says they should move. A cell is about twice as tall as
wide, so the plane is drawn two columns per row to stay square.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from cnntui.gan.distributions import EXTENT
from cnntui.gan.gan2d import Snapshot
from cnntui.ui.shared.access import ascii_only

FAKE_COLOUR = (150, 60, 190)
UNSURE_COLOUR = (70, 70, 70)
REAL_COLOUR = (40, 150, 70)
ARROWS_UNICODE = "→↗↑↖←↙↓↘"
ARROWS_ASCII = ">/^\\<\\v/"


def belief_colour(belief: float) -> Color:
    """Purple at 0, grey at 0.5, green at 1 (linear in RGB on each half)."""
    b = min(1.0, max(0.0, float(belief)))
    low, high, t = (
        (FAKE_COLOUR, UNSURE_COLOUR, b * 2)
        if b < 0.5
        else (UNSURE_COLOUR, REAL_COLOUR, (b - 0.5) * 2)
    )
    rgb = tuple(int(round(lo + (hi - lo) * t)) for lo, hi in zip(low, high))
    return Color.from_rgb(*rgb)


def arrow_glyph(dx: float, dy: float, ascii_mode: bool) -> str:
    """The arrow nearest to direction (dx, dy) (y up), one of eight."""
    sector = int(round(math.atan2(dy, dx) / (math.pi / 4))) % 8
    return (ARROWS_ASCII if ascii_mode else ARROWS_UNICODE)[sector]


def to_cells(points: np.ndarray, cols: int, rows: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column and row (row 0 at the top) of each point `(n, 2)`, and whether it is on the plane."""
    low, high = EXTENT
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    with np.errstate(invalid="ignore"):
        c = np.floor((pts[:, 0] - low) / (high - low) * cols)
        r = np.floor((high - pts[:, 1]) / (high - low) * rows)
        inside = np.isfinite(c) & np.isfinite(r) & (c >= 0) & (c < cols) & (r >= 0) & (r < rows)
    return np.where(inside, c, 0).astype(int), np.where(inside, r, 0).astype(int), inside


class GanPlane(Widget):
    """Draws a `Snapshot`: field, real points, generated points and gradient arrows."""

    DEFAULT_CSS = """
    GanPlane { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.snapshot: Snapshot | None = None
        self.show_field = True
        self.show_real = True
        self.show_arrows = True
        self._lines: list[Strip] = []
        self._composed_for: tuple[tuple[int, int], Snapshot | None] | None = None

    def plane_size(self) -> tuple[int, int]:
        """(cols, rows) of the plane at the widget's size, square on screen (2 columns per row)."""
        width, height = self.size.width or 42, self.size.height or 21
        rows = max(4, min(height, width // 2))
        return rows * 2, rows

    def show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._lines = self._compose_lines()
        self.refresh()

    @dataclass
    class Resized(Message):
        """The plane's grid changed size: `(cols, rows)` of cells (the field is computed to fit)."""

        size: tuple[int, int]

    def on_resize(self) -> None:
        self._lines = self._compose_lines()
        self.post_message(self.Resized(self.plane_size()))

    def _compose_lines(self) -> list[Strip]:
        """One Strip per row; runs of cells with the same style share a segment."""
        cols, rows = self.plane_size()
        self._composed_for = ((cols, rows), self.snapshot)
        ascii_mode = ascii_only(self)
        chars = np.full((rows, cols), " ", dtype="<U1")
        kinds = np.zeros((rows, cols), dtype=np.int8)  # 0 empty, 1 real, 2 fake, 3 arrow
        levels = np.full((rows, cols), -1, dtype=np.int16)  # field shade, -1 for none
        snap = self.snapshot
        if snap is not None:
            if self.show_field and snap.field is not None:
                fr, fc = snap.field.shape
                r_index = np.arange(rows) * fr // rows
                c_index = np.arange(cols) * fc // cols
                sampled = snap.field[np.ix_(r_index, c_index)]
                levels = np.clip(np.round(sampled * SHADES), 0, SHADES).astype(np.int16)
            if self.show_real:
                cs, rs, inside = to_cells(snap.real, cols, rows)
                chars[rs[inside], cs[inside]] = "o" if ascii_mode else "•"
                kinds[rs[inside], cs[inside]] = 1
            cs, rs, inside = to_cells(snap.fake, cols, rows)
            chars[rs[inside], cs[inside]] = "x" if ascii_mode else "×"
            kinds[rs[inside], cs[inside]] = 2
            if self.show_arrows and snap.arrows is not None:
                k = len(snap.arrows)
                cs, rs, inside = to_cells(snap.fake[:k], cols, rows)
                for i in np.flatnonzero(inside):
                    dx, dy = snap.arrows[i]
                    if dx == 0 and dy == 0:
                        continue
                    chars[rs[i], cs[i]] = arrow_glyph(dx, dy, ascii_mode)
                    kinds[rs[i], cs[i]] = 3
        strips: list[Strip] = []
        for r in range(rows):
            segments: list[Segment] = []
            run_text = ""
            run_key: tuple[int, int] | None = None
            for c in range(cols):
                key = (int(kinds[r, c]), int(levels[r, c]))
                if key != run_key and run_text:
                    segments.append(Segment(run_text, _style(*run_key)))  # type: ignore[misc]
                    run_text = ""
                run_key = key
                run_text += chars[r, c]
            if run_text and run_key is not None:
                segments.append(Segment(run_text, _style(*run_key)))
            strips.append(Strip(segments))
        return strips

    def render_line(self, y: int) -> Strip:
        stale = (
            self._composed_for is None
            or self._composed_for[0] != self.plane_size()
            or self._composed_for[1] is not self.snapshot
        )
        if not self._lines or stale:
            self._lines = self._compose_lines()
        if y >= len(self._lines):
            return Strip.blank(self.size.width)
        return self._lines[y].adjust_cell_length(self.size.width)


SHADES = 24
"""The field is drawn in SHADES + 1 levels of belief (fewer styles, steadier pictures)."""

_FOREGROUNDS = ("default", "#7CFC7C", "#FF9CFF", "bold #FFFFFF")


@lru_cache(maxsize=512)
def _style(kind: int, level: int) -> Style:
    """The style of a cell: its glyph's colour (by kind) on the field's shade (level −1: none)."""
    style = Style.parse(_FOREGROUNDS[kind])
    if level >= 0:
        style += Style(bgcolor=belief_colour(level / SHADES))
    return style
