"""The training process: events stream over a queue, commands control it, signals checkpoint it."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from cnntui.train.checkpoint import load_checkpoint
from cnntui.train.config import RunConfig
from cnntui.train.events import (
    Checkpointed,
    Command,
    Downloading,
    EpochEnd,
    RunFailed,
    RunFinished,
    RunStarted,
    StateChanged,
    StepProgress,
)
from cnntui.train.runner import RunnerProcess
from cnntui.train.trainer import Trainer

TINY = RunConfig(
    model="lenet5", dataset="digits", input_size=8, batch_size=32, limit=320, epochs=2, seed=1
)


def _paused(event: object) -> bool:
    return isinstance(event, StateChanged) and event.state == "paused"


@pytest.fixture(autouse=True)
def _one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # the child inherits this: keeps the tests quick on a busy 2-core machine
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")


def test_process_streams_events_and_obeys_commands(tmp_path: Path) -> None:
    runner = RunnerProcess(TINY, tmp_path, start_paused=True)
    runner.start()
    try:
        events = runner.wait_for(StateChanged, timeout=60)
        started = [e for e in events if isinstance(e, RunStarted)]
        assert started and started[0].steps_per_epoch == 10 and started[0].parameters > 0
        assert [e.state for e in events if isinstance(e, StateChanged)][-1] == "paused"
        runner.send(Command("step", 3))
        events = runner.wait_for(_paused, timeout=30)
        steps = [e for e in events if isinstance(e, StepProgress)]
        assert steps and steps[-1].global_step == 3
        runner.send(Command("set_lr", 0.02))
        runner.send(Command("resume"))
        events = runner.wait_for((RunFinished, RunFailed), timeout=60)
        kinds = [type(e) for e in events]
        assert RunFinished in kinds, kinds
        assert kinds.count(EpochEnd) == 2
    finally:
        runner.shutdown(timeout=10)
    assert not runner.is_alive()
    info, model, _ = load_checkpoint(tmp_path)
    assert info["finished"] and info["base_lr"] == 0.02 and "c1.weight" in model


def test_sigterm_mid_epoch_leaves_a_loadable_checkpoint(tmp_path: Path) -> None:
    runner = RunnerProcess(TINY, tmp_path, start_paused=True)
    runner.start()
    try:
        runner.wait_for(StateChanged, timeout=60)
        runner.send(Command("step", 4))
        events = runner.wait_for(_paused, timeout=30)
        assert any(isinstance(e, StateChanged) and e.state == "paused" for e in events)
        os.kill(runner.pid, signal.SIGTERM)
        events = runner.wait_for(Checkpointed, timeout=30)
        runner._process.join(30)
        assert runner._process.exitcode == 0
    finally:
        runner.shutdown(timeout=5)
    checkpoints = [e for e in events if isinstance(e, Checkpointed)]
    assert checkpoints and checkpoints[-1].reason == "signal"
    info, model, optim = load_checkpoint(tmp_path)
    assert info["progress"]["step"] == 4 and info["epoch"] == 0 and optim
    # and the run continues from there to the end
    summary = Trainer(None, tmp_path, lambda e: None, resume=True).run()
    assert summary["completed"] and len(summary["history"]) == 2


def test_missing_data_set_is_reported_not_raised(tmp_path: Path) -> None:
    runner = RunnerProcess(
        RunConfig(model="lenet5", dataset="mnist", data_dir=str(tmp_path)), tmp_path / "run"
    )
    runner.start()
    try:
        events = runner.wait_for(RunFailed, timeout=60)
    finally:
        runner.shutdown(timeout=5)
    failed = [e for e in events if isinstance(e, RunFailed)]
    assert failed and failed[0].reason == "data" and "--download" in failed[0].message


def test_download_progress_is_throttled() -> None:
    from cnntui.train.runner import _download_reporter

    events: list = []
    report = _download_reporter(events.append)
    for done in range(0, 1001, 10):
        report("train-images-idx3-ubyte.gz", done, 1000)
    assert 1 <= len(events) <= 3 and events[-1].done == 1000 and isinstance(events[-1], Downloading)
