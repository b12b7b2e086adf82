"""The DCGAN view: samples from fixed noise turning into digits, losses, and the diversity number.

Training runs in its own process (`cnntui.gan.process.DcganProcess`); a timer polls its events ten
times a second. The run folder is `$XDG_DATA_HOME/cnntui/gan/dcgan-DATASET`, so a run paused,
stopped or interrupted (the app closed) resumes from its last epoch's checkpoint the next time.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from cnntui import userfile
from cnntui.gan.dcgan import DATASETS, DcganSettings
from cnntui.i18n import N_, _
from cnntui.i18n import Text as Words
from cnntui.ui.gan.grid import GanImageGrid
from cnntui.ui.shared.access import cnntui_app
from cnntui.ui.shared.line_chart import LineChart

if TYPE_CHECKING:
    from cnntui.gan.process import DcganProcess

POLL_SECONDS = 0.1
CONFIRM_SECONDS = 3.0
"""How long a first `c` (delete the saved run) waits for the second."""
EPOCHS_PER_START = {"digits": 50, "shapes": 10}
"""How many more epochs a start asks for when the saved run has already reached its target."""
COLLAPSE_BELOW = 0.35
"""Diversity under this reads as mode collapse (samples much closer to each other than real images)."""
STATE_LABELS = {
    "idle": N_("idle"),
    "starting": N_("starting"),
    "running": N_("running"),
    "paused": N_("paused"),
    "stopping": N_("stopping"),
    "stopped": N_("stopped"),
    "failed": N_("failed"),
}
"""How each `DcganView.state` reads on screen (a state missing here shows its name)."""


def runs_root() -> Path:
    """Where the GAN lab keeps its DCGAN runs."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cnntui" / "gan"


class DcganView(Horizontal, can_focus=True):
    """Train a DCGAN on digits or shapes and watch its fixed-noise samples."""

    DEFAULT_CSS = """
    DcganView { height: 1fr; overflow: hidden; }
    DcganView > GanImageGrid { width: 1fr; height: 1fr; margin-right: 1; }
    DcganView > #dcgan-side { width: 34; height: 1fr; overflow: hidden; }
    DcganView #dcgan-status { height: auto; }
    DcganView LineChart { height: 1fr; min-height: 6; margin-top: 1; }
    """

    BINDINGS = [
        Binding("space", "start_pause", N_("Start/Pause")),
        Binding("x", "stop", N_("Stop")),
        Binding("t", "toggle_dataset", N_("Dataset")),
        Binding("c", "clear", N_("New run")),
        Binding("y", "log_scale", N_("Log y"), show=False),
    ]

    state: reactive[str] = reactive("idle", init=False)
    """idle (no process), starting, running, paused, stopping, stopped, finished (every epoch of
    this start done), failed."""

    def __init__(
        self, dataset: str = "digits", *, root: Path | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.settings = DcganSettings(dataset=dataset)
        self.root = root
        self.runner: DcganProcess | None = None
        self._timer: Timer | None = None
        self.epoch = 0
        self.epochs = 0
        self.steps_per_epoch = 0
        self.step = 0
        self.diversity: float | None = None
        self.last_losses: tuple[float, float] | None = None
        self.step_rows: list[tuple[int, float, float]] = []
        self.message: Words = ""
        self.device: Words = ""
        self.files: list[str] = []
        self._clear_asked = 0.0

    def compose(self) -> ComposeResult:
        yield GanImageGrid(id="dcgan-grid")
        with Vertical(id="dcgan-side"):
            yield Static(id="dcgan-status")
            yield LineChart(_("losses per step"), id="dcgan-curves")

    def on_mount(self) -> None:
        # `is_mounted` turns True only once `on_mount` has returned, and `_render_side` checks it.
        self.call_after_refresh(self._render_side)

    def on_unmount(self) -> None:
        self._shutdown()

    @property
    def run_dir(self) -> Path:
        return (self.root or runs_root()) / f"dcgan-{self.settings.dataset}"

    # -- controls ----------------------------------------------------------------------------------

    def action_start_pause(self) -> None:
        if self.state in ("running", "starting"):
            self._send("pause")
        elif self.state == "paused":
            self._send("resume")
        elif self.state != "stopping":
            self.start()

    def action_stop(self) -> None:
        if self.state in ("running", "paused", "starting"):
            self._send("stop")
            self.state = "stopping"

    def action_log_scale(self) -> None:
        """Switch the loss chart between linear and log scale."""
        log = self.query_one(LineChart).toggle_log()
        self.notify(f"losses on a {'log' if log else 'linear'} scale", timeout=2)

    def action_toggle_dataset(self) -> None:
        if self.runner is not None:
            self.notify(_("stop the run first (x)"), severity="warning")
            return
        dataset = DATASETS[(DATASETS.index(self.settings.dataset) + 1) % len(DATASETS)]
        self.set_dataset(dataset)

    def set_dataset(self, dataset: str) -> None:
        if dataset == self.settings.dataset:
            return
        if self.runner is not None:
            self.notify(_("stop the run first (x)"), severity="warning")
            return
        self.settings = replace(self.settings, dataset=dataset)
        self._forget()
        self.state = "idle"

    def action_clear(self) -> None:
        """Delete the saved run and start afresh; asks for a second `c` within 3 s first."""
        import time

        if self.runner is not None:
            self.notify(_("stop the run first (x)"), severity="warning")
            return
        now = time.monotonic()
        if (self.run_dir / "run.json").exists() and now - self._clear_asked > CONFIRM_SECONDS:
            self._clear_asked = now
            self.notify(
                _("press c again to delete the saved {dataset} run").format(
                    dataset=self.settings.dataset
                ),
                severity="warning",
                timeout=3,
            )
            return
        self._clear_asked = 0.0
        if self.run_dir.exists():
            shutil.rmtree(self.run_dir, ignore_errors=True)
        self._forget()
        self.state = "idle"
        self.notify(
            _("new {dataset} run: press space to start").format(dataset=self.settings.dataset),
            timeout=3,
        )

    def _forget(self) -> None:
        self.epoch = self.step = 0
        self.diversity = None
        self.last_losses = None
        self.step_rows = []
        self.files = []
        self.message = ""
        for grid in self.query(GanImageGrid):  # absent until the view has been composed
            grid.images = None
            grid.refresh()
        self._render_side()

    def start(self) -> None:
        """Start (or resume from the saved checkpoint) in a child process."""
        from cnntui.gan.process import DcganProcess

        resume = (self.run_dir / "run.json").exists()
        target = EPOCHS_PER_START[self.settings.dataset]
        if resume:
            saved = _saved_epoch(self.run_dir)
            target = max(target, saved + (target if saved >= target else 0))
        settings = replace(self.settings, epochs=target, device=cnntui_app(self).device or "cpu")
        self.runner = DcganProcess(settings, self.run_dir, resume=resume)
        self.runner.start()
        self.message = ""
        self.state = "starting"
        self._timer = self.set_interval(POLL_SECONDS, self._poll, name="dcgan-poll")

    def _send(self, command: str) -> None:
        if self.runner is not None:
            self.runner.send(command)

    def _shutdown(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.runner is not None:
            self.runner.shutdown()
            self.runner = None

    # -- events from the process -----------------------------------------------------------------

    def _poll(self) -> None:
        if self.runner is None:
            return
        from cnntui.gan.process import Failed, Finished, Samples, Started, State, Steps

        changed = False
        for event in self.runner.poll():
            changed = True
            match event:
                case Started():
                    self.epoch, self.epochs = event.epoch, event.epochs
                    self.steps_per_epoch = event.steps_per_epoch
                    self.device = event.device
                    self.step = self.epoch * self.steps_per_epoch
                case Steps():
                    self.step_rows.extend(event.rows)
                    self.step = event.rows[-1][0]
                case Samples():
                    self.epoch = event.epoch
                    self.diversity = event.diversity
                    if event.d_loss is not None and event.g_loss is not None:
                        self.last_losses = (event.d_loss, event.g_loss)
                    if event.files:
                        self.files = event.files
                    self.query_one(GanImageGrid).show(event.grid)
                case State():
                    self.state = event.state
                case Failed():
                    self.message = event.message
                    self.notify(str(event.message), severity="error")
                    self.state = "failed"
                case Finished():
                    # The process ends the same way for a stop and for the last epoch.
                    self.epoch = event.epoch
                    done = bool(self.epochs) and event.epoch >= self.epochs
                    self.state = "finished" if done else "stopped"
        if self.runner is not None and self.runner.finished:
            self._shutdown()
            if self.state not in ("failed", "finished"):
                self.state = "stopped"
        if changed:
            self._render_side()

    def watch_state(self) -> None:
        self._render_side()

    # -- drawing ------------------------------------------------------------------------------------

    def refresh_language(self) -> None:
        """Redraw the status and the chart's title and legend in the current language."""
        for chart in self.query(LineChart):
            chart.clear()
            chart.title = _("losses per step")
        self._render_side()

    def _render_side(self) -> None:
        if not self.is_mounted or not self.query("#dcgan-status"):
            return
        self.query_one("#dcgan-status", Static).update(self._status_text())
        rows = self.step_rows
        chart = self.query_one(LineChart)
        if rows:
            steps = [r[0] for r in rows]
            chart.set_series(_("D loss"), steps, [r[1] for r in rows], colour="cyan")
            chart.set_series(_("G loss"), steps, [r[2] for r in rows], colour="magenta")
        elif chart.names:
            chart.clear()

    def _status_text(self) -> Text:
        s = self.settings
        text = Text()
        text.append(_("DCGAN on {dataset}").format(dataset=s.dataset), style="bold")
        text.append(f"  {_(STATE_LABELS.get(self.state, self.state))}\n", style="dim")
        total = f"/{self.epochs}" if self.epochs else ""
        text.append(
            _("epoch {epoch}  step {step}").format(epoch=f"{self.epoch}{total}", step=self.step)
            + "\n"
        )
        if self.last_losses is not None:
            d, g = (f"{loss:.3f}" for loss in self.last_losses)
        else:
            d = g = "-"
        text.append(_("D loss {d}  G loss {g}").format(d=d, g=g) + "\n")
        if self.diversity is not None:
            text.append(_("diversity {value}").format(value=f"{self.diversity:.2f}"))
            if self.diversity < COLLAPSE_BELOW:
                text.append("  " + _("mode collapse?"), style="bold red")
            text.append("\n")
        else:
            text.append(_("diversity {value}").format(value="-") + "\n")
        if self.device:
            text.append(_("on {device}").format(device=self.device) + "\n", style="dim")
        if self.files:
            text.append(_("saved {name}").format(name=Path(self.files[0]).name) + "\n", style="dim")
        if self.message:
            text.append(f"{self.message}\n", style="red")
        if self.state == "idle":
            saved = _saved_epoch(self.run_dir)
            hint = (
                _("space: resume at epoch {epoch}").format(epoch=saved)
                if saved
                else _("space: start training")
            )
            text.append(hint + "  " + _("t: dataset") + "\n", style="dim")
        return text


def _saved_epoch(run_dir: Path) -> int:
    """The epoch saved in a run folder's run.json, 0 when there is none or it is unreadable."""
    import json

    try:
        return int(json.loads(userfile.read_text(run_dir / "run.json", "run.json")).get("epoch", 0))
    except (OSError, ValueError, TypeError, AttributeError, RecursionError):
        return 0
