"""The Models mode (key 4): the zoo and your own networks, inspected layer by layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.ui.modespec import ModeSpec

if TYPE_CHECKING:
    from textual.screen import Screen


def _make_screen() -> Screen[None]:
    from cnntui.ui.models.screen import ModelsScreen

    return ModelsScreen()


MODE = ModeSpec(
    name="models",
    key="4",
    title="Models",
    description="LeNet-5 to ResNet-152 and your own nets: shapes, parameters, MACs, layer by layer",
    make_screen=_make_screen,
)
