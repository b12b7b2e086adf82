"""`folder`: an image-per-file tree with one sub-folder per class.

```
ROOT/
  cat/   001.png 002.pgm ...
  dog/   ...
```

Class names are the sub-folder names in sorted order. PGM and PPM (binary P5/P6 or text P2/P3) are
read natively; PNG, JPEG, BMP and GIF need Pillow (`pip install cnntui[images]`). All images are
resized (bilinear) to one size — the given one, else the first image's — and become greyscale
(1 channel) unless some image has colour (then 3 channels).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from cnntui.data.dataset import Dataset, DatasetError
from cnntui.data.transforms import resize_bilinear

NETPBM_SUFFIXES = {".pgm", ".ppm", ".pnm"}
PILLOW_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}


def read_netpbm(path: Path) -> np.ndarray:
    """A PGM/PPM file as float32 `(C, H, W)` in [0, 1] (C = 1 for grey, 3 for colour)."""
    data = path.read_bytes()
    magic = data[:2]
    if magic not in (b"P2", b"P3", b"P5", b"P6"):
        raise DatasetError(f"{path} is not a PGM/PPM image (magic {magic!r})")
    channels = 3 if magic in (b"P3", b"P6") else 1
    # The header: magic, width, height, maxval, separated by whitespace and # comments.
    tokens: list[bytes] = []
    pos = 2
    token_re = re.compile(rb"\s*(?:#[^\n]*\n\s*)*(\S+)")
    while len(tokens) < 3:
        match = token_re.match(data, pos)
        if not match:
            raise DatasetError(f"{path}: truncated PGM/PPM header")
        tokens.append(match.group(1))
        pos = match.end()
    try:
        width, height, maxval = (int(t) for t in tokens)
    except ValueError:
        raise DatasetError(f"{path}: bad PGM/PPM header {tokens!r}") from None
    if width <= 0 or height <= 0 or not 0 < maxval < 65536:
        raise DatasetError(f"{path}: bad PGM/PPM size {width}×{height} or maxval {maxval}")
    count = width * height * channels
    if magic in (b"P5", b"P6"):
        pos += 1  # exactly one whitespace byte after maxval
        dtype = np.dtype(">u2") if maxval > 255 else np.dtype(np.uint8)
        needed = count * dtype.itemsize
        if len(data) - pos < needed:
            raise DatasetError(f"{path} is truncated: {len(data) - pos} of {needed} pixel bytes")
        values = np.frombuffer(data, dtype=dtype, count=count, offset=pos)
    else:
        try:
            values = np.array(data[pos:].split()[:count], dtype=np.int64)
        except ValueError:
            raise DatasetError(f"{path}: non-numeric pixel values") from None
        if values.size < count:
            raise DatasetError(f"{path} is truncated: {values.size} of {count} pixel values")
    image = values.reshape(height, width, channels).transpose(2, 0, 1)
    return (image.astype(np.float32) / maxval).clip(0.0, 1.0)


def read_image(path: Path) -> np.ndarray:
    """Any supported image file as float32 `(C, H, W)` in [0, 1]."""
    suffix = path.suffix.lower()
    if suffix in NETPBM_SUFFIXES:
        return read_netpbm(path)
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError:
        raise DatasetError(
            f"{path.name}: reading {suffix} files needs Pillow (pip install pillow); "
            "PGM/PPM files work without it"
        ) from None
    try:
        with Image.open(path) as img:
            img.load()
            colour = img.mode not in ("1", "L", "LA", "I", "I;16", "F")
            array = np.asarray(img.convert("RGB" if colour else "L"), dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError) as exc:
        raise DatasetError(f"{path} is not a readable image ({exc})") from None
    return array.transpose(2, 0, 1) if array.ndim == 3 else array[None]


def load_folder(root: Path, size: tuple[int, int] | None = None) -> Dataset:
    """Every image under `root/CLASS/` as one `Dataset` (sorted by class, then file name)."""
    if not root.is_dir():
        raise DatasetError(f"{root} is not a folder; give --data-dir a folder with one sub-folder per class")
    supported = NETPBM_SUFFIXES | PILLOW_SUFFIXES
    classes: list[str] = []
    files: list[tuple[Path, int]] = []
    # A class is a sub-folder holding at least one image; empty folders are not classes.
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        found = [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in supported]
        if found:
            files += [(path, len(classes)) for path in found]
            classes.append(folder.name)
    if len(classes) < 2 or not files:
        raise DatasetError(
            f"{root} needs at least two class sub-folders holding images "
            f"({', '.join(sorted(supported))}); found {len(classes)} folders and {len(files)} images"
        )
    images = [read_image(path) for path, _ in files]
    target = size or images[0].shape[1:]
    channels = max(img.shape[0] for img in images)
    batch = np.empty((len(images), channels, target[0], target[1]), dtype=np.float32)
    for i, img in enumerate(images):
        if img.shape[0] != channels:
            img = np.repeat(img, channels, axis=0)
        if img.shape[1:] != tuple(target):
            img = resize_bilinear(img[None], (target[0], target[1]))[0]
        batch[i] = img
    labels = np.array([label for _, label in files], dtype=np.int64)
    return Dataset("folder", batch, labels, tuple(classes))


def write_netpbm(path: Path, image: np.ndarray) -> None:
    """Write uint8 `(H, W)` as binary PGM or `(H, W, 3)` as binary PPM."""
    image = np.asarray(image, dtype=np.uint8)
    magic = b"P6" if image.ndim == 3 else b"P5"
    height, width = image.shape[:2]
    path.write_bytes(magic + f"\n{width} {height}\n255\n".encode() + image.tobytes())
