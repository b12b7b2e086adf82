"""The Conv Lab's backward mode: every stepped gradient equals the engine's backward and
PyTorch's autograd, for convolution (stride, padding, dilation, replicate, ReLU, RGB) and pooling."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from cnntui.conv import kernels
from cnntui.conv.stepper import Stepper, StepSettings
from cnntui.conv.stepper_backward import (
    BackwardStepper,
    learn_kernel,
    upstream_gradient,
)
from cnntui.errors import ShapeError

CONV_CASES = [
    StepSettings(),
    StepSettings(stride=(2, 2)),
    StepSettings(padding=(1, 1)),
    StepSettings(padding=(2, 1), stride=(2, 3)),
    StepSettings(dilation=(2, 2), padding=(1, 1)),
    StepSettings(padding=(1, 1), padding_mode="replicate"),
    StepSettings(padding=(1, 1), bias=0.5, relu=True),
    StepSettings(stride=(3, 3)),  # the floor drops the last rows: they get zero gradient
]


def torch_conv(image: np.ndarray, kernel: np.ndarray, settings: StepSettings, g: np.ndarray):
    x = torch.tensor(image[None], dtype=torch.float64, requires_grad=True)
    w = torch.tensor(kernel[None], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([settings.bias], dtype=torch.float64, requires_grad=True)
    ph, pw = settings.padding
    mode = "replicate" if settings.padding_mode == "replicate" else "constant"
    padded = TF.pad(x, (pw, pw, ph, ph), mode=mode)
    y = TF.conv2d(padded, w, b, stride=settings.stride, dilation=settings.dilation)
    if settings.relu:
        y = torch.relu(y)
    y.backward(torch.tensor(g[None, None]))
    assert x.grad is not None and w.grad is not None and b.grad is not None
    return x.grad.numpy()[0], w.grad.numpy()[0], float(b.grad.numpy()[0])


@pytest.mark.parametrize("settings", CONV_CASES, ids=lambda s: repr(s)[12:60])
@pytest.mark.parametrize("channels", [1, 3])
def test_conv_gradients_match_engine_and_torch(settings: StepSettings, channels: int) -> None:
    rng = np.random.default_rng(channels)
    image = rng.integers(-3, 4, size=(channels, 7, 8)).astype(np.float64)
    kernel = rng.integers(-2, 3, size=(channels, 3, 3)).astype(np.float64)
    forward = Stepper(image, kernel, settings)
    g = rng.integers(-2, 3, size=forward.output_shape).astype(np.float64)
    backward = BackwardStepper(forward, g)
    mine, engine = backward.gradients(), backward.engine_gradients()
    grad_x, grad_w, grad_b = torch_conv(image, kernel, settings, g)
    assert mine.weight is not None and engine.weight is not None
    np.testing.assert_allclose(mine.weight, grad_w, atol=1e-9)
    np.testing.assert_allclose(engine.weight, grad_w, atol=1e-9)
    np.testing.assert_allclose(mine.input, grad_x, atol=1e-9)
    np.testing.assert_allclose(engine.input, grad_x, atol=1e-9)
    np.testing.assert_allclose(mine.grid, engine.grid, atol=1e-9)
    assert mine.bias == pytest.approx(grad_b) and engine.bias == pytest.approx(grad_b)
    # Every step's sum is the entry of the finished gradient it claims to be.
    for index in range(backward.total("weight")):
        step = backward.step("weight", index)
        assert step.value == pytest.approx(mine.weight[step.target])
        assert step.value == pytest.approx(
            float(step.window.reshape(-1) @ step.factors.reshape(-1))
        )
    for index in range(backward.total("input")):
        step = backward.step("input", index)
        assert step.value == pytest.approx(mine.grid[step.target])


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize(
    ("size", "stride", "padding"), [(2, 2, 0), (3, 2, 0), (3, 2, 1), (2, 1, 0), (3, 3, 1)]
)
def test_pool_gradients_match_engine_and_torch(
    kind: str, size: int, stride: int, padding: int
) -> None:
    rng = np.random.default_rng(size * 10 + stride)
    image = rng.permutation(64).reshape(1, 8, 8).astype(np.float64)  # no ties
    settings = StepSettings(
        mode="pool",
        pool_kind=kind,
        pool_size=(size, size),
        stride=(stride, stride),
        padding=(padding, padding),
    )
    forward = Stepper(image, None, settings)
    g = rng.integers(1, 5, size=forward.output_shape).astype(np.float64)
    backward = BackwardStepper(forward, g)
    x = torch.tensor(image[None], dtype=torch.float64, requires_grad=True)
    pool = TF.max_pool2d if kind == "max" else TF.avg_pool2d
    pool(x, size, stride, padding).backward(torch.tensor(g[None, None]))
    assert x.grad is not None
    expected = x.grad.numpy()[0]
    np.testing.assert_allclose(backward.gradients().input, expected, atol=1e-12)
    np.testing.assert_allclose(backward.engine_gradients().input, expected, atol=1e-12)
    last = backward.step("pool", backward.total("pool") - 1)
    np.testing.assert_allclose(last.gradient, backward.grid_gradient())
    step = backward.step("pool", 0)
    if kind == "max":
        assert np.count_nonzero(step.products) == 1 and step.products.sum() == g[0, 0]
    else:
        np.testing.assert_allclose(step.products, g[0, 0] / (size * size))


def test_max_pool_routes_to_the_argmax_only() -> None:
    image = np.array([[[1, 3, 0, 0], [2, 9, 0, 4], [0, 0, 5, 1], [7, 0, 0, 6]]], dtype=float)
    forward = Stepper(image, None, StepSettings(mode="pool", pool_size=(2, 2), stride=(2, 2)))
    grad = BackwardStepper(forward, np.array([[1.0, 2.0], [3.0, 4.0]])).gradients().input[0]
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 3], expected[3, 0], expected[3, 3] = 1, 2, 3, 4
    np.testing.assert_array_equal(grad, expected)


def test_steps_fill_the_gradient_in_order() -> None:
    forward = Stepper(np.arange(25.0).reshape(5, 5), kernels.get("sobel-x").values, StepSettings())
    backward = BackwardStepper(forward, upstream_gradient(forward, "output"))
    step = backward.step("weight", 4)
    flat = step.gradient.reshape(-1)
    assert not np.isnan(flat[:5]).any() and np.isnan(flat[5:]).all()
    assert step.target == (0, 1, 1) and step.source == "input"
    with pytest.raises(IndexError):
        backward.step("weight", 9)
    with pytest.raises(ValueError):
        backward.step("pool", 0)


def test_bad_upstream_and_transposed_are_refused() -> None:
    forward = Stepper(np.ones((5, 5)), np.ones((1, 3, 3)), StepSettings())
    with pytest.raises(ShapeError):
        BackwardStepper(forward, np.ones((2, 2)))
    with pytest.raises(ShapeError):
        upstream_gradient(forward, "nonsense")
    transposed = Stepper(np.ones((3, 3)), np.ones((1, 2, 2)), StepSettings(mode="transposed"))
    with pytest.raises(ShapeError):
        BackwardStepper(transposed, np.ones(transposed.output_shape))


def test_gradient_descent_learns_the_sobel_kernel_from_data() -> None:
    rng = np.random.default_rng(0)
    image = rng.normal(size=(12, 12))
    target = kernels.get("sobel-x").values
    learned, losses = learn_kernel(image, target, steps=300)
    assert losses[-1] < losses[0] * 1e-6
    np.testing.assert_allclose(learned, target, atol=1e-3)


# -- the commands -------------------------------------------------------------------------------


def _run(module, capsys, *argv: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    import argparse

    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    code = module.run(parser.parse_args(list(argv)))
    return code, capsys.readouterr().out


def test_conv_backward_json_matches_torch(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from cnntui import images
    from cnntui.commands import conv

    code, out = _run(
        conv,
        capsys,
        "--image",
        "digit-7",
        "--kernel",
        "laplacian",
        "--stride",
        "2",
        "--padding",
        "1",
        "--backward",
        "--upstream",
        "output",
        "--step",
        "input:30",
        "--json",
    )
    document = json.loads(out)
    assert code == 0 and document["engine_agrees"] is True
    image = images.load("digit-7").pixels
    settings = StepSettings(stride=(2, 2), padding=(1, 1))
    kernel = kernels.get("laplacian").values
    y = Stepper(image, kernel, settings).output()
    grad_x, grad_w, grad_b = torch_conv(image, kernel, settings, y)
    np.testing.assert_allclose(document["weight_gradient"], grad_w, atol=1e-5)
    np.testing.assert_allclose(document["input_gradient"], grad_x, atol=1e-5)
    assert document["bias_gradient"] == pytest.approx(grad_b)
    assert document["step"]["part"] == "input" and document["step"]["text"]


def test_pool_backward_text_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from cnntui.commands import conv, pool
    from cnntui.errors import UsageError

    code, out = _run(pool, capsys, "--image", "digit-7", "--backward", "--step", "pool:0")
    assert code == 0 and "engine backward agrees: yes" in out and "g[0,0]" in out
    with pytest.raises(UsageError, match="--step takes PART:N"):
        _run(conv, capsys, "--image", "digit-7", "--kernel", "sobel-x", "--backward", "--step", "x")
    with pytest.raises(UsageError, match="with --backward only"):
        _run(conv, capsys, "--image", "digit-7", "--kernel", "sobel-x", "--step", "weight:0")
    with pytest.raises(UsageError, match="same size"):
        _run(
            conv,
            capsys,
            "--image",
            "digit-7",
            "--kernel",
            "1,1;1,1",
            "--backward",
            "--target",
            "sobel-x",
        )
