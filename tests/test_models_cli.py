"""Headless commands: `cnntui models`, `cnntui summary`, `cnntui export pytorch`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cnntui.cli import main
from cnntui.zoo.spec import EXAMPLE_SPEC


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_models_json(capsys) -> None:
    status, out, err = run(capsys, "models", "--json")
    assert status == 0 and not err
    doc = json.loads(out)
    by_name = {m["name"]: m for m in doc["models"]}
    assert by_name["vgg16"]["total_params"] == 138_357_544
    assert by_name["alexnet"]["year"] == 2012
    assert by_name["alexnet"]["top5_error"] == pytest.approx(15.3)
    assert by_name["resnet50"]["input_shape"] == [3, 224, 224]
    assert by_name["lenet5-28"]["trainable_preset"] is True


def test_models_table(capsys) -> None:
    status, out, _ = run(capsys, "models", "--trainable")
    assert status == 0
    assert "lenet5-8" in out and "vgg16" not in out


def test_summary_json_document(capsys) -> None:
    status, out, _ = run(capsys, "summary", "alexnet-torchvision", "--json", "--depth", "1")
    assert status == 0
    doc = json.loads(out)
    assert doc["model"] == "alexnet-torchvision"
    assert doc["input_shape"] == [3, 224, 224]
    assert doc["output_shape"] == [1000]
    assert doc["total_params"] == 61_100_840
    assert doc["trainable_params"] == 61_100_840
    assert doc["non_trainable_params"] == 0
    assert doc["total_macs"] == 714_188_480
    assert [layer["name"] for layer in doc["layers"]] == [
        "features",
        "avgpool",
        "flatten",
        "classifier",
    ]
    first = doc["layers"][0]
    assert first["output_shape"] == [256, 6, 6] and first["depth"] == 1
    assert {"name", "type", "depth", "output_shape", "params", "macs"} <= set(first)


def test_summary_table_fits_the_width(capsys) -> None:
    for width in (60, 80, 120):
        status, out, _ = run(capsys, "summary", "vgg16", "--width", str(width))
        assert status == 0
        assert max(len(line) for line in out.splitlines()) <= width
        assert "138,357,544" in out
        assert "102,764,544" in out  # never cut mid-number


def test_summary_ascii_has_only_ascii(capsys) -> None:
    status, out, _ = run(capsys, "summary", "resnet18", "--depth", "2", "--ascii", "--width", "90")
    assert status == 0
    assert out.isascii()


def test_summary_other_input_and_options(capsys) -> None:
    status, out, _ = run(
        capsys, "summary", "resnet18", "--input", "3x64x64", "--option", "num_classes=10", "--json"
    )
    doc = json.loads(out)
    assert status == 0 and doc["input_shape"] == [3, 64, 64] and doc["output_shape"] == [10]


def test_summary_of_a_spec_file(capsys, tmp_path: Path) -> None:
    spec = tmp_path / "mine.toml"
    spec.write_text(EXAMPLE_SPEC)
    status, out, _ = run(capsys, "summary", str(spec), "--json")
    doc = json.loads(out)
    assert status == 0 and doc["model"] == "my-lenet" and doc["output_shape"] == [10]


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["summary", "vgg17"], "no model called 'vgg17'"),
        (["summary", "alexnet", "--input", "3x224x224"], "layer fc6"),
        (["summary", "lenet5", "--input", "3x3"], "--input"),
        (["summary", "lenet5", "--depth", "0"], "--depth"),
        (["summary", "missing-file.toml"], "cannot read"),
        (["summary", "vgg16", "--option", "colour=red"], "no option colour"),
        (["export", "pytorch", "nope"], "no model called"),
    ],
)
def test_bad_input_is_one_line_and_status_2(capsys, argv: list[str], reason: str) -> None:
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert reason in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_invalid_spec_reports_its_line(capsys, tmp_path: Path) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text(
        EXAMPLE_SPEC.replace("out_features = 120", "out_features = 120\nin_features = 100")
    )
    status, _, err = run(capsys, "summary", str(spec))
    assert status == 2
    assert "bad.toml: line " in err and "expects 100 inputs, gets 16×5×5 = 400" in err


def test_export_writes_a_file(capsys, tmp_path: Path) -> None:
    target = tmp_path / "net.py"
    status, out, _ = run(capsys, "export", "pytorch", "lenet5", "-o", str(target), "--json")
    assert status == 0
    doc = json.loads(out)
    assert doc["total_params"] == 61_706 and doc["path"] == str(target)
    assert "def build() -> nn.Module:" in target.read_text()
    status, _, err = run(capsys, "export", "pytorch", "lenet5", "-o", str(target))
    assert status == 2 and "already exists" in err
    status, out, _ = run(capsys, "export", "pytorch", "lenet5", "-o", "-")
    assert status == 0 and out.startswith('"""lenet5')


def test_models_ascii_listing(capsys, monkeypatch) -> None:
    monkeypatch.setenv("CNNTUI_ASCII", "1")
    status, out, _ = run(capsys, "models")
    assert status == 0 and out.isascii() and "resnet152" in out
