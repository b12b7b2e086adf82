"""The mode bar names every mode and the help key at 80 columns, in English and in Korean, and
shows the fullest form that fits in a wider terminal."""

from __future__ import annotations

import pytest
from conftest import make_app

from cnntui.i18n import _, set_language
from cnntui.ui.modes import MODES


def top_row(app) -> str:  # type: ignore[no-untyped-def]
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "".join(strip.text for strip in update.strips[0])


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("width", [80, 140])
async def test_every_mode_and_help_fit(language: str, width: int) -> None:
    set_language(language)
    app = make_app("lessons")
    app.mode_specs.update({spec.name: spec for spec in MODES})  # names only: nothing opens
    async with app.run_test(size=(width, 24)) as pilot:
        await pilot.pause(0.2)
        row = top_row(app)
        for spec in MODES:
            assert f"{spec.key} " in row, (spec.key, row)
        assert f"? {_('help')}" in row, row
        if width >= 100:
            assert "cnntui" in row, row
            for spec in MODES:
                assert _(spec.title) in row, (spec.title, row)
