"""The few engine calls a training run makes, in one place: backend, optimiser, loss.

Keeping them together documents exactly what the Train and GAN labs need from the engine
(`cnntui.engine.backend`, `cnntui.engine.optim`, `cnntui.engine.nn.CrossEntropyLoss`).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from cnntui.engine.backend import Backend, get_backend, to_host
from cnntui.engine.module import Module
from cnntui.errors import UsageError


def backend(device: str) -> Backend:
    """The backend for `auto`, `cpu` or `gpu`; `gpu` that cannot be used is an error, not a fallback."""
    chosen = get_backend(device)
    if device == "gpu" and not chosen.is_gpu:
        raise UsageError(
            f"--device gpu is not usable here: {chosen.reason}; use --device cpu or auto"
        )
    return chosen


def threads_scope(
    count: int, model: Module | None = None, input_shape: tuple[int, ...] | None = None
) -> AbstractContextManager[None]:
    """Run the engine on `count` CPU threads inside the block: its own threads for
    convolutions, pooling and ReLU, one BLAS thread each, or, for a `model` too small to gain
    from that (`cnntui.engine.parallel.worth_splitting`), OpenBLAS's threads for its products.
    On leaving, the threads are joined and the previous settings restored."""
    from cnntui.engine.parallel import cpu_threads_scope, worth_splitting

    split = True
    if count > 1 and model is not None and input_shape is not None:
        from cnntui.zoo.summary import summarize

        split = worth_splitting(summarize(model, input_shape).total_macs)
    return cpu_threads_scope(count, split=split)


def move(model: Module, chosen: Backend) -> None:
    if chosen.is_gpu:
        model.to(chosen.xp)


def make_optimizer(model: Module, config: Any) -> Any:
    from cnntui.engine import optim

    params = [p for p in model.parameters() if p.requires_grad]
    if config.optimizer == "adam":
        return optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    return optim.SGD(
        params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
    )


def set_lr(optimizer: Any, lr: float) -> None:
    optimizer.lr = lr


def optimizer_state(optimizer: Any) -> dict[str, np.ndarray]:
    state = optimizer.state_dict()
    return {k: to_host(v) for k, v in state.items()}


def load_optimizer_state(optimizer: Any, state: dict[str, np.ndarray]) -> None:
    optimizer.load_state_dict(state)


def make_loss() -> Any:
    """A callable `(logits (N, K), labels (N,)) -> (loss as a 0-d array, d loss / d logits)`."""
    from cnntui.engine.nn import CrossEntropyLoss

    criterion = CrossEntropyLoss()

    def loss_and_grad(logits: Any, labels: Any) -> tuple[Any, Any]:
        loss = criterion(logits, labels)
        return loss, criterion.backward()

    return loss_and_grad


def count_correct(logits: Any, labels: Any) -> Any:
    """How many rows of logits `(N, K)` have their first maximum at the label: a 0-d array on
    the logits' device (nothing is read back)."""
    return (logits.argmax(axis=1) == labels).sum()


def read_scalars(*values: Any) -> list[float]:
    """Host floats of 0-d arrays (or numbers); device values come back in one transfer, so this
    is a single wait for the device however many values are read."""
    from cnntui.engine.backend import array_module

    xp = array_module(*values)
    if xp is np:
        return [float(v) for v in values]
    stacked = xp.stack([xp.asarray(v).astype(xp.float64, copy=False) for v in values])
    return [float(v) for v in to_host(stacked)]


def is_out_of_memory(error: BaseException) -> bool:
    """True for CuPy's out-of-memory errors (and NumPy's MemoryError)."""
    return isinstance(error, MemoryError) or "OutOfMemory" in type(error).__name__
