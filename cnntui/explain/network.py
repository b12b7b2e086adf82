"""One image through a network, layer by layer: activations, a unit's receptive field, kernel
and sum, and the softmax at the end.

Works on any engine `Module` whose layers run one after another (an `nn.Sequential`, nested ones
flattened); a container that is not a Sequential (a residual block) counts as one layer. All
arrays returned are host NumPy arrays of one sample: `(C, H, W)` for maps, `(F,)` for vectors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnntui.engine.backend import to_host
from cnntui.errors import UsageError
from cnntui.i18n import _


def flat_layers(module: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """`(dotted name, layer)` of the layers a Sequential runs, in order (nested ones flattened)."""
    from cnntui.engine import nn

    if not isinstance(module, nn.Sequential):
        return [(prefix or type(module).__name__.lower(), module)]
    out: list[tuple[str, Any]] = []
    for name, child in module.named_children():
        full = f"{prefix}.{name}" if prefix else name
        out.extend(
            flat_layers(child, full) if isinstance(child, nn.Sequential) else [(full, child)]
        )
    return out


def layer_kind(layer: Any) -> str:
    """`conv`, `relu`, `pool`, `flatten`, `linear` or `other` (what the Explain view can show)."""
    from cnntui.engine import nn

    if isinstance(layer, nn.Conv2d):
        return "conv"
    if isinstance(layer, nn.ReLU | nn.LeakyReLU):
        return "relu"
    if isinstance(layer, nn.MaxPool2d | nn.AvgPool2d):
        return "pool"
    if isinstance(layer, nn.Flatten):
        return "flatten"
    if isinstance(layer, nn.Linear):
        return "linear"
    return "other"


@dataclass
class ForwardTrace:
    """The input and every layer's output for one sample.

    Attributes:
        image: the network's input `(C, H, W)` (normalised).
        names, layers: the flat layers in order.
        outputs: each layer's output for this sample, `(C, H, W)` or `(F,)`.
    """

    image: np.ndarray
    names: list[str]
    layers: list[Any]
    outputs: list[np.ndarray]

    @property
    def logits(self) -> np.ndarray:
        return self.outputs[-1]

    def index(self, name: str) -> int:
        if name not in self.names:
            raise UsageError(
                _("no layer called {name}; the layers are {layers}").format(
                    name=repr(name), layers=", ".join(self.names)
                )
            )
        return self.names.index(name)

    def input_of(self, index: int) -> np.ndarray:
        """What layer `index` received."""
        return self.image if index == 0 else self.outputs[index - 1]

    def stats(self) -> list[dict[str, Any]]:
        """`{"name", "shape", "min", "max", "mean"}` per layer."""
        return [
            {
                "name": name,
                "shape": [int(s) for s in out.shape],
                "min": float(out.min()),
                "max": float(out.max()),
                "mean": float(out.mean()),
            }
            for name, out in zip(self.names, self.outputs)
        ]


def forward_trace(module: Any, image: np.ndarray) -> ForwardTrace:
    """Run `image` `(C, H, W)` through `module` in eval mode, keeping every layer's output.

    Each layer also keeps its forward context, so `backward_from` can follow right after.
    """
    module.eval()
    layers = flat_layers(module)
    x = _on_backend(module, np.asarray(image, dtype=np.float32)[None])
    outputs: list[np.ndarray] = []
    for _name, layer in layers:
        x = layer.forward(x)
        outputs.append(to_host(x)[0])
    return ForwardTrace(
        np.asarray(image, dtype=np.float32),
        [n for n, _ in layers],
        [m for _, m in layers],
        outputs,
    )


def _on_backend(module: Any, x: np.ndarray) -> Any:
    """`x` on the array module of the network's parameters (NumPy or CuPy)."""
    for p in module.parameters():
        return p.xp.asarray(x) if p.xp is not np else x
    return x


def backward_from(
    trace: ForwardTrace, grad_logits: np.ndarray, stop_at: int = -1
) -> tuple[np.ndarray, np.ndarray]:
    """Backpropagate `grad_logits` `(K,)` through the layers of the last `forward_trace`.

    Returns (gradient w.r.t. the output of layer `stop_at`, gradient w.r.t. the input); the
    first is that of the logits when `stop_at` is the last layer (-1 means the input only).
    Parameter gradients are accumulated as a side effect and cleared here.
    """
    grad = _on_backend(trace.layers[0], np.asarray(grad_logits, dtype=np.float32)[None])
    at_layer: np.ndarray | None = None
    count = len(trace.layers)
    trace.layers[0].needs_input_grad = True
    for index in range(count - 1, -1, -1):
        if index == stop_at:
            at_layer = to_host(grad)[0]
        grad = trace.layers[index].backward(grad)
    for layer in trace.layers:
        layer.zero_grad()
    grad_input = to_host(grad)[0]
    return (at_layer if at_layer is not None else grad_input), grad_input


# -- one unit -------------------------------------------------------------------------------------


@dataclass
class UnitDetail:
    """How one unit's value came about.

    `kind` is the layer's kind. For `conv`: `patch` `(C_in, kh, kw)` is the input window (padding
    included, zeros outside), `kernel` the same shape, `bias` and `value` = Σ patch·kernel + bias.
    For `relu`: `value` = max(0, `inputs[0]`). For `pool`: `patch` `(kh, kw)` is the window.
    For `linear`: the largest `terms` (input index, input, weight) of the dot product.
    `box` is the receptive field on the network input: (top, left, bottom, right), inclusive,
    clipped to the image.
    """

    layer: str
    kind: str
    position: tuple[int, ...]
    value: float
    box: tuple[int, int, int, int]
    patch: np.ndarray | None = None
    kernel: np.ndarray | None = None
    bias: float = 0.0
    inputs: list[float] = field(default_factory=list)
    terms: list[tuple[int, float, float]] = field(default_factory=list)
    followed_by_relu: bool = False

    @property
    def products_sum(self) -> float:
        """Σ patch·kernel (conv) without the bias."""
        if self.patch is None or self.kernel is None:
            return math.nan
        return float((self.patch.astype(np.float64) * self.kernel).sum())


def receptive_box(trace: ForwardTrace, index: int, row: int, col: int) -> tuple[int, int, int, int]:
    """Input pixels (top, left, bottom, right, inclusive) that unit (row, col) of layer `index`
    depends on, clipped to the image. A unit after a flatten sees the whole image."""
    _channels, height, width = trace.image.shape
    if trace.outputs[index].ndim != 3:
        return (0, 0, height - 1, width - 1)
    top, bottom, left, right = row, row, col, col
    for layer in reversed(trace.layers[: index + 1]):
        geometry = layer.geometry()
        if geometry is None:
            continue
        (kh, kw), (sh, sw) = geometry.kernel, geometry.stride
        (ph, pw), (dh, dw) = geometry.padding, geometry.dilation
        top, bottom = top * sh - ph, bottom * sh - ph + dh * (kh - 1)
        left, right = left * sw - pw, right * sw - pw + dw * (kw - 1)
    return (max(0, top), max(0, left), min(height - 1, bottom), min(width - 1, right))


def unit_detail(trace: ForwardTrace, index: int, position: tuple[int, ...]) -> UnitDetail:
    """The detail of unit `position` (`(c, i, j)` for maps, `(f,)` for vectors) of layer `index`."""
    out = trace.outputs[index]
    if len(position) != out.ndim or any(not 0 <= p < s for p, s in zip(position, out.shape)):
        raise UsageError(
            _("unit {position} is outside the output {shape} of {name}").format(
                position=position, shape=out.shape, name=trace.names[index]
            )
        )
    layer = trace.layers[index]
    kind = layer_kind(layer)
    value = float(out[position])
    row, col = (position[1], position[2]) if out.ndim == 3 else (0, 0)
    detail = UnitDetail(
        trace.names[index], kind, tuple(position), value, receptive_box(trace, index, row, col)
    )
    after = trace.layers[index + 1] if index + 1 < len(trace.layers) else None
    detail.followed_by_relu = after is not None and layer_kind(after) == "relu"
    source = trace.input_of(index)
    if kind == "conv" and out.ndim == 3 and layer.groups == 1:
        channel = position[0]
        (kh, kw), (sh, sw), (dh, dw) = layer.kernel_size, layer.stride, layer.dilation
        top, bottom, left, right = layer.pads
        padded = np.pad(source, ((0, 0), (top, bottom), (left, right)))
        r0, c0 = row * sh, col * sw
        detail.patch = padded[:, r0 : r0 + dh * (kh - 1) + 1 : dh, c0 : c0 + dw * (kw - 1) + 1 : dw]
        detail.kernel = to_host(layer.weight.data)[channel].astype(np.float32)
        detail.bias = float(to_host(layer.bias.data)[channel]) if layer.bias is not None else 0.0
    elif kind == "relu":
        detail.inputs = [float(source[position])]
    elif kind == "pool" and out.ndim == 3:
        geometry = layer.geometry()
        (kh, kw), (sh, sw), (ph, pw) = geometry.kernel, geometry.stride, geometry.padding
        padded = np.pad(source[position[0]], ((ph, ph), (pw, pw)), constant_values=-np.inf)
        detail.patch = padded[row * sh : row * sh + kh, col * sw : col * sw + kw]
    elif kind == "linear":
        weights = to_host(layer.weight.data)[position[0]]
        flat = source.reshape(-1)
        contributions = flat * weights
        order = np.argsort(-np.abs(contributions))[:8]
        detail.terms = [(int(i), float(flat[i]), float(weights[i])) for i in order]
        detail.bias = (
            float(to_host(layer.bias.data)[position[0]]) if layer.bias is not None else 0.0
        )
        detail.inputs = [float(contributions.sum())]
    return detail


# -- the classifier end ---------------------------------------------------------------------------


@dataclass
class Softmax:
    """The softmax written out: `shifted` = logits − max, `exps` = e^shifted, `total` = Σ exps,
    `probabilities` = exps / total (all `(K,)` float64)."""

    logits: np.ndarray
    shifted: np.ndarray
    exps: np.ndarray
    total: float
    probabilities: np.ndarray

    def top(self, k: int = 3) -> list[int]:
        """Class indices of the `k` largest probabilities, largest first (ties: lower index)."""
        return [int(i) for i in np.argsort(-self.probabilities, kind="stable")[:k]]


def softmax(logits: np.ndarray) -> Softmax:
    z = np.asarray(logits, dtype=np.float64).reshape(-1)
    shifted = z - z.max()
    exps = np.exp(shifted)
    total = float(exps.sum())
    return Softmax(z, shifted, exps, total, exps / total)
