"""`OpenImage`: a modal that asks for the learner's own image (a file, a bundled image name or
`DATASET:SPLIT:INDEX`); dismisses with the text, or None on escape. The screen loads it off the
UI thread and reports a bad one as a notice."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from cnntui.i18n import N_, _


class OpenImage(ModalScreen[str | None]):
    DEFAULT_CSS = """
    OpenImage { align: center middle; }
    OpenImage > Vertical {
        width: 70; max-width: 100%; height: auto; padding: 0 1;
        border: round $accent; background: $panel;
    }
    """

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._prompt(), id="explain-open-prompt")
            yield Input(placeholder="~/my-digit.png", id="explain-open-input")

    @staticmethod
    def _prompt() -> str:
        return _("Image: a file (.pgm .ppm .png .jpg), a bundled name, or digits:test:12")

    def refresh_language(self) -> None:
        """The prompt in the language now current (F2)."""
        self.query_one("#explain-open-prompt", Label).update(self._prompt())

    def on_mount(self) -> None:
        field = self.query_one(Input)
        if self.app.is_headless:
            field.cursor_blink = False
        field.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
