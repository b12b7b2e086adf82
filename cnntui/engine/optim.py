"""Optimisers and learning-rate schedules with PyTorch's update rules.

`SGD` (momentum, dampening, Nesterov, weight decay), `Adam` and `AdamW`; `StepLR` and
`CosineAnnealingLR`. The learning rate is a plain attribute (`opt.lr = 0.05` takes effect at the
next `step()`). `state_dict()` holds only arrays and numbers (keys like `"state.3.exp_avg"`), so a
checkpoint can be an `.npz` file without pickle; `load_state_dict` reverses it.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any

import numpy as np

from cnntui.engine.backend import Array, array_module, to_host
from cnntui.engine.module import Parameter


class Optimizer(ABC):
    """Base class: holds the trainable parameters and per-parameter state arrays."""

    hyperparameters: tuple[str, ...] = ("lr",)

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        self.params: list[Parameter] = [p for p in params if p.requires_grad]
        if not self.params:
            raise ValueError(f"{type(self).__name__} got no trainable parameters")
        if lr < 0:
            raise ValueError(f"learning rate must be non-negative, got {lr}")
        self.lr = float(lr)
        self.initial_lr = float(lr)
        self.step_count = 0
        self.state: list[dict[str, Any]] = [{} for _ in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        self.step_count += 1
        for index, p in enumerate(self.params):
            if p.grad is not None:
                self._update(p, p.grad, self.state[index])

    @abstractmethod
    def _update(self, p: Parameter, grad: Array, state: dict[str, Any]) -> None:
        """Apply one step of this optimiser's rule to `p` given its gradient and its state."""

    # -- saving -------------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters as numbers and per-parameter state as host arrays, flat string keys."""
        out: dict[str, Any] = {"step_count": self.step_count, "initial_lr": self.initial_lr}
        for name in self.hyperparameters:
            value = getattr(self, name)
            if isinstance(value, tuple):
                for i, v in enumerate(value):
                    out[f"{name}.{i}"] = float(v)
            else:
                out[name] = float(value) if not isinstance(value, bool) else bool(value)
        for index, state in enumerate(self.state):
            for key, value in state.items():
                out[f"state.{index}.{key}"] = to_host(value) if hasattr(value, "shape") else value
        return out

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` produced (arrays may be NumPy; they move to the parameters' device)."""
        self.step_count = int(_scalar(state.get("step_count", 0)))
        self.initial_lr = float(_scalar(state.get("initial_lr", self.lr)))
        for name in self.hyperparameters:
            current = getattr(self, name)
            if isinstance(current, tuple):
                values = tuple(
                    float(_scalar(state[f"{name}.{i}"]))
                    for i in range(len(current))
                    if f"{name}.{i}" in state
                )
                if len(values) == len(current):
                    setattr(self, name, values)
            elif name in state:
                setattr(self, name, type(current)(_scalar(state[name])))
        self.state = [{} for _ in self.params]
        for key, value in state.items():
            if not key.startswith("state."):
                continue
            _, index_text, field = key.split(".", 2)
            index = int(index_text)
            if index >= len(self.params):
                raise ValueError(
                    f"optimizer state has an entry for parameter {index}, but only {len(self.params)} exist"
                )
            p = self.params[index]
            if hasattr(value, "shape") and tuple(value.shape) == p.shape:
                xp = p.xp
                self.state[index][field] = (
                    np.asarray(value, dtype=p.dtype)
                    if xp is np
                    else xp.asarray(value, dtype=p.dtype)
                )
            else:
                self.state[index][field] = _scalar(value)


def _scalar(value: Any) -> Any:
    if hasattr(value, "shape") and value.shape == ():
        return value.item()
    return value


class SGD(Optimizer):
    """Stochastic gradient descent, exactly as `torch.optim.SGD`:

    g ← grad + weight_decay·p
    buf ← g (first step) or momentum·buf + (1 - dampening)·g
    g ← g + momentum·buf (Nesterov) or buf
    p ← p - lr·g
    """

    hyperparameters = ("lr", "momentum", "dampening", "weight_decay", "nesterov")

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        if momentum < 0 or weight_decay < 0:
            raise ValueError("SGD: momentum and weight_decay must be non-negative")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.momentum = float(momentum)
        self.dampening = float(dampening)
        self.weight_decay = float(weight_decay)
        self.nesterov = bool(nesterov)

    def _update(self, p: Parameter, grad: Array, state: dict[str, Any]) -> None:
        data = p.data
        if self.weight_decay:
            grad = grad + self.weight_decay * data
        if self.momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = array_module(grad).array(grad, dtype=data.dtype, copy=True)
                state["momentum_buffer"] = buf
            else:
                buf *= self.momentum
                buf += (1.0 - self.dampening) * grad
            grad = grad + self.momentum * buf if self.nesterov else buf
        data -= data.dtype.type(self.lr) * grad


class Adam(Optimizer):
    """Adam (Kingma & Ba), as `torch.optim.Adam`, with optional AMSGrad and L2 weight decay."""

    hyperparameters = ("lr", "betas", "eps", "weight_decay", "amsgrad")
    decoupled = False

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        if not (0.0 <= betas[0] < 1.0 and 0.0 <= betas[1] < 1.0):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self.amsgrad = bool(amsgrad)

    def _update(self, p: Parameter, grad: Array, state: dict[str, Any]) -> None:
        xp = array_module(grad)
        data = p.data
        beta1, beta2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                data *= data.dtype.type(1.0 - self.lr * self.weight_decay)
            else:
                grad = grad + self.weight_decay * data
        if "exp_avg" not in state:
            state["exp_avg"] = xp.zeros_like(data)
            state["exp_avg_sq"] = xp.zeros_like(data)
            state["step"] = 0
            if self.amsgrad:
                state["max_exp_avg_sq"] = xp.zeros_like(data)
        state["step"] = int(state["step"]) + 1
        t = state["step"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m *= beta1
        m += (1 - beta1) * grad
        v *= beta2
        v += (1 - beta2) * (grad * grad)
        if self.amsgrad:
            xp.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        bias1 = 1 - beta1**t
        bias2 = 1 - beta2**t
        denom = xp.sqrt(v) / data.dtype.type(math.sqrt(bias2)) + data.dtype.type(self.eps)
        data -= data.dtype.type(self.lr / bias1) * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (`torch.optim.AdamW`; default weight_decay 0.01)."""

    decoupled = True

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


# -- schedules --------------------------------------------------------------------------------------


class LRScheduler(ABC):
    """Sets `optimizer.lr` from the epoch count; call `step()` once per epoch (or per step)."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.base_lr = optimizer.initial_lr
        self.last_epoch = 0
        optimizer.lr = self.lr_at(0)

    @abstractmethod
    def lr_at(self, epoch: int) -> float:
        """The learning rate after `epoch` scheduler steps."""

    def step(self) -> None:
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)

    def get_last_lr(self) -> list[float]:
        return [self.optimizer.lr]

    def state_dict(self) -> dict[str, Any]:
        return {"last_epoch": self.last_epoch, "base_lr": self.base_lr}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.last_epoch = int(_scalar(state["last_epoch"]))
        self.base_lr = float(_scalar(state["base_lr"]))
        self.optimizer.lr = self.lr_at(self.last_epoch)


class StepLR(LRScheduler):
    """lr = base_lr · gamma^(epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if step_size < 1:
            raise ValueError(f"StepLR: step_size must be at least 1, got {step_size}")
        self.step_size = int(step_size)
        self.gamma = float(gamma)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class CosineAnnealingLR(LRScheduler):
    """lr = eta_min + (base_lr - eta_min)·(1 + cos(π·epoch / T_max)) / 2 (a half cosine, then
    continuing periodically past T_max as PyTorch's closed form does)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be at least 1, got {T_max}")
        self.T_max = int(T_max)
        self.eta_min = float(eta_min)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return (
            self.eta_min
            + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        )
