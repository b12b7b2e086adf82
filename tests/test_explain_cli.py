"""`cnntui explain` and `cnntui transfer`: exact JSON, bad input, and the transfer effect; the
`train --init/--freeze` hooks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cnntui.cli import main


@pytest.fixture(autouse=True)
def _one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    status = main(list(argv))
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert captured.out.count("\n") == 1
    return json.loads(captured.out)


@pytest.mark.parametrize("method", ["activations", "saliency", "occlusion", "gradcam"])
def test_explain_json_document(capsys: pytest.CaptureFixture[str], method: str) -> None:
    doc = _json(
        capsys, "explain", "lenet5-digits", "--image", "digit-7", "--method", method, "--json"
    )
    keys = {"model", "input", "prediction", "top", "layers"}
    assert set(doc) == (keys if method == "activations" else keys | {"map"})
    assert doc["model"] == "lenet5-digits"
    assert doc["input"] == {"height": 28, "width": 28, "channels": 1}
    assert doc["prediction"]["label"] == "7"
    assert doc["top"][0] == doc["prediction"] and len(doc["top"]) == 5
    assert [t["probability"] for t in doc["top"]] == sorted(
        (t["probability"] for t in doc["top"]), reverse=True
    )
    assert doc["layers"][0] == {
        "name": "c1",
        "shape": [6, 28, 28],
        "min": doc["layers"][0]["min"],
        "max": doc["layers"][0]["max"],
        "mean": doc["layers"][0]["mean"],
    }
    assert [layer["name"] for layer in doc["layers"]][-1] == "output"
    if method != "activations":
        heat = np.array(doc["map"])
        assert heat.shape == (28, 28) and np.isfinite(heat).all() and heat.max() > 0


def test_explain_shapes_network_and_layer(capsys: pytest.CaptureFixture[str]) -> None:
    doc = _json(
        capsys, "explain", "tinyvgg-shapes", "--image", "shapes:test:3", "--method", "gradcam",
        "--layer", "conv_2_1", "--json",
    )  # fmt: skip
    assert doc["input"] == {"height": 64, "width": 64, "channels": 1}
    assert np.array(doc["map"]).shape == (64, 64)
    doc = _json(capsys, "explain", "lenet5-digits", "--image", "digit-2", "--layer", "s4", "--json")
    assert [layer["name"] for layer in doc["layers"]] == ["s4"]


def test_explain_text_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["explain", "lenet5-digits", "--image", "digit-4", "--method", "saliency", "--ascii"])
        == 0
    )
    out = capsys.readouterr().out
    assert out.isascii() and "prediction 4" in out and "saliency:" in out


@pytest.mark.parametrize(
    "argv,needle",
    [
        (["explain", "nonet", "--image", "digit-1"], "no pretrained network"),
        (["explain", "lenet5-digits", "--image", "no-such"], "no image named"),
        (["explain", "lenet5-digits", "--image", "digits:test:9999"], "INDEX must be"),
        (["explain", "lenet5-digits", "--image", "digits:dev:1"], "unknown split"),
        (["explain", "lenet5-digits", "--image", "nope:test:1"], "unknown data set"),
        (["explain", "lenet5-digits", "--image", "digit-1", "--layer", "c9"], "no layer called"),
        (
            [
                "explain",
                "lenet5-digits",
                "--image",
                "digit-1",
                "--method",
                "saliency",
                "--layer",
                "c1",
            ],
            "--layer applies",
        ),
        (
            [
                "explain",
                "lenet5-digits",
                "--image",
                "digit-1",
                "--method",
                "gradcam",
                "--layer",
                "c5",
            ],
            "spatial",
        ),
        (["transfer", "--per-class", "0"], "--per-class"),
        (["transfer", "--epochs", "0"], "--epochs"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], needle: str
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_explain_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cnntui import images

    # dark ink on white paper, at another size: inverted and fitted like the training digits
    pixels = 1.0 - images.load("digit-3").pixels
    path = tmp_path / "three.pgm"
    path.write_bytes(images.to_netpbm(pixels))
    doc = _json(capsys, "explain", "lenet5-digits", "--image", str(path), "--json")
    assert doc["prediction"]["label"] == "3"


@pytest.mark.slow
def test_transfer_beats_scratch_with_ten_images_per_class(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = _json(capsys, "transfer", "--json")
    assert set(doc) == {"per_class", "scratch", "frozen", "finetuned"}
    assert doc["per_class"] == 10
    scratch = doc["scratch"]["test_acc"]
    assert doc["frozen"]["test_acc"] >= scratch + 0.1
    assert doc["finetuned"]["test_acc"] >= scratch + 0.1
    assert doc["frozen"]["test_acc"] > 0.85


def test_transfer_live_history_and_frozen_base_unchanged() -> None:
    from cnntui.explain import transfer

    points: list[transfer.EpochPoint] = []
    result = transfer.run_transfer(transfer.TransferSettings(per_class=2, epochs=2), points.append)
    assert [(p.way, p.epoch) for p in points] == [(way, e) for way in transfer.WAYS for e in (1, 2)]
    assert result.test_acc["frozen"] == points[3].test_acc


def test_freeze_and_init_helpers() -> None:
    from cnntui import zoo
    from cnntui.engine import module as engine_module
    from cnntui.errors import UsageError
    from cnntui.explain import transfer

    engine_module.manual_seed(0)
    model = zoo.build("lenet5-28")
    for p in model.parameters():
        p.materialize()
    note = transfer.prepare_run_model(model, "lenet5-digits-0-4", "c1,c3")
    assert "init pretrained lenet5-digits-0-4" in note and "fresh: output" in note
    assert "frozen c1, c3" in note
    assert transfer.frozen_layers(model) == ["c1", "c3"]
    assert not model.c1.weight.requires_grad and model.c5.weight.requires_grad
    with pytest.raises(UsageError, match="no layer called 'c7'"):
        transfer.freeze(model, ["c7"])
    with pytest.raises(UsageError, match="neither a pretrained network"):
        transfer.read_init_state("/no/such/run")


def test_train_init_and_freeze(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cnntui.explain import pretrained
    from cnntui.train.checkpoint import load_checkpoint

    out = tmp_path / "run"
    doc = _json(
        capsys, "train", "lenet5", "--dataset", "digits", "--limit", "64", "--epochs", "1",
        "--init", "lenet5-digits", "--freeze", "c1,c3", "--out", str(out), "--json",
    )  # fmt: skip
    assert doc["final"]["test_acc"] > 0.9  # started from trained weights
    _, state, _ = load_checkpoint(out)
    shipped, _ = pretrained.read_npz(pretrained.get_spec("lenet5-digits").path)
    assert np.array_equal(state["c1.weight"], shipped["c1.weight"])  # frozen: not updated
    assert np.array_equal(state["c3.bias"], shipped["c3.bias"])
    assert not np.array_equal(state["c5.weight"], shipped["c5.weight"])  # trained
    assert main(["train", "lenet5", "--freeze", "c1,,c3"]) == 2
    assert main(["train", "lenet5", "--init", "lenet5-digits", "--freeze", "zz"]) == 2


def test_explain_reads_a_trained_network_from_an_onnx_file(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The shipped LeNet-5 written as ONNX and read back classifies every bundled digit as the
    shipped network does, given the normalisation it was trained with; Grad-CAM works on it."""
    pytest.importorskip("onnx")
    from cnntui.cli import main
    from cnntui.explain import pretrained
    from cnntui.zoo.onnx_export import export_onnx

    net = pretrained.load("lenet5-digits")
    path = tmp_path / "digits.onnx"
    path.write_bytes(export_onnx(net.module, net.input_shape, "digits").SerializeToString())
    norm = ["--mean", f"{float(net.mean[0])}", "--std", f"{float(net.std[0])}"]
    for digit in range(10):
        assert main(["explain", str(path), "--image", f"digit-{digit}", *norm, "--json"]) == 0
        document = json.loads(capsys.readouterr().out)
        assert document["prediction"]["label"] == str(digit)
    assert main(["explain", str(path), "--image", "digit-7", "--method", "gradcam", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document["map"]) == 28 and len(document["map"][0]) == 28
    assert main(["explain", str(path), "--image", "digit-7", "--mean", "x"]) == 2
    assert "is not a number" in capsys.readouterr().err
