"""What keeps a served class safe: tokens, signed session ids, loopback and same-origin checks.

Standard library only, so it is tested without a web server.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from urllib.parse import urlsplit

TOKEN_COOKIE = "cnntui_token"
"""The cookie that carries the token after the page was opened with `?token=`."""

_SESSION = re.compile(r"([0-9a-f]{32})\.([0-9a-f]{32})")


def is_loopback(host: str) -> bool:
    """True when binding `host` only accepts connections from this machine.

    `localhost`, 127.0.0.0/8 and ::1 are; an empty host or `0.0.0.0`/`::` (every interface), a
    name or any other address is not.
    """
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A fresh random token for a server's link: 128 bits, URL-safe."""
    return secrets.token_urlsafe(16)


def token_matches(given: str | None, expected: str) -> bool:
    """Whether a presented token is the server's, compared in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


class SessionIds:
    """Session ids the server issues and can recognise: `ID.SIGNATURE`, 32 hex digits each.

    The id names a session's folder; the signature (HMAC-SHA256 with the server's secret) makes
    ids unforgeable, so a page cannot pick another student's folder by guessing a name.
    """

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the session secret needs at least 16 bytes")
        self._secret = secret

    def _sign(self, ident: str) -> str:
        return hmac.new(self._secret, ident.encode("ascii"), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        """A new session id."""
        ident = secrets.token_hex(16)
        return f"{ident}.{self._sign(ident)}"

    def folder_name(self, session: str) -> str | None:
        """The folder name of an id this server issued, or None for anything else."""
        match = _SESSION.fullmatch(session)
        if match is None:
            return None
        ident, signature = match.groups()
        if not hmac.compare_digest(signature, self._sign(ident)):
            return None
        return ident


def same_origin(origin: str | None, host: str | None) -> bool:
    """Whether a request's `Origin` header names the server it was sent to (its `Host`).

    Browsers send `Origin` with every websocket handshake; a page from another site that tries to
    drive a session (cross-site websocket hijacking) carries its own origin and is refused. A
    request without `Origin` does not come from a web page and is let through to the token check.
    """
    if origin is None:
        return True
    if not host:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    return parts.netloc.lower() == host.strip().lower()


def host_is_loopback(host_header: str | None) -> bool:
    """Whether a request's `Host` header names this machine (`localhost:8000`, `127.0.0.1`, `[::1]`).

    A server without a token only answers such requests: a page on another site whose name was
    made to resolve to 127.0.0.1 (DNS rebinding) still sends its own name as `Host`.
    """
    if not host_header:
        return False
    try:
        hostname = urlsplit("//" + host_header.strip()).hostname
    except ValueError:
        return False
    return hostname is not None and is_loopback(hostname)
