"""Reader for the IDX format of MNIST and Fashion-MNIST (plain or gzip-compressed).

An IDX file is a big-endian header — two zero bytes, a type code (0x08 = unsigned byte), the number
of dimensions — then one 32-bit size per dimension, then the values. Image files are
`(N, rows, cols)` and label files `(N,)`, both unsigned bytes.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from cnntui import userfile
from cnntui.data.dataset import DatasetError
from cnntui.i18n import _

_UBYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """The unsigned-byte array stored in an IDX file (`.gz` is decompressed); DatasetError if bad."""
    try:
        raw = userfile.read_bytes(path, "data set")
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except FileNotFoundError:
        raise DatasetError(_("{path} does not exist").format(path=path)) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(
            _("{path} is not a readable gzip file ({exc}); download it again").format(
                path=path, exc=exc
            )
        ) from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DatasetError(_("{path} is not an IDX file (bad magic number)").format(path=path))
    type_code, ndim = raw[2], raw[3]
    if type_code != _UBYTE:
        raise DatasetError(
            _(
                "{path}: IDX type 0x{type_code:02x} is not supported (expected unsigned bytes)"
            ).format(path=path, type_code=type_code)
        )
    if not 1 <= ndim <= 3 or len(raw) < 4 + 4 * ndim:
        raise DatasetError(_("{path}: truncated IDX header").format(path=path))
    dims = struct.unpack(f">{ndim}I", raw[4 : 4 + 4 * ndim])
    expected = int(np.prod(dims, dtype=np.int64))
    body = len(raw) - 4 - 4 * ndim
    if body != expected:
        what = _("truncated") if body < expected else _("longer than its header says")
        raise DatasetError(
            _(
                "{path} is {what}: header promises {expected:,} bytes of data, found {body:,}; download it again"
            ).format(path=path, what=what, expected=expected, body=body)
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> None:
    """Write an unsigned-byte array as IDX (used by tests and to export data sets)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, _UBYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    data = header + array.tobytes()
    path.write_bytes(gzip.compress(data, mtime=0) if compress else data)


def load_idx_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images `(N, 1, H, W)` float32 in [0, 1] and labels `(N,)` int64 from two IDX files."""
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.ndim != 3:
        raise DatasetError(
            _("{images_path}: expected N×rows×cols images, got {ndim} dimensions").format(
                images_path=images_path, ndim=images.ndim
            )
        )
    if labels.ndim != 1:
        raise DatasetError(
            _("{labels_path}: expected a vector of labels, got {ndim} dimensions").format(
                labels_path=labels_path, ndim=labels.ndim
            )
        )
    if labels.shape[0] != images.shape[0]:
        raise DatasetError(
            _("{name} has {value:,} images but {name2} has {value2:,} labels").format(
                name=images_path.name,
                value=images.shape[0],
                name2=labels_path.name,
                value2=labels.shape[0],
            )
        )
    if labels.size and labels.max() > 9:
        raise DatasetError(
            _("{labels_path}: label {value} is outside 0..9").format(
                labels_path=labels_path, value=int(labels.max())
            )
        )
    return images[:, None].astype(np.float32) / 255.0, labels.astype(np.int64)
