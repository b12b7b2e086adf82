"""Reading ONNX files that PyTorch wrote, and files that are not what they claim to be.

PyTorch models are built here in plain `torch.nn` in torchvision's layouts (LeNet-5, AlexNet,
ResNet-18, an Inception-style block), exported with `torch.onnx.export` (the TorchScript exporter,
which needs nothing beyond torch), and imported: parameter counts and output shapes must equal
what PyTorch reports, and the imported network must compute what PyTorch computes.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from cnntui.cli import main  # noqa: E402
from cnntui.engine.graph import Graph  # noqa: E402
from cnntui.zoo.onnx_import import OnnxImportError, load_onnx, load_onnx_bytes  # noqa: E402
from cnntui.zoo.summary import summarize  # noqa: E402


def _torch() -> object:
    return pytest.importorskip("torch")


def export_torch(
    model: object, input_shape: tuple[int, ...], path: Path, dynamic_batch: bool = True
) -> Path:
    torch = _torch()
    model.eval()  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(  # type: ignore[attr-defined]
            model,
            (torch.zeros(1, *input_shape),),  # type: ignore[attr-defined]
            str(path),
            dynamo=False,
            # keep batch norm a layer of its own (the default folds it into the convolution)
            training=torch.onnx.TrainingMode.PRESERVE,  # type: ignore[attr-defined]
            input_names=["x"],
            output_names=["y"],
            dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}} if dynamic_batch else None,
        )
    return path


def _check_against_torch(
    model: object, input_shape: tuple[int, ...], path: Path, dynamic_batch: bool = True
) -> None:
    torch = _torch()
    export_torch(model, input_shape, path, dynamic_batch)
    imported = load_onnx(path)
    assert imported.problem is None
    assert imported.has_weights
    assert imported.input_shape == input_shape
    summary = summarize(imported.module, imported.input_shape)
    torch_params = sum(p.numel() for p in model.parameters())  # type: ignore[attr-defined]
    assert summary.total_params == torch_params
    x = np.random.default_rng(0).standard_normal((2, *input_shape)).astype(np.float32)
    with torch.no_grad():  # type: ignore[attr-defined]
        expected = model(torch.from_numpy(x)).numpy()  # type: ignore[attr-defined,operator]
    assert summary.output_shape == expected.shape[1:]
    imported.module.eval()
    got = imported.module.forward(x)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


# -- PyTorch-built networks ----------------------------------------------------------------------


def t_lenet5() -> object:
    nn = _torch().nn  # type: ignore[attr-defined]
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5),
        nn.Tanh(),
        nn.AvgPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120),
        nn.Sigmoid(),
        nn.Linear(120, 84),
        nn.LeakyReLU(0.2),
        nn.Dropout(0.5),
        nn.Linear(84, 10),
        nn.Softmax(dim=1),
    )


def t_alexnet() -> object:
    """torchvision's AlexNet layout (no LRN: PyTorch's exporter spells LRN out in a dozen
    arithmetic operators; LRN import is covered by the zoo's AlexNet round trip)."""
    nn = _torch().nn  # type: ignore[attr-defined]

    class AlexNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, 11, stride=4, padding=2),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2),
                nn.Conv2d(64, 192, 5, padding=2),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2),
                nn.Conv2d(192, 384, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.Conv2d(384, 256, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.Conv2d(256, 256, 3, padding=1),
                nn.ReLU(inplace=True),
                nn.MaxPool2d(3, 2),
            )
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
            self.classifier = nn.Sequential(
                nn.Dropout(),
                nn.Linear(256 * 6 * 6, 4096),
                nn.ReLU(inplace=True),
                nn.Dropout(),
                nn.Linear(4096, 4096),
                nn.ReLU(inplace=True),
                nn.Linear(4096, 1000),
            )

        def forward(self, x: object) -> object:
            torch = _torch()
            x = self.avgpool(self.features(x))
            return self.classifier(torch.flatten(x, 1))  # type: ignore[attr-defined]

    return AlexNet()


def t_resnet18(num_classes: int = 1000, width: int = 64) -> object:
    """torchvision's ResNet-18 layout (BasicBlock, 1×1 downsample, adaptive average pool)."""
    torch = _torch()
    nn = torch.nn  # type: ignore[attr-defined]
    F = nn.functional

    class Block(nn.Module):
        def __init__(self, cin: int, planes: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or cin != planes:
                self.downsample = nn.Sequential(
                    nn.Conv2d(cin, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)
                )

        def forward(self, x: object) -> object:
            y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
            return F.relu(y + (x if self.downsample is None else self.downsample(x)))

    class ResNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            cin = width
            for i, planes in enumerate((width, 2 * width, 4 * width, 8 * width)):
                stride = 1 if i == 0 else 2
                layer = nn.Sequential(Block(cin, planes, stride), Block(planes, planes, 1))
                setattr(self, f"layer{i + 1}", layer)
                cin = planes
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(cin, num_classes)

        def forward(self, x: object) -> object:
            x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
            for i in range(1, 5):
                x = getattr(self, f"layer{i}")(x)
            x = self.avgpool(x)
            return self.fc(x.view(x.size(0), -1))  # type: ignore[attr-defined]

    model = ResNet()
    generator = torch.Generator().manual_seed(0)  # type: ignore[attr-defined]
    for m in model.modules():  # statistics away from (0, 1): a wrong import would show
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.1, generator=generator)
            m.running_var.uniform_(0.5, 1.5, generator=generator)
    return model


def t_inception_net() -> object:
    """Inception-style branches joined by Concat (one grouped, one dilated), a ceil-mode pool,
    a transposed convolution and a batch norm on features."""
    nn = _torch().nn  # type: ignore[attr-defined]
    torch = _torch()

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.stem = nn.Conv2d(3, 8, 3, padding=1, dilation=1)
            self.b1 = nn.Conv2d(8, 4, 1, groups=2)
            self.b2 = nn.Sequential(nn.Conv2d(8, 4, 1), nn.Conv2d(4, 6, 3, padding=2, dilation=2))
            self.b3 = nn.Sequential(nn.MaxPool2d(3, 1, 1, ceil_mode=True), nn.Conv2d(8, 2, 1))
            self.up = nn.ConvTranspose2d(12, 5, 4, stride=2, padding=1)
            self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.head = nn.Sequential(nn.Flatten(), nn.Linear(5 * 15 * 15, 7), nn.BatchNorm1d(7))

        def forward(self, x: object) -> object:
            x = torch.relu(self.stem(x))  # type: ignore[attr-defined]
            x = torch.cat([self.b1(x), self.b2(x), self.b3(x)], 1)  # type: ignore[attr-defined]
            return self.head(self.pool(self.up(x)))

    return Net()


def test_lenet5_from_pytorch(tmp_path: Path) -> None:
    _check_against_torch(t_lenet5(), (1, 28, 28), tmp_path / "lenet.onnx")


def test_resnet18_from_pytorch_matches_torchvision_counts(tmp_path: Path) -> None:
    model = t_resnet18()
    _check_against_torch(model, (3, 224, 224), tmp_path / "resnet18.onnx")
    imported = load_onnx(tmp_path / "resnet18.onnx")
    summary = summarize(imported.module, imported.input_shape)
    assert summary.total_params == 11_689_512  # torchvision's resnet18
    assert summary.total_macs == 1_814_073_344  # the zoo's resnet18, counted the same way
    # layer names follow PyTorch's state-dict keys
    names = {name for name, _ in imported.module.named_parameters()}
    assert {"conv1.weight", "layer2.0.downsample.0.weight", "fc.bias"} <= names


def test_branches_and_transposed_convolution_from_pytorch(tmp_path: Path) -> None:
    _check_against_torch(t_inception_net(), (3, 15, 15), tmp_path / "branches.onnx")


@pytest.mark.slow
def test_alexnet_from_pytorch(tmp_path: Path) -> None:
    model = t_alexnet()
    # PyTorch writes the adaptive pool only for a fixed input size (batch 1 in the file)
    _check_against_torch(model, (3, 224, 224), tmp_path / "alexnet.onnx", dynamic_batch=False)
    imported = load_onnx(tmp_path / "alexnet.onnx")
    summary = summarize(imported.module, imported.input_shape)
    assert summary.total_params == 61_100_840  # torchvision's alexnet
    assert summary.total_macs == 714_188_480  # the zoo's alexnet-torchvision, counted the same way


def test_graph_backward_matches_pytorch(tmp_path: Path) -> None:
    """The imported DAG trains: input and weight gradients equal PyTorch's through residuals."""
    torch = _torch()
    model = t_resnet18(num_classes=5, width=8)
    path = export_torch(model, (3, 32, 32), tmp_path / "small.onnx")
    imported = load_onnx(path)
    graph = imported.module
    assert isinstance(graph, Graph)
    graph.eval()
    x = np.random.default_rng(1).standard_normal((2, 3, 32, 32)).astype(np.float32)
    out = graph.forward(x)
    grad_out = np.random.default_rng(2).standard_normal(out.shape).astype(np.float32)
    grad_in = graph.backward(grad_out)
    again, activations = graph.forward_with_activations(x)
    np.testing.assert_array_equal(again, out)
    assert activations["fc"] is not None and np.array_equal(activations["fc"], out)
    assert activations["layer1.0.conv1"].shape == (2, 8, 8, 8)
    tx = torch.from_numpy(x).requires_grad_(True)  # type: ignore[attr-defined]
    model.eval()  # type: ignore[attr-defined]
    model(tx).backward(torch.from_numpy(grad_out))  # type: ignore[attr-defined,operator]
    np.testing.assert_allclose(grad_in, tx.grad.numpy(), rtol=1e-4, atol=1e-5)
    params = dict(graph.named_parameters())
    ref = dict(model.named_parameters())  # type: ignore[attr-defined]
    for key in ("conv1.weight", "layer3.0.downsample.0.weight", "fc.weight", "fc.bias"):
        np.testing.assert_allclose(
            params[key].grad, ref[key].grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=key
        )


# -- what the importer refuses, and how it says so ------------------------------------------------


def _tiny_model(pads: list[int] | None = None, extra_op: str | None = None) -> object:
    helper = onnx.helper
    weight = onnx.numpy_helper.from_array(np.ones((2, 1, 3, 3), dtype=np.float32), "conv.weight")
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight"], ["c"], name="conv", pads=pads or [1] * 4)
    ]
    last = "c"
    if extra_op:
        nodes.append(helper.make_node(extra_op, ["c"], ["e"], name="odd"))
        last = "e"
    nodes.append(helper.make_node("Relu", [last], ["y"], name="relu"))
    graph = helper.make_graph(
        nodes,
        "tiny",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["N", 1, 8, 8])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, None)],
        initializer=[weight],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_unsupported_operator_is_named_and_the_rest_summarised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd.onnx"
    onnx.save(_tiny_model(extra_op="Erf"), str(path))
    imported = load_onnx(path)
    assert imported.problem is not None
    assert imported.problem.startswith("node odd (Erf, graph.node[1] of 3)")
    assert main(["summary", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert document["total_params"] == 18 and document["output_shape"] == [2, 8, 8]
    assert [layer["type"] for layer in document["layers"]] == ["Conv2d"]
    assert "node odd (Erf, graph.node[1] of 3)" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_asymmetric_padding_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "asym.onnx"
    onnx.save(_tiny_model(pads=[0, 0, 1, 1]), str(path))
    problem = load_onnx(path).problem or ""
    assert "asymmetric padding [0, 0, 1, 1]" in problem and "node conv (Conv" in problem


def test_malformed_node_is_named_not_a_crash(tmp_path: Path) -> None:
    model = _tiny_model(extra_op="LRN")  # LRN without its required `size`
    imported = load_onnx_bytes(model.SerializeToString(), "lrn.onnx")
    assert imported.problem == "node odd (LRN, graph.node[1] of 3): attribute 'size' is missing"
    assert summarize(imported.module, imported.input_shape).total_params == 18


def test_same_padding_is_accepted(tmp_path: Path) -> None:
    model = _tiny_model(pads=[0, 0, 0, 0])
    model.graph.node[0].ClearField("attribute")
    model.graph.node[0].attribute.extend([onnx.helper.make_attribute("auto_pad", "SAME_UPPER")])
    imported = load_onnx_bytes(model.SerializeToString(), "same.onnx")
    assert imported.problem is None
    assert summarize(imported.module, imported.input_shape).output_shape == (2, 8, 8)


def _one_line_exit_2(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_hostile_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _tiny_model().SerializeToString()

    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(good[: len(good) // 2])
    assert "truncated.onnx" in _one_line_exit_2(capsys, "summary", str(truncated))

    png = tmp_path / "picture.onnx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert "picture.onnx is not" in _one_line_exit_2(capsys, "summary", str(png))

    text = tmp_path / "notes.onnx"
    text.write_text("just some text, not a model\n")
    assert "notes.onnx is not" in _one_line_exit_2(capsys, "summary", str(text))

    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    assert "not an ONNX model" in _one_line_exit_2(capsys, "summary", str(empty))

    huge = tmp_path / "huge.onnx"
    with open(huge, "wb") as handle:  # sparse: takes no disk space
        handle.truncate((1 << 30) + 1)
    assert "MiB" in _one_line_exit_2(capsys, "summary", str(huge))

    missing = _tiny_model()
    del missing.graph.initializer[:]
    path = tmp_path / "missing.onnx"
    path.write_bytes(missing.SerializeToString())
    assert "conv.weight" in _one_line_exit_2(capsys, "summary", str(path))

    external = _tiny_model()
    tensor = external.graph.initializer[0]
    tensor.ClearField("raw_data")
    tensor.ClearField("float_data")
    tensor.data_location = onnx.TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "/etc/passwd"
    path = tmp_path / "external.onnx"
    path.write_bytes(external.SerializeToString())
    assert "external file" in _one_line_exit_2(capsys, "summary", str(path))

    assert "cannot read" in _one_line_exit_2(capsys, "summary", str(tmp_path / "absent.onnx"))


def test_size_cap_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "small.onnx"
    path.write_bytes(_tiny_model().SerializeToString())
    with pytest.raises(OnnxImportError, match="up to 0 MiB"):
        load_onnx(path, max_bytes=10)


def test_symbolic_spatial_size_needs_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = _tiny_model()
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = "H", "W"
    path = tmp_path / "any-size.onnx"
    path.write_bytes(model.SerializeToString())
    assert "--input" in _one_line_exit_2(capsys, "summary", str(path))
    assert main(["summary", str(path), "--input", "1x20x20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["output_shape"] == [2, 20, 20]


def test_without_onnx_the_commands_say_how_to_get_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    path = tmp_path / "m.onnx"
    path.write_bytes(_tiny_model().SerializeToString())
    monkeypatch.setitem(sys.modules, "onnx", None)  # `import onnx` now raises ImportError
    for argv in (
        ("summary", str(path)),
        ("export", "onnx", "lenet5", "-o", str(tmp_path / "l.onnx")),
    ):
        assert "pip install 'cnntui[onnx]'" in _one_line_exit_2(capsys, *argv)
    assert not (tmp_path / "l.onnx").exists()
