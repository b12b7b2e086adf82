"""The Models mode's controls line: the input size box (`i`) and the depth and batch settings."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label, Static

from cnntui.i18n import _
from cnntui.zoo.spec import parse_shape


def shape_text(shape: tuple[int, ...]) -> str:
    """`3x224x224`: how the box shows an input shape (C, H, W)."""
    return "x".join(str(s) for s in shape)


class InputSize(Horizontal):
    """`input (i) [CxHxW]  depth 2 (+ -) · batch 1 ([ ])`.

    Typing posts `Changed` (a valid size) or `Invalid`; `Submitted` says Enter was pressed. A size
    the screen sets with `show_shape` posts nothing, so showing a model never feeds back into it.
    """

    DEFAULT_CSS = """
    InputSize { height: 1; padding: 0 1; }
    InputSize Label { width: auto; color: $text-muted; }
    InputSize #models-input { width: 12; margin: 0 1; }
    InputSize #models-settings { width: 1fr; color: $text-muted; }
    """

    class Changed(Message):
        def __init__(self, shape: tuple[int, ...], submitted: bool) -> None:
            super().__init__()
            self.shape = shape
            self.submitted = submitted

    class Invalid(Message):
        def __init__(self, text: str, reason: str, submitted: bool) -> None:
            super().__init__()
            self.text = text
            self.reason = reason
            self.submitted = submitted

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._pending: list[str] = []
        """Texts set by `show_shape` whose Changed messages are still on their way, oldest first:
        those messages are not the user's (a one-shot flag would misread the second of two
        quick model switches as typing)."""

    def compose(self) -> ComposeResult:
        yield Label(_("input (i)"), id="models-input-label")
        yield Input(placeholder="CxHxW", id="models-input", compact=True)
        yield Static(id="models-settings")

    @property
    def box(self) -> Input:
        return self.query_one("#models-input", Input)

    def show_shape(self, shape: tuple[int, ...]) -> None:
        """Show `shape` without reporting it back as typed."""
        text = shape_text(shape)
        if self.box.value != text:
            self._pending.append(text)
            self.box.value = text

    def show_settings(self, text: str) -> None:
        self.query_one("#models-settings", Static).update(text)

    def focus_box(self) -> None:
        """Focus the box with its text selected, so typing replaces it."""
        self.box.focus()
        self.box.select_all()

    @on(Input.Changed, "#models-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._pending and event.value == self._pending[0]:
            self._pending.pop(0)
            return
        self._report(event.value, submitted=False)

    @on(Input.Submitted, "#models-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._report(event.value, submitted=True)

    def _report(self, text: str, submitted: bool) -> None:
        try:
            shape = parse_shape(text)
        except ValueError as exc:
            self.post_message(self.Invalid(text, str(exc), submitted))
            return
        self.post_message(self.Changed(shape, submitted))
