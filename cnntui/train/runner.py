"""A training run in its own process, so the UI never waits for it.

```python
runner = RunnerProcess(config, run_dir)
runner.start()
runner.send(Command("pause"))
for event in runner.poll():      # non-blocking; call it from a UI timer
    ...
runner.shutdown()                # asks it to checkpoint and stop, then waits
```

The process machinery is `cnntui.child`: the `spawn` context (no inherited threads or locks from
the UI process), stdout and stderr to `runner.log` in the run folder, so nothing the child prints
can disturb the terminal. SIGTERM, SIGHUP and SIGINT make it write a checkpoint and exit.
"""

from __future__ import annotations

import queue
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cnntui.child import ChildProcess, on_stop_signals
from cnntui.i18n import N_, Message, error_text
from cnntui.train.config import RunConfig
from cnntui.train.events import Command, Downloading, Event, RunFailed

MAX_EVENTS_PER_POLL = 500


class RunnerProcess(ChildProcess[Event]):
    """Parent-side handle of one training process."""

    max_events_per_poll = MAX_EVENTS_PER_POLL

    def __init__(
        self,
        config: RunConfig,
        run_dir: Path,
        *,
        resume: bool = False,
        start_paused: bool = False,
    ) -> None:
        self.config = config
        self.resume = resume
        self.start_paused = start_paused
        super().__init__(
            child_main,
            (config.to_dict(), str(run_dir), resume, start_paused),
            run_dir,
            name="cnntui-train",
            stop_command=Command("stop"),
        )

    def send(self, command: Command) -> None:
        self._put_command(command)

    def exit_failure(self, code: int) -> Event:
        return RunFailed(
            Message(
                N_("the training process ended unexpectedly (exit {code}); see {path}"),
                code=code,
                path=str(self.log_path),
            ),
            "error",
        )


def _download_reporter(emit: Callable[[Event], None]) -> Callable[[str, int, int | None], None]:
    """A download progress callback that emits `Downloading` at most 5 times a second."""
    last = [0.0]

    def report(label: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.2 or (total is not None and done >= total):
            last[0] = now
            emit(Downloading(label, done, total))

    return report


def child_main(
    commands: Any,
    events: Any,
    config: dict[str, Any],
    run_dir: str,
    resume: bool,
    start_paused: bool,
) -> None:
    """The training process's task (run by `cnntui.child.run_child`, output already in the log)."""
    folder = Path(run_dir)

    def emit(event: Event) -> None:
        events.put(event)

    trainer = None

    def on_signal(signum: int, _frame: Any) -> None:
        if trainer is not None:
            trainer.stop_reason = "signal"
        else:
            raise SystemExit(128 + signum)

    on_stop_signals(on_signal)

    from cnntui.data import DatasetError
    from cnntui.errors import CnnTuiError
    from cnntui.train.checkpoint import CheckpointError
    from cnntui.train.trainer import Trainer, TrainingError

    try:
        trainer = Trainer(
            RunConfig.from_dict(config),
            folder,
            emit,
            resume=resume,
            data_progress=_download_reporter(emit),
        )
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
        # The trainer emitted RunFailed with the cause (NaN loss, learning rate) before raising,
        # so the child just ends; its exit status tells the parent nothing more.
        return
    except DatasetError as exc:
        emit(RunFailed(error_text(exc), "data"))
    except CheckpointError as exc:
        emit(RunFailed(error_text(exc), "checkpoint"))
    except CnnTuiError as exc:
        emit(RunFailed(error_text(exc), "settings"))
    except Exception as exc:
        traceback.print_exc()
        from cnntui.train.engine_api import is_out_of_memory

        if is_out_of_memory(exc):
            emit(
                RunFailed(
                    Message(N_("the GPU ran out of memory; try a smaller --batch-size")), "oom"
                )
            )
        else:
            emit(
                RunFailed(
                    Message(
                        N_("internal error: {error} (details in {path})"),
                        error=f"{type(exc).__name__}: {exc}",
                        path=str(folder / "runner.log"),
                    ),
                    "error",
                )
            )
