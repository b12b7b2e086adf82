"""Reader for the binary version of CIFAR-10 (never the pickled Python version).

`cifar-10-batches-bin/` holds `data_batch_1.bin` … `data_batch_5.bin` (10,000 records each),
`test_batch.bin` and `batches.meta.txt` (the class names). Each record is 3,073 bytes: the label,
then 1,024 red, 1,024 green and 1,024 blue pixel values of a 32×32 image, row-major.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnntui import userfile
from cnntui.data.dataset import DatasetError
from cnntui.i18n import _

CIFAR10_NAMES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
RECORD_BYTES = 1 + 3 * 32 * 32
TRAIN_FILES = tuple(f"data_batch_{i}.bin" for i in range(1, 6))
TEST_FILE = "test_batch.bin"


def read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images `(N, 3, 32, 32)` float32 in [0, 1] and labels `(N,)` int64 from one `.bin` file."""
    try:
        raw = userfile.read_bytes(path, "data set")
    except FileNotFoundError:
        raise DatasetError(_("{path} does not exist").format(path=path)) from None
    except OSError as exc:
        raise DatasetError(_("{path} cannot be read ({exc})").format(path=path, exc=exc)) from None
    if len(raw) == 0 or len(raw) % RECORD_BYTES:
        raise DatasetError(
            _(
                "{path} is truncated or not a CIFAR-10 binary batch: {value:,} bytes is not a multiple of the {RECORD_BYTES:,}-byte record; download it again"
            ).format(path=path, value=len(raw), RECORD_BYTES=RECORD_BYTES)
        )
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, RECORD_BYTES)
    labels = records[:, 0].astype(np.int64)
    if labels.max() > 9:
        raise DatasetError(
            _("{path}: label {value} is outside 0..9; not a CIFAR-10 batch").format(
                path=path, value=int(labels.max())
            )
        )
    images = records[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    return images, labels


def read_class_names(folder: Path) -> tuple[str, ...]:
    """Names from `batches.meta.txt` when present and sensible, else the standard ten."""
    meta = folder / "batches.meta.txt"
    if meta.is_file():
        names = tuple(
            line.strip() for line in meta.read_text("ascii", "replace").splitlines() if line.strip()
        )
        if len(names) == 10:
            return names
    return CIFAR10_NAMES


def write_cifar_batch(path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Write uint8 images `(N, 3, 32, 32)` and labels as a binary batch (tests and export)."""
    images = np.asarray(images, dtype=np.uint8).reshape(len(labels), -1)
    records = np.concatenate([np.asarray(labels, dtype=np.uint8)[:, None], images], axis=1)
    path.write_bytes(records.tobytes())
