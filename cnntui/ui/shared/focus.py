"""Focus that comes back: a mode screen that remembers where the keyboard was.

Textual blurs a focused widget when it is hidden (a view switched away, a tab left) and leaves
nothing focused; a dialog's callback may hide the widget that had focus before the dialog opened.
Either way the learner's next arrow key went nowhere. `FocusKeepingScreen` records every widget
that gets focus and, when focus is lost to a hidden widget or the screen comes back from a dialog
with nothing usable focused, gives it back to the most recent one that is still shown (Textual's
own choice is a neighbour in the focus chain, or nothing). Focus that is taken away on purpose
(`set_focus(None)` while the widget stays shown) is left alone.
"""

from __future__ import annotations

from textual import events, on
from textual.screen import Screen
from textual.widget import Widget

HISTORY = 16
"""How many recently focused widgets a screen remembers."""


def is_shown(widget: Widget) -> bool:
    """Whether `widget` is mounted on its screen and neither it nor an ancestor is hidden."""
    if not widget.is_attached:
        return False
    node: object = widget
    while isinstance(node, Widget) and not isinstance(node, Screen):
        if not node.display or not node.visible:
            return False
        node = node.parent
    return isinstance(node, Screen)


class FocusKeepingScreen(Screen[None]):
    """A screen that gives focus back after a view or dialog closes (see the module docstring)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._focus_history: list[Widget] = []
        self._fallback: Widget | None = None
        """Focused by `_reset_focus`, not by the learner: it keeps its place in the history."""

    @on(events.DescendantFocus)
    def _remember_focus(self, event: events.DescendantFocus) -> None:
        widget = event.widget
        if widget is self._fallback:
            self._fallback = None
            if widget in self._focus_history:
                return
        if widget in self._focus_history:
            self._focus_history.remove(widget)
        self._focus_history.append(widget)
        del self._focus_history[:-HISTORY]

    def _reset_focus(self, widget: Widget, avoiding: list[Widget] | None = None) -> None:
        """Textual calls this when the focused `widget` is hidden or removed; its own choice is a
        neighbour in the focus chain (or nothing), ours the last widget the learner used."""
        if self.focused is widget:
            gone = [widget, *(avoiding or [])]
            for candidate in reversed(self._focus_history):
                if any(node in candidate.ancestors_with_self for node in gone):
                    continue
                if candidate.focusable and is_shown(candidate):
                    self._fallback = candidate
                    self.set_focus(candidate)
                    return
        super()._reset_focus(widget, avoiding)
        self._fallback = self.focused

    def restore_focus(self) -> bool:
        """Focus the most recently focused widget that is still shown; whether one was found."""
        for widget in reversed(self._focus_history):
            if is_shown(widget) and widget.focusable:
                self.set_focus(widget)
                return True
        return False
