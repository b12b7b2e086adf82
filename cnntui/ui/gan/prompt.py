"""A small modal that asks for one number and checks its range before closing."""

from __future__ import annotations

import math

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from cnntui.i18n import N_, Text, _
from cnntui.numeric import parse_number


class NumberPrompt(ModalScreen[float | None]):
    """Ask for a number in `[low, high]` (or `[low, high)`); dismisses with it, or None on escape."""

    DEFAULT_CSS = """
    NumberPrompt { align: center middle; }
    NumberPrompt > Vertical {
        width: 60; height: auto; padding: 0 1;
        border: round $accent; background: $panel;
    }
    NumberPrompt #gan-prompt-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(
        self,
        question: Text,
        *,
        low: float,
        high: float,
        high_inclusive: bool = True,
        integer: bool = False,
        value: str = "",
    ) -> None:
        super().__init__()
        self.question = question
        self.low, self.high = low, high
        self.high_inclusive = high_inclusive
        self.integer = integer
        self.initial = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(str(self.question), id="gan-prompt-question")
            yield Input(value=self.initial, id="gan-prompt-input")
            yield Label("", id="gan-prompt-error")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        if self.app.is_headless:
            field.cursor_blink = False
        field.focus()

    def refresh_language(self) -> None:
        """The question in the language now current (a `Message` question; F2 while open)."""
        self.query_one("#gan-prompt-question", Label).update(str(self.question))
        self.query_one("#gan-prompt-error", Label).update("")

    def parse(self, text: str) -> float:
        """The number in `text`, or ValueError with what would be valid."""
        closing = "]" if self.high_inclusive else ")"
        interval = f"[{self.low:g}, {self.high:g}{closing}"
        valid = (
            _("a whole number in {interval}") if self.integer else _("a number in {interval}")
        ).format(interval=interval)
        try:
            value = parse_number(text, integer=self.integer)
        except ValueError:
            raise ValueError(_("'{text}' is not {valid}").format(text=text, valid=valid)) from None
        too_high = value > self.high if self.high_inclusive else value >= self.high
        if not math.isfinite(value) or value < self.low or too_high:
            raise ValueError(_("{text} is outside: enter {valid}").format(text=text, valid=valid))
        return value

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        try:
            value = self.parse(event.value.strip())
        except ValueError as exc:
            self.query_one("#gan-prompt-error", Label).update(str(exc))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
