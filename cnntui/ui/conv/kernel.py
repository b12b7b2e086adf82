"""Edit a kernel cell by cell: arrows move, +/- step by one, Enter types a value, [ ] resize.

Kernels go from 1×1 to 7×7; a multi-channel kernel (for an RGB image) has one slice per channel,
switched with Tab. Ctrl+S applies the kernel to the lab, Esc leaves it unchanged.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Static

from cnntui.conv.kernels import MAX_SIZE, Kernel, parse_value
from cnntui.i18n import N_, _
from cnntui.text import number_text
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.ascii_keys import use_ascii_keys


class KernelGrid(Widget, can_focus=True):
    """The kernel's cells with a cursor."""

    DEFAULT_CSS = """
    KernelGrid { height: auto; width: 1fr; }
    """

    def __init__(self, values: np.ndarray) -> None:
        super().__init__(id="conv-kernel-grid")
        self.values = np.array(values, dtype=np.float64)
        self.channel = 0
        self.row = 0
        self.col = 0

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return self.values.shape[1]

    def render(self) -> Text:
        ascii_mode = ascii_only(self)
        plane = self.values[self.channel]
        texts = [[number_text(v) for v in row] for row in plane]
        if ascii_mode:
            texts = [[t.replace("−", "-") for t in row] for row in texts]
        width = max(4, *(len(t) for row in texts for t in row))
        out = Text(no_wrap=True)
        for r, row in enumerate(texts):
            if r:
                out.append("\n")
            for c, value in enumerate(row):
                out.append(" ")
                cursor = (r, c) == (self.row, self.col)
                out.append(
                    value.rjust(width), Style(reverse=True, bold=True) if cursor else Style()
                )
        return out


class ConvKernelScreen(ModalScreen[str | None]):
    """Returns the kernel as text (`cnntui.conv.kernels` form), or None when cancelled."""

    DEFAULT_CSS = """
    ConvKernelScreen { align: center middle; }
    #conv-kernel-dialog {
        width: 60;
        height: auto;
        border: thick $accent;
        border-title-color: $text-accent;
        background: $surface;
        padding: 0 1;
    }
    #conv-kernel-edit.-hidden { display: none; }
    #conv-kernel-info, #conv-kernel-hint { height: auto; color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1, 0)", N_("Move"), show=False),
        Binding("down", "move(1, 0)", N_("Move"), show=False),
        Binding("left", "move(0, -1)", N_("Move"), show=False),
        Binding("right", "move(0, 1)", N_("Move"), key_display="←→↑↓"),
        Binding("plus,equals_sign", "add(1)", N_("+1"), key_display="+-"),
        Binding("minus", "add(-1)", N_("-1"), show=False),
        Binding("enter", "type", N_("Type")),
        Binding("right_square_bracket", "resize(1)", N_("Size"), key_display="[]"),
        Binding("left_square_bracket", "resize(-1)", N_("Smaller"), show=False),
        Binding("tab", "next_channel", N_("Channel"), show=False),
        Binding("ctrl+s", "apply", N_("Apply"), key_display="^s"),
        Binding("escape", "cancel", N_("Cancel")),
    ]

    def __init__(self, values: np.ndarray) -> None:
        super().__init__(id="conv-kernel")
        array = np.asarray(values, dtype=np.float64)
        self.grid = KernelGrid(array if array.ndim == 3 else array[None])
        self.editing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="conv-kernel-dialog"):
            yield Static(id="conv-kernel-info", markup=False)
            yield self.grid
            yield Input(id="conv-kernel-edit", classes="-hidden")
            yield Static(id="conv-kernel-hint", markup=False)

    def on_mount(self) -> None:
        use_ascii_keys(self)
        self.grid.focus()
        self.refresh_language()

    def refresh_language(self) -> None:
        """Re-set the title, hint and cell line in the current language."""
        self.query_one("#conv-kernel-dialog").border_title = _("Edit kernel")
        self.query_one("#conv-kernel-hint", Static).update(
            _(
                "arrows move, +/- step, Enter type (e.g. -1.5 or 1/9), [ ] size, Tab channel,"
                " ctrl+s apply, Esc cancel"
            )
        )
        self._info()

    def _info(self) -> None:
        channels, rows, cols = self.grid.values.shape
        which = "RGB"[self.grid.channel] if channels == 3 else self.grid.channel + 1
        channel = (
            _(", channel {channel} of {channels}").format(channel=which, channels=channels)
            if channels > 1
            else ""
        )
        total = number_text(self.grid.values[self.grid.channel].sum()).replace("−", "-")
        self.query_one("#conv-kernel-info", Static).update(
            _("{rows}x{cols} kernel{channel}; cell ({row}, {col}); sum {total}").format(
                rows=rows,
                cols=cols,
                channel=channel,
                row=self.grid.row,
                col=self.grid.col,
                total=total,
            )
        )
        self.grid.refresh(layout=True)

    def action_move(self, dr: int, dc: int) -> None:
        if self.editing:
            return
        _, rows, cols = self.grid.values.shape
        self.grid.row = (self.grid.row + dr) % rows
        self.grid.col = (self.grid.col + dc) % cols
        self._info()

    def action_add(self, delta: int) -> None:
        if self.editing:
            return
        self.grid.values[self.grid.channel, self.grid.row, self.grid.col] += delta
        self._info()

    def action_resize(self, delta: int) -> None:
        if self.editing:
            return
        channels, rows, cols = self.grid.values.shape
        new = max(1, min(MAX_SIZE, max(rows, cols) + delta))
        if new == rows == cols:
            return
        values = np.zeros((channels, new, new))
        keep_r, keep_c = min(rows, new), min(cols, new)
        values[:, :keep_r, :keep_c] = self.grid.values[:, :keep_r, :keep_c]
        self.grid.values = values
        self.grid.row = min(self.grid.row, new - 1)
        self.grid.col = min(self.grid.col, new - 1)
        self._info()

    def action_next_channel(self) -> None:
        self.grid.channel = (self.grid.channel + 1) % self.grid.values.shape[0]
        self._info()

    def action_type(self) -> None:
        if self.editing:
            return
        editor = self.query_one("#conv-kernel-edit", Input)
        editor.value = ""
        editor.remove_class("-hidden")
        self.editing = True
        editor.focus()

    @on(Input.Submitted, "#conv-kernel-edit")
    def _typed(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        try:
            value = parse_value(text)
        except ValueError:
            self.notify(
                _("{text!r} is not a number (try -1, 0.5 or 1/9)").format(text=text),
                severity="warning",
            )
        else:
            self.grid.values[self.grid.channel, self.grid.row, self.grid.col] = value
        self._close_editor()

    def _close_editor(self) -> None:
        self.editing = False
        self.query_one("#conv-kernel-edit", Input).add_class("-hidden")
        self.grid.focus()
        self._info()

    def action_apply(self) -> None:
        self.dismiss(Kernel("custom", self.grid.values).text())

    def action_cancel(self) -> None:
        if self.editing:
            self._close_editor()
            return
        self.dismiss(None)
