"""How activations and gradients behave layer by layer in a deep plain network at initialisation.

The experiment of Glorot & Bengio (2010, section 4.2) and He et al. (2015, section 2.2) made
computable: a stack of `depth` fully connected layers of `width` units, each followed by the same
non-linearity, with no biases (zeros) and no normalisation, fed a batch of standard-normal inputs.
One forward pass records the mean and standard deviation of every layer's activations; one
backward pass from a standard-normal upstream gradient at the top records the standard deviation
of the gradient with respect to every layer's activations and weights. Everything runs on the
engine's own `Linear` and activation layers (`forward`/`backward`), in float64, seeded.

Initialisations (weight W of shape (out, in), fan_in = in, fan_out = out):

* ``small``: N(0, 0.01²), the "small random numbers" of early practice;
* ``large``: N(0, 1), weights of the size of the inputs;
* ``xavier``: Glorot's normalised initialisation, U(−a, a) with a = √(6 / (fan_in + fan_out)),
  so Var(W) = 2 / (fan_in + fan_out) (Glorot & Bengio 2010, equation 16);
* ``he``: N(0, 2 / fan_in) (He et al. 2015, equation 10), which keeps the variance of ReLU
  activations constant from layer to layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

# NumPy is imported inside the functions so that `cnntui init-stats --help` stays light.

INITS = ("small", "large", "xavier", "he")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
LEAKY_SLOPE = 0.01
"""PyTorch's default negative slope for LeakyReLU."""
SATURATED = 0.99
"""A sigmoid output below 1 − 0.99 or above 0.99, or a tanh output beyond ±0.99, is saturated:
its derivative is below 0.01 (sigmoid) or 0.02 (tanh)."""


@dataclass(frozen=True)
class LayerStatistics:
    """One layer's activations after the non-linearity, and the gradients that reach it."""

    layer: int
    """1 for the first hidden layer."""
    activation_mean: float
    activation_std: float
    saturated: float
    """Share of activations in the flat tails (sigmoid, tanh); 0 for the ReLUs."""
    dead: float
    """Share of units that output 0 (ReLU) for every sample of the batch; 0 for the others."""
    gradient_std: float
    """Standard deviation of dL/d(activations) of this layer."""
    weight_gradient_std: float
    """Standard deviation of dL/dW of the layer's weights."""


def _activation(name: str):  # type: ignore[no-untyped-def]
    from cnntui.engine import nn

    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "tanh":
        return nn.Tanh()
    if name == "relu":
        return nn.ReLU()
    if name == "leaky_relu":
        return nn.LeakyReLU(LEAKY_SLOPE)
    raise ValueError(f"unknown activation {name!r}; use one of {', '.join(ACTIVATIONS)}")


def _weights(init: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    import numpy as np

    if init == "small":
        return rng.normal(0.0, 0.01, size=(fan_out, fan_in))
    if init == "large":
        return rng.normal(0.0, 1.0, size=(fan_out, fan_in))
    if init == "xavier":
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, size=(fan_out, fan_in))
    if init == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
    raise ValueError(f"unknown initialisation {init!r}; use one of {', '.join(INITS)}")


@lru_cache(maxsize=64)
def init_statistics(
    init: str,
    activation: str,
    depth: int = 10,
    width: int = 128,
    batch: int = 128,
    seed: int = 0,
) -> tuple[LayerStatistics, ...]:
    """Per-layer statistics of a `depth`-layer plain net under one initialisation (see module)."""
    import numpy as np

    from cnntui.engine import nn

    if init not in INITS:
        raise ValueError(f"unknown initialisation {init!r}; use one of {', '.join(INITS)}")
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; use one of {', '.join(ACTIVATIONS)}")
    if not (1 <= depth <= 100 and 1 <= width <= 4096 and 1 <= batch <= 4096):
        raise ValueError("depth must be 1-100, width and batch 1-4096")
    rng = np.random.default_rng(seed)
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width, bias=False)
        linear.to(dtype=np.float64)
        linear.weight.data = _weights(init, width, width, rng)
        layers.append((linear, _activation(activation)))
    x = rng.normal(size=(batch, width))
    outputs = []
    for linear, act in layers:
        x = act.forward(linear.forward(x))
        outputs.append(x)
    grad = rng.normal(size=(batch, width))
    gradients: list[np.ndarray] = [np.empty(0)] * depth
    weight_grads: list[np.ndarray] = [np.empty(0)] * depth
    for index in range(depth - 1, -1, -1):
        linear, act = layers[index]
        gradients[index] = grad
        grad = linear.backward(act.backward(grad))
        weight_grads[index] = np.asarray(linear.weight.grad)
    stats = []
    for index, h in enumerate(outputs):
        if activation == "sigmoid":
            saturated = float(np.mean((h < 1 - SATURATED) | (h > SATURATED)))
        elif activation == "tanh":
            saturated = float(np.mean(np.abs(h) > SATURATED))
        else:
            saturated = 0.0
        dead = float(np.mean(np.all(h <= 0, axis=0))) if activation == "relu" else 0.0
        stats.append(
            LayerStatistics(
                layer=index + 1,
                activation_mean=float(h.mean()),
                activation_std=float(h.std()),
                saturated=saturated,
                dead=dead,
                gradient_std=float(gradients[index].std()),
                weight_gradient_std=float(weight_grads[index].std()),
            )
        )
    return tuple(stats)


FIELDS = (
    "activation_mean",
    "activation_std",
    "saturated",
    "dead",
    "gradient_std",
    "weight_gradient_std",
)
