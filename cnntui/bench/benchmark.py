"""Training and inference throughput of small reference networks (what `cnntui bench` reports).

The training step is the one every framework benchmark uses: zero the gradients, forward, softmax
cross-entropy, backward, SGD with momentum 0.9. Inputs are random and stay on the device, so the
numbers measure the engine, not data loading. On a GPU the clock stops only after the device has
finished (`Backend.synchronize`).
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnntui.engine import nn, optim
from cnntui.engine.backend import Backend, cpu_backend

MODELS = ("lenet5", "cifar-cnn")


def lenet5() -> nn.Sequential:
    """The modern LeNet-5 on 1×32×32: conv 6@5×5, ReLU, max-pool 2, conv 16@5×5, ReLU, max-pool 2,
    FC 120-84-10 (61,706 parameters)."""
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip


def cifar_cnn() -> nn.Sequential:
    """A CIFAR-sized CNN on 3×32×32: conv 32-64-128 (3×3, padding 1), each followed by ReLU and
    max-pool 2, then FC 2048→10 (113,738 parameters)."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(128 * 4 * 4, 10),
    )  # fmt: skip


BUILDERS: dict[str, tuple[Callable[[], nn.Sequential], tuple[int, int, int]]] = {
    "lenet5": (lenet5, (1, 32, 32)),
    "cifar-cnn": (cifar_cnn, (3, 32, 32)),
}


@dataclass
class BenchResult:
    model: str
    backend: Backend
    batch: int
    steps: int
    train_images_per_s: float
    infer_images_per_s: float
    params: int
    peak_rss_mb: float
    final_loss: float

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "model": self.model,
            "backend": self.backend.name,
            "device": self.backend.device,
            "batch": self.batch,
            "train_images_per_s": round(self.train_images_per_s),
            "infer_images_per_s": round(self.infer_images_per_s),
            "params": self.params,
            "steps": self.steps,
            "train_ms_per_step": round(1000 * self.batch / self.train_images_per_s, 3),
            "peak_rss_mb": round(self.peak_rss_mb, 1),
        }
        if self.backend.reason:
            out["reason"] = self.backend.reason
        return out


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MiB.

    Linux's `VmHWM` is read first: `ru_maxrss` survives `exec`, so a process started from a big
    parent (a test runner with torch loaded) would report the parent's peak instead of its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (2**20 if sys.platform == "darwin" else 2**10)


def network(model: str) -> tuple[nn.Sequential, tuple[int, int, int]]:
    """A fresh `model` (one of `MODELS`) and its input shape, for sizing the run's threads."""
    if model not in BUILDERS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    build, shape = BUILDERS[model]
    return build(), shape


def run(
    model: str = "lenet5",
    backend: Backend | None = None,
    batch: int = 64,
    steps: int = 50,
    repeats: int = 3,
    warmup: int = 5,
    seed: int = 0,
) -> BenchResult:
    """Time `steps` training steps and `steps` inference passes, best of `repeats` runs each.

    Raises `ValueError` for an unknown model or non-positive sizes.
    """
    if model not in BUILDERS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    if batch < 1 or steps < 1 or repeats < 1:
        raise ValueError("batch, steps and repeats must be at least 1")
    backend = backend or cpu_backend()
    xp = backend.xp
    build, shape = BUILDERS[model]
    from cnntui.engine.module import manual_seed

    manual_seed(seed)
    net = build().to(xp=xp)
    net.needs_input_grad = False  # nothing consumes the gradient w.r.t. the images
    rng = np.random.default_rng(seed)
    x = backend.asarray(rng.standard_normal((batch, *shape)).astype(np.float32))
    y = backend.asarray(rng.integers(0, 10, batch))
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    last_loss: list[Any] = [None]

    def train_step() -> None:
        opt.zero_grad()
        last_loss[0] = loss_fn(net.forward(x), y)
        net.backward(loss_fn.backward())
        opt.step()

    def infer_step() -> None:
        net.forward(x)

    def rate(step: Callable[[], None]) -> float:
        for _ in range(warmup):
            step()
        backend.synchronize()
        best = 0.0
        for _ in range(repeats):
            start = time.perf_counter()
            for _ in range(steps):
                step()
            backend.synchronize()
            best = max(best, batch * steps / (time.perf_counter() - start))
        return best

    net.train()
    train = rate(train_step)
    net.eval()
    infer = rate(infer_step)
    return BenchResult(
        model=model,
        backend=backend,
        batch=batch,
        steps=steps,
        train_images_per_s=train,
        infer_images_per_s=infer,
        params=net.num_parameters(),
        peak_rss_mb=peak_rss_mb(),
        final_loss=float(last_loss[0]),
    )
