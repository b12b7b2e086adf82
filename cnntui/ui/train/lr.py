"""A small dialog that asks for a new learning rate while a run trains."""

from __future__ import annotations

import math
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from cnntui.i18n import N_, _


def parse_lr(text: str) -> float | None:
    """The learning rate in `text`, or None unless it is a number in (0, 10]."""
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) and 0 < value <= 10 else None


LR_ERROR = N_("use a number greater than 0 and at most 10")


class LearningRateScreen(ModalScreen[float | None]):
    """Returns the new learning rate, or None when cancelled."""

    DEFAULT_CSS = """
    LearningRateScreen { align: center middle; }
    LearningRateScreen > Vertical {
        width: 46; height: auto; padding: 1 2;
        border: round $accent; background: $surface;
    }
    LearningRateScreen #lr-error { color: $text-error; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, current: float) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._prompt(), id="lr-prompt")
            yield Input(value=f"{self.current:g}", id="lr-input")
            yield Label("", id="lr-error")

    def _prompt(self) -> str:
        return _("New learning rate (now {lr}); Enter to apply, Esc to cancel").format(
            lr=f"{self.current:g}"
        )

    def refresh_language(self) -> None:
        """The prompt (and an error on show) in the current language."""
        self.query_one("#lr-prompt", Label).update(self._prompt())
        if self._error:
            self.query_one("#lr-error", Label).update(_(LR_ERROR))

    _error = False

    @on(Input.Submitted, "#lr-input")
    def submitted(self, event: Input.Submitted) -> None:
        value = parse_lr(event.value)
        if value is None:
            self._error = True
            self.query_one("#lr-error", Label).update(_(LR_ERROR))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
