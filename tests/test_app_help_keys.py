"""`?` help lists every key that works where the user is, the focused lab widget's keys included."""

from __future__ import annotations

from cnntui.ui.app import CnnTuiApp
from cnntui.ui.shared.help import key_rows


def _screen_keys(app: CnnTuiApp) -> set[str]:
    return {
        what
        for group, rows in key_rows(app, app.screen)
        if group not in ("Modes", "Everywhere", "Moving around")
        for _key, what in rows
    }


async def test_help_lists_the_focused_widgets_own_keys() -> None:
    app = CnnTuiApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("6")
        await pilot.pause()
        await pilot.pause()
        keys = _screen_keys(app)
        # The GAN example view's keys are bound on the focused view, not on the screen.
        assert {"Flip x1", "Flip x2", "Label", "Reset"} <= keys
        await pilot.press("3")
        await pilot.pause()
        await pilot.pause()
        assert {"Chain", "Quiz me", "Preset"} <= _screen_keys(app)


async def test_help_leaves_out_textual_widgets_editing_keys() -> None:
    app = CnnTuiApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await pilot.pause()
        await pilot.pause()
        keys = _screen_keys(app)
        assert "Cursor up" not in keys and "Page down" not in keys
