"""The language cnntui speaks: English or Korean, chosen once and switchable at any time.

The choice, first that applies: `--lang`, `CNNTUI_LANG`, `language` in `config.toml`, then the
locale (`LC_ALL`, `LC_MESSAGES`, `LANG` starting with `ko` → Korean), else English.

Interface text goes through the standard gettext machinery: `_("English text")` returns the text in
the current language from the catalogue `cnntui/locale/<lang>/LC_MESSAGES/cnntui.mo` (compiled from
the `.po` beside it with Babel; `tests/test_i18n_catalogue.py` keeps the two in step). `_` looks
the language up on every call, so text computed after `set_language` is in the new language;
text computed before (a widget already drawn) is redrawn by the app when the language changes.

Pure: no Textual, no Rich.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("en", "ko")
"""Every language cnntui speaks; English is the source language of the catalogue."""
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "ko": "한국어"}
DOMAIN = "cnntui"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENV_VAR = "CNNTUI_LANG"
_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")

_current = "en"


def normalise_language(value: object) -> str | None:
    """`"ko"`, `"ko_KR.UTF-8"`, `"KO"` → `"ko"`; `"en_GB"` → `"en"`; anything else → None."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("-", "_").split(".", 1)[0].split("_", 1)[0]
    return code if code in LANGUAGES else None


def language_from_locale(environ: Mapping[str, str]) -> str:
    """The language the POSIX locale asks for: the first of LC_ALL, LC_MESSAGES, LANG that is set
    decides (as the C library does); Korean when it starts with `ko`, English otherwise."""
    for name in _LOCALE_VARS:
        value = environ.get(name, "")
        if value:
            return "ko" if value.lower().startswith("ko") else "en"
    return "en"


def resolve_language(
    cli: str | None = None,
    setting: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language to use: `--lang`, then `CNNTUI_LANG`, then the `language` setting, then the
    locale. Unknown values are skipped (the command line and settings report them themselves)."""
    environ = os.environ if environ is None else environ
    for candidate in (cli, environ.get(ENV_VAR), setting):
        language = normalise_language(candidate)
        if language is not None:
            return language
    return language_from_locale(environ)


@cache
def _translations(language: str) -> _gettext.NullTranslations:
    if language == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def set_language(language: str) -> str:
    """Make `language` current for `_` and `ngettext`; returns it. Raises ValueError if unknown."""
    global _current
    code = normalise_language(language)
    if code is None:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _current = code
    return code


def current_language() -> str:
    return _current


def _(message: str) -> str:
    """`message` (English, the catalogue's msgid) in the current language."""
    return _translations(_current).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the current language (Korean has one form)."""
    return _translations(_current).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, told apart by `context` from the same English word
    used elsewhere with another meaning (e.g. the "Type" of a table column, not "type" an answer)."""
    return _translations(_current).pgettext(context, message)


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it now (module-level constants that
    are translated with `_` when shown)."""
    return message
