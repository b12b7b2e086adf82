"""Small maps as text: two pixels per cell with the upper half block, or one ASCII shade per
cell (the mean of its two pixels) with `--ascii`; marked cells are drawn in a highlight colour.
"""

from __future__ import annotations

import numpy as np
from rich.style import Style
from rich.text import Text

ASCII_RAMP = " .:-=+*#%@"
MARK = (255, 200, 0)
"""The colour of the selected unit and of the receptive field's frame."""


def to_unit(values: np.ndarray) -> np.ndarray:
    """Min–max scaled to [0, 1] (a constant map is all 0, or 0.5 when positive)."""
    v = np.asarray(values, dtype=np.float32)
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < 1e-12:
        return np.zeros_like(v) if hi <= 0 else np.full_like(v, 0.5)
    return (v - lo) / (hi - lo)


def resample_index(size: int, cells: int) -> np.ndarray:
    """Which source index each of `cells` output positions shows (nearest neighbour)."""
    return np.minimum((np.arange(cells) * size / cells).astype(np.int64), size - 1)


def tile_rows(height: int, width: int, cells: int) -> int:
    """Text rows a `height`×`width` map takes at `cells` columns (two pixels a row)."""
    return max(1, round(cells * height / width / 2))


def map_lines(
    rgb: np.ndarray,
    cells: int,
    ascii_mode: bool,
    marked: np.ndarray | None = None,
) -> list[Text]:
    """`rgb` `(H, W, 3)` floats in [0, 1] as lines `cells` wide; `marked` `(H, W)` bool pixels
    are drawn in the highlight colour (ASCII: reversed)."""
    height, width, _ = rgb.shape
    rows = tile_rows(height, width, cells)
    ys = resample_index(height, rows * 2)
    xs = resample_index(width, cells)
    pixels = np.clip(rgb[ys][:, xs], 0.0, 1.0)
    mark = marked[ys][:, xs] if marked is not None else np.zeros(pixels.shape[:2], dtype=bool)
    lines: list[Text] = []
    for r in range(rows):
        line = Text()
        for c in range(cells):
            top, bottom = pixels[2 * r, c], pixels[2 * r + 1, c]
            top_mark, bottom_mark = bool(mark[2 * r, c]), bool(mark[2 * r + 1, c])
            if ascii_mode:
                level = float((top.mean() + bottom.mean()) / 2)
                char = ASCII_RAMP[min(len(ASCII_RAMP) - 1, int(level * len(ASCII_RAMP)))]
                line.append(char, Style(reverse=True) if top_mark or bottom_mark else None)
                continue
            t = MARK if top_mark else tuple(int(v * 255) for v in top)
            b = MARK if bottom_mark else tuple(int(v * 255) for v in bottom)
            line.append(
                "▀", Style(color=f"rgb({t[0]},{t[1]},{t[2]})", bgcolor=f"rgb({b[0]},{b[1]},{b[2]})")
            )
        lines.append(line)
    return lines


def grey(values: np.ndarray) -> np.ndarray:
    """`(H, W)` values as grey `(H, W, 3)`, min–max scaled."""
    unit = to_unit(values)
    return np.repeat(unit[:, :, None], 3, axis=2)


def heat_overlay(image: np.ndarray, heat: np.ndarray, strength: float = 0.75) -> np.ndarray:
    """An `(H, W)` picture in [0, 1] under a heat map `(H, W)` (red-yellow where high)."""
    base = np.repeat(np.clip(image, 0, 1)[:, :, None], 3, axis=2) * 0.6
    h = to_unit(np.maximum(heat, 0)) if float(np.max(heat)) > 0 else np.zeros_like(heat)
    colour = np.stack([np.ones_like(h), h, np.zeros_like(h)], axis=2)
    alpha = (h * strength)[:, :, None]
    return base * (1 - alpha) + colour * alpha


def frame(height: int, width: int, box: tuple[int, int, int, int]) -> np.ndarray:
    """`(H, W)` bool: the outline of the box (top, left, bottom, right), inclusive."""
    top, left, bottom, right = box
    out = np.zeros((height, width), dtype=bool)
    out[top, left : right + 1] = out[bottom, left : right + 1] = True
    out[top : bottom + 1, left] = out[top : bottom + 1, right] = True
    return out


def vector_grid(values: np.ndarray, columns: int) -> np.ndarray:
    """A vector `(F,)` laid out row by row `columns` wide (NaN pads the last row), `(R, columns)`."""
    count = values.size
    rows = -(-count // columns)
    grid = np.full(rows * columns, np.nan, dtype=np.float32)
    grid[:count] = values
    return grid.reshape(rows, columns)
