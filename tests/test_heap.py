"""The garbage collector stays off the keys: what the app builds to keep is frozen, and given
back when it is thrown away (`cnntui.ui.shared.heap`)."""

from __future__ import annotations

import gc

from tests.conftest import make_app, wait_until


async def test_the_app_freezes_what_it_keeps_and_thaws_it_when_it_closes() -> None:
    gc.unfreeze()
    app = make_app("lessons", "conv", "calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.labs_built >= {"conv", "calc"}, 30)
        frozen = gc.get_freeze_count()
        # the modules, styles, lesson pages and both labs: far more than a screenful of widgets
        assert frozen > 50_000
        # a full collection now walks only what came after the freeze
        assert len(gc.get_objects()) < frozen
    assert gc.get_freeze_count() == 0


async def test_a_language_switch_gives_the_old_pages_back_to_the_collector() -> None:
    gc.unfreeze()
    app = make_app("lessons")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.lessons_screen()
        assert screen is not None
        await wait_until(pilot, lambda: screen.current is not None and gc.get_freeze_count(), 30)
        screen.reload_lessons()
        assert gc.get_freeze_count() == 0
