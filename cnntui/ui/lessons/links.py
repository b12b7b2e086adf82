"""`l` in the Lessons mode: the lesson's links, so the keyboard can follow them."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cnntui.i18n import N_, _
from cnntui.lessons import Link
from cnntui.ui.shared.glyphs import Glyphs


def describe(link: Link) -> str:
    """What following the link does, in words (the current language)."""
    if link.kind == "web":
        return _("copy the web address")
    if link.kind == "anchor":
        return _("go to that section")
    if link.mode == "lesson":
        return _("open lesson {name}").format(name=link.params.get("name", "?"))
    from cnntui.ui.modes import mode_named

    try:
        title = _(mode_named(link.mode or "").title)
    except KeyError:  # a mode this build lacks: its name as written in the link
        title = link.mode or "?"
    return _("open {mode}").format(mode=title)


class LinksScreen(ModalScreen[str | None]):
    """Dismisses with the chosen link's target, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Close"), id="links.close")
    ]

    def __init__(self, links: list[Link], marks: Glyphs) -> None:
        super().__init__(id="links-screen")
        self.links = links
        self.marks = marks

    def _options(self) -> list[Option]:
        return [
            Option(
                Content.assemble(
                    (link.text or link.target, "bold underline"),
                    f"  {self.marks.arrow} {describe(link)}\n   ",
                    (link.target, "dim"),
                ),
                id=str(index),
            )
            for index, link in enumerate(self.links)
        ]

    def compose(self) -> ComposeResult:
        with Vertical(id="links-dialog", classes="dialog"):
            yield OptionList(*self._options(), id="links-list")
            yield Static(_("Enter: follow. Esc: close."), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#links-dialog").border_title = _("Links in this lesson")
        self.query_one("#links-list", OptionList).focus()

    def refresh_language(self) -> None:
        """Title, hint and what each link leads to in the language now current (the link texts
        are the lesson's own, as it was opened)."""
        self.query_one("#links-dialog").border_title = _("Links in this lesson")
        self.query_one(".dialog-hint", Static).update(_("Enter: follow. Esc: close."))
        listing = self.query_one("#links-list", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options(self._options())
        listing.highlighted = highlighted

    @on(OptionList.OptionSelected, "#links-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[int(event.option_id or 0)].target)

    def action_cancel(self) -> None:
        self.dismiss(None)
