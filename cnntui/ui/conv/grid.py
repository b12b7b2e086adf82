"""A grid of values drawn as pixels (half blocks, or an ASCII ramp) or as numbers, with marks.

The Conv Lab uses it for the (padded, or stretched) input with the kernel window on it and for the
output map. It draws only what fits, keeping the marked cells in view when the grid is larger than
the widget, in the colours of `cnntui.ui.conv.colours`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from cnntui.conv.stepper import CELL_INPUT, CELL_INSERTED, CELL_PADDING
from cnntui.i18n import _
from cnntui.text import number_text
from cnntui.ui.conv.colours import (
    ASCII_RAMP,
    CHOSEN_TINT,
    INSERTED_TINT,
    PADDING_TINT,
    WINDOW_TINT,
    cell_style,
    legend,
    mix_colour,
    value_colours,
)
from cnntui.ui.shared.access import ascii_only

__all__ = ["ConvGrid", "GridData", "legend", "marked_cells"]


@dataclass
class GridData:
    """What a `ConvGrid` shows.

    `values` is ``(H, W)`` (numbers, NaN for not computed yet) or ``(3, H, W)`` (an RGB image in
    [0, 1]); `kinds` marks padding and inserted cells; `marked` is the window; `chosen` one cell
    in red (the maximum of a max pool, or the output position).
    """

    values: np.ndarray
    kinds: np.ndarray | None = None
    marked: set[tuple[int, int]] = field(default_factory=set)
    chosen: tuple[int, int] | None = None
    low: float = 0.0
    high: float = 1.0
    diverging: bool = False
    rgb: bool = False


class _Lines:
    """Segments line by line: what `render_line` hands to Textual without any conversion."""

    def __init__(self) -> None:
        self.lines: list[list[Segment]] = [[]]

    def append(self, text: str, style: Style | None = None) -> None:
        if text == "\n":
            self.lines.append([])
        else:
            self.lines[-1].append(Segment(text, style))


class ConvGrid(Widget):
    """Draws `GridData`; posts `CellClicked(row, col)` for a click on a cell."""

    DEFAULT_CSS = """
    ConvGrid {
        width: 1fr;
        height: 1fr;
    }
    """

    @dataclass
    class CellClicked(Message):
        grid: ConvGrid
        row: int
        col: int

        @property
        def control(self) -> ConvGrid:
            return self.grid

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.data: GridData | None = None
        self.show_values = False
        self.channel = 0
        """Which channel the numbers show for an RGB grid."""
        self._origin = (0, 0)
        self._cell = (1, 2)  # (columns per cell, cells per text line)

    def show(self, data: GridData, show_values: bool | None = None) -> None:
        self.data = data
        if show_values is not None:
            self.show_values = show_values
        self.refresh()

    @property
    def ascii_mode(self) -> bool:
        return ascii_only(self)

    # -- geometry --------------------------------------------------------------------------------

    def _cell_size(self) -> tuple[int, int]:
        """(columns per cell, cells per text line) for the current drawing."""
        if self.show_values:
            return (self._value_width() + 1, 1)
        if self.ascii_mode or self._full_cells():
            return (2, 1)
        return (1, 2)

    def _full_cells(self) -> bool:
        """Whether the whole grid fits with two columns and one line per cell (bigger, clearer)."""
        if self.data is None:
            return False
        rows, cols = self.data.values.shape[-2:]
        width, height = self.size
        return 2 * cols <= width and rows <= height

    def _value_width(self) -> int:
        assert self.data is not None
        values = self._plane()
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return 2
        texts = [number_text(v) for v in (finite.min(), finite.max())]
        integral = bool(np.all(np.abs(finite - np.round(finite)) < 1e-9))
        return max(1 if integral else 4, *(len(t) for t in texts))

    def _plane(self) -> np.ndarray:
        assert self.data is not None
        values = self.data.values
        return values[self.channel] if values.ndim == 3 else values

    def _viewport(self, width: int, height: int) -> tuple[int, int, int, int]:
        """(first row, first col, rows, cols) of the grid that fit, keeping the marks in view."""
        assert self.data is not None
        rows, cols = self.data.values.shape[-2:]
        cell_w, per_line = self._cell_size()
        fit_rows = max(1, height * per_line)
        fit_cols = max(1, width // cell_w)
        focus = list(self.data.marked) + ([self.data.chosen] if self.data.chosen else [])
        top, left = self._origin
        if focus:
            r0, r1 = min(r for r, _ in focus), max(r for r, _ in focus)
            c0, c1 = min(c for _, c in focus), max(c for _, c in focus)
            if r0 < top or r1 >= top + fit_rows:
                top = max(0, min(r0 - (fit_rows - (r1 - r0 + 1)) // 2, rows - fit_rows))
            if c0 < left or c1 >= left + fit_cols:
                left = max(0, min(c0 - (fit_cols - (c1 - c0 + 1)) // 2, cols - fit_cols))
        top = max(0, min(top, max(0, rows - fit_rows)))
        left = max(0, min(left, max(0, cols - fit_cols)))
        if per_line == 2:
            top -= top % 2
        self._origin = (top, left)
        return top, left, min(rows - top, fit_rows), min(cols - left, fit_cols)

    # -- drawing ---------------------------------------------------------------------------------

    def _base_colours(self) -> np.ndarray:
        """``(H, W, 3)`` colours of every cell before the window marks (cached per drawing)."""
        cached = getattr(self, "_colours", None)
        if cached is not None:
            return cached
        data = self.data
        assert data is not None
        plane = self._plane().astype(np.float64)
        if data.rgb and data.values.ndim == 3:
            colours = np.rint(255 * np.clip(data.values, 0, 1)).transpose(1, 2, 0)
        else:
            colours = value_colours(plane, data.low, data.high, data.diverging)
        if data.kinds is not None:
            padding = data.kinds == CELL_PADDING
            base = np.where(np.isfinite(plane)[..., None], colours, 0)
            colours = np.where(
                padding[..., None], base * 0.55 + np.array(PADDING_TINT) * 0.45, colours
            )
            inserted = data.kinds == CELL_INSERTED
            colours = np.where(
                inserted[..., None], colours * 0.5 + np.array(INSERTED_TINT) * 0.5, colours
            )
        self._colours = colours.astype(np.int64)
        return self._colours

    def _colour(self, r: int, c: int) -> tuple[int, int, int]:
        data = self.data
        assert data is not None
        red, green, blue = self._base_colours()[r, c]
        colour = (int(red), int(green), int(blue))
        if (r, c) == data.chosen:
            return mix_colour(colour, CHOSEN_TINT, 0.6)
        if (r, c) in data.marked:
            return mix_colour(colour, WINDOW_TINT, 0.45)
        return colour

    def refresh(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self._strips: list[Strip] | None = None
        self._colours: np.ndarray | None = None
        return super().refresh(*args, **kwargs)

    def _build(self) -> list[Strip]:
        if self.data is None:
            return []
        width, height = self.size
        top, left, n_rows, n_cols = self._viewport(width, height)
        rows, cols = self.data.values.shape[-2:]
        note = ""
        if (n_rows < rows or n_cols < cols) and height > 1:
            # Part of the grid is out of view: say which part, on a line of its own.
            top, left, n_rows, n_cols = self._viewport(width, height - 1)
            note = crop_note(top, left, n_rows, n_cols, rows, cols, self.ascii_mode, width)
        if self.show_values:
            lines = self._render_values(top, left, n_rows, n_cols)
        elif self.ascii_mode:
            lines = self._render_ascii(top, left, n_rows, n_cols)
        elif self._full_cells():
            lines = self._render_full_cells(top, left, n_rows, n_cols)
        else:
            lines = self._render_half_blocks(top, left, n_rows, n_cols)
        strips = [Strip(line) for line in lines.lines]
        if note:
            strips = strips[: height - 1]
            strips += [Strip.blank(width)] * (height - 1 - len(strips))
            strips.append(Strip([Segment(note, Style(dim=True, italic=True))]))
        return strips

    def render_line(self, y: int) -> Strip:
        strips = getattr(self, "_strips", None)
        if strips is None or getattr(self, "_strips_size", None) != self.size:
            strips = self._strips = self._build()
            self._strips_size = self.size
        if y < len(strips):
            return strips[y].crop(0, self.size.width)
        return Strip.blank(self.size.width)

    def text(self) -> str:
        """What is on show as plain text (for tests and accessibility checks)."""
        return "\n".join(strip.text for strip in self._build())

    def _render_full_cells(self, top: int, left: int, n_rows: int, n_cols: int) -> _Lines:
        text = _Lines()
        for r in range(top, top + n_rows):
            if r > top:
                text.append("\n")
            for c in range(left, left + n_cols):
                text.append("  ", cell_style(bg=self._colour(r, c)))
        return text

    def _render_half_blocks(self, top: int, left: int, n_rows: int, n_cols: int) -> _Lines:
        text = _Lines()
        for r in range(top, top + n_rows, 2):
            if r > top:
                text.append("\n")
            for c in range(left, left + n_cols):
                upper = self._colour(r, c)
                lower = self._colour(r + 1, c) if r + 1 < top + n_rows else None
                text.append("▀", cell_style(fg=upper, bg=lower))
        return text

    def _ascii_char(self, r: int, c: int) -> str:
        assert self.data is not None
        data = self.data
        if data.rgb and data.values.ndim == 3:
            value = float(np.mean(data.values[:, r, c]))
            t = value
        else:
            value = float(self._plane()[r, c])
            if np.isnan(value):
                return ".."
            if np.isinf(value):
                return "--"
            span = data.high - data.low
            t = 0.0 if span <= 0 else (value - data.low) / span
        char = ASCII_RAMP[int(np.clip(round(t * (len(ASCII_RAMP) - 1)), 0, len(ASCII_RAMP) - 1))]
        return char * 2

    def _render_ascii(self, top: int, left: int, n_rows: int, n_cols: int) -> _Lines:
        assert self.data is not None
        text = _Lines()
        for r in range(top, top + n_rows):
            if r > top:
                text.append("\n")
            for c in range(left, left + n_cols):
                colour = self._colour(r, c)
                marked = (r, c) in self.data.marked or (r, c) == self.data.chosen
                kind = CELL_INPUT if self.data.kinds is None else int(self.data.kinds[r, c])
                style = cell_style(fg=colour)
                if marked:
                    tint = CHOSEN_TINT if (r, c) == self.data.chosen else WINDOW_TINT
                    style = cell_style(fg=(0, 0, 0), bg=mix_colour(colour, tint, 0.6), bold=True)
                elif kind != CELL_INPUT:
                    cell_tint = PADDING_TINT if kind == CELL_PADDING else INSERTED_TINT
                    style = cell_style(fg=colour, bg=mix_colour((0, 0, 0), cell_tint, 0.5))
                text.append(self._ascii_char(r, c), style)
        return text

    def _render_values(self, top: int, left: int, n_rows: int, n_cols: int) -> _Lines:
        assert self.data is not None
        data = self.data
        plane = self._plane()
        width = self._value_width()
        text = _Lines()
        for r in range(top, top + n_rows):
            if r > top:
                text.append("\n")
            for c in range(left, left + n_cols):
                value = float(plane[r, c])
                shown = (
                    "·"
                    if np.isnan(value) and not self.ascii_mode
                    else ("." if np.isnan(value) else number_text(value))
                )
                if self.ascii_mode:
                    shown = shown.replace("−", "-").replace("∞", "inf")
                kind = CELL_INPUT if data.kinds is None else int(data.kinds[r, c])
                style = cell_style()
                if (r, c) == data.chosen:
                    style = cell_style(fg=(255, 255, 255), bg=CHOSEN_TINT, bold=True)
                elif (r, c) in data.marked:
                    style = cell_style(fg=(0, 0, 0), bg=WINDOW_TINT, bold=True)
                elif kind == CELL_PADDING:
                    style = cell_style(
                        fg=mix_colour((200, 200, 200), PADDING_TINT, 0.6), italic=True
                    )
                elif kind == CELL_INSERTED:
                    style = cell_style(fg=INSERTED_TINT, italic=True)
                elif np.isnan(value):
                    style = cell_style(dim=True)
                text.append(" ")
                text.append(shown.rjust(width), style)
        return text

    # -- clicks ----------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if self.data is None:
            return
        cell_w, per_line = self._cell_size()
        top, left = self._origin
        row = top + event.y * per_line
        col = left + event.x // cell_w
        rows, cols = self.data.values.shape[-2:]
        if 0 <= row < rows and 0 <= col < cols:
            self.post_message(self.CellClicked(self, row, col))


def crop_note(
    top: int,
    left: int,
    n_rows: int,
    n_cols: int,
    rows: int,
    cols: int,
    ascii_mode: bool,
    width: int = 80,
) -> str:
    """Which part of a `rows`×`cols` grid is in view, e.g. "rows 0-15, cols 3-7 of 16×16", in
    fewer words when that is wider than `width`."""
    dash, times = ("-", "x") if ascii_mode else ("–", "×")
    shown_rows = f"{top}{dash}{top + n_rows - 1}"
    shown_cols = f"{left}{dash}{left + n_cols - 1}"
    size = f"{rows}{times}{cols}"
    note = _("rows {rows}, cols {cols} of {size}").format(
        rows=shown_rows, cols=shown_cols, size=size
    )
    # Measured in terminal cells: Hangul takes two a letter.
    if cell_len(note) > width:
        note = _("r {rows} c {cols} of {size}").format(rows=shown_rows, cols=shown_cols, size=size)
    if cell_len(note) > width:
        note = f"r{shown_rows} c{shown_cols}/{size}"
    return note


def marked_cells(rows: Iterable[int], cols: Iterable[int]) -> set[tuple[int, int]]:
    return {(r, c) for r in rows for c in cols}
