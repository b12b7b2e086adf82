"""The GAN lab (key 6): generative versus discriminative by hand, a 2-D GAN, and a DCGAN."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.ui.modespec import ModeSpec

if TYPE_CHECKING:
    from textual.screen import Screen


def _make_screen() -> Screen[None]:
    from cnntui.ui.gan.screen import GanScreen

    return GanScreen()


MODE = ModeSpec(
    name="gan",
    key="6",
    title="GAN",
    description="generative models: ten samples by hand, a 2-D GAN step by step, a DCGAN drawing digits",
    make_screen=_make_screen,
)
