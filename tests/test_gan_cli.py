"""`cnntui gan` and `cnntui dcgan` on the command line: JSON shapes, files, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cnntui.cli import main


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(list(argv)) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    return json.loads(out)


def test_gan_json_history_starts_before_training(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "gan",
        "--data",
        "moons",
        "--steps",
        "60",
        "--seed",
        "1",
        "--record-every",
        "20",
        "--json",
    )
    assert set(doc) == {"steps", "d_loss", "g_loss", "js_divergence", "history"}
    assert doc["steps"] == 60
    assert [h["step"] for h in doc["history"]] == [0, 20, 40, 60]
    assert all(set(h) == {"step", "d_loss", "g_loss", "js_divergence"} for h in doc["history"])
    assert doc["history"][-1]["js_divergence"] == doc["js_divergence"]
    assert 0 <= doc["js_divergence"] <= 1


def test_gan_zero_steps_and_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "gan", "--steps", "0", "--json")
    assert doc["steps"] == 0 and len(doc["history"]) == 1
    assert main(["gan", "--steps", "10", "--data", "line"]) == 0
    assert "JS divergence" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["gan", "--data", "spiral"], "invalid choice"),
        (["gan", "--steps", "-3"], "--steps"),
        (["gan", "--d-steps", "0"], "--d-steps"),
        (["gan", "--noise-dim", "99"], "--noise-dim"),
        (["dcgan", "--dataset", "cifar"], "invalid choice"),
        (["dcgan", "--epochs", "0"], "--epochs"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


def test_dcgan_writes_readable_samples_and_resumes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from cnntui.gan.images import pillow_available, read_pgm

    out = tmp_path / "run"
    doc = run_json(
        capsys,
        "dcgan",
        "--dataset",
        "digits",
        "--epochs",
        "1",
        "--batch",
        "256",
        "--out",
        str(out),
        "--json",
    )
    assert set(doc) == {"epochs", "d_loss", "g_loss", "samples", "checkpoint"}
    assert doc["epochs"] == 1 and Path(doc["checkpoint"]).is_file()
    pgms = [p for p in doc["samples"] if p.endswith(".pgm")]
    assert len(pgms) == 1 and (len(doc["samples"]) == 2) == pillow_available()
    picture = read_pgm(pgms[0])
    assert picture.shape == (73, 73) and picture.dtype == np.uint8 and picture.max() > picture.min()
    # the same folder again needs --resume, and a resume continues to the new total
    assert main(["dcgan", "--epochs", "2", "--out", str(out)]) == 2
    assert "--resume" in capsys.readouterr().err
    doc = run_json(
        capsys, "dcgan", "--epochs", "2", "--batch", "256", "--out", str(out), "--resume", "--json"
    )
    assert doc["epochs"] == 2 and len([p for p in doc["samples"] if p.endswith(".pgm")]) == 2
    assert main(["dcgan", "--dataset", "shapes", "--out", str(out), "--resume"]) == 2
    assert "digits" in capsys.readouterr().err


def test_dcgan_checkpoints_on_a_signal_and_resumes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run"
    argv = ["dcgan", "--epochs", "50", "--batch", "64", "--out", str(out)]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cnntui", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().startswith("DCGAN on digits")
    time.sleep(1.0)  # a few steps into the epoch
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, stderr
    assert "interrupted: checkpoint saved; continue with: cnntui dcgan" in stderr
    document = json.loads((out / "run.json").read_text(encoding="utf-8"))
    # stopped where it was (or, should the signal land between epochs, at that epoch's end)
    assert document["partial"] is not None or document["epoch"] >= 1
    if document["partial"] is not None:
        assert document["partial"]["batches"] >= 1
    target = str(document["epoch"] + 1)
    doc = run_json(capsys, *argv[:2], target, *argv[3:], "--resume", "--json")
    assert doc["epochs"] == document["epoch"] + 1 and Path(doc["checkpoint"]).is_file()
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["partial"] is None
