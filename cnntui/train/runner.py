"""A training run in its own process, so the UI never waits for it.

```python
runner = RunnerProcess(config, run_dir)
runner.start()
runner.send(Command("pause"))
for event in runner.poll():      # non-blocking; call it from a UI timer
    ...
runner.shutdown()                # asks it to checkpoint and stop, then waits
```

The child is started with the `spawn` context (no inherited threads or locks from the UI
process). Its stdout and stderr go to `runner.log` in the run folder, so nothing it prints can
disturb the terminal. SIGTERM, SIGHUP and SIGINT make it write a checkpoint and exit.
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
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cnntui.train.config import RunConfig
from cnntui.train.events import Command, Downloading, Event, RunFailed

MAX_EVENTS_PER_POLL = 500


class RunnerProcess:
    """Parent-side handle of one training process."""

    def __init__(
        self,
        config: RunConfig,
        run_dir: Path,
        *,
        resume: bool = False,
        start_paused: bool = False,
    ) -> None:
        self.config = config
        self.run_dir = Path(run_dir)
        self.resume = resume
        self.start_paused = start_paused
        ctx = mp.get_context("spawn")
        with _real_std_streams():  # creating a queue may start multiprocessing's helper process
            self._commands: Any = ctx.Queue()
            self._events: Any = ctx.Queue()
        self._process = ctx.Process(
            target=child_main,
            args=(config.to_dict(), str(self.run_dir), resume, start_paused, self._commands, self._events),
            name="cnntui-train",
            daemon=False,
        )
        self.finished = False
        self._closed = False

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with _real_std_streams():
            self._process.start()

    def is_alive(self) -> bool:
        return self._process.is_alive()

    def send(self, command: Command) -> None:
        if not self._closed and self._process.is_alive():
            self._commands.put(command)

    def poll(self, limit: int = MAX_EVENTS_PER_POLL) -> list[Event]:
        """Events that arrived since the last call (never blocks)."""
        out: list[Event] = []
        if self._closed:
            return out
        while len(out) < limit:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                break
            except (EOFError, OSError):
                break
        if not out and not self._process.is_alive() and not self.finished and self._process.exitcode is not None:
            self.finished = True
            code = self._process.exitcode
            if code not in (0, None):
                out.append(RunFailed(f"the training process ended unexpectedly (exit {code}); "
                                     f"see {self.run_dir / 'runner.log'}", "error"))
        return out

    def wait_for(self, kinds: set[str] | Callable[[Event], bool], timeout: float) -> list[Event]:
        """Collect events until one matches (its kind is in `kinds`, or the predicate holds) or
        `timeout` seconds pass; for tests and scripts."""
        matches = kinds if callable(kinds) else (lambda e: e.kind in kinds)
        got: list[Event] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            batch = self.poll()
            got += batch
            if any(matches(e) for e in batch):
                break
            if not batch:
                time.sleep(0.02)
        return got

    def shutdown(self, timeout: float = 10.0) -> None:
        """Ask the run to checkpoint and stop; terminate it if it does not within `timeout`."""
        if self._process.is_alive():
            self.send(Command("stop"))
            self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()  # SIGTERM: the child still checkpoints
            self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(1.0)
        if not self._closed:
            self._closed = True
            for q in (self._commands, self._events):
                q.cancel_join_thread()
                q.close()


def _download_reporter(emit: Callable[[Event], None]) -> Callable[[str, int, int | None], None]:
    """A download progress callback that emits `Downloading` at most 5 times a second."""
    last = [0.0]

    def report(label: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.2 or (total is not None and done >= total):
            last[0] = now
            emit(Downloading(label, done, total))

    return report


@contextlib.contextmanager
def _real_std_streams() -> Iterator[None]:
    """Temporarily point sys.stdout/stderr at /dev/null.

    A TUI replaces them with objects whose `fileno()` is -1, and multiprocessing hands
    sys.stderr's descriptor to its helper (resource tracker) process, which then fails with
    "bad value(s) in fds_to_keep". /dev/null is a real descriptor, and nothing the helper prints
    can land on the TUI.
    """
    saved = sys.stdout, sys.stderr
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        try:
            sys.stdout = sys.stderr = devnull
            yield
        finally:
            sys.stdout, sys.stderr = saved


def child_main(
    config: dict[str, Any],
    run_dir: str,
    resume: bool,
    start_paused: bool,
    commands: Any,
    events: Any,
) -> None:
    """Entry point of the training process."""
    folder = Path(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    _redirect_output(folder / "runner.log")

    def emit(event: Event) -> None:
        events.put(event)

    trainer = None

    def on_signal(signum: int, _frame: Any) -> None:
        if trainer is not None:
            trainer.stop_reason = "signal"
        else:
            raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)

    from cnntui.data import DatasetError
    from cnntui.errors import CnnTuiError
    from cnntui.train.checkpoint import CheckpointError
    from cnntui.train.trainer import Trainer, TrainingError

    try:
        trainer = Trainer(RunConfig.from_dict(config), folder, emit, resume=resume,
                          data_progress=_download_reporter(emit))
        if start_paused:
            trainer.state = "paused"

        def poll(block: bool) -> list[Command]:
            got: list[Command] = []
            try:
                if block:
                    got.append(commands.get(timeout=0.2))
                while True:
                    got.append(commands.get_nowait())
            except queue.Empty:
                pass
            return got

        trainer.run(poll)
    except TrainingError:
        pass  # already reported as RunFailed
    except DatasetError as exc:
        emit(RunFailed(str(exc), "data"))
    except CheckpointError as exc:
        emit(RunFailed(str(exc), "checkpoint"))
    except CnnTuiError as exc:
        emit(RunFailed(str(exc), "settings"))
    except Exception as exc:
        traceback.print_exc()
        from cnntui.train.engine_api import is_out_of_memory

        if is_out_of_memory(exc):
            emit(RunFailed("the GPU ran out of memory; try a smaller --batch-size", "oom"))
        else:
            emit(RunFailed(f"internal error: {type(exc).__name__}: {exc} (details in {folder / 'runner.log'})", "error"))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        events.close()
        events.join_thread()


def _redirect_output(path: Path) -> None:
    """Send this process's stdout and stderr (including C-level writes) to `path`."""
    log = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    try:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    except OSError:
        pass
    sys.stdout = log
    sys.stderr = log
