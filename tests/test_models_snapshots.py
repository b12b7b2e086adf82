"""SVG snapshots of the Models mode at 80x24 and 120x40 (only this mode registered).

Update deliberately with `pytest tests/test_models_snapshots.py --snapshot-update` and review.
"""

from __future__ import annotations

import pytest
from conftest import make_app
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from cnntui.ui.models.screen import ModelsScreen
from cnntui.ui.models.table import LayerTable


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


async def models_screen(pilot: Pilot[None]) -> ModelsScreen:
    for _ in range(50):
        await pilot.pause()
        if isinstance(pilot.app.screen, ModelsScreen):
            break
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    for editor in pilot.app.screen.query(TextArea):
        editor.cursor_blink = False
    screen = pilot.app.screen
    assert isinstance(screen, ModelsScreen)
    return screen


def test_models_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await models_screen(pilot)
        screen.query_one("#models-table", LayerTable).focus()
        await pilot.press("down", "down", "down")
        await pilot.pause()

    assert snap_compare(make_app("models"), terminal_size=(80, 24), run_before=run_before)


def test_models_vgg16_120x40(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await models_screen(pilot)
        screen.apply_preset({"model": "vgg16", "layer": "classifier.0"})
        await pilot.pause()

    assert snap_compare(make_app("models"), terminal_size=(120, 40), run_before=run_before)


def test_models_wrong_input_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await models_screen(pilot)
        screen.apply_preset({"model": "alexnet", "input": "3x224x224"})
        await pilot.pause()

    assert snap_compare(make_app("models"), terminal_size=(80, 24), run_before=run_before)


def test_models_diagram_ascii_120x40(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await models_screen(pilot)
        screen.apply_preset({"model": "googlenet", "layer": "inception4a", "view": "diagram"})
        await pilot.pause()

    assert snap_compare(
        make_app("models", ascii=True), terminal_size=(120, 40), run_before=run_before
    )


def test_models_spec_editor_120x40(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await models_screen(pilot)
        await pilot.press("e")
        await pilot.pause(0.4)
        assert screen.editing

    assert snap_compare(make_app("models"), terminal_size=(120, 40), run_before=run_before)
