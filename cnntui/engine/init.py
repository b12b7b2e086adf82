"""Weight initialisers: PyTorch's defaults, He (Kaiming) and Xavier (Glorot).

Each `make_*` function returns an `Initializer` (shape, generator) → NumPy array, which a lazy
`Parameter` calls when it is first materialised. The `*_` functions mirror `torch.nn.init`: they
act on a `Parameter`, re-drawing its values now if it already holds data, otherwise just replacing
its initialiser (so nothing is allocated before it is needed).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from cnntui.engine.module import Initializer, Parameter

GAINS = {
    "linear": 1.0,
    "conv2d": 1.0,
    "conv_transpose2d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3.0,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4.0,
}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (`torch.nn.init.calculate_gain`)."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope * slope))
    if nonlinearity not in GAINS:
        raise ValueError(
            f"unknown nonlinearity {nonlinearity!r}; known: {', '.join([*GAINS, 'leaky_relu'])}"
        )
    return GAINS[nonlinearity]


def fan_in_and_fan_out(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) as PyTorch computes them: dim 1 and dim 0 times the receptive field size."""
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need at least 2 dimensions, got shape {shape}")
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return int(shape[1]) * receptive, int(shape[0]) * receptive


def _fan(shape: tuple[int, ...], mode: str) -> int:
    fan_in, fan_out = fan_in_and_fan_out(shape)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


def make_uniform(low: float, high: float) -> Initializer:
    def init(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(low, high, size=shape)

    return init


def make_normal(mean: float = 0.0, std: float = 1.0) -> Initializer:
    def init(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.normal(mean, std, size=shape)

    return init


def make_constant(value: float) -> Initializer:
    def init(shape: tuple[int, ...], _rng: np.random.Generator) -> np.ndarray:
        return np.full(shape, float(value))

    return init


def make_kaiming_uniform(
    a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Initializer:
    """He initialisation, uniform: bound = gain·√(3 / fan)."""

    def init(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        gain = calculate_gain(nonlinearity, a)
        bound = gain * math.sqrt(3.0 / _fan(shape, mode))
        return rng.uniform(-bound, bound, size=shape)

    return init


def make_kaiming_normal(
    a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Initializer:
    """He initialisation, normal: std = gain / √fan."""

    def init(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(shape, mode))
        return rng.normal(0.0, std, size=shape)

    return init


def make_xavier_uniform(gain: float = 1.0) -> Initializer:
    """Glorot initialisation, uniform: bound = gain·√(6 / (fan_in + fan_out))."""

    def init(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        fan_in, fan_out = fan_in_and_fan_out(shape)
        bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-bound, bound, size=shape)

    return init


def make_xavier_normal(gain: float = 1.0) -> Initializer:
    """Glorot initialisation, normal: std = gain·√(2 / (fan_in + fan_out))."""

    def init(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        fan_in, fan_out = fan_in_and_fan_out(shape)
        return rng.normal(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), size=shape)

    return init


def default_weight(fan_in: int) -> Initializer:
    """PyTorch's default for Linear and Conv weights: kaiming_uniform(a=√5), i.e. U(±1/√fan_in)."""
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return make_uniform(-bound, bound)


def default_bias(fan_in: int) -> Initializer:
    """PyTorch's default for Linear and Conv biases: U(±1/√fan_in)."""
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return make_uniform(-bound, bound)


# -- torch.nn.init-style functions acting on a Parameter ------------------------------------------


def _apply(
    param: Parameter, initializer: Initializer, generator: np.random.Generator | None
) -> Parameter:
    param._init = initializer
    if param.is_materialized:
        param._data = None
        param.materialize(generator)
    return param


def uniform_(param: Parameter, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Parameter:
    return _apply(param, make_uniform(a, b), generator)


def normal_(
    param: Parameter, mean: float = 0.0, std: float = 1.0, generator: Any = None
) -> Parameter:
    return _apply(param, make_normal(mean, std), generator)


def constant_(param: Parameter, val: float) -> Parameter:
    return _apply(param, make_constant(val), None)


def zeros_(param: Parameter) -> Parameter:
    return constant_(param, 0.0)


def ones_(param: Parameter) -> Parameter:
    return constant_(param, 1.0)


def kaiming_uniform_(
    param: Parameter,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Parameter:
    return _apply(param, make_kaiming_uniform(a, mode, nonlinearity), generator)


def kaiming_normal_(
    param: Parameter,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Any = None,
) -> Parameter:
    return _apply(param, make_kaiming_normal(a, mode, nonlinearity), generator)


def xavier_uniform_(param: Parameter, gain: float = 1.0, generator: Any = None) -> Parameter:
    return _apply(param, make_xavier_uniform(gain), generator)


def xavier_normal_(param: Parameter, gain: float = 1.0, generator: Any = None) -> Parameter:
    return _apply(param, make_xavier_normal(gain), generator)


he_uniform_ = kaiming_uniform_
he_normal_ = kaiming_normal_
glorot_uniform_ = xavier_uniform_
glorot_normal_ = xavier_normal_
