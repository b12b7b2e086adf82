"""The bundled UCI handwritten digits: 1,797 greyscale 8×8 images of the digits 0–9.

The file `assets/datasets/digits.csv.gz` (CC BY 4.0, Alpaydin & Kaynak, UCI; see
`DIGITS-ATTRIBUTION.md` beside it) has one row per image: 64 pixel counts in 0..16, then the label.
"""

from __future__ import annotations

import gzip
import zlib
from functools import cache

import numpy as np

from cnntui.data.dataset import Dataset, DatasetError
from cnntui.data.transforms import resize_bilinear
from cnntui.i18n import _
from cnntui.resources import asset_path

DIGITS_COUNT = 1797
DIGIT_NAMES = tuple(str(d) for d in range(10))


@cache
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """Pixels `(1797, 64)` uint8 in 0..16 and labels `(1797,)` int64 from the bundled file."""
    path = asset_path("datasets", "digits.csv.gz")
    try:
        with gzip.open(path, "rt", encoding="ascii") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.int64, ndmin=2)
    except FileNotFoundError:
        raise DatasetError(
            _("the bundled digits file {name} is missing; reinstall cnntui").format(name=path.name)
        ) from None
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        raise DatasetError(
            _("the bundled digits file {name} is damaged ({exc}); reinstall cnntui").format(
                name=path.name, exc=exc
            )
        ) from None
    if table.shape != (DIGITS_COUNT, 65) or table[:, :64].min() < 0 or table[:, :64].max() > 16:
        raise DatasetError(
            _("the bundled digits file {name} has unexpected content; reinstall cnntui").format(
                name=path.name
            )
        )
    return table[:, :64].astype(np.uint8), table[:, 64].astype(np.int64)


def load_digits(size: int = 8) -> Dataset:
    """All 1,797 digits as `(1797, 1, size, size)` float32 in [0, 1]; size 8, or upscaled (≥ 8)."""
    if size < 8:
        raise DatasetError(
            _("digits are 8×8; an input size of {size} is too small (use 8 or more)").format(
                size=size
            )
        )
    pixels, labels = _raw_digits()
    images = pixels.reshape(-1, 1, 8, 8).astype(np.float32) / 16.0
    if size != 8:
        images = resize_bilinear(images, (size, size))
    return Dataset("digits", images, labels, DIGIT_NAMES)
