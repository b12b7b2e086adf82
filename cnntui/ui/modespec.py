"""How a lab plugs into the app: each module in `cnntui.ui.modes` defines `MODE = ModeSpec(...)`.

The app discovers those modules at start-up, so a lab that has not landed is simply absent. A mode
module must import nothing heavy at top level: `make_screen` imports its screen when first opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class ModeSpec:
    """One area of the app (Lessons, Conv Lab, Calculator, Models, Train, GAN)."""

    name: str
    """Short id: the Textual mode name and the host of `cnntui:NAME?...` lesson links."""
    key: str
    """The number key that switches to it ("1" … "6")."""
    title: str
    """Shown in the header, the footer and the command palette."""
    description: str
    """One line for the help screen and the palette."""
    make_screen: Callable[[], Screen[None]]
    """Builds the mode's screen. The screen may define `apply_preset(params: dict[str, str])`."""
