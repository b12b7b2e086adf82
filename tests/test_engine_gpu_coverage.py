"""Every layer, loss and optimiser on the GPU backend against the CPU, float32 kept float32.

Complements `test_engine_gpu.py` (geometry variants of the convolution and pooling layers) with
the rest of the layer set, each loss in each reduction, SGD/Adam/AdamW/AMSGrad over several
steps, and LeNet-5 (1998) from the zoo. A test below fails when a new layer is added to
`cnntui.engine.nn` without a GPU case here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from cnntui import zoo
from cnntui.engine import backend, module, nn, optim
from cnntui.engine.module import manual_seed

pytestmark = pytest.mark.gpu
TOL = 2e-5


def rel(a: Any, b: Any) -> float:
    a = backend.to_host(a).astype(np.float64)
    b = backend.to_host(b).astype(np.float64)
    assert a.shape == b.shape
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))


LAYERS: list[tuple[str, Callable[[], nn.Module], tuple[int, ...]]] = [
    ("Conv2d", lambda: nn.Conv2d(3, 5, 3, stride=2, padding=1, bias=False), (3, 3, 7, 6)),
    ("ConvTranspose2d", lambda: nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), (2, 3, 3, 4)),
    ("MaxPool2d", lambda: nn.MaxPool2d(2), (2, 3, 6, 6)),
    ("AvgPool2d", lambda: nn.AvgPool2d(2), (2, 3, 6, 6)),
    ("AdaptiveAvgPool2d", lambda: nn.AdaptiveAvgPool2d(1), (2, 3, 5, 5)),
    ("Linear", lambda: nn.Linear(7, 4, bias=False), (5, 7)),
    ("Flatten", lambda: nn.Flatten(), (2, 3, 2, 2)),
    ("Identity", lambda: nn.Identity(), (2, 3)),
    ("ReLU", lambda: nn.ReLU(), (4, 6)),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.2), (4, 6)),
    ("Sigmoid", lambda: nn.Sigmoid(), (4, 6)),
    ("Tanh", lambda: nn.Tanh(), (4, 6)),
    ("Dropout", lambda: nn.Dropout(0.4).eval(), (4, 6)),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(4), (6, 4)),
    ("BatchNorm2d", lambda: nn.BatchNorm2d(3, momentum=None), (4, 3, 3, 3)),
    ("LocalResponseNorm", lambda: nn.LocalResponseNorm(3), (2, 5, 2, 2)),
    (
        "Sequential",
        lambda: nn.Sequential(
            nn.Conv2d(2, 3, 3, padding=1, bias=False), nn.BatchNorm2d(3), nn.ReLU()
        ),
        (2, 2, 5, 5),
    ),
    (
        "Residual",
        lambda: nn.Residual(
            nn.Sequential(nn.Conv2d(3, 3, 3, padding=1, bias=False), nn.BatchNorm2d(3)),
            activation=nn.ReLU(),
        ),
        (2, 3, 4, 4),
    ),
    (
        "Concat",
        lambda: nn.Concat(
            nn.Conv2d(3, 2, 1), nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(3, 1, 1))
        ),
        (2, 3, 4, 4),
    ),
]


@pytest.mark.parametrize(
    "factory,shape", [(f, s) for _, f, s in LAYERS], ids=[n for n, _, _ in LAYERS]
)
def test_each_layer_agrees_with_the_cpu_in_float32(
    gpu: Any, factory: Callable[[], nn.Module], shape: tuple[int, ...]
) -> None:
    manual_seed(1)
    cpu_layer, gpu_layer = factory(), factory()
    gpu_layer.load_state_dict(cpu_layer.state_dict())
    gpu_layer.to(xp=gpu.xp)
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape).astype(np.float32)
    for _ in range(2):  # twice: running statistics and counters move on the device
        out = cpu_layer.forward(x)
        gout = gpu_layer.forward(gpu.backend.asarray(x))
        assert gout.dtype == np.float32 and rel(gout, out) < TOL
        g = rng.standard_normal(out.shape).astype(np.float32)
        ggrad = gpu_layer.backward(gpu.backend.asarray(g))
        grad = cpu_layer.backward(g)
        assert ggrad.dtype == np.float32 and rel(ggrad, grad) < TOL
    for (name, p), (_, gp) in zip(
        cpu_layer.named_parameters(), gpu_layer.named_parameters(), strict=True
    ):
        if p.grad is not None:
            assert gp.grad.dtype == np.float32 and rel(gp.grad, p.grad) < TOL, name
    for (name, b), (_, gb) in zip(
        cpu_layer.named_buffers(), gpu_layer.named_buffers(), strict=True
    ):
        assert rel(gb, b) < TOL, name


def test_every_engine_layer_has_a_gpu_case() -> None:
    covered = {name for name, _, _ in LAYERS} | {"Module", "Loss"}
    covered |= {"CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "MSELoss"}  # below
    layers = {
        name
        for name, value in vars(nn).items()
        if inspect.isclass(value) and issubclass(value, module.Module) and not name.startswith("_")
    }
    assert layers <= covered, f"no GPU test for {sorted(layers - covered)}"


def test_dropout_in_training_scales_what_it_keeps_and_is_seedable(gpu: Any) -> None:
    x = gpu.xp.ones((128, 64), dtype=np.float32)
    a, b = nn.Dropout(0.25, seed=9), nn.Dropout(0.25, seed=9)
    out_a, out_b = backend.to_host(a.forward(x)), backend.to_host(b.forward(x))
    assert out_a.dtype == np.float32
    np.testing.assert_array_equal(out_a, out_b)
    assert set(np.unique(out_a)) == {0.0, np.float32(1 / 0.75)}
    assert 0.22 < (out_a == 0).mean() < 0.28
    grad = backend.to_host(a.backward(gpu.xp.ones((128, 64), dtype=np.float32)))
    np.testing.assert_array_equal(grad, out_a)  # the same mask, forward and backward
    assert not np.array_equal(backend.to_host(a.forward(x)), out_a)  # a fresh mask each pass


LOSSES: list[tuple[str, Callable[[], nn.Loss], str]] = [
    ("ce-mean", lambda: nn.CrossEntropyLoss(), "index"),
    ("ce-sum-smooth", lambda: nn.CrossEntropyLoss(reduction="sum", label_smoothing=0.2), "index"),
    ("ce-none", lambda: nn.CrossEntropyLoss(reduction="none"), "index"),
    (
        "ce-weights-ignore",
        lambda: nn.CrossEntropyLoss(
            weight=np.linspace(0.5, 2, 5).astype(np.float32), ignore_index=3
        ),
        "index",
    ),
    ("ce-probabilities", lambda: nn.CrossEntropyLoss(label_smoothing=0.1), "probs"),
    ("bce", lambda: nn.BCELoss(), "binary-probs"),
    ("bce-logits", lambda: nn.BCEWithLogitsLoss(reduction="sum"), "binary"),
    ("mse", lambda: nn.MSELoss(), "real"),
]


@pytest.mark.parametrize(
    "factory,kind", [(f, k) for _, f, k in LOSSES], ids=[n for n, _, _ in LOSSES]
)
def test_each_loss_agrees_with_the_cpu_in_float32(
    gpu: Any, factory: Callable[[], nn.Loss], kind: str
) -> None:
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((8, 5)).astype(np.float32)
    target: np.ndarray = {
        "index": rng.integers(0, 5, 8),
        "probs": rng.dirichlet(np.ones(5), 8).astype(np.float32),
        "binary": (rng.random((8, 5)) > 0.5).astype(np.float32),
        "binary-probs": (rng.random((8, 5)) > 0.5).astype(np.float32),
        "real": rng.standard_normal((8, 5)).astype(np.float32),
    }[kind]
    if kind == "binary-probs":
        logits = 1 / (1 + np.exp(-logits))
    cpu_loss, gpu_loss = factory(), factory()
    value, grad = cpu_loss(logits, target), cpu_loss.backward()
    gvalue = gpu_loss(gpu.backend.asarray(logits), gpu.backend.asarray(target))
    ggrad = gpu_loss.backward()
    assert gvalue.dtype == np.float32 and ggrad.dtype == np.float32
    assert rel(gvalue, value) < TOL and rel(ggrad, grad) < TOL
    if getattr(cpu_loss, "reduction", "") == "none":
        upstream = rng.standard_normal(8).astype(np.float32)
        assert (
            rel(gpu_loss.backward(gpu.backend.asarray(upstream)), cpu_loss.backward(upstream)) < TOL
        )


def test_fused_cross_entropy_counts_correct_predictions(gpu: Any) -> None:
    logits = np.zeros((6, 4), dtype=np.float32)
    logits[np.arange(6), [0, 1, 2, 3, 0, 1]] = 1.0
    loss = nn.CrossEntropyLoss()
    loss(gpu.backend.asarray(logits), gpu.backend.asarray(np.array([0, 1, 2, 0, 0, 0])))
    assert int(loss._ctx.correct()) == 4


OPTIMISERS: list[tuple[str, Callable[[list[Any]], optim.Optimizer]]] = [
    ("sgd", lambda p: optim.SGD(p, lr=0.1)),
    ("sgd-decay", lambda p: optim.SGD(p, lr=0.1, weight_decay=0.05)),
    ("sgd-momentum-dampening", lambda p: optim.SGD(p, lr=0.1, momentum=0.8, dampening=0.3)),
    (
        "sgd-nesterov",
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    ),
    ("adam", lambda p: optim.Adam(p, lr=0.01)),
    ("adam-l2", lambda p: optim.Adam(p, lr=0.01, betas=(0.5, 0.99), weight_decay=0.1)),
    ("adamw", lambda p: optim.AdamW(p, lr=0.01, weight_decay=0.1)),
    ("adamw-amsgrad", lambda p: optim.AdamW(p, lr=0.01, amsgrad=True)),
]


@pytest.mark.parametrize("factory", [f for _, f in OPTIMISERS], ids=[n for n, _ in OPTIMISERS])
def test_each_optimiser_follows_the_cpu_over_several_steps(gpu: Any, factory: Any) -> None:
    manual_seed(4)
    cpu_net = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))
    gpu_net = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))
    gpu_net.load_state_dict(cpu_net.state_dict())
    gpu_net.to(xp=gpu.xp)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((8, 6)).astype(np.float32)
    y = rng.integers(0, 3, 8)
    cpu_opt, gpu_opt = factory(list(cpu_net.parameters())), factory(list(gpu_net.parameters()))
    loss_fn = nn.CrossEntropyLoss()
    gx, gy = gpu.backend.asarray(x), gpu.backend.asarray(y)
    for _ in range(6):
        for net, opt, xs, ys in ((cpu_net, cpu_opt, x, y), (gpu_net, gpu_opt, gx, gy)):
            opt.zero_grad()
            loss_fn(net.forward(xs), ys)
            net.backward(loss_fn.backward())
            opt.step()
    for (name, p), (_, gp) in zip(
        cpu_net.named_parameters(), gpu_net.named_parameters(), strict=True
    ):
        assert gp.data.dtype == np.float32 and rel(gp.data, p.data) < 1e-5, name
    # the state round-trips through a host checkpoint and goes back to the device
    state = gpu_opt.state_dict()
    assert all(not hasattr(v, "shape") or isinstance(v, np.ndarray) for v in state.values())
    fresh = factory(list(gpu_net.parameters()))
    fresh.load_state_dict(state)
    for index, entries in enumerate(fresh.state):
        for key, value in entries.items():
            if hasattr(value, "shape"):
                assert backend.array_module(value) is gpu.xp and value.dtype == np.float32
                assert rel(value, cpu_opt.state[index][key]) < 1e-5


def test_lenet5_1998_agrees_with_the_cpu(gpu: Any) -> None:
    manual_seed(0)
    cpu_model = zoo.build("lenet5-1998")
    gpu_model = zoo.build("lenet5-1998")
    x = np.random.default_rng(6).normal(size=(3, 1, 32, 32)).astype(np.float32)
    cpu_model.forward(x)  # materialise
    gpu_model.load_state_dict(cpu_model.state_dict())
    gpu_model.to(xp=gpu.xp)
    out, gout = cpu_model.forward(x), gpu_model.forward(gpu.backend.asarray(x))
    assert gout.dtype == np.float32 and rel(gout, out) < TOL
    g = np.ones(out.shape, dtype=np.float32)
    assert rel(gpu_model.backward(gpu.backend.asarray(g)), cpu_model.backward(g)) < TOL
    for (name, p), (_, gp) in zip(
        cpu_model.named_parameters(), gpu_model.named_parameters(), strict=True
    ):
        if p.grad is not None:
            assert rel(gp.grad, p.grad) < TOL, name
    if gpu.standin:  # the connection table went up once, not on every pass
        gpu.counters.reset()
        gpu_model.forward(gpu.backend.asarray(x))
        assert gpu.counters.h2d == 1  # the input only
