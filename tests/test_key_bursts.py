"""Keys arriving in bursts (as SSH delivers them: several in one packet) leave every mode idle.

Each burst is handed to the driver in one go, without waiting between keys. Afterwards the app
must settle (no message answering another one forever), use next to no CPU, and answer the next
key at once.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import make_app
from textual import events
from textual.pilot import Pilot

from cnntui.ui.modes import MODES, ModeSpec
from cnntui.ui.shared.help import HelpScreen

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"

NAVIGATION = [
    "down", "down", "up", "down", "tab", "down", "down", "pagedown", "pageup", "right",
    "left", "shift+tab", "down", "up", "home", "end", "down",
]  # fmt: skip
IDLE_CPU_SHARE = 0.3
"""At most this share of one core in the quiet window after a burst (a loop uses all of it)."""


def burst(pilot: Pilot[None], keys: list[str]) -> None:
    """Hand every key to the driver at once, as a terminal does with one packet of input."""
    driver = pilot.app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(pilot.app)
        driver.send_message(event)


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(5):
        await pilot.pause()
    await pilot.pause(0.3)


async def assert_idle_and_responsive(pilot: Pilot[None], mode: ModeSpec) -> None:
    app = pilot.app
    await settle(pilot)
    wall, cpu = time.monotonic(), time.process_time()
    await pilot.pause(1.0)
    share = (time.process_time() - cpu) / (time.monotonic() - wall)
    assert share < IDLE_CPU_SHARE, f"{mode.title} keeps working after a burst ({share:.0%} CPU)"
    start = time.monotonic()
    # F1, not `?`: a burst may leave a drop-down list open (Tab reaches the Train form's first
    # field, a Select, and `down` opens it), and a list takes printable keys to search itself.
    burst(pilot, ["f1"])
    while not isinstance(app.screen, HelpScreen) and time.monotonic() - start < 3.0:
        await pilot.pause(0.02)
    assert isinstance(app.screen, HelpScreen), f"{mode.title} does not answer keys after a burst"
    await pilot.press("escape")
    await pilot.pause()


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES, ids=[mode.name for mode in MODES])
async def test_bursts_of_keys_leave_the_mode_idle(mode: ModeSpec) -> None:
    app = make_app(lessons_dir=FIXTURES, device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(mode.key)
        await settle(pilot)
        assert app.current_mode == mode.name
        burst(pilot, NAVIGATION)
        await assert_idle_and_responsive(pilot, mode)
        # digits switch modes mid-burst; the last one comes back here
        others = [spec.key for spec in MODES if spec is not mode]
        burst(pilot, [*others[:3], mode.key, "down", "down", "up"])
        await assert_idle_and_responsive(pilot, mode)
        assert app.current_mode == mode.name
