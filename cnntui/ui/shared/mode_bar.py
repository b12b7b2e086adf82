"""One line at the top of a mode's screen: the app name and every mode with its number key."""

from __future__ import annotations

from typing import Any

from textual.app import RenderResult
from textual.content import Content
from textual.widget import Widget

from cnntui.i18n import _
from cnntui.ui.shared.access import cnntui_app


class ModeBar(Widget):
    """Shows `cnntui  1 Lessons  2 Conv Lab …` with the current mode highlighted.

    Clicking a mode switches to it. Any mode's screen can compose one; it reads the modes from the
    app (`CnnTuiApp.mode_specs`) and the current mode from `App.current_mode`.
    """

    DEFAULT_CSS = """
    ModeBar {
        height: 1;
        width: 1fr;
        background: $panel;
        color: $text-muted;
    }
    """

    def on_mount(self) -> None:
        self.app.mode_change_signal.subscribe(self, lambda _mode: self.refresh())

    def render(self) -> RenderResult:
        """The fullest form that fits the width: with the app's name, then without it, then with
        each title cut to its first word (`2 Conv`, `3 합성곱`); the current mode stays whole."""
        width = self.size.width or 80
        for brand, short in ((True, False), (False, False), (False, True)):
            bar = self._bar(brand, short)
            if bar.cell_length <= width:
                return bar
        return bar

    def _bar(self, brand: bool, short: bool) -> Content:
        specs: dict[str, Any] = cnntui_app(self).mode_specs
        current = self.app.current_mode
        parts: list[Content | tuple[str, str] | str] = []
        if brand:
            parts.append((" cnntui ", "bold $text-accent"))
        for spec in specs.values():
            title = _(spec.title)
            if short and spec.name != current:
                title = title.split()[0]
            label = Content.from_markup(
                f"[@click=app.switch_to({spec.name!r})] {spec.key} $title [/]", title=title
            )
            parts.append(label.stylize("reverse bold") if spec.name == current else label)
        parts.append(("  ? " + _("help"), "dim"))
        return Content.assemble(*parts)
