"""Downloads into the user's cache, only when asked: resumable, SHA-256 verified, with progress.

A download goes to `NAME.part` next to its destination. If that file exists from an interrupted
attempt, the request asks for the rest with an HTTP `Range` header (a server that ignores it
simply sends the whole file again). Only a file whose SHA-256 matches the published sum is
renamed into place; a mismatch deletes the partial file and says so.

A transfer that ends before the `Content-Length` the server announced is truncated: the partial
file is kept for the next attempt to resume. Redirects are followed only to `http` and `https`
addresses; a download larger than `max_bytes` or slower than `deadline_s` in total is stopped.
Every failure is a `DatasetError` with a one-line message.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from cnntui.data.dataset import DatasetError
from cnntui.i18n import _

Progress = Callable[[str, int, int | None], None]
"""Called as `progress(label, bytes_done, bytes_total_or_None)` while downloading."""

CHUNK = 1 << 16
MAX_BYTES = 1 << 30
"""Largest download accepted (the largest data set file, CIFAR-10's archive, is 163 MiB)."""
DEADLINE_S = 3600.0
"""Longest a whole download may take, however slowly bytes keep arriving."""


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http and https addresses only (never ftp, file or anything else)."""

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        target = urllib.parse.urljoin(
            req.full_url, headers.get("Location") or headers.get("URI") or ""
        )
        if not target.lower().startswith(("http://", "https://")):
            raise DatasetError(
                _(
                    "download of {full_url} was redirected to {value}; only http and https addresses are followed"
                ).format(full_url=req.full_url, value=target[:100])
            )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_HttpOnlyRedirects())


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
    max_bytes: int = MAX_BYTES,
    deadline_s: float = DEADLINE_S,
) -> Path:
    """Download `url` to `dest` unless a verified copy is there; returns `dest`.

    `timeout` bounds each network wait, `deadline_s` the whole transfer, `max_bytes` its size.
    Raises `DatasetError` for network failures, truncated transfers and the deadline (the
    partial file is kept so the next attempt resumes) and for a checksum mismatch or an
    oversized file (the partial file is deleted).
    """
    if not url.startswith(("http://", "https://")):
        raise DatasetError(
            _("only http and https downloads are supported, not {url}").format(url=url)
        )
    if dest.is_file() and sha256_of(dest) == sha256:
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)  # inside cnntui's cache (or --data-dir)
    except OSError as exc:
        raise DatasetError(
            _("cannot create {parent}: {value}").format(
                parent=dest.parent, value=exc.strerror or exc
            )
        ) from None
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.is_file() else 0
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "cnntui"})
    except ValueError as exc:
        raise DatasetError(_("download of {url} failed ({exc})").format(url=url, exc=exc)) from None
    if have:
        request.add_header("Range", f"bytes={have}-")
    label = dest.name
    started = time.monotonic()
    try:
        with _opener().open(request, timeout=timeout) as response:
            status = getattr(response, "status", 200)
            if have and status != 206:
                have = 0  # the server ignored the range: start again
            length = response.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else None
            if total is not None and total > max_bytes:
                part.unlink(missing_ok=True)
                raise DatasetError(
                    _(
                        "download of {url} is {total:,} bytes, more than the {max_bytes:,} allowed"
                    ).format(url=url, total=total, max_bytes=max_bytes)
                )
            with part.open("ab" if have else "wb") as fh:
                done = have
                if progress:
                    progress(label, done, total)
                while chunk := response.read(CHUNK):
                    fh.write(chunk)
                    done += len(chunk)
                    if done > max_bytes:
                        fh.close()
                        part.unlink(missing_ok=True)
                        raise DatasetError(
                            _(
                                "download of {url} passed {max_bytes:,} bytes; stopped and deleted"
                            ).format(url=url, max_bytes=max_bytes)
                        )
                    if time.monotonic() - started > deadline_s:
                        raise DatasetError(
                            _(
                                "download of {url} took longer than {deadline_s:g} s; run the same command again to resume"
                            ).format(url=url, deadline_s=deadline_s)
                        )
                    if progress:
                        progress(label, done, total)
            if total is not None and done < total:
                raise DatasetError(
                    _(
                        "download of {url} ended early ({done:,} of {total:,} bytes); run the same command again to resume"
                    ).format(url=url, done=done, total=total)
                )
    except DatasetError:
        raise
    except urllib.error.HTTPError as exc:
        if exc.code != 416:  # 416: nothing left to send, the partial file may be complete
            raise DatasetError(
                _("download of {url} failed: HTTP {code} {reason}").format(
                    url=url, code=exc.code, reason=exc.reason
                )
            ) from None
    except http.client.IncompleteRead as exc:
        short = (
            _("{count} bytes short").format(count=f"{exc.expected:,}")
            if isinstance(exc.expected, int)
            else _("short")
        )
        raise DatasetError(
            _(
                "download of {url} ended early ({short} of what the server announced); run the same command again to resume"
            ).format(url=url, short=short)
        ) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as exc:
        # OSError includes timeouts; ValueError an address urllib cannot use
        reason = " ".join(str(getattr(exc, "reason", exc) or type(exc).__name__).split())
        raise DatasetError(
            _("download of {url} failed ({reason}); run the same command again to resume").format(
                url=url, reason=reason
            )
        ) from None
    try:
        actual = sha256_of(part)
        if actual != sha256:
            part.unlink(missing_ok=True)
            raise DatasetError(
                _(
                    "{label}: SHA-256 mismatch (expected {value}…, got {value2}…); the damaged download was deleted, try again"
                ).format(label=label, value=sha256[:12], value2=actual[:12])
            )
        os.replace(part, dest)
    except OSError as exc:  # the disk, not the network: say which file
        raise DatasetError(
            _("cannot store {dest}: {value}").format(dest=dest, value=exc.strerror or exc)
        ) from None
    return dest
