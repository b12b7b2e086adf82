"""`cnntui export onnx`, `cnntui summary FILE.onnx`, `cnntui models --open FILE.onnx`, and the
Models mode's open dialog with an ONNX file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from cnntui.cli import main  # noqa: E402

SPEC = """\
name = "branchy"
input = [3, 16, 16]

[[layers]]
type = "conv2d"
out_channels = 8
kernel_size = 3
padding = 1

[[layers]]
type = "residual"
body = "pair"
activation = "relu"
repeat = 2

[[layers]]
type = "concat"
branches = ["one", "pool"]

[[layers]]
type = "gap"

[[layers]]
type = "linear"
out_features = 4

[blocks.pair]
[[blocks.pair.layers]]
type = "conv2d"
out_channels = 8
kernel_size = 3
padding = 1
[[blocks.pair.layers]]
type = "batchnorm2d"

[blocks.one]
[[blocks.one.layers]]
type = "conv2d"
out_channels = 4
kernel_size = 1

[blocks.pool]
[[blocks.pool.layers]]
type = "maxpool2d"
kernel_size = 3
stride = 1
padding = 1
"""


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def run_onnx(path: Path, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"input": x})
    return out


def test_summary_of_an_exported_model_is_the_zoo_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "resnet-small.onnx"
    document = run_json(capsys, "export", "onnx", "resnet-small", "-o", str(path), "--json")
    assert document["format"] == "onnx" and document["path"] == str(path)
    assert document["trained_weights"] is False
    onnx.checker.check_model(str(path))
    zoo = run_json(capsys, "summary", "resnet-small", "--json")
    imported = run_json(capsys, "summary", str(path), "--json")
    for key in ("total_params", "trainable_params", "total_macs", "output_shape", "input_shape"):
        assert imported[key] == zoo[key], key
    assert "import_problem" not in imported
    # the same nesting: PyTorch-style names group the layers as the zoo's containers do
    top = run_json(capsys, "summary", str(path), "--json", "--depth", "1")
    assert [layer["name"] for layer in top["layers"]] == [
        layer["name"] for layer in zoo["layers"] if layer["depth"] == 1
    ]
    assert [layer["type"] for layer in imported["layers"] if layer["type"] == "Conv2d"] == [
        layer["type"] for layer in zoo["layers"] if layer["type"] == "Conv2d"
    ]
    # the plain table too
    assert main(["summary", str(path), "--width", "100"]) == 0
    assert "75,290" in capsys.readouterr().out


def test_export_writes_and_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "lenet.onnx"
    assert main(["export", "onnx", "lenet5", "-o", str(path)]) == 0
    assert f"wrote {path}" in capsys.readouterr().out
    model = onnx.load(str(path))
    assert model.opset_import[0].version >= 17
    assert {t.name for t in model.graph.initializer} >= {"c1.weight", "output.bias"}
    x = np.zeros((5, 1, 32, 32), dtype=np.float32)  # any batch size
    assert run_onnx(path, x).shape == (5, 10)
    # no silent overwrite; binary output needs a file
    assert main(["export", "onnx", "lenet5", "-o", str(path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert main(["export", "onnx", "lenet5", "-o", str(path), "--force"]) == 0
    assert main(["export", "onnx", "lenet5", "-o", "-"]) == 2
    assert "binary" in capsys.readouterr().err


def test_export_a_spec_with_branches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cnntui.engine.module import manual_seed
    from cnntui.zoo.spec import load_spec_file
    from cnntui.zoo.summary import summarize

    spec = tmp_path / "branchy.toml"
    spec.write_text(SPEC)
    path = tmp_path / "branchy.onnx"
    manual_seed(3)
    assert main(["export", "onnx", str(spec), "-o", str(path)]) == 0
    manual_seed(3)
    built = load_spec_file(spec)
    for parameter in built.module.parameters():  # the order the export initialises them in
        parameter.materialize()
    built.module.eval()
    x = np.random.default_rng(0).standard_normal((2, 3, 16, 16)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(path, x), built.module.forward(x), rtol=1e-4, atol=1e-5)
    capsys.readouterr()
    imported = run_json(capsys, "summary", str(path), "--json")
    zoo = summarize(built.module, built.input_shape)
    assert (
        imported["total_params"]
        == zoo.total_params
        == 8 * 27 + 8 + 2 * (8 * 72 + 8 + 16) + 8 * 4 + 4 + 12 * 4 + 4
    )
    assert imported["total_macs"] == zoo.total_macs
    assert imported["output_shape"] == [4]


def test_export_a_trained_run_with_its_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from cnntui.train.checkpoint import load_checkpoint
    from cnntui.train.trained import load_trained

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    run = tmp_path / "run"
    argv = ["lenet5", "--dataset", "digits", "--input-size", "8", "--limit", "64", "--epochs", "1"]
    assert main(["train", *argv, "--out", str(run), "--json"]) == 0
    capsys.readouterr()
    path = tmp_path / "trained.onnx"
    document = run_json(capsys, "export", "onnx", str(run), "-o", str(path), "--json")
    assert document["trained_weights"] is True and document["input_shape"] == [1, 8, 8]
    _, state, _ = load_checkpoint(run)
    stored = {t.name: onnx.numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}
    for key, value in state.items():
        if key.endswith(("weight", "bias")):
            np.testing.assert_array_equal(stored[key], value)
    built = load_trained(run)
    x = np.random.default_rng(0).standard_normal((3, 1, 8, 8)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(path, x), built.module.forward(x), rtol=1e-4, atol=1e-5)
    # a folder that is not a run is refused as a spec would be
    assert main(["export", "onnx", str(tmp_path), "-o", str(tmp_path / "x.onnx")]) == 2


def test_models_open_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tiny.onnx"
    assert main(["export", "onnx", "lenet5-8", "-o", str(path)]) == 0
    capsys.readouterr()
    document = run_json(capsys, "models", "--open", str(path), "--json")
    assert document["total_params"] == 19_754 and document["has_weights"] is True
    assert document["problem"] is None and document["output_shape"] == [10]
    assert main(["models", "--open", str(tmp_path / "spec.toml"), "--json"]) == 2


async def test_models_mode_opens_an_onnx_file(tmp_path: Path) -> None:
    from conftest import make_app
    from textual.widgets import Input, Static

    from cnntui.ui.models.screen import ModelsScreen

    path = tmp_path / "resnet-small.onnx"
    assert main(["export", "onnx", "resnet-small", "-o", str(path)]) == 0
    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(50):
            await pilot.pause()
            if isinstance(pilot.app.screen, ModelsScreen):
                break
        screen = pilot.app.screen
        assert isinstance(screen, ModelsScreen)
        await pilot.press("ctrl+o")  # from the zoo list, not only from the spec editor
        await pilot.pause()
        pilot.app.screen.query_one("#path-input", Input).value = str(path)
        await pilot.press("enter")
        await pilot.pause()
        assert screen.summary is not None and screen.summary.total_params == 75_290
        assert "ONNX, with weights" in str(screen.query_one("#models-head", Static).render())
        # a broken file is a notice, not a crash, and the network stays shown
        bad = tmp_path / "bad.onnx"
        bad.write_bytes(b"not a model")
        await pilot.press("ctrl+o")
        await pilot.pause()
        pilot.app.screen.query_one("#path-input", Input).value = str(bad)
        await pilot.press("enter")
        await pilot.pause()
        assert any("bad.onnx" in n.message for n in pilot.app._notifications)
        assert screen.summary is not None and screen.summary.total_params == 75_290
        # choosing a zoo model leaves the file
        screen.show_model("lenet5")
        await pilot.pause()
        assert screen.imported is None and screen.summary.total_params == 61_706
