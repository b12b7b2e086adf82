"""Downloads into the user's cache, only when asked: resumable, SHA-256 verified, with progress.

A download goes to `NAME.part` next to its destination. If that file exists from an interrupted
attempt, the request asks for the rest with an HTTP `Range` header (a server that ignores it
simply sends the whole file again). Only a file whose SHA-256 matches the published sum is
renamed into place; a mismatch deletes the partial file and says so.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from cnntui.data.dataset import DatasetError

Progress = Callable[[str, int, int | None], None]
"""Called as `progress(label, bytes_done, bytes_total_or_None)` while downloading."""

CHUNK = 1 << 16


def cache_dir() -> Path:
    """Where downloaded data sets live: `$XDG_CACHE_HOME/cnntui/datasets` (default `~/.cache`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "cnntui" / "datasets"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(
    url: str,
    dest: Path,
    sha256: str,
    progress: Progress | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download `url` to `dest` unless a verified copy is there; returns `dest`.

    Raises `DatasetError` for network failures (the partial file is kept so the next attempt
    resumes) and for a checksum mismatch (the partial file is deleted).
    """
    if not url.startswith(("http://", "https://")):
        raise DatasetError(f"only http and https downloads are supported, not {url}")
    if dest.is_file() and sha256_of(dest) == sha256:
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "cnntui"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    label = dest.name
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = getattr(response, "status", 200)
            if have and status != 206:
                have = 0  # the server ignored the range: start again
            length = response.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else None
            with part.open("ab" if have else "wb") as fh:
                done = have
                if progress:
                    progress(label, done, total)
                while chunk := response.read(CHUNK):
                    fh.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(label, done, total)
    except urllib.error.HTTPError as exc:
        if exc.code != 416:  # 416: nothing left to send, the partial file may be complete
            raise DatasetError(f"download of {url} failed: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DatasetError(
            f"download of {url} failed ({reason}); run the same command again to resume"
        ) from None
    actual = sha256_of(part)
    if actual != sha256:
        part.unlink(missing_ok=True)
        raise DatasetError(
            f"{label}: SHA-256 mismatch (expected {sha256[:12]}…, got {actual[:12]}…); "
            "the damaged download was deleted, try again"
        )
    os.replace(part, dest)
    return dest
