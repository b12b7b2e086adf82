"""The Conv Lab mode (key 2): step a kernel or a pooling window across an image."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.ui.modespec import ModeSpec

if TYPE_CHECKING:
    from textual.screen import Screen


def _make_screen() -> Screen[None]:
    from cnntui.ui.conv.screen import ConvScreen

    return ConvScreen()


MODE = ModeSpec(
    name="conv",
    key="2",
    title="Conv Lab",
    description="Step a kernel or pooling window across an image: window, products, sum, output",
    make_screen=_make_screen,
)
