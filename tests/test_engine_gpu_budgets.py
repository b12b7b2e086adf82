"""What a GPU step costs, counted on the strict CuPy stand-in: launches, waits and uploads.

A small network on a GPU is launch-bound (each operation costs ~10 µs of host time whatever its
size), and every synchronisation or host→device copy stalls the queue. These budgets pin the
fused kernels and device residency in place; on a real device there is nothing to count, so the
tests only run the same steps there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from cnntui.bench import benchmark
from cnntui.engine import nn, optim

pytestmark = pytest.mark.gpu

LENET_STEP_OPS = 60
"""Device operations per LeNet-5 bench step (forward, loss, backward, update), batch 64."""


def _lenet_step(gpu: Any, make_optimizer: Any) -> Any:
    """A bench-style LeNet-5 training step on the device, warmed up once (parameters and
    optimiser state allocated), returning a function that runs one more step."""
    net = benchmark.lenet5().to(xp=gpu.xp)
    net.needs_input_grad = False
    rng = np.random.default_rng(0)
    x = gpu.backend.asarray(rng.standard_normal((64, 1, 32, 32)).astype(np.float32))
    y = gpu.backend.asarray(rng.integers(0, 10, 64))
    loss_fn = nn.CrossEntropyLoss()
    opt = make_optimizer(net.parameters())

    def step() -> Any:
        opt.zero_grad()
        loss = loss_fn(net.forward(x), y)
        net.backward(loss_fn.backward())
        opt.step()
        return loss

    step()
    return step


def _counted(gpu: Any, action: Any) -> dict[str, int]:
    gpu.counters.reset()
    action()
    return gpu.counters.snapshot()


def _need_counters(gpu: Any) -> None:
    if not gpu.standin:
        pytest.skip("a real device has no operation counters (the stand-in run checks them)")


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda params: optim.SGD(params, lr=0.01, momentum=0.9),
        lambda params: optim.SGD(params, lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-4),
        lambda params: optim.Adam(params, lr=1e-3),
        lambda params: optim.AdamW(params, lr=1e-3, amsgrad=True),
    ],
    ids=["sgd-momentum", "sgd-nesterov", "adam", "adamw-amsgrad"],
)
def test_a_lenet_step_stays_within_its_launch_budget(gpu: Any, make_optimizer: Any) -> None:
    step = _lenet_step(gpu, make_optimizer)
    _need_counters(gpu)
    cost = _counted(gpu, step)
    assert cost["ops"] <= LENET_STEP_OPS, cost
    assert cost["syncs"] == 0 and cost["h2d"] == 0, cost


def test_the_optimisers_launch_one_kernel_per_parameter(gpu: Any) -> None:
    net = benchmark.lenet5().to(xp=gpu.xp)
    params = list(net.parameters())
    for p in params:
        p.grad = gpu.xp.ones(p.shape, dtype=p.dtype)
    for opt in (
        optim.SGD(params, lr=0.1),
        optim.SGD(params, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
        optim.Adam(params, weight_decay=0.01),
        optim.AdamW(params, amsgrad=True),
    ):
        opt.step()  # the first step allocates the state
        if gpu.standin:
            assert _counted(gpu, opt.step) == {"ops": len(params), "syncs": 0, "h2d": 0, "d2h": 0}


def test_cross_entropy_is_two_launches_and_its_backward_none(gpu: Any) -> None:
    logits = gpu.xp.asarray(np.random.default_rng(0).standard_normal((32, 10)).astype(np.float32))
    target = gpu.xp.asarray(np.arange(32) % 10)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)
    loss_fn(logits, target)
    _need_counters(gpu)
    assert _counted(gpu, lambda: loss_fn(logits, target))["ops"] == 2
    assert _counted(gpu, loss_fn.backward)["ops"] == 0


def test_convolutions_fold_padding_into_their_kernels(gpu: Any) -> None:
    """Forward: columns, product, NCHW layout with bias; backward: one transposed copy, the bias
    sum, two products and col2im. No padded copy and no cropping copy anywhere."""
    conv = nn.Conv2d(3, 8, 3, padding=2, stride=2).to(xp=gpu.xp)
    x = gpu.xp.asarray(np.ones((4, 3, 9, 9), dtype=np.float32))
    out = conv.forward(x)
    conv.backward(gpu.xp.ones(out.shape, dtype=out.dtype))
    _need_counters(gpu)
    forward = _counted(gpu, lambda: conv.forward(x))
    grad = gpu.xp.ones(out.shape, dtype=out.dtype)
    conv.zero_grad()
    backward = _counted(gpu, lambda: conv.backward(grad))
    assert forward["ops"] == 3 and backward["ops"] == 5
    assert out.flags.c_contiguous


def test_batch_norm_and_pooling_keep_their_constants_on_the_device(gpu: Any) -> None:
    layers = nn.Sequential(
        nn.BatchNorm2d(3),
        nn.AvgPool2d(3, 2, 1, count_include_pad=False),
        nn.AdaptiveAvgPool2d((3, 2)),
        nn.Dropout(0.2),
    ).to(xp=gpu.xp)
    x = gpu.xp.asarray(np.random.default_rng(1).standard_normal((4, 3, 9, 9)).astype(np.float32))
    layers.forward(x)
    _need_counters(gpu)
    layers.backward(gpu.xp.ones((4, 3, 3, 2), np.float32))
    cost = _counted(gpu, lambda: layers.forward(x))
    assert cost["h2d"] == 0 and cost["syncs"] == 0, cost
    assert int(layers[0].num_batches_tracked) == 2  # still counted, on the device
