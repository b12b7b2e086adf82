"""The numbers at one position: the window, the kernel and their element-wise products.

Laid out side by side when they fit the width, else one under another. For pooling only the
window is shown, with the chosen maximum marked.
"""

from __future__ import annotations

import numpy as np
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from cnntui.conv.stepper import StepState, weight_text
from cnntui.i18n import _
from cnntui.text import number_text
from cnntui.ui.shared.access import ascii_only

CHOSEN = Style(color="white", bgcolor="red", bold=True)
LABEL = Style(bold=True)


def _matrix_lines(
    matrix: np.ndarray, chosen: tuple[int, int] | None, ascii_mode: bool, weights: bool = False
) -> list[Text]:
    show = weight_text if weights else number_text
    texts = [[show(v) for v in row] for row in matrix]
    if ascii_mode:
        texts = [[t.replace("−", "-").replace("∞", "inf") for t in row] for row in texts]
    width = max(len(t) for row in texts for t in row)
    lines = []
    for r, row in enumerate(texts):
        line = Text(no_wrap=True)
        for c, value in enumerate(row):
            line.append(" ")
            line.append(value.rjust(width), CHOSEN if (r, c) == chosen else Style())
        lines.append(line)
    return lines


class ConvMatrices(Widget):
    """Draws a `StepState`'s window, kernel and products for one channel."""

    DEFAULT_CSS = """
    ConvMatrices {
        width: 1fr;
        height: auto;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state: StepState | None = None
        self.channel = 0
        self.kernel_note = ""

    def show(self, state: StepState | None, channel: int = 0, kernel_note: str = "") -> None:
        self.state = state
        self.channel = channel
        self.kernel_note = kernel_note
        self.refresh(layout=True)

    def _blocks(self) -> list[tuple[str, list[Text]]]:
        state = self.state
        if state is None:
            return []
        ascii_mode = ascii_only(self)
        c = min(self.channel, state.window.shape[0] - 1)
        channel = (
            ""
            if state.window.shape[0] == 1
            else f" {('R', 'G', 'B')[c] if state.window.shape[0] == 3 else c + 1}"
        )
        # `c` shows the next channel; the key is named here rather than in the footer.
        key = " (c)" if channel else ""
        blocks = [
            (_("window") + channel + key, _matrix_lines(state.window[c], state.chosen, ascii_mode))
        ]
        if state.kernel is not None and state.products is not None:
            blocks.append(
                (
                    _("kernel") + channel + self.kernel_note,
                    _matrix_lines(state.kernel[c], None, ascii_mode, weights=True),
                )
            )
            blocks.append(
                ("= " + _("products"), _matrix_lines(state.products[c], None, ascii_mode))
            )
        return blocks

    def best_width(self, height: int) -> int:
        """The narrowest width at which the blocks, wrapped side by side, fit in `height` lines."""
        blocks = self._blocks()
        if not blocks:
            return 0
        widths = [
            max(len(label), *(line.cell_len for line in lines)) + 2 for label, lines in blocks
        ]
        tall = max(len(lines) for _, lines in blocks) + 1
        for per_row in range(1, len(blocks) + 1):
            rows = -(-len(blocks) // per_row)
            if rows * tall <= height or per_row == len(blocks):
                return max(sum(widths[i : i + per_row]) for i in range(0, len(blocks), per_row))
        return max(widths)

    def _layout(self, width: int) -> list[Text]:
        blocks = self._blocks()
        if not blocks:
            return [Text("")]
        widths = [
            max(len(label), *(line.cell_len for line in lines)) + 2 for label, lines in blocks
        ]
        rows: list[list[int]] = [[]]
        used = 0
        for index, block_width in enumerate(widths):
            if rows[-1] and used + block_width > width:
                rows.append([])
                used = 0
            rows[-1].append(index)
            used += block_width
        out: list[Text] = []
        for group in rows:
            height = max(len(blocks[i][1]) for i in group)
            header = Text(no_wrap=True)
            for i in group:
                header.append(blocks[i][0].ljust(widths[i]), LABEL)
            out.append(header)
            for r in range(height):
                line = Text(no_wrap=True)
                for i in group:
                    lines = blocks[i][1]
                    cell = lines[r] if r < len(lines) else Text("")
                    line.append_text(cell)
                    line.append(" " * (widths[i] - cell.cell_len))
                out.append(line)
        return out

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return len(self._layout(width))

    def render(self) -> Text:
        return Text("\n", no_wrap=True).join(self._layout(self.size.width or 80))
