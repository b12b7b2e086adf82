"""SVG snapshots of the Train mode at 80×24, fed with fixed events (no process, no timing).

Update deliberately with `pytest tests/test_train_snapshots.py --snapshot-update` and review.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_app
from textual.pilot import Pilot
from textual.widgets import Input

from cnntui.train.events import (
    Confusion,
    EpochEnd,
    Filters,
    Predictions,
    RunStarted,
    StateChanged,
    StepProgress,
)
from cnntui.ui.shared.line_chart import LineChart
from cnntui.ui.train.screen import RunView, TrainScreen


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


async def train_screen(pilot: Pilot[None]) -> TrainScreen:
    for _ in range(50):
        await pilot.pause()
        if isinstance(pilot.app.screen, TrainScreen):
            break
    screen = pilot.app.screen
    assert isinstance(screen, TrainScreen)
    for field in screen.query(Input):
        field.cursor_blink = False
    return screen


def feed_fixed_run(screen: TrainScreen) -> None:
    """A finished two-epoch run on 10 classes, as events with fixed numbers."""
    rng = np.random.default_rng(0)
    run = RunView(label="lenet5", epochs=2)
    screen.runs = [run]
    names = tuple(str(i) for i in range(10))
    screen._handle(
        run,
        RunStarted(
            "runs/x",
            {"epochs": 2},
            "cpu: CPU",
            "LeNet-5 (lenet5-8)",
            6314,
            (1, 8, 8),
            names,
            {"train": 1257, "val": 180, "test": 360},
            10,
        ),
    )
    for epoch in range(2):
        losses = [2.3 * np.exp(-(epoch * 10 + i) / 6) + 0.05 for i in range(10)]
        screen._handle(
            run,
            StepProgress(
                epoch,
                10,
                10,
                (epoch + 1) * 10,
                losses,
                [min(1, 0.1 + 0.045 * (epoch * 10 + i)) for i in range(10)],
                0.05,
                4000.0,
                3.0 * (epoch + 1),
                3.0 * (1 - epoch),
                "RSS peak 60 MiB",
            ),
        )
        screen._handle(
            run,
            EpochEnd(
                epoch,
                {
                    "epoch": epoch + 1,
                    "train_loss": losses[-1],
                    "train_acc": 0.6 + 0.3 * epoch,
                    "val_loss": losses[-1] * 1.2,
                    "val_acc": 0.7 + 0.25 * epoch,
                    "lr": 0.05,
                    "images_per_s": 4000.0,
                    "elapsed_s": 3.0,
                },
            ),
        )
    screen._handle(run, Filters("c1", rng.normal(size=(6, 1, 3, 3)).astype(np.float32)))
    images = np.clip(rng.random((12, 1, 8, 8)), 0, 1).astype(np.float32)
    labels = np.arange(12) % 10
    top = np.stack([labels, (labels + 1) % 10, (labels + 2) % 10], axis=1)
    top[3] = [5, 3, 1]
    probs = np.tile(np.array([0.9, 0.07, 0.03], np.float32), (12, 1))
    screen._handle(run, Predictions(images, labels, top, probs))
    matrix = np.diag(np.full(10, 17)).astype(np.int64)
    matrix[3, 5] = 2
    screen._handle(
        run,
        Confusion(
            1,
            matrix,
            images[:2],
            np.array([3, 7]),
            np.array([5, 1]),
            np.array([0.8, 0.6], np.float32),
        ),
    )
    screen._handle(run, StateChanged("finished"))
    screen._update_status()


def test_train_setup_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await train_screen(pilot)

    assert snap_compare(
        make_app("train", device="cpu"), terminal_size=(80, 24), run_before=run_before
    )


def test_train_predictions_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await train_screen(pilot)
        feed_fixed_run(screen)
        screen.query_one("TabbedContent").active = "predictions"
        await pilot.pause()

    assert snap_compare(
        make_app("train", device="cpu"), terminal_size=(80, 24), run_before=run_before
    )


def test_train_curves_ascii_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await train_screen(pilot)
        feed_fixed_run(screen)
        screen.query_one("TabbedContent").active = "curves"
        await pilot.pause()
        for chart in screen.query(LineChart):
            chart.redraw()
        await pilot.pause()

    assert snap_compare(
        make_app("train", device="cpu", ascii=True), terminal_size=(80, 24), run_before=run_before
    )


def test_train_confusion_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await train_screen(pilot)
        feed_fixed_run(screen)
        screen.query_one("TabbedContent").active = "confusion"
        await pilot.pause()

    assert snap_compare(
        make_app("train", device="cpu"), terminal_size=(80, 24), run_before=run_before
    )
