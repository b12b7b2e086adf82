"""argparse help wrapped by terminal cells, so Korean help fits the terminal as English does.

argparse wraps help with `textwrap`, which counts characters; a Hangul syllable takes two cells,
so Korean help lines would run past the terminal's edge. These formatters wrap by cells instead.

Pure: no Textual, no Rich.
"""

from __future__ import annotations

import argparse

from cnntui.cells import cell_width, wrap_cells


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
