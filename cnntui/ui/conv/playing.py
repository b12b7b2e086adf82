"""The Conv Lab's play keys, mixed into `ConvScreen`: `space` plays the steps at a speed
`+`/`-` set, and stops at the end of the map or when the lab is left."""

from __future__ import annotations

from typing import Any

from textual.timer import Timer

from cnntui.i18n import _

SPEEDS = (1, 2, 4, 8, 16, 32)
"""Steps per second while playing."""


class Playing:
    """Mixed into `ConvScreen` (`self`): its `stepper`, `playing`, `speed_index`, `_timer` and
    the step actions."""

    _timer: Timer | None

    def action_play(self: Any) -> None:
        if self.stepper is None and not self.playing:
            self.notify(
                _("Nothing to step: these settings cannot work (o to change them)."), timeout=3
            )
            return
        self.playing = not self.playing
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.playing:
            self._timer = self.set_interval(1 / SPEEDS[self.speed_index], self._tick)
        self.redraw()
        self.refresh_bindings()

    def _tick(self: Any) -> None:
        if self.stepper is None:
            self.action_play()
            return
        if self._current() >= self._step_total() - 1:
            self.action_play()  # stop at the end: the map is complete
            return
        self.action_step(1)

    def action_speed(self: Any, delta: int) -> None:
        self.speed_index = max(0, min(len(SPEEDS) - 1, self.speed_index + delta))
        if self.playing and self._timer is not None:
            self._timer.stop()
            self._timer = self.set_interval(1 / SPEEDS[self.speed_index], self._tick)
        self.notify(_("{speed} steps a second").format(speed=SPEEDS[self.speed_index]), timeout=1.5)
        self.redraw()

    def on_hide(self: Any) -> None:
        if self.playing:
            self.action_play()
