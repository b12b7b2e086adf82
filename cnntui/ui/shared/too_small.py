"""Shown instead of a broken layout when the terminal is smaller than 80x24."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Static

from cnntui.i18n import _


class TooSmallScreen(Screen[None]):
    """Asks for more room; the app pops it as soon as the terminal is big enough again."""

    def compose(self) -> ComposeResult:
        with Middle():
            with Center():
                yield Static(id="too-small-text")

    def on_mount(self) -> None:
        self._update()

    def on_resize(self) -> None:
        self._update()

    def refresh_language(self) -> None:
        self._update()

    def _update(self) -> None:
        from cnntui.ui.app import MIN_HEIGHT, MIN_WIDTH

        width, height = self.app.size
        self.query_one("#too-small-text", Static).update(
            _(
                "cnntui needs a terminal of at least {min_width}x{min_height}.\n"
                "This one is {width}x{height}: please make it larger.\n"
                "(q quits)"
            ).format(min_width=MIN_WIDTH, min_height=MIN_HEIGHT, width=width, height=height)
        )
