"""The footer every screen shows: Textual's `Footer`, with each key's description in the current
language.

Bindings keep their English description (marked with `N_` so the catalogue has it); the footer
translates it when it composes, so switching language only needs the footers recomposed (the app
does that through `refresh_bindings`).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey, FooterLabel

from cnntui.i18n import N_, _

TEXTUAL_DESCRIPTIONS = (N_("palette"),)
"""Descriptions of Textual's own bindings that show in the footer, for the catalogue."""


class Footer(TextualFooter):
    """`textual.widgets.Footer` speaking the current language."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.description = _(widget.description) if widget.description else ""
                if isinstance(widget.tooltip, str) and widget.tooltip:
                    widget.tooltip = _(widget.tooltip)
            elif isinstance(widget, FooterLabel) and isinstance(widget.content, str):
                widget.update(_(widget.content))
            yield widget
