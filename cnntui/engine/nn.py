"""Layers and containers, constructed like `torch.nn`, each with an explicit forward and backward.

Every layer:

* is built with PyTorch's arguments and parameter shapes (`Conv2d.weight` is (F, C/groups, kh, kw),
  `ConvTranspose2d.weight` is (Cin, Cout/groups, kh, kw), `Linear.weight` is (out, in)), and lazy
  parameters with PyTorch's default initialisers;
* computes `forward(x)` on a batch and `backward(grad_out)`, which returns the gradient with
  respect to the input and accumulates into `.grad` of its parameters;
* answers symbolic questions on per-sample shapes without touching parameter data:
  `output_shape`, `own_macs` (multiply-accumulates as torchvision counts "GFLOPS": convolutions
  and linear layers only), `geometry` (for receptive fields), `describe`, `param_formula`.

Wrong shapes raise `ShapeError` (a `ValueError`) naming the layer, what it expected and what it got.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from cnntui.engine import functional as F
from cnntui.engine import init
from cnntui.engine.backend import Array, array_module, to_host
from cnntui.engine.module import (
    Field,
    Geometry,
    Module,
    Parameter,
    Shape,
    TraceRecord,
    backward_chain,
    child_name,
    close_record,
    forward_chain,
    open_record,
    trace_chain,
)
from cnntui.engine.outsize import conv_outsize, conv_transpose_outsize, effective_kernel
from cnntui.errors import ShapeError
from cnntui.i18n import N_, _

__all__ = [
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Concat",
    "Conv2d",
    "ConvTranspose2d",
    "CrossEntropyLoss",
    "Dropout",
    "Flatten",
    "Identity",
    "LeakyReLU",
    "Linear",
    "LocalResponseNorm",
    "Loss",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "Parameter",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Tanh",
]


# -- helpers ----------------------------------------------------------------------------------------


def _fmt(n: int) -> str:
    return f"{n:,}"


def _hw(pair: tuple[int, int]) -> str:
    return f"{pair[0]}×{pair[1]}"


def _one(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]},{pair[1]}"


def _accumulate(param: Parameter, grad: Array) -> None:
    """Add `grad` into `param.grad` (PyTorch semantics: gradients accumulate until zeroed)."""
    if grad is None or not param.requires_grad:
        return
    if param.grad is None:
        xp = array_module(grad)
        param.grad = (
            xp.ascontiguousarray(grad) if grad.dtype == param.dtype else grad.astype(param.dtype)
        )
    else:
        param.grad += grad


def _batch_shape(layer: Module, x: Array, expected: str, ndims: tuple[int, ...]) -> None:
    if getattr(x, "ndim", None) not in ndims:
        raise ShapeError(
            f"{type(layer).__name__} expects input {expected}, got shape {tuple(getattr(x, 'shape', ()))}"
        )


def _check_dtype(layer: Module, x: Array, param: Parameter) -> None:
    if x.dtype != param.dtype:
        raise ValueError(
            f"{type(layer).__name__} holds {param.dtype} parameters but got a {x.dtype} input; "
            f"convert the input or call .to(dtype=...) on the model"
        )


def _pool_len(layer: str, size: int, k: int, s: int, p: int, d: int, ceil: bool, axis: str) -> int:
    out = conv_outsize(size, k, s, p, d, ceil)
    if out < 1:
        raise ShapeError(
            _(
                "{layer}: a window of {k} (padding {p}) does not fit an input {axis} of {size}"
            ).format(layer=layer, k=k, p=p, axis=_(axis), size=size)
        )
    return out


# -- convolutions -----------------------------------------------------------------------------------


class Conv2d(Module):
    """2-D convolution (cross-correlation), NCHW.

    Args mirror `torch.nn.Conv2d`: padding may be an int, a pair, 'same' or 'valid';
    `padding_mode` is 'zeros' or 'replicate'.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
    ) -> None:
        super().__init__()
        if in_channels < 1 or out_channels < 1:
            raise ValueError(
                _("{layer} needs positive channel counts, got {inputs} → {outputs}").format(
                    layer="Conv2d", inputs=in_channels, outputs=out_channels
                )
            )
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(
                _(
                    "{layer}: groups={groups} must divide in_channels={inputs} and "
                    "out_channels={outputs}"
                ).format(layer="Conv2d", groups=groups, inputs=in_channels, outputs=out_channels)
            )
        if padding_mode not in ("zeros", "replicate"):
            raise ValueError(
                f"Conv2d: padding_mode must be 'zeros' or 'replicate', got {padding_mode!r}"
            )
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = F.pair(kernel_size, "kernel_size")
        self.stride = F.pair(stride, "stride")
        self.dilation = F.pair(dilation, "dilation")
        if min(self.kernel_size + self.stride + self.dilation) < 1:
            raise ValueError(
                _("{layer}: kernel_size, stride and dilation must be at least 1").format(
                    layer="Conv2d"
                )
            )
        self.padding = padding if isinstance(padding, str) else F.pair(padding, "padding")
        self.pads = F.conv_pads(padding, self.kernel_size, self.dilation, self.stride, "Conv2d")
        self.groups = int(groups)
        self.padding_mode = padding_mode
        fan_in = (in_channels // groups) * self.kernel_size[0] * self.kernel_size[1]
        self.weight = Parameter(
            (out_channels, in_channels // groups, *self.kernel_size), init.default_weight(fan_in)
        )
        self.bias = Parameter((out_channels,), init.default_bias(fan_in)) if bias else None
        self._ctx: Any = None
        self._input_shape: tuple[int, ...] = ()

    # symbolic
    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ShapeError(
                _("{layer} expects input ({channels}, H, W), got {shape}").format(
                    layer="Conv2d", channels=self.in_channels, shape=tuple(input_shape)
                )
            )
        _channels, h, w = input_shape
        top, bottom, left, right = self.pads
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        oh = conv_outsize(h, kh, sh, (top, bottom), dh)
        ow = conv_outsize(w, kw, sw, (left, right), dw)
        if oh < 1 or ow < 1:
            raise ShapeError(
                _(
                    "Conv2d: a {kernel} kernel (dilation {dilation}, padding {padding}) "
                    "does not fit a {h}×{w} input"
                ).format(
                    kernel=_hw(self.kernel_size),
                    dilation=_one(self.dilation),
                    padding=self.padding,
                    h=h,
                    w=w,
                )
            )
        return (self.out_channels, oh, ow)

    def own_macs(self, input_shape: Shape, output_shape: Shape) -> int:
        per_output = (self.in_channels // self.groups) * self.kernel_size[0] * self.kernel_size[1]
        return int(np.prod(output_shape)) * per_output

    def geometry(self) -> Geometry:
        return Geometry(self.kernel_size, self.stride, (self.pads[0], self.pads[2]), self.dilation)

    def describe(self) -> str:
        pad = self.padding if isinstance(self.padding, str) else _one(self.padding)
        text = f"k={_hw(self.kernel_size)} s={_one(self.stride)} p={pad}"
        if self.dilation != (1, 1):
            text += f" d={_one(self.dilation)}"
        if self.groups != 1:
            text += f" g={self.groups}"
        if self.padding_mode != "zeros":
            text += f" {self.padding_mode}"
        return text

    def param_formula(self) -> str:
        kh, kw = self.kernel_size
        cin = self.in_channels // self.groups
        total = self.num_parameters()
        text = f"{kh}·{kw}·{cin}·{self.out_channels}"
        if self.bias is not None:
            text += f" + {self.out_channels}"
        return f"{text} = {_fmt(total)}"

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding not in ((0, 0), "valid"):
            text += (
                f", padding={self.padding!r}"
                if isinstance(self.padding, str)
                else f", padding={self.padding}"
            )
        if self.dilation != (1, 1):
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode!r}"
        return text

    # numerics
    def _replicate_pad(self) -> tuple[int, int, int, int]:
        top, bottom, left, right = self.pads
        return (left, right, top, bottom)

    def forward(self, x: Array) -> Array:
        _batch_shape(self, x, f"(N, {self.in_channels}, H, W)", (4,))
        if x.shape[1] != self.in_channels:
            raise ShapeError(
                f"Conv2d expects input (N, {self.in_channels}, H, W), got shape {tuple(x.shape)}"
            )
        _check_dtype(self, x, self.weight)
        self._input_shape = tuple(x.shape)
        bias = self.bias.data if self.bias is not None else None
        if self.padding_mode == "replicate" and any(self.pads):
            padded = F.pad(x, self._replicate_pad(), mode="replicate")
            out, self._ctx = F.conv2d_forward(
                padded, self.weight.data, bias, self.stride, 0, self.dilation, self.groups,
                workspace=self._workspace(),
            )  # fmt: skip
        else:
            out, self._ctx = F.conv2d_forward(
                x, self.weight.data, bias, self.stride, self.pads_arg(), self.dilation, self.groups,
                workspace=self._workspace(),
            )  # fmt: skip
        return out

    def _workspace(self) -> Array:
        """Last step's columns, which only this layer ever held: reused to save a fresh allocation."""
        ctx, self._ctx = self._ctx, None
        return ctx.cols if ctx is not None else None

    def pads_arg(self) -> Any:
        """The padding as `functional.conv2d` takes it (asymmetric 'same' padding included)."""
        top, bottom, left, right = self.pads
        if top == bottom and left == right:
            return (top, left)
        return self.padding

    def backward(self, grad_out: Array) -> Array:
        ctx = self.saved(self._ctx)
        replicate = self.padding_mode == "replicate" and any(self.pads)
        grad_in, grad_w, grad_b = F.conv2d_backward(grad_out, ctx, self.needs_input_grad)
        _accumulate(self.weight, grad_w)
        if self.bias is not None:
            _accumulate(self.bias, grad_b)
        if grad_in is not None and replicate:
            grad_in = F.pad_backward(
                grad_in, self._input_shape, self._replicate_pad(), mode="replicate"
            )
        return grad_in


class ConvTranspose2d(Module):
    """Transposed convolution ("deconvolution"), the upsampling layer of DCGAN's generator.

    Weight (in_channels, out_channels/groups, kh, kw), as in `torch.nn.ConvTranspose2d`.
    Output size: (H-1)·stride - 2·padding + dilation·(k-1) + output_padding + 1.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
    ) -> None:
        super().__init__()
        if in_channels < 1 or out_channels < 1:
            raise ValueError(
                _("{layer} needs positive channel counts, got {inputs} → {outputs}").format(
                    layer="ConvTranspose2d", inputs=in_channels, outputs=out_channels
                )
            )
        if groups < 1 or in_channels % groups or out_channels % groups:
            raise ValueError(
                _(
                    "{layer}: groups={groups} must divide in_channels={inputs} and "
                    "out_channels={outputs}"
                ).format(
                    layer="ConvTranspose2d", groups=groups, inputs=in_channels, outputs=out_channels
                )
            )
        self.in_channels = int(in_channels)
        self.out_channels = int(out_channels)
        self.kernel_size = F.pair(kernel_size, "kernel_size")
        self.stride = F.pair(stride, "stride")
        self.padding = F.pair(padding, "padding")
        self.output_padding = F.pair(output_padding, "output_padding")
        self.dilation = F.pair(dilation, "dilation")
        if min(self.kernel_size + self.stride + self.dilation) < 1:
            raise ValueError(
                _("{layer}: kernel_size, stride and dilation must be at least 1").format(
                    layer="ConvTranspose2d"
                )
            )
        for a in range(2):
            if self.output_padding[a] >= max(self.stride[a], self.dilation[a]):
                raise ValueError(
                    _(
                        "ConvTranspose2d: output_padding {output_padding} must be smaller than "
                        "the stride {stride} or the dilation {dilation}"
                    ).format(
                        output_padding=self.output_padding,
                        stride=self.stride,
                        dilation=self.dilation,
                    )
                )
        self.groups = int(groups)
        # PyTorch computes fan_in from weight.shape[1] * kh * kw (out_channels / groups)
        fan_in = (out_channels // groups) * self.kernel_size[0] * self.kernel_size[1]
        self.weight = Parameter(
            (in_channels, out_channels // groups, *self.kernel_size), init.default_weight(fan_in)
        )
        self.bias = Parameter((out_channels,), init.default_bias(fan_in)) if bias else None
        self._ctx: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ShapeError(
                _("{layer} expects input ({channels}, H, W), got {shape}").format(
                    layer="ConvTranspose2d", channels=self.in_channels, shape=tuple(input_shape)
                )
            )
        _channels, h, w = input_shape
        sizes = [
            conv_transpose_outsize(
                size,
                self.kernel_size[a],
                self.stride[a],
                self.padding[a],
                self.dilation[a],
                self.output_padding[a],
            )
            for a, size in enumerate((h, w))
        ]
        if min(sizes) < 1:
            raise ShapeError(
                _("{layer}: padding {padding} leaves no output for a {h}×{w} input").format(
                    layer="ConvTranspose2d", padding=self.padding, h=h, w=w
                )
            )
        return (self.out_channels, sizes[0], sizes[1])

    def own_macs(self, input_shape: Shape, output_shape: Shape) -> int:
        per_input = (self.out_channels // self.groups) * self.kernel_size[0] * self.kernel_size[1]
        return int(np.prod(input_shape)) * per_input

    def describe(self) -> str:
        text = f"k={_hw(self.kernel_size)} s={_one(self.stride)} p={_one(self.padding)}"
        if self.output_padding != (0, 0):
            text += f" op={_one(self.output_padding)}"
        if self.dilation != (1, 1):
            text += f" d={_one(self.dilation)}"
        if self.groups != 1:
            text += f" g={self.groups}"
        return text

    def param_formula(self) -> str:
        kh, kw = self.kernel_size
        text = f"{kh}·{kw}·{self.in_channels}·{self.out_channels // self.groups}"
        if self.bias is not None:
            text += f" + {self.out_channels}"
        return f"{text} = {_fmt(self.num_parameters())}"

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            text += f", padding={self.padding}"
        if self.output_padding != (0, 0):
            text += f", output_padding={self.output_padding}"
        if self.bias is None:
            text += ", bias=False"
        return text

    def forward(self, x: Array) -> Array:
        _batch_shape(self, x, f"(N, {self.in_channels}, H, W)", (4,))
        if x.shape[1] != self.in_channels:
            raise ShapeError(
                f"ConvTranspose2d expects input (N, {self.in_channels}, H, W), got shape {tuple(x.shape)}"
            )
        _check_dtype(self, x, self.weight)
        out, self._ctx = F.conv_transpose2d_forward(
            x,
            self.weight.data,
            self.bias.data if self.bias is not None else None,
            self.stride,
            self.padding,
            self.output_padding,
            self.groups,
            self.dilation,
        )
        return out

    def backward(self, grad_out: Array) -> Array:
        ctx = self.saved(self._ctx)
        grad_in, grad_w, grad_b = F.conv_transpose2d_backward(grad_out, ctx, self.needs_input_grad)
        _accumulate(self.weight, grad_w)
        if self.bias is not None:
            _accumulate(self.bias, grad_b)
        return grad_in


# -- pooling ------------------------------------------------------------------------------------------


class _Pool2d(Module, ABC):
    """What max and average pooling share (Chainer's `Pooling2D`): the window geometry, its
    checks, the output shape, the description and the backward pass through a saved context.

    Subclasses set `_forward_fn`/`_backward_fn` through `forward` and `_backward`.
    """

    def __init__(
        self,
        kernel_size: Any,
        stride: Any,
        padding: Any,
        dilation: Any,
        ceil_mode: bool,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        self.kernel_size = F.pair(kernel_size, "kernel_size")
        self.stride = self.kernel_size if stride is None else F.pair(stride, "stride")
        self.padding = F.pair(padding, "padding")
        self.dilation = F.pair(dilation, "dilation")
        self.ceil_mode = bool(ceil_mode)
        if min(self.kernel_size + self.stride + self.dilation) < 1:
            raise ValueError(
                _("{layer}: kernel_size, stride and dilation must be at least 1").format(layer=name)
            )
        for a in range(2):
            if (
                2 * self.padding[a] > effective_kernel(self.kernel_size[a], self.dilation[a])
                or self.padding[a] < 0
            ):
                raise ValueError(
                    _("{layer}: padding {padding} must be at most half the kernel {kernel}").format(
                        layer=name, padding=self.padding, kernel=self.kernel_size
                    )
                )
        self._ctx: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        name = type(self).__name__
        if len(input_shape) != 3:
            raise ShapeError(
                _("{layer} expects input (C, H, W), got {shape}").format(
                    layer=name, shape=tuple(input_shape)
                )
            )
        c, h, w = input_shape
        oh, ow = (
            _pool_len(
                name,
                size,
                self.kernel_size[a],
                self.stride[a],
                self.padding[a],
                self.dilation[a],
                self.ceil_mode,
                axis,
            )
            for a, (size, axis) in enumerate(((h, N_("height")), (w, N_("width"))))
        )
        return (c, oh, ow)

    def geometry(self) -> Geometry:
        return Geometry(self.kernel_size, self.stride, self.padding, self.dilation)

    def describe(self) -> str:
        text = f"k={_hw(self.kernel_size)} s={_one(self.stride)}"
        if self.padding != (0, 0):
            text += f" p={_one(self.padding)}"
        if self.dilation != (1, 1):
            text += f" d={_one(self.dilation)}"
        if self.ceil_mode:
            text += " ceil"
        return text

    def backward(self, grad_out: Array) -> Array:
        ctx = self.saved(self._ctx)
        if not self.needs_input_grad:
            return None
        return self._backward(grad_out, ctx)

    @abstractmethod
    def _backward(self, grad_out: Array, ctx: F.PoolContext) -> Array:
        """The gradient of this pooling (max routes to the argmax, average spreads)."""


class MaxPool2d(_Pool2d):
    """Max pooling; `stride` defaults to the kernel size. With `return_indices`, forward returns
    (output, indices) as PyTorch does (so such a layer cannot sit inside a `Sequential`)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__(kernel_size, stride, padding, dilation, ceil_mode)
        self.return_indices = bool(return_indices)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )

    def forward(self, x: Array) -> Array:
        _batch_shape(self, x, "(N, C, H, W)", (4,))
        out, self._ctx = F.max_pool2d_forward(
            x, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode
        )
        if self.return_indices:
            return out, F.max_pool2d_indices(self._ctx)
        return out

    def _backward(self, grad_out: Array, ctx: F.PoolContext) -> Array:
        return F.max_pool2d_backward(grad_out, ctx)


class AvgPool2d(_Pool2d):
    """Average pooling with PyTorch's options (`ceil_mode`, `count_include_pad`, `divisor_override`)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__(kernel_size, stride, padding, 1, ceil_mode)
        self.count_include_pad = bool(count_include_pad)
        self.divisor_override = divisor_override

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, x: Array) -> Array:
        _batch_shape(self, x, "(N, C, H, W)", (4,))
        out, self._ctx = F.avg_pool2d_forward(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )
        return out

    def _backward(self, grad_out: Array, ctx: F.PoolContext) -> Array:
        return F.avg_pool2d_backward(grad_out, ctx)


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed output size (PyTorch's bins); `output_size` entries may be None."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        if isinstance(output_size, int):
            output_size = (output_size, output_size)
        if not (isinstance(output_size, tuple | list) and len(output_size) == 2):
            raise ValueError(
                _("AdaptiveAvgPool2d: output_size must be an int or a pair, got {value!r}").format(
                    value=output_size
                )
            )
        for v in output_size:
            if v is not None and int(v) < 1:
                raise ValueError(
                    _("AdaptiveAvgPool2d: output_size must be positive, got {value!r}").format(
                        value=output_size
                    )
                )
        self.output_size = tuple(None if v is None else int(v) for v in output_size)
        self._ctx: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3:
            raise ShapeError(
                _("{layer} expects input (C, H, W), got {shape}").format(
                    layer="AdaptiveAvgPool2d", shape=tuple(input_shape)
                )
            )
        c, h, w = input_shape
        oh, ow = F.adaptive_output_size(self.output_size, h, w)
        return (c, oh, ow)

    def describe(self) -> str:
        oh, ow = ("·" if v is None else str(v) for v in self.output_size)
        return f"out={oh}×{ow}"

    def extra_repr(self) -> str:
        size = self.output_size
        return f"output_size={size}"

    def forward(self, x: Array) -> Array:
        _batch_shape(self, x, "(N, C, H, W)", (4,))
        out, self._ctx = F.adaptive_avg_pool2d_forward(x, self.output_size)
        return out

    def backward(self, grad_out: Array) -> Array:
        ctx = self.saved(self._ctx)
        if not self.needs_input_grad:
            return None
        return F.adaptive_avg_pool2d_backward(grad_out, ctx)


# -- linear, reshaping, activations --------------------------------------------------------------------


class Linear(Module):
    """Fully connected layer y = x Wᵀ + b, weight (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        if in_features < 1 or out_features < 1:
            raise ValueError(
                _("Linear needs positive sizes, got {inputs} → {outputs}").format(
                    inputs=in_features, outputs=out_features
                )
            )
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        self.weight = Parameter((out_features, in_features), init.default_weight(in_features))
        self.bias = Parameter((out_features,), init.default_bias(in_features)) if bias else None
        self._input: Array | None = None

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) < 1 or input_shape[-1] != self.in_features:
            hint = " " + _("(add a Flatten before it)") if len(input_shape) > 1 else ""
            raise ShapeError(
                _("Linear expects input ({features},), got {shape}").format(
                    features=self.in_features, shape=tuple(input_shape)
                )
                + hint
            )
        return tuple(input_shape[:-1]) + (self.out_features,)

    def own_macs(self, input_shape: Shape, output_shape: Shape) -> int:
        return int(np.prod(input_shape[:-1], dtype=np.int64)) * self.in_features * self.out_features

    def describe(self) -> str:
        return f"{self.in_features}→{self.out_features}"

    def param_formula(self) -> str:
        text = f"{self.in_features}·{self.out_features}"
        if self.bias is not None:
            text += f" + {self.out_features}"
        return f"{text} = {_fmt(self.num_parameters())}"

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

    def forward(self, x: Array) -> Array:
        if getattr(x, "ndim", 0) < 1 or x.shape[-1] != self.in_features:
            raise ShapeError(
                f"Linear expects input (N, {self.in_features}), got shape {tuple(getattr(x, 'shape', ()))}"
            )
        _check_dtype(self, x, self.weight)
        self._input = x
        return F.linear(x, self.weight.data, self.bias.data if self.bias is not None else None)

    def backward(self, grad_out: Array) -> Array:
        grad_in, grad_w, grad_b = F.linear_backward(
            grad_out,
            self.saved(self._input),
            self.weight.data,
            self.bias is not None,
            self.needs_input_grad,
        )
        _accumulate(self.weight, grad_w)
        if self.bias is not None:
            _accumulate(self.bias, grad_b)
        return grad_in


class Flatten(Module):
    """Flatten dimensions `start_dim`…`end_dim` (of the batched shape; default: all but the batch)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = int(start_dim)
        self.end_dim = int(end_dim)
        self._input_shape: tuple[int, ...] | None = None

    def _span(self, ndim: int) -> tuple[int, int]:
        start = self.start_dim % ndim
        end = self.end_dim % ndim
        if start > end:
            raise ShapeError(
                _(
                    "Flatten: start_dim {start} comes after end_dim {end} for {ndim} dimensions"
                ).format(start=self.start_dim, end=self.end_dim, ndim=ndim)
            )
        return start, end

    def output_shape(self, input_shape: Shape) -> Shape:
        batched = (1, *input_shape)
        start, end = self._span(len(batched))
        flat = int(np.prod(batched[start : end + 1], dtype=np.int64))
        out = batched[:start] + (flat,) + batched[end + 1 :]
        if start == 0:
            raise ShapeError(_("Flatten with start_dim 0 would merge the batch dimension"))
        return tuple(out[1:])

    def describe(self) -> str:
        return (
            ""
            if (self.start_dim, self.end_dim) == (1, -1)
            else f"dims {self.start_dim}…{self.end_dim}"
        )

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"

    def forward(self, x: Array) -> Array:
        self._input_shape = tuple(x.shape)
        start, end = self._span(x.ndim)
        shape = x.shape[:start] + (-1,) + x.shape[end + 1 :]
        return x.reshape(shape)

    def backward(self, grad_out: Array) -> Array:
        return grad_out.reshape(self.saved(self._input_shape))


class Identity(Module):
    """Passes its input through unchanged (a placeholder, e.g. an identity shortcut)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def forward(self, x: Array) -> Array:
        return x

    def backward(self, grad_out: Array) -> Array:
        return grad_out


class _Pointwise(Module):
    """An elementwise layer: the output has the input's shape."""

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)


class ReLU(_Pointwise):
    """max(x, 0). `inplace` is accepted for PyTorch compatibility; the output is always a new array."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace
        self._output: Array | None = None

    def forward(self, x: Array) -> Array:
        self._output = F.relu(x)
        return self._output

    def backward(self, grad_out: Array) -> Array:
        return F.relu_backward(grad_out, self.saved(self._output))


class LeakyReLU(_Pointwise):
    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = float(negative_slope)
        self.inplace = inplace
        self._input: Array | None = None

    def describe(self) -> str:
        return f"slope={self.negative_slope:g}"

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"

    def forward(self, x: Array) -> Array:
        self._input = x
        return F.leaky_relu(x, self.negative_slope)

    def backward(self, grad_out: Array) -> Array:
        return F.leaky_relu_backward(grad_out, self.saved(self._input), self.negative_slope)


class _OutputDerivative(_Pointwise):
    """A pointwise layer whose derivative is a function of its output (sigmoid, tanh), so the
    forward pass keeps the output rather than the input."""

    _function: Callable[[Any], Any]
    _gradient: Callable[[Any, Any], Any]

    def __init__(self) -> None:
        super().__init__()
        self._output: Array | None = None

    def forward(self, x: Array) -> Array:
        self._output = type(self)._function(x)
        return self._output

    def backward(self, grad_out: Array) -> Array:
        return type(self)._gradient(grad_out, self.saved(self._output))


class Sigmoid(_OutputDerivative):
    """1 / (1 + exp(-x)); backward uses y·(1 - y) from the saved output."""

    _function = staticmethod(F.sigmoid)
    _gradient = staticmethod(F.sigmoid_backward)


class Tanh(_OutputDerivative):
    """tanh(x); backward uses 1 - y² from the saved output."""

    _function = staticmethod(F.tanh)
    _gradient = staticmethod(F.tanh_backward)


class Dropout(_Pointwise):
    """Inverted dropout: in training, zero each element with probability p and scale the rest by
    1/(1-p); identity in eval mode. `seed` makes the masks reproducible (`manual_seed` resets it)."""

    def __init__(self, p: float = 0.5, inplace: bool = False, seed: int | None = None) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(
                _("Dropout probability must be between 0 and 1, got {value}").format(value=p)
            )
        self.p = float(p)
        self.inplace = inplace
        self.seed = seed
        self.generator = np.random.default_rng(seed)
        self._device_generator: Any = None
        self._mask: Array | None = None

    def manual_seed(self, seed: int) -> None:
        self.seed = seed
        self.generator = np.random.default_rng(seed)
        self._device_generator = None

    def describe(self) -> str:
        return f"p={self.p:g}"

    def extra_repr(self) -> str:
        return f"p={self.p}"

    def _generator_for(self, x: Array) -> Any:
        xp = array_module(x)
        if xp is np:
            return self.generator
        if self._device_generator is None:
            seed = self.seed if self.seed is not None else int(self.generator.integers(2**31))
            self._device_generator = xp.random.default_rng(seed)
        return self._device_generator

    def forward(self, x: Array) -> Array:
        if not self.training or self.p == 0.0:
            self._mask = None
            return x
        if array_module(x) is not np and self.p < 1.0 and x.dtype.kind == "f":
            from cnntui.engine import gpu_kernels

            # the mask is a hash of a seed drawn from the host generator: one launch, nothing
            # uploaded, and the generator's state (saved in checkpoints) decides every mask
            out, self._mask = gpu_kernels.dropout(x, self.p, int(self.generator.integers(2**63)))
            return out
        out, self._mask = F.dropout_forward(x, self.p, True, self._generator_for(x))
        return out

    def backward(self, grad_out: Array) -> Array:
        return F.dropout_backward(grad_out, self._mask)


# -- normalisation ---------------------------------------------------------------------------------------


class _BatchNorm(Module):
    running_mean: Array
    running_var: Array
    num_batches_tracked: Any
    _expected = ""
    _ndims: tuple[int, ...] = ()

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ) -> None:
        super().__init__()
        if num_features < 1:
            raise ValueError(
                _("{layer} needs a positive number of features, got {value}").format(
                    layer=type(self).__name__, value=num_features
                )
            )
        self.num_features = int(num_features)
        self.eps = float(eps)
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.weight = Parameter((num_features,), init.make_constant(1.0)) if affine else None
        self.bias = Parameter((num_features,), init.make_constant(0.0)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dtype=np.float32))
            self.register_buffer("running_var", np.ones(num_features, dtype=np.float32))
            self.register_buffer("num_batches_tracked", np.zeros((), dtype=np.int64))
        else:
            self.running_mean = None
            self.running_var = None
        self._ctx: Any = None

    # the batch count mirrored as a Python int, so that training never reads it back from a GPU
    @property
    def _batches_seen(self) -> int:
        cached = self.__dict__.get("_batches_cache")
        if cached is None:
            cached = int(to_host(self.num_batches_tracked))
            object.__setattr__(self, "_batches_cache", cached)
        return cached

    @_batches_seen.setter
    def _batches_seen(self, value: int) -> None:
        object.__setattr__(self, "_batches_cache", int(value))

    def set_buffer(self, name: str, value: Any) -> None:
        super().set_buffer(name, value)
        if name == "num_batches_tracked":
            self.__dict__["_batches_cache"] = None  # reloaded: read it again on next use

    def _check_sample(self, input_shape: Shape) -> None:
        if len(input_shape) + 1 not in self._ndims or input_shape[0] != self.num_features:
            raise ShapeError(
                _("{layer} expects input {expected} per sample, got {shape}").format(
                    layer=type(self).__name__,
                    expected=self._expected.format(c=self.num_features),
                    shape=tuple(input_shape),
                )
            )

    def output_shape(self, input_shape: Shape) -> Shape:
        self._check_sample(tuple(input_shape))
        return tuple(input_shape)

    def describe(self) -> str:
        return f"{self.num_features} ch"

    def param_formula(self) -> str:
        if not self.affine:
            return ""
        return f"2·{self.num_features} = {_fmt(2 * self.num_features)}"

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"
        )

    def forward(self, x: Array) -> Array:
        if getattr(x, "ndim", None) not in self._ndims or x.shape[1] != self.num_features:
            raise ShapeError(
                f"{type(self).__name__} expects input (N, {self._expected.format(c=self.num_features)[1:]}, "
                f"got shape {tuple(getattr(x, 'shape', ()))}"
            )
        if self.weight is not None:
            _check_dtype(self, x, self.weight)
        use_batch = self.training or not self.track_running_stats
        momentum = self.momentum
        if self.training and self.track_running_stats:
            count = self._batches_seen + 1
            if array_module(self.num_batches_tracked) is np:
                self.set_buffer("num_batches_tracked", np.asarray(count, dtype=np.int64))
            else:
                self.num_batches_tracked += 1  # counted on the device: nothing to upload
            self._batches_seen = count
            if momentum is None:
                momentum = 1.0 / count
        update = self.training and self.track_running_stats
        out, self._ctx = F.batch_norm_forward(
            x,
            self.running_mean if update or not use_batch else None,
            self.running_var if update or not use_batch else None,
            self.weight.data if self.weight is not None else None,
            self.bias.data if self.bias is not None else None,
            use_batch,
            momentum if momentum is not None else 0.0,
            self.eps,
        )
        return out

    def backward(self, grad_out: Array) -> Array:
        ctx = self.saved(self._ctx)
        grad_in, grad_w, grad_b = F.batch_norm_backward(grad_out, ctx)
        if self.weight is not None:
            _accumulate(self.weight, grad_w)
        if self.bias is not None:
            _accumulate(self.bias, grad_b)
        return grad_in


class BatchNorm1d(_BatchNorm):
    """Batch norm over (N, C) or (N, C, L), per channel."""

    _expected = "({c},) or ({c}, L)"
    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch norm over (N, C, H, W), per channel (statistics over N, H and W)."""

    _expected = "({c}, H, W)"
    _ndims = (4,)


class LocalResponseNorm(_Pointwise):
    """AlexNet's local response normalisation across `size` neighbouring channels."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        if size < 1:
            raise ValueError(
                _("LocalResponseNorm: size must be at least 1, got {value}").format(value=size)
            )
        self.size = int(size)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.k = float(k)
        self._ctx: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) < 2:
            raise ShapeError(
                _("{layer} expects input (C, H, W), got {shape}").format(
                    layer="LocalResponseNorm", shape=tuple(input_shape)
                )
            )
        return tuple(input_shape)

    def describe(self) -> str:
        return f"n={self.size} α={self.alpha:g} β={self.beta:g} k={self.k:g}"

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"

    def forward(self, x: Array) -> Array:
        if getattr(x, "ndim", 0) < 3:
            raise ShapeError(
                f"LocalResponseNorm expects input (N, C, H, W), got shape {tuple(x.shape)}"
            )
        out, self._ctx = F.local_response_norm_forward(x, self.size, self.alpha, self.beta, self.k)
        return out

    def backward(self, grad_out: Array) -> Array:
        return F.local_response_norm_backward(grad_out, self.saved(self._ctx))


# -- containers ---------------------------------------------------------------------------------------------


def _add(a: Array, b: Array) -> Array:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


class Sequential(Module):
    """Children applied one after another: `Sequential(a, b, c)` (named "0", "1", "2") or
    `Sequential(OrderedDict(name=layer, ...))` / `Sequential(name=layer, ...)` (named by key)."""

    def __init__(self, *layers: Any, **named: Module) -> None:
        super().__init__()
        if len(layers) == 1 and isinstance(layers[0], dict | OrderedDict):
            items = list(layers[0].items())
        else:
            items = [(str(i), m) for i, m in enumerate(layers)]
        items += list(named.items())
        for name, module in items:
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: {name!r} is a {type(module).__name__}, not a Module")
            setattr(self, str(name), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __getitem__(self, index: int | slice | str) -> Any:
        if isinstance(index, str):
            return self._modules[index]
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        try:
            return items[index][1]
        except IndexError:
            raise IndexError(
                f"Sequential index {index} out of range for {len(items)} layers"
            ) from None

    def append(self, module: Module) -> Sequential:
        setattr(self, str(len(self._modules)), module)
        return self

    def trace(
        self,
        input_shape: Shape,
        field_in: Field,
        records: list[TraceRecord],
        depth: int = 0,
        name: str = "",
    ) -> tuple[Shape, Field]:
        record = open_record(self, input_shape, records, depth, name)
        shape, field_now = trace_chain(
            self, list(self._modules), tuple(input_shape), field_in, records, depth, name
        )
        close_record(record, shape, field_now)
        return shape, field_now

    def forward(self, x: Array) -> Array:
        return forward_chain(self, list(self._modules), x)

    def backward(self, grad_out: Array) -> Array:
        return backward_chain(self, list(self._modules), grad_out)


class Residual(Module):
    """activation(body(x) + shortcut(x)): a ResNet block. The shortcut is the identity when None
    (then body must keep the shape), or e.g. a 1×1 strided Conv2d + BatchNorm2d projection."""

    def __init__(
        self, body: Module, shortcut: Module | None = None, activation: Module | None = None
    ) -> None:
        super().__init__()
        self.body = body
        self.shortcut = shortcut
        self.activation = activation

    def trace(
        self,
        input_shape: Shape,
        field_in: Field,
        records: list[TraceRecord],
        depth: int = 0,
        name: str = "",
    ) -> tuple[Shape, Field]:
        record = open_record(self, input_shape, records, depth, name)
        body_shape, body_field = self.body.trace(
            input_shape, field_in, records, depth + 1, child_name(name, "body")
        )
        if self.shortcut is not None:
            short_shape, short_field = self.shortcut.trace(
                input_shape, field_in, records, depth + 1, child_name(name, "shortcut")
            )
        else:
            short_shape, short_field = tuple(input_shape), field_in
        if tuple(body_shape) != tuple(short_shape):
            template = (
                _(
                    "Residual: the body gives {body} but the shortcut gives {shortcut}; "
                    "they must match to be added"
                )
                if self.shortcut is not None
                else _(
                    "Residual: the body gives {body} but the identity shortcut gives {shortcut}; "
                    "they must match to be added"
                )
            )
            raise ShapeError(template.format(body=tuple(body_shape), shortcut=tuple(short_shape)))
        shape, field_out = tuple(body_shape), Field.widest([body_field, short_field])
        if self.activation is not None:
            shape, field_out = self.activation.trace(
                shape, field_out, records, depth + 1, child_name(name, "activation")
            )
        close_record(record, shape, field_out)
        return shape, field_out

    def forward(self, x: Array) -> Array:
        out = self.body.forward(x)
        skip = self.shortcut.forward(x) if self.shortcut is not None else x
        if out.shape != skip.shape:
            raise ShapeError(
                f"Residual: the body gives {tuple(out.shape)} but the shortcut gives {tuple(skip.shape)}"
            )
        out = out + skip
        if self.activation is not None:
            out = self.activation.forward(out)
        return out

    def backward(self, grad_out: Array) -> Array:
        grad = self.activation.backward(grad_out) if self.activation is not None else grad_out
        self.body.needs_input_grad = self.needs_input_grad
        grad_body = self.body.backward(grad)
        if self.shortcut is None:
            return _add(grad_body, grad) if self.needs_input_grad else None
        self.shortcut.needs_input_grad = self.needs_input_grad
        return _add(grad_body, self.shortcut.backward(grad))


class Concat(Module):
    """Parallel branches on the same input, outputs concatenated on channels (an Inception module).

    Branches are named "0", "1", … (or by keyword) and must agree on the spatial size.
    """

    def __init__(self, *branches: Module, **named: Module) -> None:
        super().__init__()
        items = [(str(i), m) for i, m in enumerate(branches)] + list(named.items())
        if not items:
            raise ValueError("Concat needs at least one branch")
        for name, module in items:
            if not isinstance(module, Module):
                raise TypeError(f"Concat: {name!r} is a {type(module).__name__}, not a Module")
            setattr(self, name, module)
        self._splits: list[int] = []

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __getitem__(self, index: int | str) -> Module:
        if isinstance(index, str):
            return self._modules[index]
        return list(self._modules.values())[index]

    def trace(
        self,
        input_shape: Shape,
        field_in: Field,
        records: list[TraceRecord],
        depth: int = 0,
        name: str = "",
    ) -> tuple[Shape, Field]:
        record = open_record(self, input_shape, records, depth, name)
        shapes: list[Shape] = []
        fields: list[Field] = []
        for key, child in self._modules.items():
            shape, field_out = child.trace(
                input_shape, field_in, records, depth + 1, child_name(name, key)
            )
            shapes.append(tuple(shape))
            fields.append(field_out)
        spatial = {s[1:] for s in shapes}
        if len(spatial) != 1 or any(len(s) < 1 for s in shapes):
            listing = ", ".join(f"{n}: {s}" for n, s in zip(self._modules, shapes))
            raise ShapeError(
                _("Concat: branches must agree on every axis but channels, got {listing}").format(
                    listing=listing
                )
            )
        out = (sum(s[0] for s in shapes), *shapes[0][1:])
        field_out = Field.widest(fields)
        close_record(record, out, field_out)
        return out, field_out

    def forward(self, x: Array) -> Array:
        outs = [m.forward(x) for m in self._modules.values()]
        spatial = {tuple(o.shape[2:]) for o in outs} | {tuple(o.shape[:1]) for o in outs[:0]}
        if len(spatial) != 1:
            raise ShapeError(
                f"Concat: branches gave {[tuple(o.shape) for o in outs]}; they must agree on every axis but channels"
            )
        self._splits = [int(o.shape[1]) for o in outs]
        return array_module(x).concatenate(outs, axis=1)

    def backward(self, grad_out: Array) -> Array:
        grad: Array | None = None
        start = 0
        for module, width in zip(self._modules.values(), self._splits):
            module.needs_input_grad = self.needs_input_grad
            grad = _add(grad, module.backward(grad_out[:, start : start + width]))
            start += width
        return grad


# -- losses -------------------------------------------------------------------------------------------------


class Loss(Module):
    """A loss as a module: `forward(input, target)` returns a 0-d array (with the default mean or
    sum reduction) and `backward()` returns the gradient with respect to `input`."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction
        self._ctx: Any = None

    def __call__(self, input: Array, target: Array | None = None) -> Array:  # type: ignore[override]
        return self.forward(input, target)  # type: ignore[call-arg]

    def output_shape(self, input_shape: Shape) -> Shape:
        return () if self.reduction != "none" else tuple(input_shape[:1])

    def describe(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction}"


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or probabilities (N, C)."""

    def __init__(
        self,
        weight: Array | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        self.weight = weight
        self.ignore_index = ignore_index
        self.label_smoothing = float(label_smoothing)

    def forward(self, input: Array, target: Array | None = None) -> Array:  # type: ignore[override]
        if target is None:
            raise ValueError("CrossEntropyLoss needs a target")
        loss, self._ctx = F.cross_entropy_forward(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )
        return loss

    def backward(self, grad_out: Array = 1.0) -> Array:
        return F.cross_entropy_backward(self.saved(self._ctx), grad_out)


class BCELoss(Loss):
    """Binary cross-entropy of probabilities in [0, 1] (logs clamped at -100 like PyTorch)."""

    def __init__(self, weight: Array | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def forward(self, input: Array, target: Array | None = None) -> Array:  # type: ignore[override]
        if target is None:
            raise ValueError("BCELoss needs a target")
        loss, self._ctx = F.binary_cross_entropy_forward(input, target, self.weight, self.reduction)
        return loss

    def backward(self, grad_out: Array = 1.0) -> Array:
        return F.binary_cross_entropy_backward(self.saved(self._ctx), grad_out)


class BCEWithLogitsLoss(Loss):
    """Sigmoid + binary cross-entropy in one stable step (the usual GAN discriminator loss)."""

    def __init__(
        self, weight: Array | None = None, reduction: str = "mean", pos_weight: Array | None = None
    ) -> None:
        super().__init__(reduction)
        self.weight = weight
        self.pos_weight = pos_weight

    def forward(self, input: Array, target: Array | None = None) -> Array:  # type: ignore[override]
        if target is None:
            raise ValueError("BCEWithLogitsLoss needs a target")
        loss, self._ctx = F.binary_cross_entropy_with_logits_forward(
            input, target, self.weight, self.reduction, self.pos_weight
        )
        return loss

    def backward(self, grad_out: Array = 1.0) -> Array:
        return F.binary_cross_entropy_backward(self.saved(self._ctx), grad_out)


class MSELoss(Loss):
    """Mean squared error."""

    def forward(self, input: Array, target: Array | None = None) -> Array:  # type: ignore[override]
        if target is None:
            raise ValueError("MSELoss needs a target")
        loss = F.mse_loss(input, target, self.reduction)
        self._ctx = (input, target)
        return loss

    def backward(self, grad_out: Array = 1.0) -> Array:
        input, target = self.saved(self._ctx)
        return F.mse_loss_backward(input, target, self.reduction, grad_out)
