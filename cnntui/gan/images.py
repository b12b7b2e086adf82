"""Sample grids as image files: binary PGM always, PNG as well when Pillow is importable.

A grid tiles `N` greyscale images `(N, 1, H, W)` (or `(N, H, W)`) into `rows × cols` with a
one-pixel dark border between tiles, so a 8×8 grid of 8×8 digits is a 73×73 picture.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import numpy as np

from cnntui import userfile
from cnntui.atomic import write_bytes_atomic
from cnntui.errors import UsageError
from cnntui.i18n import _
from cnntui.images import decode_netpbm, netpbm_from_levels


def tile(
    images: np.ndarray, cols: int | None = None, low: float = -1.0, high: float = 1.0
) -> np.ndarray:
    """Tile images into one uint8 picture `(rows·(H+1)+1, cols·(W+1)+1)`.

    Pixel values are mapped linearly from `[low, high]` (the generator's tanh range by default)
    to 0..255 and clipped.
    """
    pics = np.asarray(images, dtype=np.float64)
    if pics.ndim == 4:
        if pics.shape[1] != 1:
            raise ValueError(
                _("only greyscale grids are supported, got {count} channels").format(
                    count=pics.shape[1]
                )
            )
        pics = pics[:, 0]
    if pics.ndim != 3 or len(pics) == 0:
        raise ValueError(
            _("expected images (N, 1, H, W) or (N, H, W), got shape {shape}").format(
                shape=np.shape(images)
            )
        )
    n, h, w = pics.shape
    cols = cols or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    scaled = np.clip((pics - low) / (high - low), 0.0, 1.0)
    canvas = np.zeros((rows * (h + 1) + 1, cols * (w + 1) + 1), dtype=np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        top, left = 1 + r * (h + 1), 1 + c * (w + 1)
        canvas[top : top + h, left : left + w] = np.round(scaled[i] * 255).astype(np.uint8)
    return canvas


def upscale(picture: np.ndarray, factor: int) -> np.ndarray:
    """Nearest-neighbour enlargement by an integer factor (small digits are easier to see)."""
    if factor < 1:
        raise ValueError(_("upscale factor must be at least 1, got {value}").format(value=factor))
    return np.repeat(np.repeat(picture, factor, axis=0), factor, axis=1)


def pgm_bytes(picture: np.ndarray) -> bytes:
    """A binary (P5) PGM file with maxval 255 for a uint8 picture `(H, W)`."""
    pic = np.asarray(picture, dtype=np.uint8)
    if pic.ndim != 2:
        raise ValueError(_("a PGM picture is 2-D, got shape {shape}").format(shape=pic.shape))
    return netpbm_from_levels(pic, plain=False)


def read_pgm(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a binary PGM (P5, maxval ≤ 255) as uint8 `(H, W)`; raises ValueError if malformed."""
    try:
        data = userfile.read_bytes(path, "image")
    except userfile.FileRefused as exc:
        raise ValueError(str(exc)) from None
    if data[:2] != b"P5":
        raise ValueError(
            _("{path}: not a binary PGM (magic {magic})").format(path=path, magic=repr(data[:2]))
        )
    try:
        levels, maxval = decode_netpbm(data, str(path), max_side=None)
    except UsageError as exc:
        raise ValueError(str(exc)) from None
    if maxval > 255:
        raise ValueError(
            _("{path}: only 8-bit PGM is supported (maxval {maxval})").format(
                path=path, maxval=maxval
            )
        )
    return levels[:, :, 0].astype(np.uint8)


def pillow_available() -> bool:
    return importlib.util.find_spec("PIL") is not None


def write_grid(picture: np.ndarray, stem: str | os.PathLike[str]) -> list[Path]:
    """Write `stem.pgm` (and `stem.png` with Pillow) atomically; returns the paths written."""
    base = Path(stem)
    written = [write_bytes_atomic(base.with_suffix(".pgm"), pgm_bytes(picture))]
    if pillow_available():
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(np.asarray(picture, dtype=np.uint8)).save(
            buffer, format="PNG"
        )  # 2-D uint8: "L"
        written.append(write_bytes_atomic(base.with_suffix(".png"), buffer.getvalue()))
    return written
