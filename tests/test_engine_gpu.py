"""The CuPy backend against the NumPy one: same layers, same parameters, same results.

Skipped unless `get_backend("gpu")` finds a working GPU (CuPy installed, a CUDA device, cuBLAS
and NVRTC loading).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from cnntui.bench import benchmark
from cnntui.engine import backend, nn, optim
from cnntui.engine import functional as F

GPU = backend.get_backend("gpu")
pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not GPU.is_gpu, reason=f"no GPU backend: {GPU.reason}"),
]
TOL = 1e-5


def rel(a: Any, b: Any) -> float:
    a, b = backend.to_host(a).astype(np.float64), backend.to_host(b).astype(np.float64)
    assert a.shape == b.shape
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-12))


def same_on_both(factory: Callable[[], nn.Module], shape: tuple[int, ...], seed: int = 0) -> None:
    cpu_layer, gpu_layer = factory(), factory()
    gpu_layer.load_state_dict(cpu_layer.state_dict())
    gpu_layer.to(xp=GPU.xp)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    out = cpu_layer.forward(x)
    gout = gpu_layer.forward(GPU.asarray(x))
    assert rel(gout, out) < TOL
    g = rng.standard_normal(out.shape).astype(np.float32)
    assert rel(gpu_layer.backward(GPU.asarray(g)), cpu_layer.backward(g)) < TOL
    for (name, p), (_, gp) in zip(cpu_layer.named_parameters(), gpu_layer.named_parameters()):
        assert rel(gp.grad, p.grad) < TOL, name


@pytest.mark.parametrize(
    "factory,shape",
    [
        (lambda: nn.Conv2d(3, 8, 3, padding=1), (4, 3, 9, 8)),
        (
            lambda: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=2, dilation=2, groups=2),
            (2, 4, 11, 9),
        ),
        (lambda: nn.Conv2d(2, 3, 3, padding="same", padding_mode="replicate"), (2, 2, 6, 7)),
        (lambda: nn.ConvTranspose2d(4, 3, 4, stride=2, padding=1), (2, 4, 5, 6)),
        (
            lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
            (2, 4, 5, 4),
        ),
        (lambda: nn.MaxPool2d(2), (2, 3, 8, 6)),
        (lambda: nn.MaxPool2d(3, 2, 1, ceil_mode=True), (2, 3, 9, 8)),
        (lambda: nn.MaxPool2d(3, 1, 1, dilation=2), (2, 3, 9, 8)),
        (lambda: nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 3, 9, 8)),
        (lambda: nn.AdaptiveAvgPool2d((3, 2)), (2, 3, 7, 5)),
        (lambda: nn.BatchNorm2d(3), (4, 3, 5, 5)),
        (lambda: nn.LocalResponseNorm(5, k=2.0), (2, 7, 3, 3)),
        (lambda: nn.Linear(12, 5), (6, 12)),
        (
            lambda: nn.Sequential(
                nn.Flatten(), nn.Linear(12, 4), nn.Sigmoid(), nn.Linear(4, 3), nn.Tanh()
            ),
            (5, 3, 2, 2),
        ),
    ],
)
def test_layers_agree_with_the_cpu(
    factory: Callable[[], nn.Module], shape: tuple[int, ...]
) -> None:
    same_on_both(factory, shape)


def test_max_pool_indices_and_ties_agree_with_the_cpu() -> None:
    x = np.zeros((1, 2, 6, 6), dtype=np.float32)
    x[0, 1] = np.arange(36).reshape(6, 6) % 4
    out, idx = F.max_pool2d(x, 3, 2, 1, 1, True, return_indices=True)
    gout, gidx = F.max_pool2d(GPU.asarray(x), 3, 2, 1, 1, True, return_indices=True)
    np.testing.assert_array_equal(backend.to_host(gout), out)
    np.testing.assert_array_equal(backend.to_host(gidx), idx)


def test_losses_agree_with_the_cpu() -> None:
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((8, 5)).astype(np.float32)
    target = rng.integers(0, 5, 8)
    for loss in (nn.CrossEntropyLoss(label_smoothing=0.1), nn.CrossEntropyLoss(reduction="sum")):
        value = loss(logits, target)
        grad = loss.backward()
        gvalue = loss(GPU.asarray(logits), GPU.asarray(target))
        assert rel(gvalue, value) < TOL and rel(loss.backward(), grad) < TOL
    binary = (rng.random((8, 5)) > 0.5).astype(np.float32)
    loss = nn.BCEWithLogitsLoss()
    value, grad = loss(logits, binary), loss.backward()
    assert rel(loss(GPU.asarray(logits), GPU.asarray(binary)), value) < TOL
    assert rel(loss.backward(), grad) < TOL


def test_lenet_trains_the_same_on_both() -> None:
    cpu_net = benchmark.lenet5()
    gpu_net = benchmark.lenet5()
    gpu_net.load_state_dict(cpu_net.state_dict())
    gpu_net.to(xp=GPU.xp)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((16, 1, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, 16)
    gx, gy = GPU.asarray(x), GPU.asarray(y)
    losses = []
    for net, xs, ys in ((cpu_net, x, y), (gpu_net, gx, gy)):
        opt = optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        trace = []
        for _ in range(5):
            opt.zero_grad()
            trace.append(float(loss_fn(net.forward(xs), ys)))
            net.backward(loss_fn.backward())
            opt.step()
        losses.append(trace)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-4)
    assert losses[0][-1] < losses[0][0]


def test_dropout_on_the_gpu_is_seedable() -> None:
    a = nn.Dropout(0.5, seed=3).forward(GPU.xp.ones((64, 64), dtype=GPU.xp.float32))
    b = nn.Dropout(0.5, seed=3).forward(GPU.xp.ones((64, 64), dtype=GPU.xp.float32))
    assert bool((a == b).all())
    assert 0.4 < float((a != 0).mean()) < 0.6


def test_bench_runs_on_the_gpu() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cnntui",
            "bench",
            "--device",
            "gpu",
            "--batch",
            "64",
            "--steps",
            "5",
            "--repeat",
            "1",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["backend"] == "gpu" and "reason" not in document
    assert document["train_images_per_s"] > 0
