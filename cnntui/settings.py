"""User settings from `$XDG_CONFIG_HOME/cnntui/config.toml` (default `~/.config/cnntui/config.toml`).

```toml
theme = "nord"          # any Textual theme name; unset: textual-dark (ansi-dark in 16 colours)
ascii = false           # draw with ASCII only (also --ascii and CNNTUI_ASCII=1)
device = "auto"         # auto, cpu or gpu: where labs compute (also --device and CNNTUI_DEVICE)
language = "ko"         # en or ko (also --lang and CNNTUI_LANG; unset: from the locale)

[keys]                  # key overrides: binding id = "key" or "key1,key2"
"lessons.next" = "right"
```

Pure: no Textual. A bad value never stops cnntui: `load_settings` keeps the default for it and
returns a warning that the app shows as a notice. Whether a theme name or binding id exists is
checked by the app, which knows them.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnntui import userfile
from cnntui.i18n import LANGUAGES, _
from cnntui.setaside import set_aside

DEVICES = ("auto", "cpu", "gpu")
_KEY_SPEC = re.compile(r"[A-Za-z0-9_+\-]+(\s*,\s*[A-Za-z0-9_+\-]+)*")
_BINDING_ID = re.compile(r"[A-Za-z0-9_.\-]+")
_KNOWN = ("theme", "ascii", "device", "language", "keys")
MAX_TEXT = 100
"""Longest theme name, binding id or key list accepted."""
MAX_KEYS = 500
"""Most key overrides read (there are far fewer bindings)."""


@dataclass(frozen=True)
class Settings:
    """The user's choices; every field has a working default."""

    theme: str | None = None
    """A Textual theme name; None lets the app choose by colour system."""
    ascii: bool = False
    device: str = "auto"
    language: str | None = None
    """`en` or `ko`; None lets the environment and the locale decide."""
    keys: dict[str, str] = field(default_factory=dict)
    """Binding id → comma-separated keys, applied with `App.set_keymap`."""


def _short(value: object) -> str:
    """A value as a warning shows it: its repr, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/cnntui`, falling back to `~/.config/cnntui`."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "cnntui"


def config_path() -> Path:
    return config_dir() / "config.toml"


def env_flag(name: str) -> bool | None:
    """A boolean environment variable: 1/true/yes/on → True, 0/false/no/off → False, else None."""
    value = os.environ.get(name, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return None


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Read the settings file; returns (settings, warnings). A missing file is no warning."""
    path = config_path() if path is None else path
    try:
        text = userfile.read_text(path, "config")
        data = tomllib.loads(text)
    except FileNotFoundError:
        return Settings(), []
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError) as error:
        if isinstance(error, UnicodeDecodeError):
            reason = _("not UTF-8 text")
        elif isinstance(error, RecursionError):
            reason = _("nested too deeply")
        elif isinstance(error, tomllib.TOMLDecodeError):
            reason = _("not valid TOML: {reason}").format(reason=error)
        else:
            reason = error.strerror or str(error)
        # a file that could be opened but not used is kept under a new name; the learner's
        # next edit starts from a clean slate without losing the old text
        backup = None if isinstance(error, OSError) else set_aside(path)
        if backup:
            warning = _("{path}: {reason}; kept as {name}; using default settings").format(
                path=path, reason=reason, name=backup.name
            )
        else:
            warning = _("{path}: {reason}; using default settings").format(path=path, reason=reason)
        return Settings(), [warning]
    return parse_settings(data, str(path))


def language_setting(path: Path | None = None) -> str | None:
    """The `language` of the settings file if it holds a valid one, else None; no warnings and
    no side effects. The language has to be known before any text is made, including the
    warnings of `load_settings`, which the app makes (and shows) once it is chosen."""
    path = config_path() if path is None else path
    try:
        data = tomllib.loads(userfile.read_text(path, "config"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    language = data.get("language")
    return language if language in LANGUAGES else None


def parse_settings(data: dict[str, Any], source: str = "config.toml") -> tuple[Settings, list[str]]:
    """Validate a settings table; each bad value is replaced by its default with a warning."""
    warnings: list[str] = []
    defaults = Settings()
    for key in sorted(set(data) - set(_KNOWN)):
        warnings.append(
            _("{source}: unknown setting {value} ignored (known: {value2})").format(
                source=source, value=_short(key), value2=", ".join(_KNOWN)
            )
        )

    theme = data.get("theme", defaults.theme)
    if theme is not None and (
        not isinstance(theme, str) or not theme.strip() or len(theme) > MAX_TEXT
    ):
        warnings.append(
            _("{source}: theme must be a theme name; using the default").format(source=source)
        )
        theme = defaults.theme

    ascii_mode = data.get("ascii", defaults.ascii)
    if not isinstance(ascii_mode, bool):
        warnings.append(
            _("{source}: ascii must be true or false, not {value}; using false").format(
                source=source, value=_short(ascii_mode)
            )
        )
        ascii_mode = defaults.ascii

    device = data.get("device", defaults.device)
    if device not in DEVICES:
        warnings.append(
            _("{source}: device must be one of {value}, not {value2}; using auto").format(
                source=source, value=", ".join(DEVICES), value2=_short(device)
            )
        )
        device = defaults.device

    language = data.get("language", defaults.language)
    if language is not None and language not in LANGUAGES:
        warnings.append(
            _(
                "{source}: language must be one of {value}, not {language!r}; using the locale's"
            ).format(source=source, value=", ".join(LANGUAGES), language=language)
        )
        language = defaults.language

    keys: dict[str, str] = {}
    raw_keys = data.get("keys", {})
    if not isinstance(raw_keys, dict):
        warnings.append(
            _('{source}: [keys] must be a table of binding id = "key"; ignored').format(
                source=source
            )
        )
        raw_keys = {}
    if len(raw_keys) > MAX_KEYS:
        warnings.append(
            _("{source}: more than {count} key overrides; [keys] ignored").format(
                source=source, count=MAX_KEYS
            )
        )
        raw_keys = {}
    for binding_id, spec in raw_keys.items():
        if len(binding_id) > MAX_TEXT or not _BINDING_ID.fullmatch(binding_id):
            warnings.append(
                _("{source}: key override {value} is not a binding id; ignored").format(
                    source=source, value=_short(binding_id)
                )
            )
        elif (
            not isinstance(spec, str)
            or len(spec) > MAX_TEXT
            or not _KEY_SPEC.fullmatch(spec.strip())
        ):
            warnings.append(
                _('{source}: key for {value} must look like "n" or "ctrl+n,right"; ignored').format(
                    source=source, value=_short(binding_id)
                )
            )
        else:
            keys[binding_id] = ",".join(part.strip() for part in spec.split(","))
    return Settings(
        theme=theme, ascii=ascii_mode, device=device, language=language, keys=keys
    ), warnings


def save_language(language: str, path: Path | None = None) -> None:
    """Write `language = "..."` into the settings file, keeping every other line as it was.

    The top-level `language` line is replaced where there is one, else added first (before any
    table, where TOML needs top-level keys). Written atomically; a missing file is created.
    """
    from cnntui.atomic import write_text_atomic

    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    path = config_path() if path is None else path
    try:
        lines = userfile.read_text(path, "config").splitlines()
    except FileNotFoundError:
        lines = []
    except UnicodeDecodeError as error:
        raise OSError(f"{path} is not UTF-8 text") from error
    entry = f'language = "{language}"'
    top_level_end = next(
        (number for number, line in enumerate(lines) if line.lstrip().startswith("[")),
        len(lines),
    )
    for number in range(top_level_end):
        if re.match(r"\s*language\s*=", lines[number]):
            lines[number] = entry
            break
    else:
        lines.insert(0, entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, "\n".join(lines) + "\n")
