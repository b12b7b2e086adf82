"""The Explain mode (key 7): inside a trained network — activations, units, draw and predict,
saliency, occlusion and Grad-CAM, and the transfer-learning lab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.ui.modespec import ModeSpec

if TYPE_CHECKING:
    from textual.screen import Screen


def _make_screen() -> Screen[None]:
    from cnntui.ui.explain.screen import ExplainScreen

    return ExplainScreen()


MODE = ModeSpec(
    name="explain",
    key="7",
    title="Explain",
    description="Inside a trained network: every layer's maps, a unit's sum, draw a digit, "
    "where it looks, transfer learning",
    make_screen=_make_screen,
)
