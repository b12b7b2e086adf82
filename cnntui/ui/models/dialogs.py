"""Small dialogs of the Models mode: pick a model to compare with, and type a spec file path."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from cnntui.i18n import N_, Text, _

DIALOG_CSS = """
{name} {{
    align: center middle;
}}
{name} > Vertical {{
    width: 60;
    max-width: 90%;
    height: auto;
    max-height: 90%;
    border: round $accent;
    background: $surface;
    padding: 0 1;
}}
{name} OptionList {{
    height: auto;
    max-height: 16;
}}
{name} Label {{
    color: $text-muted;
}}
"""


class PickModelScreen(ModalScreen[str | None]):
    """Choose a zoo model (returns its name, or None on escape).

    `title` may be a `cnntui.i18n.Message`: it is then shown in the language current at each
    redraw (F2 while the dialog is open relabels it).
    """

    DEFAULT_CSS = DIALOG_CSS.format(name="PickModelScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: Text, exclude: str | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.exclude = exclude

    def compose(self) -> ComposeResult:
        from cnntui import zoo

        with Vertical():
            yield Label(str(self.title_text), id="pick-title")
            yield OptionList(
                *[
                    Option(f"{e.name:<20} {e.year}", id=e.name)
                    for e in zoo.entries()
                    if e.name != self.exclude
                ],
                id="pick-list",
            )

    def refresh_language(self) -> None:
        """The title in the language now current (the list holds model names only)."""
        self.query_one("#pick-title", Label).update(str(self.title_text))

    @on(OptionList.OptionSelected, "#pick-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PathScreen(ModalScreen[str | None]):
    """Type a file path (returns it, or None on escape); `title` as for `PickModelScreen`."""

    DEFAULT_CSS = DIALOG_CSS.format(name="PathScreen")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: Text, value: str) -> None:
        super().__init__()
        self.title_text = title
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(str(self.title_text), id="path-title")
            yield Input(value=self.value, placeholder=_("path/to/network.toml"), id="path-input")
            yield Label(_("enter: confirm   escape: cancel"), id="path-hint")

    def refresh_language(self) -> None:
        """Title, placeholder and hint in the language now current (the typed path stays)."""
        self.query_one("#path-title", Label).update(str(self.title_text))
        self.query_one("#path-input", Input).placeholder = _("path/to/network.toml")
        self.query_one("#path-hint", Label).update(_("enter: confirm   escape: cancel"))

    @on(Input.Submitted, "#path-input")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
