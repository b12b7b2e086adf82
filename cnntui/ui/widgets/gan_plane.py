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

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from cnntui.gan.distributions import EXTENT
from cnntui.gan.gan2d import Snapshot

FAKE_COLOUR = (150, 60, 190)
UNSURE_COLOUR = (70, 70, 70)
REAL_COLOUR = (40, 150, 70)
ARROWS_UNICODE = "→↗↑↖←↙↓↘"
ARROWS_ASCII = ">/^\\<\\v/"


def belief_colour(belief: float) -> Color:
    """Purple at 0, grey at 0.5, green at 1 (linear in RGB on each half)."""
    b = min(1.0, max(0.0, float(belief)))
    low, high, t = (FAKE_COLOUR, UNSURE_COLOUR, b * 2) if b < 0.5 else (UNSURE_COLOUR, REAL_COLOUR, (b - 0.5) * 2)
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
    GanPlane { width: 42; height: 21; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.snapshot: Snapshot | None = None
        self.show_field = True
        self.show_real = True
        self.show_arrows = True
        self._lines: list[list[tuple[str, Style]]] = []

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return 42

    def plane_size(self) -> tuple[int, int]:
        """(cols, rows) of the plane at the widget's size, square on screen (2 columns per row)."""
        width, height = self.size.width or 42, self.size.height or 21
        rows = max(4, min(height, width // 2))
        return rows * 2, rows

    def show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._lines = self._compose_lines()
        self.refresh()

    def on_resize(self) -> None:
        self._lines = self._compose_lines()

    def _compose_lines(self) -> list[list[tuple[str, Style]]]:
        cols, rows = self.plane_size()
        ascii_mode = bool(getattr(self.app, "ascii_mode", False))
        grid_chars = [[" "] * cols for _ in range(rows)]
        backgrounds: list[list[Color | None]] = [[None] * cols for _ in range(rows)]
        foregrounds: list[list[str]] = [["default"] * cols for _ in range(rows)]
        snap = self.snapshot
        if snap is not None:
            if self.show_field and snap.field is not None:
                fr, fc = snap.field.shape
                for r in range(rows):
                    for c in range(cols):
                        backgrounds[r][c] = belief_colour(snap.field[r * fr // rows, c * fc // cols])
            if self.show_real:
                cs, rs, inside = to_cells(snap.real, cols, rows)
                for c, r in zip(cs[inside], rs[inside]):
                    grid_chars[r][c] = "o" if ascii_mode else "•"
                    foregrounds[r][c] = "#7CFC7C"
            cs, rs, inside = to_cells(snap.fake, cols, rows)
            for c, r in zip(cs[inside], rs[inside]):
                grid_chars[r][c] = "x" if ascii_mode else "×"
                foregrounds[r][c] = "#FF9CFF"
            if self.show_arrows and snap.arrows is not None:
                k = len(snap.arrows)
                cs, rs, inside = to_cells(snap.fake[:k], cols, rows)
                for i in np.flatnonzero(inside):
                    dx, dy = snap.arrows[i]
                    if dx == 0 and dy == 0:
                        continue
                    grid_chars[rs[i]][cs[i]] = arrow_glyph(dx, dy, ascii_mode)
                    foregrounds[rs[i]][cs[i]] = "bold #FFFFFF"
        lines: list[list[tuple[str, Style]]] = []
        for r in range(rows):
            line = []
            for c in range(cols):
                style = Style.parse(foregrounds[r][c])
                if backgrounds[r][c] is not None:
                    style += Style(bgcolor=backgrounds[r][c])
                line.append((grid_chars[r][c], style))
            lines.append(line)
        return lines

    def render_line(self, y: int) -> Strip:
        if not self._lines:
            self._lines = self._compose_lines()
        if y >= len(self._lines):
            return Strip.blank(self.size.width)
        segments = [Segment(ch, style) for ch, style in self._lines[y]]
        return Strip(segments).adjust_cell_length(self.size.width)
