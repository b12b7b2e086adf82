"""A drawing pad, pure: a square canvas in [0, 1], a cursor, a round brush, clear, thicken and
undo. The Explain view feeds `canvas` to the network (prepared like the training data) after
every change.
"""

from __future__ import annotations

import numpy as np

UNDO_LIMIT = 50


class DrawingPad:
    """`size`×`size` canvas, float32 in [0, 1]; bright = ink (as in the data sets)."""

    def __init__(self, size: int = 28, brush: float = 1.2) -> None:
        self.size = size
        self.brush = brush
        """Radius in pixels of the round brush (anti-aliased by distance)."""
        self.canvas = np.zeros((size, size), dtype=np.float32)
        self.cursor = (size // 2, size // 2)
        self._undo: list[np.ndarray] = []
        self._stroke_open = False

    def _save(self) -> None:
        self._undo.append(self.canvas.copy())
        del self._undo[:-UNDO_LIMIT]

    def begin_stroke(self) -> None:
        """Start a stroke: one undo step covers everything painted until the next stroke."""
        self._save()
        self._stroke_open = True

    def end_stroke(self) -> None:
        self._stroke_open = False

    def paint(self, row: int, col: int) -> None:
        """Ink a round dot at (row, col); a new undo step unless a stroke is open."""
        if not self._stroke_open:
            self._save()
        ys, xs = np.mgrid[0 : self.size, 0 : self.size]
        distance = np.hypot(ys - row, xs - col)
        dot = np.clip(self.brush + 0.5 - distance, 0.0, 1.0).astype(np.float32)
        np.maximum(self.canvas, dot, out=self.canvas)

    def move(self, d_row: int, d_col: int, paint: bool = False) -> None:
        r = min(max(self.cursor[0] + d_row, 0), self.size - 1)
        c = min(max(self.cursor[1] + d_col, 0), self.size - 1)
        self.cursor = (r, c)
        if paint:
            self.paint(r, c)

    def clear(self) -> None:
        self._save()
        self.canvas[:] = 0.0

    def thicken(self) -> None:
        """Grow every stroke by one pixel (a 3×3 maximum filter)."""
        self._save()
        padded = np.pad(self.canvas, 1)
        grown = np.max(
            [
                padded[dy : dy + self.size, dx : dx + self.size]
                for dy in range(3)
                for dx in range(3)
            ],
            axis=0,
        )
        self.canvas = grown.astype(np.float32)

    def undo(self) -> bool:
        """Go back one step; False when there is nothing to undo."""
        if not self._undo:
            return False
        self.canvas = self._undo.pop()
        return True

    def load(self, pixels: np.ndarray) -> None:
        """Start from a picture `(H, W)` (resized to the canvas)."""
        from cnntui.data.transforms import resize_bilinear

        self._save()
        x = np.asarray(pixels, dtype=np.float32)
        self.canvas = resize_bilinear(x[None, None], (self.size, self.size))[0, 0]

    @property
    def blank(self) -> bool:
        return not bool((self.canvas > 0.1).any())
