"""Read a file the user gave (or left behind) only when it is a regular file of a sensible size.

`Path.read_bytes()` on a FIFO waits forever for a writer, on `/dev/zero` or `/dev/urandom` it
never ends, and on a 40 GB file it fills the memory before anything can say the file is wrong.
`check_file` looks first, with `os.stat` (which neither opens nor blocks): it refuses anything
but a regular file, and files larger than the cap for their kind. `read_bytes` and `read_text`
then read at most that many bytes, so a file that grows in between is refused as well.

The refusal is a `FileRefused`, which is both an `OSError` (so every caller that already reports
"cannot read X: reason" reports it the same way) and a `UsageError` (exit status 2 on the command
line), with a one-line message naming the file, what it is and the cap. Standard library only.
"""

from __future__ import annotations

import errno
import os
import stat

from cnntui.errors import UsageError

MiB = 1 << 20
GiB = 1 << 30

LIMITS: dict[str, int] = {
    "image": 64 * MiB,
    "spec": 1 * MiB,
    "json": 16 * MiB,
    "run.json": 64 * MiB,
    "checkpoint": 8 * GiB,
    "config": 1 * MiB,
    "progress": 4 * MiB,
    "data set": 2 * GiB,
    "lesson": 1 * MiB,
}
"""Largest size per kind of file. Images: a 4096×4096 RGB PNG is under 50 MiB; run.json holds
one row per epoch; checkpoints hold the weights and optimiser state of the largest zoo model."""


class FileRefused(OSError, UsageError):
    """A file that is not a regular file, or too large for its kind; the message is one line."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(code, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def _size_text(size: int) -> str:
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


def _a(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _what(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def check_file(path: str | os.PathLike[str], kind: str) -> int:
    """The size of `path` in bytes, after checking that it is a regular file within the cap.

    Raises FileNotFoundError (or another OSError) if it cannot be looked at, FileRefused if it is
    not a regular file or is larger than `LIMITS[kind]`.
    """
    name = os.fspath(path)
    info = os.stat(name)  # follows links: a link to a regular file is fine
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(
            errno.EINVAL,
            f"{name} is {_what(info.st_mode)}; {_a(kind)} {kind} is read from a regular file",
        )
    limit = LIMITS[kind]
    if info.st_size > limit:
        raise FileRefused(
            errno.EFBIG,
            f"{name} is larger than {_size_text(limit)}, the most {_a(kind)} {kind} file may be "
            f"(it has {info.st_size:,} bytes)",
        )
    return info.st_size


def read_bytes(path: str | os.PathLike[str], kind: str) -> bytes:
    """The content of `path` once `check_file` accepts it, never more than the cap."""
    check_file(path, kind)
    limit = LIMITS[kind]
    # O_NONBLOCK: should the path be swapped for a FIFO after the check, open() does not wait
    fd = os.open(os.fspath(path), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise FileRefused(errno.EINVAL, f"{os.fspath(path)} is not a regular file")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileRefused(
            errno.EFBIG,
            f"{os.fspath(path)} grew past {_size_text(limit)} while being read; "
            f"{_a(kind)} {kind} file is smaller",
        )
    return data


def read_text(path: str | os.PathLike[str], kind: str, encoding: str = "utf-8") -> str:
    """`read_bytes` decoded; UnicodeDecodeError when it is not text in `encoding`."""
    return read_bytes(path, kind).decode(encoding)


__all__ = ["LIMITS", "FileRefused", "check_file", "read_bytes", "read_text"]
