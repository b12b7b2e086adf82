"""The Trainer on a GPU backend: one wait per step, nothing uploaded after the first, and an
exact resume (dropout masks included) from a checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cnntui.data.batches import epoch_order
from cnntui.train.checkpoint import load_checkpoint
from cnntui.train.config import RunConfig
from cnntui.train.events import Command
from cnntui.train.trainer import Trainer

pytestmark = pytest.mark.gpu

SPEC = """\
name = "tiny-dropout"
input = [1, 8, 8]

[[layers]]
type = "conv2d"
out_channels = 4
kernel_size = 3
padding = 1

[[layers]]
type = "batchnorm2d"

[[layers]]
type = "relu"

[[layers]]
type = "maxpool2d"
kernel_size = 2

[[layers]]
type = "flatten"

[[layers]]
type = "dropout"
p = 0.3

[[layers]]
type = "linear"
out_features = 10
"""


def _config(tmp_path: Path, **changes: Any) -> RunConfig:
    spec = tmp_path / "tiny.toml"
    spec.write_text(SPEC)
    settings: dict[str, Any] = dict(
        model=str(spec), dataset="digits", batch_size=32, limit=320, epochs=2, seed=3, lr=0.05
    )
    return RunConfig(**{**settings, "device": "gpu", **changes})


def test_a_trainer_step_waits_once_and_uploads_nothing(gpu: Any, tmp_path: Path) -> None:
    trainer = Trainer(_config(tmp_path), tmp_path / "run", lambda e: None)
    assert trainer.backend.is_gpu
    order = epoch_order(len(trainer.train_set), np.random.default_rng((3, 0)))
    first_loss, _ = trainer._train_step(order)  # uploads the training set and the epoch order
    losses = []
    for _ in range(3):
        if gpu.standin:
            gpu.counters.reset()
        loss, accuracy = trainer._train_step(order)
        losses.append(loss)
        assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0
        if gpu.standin:
            assert gpu.counters.syncs <= 1 and gpu.counters.h2d == 0, gpu.counters
    assert trainer.acc.seen == 4 * 32
    for p in trainer.model.parameters():
        assert p.data.dtype == np.float32 and p.xp is gpu.xp


def _stop_after(steps: int) -> Any:
    sent = {"n": 0}

    def commands(_block: bool) -> list[Command]:
        sent["n"] += 1
        return [Command("stop")] if sent["n"] == steps + 1 else []

    return commands


def test_a_gpu_run_resumes_from_its_checkpoint_exactly(gpu: Any, tmp_path: Path) -> None:
    full = Trainer(_config(tmp_path), tmp_path / "full", lambda e: None).run()
    first = Trainer(_config(tmp_path), tmp_path / "part", lambda e: None)
    partial = first.run(_stop_after(14))  # 10 steps per epoch: stop in the second
    assert partial["completed"] is False
    info, model_state, _ = load_checkpoint(tmp_path / "part")
    assert info["progress"]["step"] == 4 and info["layer_rng"]  # dropout's generator is saved
    assert all(a.dtype != np.float64 for a in model_state.values())
    resumed = Trainer(None, tmp_path / "part", lambda e: None, resume=True).run()
    assert len(resumed["history"]) == len(full["history"]) == 2
    for a, b in zip(full["history"], resumed["history"], strict=True):
        for key in ("train_loss", "train_acc", "val_loss", "val_acc"):
            if gpu.standin:  # the stand-in is deterministic: the resumed run is the same run
                assert a[key] == b[key], key
            else:  # cuBLAS may sum in another order between runs
                assert a[key] == pytest.approx(b[key], rel=1e-4, abs=1e-6), key
    assert resumed["final"]["test_acc"] == pytest.approx(full["final"]["test_acc"], abs=1e-6)
    assert full["history"][-1]["train_loss"] < full["history"][0]["train_loss"] * 1.5


def test_a_gpu_run_matches_the_cpu_run(gpu: Any, tmp_path: Path) -> None:
    """Same seed, same data: the first epoch's numbers agree with the CPU to float32 rounding
    (dropout masks differ between the two backends, so this model has none)."""
    no_dropout = SPEC.replace('[[layers]]\ntype = "dropout"\np = 0.3\n\n', "")
    spec = tmp_path / "plain.toml"
    spec.write_text(no_dropout.replace("tiny-dropout", "tiny-plain"))
    settings: dict[str, Any] = dict(
        model=str(spec), dataset="digits", batch_size=32, limit=320, epochs=1, seed=3
    )
    on_gpu = Trainer(RunConfig(**settings, device="gpu"), tmp_path / "g", lambda e: None).run()
    on_cpu = Trainer(RunConfig(**settings, device="cpu"), tmp_path / "c", lambda e: None).run()
    for key in ("train_loss", "val_loss"):
        assert on_gpu["history"][0][key] == pytest.approx(on_cpu["history"][0][key], rel=1e-3)
