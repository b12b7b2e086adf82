"""The Calculator mode (key 3): output sizes, parameters, MACs and receptive fields, with chains."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cnntui.ui.modespec import ModeSpec

if TYPE_CHECKING:
    from textual.screen import Screen


def _make_screen() -> Screen[None]:
    from cnntui.ui.calc.screen import CalcScreen

    return CalcScreen()


MODE = ModeSpec(
    name="calc",
    key="3",
    title="Calculator",
    description="Output shape, parameters, MACs and receptive field of a layer or a chain; quiz me",
    make_screen=_make_screen,
)
