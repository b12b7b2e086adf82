"""GAN losses on the discriminator's raw outputs, each with its gradient.

The discriminator ends in a linear unit: `a` is its raw output (a logit). For the two log losses
D's belief that a sample is real is `σ(a)`; for least squares (LSGAN, targets 0 and 1) it is `a`
itself. With `r` the outputs on a real batch and `f` those on a generated batch (means over each
batch; `softplus(t) = log(1 + e^t)`):

| loss            | discriminator loss                      | generator loss             |
|-----------------|-----------------------------------------|----------------------------|
| `minimax`       | softplus(−r) + softplus(f)              | −softplus(f) = log(1 − σ(f)) |
| `nonsaturating` | softplus(−r) + softplus(f)              | softplus(−f) = −log σ(f)   |
| `least-squares` | ½(r − 1)² + ½ f²                        | ½(f − 1)²                  |

The discriminator loss is the binary cross-entropy of real→1, generated→0 for both log losses.
The minimax generator loss saturates: when D confidently rejects a sample (f ≪ 0), σ(f) ≈ 0 and
the gradient vanishes; the non-saturating loss keeps a gradient of about −1 there.

Every function takes and returns arrays of any array module (NumPy or CuPy) and never syncs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LOSS_NAMES: tuple[str, ...] = ("minimax", "nonsaturating", "least-squares")

LOSS_TITLES: dict[str, str] = {
    "minimax": "minimax  log(1 - D(G(z)))",
    "nonsaturating": "non-saturating  -log D(G(z))",
    "least-squares": "least squares  (D(G(z)) - 1)^2 / 2",
}


@dataclass(frozen=True)
class LossValue:
    """A loss (a 0-d array) and its gradient with respect to each batch of raw outputs."""

    value: Any
    grad_real: Any  # same shape as the real outputs, or None for generator losses
    grad_fake: Any


def _xp(a: Any) -> Any:
    import importlib

    import numpy as np

    if isinstance(a, np.ndarray | np.generic):
        return np
    return importlib.import_module(type(a).__module__.split(".")[0])


def softplus(t: Any) -> Any:
    """log(1 + e^t), computed without overflow for large |t|."""
    xp = _xp(t)
    return xp.maximum(t, 0) + xp.log1p(xp.exp(-xp.abs(t)))


def sigmoid(t: Any) -> Any:
    """1 / (1 + e^−t), without overflow."""
    xp = _xp(t)
    e = xp.exp(-xp.abs(t))
    return xp.where(t >= 0, 1 / (1 + e), e / (1 + e))


def check_loss(name: str) -> str:
    if name not in LOSS_NAMES:
        raise ValueError(f"unknown loss '{name}'; choose one of {', '.join(LOSS_NAMES)}")
    return name


def discriminator_loss(name: str, real: Any, fake: Any) -> LossValue:
    """The discriminator's loss on raw outputs `real` `(n, …)` and `fake` `(m, …)`."""
    on_real, on_fake = real_term(name, real), fake_term(name, fake)
    return LossValue(on_real.value + on_fake.value, on_real.grad_fake, on_fake.grad_fake)


def real_term(name: str, real: Any) -> LossValue:
    """The real-batch half of the discriminator loss (its gradient is in `grad_fake`, the batch
    it was given), so a discriminator with batch norm can see real and fake batches separately."""
    check_loss(name)
    n = real.size
    if name == "least-squares":
        return LossValue(0.5 * ((real - 1) ** 2).mean(), None, (real - 1) / n)
    return LossValue(softplus(-real).mean(), None, -sigmoid(-real) / n)


def fake_term(name: str, fake: Any) -> LossValue:
    """The generated-batch half of the discriminator loss (gradient in `grad_fake`)."""
    check_loss(name)
    m = fake.size
    if name == "least-squares":
        return LossValue(0.5 * (fake**2).mean(), None, fake / m)
    return LossValue(softplus(fake).mean(), None, sigmoid(fake) / m)


def generator_loss(name: str, fake: Any) -> LossValue:
    """The generator's loss on the discriminator's raw outputs `fake` `(m, …)` for its samples."""
    check_loss(name)
    m = fake.size
    if name == "least-squares":
        return LossValue(0.5 * ((fake - 1) ** 2).mean(), None, (fake - 1) / m)
    if name == "minimax":
        return LossValue(-softplus(fake).mean(), None, -sigmoid(fake) / m)
    return LossValue(softplus(-fake).mean(), None, -sigmoid(-fake) / m)


def belief(name: str, raw: Any) -> Any:
    """D's belief that each sample is real, in [0, 1]: σ(a) for log losses, clip(a) for LSGAN."""
    check_loss(name)
    if name == "least-squares":
        return _xp(raw).clip(raw, 0.0, 1.0)
    return sigmoid(raw)
