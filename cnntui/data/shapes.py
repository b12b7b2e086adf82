"""`shapes`: synthetic 28×28 greyscale drawings of five classes, generated from a seed.

Each image is one outline — circle, square, triangle, cross or line — at a random position, size
(radius 5–10 px), rotation and stroke width (1–2.5 px), anti-aliased, plus Gaussian noise with a
random level up to 0.08. Classes are balanced (sample `i` is class `i mod 5` before shuffling), and
the same seed and count always give the same images.
"""

from __future__ import annotations

import numpy as np

from cnntui.data.dataset import Dataset, DatasetError
from cnntui.i18n import _

SHAPE_NAMES = ("circle", "square", "triangle", "cross", "line")
SHAPES_SIZE = 28

# Segments of each outline in local coordinates for a unit radius, as (x0, y0, x1, y1) rows.
_H = np.sqrt(3) / 2
_SEGMENTS: dict[str, np.ndarray] = {
    "square": np.array([[-1, -1, 1, -1], [1, -1, 1, 1], [1, 1, -1, 1], [-1, 1, -1, -1]], float)
    * 0.8,
    "triangle": np.array([[0, -1, _H, 0.5], [_H, 0.5, -_H, 0.5], [-_H, 0.5, 0, -1]], float),
    "cross": np.array([[-1, 0, 1, 0], [0, -1, 0, 1]], float),
    "line": np.array([[-1, 0, 1, 0]], float),
}


def load_shapes(count: int = 6000, seed: int = 0, size: int = SHAPES_SIZE) -> Dataset:
    """`count` images `(count, 1, size, size)` float32 in [0, 1] with labels 0..4 (`SHAPE_NAMES`)."""
    if count < len(SHAPE_NAMES):
        raise DatasetError(
            _("shapes needs at least {value} samples, got {count}").format(
                value=len(SHAPE_NAMES), count=count
            )
        )
    if size < 16:
        raise DatasetError(_("shapes are drawn at 16×16 or larger, got {size}").format(size=size))
    rng = np.random.default_rng(seed)
    labels = np.arange(count, dtype=np.int64) % len(SHAPE_NAMES)
    scale = size / SHAPES_SIZE
    radius = rng.uniform(5.0, 10.0, count) * scale
    margin = radius + 1.5 * scale
    cx = margin + rng.random(count) * (size - 2 * margin)
    cy = margin + rng.random(count) * (size - 2 * margin)
    angle = rng.uniform(0.0, 2 * np.pi, count)
    stroke = rng.uniform(1.0, 2.5, count) * scale
    noise = rng.uniform(0.0, 0.08, count)

    ys, xs = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    distance = np.empty((count, size, size), dtype=np.float64)
    for label, name in enumerate(SHAPE_NAMES):
        idx = np.nonzero(labels == label)[0]
        if idx.size == 0:
            continue
        px = xs[None] - cx[idx, None, None]
        py = ys[None] - cy[idx, None, None]
        if name == "circle":
            distance[idx] = np.abs(np.hypot(px, py) - radius[idx, None, None])
            continue
        cos, sin = np.cos(angle[idx]), np.sin(angle[idx])
        best = np.full(px.shape, np.inf)
        for x0, y0, x1, y1 in _SEGMENTS[name]:
            ends = []
            for ux, uy in ((x0, y0), (x1, y1)):
                ex = (ux * cos - uy * sin) * radius[idx]
                ey = (ux * sin + uy * cos) * radius[idx]
                ends.append((ex[:, None, None], ey[:, None, None]))
            best = np.minimum(best, _segment_distance(px, py, ends[0], ends[1]))
        distance[idx] = best
    ink = np.clip(stroke[:, None, None] / 2 - distance + 0.5, 0.0, 1.0)
    ink += rng.normal(0.0, 1.0, ink.shape) * noise[:, None, None]
    images = np.clip(ink, 0.0, 1.0).astype(np.float32)[:, None]
    order = rng.permutation(count)
    return Dataset("shapes", images[order], labels[order], SHAPE_NAMES)


def _segment_distance(
    px: np.ndarray,
    py: np.ndarray,
    a: tuple[np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Distance from points (px, py) to the segment a–b (all broadcastable to `(n, H, W)`)."""
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    length2 = np.maximum(dx * dx + dy * dy, 1e-12)
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy))
