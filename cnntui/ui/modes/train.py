"""The Train mode (key 5): train a small CNN live and watch it learn."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.ui.modespec import ModeSpec

if TYPE_CHECKING:
    from textual.screen import Screen


def _make_screen() -> Screen[None]:
    from cnntui.ui.train.screen import TrainScreen

    return TrainScreen()


MODE = ModeSpec(
    name="train",
    key="5",
    title="Train",
    description="Train LeNet-5, TinyVGG or a ResNet on real data and watch loss, filters and predictions live",
    make_screen=_make_screen,
)
