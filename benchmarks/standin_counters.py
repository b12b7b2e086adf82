"""What a GPU training step costs, counted on the strict CuPy stand-in (no device needed).

    PYTHONPATH=. python benchmarks/standin_counters.py

Prints device operations per LeNet-5 bench step (batch 64; SGD with momentum, then Adam) split
into forward, loss, backward and optimiser; synchronisations and host→device copies per Trainer
and DCGAN step; and the uploads of BatchNorm and the pooling layers. Run it on any version of the
engine to compare (the numbers in `docs/benchmarks.md` come from it).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import gpu_standin  # noqa: E402

cupy, cupyx = gpu_standin.build()
sys.modules["cupy"], sys.modules["cupyx"] = cupy, cupyx

from cnntui.bench import benchmark  # noqa: E402
from cnntui.engine import backend, nn, optim  # noqa: E402

GPU = backend.get_backend("gpu")
COUNT = gpu_standin.counters


def lenet_step(make_optimizer: Any) -> dict[str, int]:
    net = benchmark.lenet5().to(xp=cupy)
    net.needs_input_grad = False
    rng = np.random.default_rng(0)
    x = GPU.asarray(rng.standard_normal((64, 1, 32, 32)).astype(np.float32))
    y = GPU.asarray(rng.integers(0, 10, 64))
    loss_fn = nn.CrossEntropyLoss()
    opt = make_optimizer(net.parameters())
    parts: dict[str, int] = {}
    for _ in range(2):  # the second step: parameters and optimiser state exist
        COUNT.reset()
        opt.zero_grad()
        out = net.forward(x)
        parts["forward"] = COUNT.ops
        COUNT.reset()
        loss_fn(out, y)
        parts["loss"] = COUNT.ops
        COUNT.reset()
        net.backward(loss_fn.backward())
        parts["backward"] = COUNT.ops
        COUNT.reset()
        opt.step()
        parts["optimiser"] = COUNT.ops
    parts["total"] = sum(parts.values())
    return parts


def second_call(action: Any) -> dict[str, int]:
    action()
    COUNT.reset()
    action()
    return COUNT.snapshot()


def main() -> None:
    if not GPU.is_gpu:
        sys.exit(f"the stand-in did not load: {GPU.reason}")
    print("LeNet-5 step, SGD momentum, ops:", lenet_step(lambda p: optim.SGD(p, 0.01, 0.9)))
    print("LeNet-5 step, Adam, ops:", lenet_step(lambda p: optim.Adam(p)))
    from cnntui.data.batches import epoch_order
    from cnntui.gan import dcgan
    from cnntui.train.config import RunConfig
    from cnntui.train.trainer import Trainer

    folder = Path(tempfile.mkdtemp())
    config = RunConfig(
        model="lenet5", dataset="digits", input_size=8, batch_size=32, limit=320, epochs=1,
        seed=5, device="gpu",
    )  # fmt: skip
    trainer = Trainer(config, folder / "train", lambda e: None)
    order = epoch_order(len(trainer.train_set), np.random.default_rng((5, 0)))
    print("Trainer step:", second_call(lambda: trainer._train_step(order)))
    run = dcgan.DcganRun(dcgan.DcganSettings(epochs=1, batch=32, device="gpu"), folder / "gan")
    real = GPU.asarray(run.images[:32])  # as `run_epoch` gathers it: on the device
    print("DCGAN step:", second_call(lambda: run.train_step(real)))
    x = GPU.asarray(np.ones((4, 3, 5, 5), np.float32))
    for layer in (
        nn.BatchNorm2d(3).to(xp=cupy),
        nn.AvgPool2d(3, 2, 1),
        nn.AdaptiveAvgPool2d((3, 2)),
    ):
        print(f"{type(layer).__name__} forward:", second_call(lambda m=layer: m.forward(x)))


if __name__ == "__main__":
    main()
