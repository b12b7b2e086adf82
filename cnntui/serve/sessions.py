"""Each served session's folder and the environment its app process runs in.

A session folder holds everything the app would keep under the user's home: settings, progress,
runs, downloaded data:

```
SESSIONS_DIR/ID/            the session's files; the app's working folder and file root
SESSIONS_DIR/ID/.config     XDG_CONFIG_HOME   (cnntui/config.toml)
SESSIONS_DIR/ID/.state      XDG_STATE_HOME    (cnntui/progress.json)
SESSIONS_DIR/ID/.data       XDG_DATA_HOME     (cnntui/runs/, cnntui/gan/)
SESSIONS_DIR/ID/.cache      XDG_CACHE_HOME    (downloaded data sets)
```

Standard library only.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path

from cnntui.paths import ALLOWED_PATHS_ENV, FILE_ROOT_ENV

SECRET_FILE = ".server-secret"
"""In the sessions folder: the key that signs session ids, so ids outlive a server restart."""

XDG_FOLDERS = {
    "XDG_CONFIG_HOME": ".config",
    "XDG_STATE_HOME": ".state",
    "XDG_DATA_HOME": ".data",
    "XDG_CACHE_HOME": ".cache",
}


def default_sessions_dir() -> Path:
    """`$XDG_STATE_HOME/cnntui/serve` (default `~/.local/state/cnntui/serve`)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "cnntui" / "serve"


def load_secret(sessions_dir: Path) -> bytes:
    """The sessions folder's signing key, created (readable by its owner only) on first use."""
    sessions_dir.mkdir(parents=True, exist_ok=True)
    path = sessions_dir / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_bytes()
        if len(secret) >= 16:
            return secret
        raise OSError(f"{path} is damaged; delete it (every session gets a new folder)") from None
    secret = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secret)
    return secret


def session_folder(sessions_dir: Path, name: str) -> Path:
    """The folder of session `name`, with its XDG sub-folders, created when missing."""
    folder = sessions_dir / name
    for sub in XDG_FOLDERS.values():
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folder


def session_environment(
    base: Mapping[str, str],
    folder: Path,
    *,
    allow_paths: Sequence[Path] = (),
    ascii: bool | None = None,
    device: str | None = None,
) -> dict[str, str]:
    """The environment for one session's app process: `base` with the session's XDG folders,
    its file root, the allowed folders and the app options the server was given."""
    env = dict(base)
    if env.get("PYTHONPATH"):
        # The session runs in its own folder: relative entries would point elsewhere there.
        env["PYTHONPATH"] = os.pathsep.join(
            os.path.abspath(entry) if entry else entry
            for entry in env["PYTHONPATH"].split(os.pathsep)
        )
    for name, sub in XDG_FOLDERS.items():
        env[name] = str(folder / sub)
    env[FILE_ROOT_ENV] = str(folder)
    if allow_paths:
        env[ALLOWED_PATHS_ENV] = os.pathsep.join(str(p) for p in allow_paths)
    else:
        env.pop(ALLOWED_PATHS_ENV, None)
    if ascii:
        env["CNNTUI_ASCII"] = "1"
    if device:
        env["CNNTUI_DEVICE"] = device
    return env
