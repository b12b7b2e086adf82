"""Typed access to the running `CnnTuiApp` from any widget or screen.

`cnntui_app(node)` is for screens that only ever run inside cnntui (the modes). `ascii_only(node)`
is for widgets that may also be shown in a plain Textual app (tests, other apps): it is False there.
"""

from __future__ import annotations

from typing import Any, Protocol

from textual.app import App

from cnntui.ui.app import CnnTuiApp


class InApp(Protocol):
    """Anything that knows its app: a widget, a screen, a command-palette provider."""

    @property
    def app(self) -> App[Any]: ...


def cnntui_app(node: InApp) -> CnnTuiApp:
    """The cnntui app that `node` is mounted in; TypeError if it runs in another app."""
    app = node.app
    if not isinstance(app, CnnTuiApp):
        raise TypeError(f"{type(node).__name__} runs inside cnntui, not {type(app).__name__}")
    return app


def ascii_only(node: InApp) -> bool:
    """Whether `node` must draw with plain ASCII (`--ascii`); False outside cnntui."""
    app = node.app
    return isinstance(app, CnnTuiApp) and app.ascii_mode
