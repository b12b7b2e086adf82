"""A network that needs more memory than the machine has is refused before training starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from cnntui.cli import main
from cnntui.engine.backend import get_backend
from cnntui.errors import UsageError
from cnntui.train import memory
from cnntui.zoo.spec import load_spec_text

WIDE = """
name = "too-wide"
input = [1, 8, 8]
[[layers]]
type = "conv2d"
out_channels = 65536
kernel_size = 3
padding = 1
[[layers]]
type = "flatten"
[[layers]]
type = "linear"
out_features = 10
"""


def test_the_estimate_counts_parameters_optimiser_and_activations() -> None:
    built = load_spec_text(WIDE)
    params = (65536 * 9 + 65536) + (65536 * 64 * 10 + 10)  # conv, linear
    elements = 65536 * 64 + 10  # outputs of conv and linear (flatten is a view)
    weights_grads_adam = 4 * params * 4
    batch = 32 * (64 * 4 + 2 * elements * 4)  # input, outputs and their gradients
    assert memory.training_bytes(built.module, (1, 8, 8), 32) == weights_grads_adam + batch
    with pytest.raises(UsageError, match=r"needs at least .* GiB, more than the 1.0 GiB"):
        memory.check_fits(built.module, (1, 8, 8), 32, get_backend("cpu"), available=2**30)
    memory.check_fits(built.module, (1, 8, 8), 1, get_backend("cpu"), available=2**40)


def test_train_refuses_it_with_the_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "wide.toml"
    spec.write_text(WIDE, encoding="utf-8")
    monkeypatch.setattr(memory, "machine_bytes", lambda backend: 2**30)
    argv = ["train", str(spec), "--dataset", "digits", "--input-size", "8", "--epochs", "1"]
    assert main([*argv, "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "needs at least" in err and "--batch-size" in err
    assert (
        not list((tmp_path / "run").glob("checkpoint-*")) if (tmp_path / "run").exists() else True
    )
