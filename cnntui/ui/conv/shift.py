"""Pooling and small shifts: an image and the same image moved one pixel right, pooled side by side."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from cnntui.conv.stepper import shift_comparison
from cnntui.i18n import N_, _
from cnntui.ui.conv.grid import ConvGrid, GridData
from cnntui.ui.shared.ascii_keys import use_ascii_keys


class ConvShiftScreen(ModalScreen[None]):
    """Four grids: the image, the shifted image, and their pooled outputs; `v` shows numbers."""

    DEFAULT_CSS = """
    ConvShiftScreen { align: center middle; }
    #conv-shift-dialog {
        width: 100%;
        height: 100%;
        border: thick $accent;
        border-title-color: $text-accent;
        background: $surface;
    }
    #conv-shift-grids { height: 1fr; }
    .conv-shift-column { width: 1fr; height: 1fr; }
    .conv-shift-label { height: 1; color: $text-accent; }
    .conv-shift-column ConvGrid { height: 1fr; }
    #conv-shift-summary { height: auto; padding: 0 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,s", "close", N_("Close")),
        Binding("v", "values", N_("Nums")),
        Binding("right", "shift(1)", N_("Shift"), key_display="←→"),
        Binding("left", "shift(-1)", N_("Shift back"), show=False),
    ]

    def __init__(self, image: np.ndarray, kind: str, size: int, stride: int) -> None:
        super().__init__(id="conv-shift")
        self.image = np.asarray(image, dtype=np.float64)
        self.kind = kind
        self.window = size
        self.window_stride = stride
        self.cols = 1
        self.show_values = False

    def compose(self) -> ComposeResult:
        with Vertical(id="conv-shift-dialog"):
            with Horizontal(id="conv-shift-grids"):
                for name in ("image", "shifted", "pooled", "pooled-shifted"):
                    with Vertical(classes="conv-shift-column"):
                        yield Static(
                            id=f"conv-shift-label-{name}", classes="conv-shift-label", markup=False
                        )
                        yield ConvGrid(id=f"conv-shift-{name}")
            yield Static(id="conv-shift-summary", markup=False)

    def on_mount(self) -> None:
        use_ascii_keys(self)
        self.redraw()

    def refresh_language(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        comparison = shift_comparison(
            self.image, self.kind, self.window, self.window_stride, self.cols
        )
        self.query_one("#conv-shift-dialog").border_title = _("Pooling and a shifted image")
        shown = {
            "image": (comparison.original, _("image")),
            "shifted": (comparison.shifted, _("moved {cols} px right").format(cols=self.cols)),
            "pooled": (
                comparison.pooled_original,
                _("{kind} pool {size}/{stride}").format(
                    kind=self.kind, size=self.window, stride=self.window_stride
                ),
            ),
            "pooled-shifted": (comparison.pooled_shifted, _("pooled, moved")),
        }
        changed = ~np.isclose(comparison.pooled_original, comparison.pooled_shifted)
        for name, (values, label) in shown.items():
            marked = set()
            if name.startswith("pooled"):
                marked = {(int(r), int(c)) for r, c in zip(*np.nonzero(changed), strict=True)}
            low, high = float(min(0.0, values.min())), float(max(1.0, values.max()))
            self.query_one(f"#conv-shift-{name}", ConvGrid).show(
                GridData(values, None, marked, None, low, high), self.show_values
            )
            self.query_one(f"#conv-shift-label-{name}", Static).update(label)
        total = comparison.pooled_original.size
        same = total - comparison.changed
        self.query_one("#conv-shift-summary", Static).update(
            _(
                "Moving the image {cols} pixel(s) changes {inputs} input pixels and {changed} of"
                " {total} pooled values (marked); {same} stay the same. {kind} pooling is only"
                " partly invariant to small shifts.  left/right: shift, v: numbers, Esc: close"
            ).format(
                cols=self.cols,
                inputs=comparison.input_changed,
                changed=comparison.changed,
                total=total,
                same=same,
                kind=self.kind.capitalize(),
            )
        )

    def action_shift(self, delta: int) -> None:
        self.cols = max(-self.image.shape[1] + 1, min(self.image.shape[1] - 1, self.cols + delta))
        self.redraw()

    def action_values(self) -> None:
        self.show_values = not self.show_values
        self.redraw()

    def action_close(self) -> None:
        self.dismiss(None)
