"""Write files so that a crash or a dropped connection never leaves a half-written one.

Each writer puts the content in a temporary file beside the target (same folder, so the same file
system), flushes and fsyncs it, then renames it over the target with `os.replace`, which is atomic
on POSIX and Windows: a reader sees the old file or the new one, never a mix. On any failure the
temporary file is removed and the error goes on to the caller (usually `OSError`).

The new file gets the permissions an ordinary `open()` would give it (0666 less the user's umask,
so 0644 by default) or, when it replaces a file, that file's permissions; `mkstemp` alone would
leave it 0600. A missing parent folder is created only when the caller passes `parents=True` (for
cnntui's own folders): a path the user named with a typo in its folder is an error, not a new tree.

Standard library only at import time (NumPy is imported by `save_npz_atomic` alone), so modules on
the start-up path can use it.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

_umask: int | None = None


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux `/proc`).

    `os.umask` can only be read by setting it, which for a moment affects files other threads
    create; the value is read once and kept.
    """
    global _umask
    if _umask is None:
        try:
            with open("/proc/self/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Umask:"):
                        _umask = int(line.split()[1], 8)
                        break
        except (OSError, ValueError, IndexError):
            pass
        if _umask is None:
            _umask = os.umask(0o022)
            os.umask(_umask)
    return _umask


def _file_mode(target: Path) -> int:
    """The permission bits the written file should have (see the module's docstring)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~current_umask()


@contextlib.contextmanager
def _replacing(
    path: str | os.PathLike[str], mode: str, encoding: str | None, parents: bool = False
) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path`; on a clean exit fsync it and rename it over `path`.

    FileNotFoundError when `path`'s folder does not exist and `parents` is false.
    """
    import tempfile  # only when writing: keeps it off the start-up path

    target = Path(path)
    if parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    elif not target.parent.is_dir():
        raise FileNotFoundError(
            errno.ENOENT, f"the folder {target.parent} does not exist", str(target.parent)
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, _file_mode(target))
        with os.fdopen(fd, mode, encoding=encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):  # the original error is the one worth reporting
            os.unlink(tmp)
        raise


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes, parents: bool = False) -> Path:
    """Write `data` to `path` atomically; returns the path as a `Path`.

    `parents=True` creates missing folders above it."""
    with _replacing(path, "wb", None, parents) as fh:
        fh.write(data)
    return Path(path)


def write_text_atomic(
    path: str | os.PathLike[str], text: str, encoding: str = "utf-8", parents: bool = False
) -> Path:
    """Write `text` to `path` atomically; returns the path as a `Path`.

    `parents=True` creates missing folders above it."""
    with _replacing(path, "w", encoding, parents) as fh:
        fh.write(text)
    return Path(path)


def save_npz_atomic(
    path: str | os.PathLike[str], arrays: dict[str, Any], parents: bool = False
) -> Path:
    """Write named host arrays to `path` as an uncompressed `.npz`, atomically; returns the path.

    Values are NumPy arrays (or anything `np.savez` takes); device arrays go through
    `cnntui.engine.module.save_npz_atomic`, which copies them to the host first.
    """
    import numpy as np

    with _replacing(path, "wb", None, parents) as fh:
        np.savez(fh, **arrays)
    return Path(path)
