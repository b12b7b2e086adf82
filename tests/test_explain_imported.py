"""The learner's own ONNX network made ready for Explain (`cnntui.explain.imported`): the shipped
LeNet-5 written as ONNX reads back as the same network, a network with branches stays one block,
a final Softmax is left out, and every kind of bad file is one line naming it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnx")

from cnntui import zoo  # noqa: E402
from cnntui.engine import nn  # noqa: E402
from cnntui.engine.graph import Graph, Softmax  # noqa: E402
from cnntui.errors import UsageError  # noqa: E402
from cnntui.explain import pretrained  # noqa: E402
from cnntui.explain.imported import (  # noqa: E402
    ImportedNetwork,
    load_network,
    normalisation,
    parse_numbers,
)
from cnntui.explain.inputs import load_input  # noqa: E402
from cnntui.explain.network import flat_layers  # noqa: E402
from cnntui.explain.presets import norm_of, validate  # noqa: E402
from cnntui.explain.session import ExplainSession  # noqa: E402
from cnntui.zoo.onnx_export import export_onnx_bytes  # noqa: E402


def write(path: Path, module: object, shape: tuple[int, ...], weights: bool = True) -> Path:
    path.write_bytes(export_onnx_bytes(module, shape, path.stem, weights=weights))  # type: ignore[arg-type]
    return path


@pytest.fixture(scope="module")
def digits_onnx(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pretrained.Pretrained]:
    """The shipped `lenet5-digits` written as ONNX (batch axis symbolic, as exporters write it)."""
    net = pretrained.load("lenet5-digits")
    path = tmp_path_factory.mktemp("onnx") / "digits.onnx"
    return write(path, net.module, net.input_shape), net


def test_a_plain_stack_reads_back_as_the_shipped_network(
    digits_onnx: tuple[Path, pretrained.Pretrained],
) -> None:
    path, shipped = digits_onnx
    mean, std = (float(shipped.mean[0]),), (float(shipped.std[0]),)
    net = load_network(path, mean, std)
    assert isinstance(net, ImportedNetwork)
    assert net.spec.name == "digits.onnx" and net.spec.key == str(path)
    assert net.input_shape == (1, 28, 28) and net.spec.dataset == "digits"
    assert net.spec.plain and isinstance(net.module, nn.Sequential)
    assert net.class_names == tuple(str(d) for d in range(10))
    assert [n for n, _ in flat_layers(net.module)] == [n for n, _ in flat_layers(shipped.module)]
    picture = load_input("digit-7", net.spec.dataset, net.input_shape)
    np.testing.assert_allclose(net.normalize(picture.pixels), shipped.normalize(picture.pixels))
    ours = ExplainSession(net)
    theirs = ExplainSession(shipped)
    ours.set_input(picture.pixels, "digit-7")
    theirs.set_input(picture.pixels, "digit-7")
    np.testing.assert_allclose(ours.trace.logits, theirs.trace.logits, rtol=1e-4, atol=1e-4)
    assert ours.probabilities().top(1) == [7]
    np.testing.assert_allclose(
        net.denormalize(net.normalize(picture.pixels)), picture.pixels, atol=1e-6
    )


def test_a_network_with_branches_is_one_block(tmp_path: Path) -> None:
    net = load_network(write(tmp_path / "res.onnx", zoo.build("resnet-small"), (3, 32, 32)))
    assert not net.spec.plain and isinstance(net.module, Graph)
    assert net.spec.dataset == "" and net.input_shape == (3, 32, 32)
    assert len(net.class_names) == 10
    session = ExplainSession(net)
    assert session.trace.names == ["graph"] and session.trace.logits.shape == (10,)
    # The mean and std apply per channel: one number for all three, or three.
    net = load_network(tmp_path / "res.onnx", (0.5, 0.4, 0.3), (0.2,))
    assert net.mean.tolist() == pytest.approx([0.5, 0.4, 0.3])
    assert net.std.tolist() == pytest.approx([0.2, 0.2, 0.2])


def test_a_final_softmax_is_left_out(tmp_path: Path) -> None:
    """The view computes the softmax itself: a network ending in one gives its scores."""
    body = zoo.build("lenet5-28")
    body(np.zeros((1, 1, 28, 28), np.float32))  # initialise the lazy layers
    stack = nn.Sequential(body, Softmax())
    net = load_network(write(tmp_path / "soft.onnx", stack, (1, 28, 28)))
    assert not any(isinstance(m, Softmax) for _, m in flat_layers(net.module))
    x = np.random.default_rng(0).random((1, 1, 28, 28)).astype(np.float32)
    np.testing.assert_allclose(net.module(x), body(x), rtol=1e-5, atol=1e-5)


def test_bad_files_are_one_line_naming_the_file(tmp_path: Path) -> None:
    cases: list[tuple[Path, str]] = []
    cases.append((tmp_path / "missing.onnx", "missing.onnx"))
    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a protobuf at all \x00\xff" * 3)
    cases.append((garbage, "garbage.onnx"))
    arch = write(tmp_path / "arch.onnx", zoo.build("lenet5"), (1, 32, 32), weights=False)
    cases.append((arch, "arch.onnx holds no weights"))
    mlp = nn.Sequential(nn.Linear(12, 4))
    cases.append((write(tmp_path / "mlp.onnx", mlp, (12,)), "not an image"))
    maps = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1))
    cases.append((write(tmp_path / "maps.onnx", maps, (1, 8, 8)), "vector of class scores"))
    for path, expected in cases:
        with pytest.raises(UsageError) as caught:
            load_network(path)
        message = str(caught.value)
        assert expected in message and path.name in message and "\n" not in message
    small = write(tmp_path / "small.onnx", zoo.build("lenet5-8"), (1, 8, 8))
    assert load_network(small).spec.plain
    with pytest.raises(UsageError, match=r"small\.onnx needs 35,880 multiply-adds per image"):
        load_network(small, max_macs=10_000)


def test_an_unsupported_operator_is_named(tmp_path: Path) -> None:
    from test_onnx_import import _tiny_model

    path = tmp_path / "odd.onnx"
    path.write_bytes(_tiny_model(extra_op="Erf").SerializeToString())  # type: ignore[attr-defined]
    with pytest.raises(UsageError, match=r"odd\.onnx: .*Erf"):
        load_network(path)


def test_numbers_and_normalisation() -> None:
    assert parse_numbers("0.5") == (0.5,)
    assert parse_numbers("0.485,0.456,0.406") == (0.485, 0.456, 0.406)
    for bad in ("", "x", "1,,2", "nan", "1,2,3,4,5"):
        with pytest.raises(UsageError, match="not a number"):
            parse_numbers(bad)
    mean, std = normalisation((0.1,), (0.2, 0.3, 0.4), 3, "n.onnx")
    assert mean.shape == std.shape == (3,)
    for args in (((0.1, 0.2), (1.0,)), ((0.0,), (0.0,)), ((0.0,), (1.0, 1.0))):
        with pytest.raises(UsageError, match=r"n\.onnx: mean and std take 1 or 3"):
            normalisation(*args, 3, "n.onnx")


def test_explain_links_take_an_onnx_file() -> None:
    assert validate({"model": "nets/mine.onnx", "mean": "0.13", "std": "0.31"}) == []
    assert norm_of({"model": "mine.ONNX", "std": "0.5,0.5,0.5"}) == ((0.0,), (0.5, 0.5, 0.5))
    assert norm_of({"model": "lenet5-digits"}) is None
    assert validate({"model": "lenet5-digits", "mean": "0.1"})  # mean needs an ONNX model
    assert validate({"model": "mine.onnx", "std": "0"})
    assert validate({"model": "mine.onnx", "mean": "x"})
    assert validate({"model": "mine.pt"})
    with pytest.raises(UsageError, match=r"g\.onnx: mean and std take one number each"):
        normalisation((0.1, 0.2, 0.3), (1.0,), 1, "g.onnx")


def test_explain_without_image_opens_the_app_or_says_why(
    digits_onnx: tuple[Path, pretrained.Pretrained],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`cnntui explain FILE.onnx` without `--image` is the app; a file that cannot be used, or
    `--json`, or no terminal, is one line and exit 2 before any app starts."""
    from cnntui.cli import main
    from cnntui.ui.app import CnnTuiApp

    started: list[object] = []
    monkeypatch.setattr(CnnTuiApp, "run", lambda self, **kw: started.append(kw))
    path, _shipped = digits_onnx
    assert main(["explain", str(path), "--json"]) == 2
    assert "--json needs --image" in capsys.readouterr().err
    (tmp_path / "bad.onnx").write_bytes(b"nothing")
    assert main(["explain", str(tmp_path / "bad.onnx")]) == 2
    assert "bad.onnx" in capsys.readouterr().err
    assert main(["explain", "lenet5-digitz"]) == 2
    assert "lenet5-digitz" in capsys.readouterr().err
    assert main(["explain", str(path)]) == 2  # pytest's stdin is not a terminal
    assert "needs a terminal" in capsys.readouterr().err
    assert started == []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    assert main(["explain", str(path), "--mean", "0.3", "--std", "0.25"]) == 0
    assert len(started) == 1 and callable(started[0]["auto_pilot"])  # type: ignore[index]


def test_class_names_from_the_files_metadata(tmp_path: Path) -> None:
    import json

    import onnx

    from cnntui.explain.imported import class_names
    from cnntui.zoo.onnx_export import export_onnx

    shapes = ["circle", "square", "triangle", "cross", "star"]
    model = export_onnx(zoo.build("tinyvgg", num_classes=5, in_channels=1), (1, 64, 64), "s")
    onnx.helper.set_model_props(model, {"classes": json.dumps(shapes)})
    path = tmp_path / "shapes.onnx"
    path.write_bytes(model.SerializeToString())
    net = load_network(path)
    assert net.class_names == tuple(shapes) and net.spec.dataset == "digits"
    assert class_names({"labels": "cat, dog\nbird"}, 3) == ("cat", "dog", "bird")
    assert class_names({"class_names": '{"0": "no", "1": "yes"}'}, 2) == ("no", "yes")
    assert class_names({"classes": '["a", "b"]'}, 3) == ("0", "1", "2")  # the count must fit
    assert class_names({"classes": "a,,c"}, 3) == ("0", "1", "2")
    assert class_names({}, 2) == ("0", "1")
