"""Text measured in terminal cells: a Hangul syllable (or any wide character) takes two.

Korean text laid out by character count runs past the columns English fits in; these helpers
wrap and pad by cells instead.

Pure: no Textual, no Rich.
"""

from __future__ import annotations

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


def pad_cells(text: str, width: int) -> str:
    """`text` padded with spaces on the right to `width` cells (unchanged when already wider):
    `pad_cells("출력", 6)` → `"출력  "`, as `f"{text:<6}"` does for narrow text."""
    return text + " " * max(width - cell_width(text), 0)


def rpad_cells(text: str, width: int) -> str:
    """`text` right-aligned in `width` cells, as `f"{text:>{width}}"` does for narrow text."""
    return " " * max(width - cell_width(text), 0) + text


def clip_cells(text: str, width: int, ellipsis: str = "...") -> str:
    """`text` cut to at most `width` cells, ending in `ellipsis` when cut:
    `clip_cells("합성곱 신경망", 9)` → `"합성곱..."`."""
    if cell_width(text) <= width:
        return text
    room = width - cell_width(ellipsis)
    out, used = "", 0
    for char in text:
        size = cell_width(char)
        if used + size > room:
            break
        out, used = out + char, used + size
    return out.rstrip() + ellipsis
