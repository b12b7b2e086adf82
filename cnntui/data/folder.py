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

from pathlib import Path

import numpy as np

from cnntui import userfile
from cnntui.data.dataset import Dataset, DatasetError
from cnntui.data.transforms import resize_bilinear
from cnntui.errors import UsageError
from cnntui.i18n import _
from cnntui.images import (
    NETPBM_SUFFIXES,
    PILLOW_SUFFIXES,
    netpbm_from_levels,
    parse_netpbm,
    read_with_pillow,
)


def read_netpbm(path: Path) -> np.ndarray:
    """A PGM/PPM file as float32 `(C, H, W)` in [0, 1] (C = 1 for grey, 3 for colour)."""
    try:
        data = userfile.read_bytes(path, "image")
    except OSError as exc:
        raise DatasetError(
            _("cannot read {path}: {value}").format(path=path, value=exc.strerror or exc)
        ) from None
    try:
        # No size limit: a data set's images are resized to one size after reading.
        return parse_netpbm(data, str(path), max_side=None)
    except UsageError as exc:  # a data error here, whatever the image reader calls it
        raise DatasetError(str(exc)) from None


def read_image(path: Path) -> np.ndarray:
    """Any supported image file as float32 `(C, H, W)` in [0, 1]."""
    if path.suffix.lower() in NETPBM_SUFFIXES:
        return read_netpbm(path)
    try:
        userfile.check_file(path, "image")
    except OSError as exc:
        raise DatasetError(
            _("cannot read {path}: {value}").format(path=path, value=exc.strerror or exc)
        ) from None
    try:
        return read_with_pillow(path, str(path), max_side=None, native="PGM/PPM files")
    except UsageError as exc:
        raise DatasetError(str(exc)) from None


MAX_SIDE = 256
"""Without an explicit size, images are scaled to the first one's size, but never larger than
this a side (keeping its aspect ratio): a single 8000×6000 photo would otherwise make every image
of the set 192 MB of float32."""


def default_size(height: int, width: int) -> tuple[int, int]:
    """The first image's `(height, width)`, shrunk to fit `MAX_SIDE` with its aspect kept."""
    scale = min(1.0, MAX_SIDE / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def load_folder(root: Path, size: tuple[int, int] | None = None) -> Dataset:
    """Every image under `root/CLASS/` as one `Dataset` (sorted by class, then file name)."""
    if not root.is_dir():
        raise DatasetError(
            _(
                "{root} is not a folder; give --data-dir a folder with one sub-folder per class"
            ).format(root=root)
        )
    supported = set(NETPBM_SUFFIXES + PILLOW_SUFFIXES)
    classes: list[str] = []
    files: list[tuple[Path, int]] = []
    # A class is a sub-folder holding at least one image; empty folders are not classes.
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        found = [
            p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in supported
        ]
        if found:
            files += [(path, len(classes)) for path in found]
            classes.append(folder.name)
    if len(classes) < 2 or not files:
        raise DatasetError(
            _(
                "{root} needs at least two class sub-folders holding images ({value}); found {value2} folders and {value3} images"
            ).format(
                root=root,
                value=", ".join(sorted(supported)),
                value2=len(classes),
                value3=len(files),
            )
        )
    images: list[np.ndarray] = []
    target: tuple[int, int] | None = tuple(size) if size else None  # type: ignore[assignment]
    for path, _label in files:
        img = read_image(path)
        if target is None:
            target = default_size(img.shape[1], img.shape[2])
        if img.shape[1:] != target:
            # each image is brought to the common size as it is read: the full-size pictures
            # are never all held at once
            img = resize_bilinear(img[None], target)[0]
        images.append(img)
    assert target is not None
    channels = max(img.shape[0] for img in images)
    batch = np.empty((len(images), channels, target[0], target[1]), dtype=np.float32)
    for i, img in enumerate(images):
        batch[i] = img if img.shape[0] == channels else np.repeat(img, channels, axis=0)
    labels = np.array([label for _path, label in files], dtype=np.int64)
    return Dataset("folder", batch, labels, tuple(classes))


def write_netpbm(path: Path, image: np.ndarray) -> None:
    """Write uint8 `(H, W)` as binary PGM or `(H, W, 3)` as binary PPM."""
    path.write_bytes(netpbm_from_levels(image))
