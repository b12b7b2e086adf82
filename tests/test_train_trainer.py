"""The training loop in-process: it learns, resumes exactly, checkpoints, and fails clearly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cnntui.errors import UsageError
from cnntui.train.checkpoint import CheckpointError, load_checkpoint, read_run_info
from cnntui.train.config import RunConfig
from cnntui.train.events import (
    Checkpointed,
    Command,
    Confusion,
    EpochEnd,
    FeatureMaps,
    Filters,
    Predictions,
    RunFailed,
    RunFinished,
    RunStarted,
    StateChanged,
    StepProgress,
)
from cnntui.train.trainer import Trainer, TrainingError

FAST = dict(
    model="lenet5", dataset="digits", input_size=8, batch_size=32, limit=320, epochs=3, seed=5
)


def _collect() -> tuple[list, callable]:
    events: list = []
    return events, events.append


def test_short_run_learns_well_above_chance(tmp_path: Path) -> None:
    events, emit = _collect()
    summary = Trainer(RunConfig(**{**FAST, "limit": None, "epochs": 4}), tmp_path, emit).run()
    assert summary["model"] == "lenet5-8"
    assert summary["final"]["test_acc"] > 0.6  # chance is 0.1
    assert summary["history"][-1]["train_loss"] < summary["history"][0]["train_loss"]
    kinds = {type(e) for e in events}
    assert {
        RunStarted,
        StepProgress,
        EpochEnd,
        Filters,
        FeatureMaps,
        Predictions,
        Confusion,
        Checkpointed,
        RunFinished,
    } <= kinds
    filters = next(e for e in events if isinstance(e, Filters))
    assert filters.weights.shape == (6, 1, 3, 3)
    confusion = [e for e in events if isinstance(e, Confusion)][-1]
    assert confusion.matrix.shape == (10, 10) and confusion.matrix.sum() == 180
    preds = [e for e in events if isinstance(e, Predictions)][-1]
    assert preds.top_classes.shape == (12, 3) and np.all(np.diff(preds.top_probs, axis=1) <= 0)
    info = read_run_info(tmp_path)
    assert info["finished"] and info["seed"] == 5 and len(info["history"]) == 4
    assert (tmp_path / "metrics.csv").read_text().count("\n") == 5


def _stop_after(steps: int):
    sent = {"n": 0}

    def commands(_block: bool):
        sent["n"] += 1
        return [Command("stop")] if sent["n"] == steps + 1 else []

    return commands


def test_resume_mid_epoch_is_exact(tmp_path: Path) -> None:
    full = Trainer(RunConfig(**FAST, augment="shift:1"), tmp_path / "full", lambda e: None).run()
    # stop in the middle of the second epoch (10 steps per epoch), then resume twice
    first = Trainer(RunConfig(**FAST, augment="shift:1"), tmp_path / "part", lambda e: None)
    partial = first.run(_stop_after(14))
    assert partial["completed"] is False and partial["epochs"] == 1
    info, _, _ = load_checkpoint(tmp_path / "part")
    assert info["progress"]["step"] == 4 and info["reason"] == "stop"
    resumed = Trainer(None, tmp_path / "part", lambda e: None, resume=True).run()
    for a, b in zip(full["history"], resumed["history"], strict=True):
        assert a == {**b, "images_per_s": a["images_per_s"], "elapsed_s": a["elapsed_s"]}
    assert resumed["final"]["test_acc"] == full["final"]["test_acc"]
    assert resumed["final"]["test_loss"] == full["final"]["test_loss"]


def test_resume_can_extend_epochs(tmp_path: Path) -> None:
    Trainer(RunConfig(**{**FAST, "epochs": 1}), tmp_path, lambda e: None).run()
    longer = Trainer(None, tmp_path, lambda e: None, resume=True, overrides={"epochs": 2}).run()
    assert [h["epoch"] for h in longer["history"]] == [1, 2]
    with pytest.raises(UsageError, match="at least"):
        Trainer(None, tmp_path, lambda e: None, resume=True, overrides={"epochs": 1, "lr": 5})


def test_corrupt_and_mismatched_checkpoints_are_refused(tmp_path: Path) -> None:
    Trainer(RunConfig(**{**FAST, "epochs": 1}), tmp_path, lambda e: None).run()
    info = json.loads((tmp_path / "run.json").read_text())
    npz = tmp_path / info["checkpoint"]
    good = npz.read_bytes()
    npz.write_bytes(good[: len(good) // 2])
    with pytest.raises(CheckpointError, match="corrupt"):
        Trainer(None, tmp_path, lambda e: None, resume=True)
    npz.write_bytes(good)
    info["config"]["model"] = "lenet5-28"
    info["config"]["input_size"] = 28
    (tmp_path / "run.json").write_text(json.dumps(info))
    with pytest.raises(CheckpointError, match="does not match"):
        Trainer(None, tmp_path, lambda e: None, resume=True)
    (tmp_path / "run.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="corrupt"):
        Trainer(None, tmp_path, lambda e: None, resume=True)


def test_nan_loss_stops_and_names_the_learning_rate(tmp_path: Path) -> None:
    events, emit = _collect()
    trainer = Trainer(RunConfig(**{**FAST, "lr": 0.5, "lr_schedule": "constant"}), tmp_path, emit)
    real = trainer.loss_fn
    calls = {"n": 0}

    def poisoned(logits, labels):
        calls["n"] += 1
        loss, grad = real(logits, labels)
        return (loss * np.nan if calls["n"] == 13 else loss), grad

    trainer.loss_fn = poisoned
    with pytest.raises(TrainingError, match="learning rate 0.5"):
        trainer.run()
    failed = [e for e in events if isinstance(e, RunFailed)]
    assert failed and failed[0].reason == "nan" and "too high" in failed[0].message
    info, _, _ = load_checkpoint(tmp_path)  # the good checkpoint of epoch 1 is kept
    assert info["epoch"] == 1 and info["reason"] == "epoch"


def test_commands_pause_step_lr_probe(tmp_path: Path) -> None:
    events, emit = _collect()
    trainer = Trainer(RunConfig(**{**FAST, "epochs": 1}), tmp_path, emit)
    script = [
        [Command("set_lr", 0.01), Command("probe", 3, "c3"), Command("pause")],
        [Command("step", 2)],
        [],
        [],
        [Command("set_lr", -1)],
        [Command("stop")],
    ]

    def commands(_block: bool):
        return script.pop(0) if script else []

    trainer.run(commands)
    assert trainer.base_lr == 0.01
    probes = [e for e in events if isinstance(e, FeatureMaps) and e.layer == "c3"]
    assert probes and probes[0].image_index == 3 and probes[0].maps.shape == (16, 4, 4)
    states = [(e.state, e.message) for e in events if isinstance(e, StateChanged)]
    assert ("paused", "") in states and any("refused" in m for _, m in states)
    assert trainer.global_step == 2 and states[-1][0] == "stopped"


def test_model_that_cannot_fit_the_data(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot take"):
        Trainer(
            RunConfig(model="tinyvgg", dataset="digits", input_size=8), tmp_path, lambda e: None
        )
    with pytest.raises(UsageError, match="no model"):
        Trainer(RunConfig(model="nonet", dataset="digits"), tmp_path, lambda e: None)


def test_config_validation() -> None:
    with pytest.raises(UsageError, match="--lr"):
        RunConfig(lr=0).validated()
    with pytest.raises(UsageError, match="--augment"):
        RunConfig(augment="spin").validated()
    assert RunConfig(lr=1.0, lr_schedule="step", epochs=4).lr_at(3.0) == pytest.approx(0.01)
    assert RunConfig(lr=1.0, lr_schedule="cosine", epochs=2).lr_at(1.0) == pytest.approx(0.5)


def test_out_of_memory_suggests_a_smaller_batch(tmp_path: Path) -> None:
    class OutOfMemoryError(Exception):
        """Stands in for cupy.cuda.memory.OutOfMemoryError (matched by name)."""

    events, emit = _collect()
    trainer = Trainer(RunConfig(**{**FAST, "batch_size": 64}), tmp_path, emit)

    def exhausted(logits, labels):
        raise OutOfMemoryError("out of memory allocating 1,024 bytes")

    trainer.loss_fn = exhausted
    with pytest.raises(TrainingError, match="--batch-size 32"):
        trainer.run()
    assert [e.reason for e in events if isinstance(e, RunFailed)] == ["oom"]


def test_training_on_an_image_folder(tmp_path: Path) -> None:
    from cnntui.data.folder import write_netpbm

    root = tmp_path / "images"
    rng = np.random.default_rng(0)
    for cls, value in (("dark", 40), ("light", 210)):
        (root / cls).mkdir(parents=True)
        for i in range(30):
            write_netpbm(
                root / cls / f"{i}.pgm",
                np.clip(rng.normal(value, 30, (12, 12)), 0, 255).astype(np.uint8),
            )
    trainer = Trainer(
        RunConfig(model="lenet5", dataset="folder", data_dir=str(root), epochs=3, batch_size=8),
        tmp_path / "run",
        lambda e: None,
    )
    assert trainer.splits.input_shape == (1, 32, 32) and trainer.splits.class_names == (
        "dark",
        "light",
    )
    summary = trainer.run()
    assert summary["final"]["test_acc"] >= 0.9


SPEC = """\
name = "tiny"
input = [1, 8, 8]

[[layers]]
type = "conv2d"
out_channels = 4
kernel_size = 3
padding = 1

[[layers]]
type = "relu"

[[layers]]
type = "flatten"

[[layers]]
type = "linear"
out_features = 10
"""


def test_spec_file_model_trains_and_resumes_without_the_file(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.toml"
    spec.write_text(SPEC)
    run = tmp_path / "run"
    first = Trainer(
        RunConfig(model=str(spec), dataset="digits", epochs=1, limit=320), run, lambda e: None
    ).run()
    assert first["model"] == "tiny" and (run / "model.toml").read_text() == SPEC
    spec.unlink()
    resumed = Trainer(None, run, lambda e: None, resume=True, overrides={"epochs": 2}).run()
    assert len(resumed["history"]) == 2
    bad = tmp_path / "wide.toml"
    bad.write_text(SPEC.replace("[1, 8, 8]", "[3, 8, 8]"))
    with pytest.raises(UsageError, match="takes 3×8×8"):
        Trainer(RunConfig(model=str(bad), dataset="digits"), tmp_path / "run2", lambda e: None)


@pytest.mark.gpu
def test_gpu_run_learns_like_the_cpu(tmp_path: Path) -> None:
    pytest.importorskip("cupy")
    from cnntui.engine.backend import probe_gpu

    cupy, reason = probe_gpu()
    if cupy is None:
        pytest.skip(f"no usable GPU: {reason}")
    summary = Trainer(
        RunConfig(**{**FAST, "epochs": 4, "limit": None, "device": "gpu"}), tmp_path, lambda e: None
    ).run()
    assert summary["device"].startswith("gpu") and summary["final"]["test_acc"] > 0.6
    resumed = Trainer(
        None, tmp_path, lambda e: None, resume=True, overrides={"epochs": 5, "device": "gpu"}
    ).run()
    assert len(resumed["history"]) == 5
