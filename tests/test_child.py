"""The child-process lifecycle both labs use: typed events, a registry, a stop for every child."""

from __future__ import annotations

import queue
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cnntui.child import ChildProcess, live_children, shutdown_all


@dataclass(frozen=True)
class Tick:
    n: int


@dataclass(frozen=True)
class Stopped:
    ticks: int


@dataclass(frozen=True)
class Died:
    code: int


def ticking(commands: Any, events: Any, limit: int) -> None:
    """Send a `Tick` every 10 ms until told to stop (or `limit` ticks), then `Stopped`."""
    n = 0
    while n < limit:
        try:
            if commands.get_nowait() == "stop":
                break
        except queue.Empty:
            pass
        events.put(Tick(n))
        n += 1
        time.sleep(0.01)
    events.put(Stopped(n))


class Ticker(ChildProcess[Tick | Stopped | Died]):
    def __init__(self, run_dir: Path, limit: int = 100_000) -> None:
        super().__init__(ticking, (limit,), run_dir, name="cnntui-test", stop_command="stop")

    def exit_failure(self, code: int) -> Died:
        return Died(code)


def test_a_started_child_is_registered_until_shut_down(tmp_path: Path) -> None:
    child = Ticker(tmp_path)
    assert child not in live_children()
    child.start()
    try:
        assert child in live_children()
        got = child.wait_for(Tick, timeout=30)
        assert got and isinstance(got[-1], Tick)
    finally:
        shutdown_all(timeout=10)
    assert child not in live_children()
    assert not child.is_alive()


def test_wait_for_takes_event_classes_or_a_predicate(tmp_path: Path) -> None:
    child = Ticker(tmp_path, limit=5)
    child.start()
    try:
        events = child.wait_for((Stopped, Died), timeout=30)
        assert events[-1] == Stopped(5)
        assert [e for e in events if isinstance(e, Tick)] == [Tick(n) for n in range(5)]
        deadline = time.monotonic() + 10
        while child.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert child.poll() == []
        assert child.finished and child not in live_children()  # ended: nothing left to stop
    finally:
        child.shutdown()


@dataclass(frozen=True)
class Priority:
    niceness: int


def report_priority(commands: Any, events: Any) -> None:
    import os

    events.put(Priority(os.nice(0)))


class PriorityProbe(ChildProcess[Priority | Died]):
    def __init__(self, run_dir: Path) -> None:
        super().__init__(report_priority, (), run_dir, name="cnntui-test", stop_command="stop")

    def exit_failure(self, code: int) -> Died:
        return Died(code)


def test_a_child_runs_at_a_lower_priority_than_the_app(tmp_path: Path) -> None:
    """A run must not hold a core the app needs to answer a key."""
    import os

    from cnntui.child import CHILD_NICENESS

    child = PriorityProbe(tmp_path)
    child.start()
    try:
        got = child.wait_for(Priority, timeout=30)
    finally:
        child.shutdown()
    reported = [e for e in got if isinstance(e, Priority)]
    assert reported, got
    assert reported[0].niceness == min(os.nice(0) + CHILD_NICENESS, 19)
