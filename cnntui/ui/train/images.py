"""Small images as text: filters, feature maps and test images in the Train lab.

Each character cell shows two pixels stacked vertically with the upper half block `▀`
(foreground = upper pixel, background = lower pixel), so a 28×28 digit at width 14 takes 14×7
cells. With the app's `ascii_mode` a cell is one character of the shade ramp ` .:-=+*#%@`
(the mean of its two pixels) instead. Rich reduces the colours to what the terminal has.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.cells import set_cell_size
from rich.style import Style
from rich.text import Text
from textual.widget import Widget
from textual.widgets import Static

from cnntui.ui.shared.access import ascii_only

ASCII_RAMP = " .:-=+*#%@"


def resample(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Nearest-neighbour resample of `(C, H, W)` to `(C, height, width)`."""
    _, h, w = image.shape
    rows = np.minimum((np.arange(height) * h / height).astype(np.int64), h - 1)
    cols = np.minimum((np.arange(width) * w / width).astype(np.int64), w - 1)
    return image[:, rows][:, :, cols]


def to_unit(values: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """Scale to [0, 1]: min–max, or around zero (0 → 0.5) when `symmetric` (for weights)."""
    values = np.asarray(values, dtype=np.float32)
    if symmetric:
        peak = float(np.abs(values).max()) or 1.0
        return np.clip(0.5 + values / (2 * peak), 0.0, 1.0)
    lo, hi = float(values.min()), float(values.max())
    if hi - lo < 1e-12:
        return np.zeros_like(values) if hi <= 0 else np.full_like(values, 0.5)
    return (values - lo) / (hi - lo)


def image_lines(image: np.ndarray, width: int, ascii_mode: bool) -> list[Text]:
    """`image` `(C, H, W)` in [0, 1] as text lines `width` cells wide (aspect kept, ≥ 1 row)."""
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[None]
    c, h, w = image.shape
    rows = max(1, round(width * h / w / 2))
    pixels = np.clip(resample(image, rows * 2, width), 0.0, 1.0)
    if ascii_mode:
        grey = pixels.mean(axis=0)
        pair = (grey[0::2] + grey[1::2]) / 2
        levels = np.minimum((pair * len(ASCII_RAMP)).astype(np.int64), len(ASCII_RAMP) - 1)
        return [Text("".join(ASCII_RAMP[v] for v in row)) for row in levels]
    rgb = (pixels * 255).round().astype(np.int64)
    if c == 1:
        rgb = np.repeat(rgb, 3, axis=0)
    elif c != 3:
        rgb = np.repeat(rgb.mean(axis=0, keepdims=True).astype(np.int64), 3, axis=0)
    lines: list[Text] = []
    for r in range(rows):
        line = Text()
        for col in range(width):
            top = rgb[:, 2 * r, col]
            bottom = rgb[:, 2 * r + 1, col]
            line.append(
                "▀",
                Style(
                    color=f"rgb({top[0]},{top[1]},{top[2]})",
                    bgcolor=f"rgb({bottom[0]},{bottom[1]},{bottom[2]})",
                ),
            )
        lines.append(line)
    return lines


@dataclass
class Tile:
    """One picture in a grid, with a caption under it (cut to the tile width)."""

    image: np.ndarray
    caption: str = ""
    style: str = ""
    lines: list[Text] | None = None
    """Extra text lines under the caption (e.g. top-3 classes)."""


def grid_text(
    tiles: list[Tile], tile_width: int, total_width: int, ascii_mode: bool, gap: int = 1
) -> Text:
    """Tiles laid out left to right, wrapping at `total_width` cells."""
    per_row = max(1, (total_width + gap) // (tile_width + gap))
    out = Text()
    for start in range(0, len(tiles), per_row):
        row = tiles[start : start + per_row]
        blocks: list[list[Text]] = []
        for tile in row:
            block = image_lines(tile.image, tile_width, ascii_mode)
            if tile.caption:
                # cut and padded in cells: a Hangul caption takes two per syllable
                block.append(Text(set_cell_size(tile.caption, tile_width), style=tile.style))
            for extra in tile.lines or []:
                extra = extra.copy()
                extra.truncate(tile_width, pad=True)
                block.append(extra)
            blocks.append(block)
        height = max(len(b) for b in blocks)
        for r in range(height):
            for i, block in enumerate(blocks):
                if i:
                    out.append(" " * gap)
                out.append(block[r] if r < len(block) else Text(" " * tile_width))
            out.append("\n")
        if start + per_row < len(tiles):
            out.append("\n")
    out.rstrip()
    return out


def tile_height(tile: Tile, width: int) -> int:
    """Lines one tile takes at `width` cells: its picture, caption and extra lines."""
    h, w = np.shape(tile.image)[-2:]
    rows = max(1, round(width * h / w / 2))
    return rows + (1 if tile.caption else 0) + len(tile.lines or [])


def fit_tile_width(
    tiles: list[Tile], smallest: int, largest: int, total_width: int, height: int, gap: int = 1
) -> int:
    """The widest tile width in `[smallest, largest]` at which every tile fits in `total_width`
    × `height` cells (`smallest` when none does), so pictures grow with the terminal."""
    if not tiles or largest <= smallest or height <= 0:
        return smallest
    for width in range(largest, smallest, -1):
        per_row = (total_width + gap) // (width + gap)
        if per_row < 1:
            continue
        rows = [tiles[i : i + per_row] for i in range(0, len(tiles), per_row)]
        needed = sum(max(tile_height(t, width) for t in row) for row in rows) + len(rows) - 1
        if needed <= height:
            return width
    return smallest


class ImageGrid(Static):
    """A wrapped grid of small images with captions; call `set_tiles`.

    Tiles are `tile_width` cells wide, or with `max_tile_width` as wide as lets every tile fit
    in the room the grid's container gives it (its height less its siblings'), up to that width:
    thumbnails at 80×24, real pictures on a large terminal.
    """

    DEFAULT_CSS = "ImageGrid { height: auto; }"

    def __init__(
        self, tile_width: int = 8, max_tile_width: int | None = None, **kwargs: object
    ) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.tile_width = tile_width
        """The width tiles are drawn at now."""
        self.min_tile_width = tile_width
        self.max_tile_width = max(tile_width, max_tile_width or tile_width)
        self._tiles: list[Tile] = []
        self.empty_text = ""

    def set_tiles(self, tiles: list[Tile], tile_width: int | None = None) -> None:
        self._tiles = tiles
        if tile_width is not None:
            self.min_tile_width = tile_width
            self.max_tile_width = max(self.max_tile_width, tile_width)
        self._render_tiles()

    def on_resize(self) -> None:
        self._render_tiles()

    def refit(self) -> None:
        """Draw again for the room there is now (the container was resized)."""
        self._render_tiles()

    def _room(self) -> int:
        """Lines the container has for this grid: its height less the other children's."""
        parent = self.parent
        if not isinstance(parent, Widget):
            return 0
        others = sum(
            child.outer_size.height
            for child in parent.children
            if child is not self and child.display
        )
        return parent.scrollable_content_region.height - others

    def _render_tiles(self) -> None:
        if not self._tiles:
            self.update(self.empty_text)
            return
        ascii_mode = ascii_only(self)
        width = max(self.size.width, self.min_tile_width)
        self.tile_width = fit_tile_width(
            self._tiles, self.min_tile_width, self.max_tile_width, width, self._room()
        )
        self.update(grid_text(self._tiles, self.tile_width, width, ascii_mode))
