"""The Korean interface catalogue: complete, compiled, and faithful to its placeholders."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "cnntui" / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
_FIELD = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdrf]|%[sdrf]")


def _source_messages() -> set[tuple[str, str | None]]:
    """Every `(msgid, context)` marked in the source; a plural message (ngettext) by its singular,
    its key in the catalogue; context None except for pgettext."""
    messages: set[tuple[str, str | None]] = set()
    method_map = [("**.py", "python")]
    for _file, _line, message, _comments, context in extract_from_dir(
        str(ROOT / "cnntui"), method_map=method_map, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            messages.add((message[0], context))
        else:
            messages.add((message, context))
    return messages


def _catalogue(language: str):
    with open(LOCALE / language / "LC_MESSAGES" / "cnntui.po", "rb") as fh:
        return read_po(fh, locale=language)


def test_every_message_in_the_source_is_translated_into_korean():
    catalogue = _catalogue("ko")
    untranslated = []
    for message, context in sorted(_source_messages(), key=lambda m: (m[0], m[1] or "")):
        entry = catalogue.get(message, context=context)
        if entry is None or entry.fuzzy or not entry.string or not all(entry.string):
            untranslated.append(message if context is None else f"{context}: {message}")
    assert untranslated == [], f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"


def test_catalogue_has_no_stale_entries():
    catalogue = _catalogue("ko")
    source = _source_messages()
    stale = sorted(
        entry.id if isinstance(entry.id, str) else entry.id[0]
        for entry in catalogue
        if entry.id
        and ((entry.id if isinstance(entry.id, str) else entry.id[0]), entry.context) not in source
    )
    assert stale == [], f"entries no longer in the source: {stale[:5]}"


def test_translations_keep_their_placeholders():
    for entry in _catalogue("ko"):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = sorted(_FIELD.findall(ids[-1]))
        for string in strings:
            assert sorted(_FIELD.findall(string)) == wanted, (entry.id, string)


def test_compiled_catalogue_matches_the_po_file():
    catalogue = _catalogue("ko")
    with open(LOCALE / "ko" / "LC_MESSAGES" / "cnntui.mo", "rb") as fh:
        compiled = read_mo(fh)

    def frozen(value):  # plural ids and strings come as lists or tuples
        return tuple(value) if isinstance(value, list | tuple) else value

    expected = {
        (frozen(entry.id), entry.context): frozen(entry.string) for entry in catalogue if entry.id
    }
    found = {
        (frozen(entry.id), entry.context): frozen(entry.string) for entry in compiled if entry.id
    }
    assert found == expected, "run: pybabel compile -d cnntui/locale -D cnntui"
