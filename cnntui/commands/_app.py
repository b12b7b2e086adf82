"""Commands that end in the app: start it in a mode and hand the mode's screen what to show.

`cnntui models --open FILE.onnx` and `cnntui explain MODEL` (without `--image`) check their
input first, so a bad one fails on the command line in one line, then call `open_in_mode`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from cnntui.errors import UsageError


def require_terminal(message: str) -> None:
    """UsageError(`message`) unless stdin and stdout are a terminal the app can draw on."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(message)


def open_in_mode(mode: str, show: Callable[[Any], None], *, ascii: bool | None = None) -> int:
    """Run the app, switch to `mode` once it is up and call `show(screen)` on that mode's
    screen; the app's exit status."""
    from cnntui.ui.app import CnnTuiApp

    app = CnnTuiApp(ascii=ascii)

    async def start(pilot: Any) -> None:
        await pilot.app.switch_mode(mode)
        await pilot.pause()
        show(pilot.app.screen)

    app.run(auto_pilot=start)
    return int(app.return_code or 0)
