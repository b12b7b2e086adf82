"""The layers of LeNet-5 as LeCun, Bottou, Bengio & Haffner (1998) describe it, which no modern
framework ships: the scaled tanh squashing, trainable sub-sampling, C3's sparse connection table
and the fixed Euclidean RBF output.

Every layer here has symbolic inference (for the summary) and forward/backward on NumPy or CuPy
arrays, so the 1998 network can be trained like any other.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cnntui.engine.module import Geometry, Module, Parameter, Shape
from cnntui.errors import ShapeError
from cnntui.i18n import _
from cnntui.zoo.tracing import array_module

C3_TABLE: tuple[tuple[int, ...], ...] = (
    (0, 1, 2),
    (1, 2, 3),
    (2, 3, 4),
    (3, 4, 5),
    (0, 4, 5),
    (0, 1, 5),
    (0, 1, 2, 3),
    (1, 2, 3, 4),
    (2, 3, 4, 5),
    (0, 3, 4, 5),
    (0, 1, 4, 5),
    (0, 1, 2, 5),
    (0, 1, 3, 4),
    (1, 2, 4, 5),
    (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)
"""Table I of the paper: which of S2's six maps each of C3's sixteen maps reads (60 links)."""

SQUASH_A = 1.7159
SQUASH_S = 2.0 / 3.0


def _shape_text(shape: Shape) -> str:
    return "×".join(str(s) for s in shape)


def _uniform(fan_in: int) -> Any:
    """The paper's initialisation: uniform in ±2.4 / fan-in."""
    bound = 2.4 / fan_in

    def init(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(-bound, bound, size=shape)

    return init


class ScaledTanh(Module):
    """LeCun's squashing function f(a) = A·tanh(S·a) with A = 1.7159, S = 2/3 (so f(±1) = ±1)."""

    def __init__(self) -> None:
        super().__init__()
        self._out: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def describe(self) -> str:
        return "1.7159·tanh(2a/3)"

    def forward(self, x: Any) -> Any:
        xp = array_module(x)
        self._out = SQUASH_A * xp.tanh(SQUASH_S * x)
        return self._out

    def backward(self, grad_out: Any) -> Any:
        t = self._out / SQUASH_A
        return grad_out * (SQUASH_A * SQUASH_S) * (1.0 - t * t)


class Subsampling(Module):
    """Trainable sub-sampling (S2, S4): each map's non-overlapping 2×2 sums are multiplied by one
    trainable coefficient and shifted by one trainable bias: 2 parameters per map.

    (C, H, W) -> (C, H/2, W/2); H and W must be even.
    """

    def __init__(self, channels: int, kernel_size: int = 2) -> None:
        super().__init__()
        self.channels = channels
        self.kernel_size = kernel_size
        self.weight = Parameter((channels,), _uniform(kernel_size * kernel_size))
        self.bias = Parameter((channels,))
        self._sums: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        k = self.kernel_size
        if len(input_shape) != 3 or input_shape[0] != self.channels:
            raise ShapeError(
                _("{layer} expects {channels}×H×W, gets {shape}").format(
                    layer="Subsampling", channels=self.channels, shape=_shape_text(input_shape)
                )
            )
        c, h, w = input_shape
        if h % k or w % k or h < k or w < k:
            raise ShapeError(
                _(
                    "Subsampling {k}×{k} needs a height and width divisible by {k}, gets {h}×{w}"
                ).format(k=k, h=h, w=w)
            )
        return (c, h // k, w // k)

    def geometry(self) -> Geometry:
        k = self.kernel_size
        return Geometry(kernel=(k, k), stride=(k, k))

    def describe(self) -> str:
        k = self.kernel_size
        return f"k={k}×{k} s={k}, coefficient + bias per map"

    def param_formula(self) -> str:
        return f"{self.channels} + {self.channels} = {2 * self.channels:,}"

    def forward(self, x: Any) -> Any:
        n, c, h, w = x.shape
        k = self.kernel_size
        self._sums = x.reshape(n, c, h // k, k, w // k, k).sum(axis=(3, 5))
        return (
            self._sums * self.weight.data[None, :, None, None] + self.bias.data[None, :, None, None]
        )

    def backward(self, grad_out: Any) -> Any:
        xp = array_module(grad_out)
        k = self.kernel_size
        gw = (grad_out * self._sums).sum(axis=(0, 2, 3))
        gb = grad_out.sum(axis=(0, 2, 3))
        self.weight.grad = gw if self.weight.grad is None else self.weight.grad + gw
        self.bias.grad = gb if self.bias.grad is None else self.bias.grad + gb
        g = grad_out * self.weight.data[None, :, None, None]
        return xp.repeat(xp.repeat(g, k, axis=2), k, axis=3)


def _correlate(x: Any, w: Any) -> Any:
    """Valid cross-correlation, stride 1: x (N, C, H, W), w (F, C, k, k) -> (N, F, H-k+1, W-k+1)."""
    xp = array_module(x)
    k = w.shape[-1]
    windows = xp.lib.stride_tricks.sliding_window_view(x, (k, k), axis=(2, 3))
    return xp.einsum("nchwij,fcij->nfhw", windows, w, optimize=True)


class SparseConv2d(Module):
    """C3: a 5×5 convolution in which output map j reads only the input maps `table[j]`.

    The weight holds one 5×5 kernel per link (60 for the paper's table), so the count is
    60·25 + 16 = 1,516 rather than a full layer's 6·16·25 + 16 = 2,416. The paper gives two
    reasons: fewer connections, and broken symmetry, so different maps learn different features.
    """

    def __init__(
        self,
        in_channels: int = 6,
        out_channels: int = 16,
        kernel_size: int = 5,
        table: tuple[tuple[int, ...], ...] = C3_TABLE,
    ) -> None:
        super().__init__()
        if len(table) != out_channels or any(
            not links or min(links) < 0 or max(links) >= in_channels for links in table
        ):
            raise ValueError(
                "the connection table needs one non-empty list of input maps per output map"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.table = table
        self.links = sum(len(t) for t in table)
        fan_in = [len(t) * kernel_size * kernel_size for t in table]
        self.weight = Parameter((self.links, kernel_size, kernel_size), _uniform(max(fan_in)))
        self.bias = Parameter((out_channels,))
        self._link_out = np.array([j for j, t in enumerate(table) for _link in t])
        self._link_in = np.array([i for t in table for i in t])
        self._input: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        k = self.kernel_size
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ShapeError(
                _("{layer} expects {channels}×H×W, gets {shape}").format(
                    layer="SparseConv2d",
                    channels=self.in_channels,
                    shape=_shape_text(input_shape),
                )
            )
        _channels, h, w = input_shape
        if h < k or w < k:
            raise ShapeError(
                _("SparseConv2d {k}×{k} kernel is larger than the {h}×{w} input").format(
                    k=k, h=h, w=w
                )
            )
        return (self.out_channels, h - k + 1, w - k + 1)

    def own_macs(self, input_shape: Shape, output_shape: Shape) -> int:
        return output_shape[1] * output_shape[2] * self.links * self.kernel_size**2

    def geometry(self) -> Geometry:
        k = self.kernel_size
        return Geometry(kernel=(k, k))

    def describe(self) -> str:
        k = self.kernel_size
        return (
            f"k={k}×{k} s=1 p=0, {self.links} of {self.in_channels * self.out_channels} map links"
        )

    def param_formula(self) -> str:
        k = self.kernel_size
        total = self.links * k * k + self.out_channels
        return f"{self.links}·{k}·{k} + {self.out_channels} = {total:,}"

    def dense_weight(self) -> Any:
        """The equivalent full (out, in, k, k) weight with zeros where the table has no link."""
        xp = array_module(self.weight.data)
        k = self.kernel_size
        full = xp.zeros((self.out_channels, self.in_channels, k, k), dtype=self.weight.data.dtype)
        full[self._links(xp)] = self.weight.data
        return full

    def _links(self, xp: Any) -> tuple[Any, Any]:
        """The (output map, input map) index arrays on the weight's backend."""
        if xp is np:
            return self._link_out, self._link_in
        cached = self.__dict__.get("_device_links")
        if cached is None or cached[0] is not xp:  # uploaded once, not on every pass
            cached = (xp, xp.asarray(self._link_out), xp.asarray(self._link_in))
            object.__setattr__(self, "_device_links", cached)
        return cached[1], cached[2]

    def forward(self, x: Any) -> Any:
        self._input = x
        return _correlate(x, self.dense_weight()) + self.bias.data[None, :, None, None]

    def backward(self, grad_out: Any) -> Any:
        xp = array_module(grad_out)
        k = self.kernel_size
        windows = xp.lib.stride_tricks.sliding_window_view(self._input, (k, k), axis=(2, 3))
        grad_full = xp.einsum("nchwij,nfhw->fcij", windows, grad_out, optimize=True)
        gw = grad_full[self._links(xp)]
        gb = grad_out.sum(axis=(0, 2, 3))
        self.weight.grad = gw if self.weight.grad is None else self.weight.grad + gw
        self.bias.grad = gb if self.bias.grad is None else self.bias.grad + gb
        padded = xp.pad(grad_out, ((0, 0), (0, 0), (k - 1, k - 1), (k - 1, k - 1)))
        flipped = self.dense_weight().transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
        return _correlate(padded, xp.ascontiguousarray(flipped))


DIGIT_BITMAPS = {
    "0": ".XXXXX.|XX...XX|X.....X|X.....X|X.....X|X.....X|X.....X|X.....X|X.....X|XX...XX|.XXXXX.|.......",
    "1": "...X...|..XX...|.X.X...|...X...|...X...|...X...|...X...|...X...|...X...|...X...|.XXXXX.|.......",
    "2": ".XXXXX.|XX...XX|......X|......X|.....XX|....XX.|...XX..|..XX...|.XX....|XX.....|XXXXXXX|.......",
    "3": ".XXXXX.|XX...XX|......X|......X|.....XX|..XXXX.|.....XX|......X|......X|XX...XX|.XXXXX.|.......",
    "4": ".....X.|....XX.|...X.X.|..X..X.|.X...X.|X....X.|XXXXXXX|.....X.|.....X.|.....X.|.....X.|.......",
    "5": "XXXXXXX|X......|X......|X......|XXXXXX.|.....XX|......X|......X|......X|XX...XX|.XXXXX.|.......",
    "6": "..XXXX.|.XX....|XX.....|X......|XXXXXX.|XX...XX|X.....X|X.....X|X.....X|XX...XX|.XXXXX.|.......",
    "7": "XXXXXXX|......X|.....XX|.....X.|....XX.|....X..|...XX..|...X...|...X...|...X...|...X...|.......",
    "8": ".XXXXX.|XX...XX|X.....X|XX...XX|.XXXXX.|XX...XX|X.....X|X.....X|X.....X|XX...XX|.XXXXX.|.......",
    "9": ".XXXXX.|XX...XX|X.....X|X.....X|XX...XX|.XXXXXX|......X|......X|.....XX|....XX.|.XXX...|.......",
}
"""Stylised 7×12 bitmaps of the ten digits, the kind of code the paper's RBF units were set to:
+1 where a pixel is on, -1 where it is off (84 values, matching F6's 84 units)."""


def _digit_codes(shape: tuple[int, ...], _rng: np.random.Generator) -> np.ndarray:
    classes, features = shape
    codes = -np.ones((classes, features))
    for digit in range(min(classes, 10)):
        bits = DIGIT_BITMAPS[str(digit)].replace("|", "")
        codes[digit, : len(bits)] = [1.0 if b == "X" else -1.0 for b in bits][:features]
    return codes


class RBFOutput(Module):
    """The 1998 output layer: one Euclidean radial basis unit per class,
    y_i = Σ_j (x_j − w_ij)², the squared distance from F6's output to the class's code.

    The codes are fixed (stylised 7×12 bitmaps of the digits, ±1), so its 840 parameters are
    counted as non-trainable; the lowest output wins. (F,) -> (classes,).
    """

    def __init__(self, in_features: int = 84, num_classes: int = 10) -> None:
        super().__init__()
        self.in_features = in_features
        self.num_classes = num_classes
        self.weight = Parameter((num_classes, in_features), _digit_codes, requires_grad=False)
        self._input: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        if tuple(input_shape) != (self.in_features,):
            raise ShapeError(
                _("RBF output expects {count} inputs, gets {shape}").format(
                    count=self.in_features, shape=_shape_text(input_shape)
                )
            )
        return (self.num_classes,)

    def own_macs(self, input_shape: Shape, output_shape: Shape) -> int:
        return self.in_features * self.num_classes

    def describe(self) -> str:
        return "squared distance to fixed class codes"

    def param_formula(self) -> str:
        return f"{self.in_features}·{self.num_classes} = {self.in_features * self.num_classes:,} (fixed)"

    def forward(self, x: Any) -> Any:
        self._input = x
        diff = x[:, None, :] - self.weight.data[None, :, :]
        return (diff * diff).sum(axis=2)

    def backward(self, grad_out: Any) -> Any:
        diff = self._input[:, None, :] - self.weight.data[None, :, :]
        return 2.0 * (grad_out[:, :, None] * diff).sum(axis=1)
