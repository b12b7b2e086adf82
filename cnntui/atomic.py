"""Write files so that a crash or a dropped connection never leaves a half-written one.

Each writer puts the content in a temporary file beside the target (same folder, so the same file
system), flushes and fsyncs it, then renames it over the target with `os.replace`, which is atomic
on POSIX and Windows: a reader sees the old file or the new one, never a mix. On any failure the
temporary file is removed and the error goes on to the caller (usually `OSError`).

Standard library only at import time (NumPy is imported by `save_npz_atomic` alone), so modules on
the start-up path can use it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


@contextlib.contextmanager
def _replacing(path: str | os.PathLike[str], mode: str, encoding: str | None) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on a clean exit fsync it and rename it over `path`."""
    import tempfile  # only when writing: keeps it off the start-up path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):  # the original error is the one worth reporting
            os.unlink(tmp)
        raise


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` atomically (creating its folder); returns the path as a `Path`."""
    with _replacing(path, "wb", None) as fh:
        fh.write(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> Path:
    """Write `text` to `path` atomically (creating its folder); returns the path as a `Path`."""
    with _replacing(path, "w", encoding) as fh:
        fh.write(text)
    return Path(path)


def save_npz_atomic(path: str | os.PathLike[str], arrays: dict[str, Any]) -> Path:
    """Write named host arrays to `path` as an uncompressed `.npz`, atomically; returns the path.

    Values are NumPy arrays (or anything `np.savez` takes); device arrays go through
    `cnntui.engine.module.save_npz_atomic`, which copies them to the host first.
    """
    import numpy as np

    with _replacing(path, "wb", None) as fh:
        np.savez(fh, **arrays)
    return Path(path)
