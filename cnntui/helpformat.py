"""argparse help wrapped by terminal cells, so Korean help fits the terminal as English does.

argparse wraps help with `textwrap`, which counts characters; a Hangul syllable takes two cells,
so Korean help lines would run past the terminal's edge. These formatters wrap by cells instead.

Pure: no Textual, no Rich.
"""

from __future__ import annotations

import argparse
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def cell_width(text: str) -> int:
    """Terminal cells `text` takes: two for wide and full-width characters (Hangul, CJK), none for
    combining marks, one otherwise."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def wrap_cells(text: str, width: int) -> list[str]:
    """`text`'s words (whitespace collapsed) in lines of at most `width` cells; a word wider than
    `width` stands alone on its line. `wrap_cells("a bb ccc", 4)` → `["a bb", "ccc"]`."""
    lines: list[str] = []
    line, used = "", 0
    for word in _SPACES.sub(" ", text).strip().split(" "):
        if not word:
            continue
        size = cell_width(word)
        if line and used + 1 + size > width:
            lines.append(line)
            line, used = "", 0
        line, used = (f"{line} {word}", used + 1 + size) if line else (word, size)
    if line:
        lines.append(line)
    return lines


class CellHelpFormatter(argparse.HelpFormatter):
    """argparse's default formatter, wrapping help and descriptions with wide characters by
    terminal cells (text of narrow characters only is wrapped exactly as argparse does)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        if cell_width(text) == len(text):
            return super()._split_lines(text, width)
        return wrap_cells(text, max(width, 1))

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if cell_width(text) == len(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in wrap_cells(text, max(width, 1)))


class CellRawDescriptionHelpFormatter(CellHelpFormatter):
    """Like `argparse.RawDescriptionHelpFormatter` (description and epilog kept as written, e.g.
    a list of examples), with option help wrapped by terminal cells; a one-line description with
    wide characters (a translation) is wrapped by cells too."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" not in text and cell_width(text) != len(text):
            return super()._fill_text(text, width, indent)
        return "".join(indent + line for line in text.splitlines(keepends=True))
