"""Shown in place of a mode whose screen failed to start, so the rest of the app keeps working."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from cnntui.i18n import _
from cnntui.ui.modes import ModeSpec
from cnntui.ui.shared.footer import Footer
from cnntui.ui.shared.mode_bar import ModeBar


class ModeErrorScreen(Screen[None]):
    def __init__(self, spec: ModeSpec, reason: str) -> None:
        super().__init__()
        self.spec = spec
        self.reason = reason

    def compose(self) -> ComposeResult:
        yield ModeBar()
        yield Static(self._text(), classes="mode-error", markup=False)
        yield Footer()

    def _text(self) -> str:
        return (
            _("{mode} could not start:").format(mode=_(self.spec.title))
            + f"\n\n  {self.reason}\n\n"
            + _(
                "The other modes still work: press a number key to switch. "
                "Run with CNNTUI_DEBUG=1 for details."
            )
        )

    def refresh_language(self) -> None:
        self.query_one(".mode-error", Static).update(self._text())
