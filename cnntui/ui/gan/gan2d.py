"""The 2-D GAN view: the plane, the numbers, the sub-steps and the curves, driven by keys.

All training happens in one long-lived thread worker that owns the `Gan2d` model: the UI sends it
commands through a queue (run, pause, one D/G/both step, one sub-step, settings, reset) and it posts
back `Gan2dView.SnapshotReady` messages, at most ten a second while running, which replace any
still queued. The UI thread never computes anything heavier than laying out text.
"""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass, replace
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from cnntui.gan.distributions import BUILTIN, TITLES
from cnntui.gan.gan2d import Gan2d, Gan2dSettings, Snapshot, SubStep
from cnntui.gan.losses import LOSS_NAMES
from cnntui.i18n import N_, _
from cnntui.ui.gan.curves import GanCurves, Series
from cnntui.ui.gan.plane import GanPlane
from cnntui.ui.gan.side_text import stats_text, steps_text

SLOW_SECONDS = 1.0
"""Pause between sub-steps in slow motion (GAN Lab uses 1.25 s)."""
FRAME_SECONDS = 0.1
"""At most one snapshot every this many seconds while running (≤ 10 redraws a second)."""
RECORD_EVERY = 20
"""Steps between history entries (losses on the fixed sets and the JS divergence)."""
ARROWS = 40
"""Generated points that show their gradient direction."""


class Gan2dView(Horizontal, can_focus=True):
    """GAN Lab's ideas in a terminal: watch a generator learn a 2-D distribution."""

    DEFAULT_CSS = """
    Gan2dView { height: 1fr; overflow: hidden; }
    Gan2dView > GanPlane { width: 1fr; height: 1fr; margin-right: 1; }
    Gan2dView > #gan2d-side { width: 37; height: 1fr; overflow: hidden; }
    Gan2dView #gan2d-stats { height: auto; }
    Gan2dView #gan2d-steps { height: auto; margin-top: 1; }
    Gan2dView GanCurves { height: 1fr; min-height: 5; margin-top: 1; }
    """

    BINDINGS = [
        Binding("space", "toggle_run", N_("Run")),
        # One footer entry for the three single steps (as in the Conv Lab), so that the row fits.
        Binding("d", "single('d')", N_("Step"), key_display="d/g/b"),
        Binding("g", "single('g')", N_("G step"), show=False),
        Binding("b", "single('both')", N_("Both"), show=False),
        Binding("m", "toggle_slow", N_("Slow")),
        Binding("n", "substep", N_("Sub-step")),
        Binding("s", "settings", N_("Setup")),
        Binding("l", "cycle_loss", N_("Loss"), show=False),
        Binding("t", "cycle_data", N_("Data"), show=False),
        Binding("o", "draw", N_("Draw"), show=False),
        Binding("r", "reset", N_("Reset"), show=False),
        Binding("f", "toggle_layer('field')", N_("Field"), show=False),
        Binding("w", "toggle_layer('arrows')", N_("Arrows"), show=False),
        Binding("e", "toggle_layer('real')", N_("Real pts"), show=False),
    ]

    running: reactive[bool] = reactive(False, init=False)
    slow: reactive[bool] = reactive(False, init=False)

    @dataclass
    class SnapshotReady(Message):
        """A new picture of the model from the training thread."""

        snapshot: Snapshot

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, Gan2dView.SnapshotReady)

    @dataclass
    class Problem(Message):
        """The training thread refused a command (bad settings); `text` says why."""

        text: str

    def __init__(self, settings: Gan2dSettings | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.settings = settings or Gan2dSettings()
        self.snapshot: Snapshot | None = None
        self._commands: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._plane_size = (40, 20)
        self._engine_worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield GanPlane(id="gan2d-plane")
        with Vertical(id="gan2d-side"):
            yield Static(id="gan2d-stats")
            yield Static(id="gan2d-steps")
            yield GanCurves(id="gan2d-curves")

    def on_mount(self) -> None:
        self._engine_worker = self._engine()
        self._render_side()

    # -- commands to the training thread ----------------------------------------------------------

    def send(self, command: str, argument: Any = None) -> None:
        self._commands.put((command, argument))

    def action_toggle_run(self) -> None:
        self.running = not self.running

    def watch_running(self, running: bool) -> None:
        self.send("run", running)
        self._render_side()

    def action_toggle_slow(self) -> None:
        self.slow = not self.slow

    def watch_slow(self, slow: bool) -> None:
        self.send("slow", slow)
        self._render_side()

    def action_single(self, which: str) -> None:
        self.running = False
        self.send("step", which)

    def action_substep(self) -> None:
        self.running = False
        self.send("substep")

    def action_cycle_loss(self) -> None:
        loss = LOSS_NAMES[(LOSS_NAMES.index(self.settings.loss) + 1) % len(LOSS_NAMES)]
        self.apply_settings(replace(self.settings, loss=loss))
        self.notify(_("loss: {loss}").format(loss=loss), timeout=2)

    def action_cycle_data(self) -> None:
        names = [*BUILTIN, "drawn"] if self.settings.cells else list(BUILTIN)
        current = names.index(self.settings.data) if self.settings.data in names else -1
        data = names[(current + 1) % len(names)]
        self.apply_settings(replace(self.settings, data=data))
        self.notify(_("data: {title}").format(title=_(TITLES[data])), timeout=2)

    def action_toggle_layer(self, layer: str) -> None:
        plane = self.query_one(GanPlane)
        attribute = f"show_{layer}"
        setattr(plane, attribute, not getattr(plane, attribute))
        if plane.snapshot is not None:
            plane.show(plane.snapshot)

    def action_settings(self) -> None:
        from cnntui.ui.gan.settings import Gan2dSettingsScreen

        def chosen(settings: Gan2dSettings | None) -> None:
            if settings is not None:
                self.apply_settings(settings)

        self.app.push_screen(Gan2dSettingsScreen(self.settings), chosen)

    def action_draw(self) -> None:
        from cnntui.ui.gan.draw import DrawScreen

        def chosen(cells: frozenset[tuple[int, int]] | None) -> None:
            if cells:
                self.apply_settings(replace(self.settings, data="drawn", cells=cells))

        self.app.push_screen(DrawScreen(self.settings.cells), chosen)

    def apply_settings(self, settings: Gan2dSettings) -> None:
        """Use new settings: in place when only training knobs changed, else a fresh run."""
        try:
            settings.validate()
        except ValueError as exc:
            self.notify(str(exc), severity="error")
            return
        structural = ("data", "cells", "noise_dim", "hidden", "layers", "seed")
        if any(getattr(settings, k) != getattr(self.settings, k) for k in structural):
            self.running = False
            self.send("reset", settings)
        else:
            changes = {
                k: getattr(settings, k)
                for k in ("loss", "g_lr", "d_lr", "g_optimizer", "d_optimizer", "d_steps", "batch")
            }
            self.send("configure", changes)
        self.settings = settings
        self._render_side()

    @on(GanPlane.Resized)
    def _plane_resized(self, message: GanPlane.Resized) -> None:
        if message.size != self._plane_size:
            self._plane_size = message.size
            self.send("size", message.size)

    # -- the training thread -------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="gan2d", exit_on_error=False, description="2-D GAN")
    def _engine(self) -> None:
        from cnntui.engine.backend import set_cpu_threads

        # The app process never runs big matrix products (training runs in its own process), and
        # spinning BLAS threads make these tiny ones many times slower on a busy machine.
        set_cpu_threads(1)
        worker = get_current_worker()
        model = Gan2d(self.settings)
        size = self._plane_size
        running = slow = False
        pending: Any = None  # the generator of an iteration walked sub-step by sub-step
        last_post = last_slow = 0.0

        def post(substep: SubStep | None = None) -> None:
            nonlocal last_post
            self.post_message(
                self.SnapshotReady(model.snapshot(field_size=size, arrows=ARROWS, substep=substep))
            )
            last_post = time.monotonic()

        def finish_pending() -> None:
            nonlocal pending
            if pending is not None:
                for _substep in pending:
                    pass
                pending = None
                if model.step_count % RECORD_EVERY == 0:
                    model.record()

        def advance_substep() -> None:
            nonlocal pending
            if pending is None:
                pending = model.updates("both")
            try:
                sub = next(pending)
            except StopIteration:
                pending = None
                model.record()
                pending = model.updates("both")
                sub = next(pending)
            post(sub)

        post()
        while not worker.is_cancelled:
            try:
                command, argument = self._commands.get(timeout=0.01 if running else 0.1)
            except queue.Empty:
                command, argument = "", None
            try:
                if command == "run":
                    running = bool(argument)
                    if running and not slow:
                        finish_pending()
                    if not running:
                        post()
                elif command == "slow":
                    slow = bool(argument)
                    if not slow:
                        finish_pending()
                        post()
                elif command == "step":
                    finish_pending()
                    model.step(argument)
                    model.record()
                    post()
                elif command == "substep":
                    advance_substep()
                elif command == "configure":
                    finish_pending()
                    model.configure(**argument)
                    post()
                elif command == "reset":
                    pending = None
                    model = Gan2d(argument)
                    post()
                elif command == "size":
                    size = argument
                    post()
            except ValueError as exc:
                self.post_message(self.Problem(str(exc)))
            if running and not worker.is_cancelled:
                now = time.monotonic()
                if slow:
                    if now - last_slow >= SLOW_SECONDS:
                        last_slow = now
                        advance_substep()
                else:
                    started = now
                    while time.monotonic() - started < FRAME_SECONDS / 2:
                        model.step()
                        if model.step_count % RECORD_EVERY == 0:
                            model.record()
                    if time.monotonic() - last_post >= FRAME_SECONDS:
                        post()

    # -- what the UI thread does with the results ----------------------------------------------------

    @on(SnapshotReady)
    def _show(self, message: SnapshotReady) -> None:
        self.snapshot = message.snapshot
        self.query_one(GanPlane).show(message.snapshot)
        self._render_side()

    @on(Problem)
    def _problem(self, message: Problem) -> None:
        self.notify(message.text, severity="error")

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """The training thread died of an unexpected error: say so instead of freezing silently."""
        if event.worker.group == "gan2d" and event.state == WorkerState.ERROR:
            self.running = False
            error = event.worker.error
            self.notify(
                _("the 2-D GAN stopped: {error}; press r to restart").format(
                    error=f"{type(error).__name__}: {error}"
                ),
                severity="error",
                timeout=10,
            )

    def action_reset(self) -> None:
        self.running = False
        if self._engine_worker is None or self._engine_worker.state in (
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            self._engine_worker = self._engine()
        self.send("reset", self.settings)

    def refresh_language(self) -> None:
        """Redraw the numbers, sub-steps and legend in the current language."""
        self._render_side()

    def _render_side(self) -> None:
        if not self.is_mounted or not self.query("#gan2d-stats"):
            return
        self.query_one("#gan2d-stats", Static).update(
            stats_text(self.settings, self.snapshot, self.running, self.slow)
        )
        self.query_one("#gan2d-steps", Static).update(steps_text(self.settings, self.snapshot))
        snap = self.snapshot
        if snap is not None:
            steps = [h.step for h in snap.history]
            self.query_one(GanCurves).set_data(
                [
                    Series(_("D loss"), [h.d_loss for h in snap.history], "#5FAFFF", "D"),
                    Series(_("G loss"), [h.g_loss for h in snap.history], "#FF9CFF", "G"),
                    Series("JS", [h.js_divergence for h in snap.history], "#FFD75F", "J"),
                ],
                steps,
            )
