"""A long task in its own process: the parent sends commands and polls events, never waiting.

The Train lab's runner (`cnntui.train.runner`) and the GAN lab's DCGAN runner
(`cnntui.gan.process`) are both a `ChildProcess` subclass plus a task function:

```python
def task(commands, events, *args) -> None:   # runs in the child; module level, so spawn finds it
    on_stop_signals(handler)                  # SIGTERM, SIGHUP, SIGINT: stop gracefully
    ... commands.get_nowait() ... events.put(event) ...

class MyProcess(ChildProcess[MyEvent]):
    def __init__(self, run_dir):
        super().__init__(task, (arg,), run_dir, name="cnntui-my", stop_command="stop")
    def exit_failure(self, code): return MyFailed(f"... (exit {code})")
```

Events are one union of `@dataclass` classes per lab (`cnntui.train.events.Event`,
`cnntui.gan.process.Event`), and consumers dispatch with `match event: case StepProgress(): ...`.

Lifecycle: a started child is in a registry until it is shut down; `shutdown_all` (run at
interpreter exit, and by the app when it closes) asks every one left to checkpoint and stop, so a
run never outlives the app as an orphan. Children are never daemonic: multiprocessing would kill a
daemonic child at exit without its checkpoint, and a daemonic process cannot start helpers of its own.

The child is started with the `spawn` context (no inherited threads or locks from the UI
process). Its stdout and stderr, C-level writes included, go to `runner.log` in the run folder,
so nothing it prints can disturb the terminal.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing as mp
import multiprocessing.util  # registers its exit handler now, so `shutdown_all` runs before it
import os
import queue
import signal
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from cnntui.i18n import current_language, set_language

LOG_NAME = "runner.log"
"""The child's stdout and stderr, in its run folder."""

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
"""The signals a child treats as "checkpoint and stop": kill, a dropped SSH session, Ctrl+C."""

CHILD_NICENESS = 10
"""How much lower than the app's a child's CPU priority is. A run trains flat out; the app
answers keys. On a machine with few cores the two compete, and at equal priority a key waits for
the scheduler to take the core back from the run (a lesson took 230 ms instead of 80 on two
cores); at niceness 10 the run gets about a tenth of a contended core and all of an idle one, so
it loses nothing while the learner only reads."""

E = TypeVar("E")

_LIVE: list[ChildProcess[Any]] = []
"""Children started and not yet shut down, oldest first."""


def live_children() -> list[ChildProcess[Any]]:
    """The children started and not yet shut down."""
    return list(_LIVE)


def shutdown_all(timeout: float = 5.0) -> None:
    """Ask every live child to checkpoint and stop, and wait for each (at exit: no orphans)."""
    for child in reversed(live_children()):
        with contextlib.suppress(Exception):  # exiting anyway: stop the others too
            child.shutdown(timeout=timeout)


atexit.register(shutdown_all)


class ChildProcess(ABC, Generic[E]):
    """Parent-side handle of one child process running `task(commands, events, *args)`.

    Subclasses give `exit_failure`, the event that reports a child that died without a word
    (a crash, the kernel's OOM killer), and wrap `send` with their command type.
    """

    max_events_per_poll = 500

    def __init__(
        self,
        task: Callable[..., None],
        args: tuple[Any, ...],
        run_dir: str | os.PathLike[str],
        *,
        name: str,
        stop_command: Any,
    ) -> None:
        self.run_dir = Path(run_dir)
        self.finished = False
        self._closed = False
        self._stop_command = stop_command
        ctx = mp.get_context("spawn")
        with real_std_streams():  # creating a queue may start multiprocessing's helper process
            self._commands: Any = ctx.Queue()
            self._events: Any = ctx.Queue()
        self._process = ctx.Process(
            target=run_child,
            args=(
                task,
                str(self.run_dir / LOG_NAME),
                self._commands,
                self._events,
                args,
                current_language(),
            ),
            name=name,
            daemon=False,  # see the module docstring: the registry stops it at exit instead
        )

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def log_path(self) -> Path:
        return self.run_dir / LOG_NAME

    def start(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        with real_std_streams():
            self._process.start()
        _LIVE.append(self)

    def is_alive(self) -> bool:
        return self._process.is_alive()

    @abstractmethod
    def exit_failure(self, code: int) -> E:
        """The event for a child that ended with exit status `code` (≠ 0) and no event of its own."""

    def _put_command(self, command: Any) -> None:
        if not self._closed and self._process.is_alive():
            self._commands.put(command)

    def poll(self, limit: int | None = None) -> list[E]:
        """Events that arrived since the last call, at most `limit` (never blocks)."""
        limit = self.max_events_per_poll if limit is None else limit
        out: list[E] = []
        if self._closed:
            return out
        while len(out) < limit:
            try:
                out.append(self._events.get_nowait())
            except queue.Empty:
                break
            except (EOFError, OSError):
                break
        # exitcode is None while the child runs; the queue is drained before an exit is reported
        if not out and not self.finished and self._process.exitcode is not None:
            self.finished = True
            if self in _LIVE:  # nothing left to stop at exit
                _LIVE.remove(self)
            code = self._process.exitcode
            if code != 0:
                out.append(self.exit_failure(code))
        return out

    def wait_for(
        self, wanted: type | tuple[type, ...] | Callable[[E], bool], timeout: float
    ) -> list[E]:
        """Collect events until one matches (an instance of the class `wanted` or of one of
        them, or one for which the predicate holds) or `timeout` seconds pass; for tests and
        scripts."""
        matches: Callable[[E], bool]
        if isinstance(wanted, type | tuple):
            matches = lambda event: isinstance(event, wanted)  # noqa: E731
        else:
            matches = wanted
        got: list[E] = []
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
        """Ask the task to stop (it checkpoints first); terminate it if it does not within
        `timeout` (SIGTERM: it still checkpoints), then kill it."""
        if self._process.is_alive():
            self._put_command(self._stop_command)
            self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(1.0)
        if self in _LIVE:
            _LIVE.remove(self)
        if not self._closed:
            self._closed = True
            for q in (self._commands, self._events):
                q.cancel_join_thread()
                q.close()


@contextlib.contextmanager
def real_std_streams() -> Iterator[None]:
    """Temporarily point sys.stdout/stderr at /dev/null (while starting a child or its queues).

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


def on_stop_signals(handler: Callable[[int, Any], None]) -> None:
    """Call `handler(signum, frame)` on each of `STOP_SIGNALS` instead of dying at once."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, handler)


def run_child(
    task: Callable[..., None],
    log_path: str,
    commands: Any,
    events: Any,
    args: tuple[Any, ...],
    language: str = "en",
) -> None:
    """The child's entry point: output to `log_path`, run `task(commands, events, *args)`, and
    always deliver the events already queued before the process ends.

    The child speaks the app's `language` (as it was at the start): text it can only make as a
    string (an error from the data or checkpoint code) is then in the language the user chose.
    Its own reports are `cnntui.i18n.Message`s, translated when the app shows them, so they
    follow a later language switch too.
    """
    set_language(language)
    path = Path(log_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    redirect_output(path)
    yield_cpu_to_parent()
    parent = os.getppid()
    watch_parent(parent)
    try:
        task(commands, events, *args)
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        events.close()
        if os.getppid() == parent:
            events.join_thread()
        else:
            # Nobody reads the queue any more: waiting for it to drain would never end.
            events.cancel_join_thread()


def yield_cpu_to_parent(niceness: int = CHILD_NICENESS) -> None:
    """Lower this process's CPU priority by `niceness` (where the system has priorities)."""
    with contextlib.suppress(
        AttributeError, OSError
    ):  # no os.nice on Windows; limits in containers
        os.nice(niceness)


def watch_parent(
    parent: int, interval: float = 0.5, signum: int = signal.SIGHUP
) -> threading.Thread:
    """Raise `signum` (SIGHUP) in this process once its parent (pid `parent`) is gone.

    A dropped SSH connection hangs up the whole terminal, run processes included, so they
    checkpoint and stop. A parent that dies alone (killed by a signal sent to it only, or a served
    browser session that ended) would otherwise leave the run training for nobody; this makes
    that case the same as a hang-up.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os.kill(os.getpid(), signum)

    thread = threading.Thread(target=watch, name="cnntui-parent-watch", daemon=True)
    thread.start()
    return thread


def redirect_output(path: Path) -> None:
    """Send this process's stdout and stderr (including C-level writes) to `path`."""
    log = open(path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (lives as long as the process)
    try:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    except OSError:
        pass
    sys.stdout = log
    sys.stderr = log
