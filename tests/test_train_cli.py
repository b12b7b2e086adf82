"""`cnntui train`: one JSON document, CSV export, resume, bad input, and signals."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cnntui.cli import main
from cnntui.train.checkpoint import load_checkpoint

FAST = ["lenet5", "--dataset", "digits", "--input-size", "8", "--limit", "320", "--epochs", "2"]


@pytest.fixture(autouse=True)
def _one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")


def test_json_document_and_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "run"
    status = main(["train", *FAST, "--json", "--out", str(out), "--csv", str(tmp_path / "m.csv")])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    doc = json.loads(captured.out)
    assert captured.out.count("\n") == 1
    assert {
        "model",
        "dataset",
        "device",
        "epochs",
        "seed",
        "final",
        "history",
        "images_per_s",
        "checkpoint",
    } <= set(doc)
    assert set(doc["final"]) >= {"train_loss", "train_acc", "val_acc", "test_loss", "test_acc"}
    assert doc["model"] == "lenet5-8" and doc["epochs"] == 2 and len(doc["history"]) == 2
    assert 0 <= doc["final"]["test_acc"] <= 1 and doc["checkpoint"] == str(out)
    rows = list(csv.DictReader((tmp_path / "m.csv").open()))
    assert [int(r["epoch"]) for r in rows] == [1, 2]
    assert float(rows[-1]["val_acc"]) == pytest.approx(doc["history"][-1]["val_acc"])
    # resume to a later epoch, and list runs
    status = main(["train", "--resume", str(out), "--epochs", "3", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert status == 0 and doc["epochs"] == 3 and len(doc["history"]) == 3


def test_plain_output_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", *FAST, "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "epoch   1" in out and "test accuracy" in out
    assert main(["train", "--list-runs", "--json"]) == 0
    runs = json.loads(capsys.readouterr().out)
    assert len(runs) == 1 and runs[0]["finished"] and runs[0]["model"] == "lenet5-8"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lenet5", "--epochs", "0"], "--epochs"),
        (["lenet5", "--dataset", "imagenet"], "unknown data set"),
        (["lenet5", "--dataset", "mnist", "--data-dir", "."], "--download"),
        (["nonet"], "no model"),
        ([], "MODEL"),
        (["--resume", "/nonexistent"], "not a run folder"),
        (["lenet5", "--augment", "spin"], "--augment"),
        (["lenet5", "--lr", "nan"], "--lr"),
        (["lenet5", "--optimizer", "rmsprop"], "invalid choice"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_resume_refuses_changed_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["train", *FAST, "--epochs", "1", "--out", str(tmp_path / "r"), "--json"]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(tmp_path / "r"), "--lr", "0.1"]) == 2
    assert "saved settings" in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_signals_write_a_checkpoint_and_exit(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "run"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cnntui",
            "train",
            "lenet5",
            "--dataset",
            "digits",
            "--epochs",
            "200",
            "--input-size",
            "8",
            "--out",
            str(out),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (out / "run.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, stderr
    doc = json.loads(stdout)
    assert doc["completed"] is False
    info, model, _ = load_checkpoint(out)
    assert info["reason"] == "signal" and model


def test_csv_into_a_missing_folder_is_refused_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "m.csv"
    assert main(["train", *FAST, "--csv", str(target), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
    assert not (tmp_path / "run").exists() and not target.parent.exists()


@pytest.mark.parametrize("command", ["train", "dcgan"])
def test_out_never_creates_missing_folders_above_it(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "typo" / "run"
    argv = [command, *(FAST if command == "train" else []), "--out", str(target)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not an existing folder" in err
    assert not (tmp_path / "typo").exists()
