"""A DCGAN run in its own process, streaming events to the UI and obeying pause/resume/stop.

```python
runner = DcganProcess(settings, run_dir, resume=True)
runner.start()
runner.send("pause")             # "pause", "resume" or "stop"
for event in runner.poll():      # never blocks; call it from a UI timer
    ...
runner.shutdown()                # stop (the last complete epoch is checkpointed) and wait
```

The child uses the `spawn` context (nothing inherited from the UI's threads), writes its output to
`runner.log` in the run folder, and treats SIGTERM, SIGHUP and SIGINT like `stop`. A checkpoint is
written at the end of every epoch; a stop in the middle of an epoch leaves the previous one, and
resuming replays the interrupted epoch exactly (same shuffle, same noise).
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import queue
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnntui.gan.dcgan import DcganSettings

STEP_EVENT_SECONDS = 0.1
"""Step losses are batched and sent at most this often (the UI redraws ≤ 10 times a second)."""


@dataclass(frozen=True)
class Started:
    kind = "started"
    epoch: int
    epochs: int
    steps_per_epoch: int
    device: str
    history: list[dict[str, Any]]


@dataclass(frozen=True)
class Steps:
    """Losses of the batches since the last `Steps`: rows of (step, D loss, G loss)."""

    kind = "steps"
    rows: list[tuple[int, float, float]]


@dataclass(frozen=True)
class Samples:
    """The fixed-noise grid `(64, 1, H, W)` in [−1, 1] after `epoch` (0: before training)."""

    kind = "samples"
    epoch: int
    grid: np.ndarray
    diversity: float
    d_loss: float | None = None
    g_loss: float | None = None
    files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class State:
    kind = "state"
    state: str  # "running", "paused", "stopped"


@dataclass(frozen=True)
class Failed:
    kind = "failed"
    message: str


@dataclass(frozen=True)
class Finished:
    kind = "finished"
    epoch: int
    checkpoint: str


Event = Started | Steps | Samples | State | Failed | Finished


class DcganProcess:
    """Parent-side handle of one DCGAN training process."""

    def __init__(self, settings: DcganSettings, run_dir: str | os.PathLike[str], *, resume: bool = False) -> None:
        self.settings = settings
        self.run_dir = Path(run_dir)
        ctx = mp.get_context("spawn")
        with _real_std_streams():  # queues start multiprocessing's resource tracker
            self._commands: Any = ctx.Queue()
            self._events: Any = ctx.Queue()
        self._process = ctx.Process(
            target=child_main,
            args=(asdict(settings), str(self.run_dir), resume, self._commands, self._events),
            name="cnntui-dcgan",
            daemon=True,
        )
        self.finished = False

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with _real_std_streams():
            self._process.start()

    def is_alive(self) -> bool:
        return self._process.is_alive()

    def send(self, command: str) -> None:
        if command not in ("pause", "resume", "stop"):
            raise ValueError(f"unknown command '{command}'")
        if self._process.is_alive():
            self._commands.put(command)

    def poll(self, limit: int = 200) -> list[Event]:
        out: list[Event] = []
        while len(out) < limit:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                break
            except (EOFError, OSError):
                break
        if not out and not self.finished and self._process.exitcode is not None:
            self.finished = True
            if self._process.exitcode != 0:
                out.append(Failed(f"the DCGAN process ended unexpectedly (exit {self._process.exitcode}); "
                                  f"see {self.run_dir / 'runner.log'}"))
        return out

    def wait_for(self, kind: str, timeout: float) -> list[Event]:
        """Collect events until one of `kind` arrives or `timeout` seconds pass (for tests)."""
        got: list[Event] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = self.poll()
            got += batch
            if any(e.kind == kind for e in batch):
                break
            if not batch:
                time.sleep(0.02)
        return got

    def shutdown(self, timeout: float = 10.0) -> None:
        if self._process.is_alive():
            self.send("stop")
            self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(1.0)
        for q in (self._commands, self._events):
            q.cancel_join_thread()
            q.close()


@contextlib.contextmanager
def _real_std_streams() -> Iterator[None]:
    """Point sys.stdout/stderr at /dev/null while starting the child.

    A TUI replaces them with objects whose `fileno()` is -1, and multiprocessing hands sys.stderr's
    descriptor to its resource-tracker helper, which then fails ("bad value(s) in fds_to_keep").
    """
    saved = sys.stdout, sys.stderr
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        try:
            sys.stdout = sys.stderr = devnull
            yield
        finally:
            sys.stdout, sys.stderr = saved


def child_main(settings: dict[str, Any], run_dir: str, resume: bool, commands: Any, events: Any) -> None:
    """Entry point of the DCGAN process."""
    folder = Path(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    _redirect_output(folder / "runner.log")
    stop = False
    paused = False

    def on_signal(signum: int, _frame: Any) -> None:
        nonlocal stop
        stop = True

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)

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
            events.put(Failed(str(exc)))
            return
        events.put(Started(
            epoch=run.epoch, epochs=run.settings.epochs, steps_per_epoch=run.steps_per_epoch,
            device=run.backend.device, history=[asdict(r) for r in run.history],
        ))
        grid = run.sample_grid()
        last = run.history[-1] if run.history else None
        events.put(Samples(run.epoch, grid, run.diversity(grid),
                           last.d_loss if last else None, last.g_loss if last else None))
        events.put(State("running"))
        while run.epoch < run.settings.epochs and not should_stop():
            try:
                record = run.run_epoch(on_step=on_step, should_stop=should_stop)
            except FloatingPointError as exc:
                flush()
                events.put(Failed(str(exc)))
                return
            flush()
            if record is not None:
                events.put(Samples(record.epoch, run.sample_grid(), record.diversity, record.d_loss,
                                   record.g_loss, record.samples))
        flush()
        events.put(State("stopped"))
        events.put(Finished(run.epoch, str(run.checkpoint_path)))
    except Exception as exc:
        traceback.print_exc()
        events.put(Failed(f"internal error: {type(exc).__name__}: {exc} (details in {folder / 'runner.log'})"))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        events.close()
        events.join_thread()


def _redirect_output(path: Path) -> None:
    """Send this process's stdout and stderr (C-level writes too) to `path`."""
    log = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    try:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    except OSError:
        pass
    sys.stdout = log
    sys.stderr = log
