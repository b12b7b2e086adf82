"""At 80x24 every footer entry of every mode and view is shown whole, with and without `--ascii`,
in English and in Korean (Hangul takes two cells).

Under `--ascii` arrows read as words (`left/right`), so a footer that fits with symbols may not.
For each state the footer's own key entries are checked against the last row of what the
terminal would show: each `key description` label appears whole, left of the command-palette
entry, and none of them reaches past the footer's right edge.
"""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from cnntui.i18n import set_language
from cnntui.settings import Settings
from cnntui.ui.app import CnnTuiApp

# For each mode: steps that show its views and the states that change its footer. A step is the
# keys to press, or a preset to apply ({"preset": ...}) before looking at the footer.
Step = list[str] | dict[str, str]
WALKS: dict[str, list[Step]] = {
    "1": [[], ["t"], ["t"]],
    "2": [
        [],
        ["space"],  # playing: +- Speed
        ["space"],
        {"mode": "rgb"},  # c Chan
        ["space"],
        ["space"],
        {"mode": "pool", "image": "digit-3-8", "kernel": "max"},  # s Shift
        ["space"],
        ["space"],
    ],
    "3": [[], ["c"], ["tab"], ["tab"], ["c"]],
    "4": [[], ["d"], ["d"], {"model": "googlenet"}, ["d"], ["d"], ["e"], ["escape"]],
    "5": [[], ["v"], ["v"], ["v"], ["v"], ["v"]],
    "6": [[], ["v"], ["v"], ["v"]],
    "7": [[], ["v"], ["v"], ["v"], ["v"]],
}


def screen_lines(app: CnnTuiApp) -> list[str]:
    """The rows of text the terminal would show now, modal screens over their background."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return ["".join(strip.text for strip in row) for row in update.strips]  # type: ignore[attr-defined]


async def settle(pilot: Pilot[None], rounds: int = 6) -> None:
    for _ in range(rounds):
        await pilot.pause(0.02)


def footer_problems(app: CnnTuiApp, where: str) -> list[str]:
    """What is cut off in the footer of the current screen (empty when every entry is whole)."""
    footer = app.screen.query_one(Footer)
    last_row = screen_lines(app)[-1]
    keys = list(footer.query(FooterKey))
    palette = [key for key in keys if key.has_class("-command-palette")]
    entries = [key for key in keys if not key.has_class("-command-palette")]
    assert entries, f"{where}: the footer shows no keys"
    limit = palette[0].region.x if palette else footer.region.right
    problems: list[str] = []
    for entry in entries:
        label = f"{entry.key_display} {entry.description}".strip()
        if label not in last_row:
            problems.append(f"{where}: {label!r} is not whole in {last_row!r}")
        elif entry.region.right > limit:
            problems.append(f"{where}: {label!r} runs past column {limit} in {last_row!r}")
    return problems


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("ascii_mode", [False, True], ids=["unicode", "ascii"])
@pytest.mark.parametrize("key", sorted(WALKS))
async def test_every_footer_entry_fits_in_80_columns(
    key: str, ascii_mode: bool, language: str
) -> None:
    set_language(language)  # the autouse fixture sets English back afterwards
    app = CnnTuiApp(settings=Settings(), ascii=ascii_mode)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, 20)
        spec = next((s for s in app.mode_specs.values() if s.key == key), None)
        assert spec is not None, f"no mode on key {key}"
        await pilot.press(key)
        await settle(pilot, 10)
        assert app.current_mode == spec.name
        problems: list[str] = []
        for step in WALKS[key]:
            if isinstance(step, dict):
                app.screen.apply_preset(dict(step))  # type: ignore[attr-defined]
            else:
                for pressed in step:
                    await pilot.press(pressed)
                    await pilot.pause(0.02)
            await settle(pilot)
            where = f"{spec.name} after {step} ({type(app.screen).__name__})"
            problems.extend(footer_problems(app, where))
        assert not problems, "\n".join(problems)
