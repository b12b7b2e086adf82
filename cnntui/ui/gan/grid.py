"""A grid of small greyscale images (the DCGAN's samples) drawn with text.

With Unicode each cell is an upper half block `▀` whose foreground is the upper pixel and whose
background is the lower one, so an 8×8 digit takes 8 columns and 4 rows. In `--ascii` mode each
pixel is one character of the shade ramp (`.:-=+*#%@`), two columns wide to keep the aspect.
Large images are shrunk by an integer factor (block means) until the tiles fit; when every tile
fits with room to spare (a large terminal), each pixel is drawn as a block of the largest whole
zoom that still fits them all. The widget shows as many tiles as fit, up to all of them, in
row-major order.
"""

from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.glyphs import glyphs


def shrink(images: np.ndarray, factor: int) -> np.ndarray:
    """Block means over `factor × factor` pixels: `(N, H, W)` → `(N, H//factor, W//factor)`."""
    if factor <= 1:
        return images
    n, h, w = images.shape
    h2, w2 = h // factor, w // factor
    return (
        images[:, : h2 * factor, : w2 * factor].reshape(n, h2, factor, w2, factor).mean(axis=(2, 4))
    )


ENOUGH_TILES = {False: 8, True: 4}
"""Tiles worth showing before shrinking them further (enough to see a collapse), by ASCII mode."""


def layout(
    count: int, tile_h: int, tile_w: int, rows: int, cols: int, ascii_mode: bool
) -> tuple[int, int, int]:
    """(shrink factor, tiles across, tiles down) for `count` tiles in `rows × cols` cells.

    The smallest shrink factor that shows at least `ENOUGH_TILES` (or all, if fewer) wins;
    otherwise the factor showing the most tiles. Tiles never shrink below 4 pixels a side.
    """
    enough = min(count, ENOUGH_TILES[ascii_mode])
    best = (0, 1, 1, 1)
    for factor in range(1, max(tile_h, tile_w) + 1):
        h, w = tile_h // factor, tile_w // factor
        if h < 4 or w < 4:
            break
        cell_w = w * (2 if ascii_mode else 1) + 1
        cell_h = (h if ascii_mode else (h + 1) // 2) + 1
        across, down = max(0, (cols + 1) // cell_w), max(0, (rows + 1) // cell_h)
        fits = min(count, across * down)
        if fits >= enough:
            return factor, across, down
        if fits > best[0]:
            best = (fits, factor, across, down)
    return best[1], max(1, best[2]), max(1, best[3])


MAX_ZOOM = 6


def zoom_for(count: int, tile_h: int, tile_w: int, rows: int, cols: int, ascii_mode: bool) -> int:
    """The largest whole zoom (up to `MAX_ZOOM`) at which all `count` tiles still fit in
    `rows × cols` cells; 1 when none larger does. Pictures grow with the terminal this way."""
    best = 1
    for zoom in range(2, MAX_ZOOM + 1):
        h, w = tile_h * zoom, tile_w * zoom
        cell_w = w * (2 if ascii_mode else 1) + 1
        cell_h = (h if ascii_mode else (h + 1) // 2) + 1
        if ((cols + 1) // cell_w) * ((rows + 1) // cell_h) < count:
            break
        best = zoom
    return best


class GanImageGrid(Widget):
    """Shows images `(N, 1, H, W)` with values in [−1, 1] (the generator's tanh range)."""

    DEFAULT_CSS = """
    GanImageGrid { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.images: np.ndarray | None = None
        self._lines: list[list[Segment]] = []

    def show(self, images: np.ndarray) -> None:
        self.images = np.asarray(images, dtype=np.float64)
        self._lines = []
        self.refresh()

    def on_resize(self) -> None:
        self._lines = []

    def _geometry(self, rows: int, cols: int) -> tuple[int, int, int, int]:
        """(shrink factor, zoom, tiles across, tiles down) for the images in `rows × cols`."""
        assert self.images is not None
        n, _, h, w = self.images.shape
        ascii_mode = ascii_only(self)
        factor, across, down = layout(n, h, w, rows, cols, ascii_mode)
        zoom = zoom_for(n, h, w, rows, cols, ascii_mode) if factor == 1 else 1
        if zoom > 1:
            _, across, down = layout(n, h * zoom, w * zoom, rows, cols, ascii_mode)
        return factor, zoom, across, down

    @property
    def zoom(self) -> int:
        """How many cells a side each sample pixel takes now (1 on a small terminal)."""
        if self.images is None:
            return 1
        return self._geometry(self.size.height, self.size.width)[1]

    @property
    def tiles_shown(self) -> int:
        """How many tiles fit at the current size."""
        if self.images is None:
            return 0
        _, _, across, down = self._geometry(self.size.height, self.size.width)
        return min(len(self.images), across * down)

    def _build(self) -> list[list[Segment]]:
        if self.images is None:
            return []
        ascii_mode = ascii_only(self)
        pics = np.clip((self.images[:, 0] + 1.0) / 2.0, 0.0, 1.0)
        n = len(pics)
        factor, zoom, across, down = self._geometry(self.size.height or 20, self.size.width or 40)
        pics = shrink(pics, factor)
        if zoom > 1:  # nearest neighbour: each pixel a zoom × zoom block
            pics = pics.repeat(zoom, axis=1).repeat(zoom, axis=2)
        _, h, w = pics.shape
        shown = min(n, across * down)
        ramp = glyphs(True).shade_ramp
        lines: list[list[Segment]] = []
        pixel_rows_per_line = 1 if ascii_mode else 2
        tile_lines = (h + pixel_rows_per_line - 1) // pixel_rows_per_line
        gap = Segment(" ")
        for tile_row in range((shown + across - 1) // across):
            for line in range(tile_lines):
                segments: list[Segment] = []
                for tile_col in range(across):
                    index = tile_row * across + tile_col
                    if index >= shown:
                        break
                    pic = pics[index]
                    for x in range(w):
                        if ascii_mode:
                            v = pic[line, x]
                            ch = ramp[min(len(ramp) - 1, int(v * len(ramp)))]
                            segments.append(Segment(ch * 2))
                        else:
                            upper = pic[2 * line, x]
                            lower = pic[2 * line + 1, x] if 2 * line + 1 < h else 0.0
                            segments.append(
                                Segment("▀", Style(color=_grey(upper), bgcolor=_grey(lower)))
                            )
                    segments.append(gap)
                lines.append(segments)
            lines.append([])
        return lines

    def render_line(self, y: int) -> Strip:
        if not self._lines:
            self._lines = self._build()
        if y >= len(self._lines):
            return Strip.blank(self.size.width)
        return Strip(self._lines[y]).adjust_cell_length(self.size.width)


def _grey(v: float) -> Color:
    level = int(round(v * 255))
    return Color.from_rgb(level, level, level)
