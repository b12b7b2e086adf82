"""Divergence beyond the training loss: validation and test losses, weights, exploding losses,
and JSON output that stays strict when numbers are not finite."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from cnntui.commands._output import print_json, strict_json
from cnntui.train.checkpoint import load_checkpoint
from cnntui.train.config import RunConfig
from cnntui.train.divergence import Diverged, check_metrics, exploded
from cnntui.train.events import RunFailed
from cnntui.train.trainer import Trainer, TrainingError

FAST = dict(
    model="lenet5",
    dataset="digits",
    input_size=8,
    batch_size=32,
    limit=160,
    epochs=2,
    seed=5,
    lr_schedule="constant",
)


def test_a_nan_validation_loss_fails_the_run_without_promising_a_checkpoint(
    tmp_path: Path,
) -> None:
    events: list = []
    trainer = Trainer(RunConfig(**FAST), tmp_path, events.append)
    real = trainer.predict
    trainer.predict = lambda images: real(images) * np.nan  # type: ignore[method-assign]
    with pytest.raises(TrainingError) as caught:
        trainer.run()
    message = str(caught.value)
    assert "the validation loss became NaN at epoch 1" in message
    assert "try 0.005" in message and "no checkpoint was saved" in message
    assert "last good checkpoint" not in message
    assert not list(tmp_path.glob("checkpoint-*.npz"))
    assert trainer.summary(final=False)["completed"] is False
    assert [e.reason for e in events if isinstance(e, RunFailed)] == ["nan"]


def test_an_exploding_loss_without_nan_gets_the_learning_rate_hint(tmp_path: Path) -> None:
    trainer = Trainer(RunConfig(**FAST), tmp_path, lambda e: None)
    real = trainer.loss_fn
    calls = {"n": 0}

    def exploding(logits, labels):
        calls["n"] += 1
        loss, grad = real(logits, labels)
        return (loss * 1e5 if calls["n"] > 5 else loss), grad  # epoch 2: finite but absurd

    trainer.loss_fn = exploding
    with pytest.raises(
        TrainingError, match=r"the training loss became .*e\+0\d at epoch 2"
    ) as caught:
        trainer.run()
    assert "learning rate is probably too high" in str(caught.value)
    assert f"last good checkpoint is kept in {tmp_path}" in str(caught.value)
    info, _, _ = load_checkpoint(tmp_path)
    assert info["epoch"] == 1 and all(math.isfinite(r["train_loss"]) for r in info["history"])


def test_non_finite_weights_and_test_loss_are_caught(tmp_path: Path) -> None:
    trainer = Trainer(RunConfig(**{**FAST, "epochs": 1}), tmp_path, lambda e: None)
    name, parameter = next(iter(trainer.model.named_parameters()))
    parameter.data[...] = np.inf
    with pytest.raises(Diverged, match=f"the weights of {name} became NaN or infinite"):
        trainer._check_divergence({}, ())
    with pytest.raises(Diverged, match="the test loss became infinite"):
        check_metrics({"test_loss": math.inf}, 10, ("test_loss",))
    check_metrics({"val_loss": 2.3, "val_acc": 0.1}, 10, ("train_loss", "val_loss"))
    assert exploded(231.0, 10) and not exploded(229.0, 10)


def test_json_output_is_strict(capsys: pytest.CaptureFixture[str]) -> None:
    document = {"final": {"val_loss": float("nan"), "acc": np.float32(0.5)}, "h": [float("inf")]}
    print_json(document)
    text = capsys.readouterr().out
    assert "NaN" not in text.replace("=NaN", "") and "Infinity" not in text
    parsed = json.loads(text, parse_constant=lambda c: pytest.fail(f"bare {c} in JSON"))
    assert parsed["final"] == {"val_loss": None, "acc": 0.5}
    assert parsed["nonfinite"] == ["final.val_loss=NaN", "h[0]=infinite"]
    assert strict_json([1.0, {"a": -math.inf}]) == ([1.0, {"a": None}], ["[1].a=infinite"])
