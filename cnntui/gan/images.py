"""Sample grids as image files: binary PGM always, PNG as well when Pillow is importable.

A grid tiles `N` greyscale images `(N, 1, H, W)` (or `(N, H, W)`) into `rows × cols` with a
one-pixel dark border between tiles, so a 8×8 grid of 8×8 digits is a 73×73 picture.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

import numpy as np


def tile(images: np.ndarray, cols: int | None = None, low: float = -1.0, high: float = 1.0) -> np.ndarray:
    """Tile images into one uint8 picture `(rows·(H+1)+1, cols·(W+1)+1)`.

    Pixel values are mapped linearly from `[low, high]` (the generator's tanh range by default)
    to 0..255 and clipped.
    """
    pics = np.asarray(images, dtype=np.float64)
    if pics.ndim == 4:
        if pics.shape[1] != 1:
            raise ValueError(f"only greyscale grids are supported, got {pics.shape[1]} channels")
        pics = pics[:, 0]
    if pics.ndim != 3 or len(pics) == 0:
        raise ValueError(f"expected images (N, 1, H, W) or (N, H, W), got shape {np.shape(images)}")
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
        raise ValueError(f"upscale factor must be at least 1, got {factor}")
    return np.repeat(np.repeat(picture, factor, axis=0), factor, axis=1)


def pgm_bytes(picture: np.ndarray) -> bytes:
    """A binary (P5) PGM file with maxval 255 for a uint8 picture `(H, W)`."""
    pic = np.asarray(picture, dtype=np.uint8)
    if pic.ndim != 2:
        raise ValueError(f"a PGM picture is 2-D, got shape {pic.shape}")
    h, w = pic.shape
    return f"P5\n{w} {h}\n255\n".encode("ascii") + pic.tobytes()


def read_pgm(path: str | os.PathLike[str]) -> np.ndarray:
    """Read a binary PGM (P5, maxval ≤ 255) written by `write_pgm`; raises ValueError if malformed."""
    data = Path(path).read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while pos < len(data) and data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        start = pos
        while pos < len(data) and not data[pos : pos + 1].isspace():
            pos += 1
        if start == pos:
            raise ValueError(f"{path}: truncated PGM header")
        fields.append(data[start:pos])
    if fields[0] != b"P5":
        raise ValueError(f"{path}: not a binary PGM (magic {fields[0]!r})")
    w, h, maxval = (int(f) for f in fields[1:])
    if not 0 < maxval < 256:
        raise ValueError(f"{path}: only 8-bit PGM is supported (maxval {maxval})")
    pixels = data[pos + 1 : pos + 1 + w * h]
    if len(pixels) != w * h:
        raise ValueError(f"{path}: expected {w * h} pixels, found {len(pixels)}")
    return np.frombuffer(pixels, dtype=np.uint8).reshape(h, w)


def pillow_available() -> bool:
    return importlib.util.find_spec("PIL") is not None


def write_grid(picture: np.ndarray, stem: str | os.PathLike[str]) -> list[Path]:
    """Write `stem.pgm` (and `stem.png` with Pillow) atomically; returns the paths written."""
    base = Path(stem)
    written = [_write_atomic(base.with_suffix(".pgm"), pgm_bytes(picture))]
    if pillow_available():
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.fromarray(np.asarray(picture, dtype=np.uint8)).save(buffer, format="PNG")  # 2-D uint8: "L"
        written.append(_write_atomic(base.with_suffix(".png"), buffer.getvalue()))
    return written


def _write_atomic(path: Path, payload: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
