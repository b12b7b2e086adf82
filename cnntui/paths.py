"""Where a user-given path may point: anywhere, or only inside the folders a server allows.

In a terminal cnntui opens whatever path its user types, as any command-line tool does. When
`cnntui serve` runs the app for a browser, the person typing is not the server's user, so the
server sets two environment variables for each session's process (and so for the training
processes it starts, which inherit them):

- `CNNTUI_FILE_ROOT`: the session's own folder. Relative paths are taken inside it, `~` means it,
  and every path must resolve (symbolic links followed) to somewhere inside it.
- `CNNTUI_ALLOWED_PATHS`: more folders, separated by `os.pathsep`, that the server's
  `--allow-path` opened to every session (a shared data folder, say).

The bundled assets may always be read. Without `CNNTUI_FILE_ROOT` nothing is checked. Pure:
standard library only.
"""

from __future__ import annotations

import os
from pathlib import Path

from cnntui.errors import UsageError

FILE_ROOT_ENV = "CNNTUI_FILE_ROOT"
ALLOWED_PATHS_ENV = "CNNTUI_ALLOWED_PATHS"


class PathNotAllowed(UsageError):
    """A path outside the folders this (served) session may open."""


def file_root() -> Path | None:
    """The session folder every user path must stay in, or None when paths are not confined."""
    value = os.environ.get(FILE_ROOT_ENV, "").strip()
    return Path(value) if value else None


def allowed_roots() -> list[Path]:
    """The folders user paths may resolve into (empty when paths are not confined).

    The session folder first, then the server's `--allow-path` folders; the bundled assets are
    added for reading by `check_user_path`.
    """
    root = file_root()
    if root is None:
        return []
    extra = os.environ.get(ALLOWED_PATHS_ENV, "")
    return [root.resolve()] + [Path(p).resolve() for p in extra.split(os.pathsep) if p.strip()]


def check_user_path(path: str | os.PathLike[str], *, write: bool = False) -> Path:
    """The path to open for what a user typed; raises `PathNotAllowed` when it is outside the
    allowed folders.

    Unconfined (no `CNNTUI_FILE_ROOT`): `~` is expanded and the path is returned as given.
    Confined: `~` and relative paths are taken inside the session folder, the result is resolved
    (`..` and symbolic links followed, so neither can lead out) and must lie inside the session
    folder, a folder the server allowed, or (when only reading) the bundled assets.
    """
    text = os.fspath(path)
    root = file_root()
    if root is None:
        return Path(text).expanduser()
    if text == "~" or text.startswith("~/"):
        candidate = root / text[2:]
    elif text.startswith("~"):
        # `~name` is another account's home: never inside a session folder.
        raise PathNotAllowed(
            f"{text}: only files in your session folder can be opened here (try a relative path)"
        )
    else:
        candidate = Path(text)
        if not candidate.is_absolute():
            candidate = root / candidate
    resolved = candidate.resolve()
    roots = allowed_roots()
    if not write:
        roots.append(_assets_root())
    if any(resolved.is_relative_to(r) for r in roots):
        return resolved
    raise PathNotAllowed(
        f"{text}: only files in your session folder can be opened here (try a relative path)"
    )


def _assets_root() -> Path:
    from cnntui.resources import assets_dir

    try:
        return assets_dir().resolve()
    except FileNotFoundError:
        # Missing assets allow nothing extra; the root below can never hold a user path.
        return Path(os.devnull)
