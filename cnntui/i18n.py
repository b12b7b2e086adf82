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
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
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


class Message:
    """Text translated where it is shown, not where it is made.

    A training or DCGAN process reports its state to the app over a queue; the app may switch
    language after the report was made, or run in another language than the process. So a report
    carries `Message(N_("learning rate set to {value:g}"), value=0.01)`, and `str(message)` (or an
    f-string) gives the text in the language current where it is read. Arguments may be Messages
    themselves (translated along with the outer text); everything else keeps its own format
    (`{value:g}` formats the float). Picklable: the class and its fields are plain.

    Mark the English with `N_` so the catalogue extracts it. A Message without arguments is not
    formatted (its text may hold braces: a reason copied from a library's error); one whose text
    is not in the catalogue reads as it was given.
    """

    __slots__ = ("msgid", "args")

    def __init__(self, msgid: str, /, **args: object) -> None:
        self.msgid = msgid
        self.args = args

    def translate(self, language: str | None = None) -> str:
        """The text in `language` (default: the current one)."""
        language = _current if language is None else language
        template = _translations(language).gettext(self.msgid)
        if not self.args:
            return template
        values = {
            key: value.translate(language) if isinstance(value, Message) else value
            for key, value in self.args.items()
        }
        return template.format(**values)

    def english(self) -> str:
        """The text in English (for documents such as `--json`, which keep one language)."""
        return self.translate("en")

    def __str__(self) -> str:
        return self.translate()

    def __format__(self, spec: str) -> str:
        return format(self.translate(), spec)

    def __contains__(self, text: str) -> bool:
        """`text in message`: a substring of the text in the current language (as for a str)."""
        return text in self.translate()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return self.msgid == other.msgid and self.args == other.args

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __repr__(self) -> str:
        args = "".join(f", {key}={value!r}" for key, value in self.args.items())
        return f"Message({self.msgid!r}{args})"

    def __getstate__(self) -> tuple[str, dict[str, object]]:
        return self.msgid, self.args

    def __setstate__(self, state: tuple[str, dict[str, object]]) -> None:
        self.msgid, self.args = state


Text = str | Message
"""What a report from a child process says: fixed text, or a `Message` translated when shown."""


def error_text(error: BaseException) -> Text:
    """What `error` says, kept as a `Message` when it was raised with one (so it is translated
    where it is shown), else its text as it is."""
    if len(error.args) == 1 and isinstance(error.args[0], Message):
        return error.args[0]
    return str(error)


def english(text: Text) -> str:
    """`text` in English: a Message's English, or the string as it is (for `--json` documents)."""
    return text.english() if isinstance(text, Message) else text


@contextmanager
def messages_in(language: str) -> Iterator[None]:
    """Make messages in `language` for the duration (a `--json` document written in English while
    the command speaks Korean); the language before is current again afterwards."""
    before = current_language()
    set_language(language)
    try:
        yield
    finally:
        set_language(before)
