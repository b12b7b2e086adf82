"""Finite-difference gradient checks in float64 for every layer and loss of the engine.

Each check compares the analytic gradients (input and every parameter) of L = Σ out·R, R random,
with central differences. Sizes are tiny so that the whole file runs in seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cnntui.engine import functional as F
from cnntui.engine import nn

EPS = 1e-6
TOL = 1e-6


def numeric_grad(f: Any, array: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(array)
    flat, gflat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + EPS
        up = f()
        flat[i] = old - EPS
        down = f()
        flat[i] = old
        gflat[i] = (up - down) / (2 * EPS)
    return grad


def rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))


def check(
    layer: nn.Module,
    shape: tuple[int, ...],
    seed: int = 0,
    positive: bool = False,
    train: bool = True,
) -> None:
    rng = np.random.default_rng(seed)
    layer.to(dtype=np.float64)
    layer.train(train)
    for p in layer.parameters():
        p.data = rng.standard_normal(p.shape)
    x = rng.standard_normal(shape)
    if positive:
        x = np.abs(x) + 0.5
    out = layer.forward(x)
    r = rng.standard_normal(out.shape)

    def loss() -> float:
        if hasattr(layer, "running_mean") and layer.running_mean is not None:
            saved = (layer.running_mean.copy(), layer.running_var.copy())
        else:
            saved = None
        value = float((layer.forward(x) * r).sum())
        if saved is not None:
            layer.running_mean[...], layer.running_var[...] = saved
        return value

    layer.zero_grad()
    layer.forward(x)
    grad_in = layer.backward(r.copy())
    analytic = {name: p.grad.copy() for name, p in layer.named_parameters()}
    assert grad_in.dtype == np.float64
    assert rel(grad_in, numeric_grad(loss, x)) < TOL, "input gradient"
    for name, p in layer.named_parameters():
        assert rel(analytic[name], numeric_grad(loss, p.data)) < TOL, f"gradient of {name}"


CONV_CASES = [
    dict(in_channels=2, out_channels=3, kernel_size=3),
    dict(in_channels=2, out_channels=3, kernel_size=(3, 2), stride=(2, 1), padding=(1, 2)),
    dict(in_channels=4, out_channels=2, kernel_size=2, stride=3, padding=1, dilation=2, groups=2),
    dict(
        in_channels=2,
        out_channels=2,
        kernel_size=3,
        padding="same",
        dilation=(1, 2),
        groups=2,
        bias=False,
    ),
    dict(in_channels=2, out_channels=2, kernel_size=(2, 4), padding="same"),
    dict(in_channels=1, out_channels=2, kernel_size=3, padding=2, padding_mode="replicate"),
    dict(
        in_channels=2,
        out_channels=1,
        kernel_size=(1, 3),
        stride=(1, 2),
        padding=(2, 1),
        padding_mode="replicate",
    ),
]


@pytest.mark.parametrize("kwargs", CONV_CASES, ids=str)
def test_conv2d_gradients(kwargs: dict[str, Any]) -> None:
    check(nn.Conv2d(**kwargs), (2, kwargs["in_channels"], 7, 6))


@pytest.mark.parametrize("kwargs", CONV_CASES[:5], ids=str)
def test_conv2d_batch_last_layout_gradients(kwargs: dict[str, Any]) -> None:
    from cnntui.engine.functional import BATCH_LAST_MIN

    check(nn.Conv2d(**kwargs), (BATCH_LAST_MIN, kwargs["in_channels"], 5, 4))


def test_conv2d_flat_layout_gradients() -> None:
    # wide, stride-1 input: the contiguous-row column layout with its garbage columns
    check(nn.Conv2d(2, 2, 3, padding=1), (2, 2, 5, 9))
    check(nn.Conv2d(1, 2, (2, 3), dilation=(2, 1)), (1, 1, 6, 11))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(in_channels=2, out_channels=3, kernel_size=3, stride=2, padding=1, output_padding=1),
        dict(
            in_channels=2,
            out_channels=2,
            kernel_size=(2, 3),
            stride=(1, 2),
            padding=(0, 1),
            bias=False,
        ),
        dict(
            in_channels=4,
            out_channels=2,
            kernel_size=3,
            stride=2,
            groups=2,
            dilation=2,
            output_padding=1,
        ),
    ],
    ids=str,
)
@pytest.mark.parametrize("batch", [2, 8], ids=["batch-first", "batch-last"])
def test_conv_transpose2d_gradients(kwargs: dict[str, Any], batch: int) -> None:
    check(nn.ConvTranspose2d(**kwargs), (batch, kwargs["in_channels"], 3, 2))


@pytest.mark.parametrize(
    "layer",
    [
        nn.MaxPool2d(2),
        nn.MaxPool2d(3, stride=2, padding=1),
        nn.MaxPool2d((2, 3), stride=(1, 2), ceil_mode=True),
        nn.MaxPool2d(2, stride=1, dilation=2),
        nn.AvgPool2d(2),
        nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        nn.AvgPool2d((3, 2), stride=(2, 1), padding=(1, 0)),
        nn.AdaptiveAvgPool2d((2, 3)),
        nn.AdaptiveAvgPool2d(1),
        nn.AdaptiveAvgPool2d((4, None)),
    ],
    ids=repr,
)
def test_pooling_gradients(layer: nn.Module) -> None:
    check(layer, (2, 2, 7, 5))


@pytest.mark.parametrize(
    "layer,shape",
    [
        (nn.Linear(5, 3), (4, 5)),
        (nn.Linear(5, 2, bias=False), (2, 3, 5)),
        (nn.ReLU(), (3, 4)),
        (nn.LeakyReLU(0.1), (3, 4)),
        (nn.Sigmoid(), (3, 4)),
        (nn.Tanh(), (3, 4)),
        (nn.Flatten(), (2, 2, 3, 2)),
        (nn.BatchNorm1d(3), (5, 3)),
        (nn.BatchNorm1d(2), (3, 2, 4)),
        (nn.BatchNorm2d(2), (3, 2, 3, 2)),
        (nn.LocalResponseNorm(3, alpha=0.5, beta=0.75, k=1.0), (2, 5, 2, 3)),
        (nn.LocalResponseNorm(4, alpha=0.2, beta=0.6, k=2.0), (1, 6, 2, 2)),
    ],
    ids=lambda v: repr(v) if isinstance(v, nn.Module) else str(v),
)
def test_layer_gradients(layer: nn.Module, shape: tuple[int, ...]) -> None:
    check(layer, shape)


def test_batch_norm_eval_gradients() -> None:
    layer = nn.BatchNorm2d(2)
    layer.to(dtype=np.float64)
    layer.running_mean[...] = [0.3, -0.2]
    layer.running_var[...] = [1.5, 0.7]
    check(layer, (2, 2, 3, 3), train=False)


def test_dropout_gradient_is_the_mask() -> None:
    layer = nn.Dropout(0.3, seed=1).to(dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((4, 6))
    out = layer.forward(x)
    g = np.ones_like(out)
    mask = layer.backward(g)
    np.testing.assert_allclose(out, x * mask)


def test_containers_gradients() -> None:
    block = nn.Residual(
        nn.Sequential(nn.Conv2d(2, 2, 3, padding=1), nn.Tanh(), nn.Conv2d(2, 2, 3, padding=1)),
        activation=nn.Sigmoid(),
    )
    check(block, (2, 2, 4, 3))
    projection = nn.Residual(
        nn.Sequential(nn.Conv2d(2, 3, 3, stride=2, padding=1), nn.Tanh()),
        shortcut=nn.Conv2d(2, 3, 1, stride=2),
    )
    check(projection, (1, 2, 5, 4))
    inception = nn.Concat(
        nn.Conv2d(2, 1, 1),
        nn.Sequential(nn.Conv2d(2, 2, 3, padding=1), nn.Tanh()),
        nn.AvgPool2d(3, 1, 1),
    )
    check(inception, (2, 2, 4, 4))


@pytest.mark.parametrize(
    "loss,target",
    [
        (nn.CrossEntropyLoss(), np.array([0, 2, 1])),
        (nn.CrossEntropyLoss(reduction="sum", label_smoothing=0.2), np.array([0, 2, 1])),
        (
            nn.CrossEntropyLoss(weight=np.array([1.0, 3.0, 0.5, 2.0]), ignore_index=1),
            np.array([0, 2, 1]),
        ),
        (nn.CrossEntropyLoss(), "probs"),
        (nn.BCEWithLogitsLoss(), "binary"),
        (nn.BCEWithLogitsLoss(pos_weight=np.array([2.0, 1.0, 0.5, 3.0])), "binary"),
        (nn.BCELoss(), "binary-probs"),
        (nn.MSELoss(), "real"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, nn.Module) else str(v)[:12],
)
def test_loss_gradients(loss: nn.Loss, target: Any) -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4))
    if isinstance(target, str):
        if target == "probs":
            target = F.softmax(rng.standard_normal((3, 4)), dim=1)
        elif target == "binary":
            target = (rng.random((3, 4)) > 0.5).astype(np.float64)
        elif target == "binary-probs":
            x = rng.uniform(0.1, 0.9, (3, 4))
            target = rng.random((3, 4))
        else:
            target = rng.standard_normal((3, 4))
    loss(x, target)
    analytic = loss.backward()
    numeric = numeric_grad(lambda: float(loss(x, target)), x)
    assert rel(analytic, numeric) < TOL


def test_replicate_pad_gradient() -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((1, 2, 3, 4))
    r = rng.standard_normal((1, 2, 3 + 2 + 1, 4 + 3 + 2))
    pads = (3, 2, 2, 1)
    analytic = F.pad_backward(r, x.shape, pads, mode="replicate")
    numeric = numeric_grad(lambda: float((F.pad(x, pads, mode="replicate") * r).sum()), x)
    assert rel(analytic, numeric) < TOL


def test_gradients_accumulate_until_zeroed() -> None:
    layer = nn.Linear(3, 2).to(dtype=np.float64)
    x = np.ones((2, 3))
    layer.forward(x)
    layer.backward(np.ones((2, 2)))
    first = layer.weight.grad.copy()
    layer.forward(x)
    layer.backward(np.ones((2, 2)))
    np.testing.assert_allclose(layer.weight.grad, 2 * first)
    layer.zero_grad()
    assert layer.weight.grad is None


def test_float32_stays_float32_and_float64_stays_float64() -> None:
    for dtype in (np.float32, np.float64):
        net = nn.Sequential(
            nn.Conv2d(1, 2, 3),
            nn.BatchNorm2d(2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(8, 3),
        )
        net.to(dtype=dtype)
        x = np.ones((2, 1, 6, 6), dtype=dtype)
        out = net.forward(x)
        assert out.dtype == dtype
        assert net.backward(np.ones_like(out)).dtype == dtype
        assert all(p.grad.dtype == dtype for p in net.parameters())
