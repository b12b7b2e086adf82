"""A DCGAN run in its own process, streaming events to the UI and obeying pause/resume/stop.

```python
runner = DcganProcess(settings, run_dir, resume=True)
runner.start()
runner.send("pause")             # "pause", "resume" or "stop"
for event in runner.poll():      # never blocks; call it from a UI timer
    ...
runner.shutdown()                # stop (the last complete epoch is checkpointed) and wait
```

The process machinery is `cnntui.child`: the `spawn` context (nothing inherited from the UI's
threads), output to `runner.log` in the run folder, and SIGTERM, SIGHUP and SIGINT treated like
`stop`. A checkpoint is written at the end of every epoch; a stop in the middle of an epoch leaves
the previous one, and resuming replays the interrupted epoch exactly (same shuffle, same noise).
"""

from __future__ import annotations

import os
import queue
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnntui.child import ChildProcess, on_stop_signals
from cnntui.gan.dcgan import DcganSettings
from cnntui.i18n import N_, Message, Text, error_text

STEP_EVENT_SECONDS = 0.1
"""Step losses are batched and sent at most this often (the UI redraws ≤ 10 times a second)."""


@dataclass(frozen=True)
class Started:
    epoch: int
    epochs: int
    steps_per_epoch: int
    device: Text
    history: list[dict[str, Any]]


@dataclass(frozen=True)
class Steps:
    """Losses of the batches since the last `Steps`: rows of (step, D loss, G loss)."""

    rows: list[tuple[int, float, float]]


@dataclass(frozen=True)
class Samples:
    """The fixed-noise grid `(64, 1, H, W)` in [−1, 1] after `epoch` (0: before training)."""

    epoch: int
    grid: np.ndarray
    diversity: float
    d_loss: float | None = None
    g_loss: float | None = None
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class State:
    state: str  # "running", "paused", "stopped"


@dataclass(frozen=True)
class Failed:
    message: Text
    """One line that says why; a `Message` is shown in the app's current language."""


@dataclass(frozen=True)
class Finished:
    epoch: int
    checkpoint: str


Event = Started | Steps | Samples | State | Failed | Finished
"""What a DCGAN run streams; consumers dispatch on the class (`match event: case Samples(): ...`)."""


class DcganProcess(ChildProcess[Event]):
    """Parent-side handle of one DCGAN training process."""

    max_events_per_poll = 200

    def __init__(
        self, settings: DcganSettings, run_dir: str | os.PathLike[str], *, resume: bool = False
    ) -> None:
        self.settings = settings
        super().__init__(
            child_main,
            (asdict(settings), str(run_dir), resume),
            run_dir,
            name="cnntui-dcgan",
            stop_command="stop",
        )

    def send(self, command: str) -> None:
        if command not in ("pause", "resume", "stop"):
            raise ValueError(f"unknown command '{command}'")
        self._put_command(command)

    def exit_failure(self, code: int) -> Event:
        return Failed(
            Message(
                N_("the DCGAN process ended unexpectedly (exit {code}); see {path}"),
                code=code,
                path=str(self.log_path),
            )
        )


def child_main(
    commands: Any, events: Any, settings: dict[str, Any], run_dir: str, resume: bool
) -> None:
    """The DCGAN process's task (run by `cnntui.child.run_child`, output already in the log)."""
    folder = Path(run_dir)
    stop = False
    paused = False

    def on_signal(signum: int, _frame: Any) -> None:
        nonlocal stop
        stop = True

    on_stop_signals(on_signal)

    def handle(block: bool) -> None:
        nonlocal stop, paused
        try:
            command = commands.get(timeout=0.2) if block else commands.get_nowait()
        except queue.Empty:
            return
        if command == "stop":
            stop = True
        elif command == "pause" and not paused:
            paused = True
            events.put(State("paused"))
        elif command == "resume" and paused:
            paused = False
            events.put(State("running"))

    pending: list[tuple[int, float, float]] = []
    last_sent = time.monotonic()

    def flush() -> None:
        nonlocal last_sent
        if pending:
            events.put(Steps(list(pending)))
            pending.clear()
        last_sent = time.monotonic()

    def on_step(step: int, d_loss: float, g_loss: float) -> None:
        pending.append((step, d_loss, g_loss))
        if time.monotonic() - last_sent >= STEP_EVENT_SECONDS:
            flush()

    def should_stop() -> bool:
        handle(block=False)
        if paused:
            flush()
        while paused and not stop:
            handle(block=True)
        return stop

    try:
        from cnntui.engine.backend import set_cpu_threads
        from cnntui.errors import CnnTuiError
        from cnntui.gan.dcgan import DcganRun

        set_cpu_threads(1)  # small convolutions: one BLAS thread is faster on a busy machine

        try:
            run = DcganRun(DcganSettings(**settings), folder, resume=resume)
        except CnnTuiError as exc:
            events.put(Failed(error_text(exc)))
            return
        events.put(
            Started(
                epoch=run.epoch,
                epochs=run.settings.epochs,
                steps_per_epoch=run.steps_per_epoch,
                device=run.backend.device_text(),
                history=[asdict(r) for r in run.history],
            )
        )
        grid = run.sample_grid()
        last = run.history[-1] if run.history else None
        events.put(
            Samples(
                run.epoch,
                grid,
                run.diversity(grid),
                last.d_loss if last else None,
                last.g_loss if last else None,
            )
        )
        events.put(State("running"))
        while run.epoch < run.settings.epochs and not should_stop():
            try:
                record = run.run_epoch(on_step=on_step, should_stop=should_stop)
            except FloatingPointError as exc:
                flush()
                events.put(Failed(error_text(exc)))
                return
            flush()
            if record is not None:
                events.put(
                    Samples(
                        record.epoch,
                        run.sample_grid(),
                        record.diversity,
                        record.d_loss,
                        record.g_loss,
                        record.samples,
                    )
                )
        flush()
        events.put(State("stopped"))
        events.put(Finished(run.epoch, str(run.checkpoint_path)))
    except Exception as exc:
        traceback.print_exc()
        events.put(
            Failed(
                Message(
                    N_("internal error: {error} (details in {path})"),
                    error=f"{type(exc).__name__}: {exc}",
                    path=str(folder / "runner.log"),
                )
            )
        )
