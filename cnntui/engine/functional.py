"""Forward and backward of every operation, with PyTorch's names, signatures and NCHW layouts.

Each operation comes in up to three forms:

* `op(...)`: the forward pass with `torch.nn.functional`'s signature, returning the output;
* `op_forward(...) -> (output, ctx)`: the same, plus what the backward pass needs;
* `op_backward(grad_out, ctx, ...) -> gradients`: the gradients with respect to the inputs.

Every function takes NumPy or CuPy arrays and works with the module that made them
(`xp = array_module(x)`), so there is one code path for both. Temporaries take the input's dtype:
float32 stays float32, float64 (for gradient checks) stays float64.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnntui.engine import parallel, threaded
from cnntui.engine.backend import Array, array_module
from cnntui.engine.im2col import col2im, col2im_batch_last, im2col, im2col_batch_last
from cnntui.engine.outsize import conv_outsize, conv_transpose_outsize
from cnntui.errors import ShapeError
from cnntui.i18n import _

Pair = tuple[int, int]
Pads = tuple[int, int, int, int]
"""Padding of an image as (top, bottom, left, right)."""


# -- argument normalisation ---------------------------------------------------------------------


def pair(value: Any, name: str = "value") -> Pair:
    """`3` → (3, 3); `(3, 5)` → (3, 5); rejects anything else with a `ValueError`."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool):
        return int(value), int(value)
    if (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in value)
    ):
        return int(value[0]), int(value[1])
    raise ValueError(
        _("{name} must be an int or a pair of ints, got {value!r}").format(name=name, value=value)
    )


def conv_pads(padding: Any, kernel: Pair, dilation: Pair, stride: Pair, op: str = "conv2d") -> Pads:
    """Resolve a convolution's `padding` (int, pair, 'same' or 'valid') into (top, bottom, left, right).

    'same' follows PyTorch: stride must be 1; the total d·(k-1) is split with the extra pixel at the
    bottom/right.
    """
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return (0, 0, 0, 0)
        if mode == "same":
            if stride != (1, 1):
                raise ValueError(
                    _("{op}: padding='same' needs stride 1, got stride {stride}").format(
                        op=op, stride=stride
                    )
                )
            total_h = dilation[0] * (kernel[0] - 1)
            total_w = dilation[1] * (kernel[1] - 1)
            return (total_h // 2, total_h - total_h // 2, total_w // 2, total_w - total_w // 2)
        raise ValueError(
            _("{op}: padding must be an int, a pair, 'same' or 'valid', got {value!r}").format(
                op=op, value=padding
            )
        )
    ph, pw = pair(padding, "padding")
    if ph < 0 or pw < 0:
        raise ValueError(
            _("{op}: padding must be non-negative, got {value!r}").format(op=op, value=padding)
        )
    return (ph, ph, pw, pw)


def _check_positive(op: str, **values: Pair) -> None:
    for name, (a, b) in values.items():
        if a < 1 or b < 1:
            raise ValueError(
                _("{op}: {name} must be at least 1, got {value}").format(
                    op=op, name=name, value=(a, b)
                )
            )


def _shape(x: Array) -> tuple[int, ...]:
    return tuple(int(s) for s in x.shape)


def _require_4d(x: Array, op: str, what: str = "(N, C, H, W)") -> None:
    if getattr(x, "ndim", None) != 4:
        raise ShapeError(f"{op} expects a 4-D input {what}, got shape {_shape(x)}")


def zero_pad(x: Array, pads: Pads, value: float = 0.0) -> Array:
    """Pad the last two axes of (N, C, H, W) by (top, bottom, left, right) with a constant."""
    top, bottom, left, right = pads
    if not any(pads):
        return x
    xp = array_module(x)
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


# -- column products ----------------------------------------------------------------------------

_CHUNK_COLUMNS = 4096
_CHUNK_MAX_INNER = 64


def _chunked(xp: Any, inner: int, columns: int) -> bool:
    """Whether to split a product over its columns. OpenBLAS handles (small × small-inner) @ (inner × huge)
    poorly: with an inner size below ~64 (a 5×5 kernel on one channel) the column panels fall out of
    cache, and 4,096-column slices run about twice as fast on one core. GPUs want the opposite."""
    return xp is np and inner < _CHUNK_MAX_INNER and columns > 2 * _CHUNK_COLUMNS


def matmul_columns(a: Array, b: Array) -> Array:
    """a (M, K) @ b (K, P) → (M, P), sliced over P when that is faster."""
    xp = array_module(a, b)
    columns = int(b.shape[1])
    if not _chunked(xp, int(b.shape[0]), columns):
        return xp.matmul(a, b)
    out = xp.empty((a.shape[0], columns), dtype=xp.result_type(a, b))
    for start in range(0, columns, _CHUNK_COLUMNS):
        stop = start + _CHUNK_COLUMNS
        xp.matmul(a, b[:, start:stop], out=out[:, start:stop])
    return out


def matmul_columns_t(a: Array, b: Array) -> Array:
    """a (K, P) @ b (M, P)ᵀ → (K, M): a sum over the long axis P, sliced when that is faster."""
    xp = array_module(a, b)
    columns = int(a.shape[1])
    if not _chunked(xp, int(a.shape[0]), columns):
        return xp.matmul(a, b.T)
    out = xp.matmul(a[:, :_CHUNK_COLUMNS], b[:, :_CHUNK_COLUMNS].T)
    for start in range(_CHUNK_COLUMNS, columns, _CHUNK_COLUMNS):
        stop = start + _CHUNK_COLUMNS
        out += xp.matmul(a[:, start:stop], b[:, start:stop].T)
    return out


# -- padding ------------------------------------------------------------------------------------


def pad(
    input: Array, pad: tuple[int, ...], mode: str = "constant", value: float | None = None
) -> Array:
    """Pad the last axes like `torch.nn.functional.pad`: `pad` is (left, right[, top, bottom]).

    Modes: 'constant' (with `value`, default 0) and 'replicate' (repeat the edge pixels).
    Negative padding is not supported.
    """
    pads = _pad_arg(input, pad)
    if mode == "constant":
        return zero_pad(input, pads, 0.0 if value is None else float(value))
    if mode == "replicate":
        xp = array_module(input)
        top, bottom, left, right = pads
        h, w = input.shape[-2], input.shape[-1]
        rows = xp.clip(xp.arange(-top, h + bottom), 0, h - 1)
        cols = xp.clip(xp.arange(-left, w + right), 0, w - 1)
        return input[..., rows[:, None], cols[None, :]]
    raise ValueError(f"pad: mode must be 'constant' or 'replicate', got {mode!r}")


def pad_backward(
    grad_out: Array, input_shape: tuple[int, ...], pad: tuple[int, ...], mode: str = "constant"
) -> Array:
    """Gradient of `pad` with respect to its input (edges collect their copies' gradients)."""
    top, bottom, left, right = _pad_arg(grad_out, pad, padded=True)
    h, w = input_shape[-2], input_shape[-1]
    inner = grad_out[..., top : top + h, left : left + w]
    if mode == "constant":
        return inner
    grad = inner.copy()
    xp = array_module(grad_out)
    if top:
        grad[..., :1, :] += grad_out[..., :top, left : left + w].sum(axis=-2, keepdims=True)
    if bottom:
        grad[..., -1:, :] += grad_out[..., top + h :, left : left + w].sum(axis=-2, keepdims=True)
    # the left/right strips include the corners, which belong to the corner pixels
    rows = xp.clip(xp.arange(-top, h + bottom), 0, h - 1)
    if left:
        strip = grad_out[..., :, :left].sum(axis=-1)  # (..., Hp)
        col = xp.zeros(grad.shape[:-1], dtype=grad.dtype)
        _scatter_rows(xp, col, rows, strip)
        grad[..., :, 0] += col
    if right:
        strip = grad_out[..., :, left + w :].sum(axis=-1)
        col = xp.zeros(grad.shape[:-1], dtype=grad.dtype)
        _scatter_rows(xp, col, rows, strip)
        grad[..., :, -1] += col
    return grad


def _scatter_rows(xp: Any, target: Array, rows: Array, values: Array) -> None:
    """target[..., rows[i]] += values[..., i] for every i (rows may repeat)."""
    if xp is np:
        np.add.at(target, (..., rows), values)  # type: ignore[arg-type]
    else:
        import importlib

        cupyx = importlib.import_module("cupyx")
        cupyx.scatter_add(target, (..., rows), values)


def _pad_arg(x: Array, pad: tuple[int, ...], padded: bool = False) -> Pads:
    values = tuple(int(p) for p in pad)
    if len(values) == 2:
        values = values + (0, 0)
    if len(values) != 4:
        raise ValueError(
            f"pad: expected 2 or 4 padding sizes (left, right, top, bottom), got {pad!r}"
        )
    if any(v < 0 for v in values):
        raise ValueError(f"pad: padding sizes must be non-negative, got {pad!r}")
    if x.ndim < 2:
        raise ShapeError(f"pad expects at least 2 dimensions, got shape {_shape(x)}")
    left, right, top, bottom = values
    return (top, bottom, left, right)


# -- convolution --------------------------------------------------------------------------------


BATCH_LAST_MIN = 8
"""From this batch size on, CPU convolutions lay their columns out batch-last (see `im2col`)."""


@dataclass
class ConvContext:
    """What `conv2d_backward` needs: the columns, the weight and the geometry."""

    cols: Array
    weight: Array
    input_shape: tuple[int, int, int, int]
    pads: Pads
    stride: Pair
    dilation: Pair
    groups: int
    out_hw: Pair
    row_width: int
    layout: str  # "batch-last", "flat", "generic" (see `cnntui.engine.im2col`) or "gpu"
    has_bias: bool


def conv2d(
    input: Array,
    weight: Array,
    bias: Array | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Array:
    """2-D cross-correlation. input (N, C, H, W), weight (F, C/groups, kh, kw), bias (F,) → (N, F, oh, ow)."""
    return conv2d_forward(input, weight, bias, stride, padding, dilation, groups)[0]


def conv2d_forward(
    input: Array,
    weight: Array,
    bias: Array | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
    *,
    workspace: Array | None = None,
) -> tuple[Any, ConvContext]:
    """`conv2d` returning also the context for `conv2d_backward`.

    The output is an NCHW view of an (F, N, oh, ·) buffer: valid everywhere, not C-contiguous.
    `workspace` may be the `cols` of an earlier context that is no longer needed: it is reused
    when it fits.
    """
    _require_4d(input, "conv2d")
    if getattr(weight, "ndim", None) != 4:
        raise ShapeError(
            f"conv2d expects a 4-D weight (F, C/groups, kh, kw), got shape {_shape(weight)}"
        )
    xp = array_module(input, weight)
    n, c, h, w = _shape(input)
    f, cg, kh, kw = _shape(weight)
    s = pair(stride, "stride")
    d = pair(dilation, "dilation")
    _check_positive("conv2d", stride=s, dilation=d, kernel_size=(kh, kw))
    if groups < 1 or c % groups or f % groups:
        raise ShapeError(
            f"conv2d: groups={groups} must divide both {c} input and {f} output channels"
        )
    if cg * groups != c:
        raise ShapeError(
            f"conv2d expects {cg * groups} input channels (weight {_shape(weight)}, groups={groups}), "
            f"got input of shape {(n, c, h, w)}"
        )
    if input.dtype != weight.dtype:
        raise ValueError(f"conv2d: input is {input.dtype} but weight is {weight.dtype}")
    pads = conv_pads(padding, (kh, kw), d, s)
    hp, wp = h + pads[0] + pads[1], w + pads[2] + pads[3]
    oh, ow = conv_outsize(hp, kh, s[0], 0, d[0]), conv_outsize(wp, kw, s[1], 0, d[1])
    if oh < 1 or ow < 1:
        raise ShapeError(
            f"conv2d: a {kh}×{kw} kernel (dilation {d}) does not fit a {h}×{w} input padded to {hp}×{wp}"
        )
    if xp is not np:
        return _conv2d_forward_gpu(input, weight, bias, pads, s, d, groups, (oh, ow), workspace)
    if parallel.threads() > 1:
        return _conv2d_forward_threaded(
            input, weight, bias, pads, s, d, groups, (oh, ow), workspace
        )
    if n >= BATCH_LAST_MIN:
        layout, row = "batch-last", ow
        cols = im2col_batch_last(input, pads, (kh, kw), s, d, (oh, ow), out=workspace)
    else:
        # the flat layout (CPU only) wastes (wp - ow)/wp of the product but copies much faster
        flat = xp is np and s == (1, 1) and ow * 4 >= wp * 3
        layout, row = ("flat", wp) if flat else ("generic", ow)
        cols = im2col(zero_pad(input, pads), (kh, kw), s, d, (oh, ow), flat, out=workspace)
    if groups == 1:
        out = matmul_columns(weight.reshape(f, -1), cols)
    else:
        out = xp.matmul(
            weight.reshape(groups, f // groups, -1), cols.reshape(groups, cg * kh * kw, -1)
        ).reshape(f, -1)
    if bias is not None:
        out += bias.reshape(f, 1)
    if layout == "batch-last":
        result = out.reshape(f, oh, ow, n).transpose(3, 0, 1, 2)
    else:
        result = out.reshape(f, n, oh, row)[:, :, :, :ow].transpose(1, 0, 2, 3)
    ctx = ConvContext(
        cols, weight, (n, c, h, w), pads, s, d, groups, (oh, ow), row, layout, bias is not None
    )
    return result, ctx


def _conv_layout(n: int, s: Pair, ow: int, wp: int) -> tuple[str, int]:
    """The CPU column layout of a convolution and its row width (see `cnntui.engine.im2col`)."""
    if n >= BATCH_LAST_MIN:
        return "batch-last", ow
    # the flat layout wastes (wp - ow)/wp of the product but copies much faster
    return ("flat", wp) if s == (1, 1) and ow * 4 >= wp * 3 else ("generic", ow)


def _conv2d_forward_threaded(
    input: Array,
    weight: Array,
    bias: Array | None,
    pads: Pads,
    s: Pair,
    d: Pair,
    groups: int,
    out_hw: Pair,
    workspace: Array | None,
) -> tuple[Any, ConvContext]:
    """The CPU convolution split over the engine's threads (`cnntui.engine.threaded`): the same
    layouts and context as the one-thread path, the same values up to float rounding."""
    n, c, h, w = _shape(input)
    f, _cg, kh, kw = _shape(weight)
    oh, ow = out_hw
    layout, row = _conv_layout(n, s, ow, w + pads[2] + pads[3])
    padded = None if layout == "batch-last" else zero_pad(input, pads)
    cols = threaded.columns(input, padded, pads, (kh, kw), s, d, out_hw, layout, row, workspace)
    out = threaded.forward_product(weight, cols, bias, groups)
    if layout == "batch-last":
        result = out.reshape(f, oh, ow, n).transpose(3, 0, 1, 2)
    else:
        result = out.reshape(f, n, oh, row)[:, :, :, :ow].transpose(1, 0, 2, 3)
    ctx = ConvContext(
        cols, weight, (n, c, h, w), pads, s, d, groups, out_hw, row, layout, bias is not None
    )
    return result, ctx


def _conv2d_backward_threaded(
    grad_out: Array, ctx: ConvContext, needs_input_grad: bool
) -> tuple[Any, Any, Any]:
    """Gradients of `_conv2d_forward_threaded`, split over the engine's threads."""
    n, c, h, w = ctx.input_shape
    f, _cg, kh, kw = _shape(ctx.weight)
    oh, ow = ctx.out_hw
    if ctx.layout == "batch-last":
        source = grad_out.transpose(1, 2, 3, 0)
        # the gradient of a batch-last layer usually comes back in that layout: no copy then
        laid_out = source.flags.c_contiguous
        g = source if laid_out else np.empty((f, oh, ow, n), dtype=grad_out.dtype)

        def layout_g(r0: int, r1: int) -> Array:
            if not laid_out:
                g[:, r0:r1] = source[:, r0:r1]
            return g[:, r0:r1].reshape(f, -1)

        units, unit_columns = oh, ow * n
    else:
        g_all = _grad_columns(grad_out, ctx.out_hw, ctx.row_width)

        def layout_g(r0: int, r1: int) -> Array:
            return g_all[:, r0:r1]

        units, unit_columns = int(g_all.shape[1]), 1
    dcols, grad_weight, grad_bias = threaded.backward_products(
        layout_g, units, unit_columns, ctx.cols, ctx.weight, ctx.groups, ctx.has_bias,
        needs_input_grad,
    )  # fmt: skip
    if dcols is None:
        return None, grad_weight, grad_bias
    top, bottom, left, right = ctx.pads
    hp, wp = h + top + bottom, w + left + right
    image = threaded.image_gradient(
        dcols, c, n, (hp, wp), (kh, kw), ctx.stride, ctx.dilation, ctx.out_hw, ctx.layout
    )
    if ctx.layout == "batch-last":
        return (
            image[:, top : top + h, left : left + w, :].transpose(3, 0, 1, 2),
            grad_weight,
            grad_bias,
        )
    return image[:, :, top : top + h, left : left + w].transpose(1, 0, 2, 3), grad_weight, grad_bias


def _conv2d_forward_gpu(
    input: Any,
    weight: Any,
    bias: Any,
    pads: Pads,
    s: Pair,
    d: Pair,
    groups: int,
    out_hw: Pair,
    workspace: Any,
) -> tuple[Any, ConvContext]:
    """The GPU convolution: three launches (columns with the padding folded in, one product,
    the product laid out as NCHW plus the bias), and a contiguous NCHW output."""
    from cnntui.engine import gpu_kernels

    xp = array_module(input, weight)
    n, c, h, w = _shape(input)
    f, cg, kh, kw = _shape(weight)
    cols = gpu_kernels.im2col(input, pads[::2], (kh, kw), s, d, out_hw, out=workspace)
    if groups == 1:
        product = xp.matmul(weight.reshape(f, -1), cols)
    else:
        product = xp.matmul(
            weight.reshape(groups, f // groups, -1), cols.reshape(groups, cg * kh * kw, -1)
        ).reshape(f, -1)
    out = gpu_kernels.columns_to_nchw(product, bias, n, out_hw)
    ctx = ConvContext(
        cols, weight, (n, c, h, w), pads, s, d, groups, out_hw, out_hw[1], "gpu", bias is not None
    )
    return out, ctx


def _conv2d_backward_gpu(
    grad_out: Any, ctx: ConvContext, needs_input_grad: bool
) -> tuple[Any, Any, Any]:
    """Gradients of `_conv2d_forward_gpu`: the products in the orientation that needs no
    transposed copy, and `col2im` writing the unpadded NCHW gradient directly."""
    from cnntui.engine import gpu_kernels

    xp = array_module(grad_out)
    n, c, h, w = ctx.input_shape
    f, cg, kh, kw = _shape(ctx.weight)
    g = xp.ascontiguousarray(grad_out.transpose(1, 0, 2, 3)).reshape(f, -1)
    grad_bias = g.sum(axis=1) if ctx.has_bias else None
    groups = ctx.groups
    if groups == 1:
        grad_weight = xp.matmul(g, ctx.cols.T).reshape(ctx.weight.shape)
        dcols = xp.matmul(ctx.weight.reshape(f, -1).T, g) if needs_input_grad else None
    else:
        gg = g.reshape(groups, f // groups, -1)
        cols = ctx.cols.reshape(groups, cg * kh * kw, -1)
        grad_weight = xp.matmul(gg, cols.transpose(0, 2, 1)).reshape(ctx.weight.shape)
        dcols = None
        if needs_input_grad:
            wg = ctx.weight.reshape(groups, f // groups, -1)
            dcols = xp.matmul(wg.transpose(0, 2, 1), gg).reshape(c * kh * kw, -1)
    grad_input = None
    if dcols is not None:
        grad_input = gpu_kernels.col2im(
            dcols, c, n, (h, w), ctx.pads[::2], (kh, kw), ctx.stride, ctx.dilation, ctx.out_hw
        )
    return grad_input, grad_weight, grad_bias


def _grad_columns(grad_out: Array, out_hw: Pair, row: int) -> Array:
    """(N, F, oh, ow) → (F, N·oh·row) contiguous, zero in the flat layout's garbage columns."""
    xp = array_module(grad_out)
    n, f, oh, ow = _shape(grad_out)
    g = grad_out.transpose(1, 0, 2, 3)
    if row == ow:
        return xp.ascontiguousarray(g).reshape(f, n * oh * ow)
    full = xp.empty((f, n, oh, row), dtype=grad_out.dtype)
    full[..., :ow] = g
    full[..., ow:] = 0
    return full.reshape(f, n * oh * row)


def conv2d_backward(
    grad_out: Array, ctx: ConvContext, needs_input_grad: bool = True
) -> tuple[Any, Any, Any]:
    """Gradients of `conv2d`: (grad_input or None, grad_weight, grad_bias or None).

    grad_out (N, F, oh, ow). `needs_input_grad=False` skips the input gradient (the first layer
    of a network has nobody to pass it to), which saves a third of the work.
    """
    xp = array_module(grad_out)
    n, c, h, w = ctx.input_shape
    f, cg, kh, kw = _shape(ctx.weight)
    oh, ow = ctx.out_hw
    if _shape(grad_out) != (n, f, oh, ow):
        raise ShapeError(
            f"conv2d backward expects a gradient of shape {(n, f, oh, ow)}, got {_shape(grad_out)}"
        )
    if ctx.layout == "gpu":
        return _conv2d_backward_gpu(grad_out, ctx, needs_input_grad)
    if parallel.threads() > 1:
        return _conv2d_backward_threaded(grad_out, ctx, needs_input_grad)
    if ctx.layout == "batch-last":
        g = xp.ascontiguousarray(grad_out.transpose(1, 2, 3, 0)).reshape(f, oh * ow * n)
    else:
        g = _grad_columns(grad_out, ctx.out_hw, ctx.row_width)
    groups = ctx.groups
    grad_bias = g.sum(axis=1) if ctx.has_bias else None
    if groups == 1:
        w2 = ctx.weight.reshape(f, -1)
        # (cols @ gᵀ)ᵀ rather than g @ colsᵀ: BLAS is markedly faster with the long axis inside
        grad_weight = matmul_columns_t(ctx.cols, g).T.reshape(ctx.weight.shape)
        dcols = matmul_columns(w2.T, g) if needs_input_grad else None
    else:
        gg = g.reshape(groups, f // groups, -1)
        cols = ctx.cols.reshape(groups, cg * kh * kw, -1)
        grad_weight = (
            xp.matmul(cols, gg.transpose(0, 2, 1)).transpose(0, 2, 1).reshape(ctx.weight.shape)
        )
        dcols = None
        if needs_input_grad:
            wg = ctx.weight.reshape(groups, f // groups, -1)
            dcols = xp.matmul(wg.transpose(0, 2, 1), gg).reshape(c * kh * kw, -1)
    grad_input = None
    if dcols is not None:
        top, bottom, left, right = ctx.pads
        hp, wp = h + top + bottom, w + left + right
        if ctx.layout == "batch-last":
            image = col2im_batch_last(
                dcols, c, n, (hp, wp), (kh, kw), ctx.stride, ctx.dilation, ctx.out_hw
            )
            grad_input = image[:, top : top + h, left : left + w, :].transpose(3, 0, 1, 2)
        else:
            flat = ctx.layout == "flat"
            image = col2im(
                dcols, c, n, (hp, wp), (kh, kw), ctx.stride, ctx.dilation, ctx.out_hw, flat
            )
            grad_input = image[:, :, top : top + h, left : left + w].transpose(1, 0, 2, 3)
    return grad_input, grad_weight, grad_bias


@dataclass
class ConvTransposeContext:
    input: Array
    weight: Array
    pads: Pads
    stride: Pair
    dilation: Pair
    groups: int
    output_hw: Pair
    has_bias: bool
    batch_last: bool = False  # column order (H, W, N) instead of (N, H, W): see `im2col`


def conv_transpose2d(
    input: Array,
    weight: Array,
    bias: Array | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Array:
    """Transposed convolution (the adjoint of `conv2d`). input (N, Cin, H, W), weight
    (Cin, Cout/groups, kh, kw) → (N, Cout, Ho, Wo), Ho = (H-1)·s - 2p + d·(k-1) + output_padding + 1."""
    return conv_transpose2d_forward(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )[0]


def conv_transpose2d_forward(
    input: Array,
    weight: Array,
    bias: Array | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> tuple[Any, ConvTransposeContext]:
    _require_4d(input, "conv_transpose2d")
    if getattr(weight, "ndim", None) != 4:
        raise ShapeError(
            f"conv_transpose2d expects a 4-D weight (Cin, Cout/groups, kh, kw), got shape {_shape(weight)}"
        )
    xp = array_module(input, weight)
    n, cin, h, w = _shape(input)
    cin_w, cog, kh, kw = _shape(weight)
    s, d = pair(stride, "stride"), pair(dilation, "dilation")
    p, op = pair(padding, "padding"), pair(output_padding, "output_padding")
    _check_positive("conv_transpose2d", stride=s, dilation=d, kernel_size=(kh, kw))
    if min(p) < 0 or min(op) < 0:
        raise ValueError("conv_transpose2d: padding and output_padding must be non-negative")
    if op[0] >= max(s[0], d[0]) or op[1] >= max(s[1], d[1]):
        raise ValueError(
            f"conv_transpose2d: output_padding {op} must be smaller than the stride {s} or the dilation {d}"
        )
    if cin != cin_w:
        raise ShapeError(
            f"conv_transpose2d expects {cin_w} input channels (weight {_shape(weight)}), got input of shape {(n, cin, h, w)}"
        )
    if groups < 1 or cin % groups:
        raise ShapeError(f"conv_transpose2d: groups={groups} must divide the {cin} input channels")
    if input.dtype != weight.dtype:
        raise ValueError(f"conv_transpose2d: input is {input.dtype} but weight is {weight.dtype}")
    cout = cog * groups
    ho = conv_transpose_outsize(h, kh, s[0], p[0], d[0], op[0])
    wo = conv_transpose_outsize(w, kw, s[1], p[1], d[1], op[1])
    if ho < 1 or wo < 1:
        raise ShapeError(f"conv_transpose2d: padding {p} leaves no output for a {h}×{w} input")
    batch_last = xp is np and n >= BATCH_LAST_MIN
    x2 = _channel_rows(input, batch_last).reshape(groups, cin // groups, n * h * w)
    wg = weight.reshape(groups, cin // groups, cog * kh * kw)
    # one plain product when there is one group: a stacked product of one can take a slow path
    dcols = _grouped_matmul(xp, wg.transpose(0, 2, 1), x2).reshape(cout * kh * kw, n * h * w)
    hp, wp = ho + 2 * p[0], wo + 2 * p[1]
    ctx = ConvTransposeContext(
        input,
        weight,
        (p[0], p[0], p[1], p[1]),
        s,
        d,
        groups,
        (ho, wo),
        bias is not None,
        batch_last,
    )
    if xp is not np:
        from cnntui.engine import gpu_kernels

        # the padding is cropped inside the kernel: only the (ho, wo) output is ever written
        out = gpu_kernels.col2im(dcols, cout, n, (ho, wo), p, (kh, kw), s, d, (h, w))
        if bias is not None:
            out += bias.reshape(1, cout, 1, 1)
        return out, ctx
    if batch_last:
        image = col2im_batch_last(dcols, cout, n, (hp, wp), (kh, kw), s, d, (h, w))
        out = image[:, p[0] : p[0] + ho, p[1] : p[1] + wo, :]
        if bias is not None:
            out += bias.reshape(cout, 1, 1, 1)
        return out.transpose(3, 0, 1, 2), ctx
    image = col2im(dcols, cout, n, (hp, wp), (kh, kw), s, d, (h, w), flat=False)
    out = image[:, :, p[0] : p[0] + ho, p[1] : p[1] + wo]
    if bias is not None:
        out += bias.reshape(cout, 1, 1, 1)
    return out.transpose(1, 0, 2, 3), ctx


def _grouped_matmul(xp: Any, a: Any, b: Any) -> Any:
    """a (G, M, K) @ b (G, K, P) → (G, M, P), as one 2-D product when G is 1."""
    if a.shape[0] == 1:
        return xp.matmul(a[0], b[0])[None]
    return xp.matmul(a, b)


def _channel_rows(x: Array, batch_last: bool) -> Array:
    """(N, C, H, W) → (C, H·W·N) when batch-last, else (C, N·H·W); contiguous."""
    xp = array_module(x)
    n, c, h, w = _shape(x)
    order = (1, 2, 3, 0) if batch_last else (1, 0, 2, 3)
    return xp.ascontiguousarray(x.transpose(order)).reshape(c, n * h * w)


def conv_transpose2d_backward(
    grad_out: Array, ctx: ConvTransposeContext, needs_input_grad: bool = True
) -> tuple[Any, Any, Any]:
    """Gradients of `conv_transpose2d`: (grad_input or None, grad_weight, grad_bias or None)."""
    xp = array_module(grad_out)
    n, cin, h, w = _shape(ctx.input)
    _, cog, kh, kw = _shape(ctx.weight)
    groups = ctx.groups
    cout = cog * groups
    if _shape(grad_out) != (n, cout, *ctx.output_hw):
        raise ShapeError(
            f"conv_transpose2d backward expects a gradient of shape {(n, cout, *ctx.output_hw)}, got {_shape(grad_out)}"
        )
    if xp is not np:
        from cnntui.engine import gpu_kernels

        cols = gpu_kernels.im2col(
            grad_out, ctx.pads[::2], (kh, kw), ctx.stride, ctx.dilation, (h, w)
        )
    elif ctx.batch_last:
        cols = im2col_batch_last(grad_out, ctx.pads, (kh, kw), ctx.stride, ctx.dilation, (h, w))
    else:
        cols = im2col(
            zero_pad(grad_out, ctx.pads), (kh, kw), ctx.stride, ctx.dilation, (h, w), flat=False
        )
    cols_g = cols.reshape(groups, cog * kh * kw, n * h * w)
    x2 = _channel_rows(ctx.input, ctx.batch_last).reshape(groups, cin // groups, n * h * w)
    grad_weight = _grouped_matmul(xp, x2, cols_g.transpose(0, 2, 1)).reshape(ctx.weight.shape)
    grad_bias = grad_out.sum(axis=(0, 2, 3)) if ctx.has_bias else None
    grad_input = None
    if needs_input_grad:
        wg = ctx.weight.reshape(groups, cin // groups, cog * kh * kw)
        rows = _grouped_matmul(xp, wg, cols_g)
        if ctx.batch_last:
            grad_input = rows.reshape(cin, h, w, n).transpose(3, 0, 1, 2)
        else:
            grad_input = rows.reshape(cin, n, h, w).transpose(1, 0, 2, 3)
    return grad_input, grad_weight, grad_bias


# -- pooling ------------------------------------------------------------------------------------


_CONSTANTS: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CONSTANTS_KEPT = 64


def device_constant(
    xp: Any, key: tuple[Any, ...], dtype: Any, build: Callable[[], np.ndarray]
) -> Any:
    """A constant array that depends only on a layer's geometry, built on the host once and kept
    on the device (the last 64 are kept), so that no forward pass uploads it again. On the CPU it
    is simply built."""
    if xp is np:
        return build().astype(dtype, copy=False)
    full_key = (xp, np.dtype(dtype).str, *key)
    value = _CONSTANTS.get(full_key)
    if value is None:
        value = xp.asarray(build(), dtype=dtype)
        _CONSTANTS[full_key] = value
        if len(_CONSTANTS) > _CONSTANTS_KEPT:
            _CONSTANTS.popitem(last=False)
    else:
        _CONSTANTS.move_to_end(full_key)
    return value


@dataclass
class PoolContext:
    input_shape: tuple[int, ...]  # (N, C, H, W)
    padded: Array  # the padded input (max pooling) or None (average pooling)
    output: Array
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    out_hw: Pair
    padded_hw: Pair
    divisor: Array | None = None
    indices: Array | None = None  # GPU max pooling: the window offset of each first maximum, int32
    # tiled CPU max pooling: the maximum of each window row, (N, C, H, ow)
    row_max: Array | None = None


def _pool_geometry(
    op: str, x: Array, kernel_size: Any, stride: Any, padding: Any, dilation: Any, ceil_mode: bool
) -> tuple[Pair, Pair, Pair, Pair, Pair, Pair]:
    _require_4d(x, op)
    k = pair(kernel_size, "kernel_size")
    s = (
        k
        if stride is None or (isinstance(stride, tuple | list) and len(stride) == 0)
        else pair(stride, "stride")
    )
    p, d = pair(padding, "padding"), pair(dilation, "dilation")
    _check_positive(op, kernel_size=k, stride=s, dilation=d)
    if p[0] < 0 or p[1] < 0 or 2 * p[0] > d[0] * (k[0] - 1) + 1 or 2 * p[1] > d[1] * (k[1] - 1) + 1:
        raise ValueError(
            _("{op}: padding {padding} must be at most half of the kernel {kernel}").format(
                op=op, padding=p, kernel=k
            )
        )
    h, w = int(x.shape[2]), int(x.shape[3])
    oh = conv_outsize(h, k[0], s[0], p[0], d[0], ceil_mode)
    ow = conv_outsize(w, k[1], s[1], p[1], d[1], ceil_mode)
    if oh < 1 or ow < 1:
        raise ShapeError(
            _("{op}: a {kh}×{kw} window does not fit a {h}×{w} input (padding {padding})").format(
                op=op, kh=k[0], kw=k[1], h=h, w=w, padding=p
            )
        )
    # the padded extent every window reads (ceil mode may reach past the right padding)
    hp = max(h + 2 * p[0], (oh - 1) * s[0] + d[0] * (k[0] - 1) + 1)
    wp = max(w + 2 * p[1], (ow - 1) * s[1] + d[1] * (k[1] - 1) + 1)
    return k, s, p, d, (oh, ow), (hp, wp)


def _window(xpad: Array, a: int, b: int, s: Pair, d: Pair, out_hw: Pair) -> Array:
    """The (N, C, oh, ow) view of the pixels at kernel offset (a, b) of every window."""
    oh, ow = out_hw
    top, left = a * d[0], b * d[1]
    return xpad[
        :, :, top : top + s[0] * (oh - 1) + 1 : s[0], left : left + s[1] * (ow - 1) + 1 : s[1]
    ]


def _pool_pad(x: Array, p: Pair, padded_hw: Pair, value: float) -> Array:
    h, w = int(x.shape[2]), int(x.shape[3])
    pads = (p[0], padded_hw[0] - h - p[0], p[1], padded_hw[1] - w - p[1])
    return zero_pad(x, pads, value)


def max_pool2d(
    input: Array,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Array:
    """Max pooling over (N, C, H, W). With `return_indices`, also the flat index h·W + w of each
    maximum in its input plane (the first one when several tie, as PyTorch does)."""
    out, ctx = max_pool2d_forward(input, kernel_size, stride, padding, dilation, ceil_mode)
    if not return_indices:
        return out
    return out, max_pool2d_indices(ctx)


def max_pool2d_forward(
    input: Array,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> tuple[Any, PoolContext]:
    xp = array_module(input)
    if input.dtype.kind != "f":
        raise ValueError(f"max_pool2d expects a floating-point input, got {input.dtype}")
    k, s, p, d, out_hw, padded_hw = _pool_geometry(
        "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode
    )
    if xp is not np:
        from cnntui.engine import gpu_kernels

        out, index = gpu_kernels.max_pool_forward(input, k, s, p, d, out_hw)
        return out, PoolContext(
            _shape(input), None, out, k, s, p, d, out_hw, padded_hw, indices=index
        )
    if _tiles(input, k, s, p, d):
        return _max_pool_tiled_forward(input, k, out_hw)
    xpad = _pool_pad(input, p, padded_hw, -math.inf)
    out = xp.array(_window(xpad, 0, 0, s, d, out_hw), copy=True)
    for a in range(k[0]):
        for b in range(k[1]):
            if a or b:
                xp.maximum(out, _window(xpad, a, b, s, d, out_hw), out=out)
    ctx = PoolContext(_shape(input), xpad, out, k, s, p, d, out_hw, padded_hw)
    return out, ctx


def _tiles(x: Array, k: Pair, s: Pair, p: Pair, d: Pair) -> bool:
    """Windows that tile the input exactly (k = stride, no padding or dilation): the common 2×2/2."""
    return (
        s == k and p == (0, 0) and d == (1, 1) and x.shape[2] % k[0] == 0 and x.shape[3] % k[1] == 0
    )


def _max_pool_tiled_forward(x: Array, k: Pair, out_hw: Pair) -> tuple[Any, PoolContext]:
    """Max over tiling windows in two passes, along W then along H.

    The passes read pixel pairs through views whose axes merge into one long strided loop, where
    the per-window slices of the general path run row by row (2-4× slower on the CPU). They also
    give PyTorch's tie rule for free: the first maximum in row-major order is in the first row
    holding the window's maximum, at that row's first maximum. Scratch arrays follow the input's
    memory order (`empty_like`), so nothing is transposed on the way. On the CPU the channels are
    split over the engine's threads (each element is computed alike whatever the split).
    """
    xp = array_module(x)
    n, c, h, w = _shape(x)
    (kh, kw), (oh, ow) = k, out_hw
    pairs = x.reshape(n, c, h, ow, kw)
    row_max = xp.empty_like(pairs[..., 0])
    out = xp.empty_like(row_max.reshape(n, c, oh, kh, ow)[:, :, :, 0])

    def block(index: Any) -> None:
        part, rm = pairs[index], row_max[index]
        if kw > 1:
            xp.maximum(part[..., 0], part[..., 1], out=rm)
        else:
            rm[...] = part[..., 0]
        for b in range(2, kw):
            xp.maximum(rm, part[..., b], out=rm)
        rows = rm.reshape(rm.shape[0], rm.shape[1], oh, kh, ow)
        target = out[index]
        if kh > 1:
            xp.maximum(rows[:, :, :, 0], rows[:, :, :, 1], out=target)
        else:
            target[...] = rows[:, :, :, 0]
        for a in range(2, kh):
            xp.maximum(target, rows[:, :, :, a], out=target)

    _split_channels(xp, x, block)
    ctx = PoolContext(_shape(x), x, out, k, k, (0, 0), (1, 1), out_hw, (h, w), row_max=row_max)
    return out, ctx


def _split_channels(xp: Any, x: Array, work: Callable[[Any], None]) -> None:
    """`work(index)` over blocks of the channel axis of (N, C, ...) `x`: one block, the whole
    array, on one thread or a GPU; one per engine thread on the CPU when `x` is large enough."""
    if xp is not np or parallel.threads() < 2:
        work((slice(None),))
        return
    threaded.split_axis(1, int(x.shape[1]), int(x.size), work)


def _max_pool_tiled_backward(grad_out: Array, ctx: PoolContext) -> Array:
    xp = array_module(grad_out)
    n, c, h, w = ctx.input_shape
    (kh, kw), (oh, ow) = ctx.kernel, ctx.out_hw
    row_max = ctx.row_max
    assert row_max is not None, "only a tiled forward pass leads here"
    grad_rows = xp.empty_like(row_max)
    grad = xp.empty_like(ctx.padded)
    remaining_all = grad_out.copy(order="K")  # keep the memory order of the other operands

    def block(index: Any) -> None:
        # pass 1, along H: each window's gradient goes to the first row holding its maximum
        gr, rm, output = grad_rows[index], row_max[index], ctx.output[index]
        m, cc = int(rm.shape[0]), int(rm.shape[1])
        split = gr.reshape(m, cc, oh, kh, ow)
        rows = rm.reshape(m, cc, oh, kh, ow)
        remaining = remaining_all[index]
        for a in range(kh):
            share = xp.multiply(remaining, rows[:, :, :, a] == output, out=split[:, :, :, a])
            if a < kh - 1:
                remaining -= share
        # pass 2, along W: each row's gradient goes to the first pixel holding the row's maximum
        pairs_grad = grad[index].reshape(m, cc, h, ow, kw)
        pairs = ctx.padded[index].reshape(m, cc, h, ow, kw)
        remaining = gr  # scratch from here on
        for b in range(kw):
            share = xp.multiply(remaining, pairs[..., b] == rm, out=pairs_grad[..., b])
            if b < kw - 1:
                remaining -= share

    _split_channels(xp, grad, block)
    return grad


def _first_max_masks(ctx: PoolContext) -> Array:
    """Yield (a, b, mask) with mask True where offset (a, b) holds its window's first maximum."""
    xp = array_module(ctx.output)
    taken = None
    last = (ctx.kernel[0] - 1, ctx.kernel[1] - 1)
    for a in range(ctx.kernel[0]):
        for b in range(ctx.kernel[1]):
            hit = _window(ctx.padded, a, b, ctx.stride, ctx.dilation, ctx.out_hw) == ctx.output
            if taken is not None:
                hit &= ~taken
            yield a, b, hit
            if (a, b) != last:
                taken = hit if taken is None else xp.logical_or(taken, hit, out=taken)


def max_pool2d_indices(ctx: PoolContext) -> Array:
    """Flat indices (h·W + w in the unpadded input) of each window's first maximum, int64."""
    xp = array_module(ctx.output)
    n, c, h, w = ctx.input_shape
    oh, ow = ctx.out_hw
    rows = xp.arange(oh).reshape(oh, 1) * ctx.stride[0] - ctx.padding[0]
    cols = xp.arange(ow).reshape(1, ow) * ctx.stride[1] - ctx.padding[1]
    index = xp.zeros(ctx.output.shape, dtype=xp.int64)
    if ctx.indices is not None:
        a, b = ctx.indices // ctx.kernel[1], ctx.indices % ctx.kernel[1]
        return ((rows + a * ctx.dilation[0]) * w + (cols + b * ctx.dilation[1])).astype(xp.int64)
    for a, b, hit in _first_max_masks(ctx):
        flat = (rows + a * ctx.dilation[0]) * w + (cols + b * ctx.dilation[1])
        index += hit * flat
    return index


def max_pool2d_backward(grad_out: Array, ctx: PoolContext) -> Array:
    """Gradient of `max_pool2d`: each output's gradient goes to its window's first maximum."""
    xp = array_module(grad_out)
    if _shape(grad_out) != _shape(ctx.output):
        raise ShapeError(
            f"max_pool2d backward expects a gradient of shape {_shape(ctx.output)}, got {_shape(grad_out)}"
        )
    n, c, h, w = ctx.input_shape
    if ctx.indices is not None:
        from cnntui.engine import gpu_kernels

        return gpu_kernels.max_pool_backward(
            grad_out, ctx.indices, (h, w), ctx.kernel, ctx.stride, ctx.padding, ctx.dilation
        )
    if ctx.row_max is not None:
        return _max_pool_tiled_backward(grad_out, ctx)
    kh, kw = ctx.kernel
    overlap = (
        ctx.stride[0] < ctx.dilation[0] * (kh - 1) + 1
        or ctx.stride[1] < ctx.dilation[1] * (kw - 1) + 1
    )
    tiled = not overlap and ctx.padded_hw == (ctx.out_hw[0] * kh, ctx.out_hw[1] * kw)
    # windows that tile the input write every pixel exactly once: no zero fill needed
    grad = (xp.empty if tiled else xp.zeros)((n, c, *ctx.padded_hw), dtype=grad_out.dtype)
    # `remaining` holds the gradient not yet given to an earlier (first) maximum of its window
    remaining = grad_out.astype(grad_out.dtype, copy=True)
    last = (kh - 1, kw - 1)
    for a in range(kh):
        for b in range(kw):
            view = _window(grad, a, b, ctx.stride, ctx.dilation, ctx.out_hw)
            hit = _window(ctx.padded, a, b, ctx.stride, ctx.dilation, ctx.out_hw) == ctx.output
            if overlap:
                share = remaining * hit
                view += share
            else:
                share = xp.multiply(remaining, hit, out=view)
            if (a, b) != last:
                remaining -= share
    p = ctx.padding
    return grad[:, :, p[0] : p[0] + h, p[1] : p[1] + w]


def avg_pool2d(
    input: Array,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Array:
    """Average pooling over (N, C, H, W) with PyTorch's divisor rules."""
    return avg_pool2d_forward(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )[0]


def _avg_divisor(
    xp: Any, size: int, out_len: int, k: int, s: int, p: int, count_include_pad: bool
) -> Array:
    starts = np.arange(out_len) * s - p
    ends = np.minimum(starts + k, size + p)
    counts = ends - starts
    if not count_include_pad:
        counts = np.minimum(ends, size) - np.maximum(starts, 0)
    return counts


def avg_pool2d_forward(
    input: Array,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> tuple[Any, PoolContext]:
    xp = array_module(input)
    if input.dtype.kind != "f":
        raise ValueError(f"avg_pool2d expects a floating-point input, got {input.dtype}")
    k, s, p, d, out_hw, padded_hw = _pool_geometry(
        "avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode
    )
    h, w = int(input.shape[2]), int(input.shape[3])
    if divisor_override is not None:
        if int(divisor_override) == 0:
            raise ValueError("avg_pool2d: divisor_override must not be zero")
        divisor_host = np.full(out_hw, float(divisor_override))
    else:
        rows = _avg_divisor(xp, h, out_hw[0], k[0], s[0], p[0], count_include_pad)
        cols = _avg_divisor(xp, w, out_hw[1], k[1], s[1], p[1], count_include_pad)
        divisor_host = np.outer(rows, cols).astype(np.float64)
    key = ("avg_pool2d", h, w, k, s, p, ceil_mode, count_include_pad, divisor_override)
    scale = device_constant(xp, key, input.dtype, lambda: 1.0 / divisor_host)
    xpad = _pool_pad(input, p, padded_hw, 0.0)
    out = xp.array(_window(xpad, 0, 0, s, d, out_hw), copy=True)
    for a in range(k[0]):
        for b in range(k[1]):
            if a or b:
                out += _window(xpad, a, b, s, d, out_hw)
    out *= scale
    ctx = PoolContext(_shape(input), None, out, k, s, p, d, out_hw, padded_hw, divisor=scale)
    return out, ctx


def avg_pool2d_backward(grad_out: Array, ctx: PoolContext) -> Array:
    """Gradient of `avg_pool2d`: each output's gradient spread evenly over its window."""
    xp = array_module(grad_out)
    if _shape(grad_out) != _shape(ctx.output):
        raise ShapeError(
            f"avg_pool2d backward expects a gradient of shape {_shape(ctx.output)}, got {_shape(grad_out)}"
        )
    n, c, h, w = ctx.input_shape
    share = grad_out * ctx.divisor
    grad = xp.zeros((n, c, *ctx.padded_hw), dtype=grad_out.dtype)
    for a in range(ctx.kernel[0]):
        for b in range(ctx.kernel[1]):
            _window(grad, a, b, ctx.stride, ctx.dilation, ctx.out_hw)[...] += share
    p = ctx.padding
    return grad[:, :, p[0] : p[0] + h, p[1] : p[1] + w]


def adaptive_bins(size: int, out: int) -> list[tuple[int, int]]:
    """PyTorch's adaptive pooling bins: [floor(i·L/out), ceil((i+1)·L/out)) for each output i."""
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def _adaptive_matrix(size: int, out: int, dtype: Any) -> np.ndarray:
    """(out, size) averaging matrix: row i holds 1/len over bin i."""
    m = np.zeros((out, size), dtype=np.float64)
    for i, (start, end) in enumerate(adaptive_bins(size, out)):
        m[i, start:end] = 1.0 / (end - start)
    return m.astype(dtype)


def adaptive_output_size(output_size: Any, h: int, w: int) -> Pair:
    if isinstance(output_size, int | np.integer) and not isinstance(output_size, bool):
        return int(output_size), int(output_size)
    if isinstance(output_size, tuple | list) and len(output_size) == 2:
        oh = h if output_size[0] is None else int(output_size[0])
        ow = w if output_size[1] is None else int(output_size[1])
        return oh, ow
    raise ValueError(
        f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}"
    )


def adaptive_avg_pool2d(input: Array, output_size: Any) -> Array:
    """Average over PyTorch's adaptive bins: (N, C, H, W) → (N, C, oh, ow)."""
    return adaptive_avg_pool2d_forward(input, output_size)[0]


@dataclass
class AdaptiveContext:
    input_shape: tuple[int, int, int, int]
    rows: Array  # (oh, H)
    cols: Array  # (ow, W)


def adaptive_avg_pool2d_forward(input: Array, output_size: Any) -> tuple[Any, AdaptiveContext]:
    _require_4d(input, "adaptive_avg_pool2d")
    xp = array_module(input)
    n, c, h, w = _shape(input)
    oh, ow = adaptive_output_size(output_size, h, w)
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive_avg_pool2d: output size must be positive, got {(oh, ow)}")
    rows = device_constant(
        xp, ("adaptive", h, oh), input.dtype, lambda: _adaptive_matrix(h, oh, np.float64)
    )
    cols = device_constant(
        xp, ("adaptive", w, ow), input.dtype, lambda: _adaptive_matrix(w, ow, np.float64)
    )
    ctx = AdaptiveContext((n, c, h, w), rows, cols)
    if (oh, ow) == (1, 1):
        return input.mean(axis=(2, 3), keepdims=True), ctx
    if h % oh == 0 and w % ow == 0:
        blocks = input.reshape(n, c, oh, h // oh, ow, w // ow)
        return blocks.mean(axis=(3, 5)), ctx
    # separable: average along W, then along H
    t = xp.matmul(input.reshape(n * c * h, w), cols.T).reshape(n * c, h, ow)
    out = xp.matmul(rows, t)  # (n·c, oh, ow)
    return out.reshape(n, c, oh, ow), ctx


def adaptive_avg_pool2d_backward(grad_out: Array, ctx: AdaptiveContext) -> Array:
    xp = array_module(grad_out)
    n, c, h, w = ctx.input_shape
    oh, ow = int(ctx.rows.shape[0]), int(ctx.cols.shape[0])
    if _shape(grad_out) != (n, c, oh, ow):
        raise ShapeError(
            f"adaptive_avg_pool2d backward expects a gradient of shape {(n, c, oh, ow)}, got {_shape(grad_out)}"
        )
    if (oh, ow) == (1, 1):
        return xp.broadcast_to(grad_out / (h * w), (n, c, h, w)).copy()
    t = xp.matmul(ctx.rows.T, grad_out.reshape(n * c, oh, ow))  # (n·c, h, ow)
    return xp.matmul(t.reshape(n * c * h, ow), ctx.cols).reshape(n, c, h, w)


# -- linear and activations ---------------------------------------------------------------------


def linear(input: Array, weight: Array, bias: Array | None = None) -> Array:
    """y = x Wᵀ + b. input (..., in), weight (out, in), bias (out,) → (..., out)."""
    if input.ndim < 1 or input.shape[-1] != weight.shape[1]:
        raise ShapeError(
            f"linear expects inputs with {weight.shape[1]} features in the last axis, got shape {_shape(input)}"
        )
    if input.dtype != weight.dtype:
        raise ValueError(f"linear: input is {input.dtype} but weight is {weight.dtype}")
    xp = array_module(input, weight)
    out = xp.matmul(input, weight.T)
    if bias is not None:
        out += bias
    return out


def linear_backward(
    grad_out: Array,
    input: Array,
    weight: Array,
    has_bias: bool = True,
    needs_input_grad: bool = True,
) -> tuple[Any, Any, Any]:
    """Gradients of `linear`: (grad_input or None, grad_weight (out, in), grad_bias or None)."""
    xp = array_module(grad_out)
    g2 = grad_out.reshape(-1, grad_out.shape[-1])
    x2 = input.reshape(-1, input.shape[-1])
    grad_weight = xp.matmul(g2.T, x2)
    grad_bias = g2.sum(axis=0) if has_bias else None
    grad_input = xp.matmul(grad_out, weight) if needs_input_grad else None
    return grad_input, grad_weight, grad_bias


def _threaded_elementwise(x: Array) -> bool:
    """Whether an elementwise operation on `x` is split over the engine's threads."""
    return (
        parallel.threads() > 1
        and isinstance(x, np.ndarray)
        and x.ndim > 0
        and x.size >= 2 * parallel.MIN_CHUNK_ELEMENTS
    )


def relu(input: Array) -> Array:
    xp = array_module(input)
    if not _threaded_elementwise(input):
        return xp.maximum(input, 0)
    out = np.empty_like(input)
    axis = threaded.outer_axis(input)

    def block(index: Any) -> None:
        np.maximum(input[index], 0, out=out[index])

    threaded.split_axis(axis, int(input.shape[axis]), int(input.size), block)
    return out


def relu_backward(grad_out: Array, output: Array) -> Array:
    """Gradient of `relu` from its output (0 where the output is 0, as PyTorch does at x = 0)."""
    if array_module(grad_out) is not np and grad_out.dtype == output.dtype:
        from cnntui.engine import gpu_kernels

        return gpu_kernels.relu_backward(grad_out, output)
    if not (
        _threaded_elementwise(grad_out)
        and isinstance(output, np.ndarray)
        and grad_out.shape == output.shape
    ):
        return grad_out * (output > 0)
    out = np.empty_like(grad_out)
    axis = threaded.outer_axis(grad_out)

    def block(index: Any) -> None:
        np.multiply(grad_out[index], output[index] > 0, out=out[index])

    threaded.split_axis(axis, int(grad_out.shape[axis]), int(grad_out.size), block)
    return out


def leaky_relu(input: Array, negative_slope: float = 0.01) -> Array:
    xp = array_module(input)
    return xp.where(input > 0, input, input * input.dtype.type(negative_slope))


def leaky_relu_backward(grad_out: Array, input: Array, negative_slope: float = 0.01) -> Array:
    xp = array_module(grad_out)
    return xp.where(input > 0, grad_out, grad_out * grad_out.dtype.type(negative_slope))


def sigmoid(input: Array) -> Array:
    """1 / (1 + e^-x), computed without overflow for large |x|."""
    xp = array_module(input)
    e = xp.exp(-xp.abs(input))
    return xp.where(input >= 0, 1 / (1 + e), e / (1 + e)).astype(input.dtype, copy=False)


def sigmoid_backward(grad_out: Array, output: Array) -> Array:
    return grad_out * output * (1 - output)


def tanh(input: Array) -> Array:
    return array_module(input).tanh(input)


def tanh_backward(grad_out: Array, output: Array) -> Array:
    return grad_out * (1 - output * output)


def softmax(input: Array, dim: int = -1) -> Array:
    xp = array_module(input)
    shifted = input - input.max(axis=dim, keepdims=True)
    e = xp.exp(shifted)
    return e / e.sum(axis=dim, keepdims=True)


def log_softmax(input: Array, dim: int = -1) -> Array:
    xp = array_module(input)
    shifted = input - input.max(axis=dim, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))


def softmax_backward(grad_out: Array, output: Array, dim: int = -1) -> Array:
    return output * (grad_out - (grad_out * output).sum(axis=dim, keepdims=True))


def log_softmax_backward(grad_out: Array, output: Array, dim: int = -1) -> Array:
    xp = array_module(grad_out)
    return grad_out - xp.exp(output) * grad_out.sum(axis=dim, keepdims=True)


# -- losses ---------------------------------------------------------------------------------------

REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"{op}: reduction must be one of {', '.join(REDUCTIONS)}, got {reduction!r}"
        )


def _reduce(loss: Array, reduction: str, count: Array | None = None) -> Array:
    if reduction == "none":
        return loss
    total = loss.sum()
    if reduction == "sum":
        return total
    return total / (loss.size if count is None else count)


@dataclass
class CrossEntropyContext:
    probs: Array  # softmax of the logits, (N, C)
    mass: Array  # the weighted target distribution each row is pulled towards, (N, C)
    reduction: str
    count: Any  # the divisor of the mean: a 0-d array, left on the device
    grad: Any = None  # GPU: the gradient for an upstream 1, computed with the loss in one pass
    stats: Any = None  # GPU: (3,) device array [loss, counted weight, correct predictions]

    def correct(self) -> Any:
        """How many rows' first maximum is their target (a 0-d device array on a GPU); index targets only."""
        if self.stats is not None:
            return self.stats[2]
        raise ValueError("the number of correct predictions is only kept by the fused GPU loss")


def cross_entropy(
    input: Array,
    target: Array,
    weight: Array | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Array:
    """Softmax cross-entropy of logits (N, C) against class indices (N,) or class probabilities (N, C).

    As in PyTorch: optional class weights, `ignore_index` rows that count for nothing, label
    smoothing, and a weighted mean (divided by the summed weights of the counted targets).
    """
    return cross_entropy_forward(input, target, weight, ignore_index, reduction, label_smoothing)[0]


def cross_entropy_forward(
    input: Array,
    target: Array,
    weight: Array | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> tuple[Any, CrossEntropyContext]:
    _check_reduction("cross_entropy", reduction)
    xp = array_module(input)
    if input.ndim != 2:
        raise ShapeError(f"cross_entropy expects logits of shape (N, C), got {_shape(input)}")
    n, c = _shape(input)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    dtype = input.dtype
    if (
        xp is not np
        and reduction != "none"
        and target.ndim == 1
        and target.dtype.kind in "iu"
        and dtype.kind == "f"
    ):
        return _cross_entropy_gpu(input, target, weight, ignore_index, reduction, label_smoothing)
    eps = dtype.type(label_smoothing)
    logp = log_softmax(input, dim=1)
    class_weight = None if weight is None else xp.asarray(weight, dtype=dtype)
    if target.ndim == 1 and target.dtype.kind in "iu":
        if target.shape[0] != n:
            raise ShapeError(f"cross_entropy: {n} rows of logits but {target.shape[0]} targets")
        valid = target != ignore_index
        safe = xp.where(valid, target, 0)
        # checked on the CPU only: on a GPU the check would stall every step on a device sync
        if xp is np and bool(((safe < 0) | (safe >= c)).any()):
            raise ValueError(
                f"cross_entropy: targets must be class indices in [0, {c}) or {ignore_index}"
            )
        rows = xp.arange(n)
        target_weight = valid.astype(dtype)
        if class_weight is not None:
            target_weight = target_weight * class_weight[safe]
        # m = v·[(1-ε)·w_y·onehot + (ε/C)·w]: the loss of a row is -Σ m·log p
        mass = xp.zeros((n, c), dtype=dtype)
        mass[rows, safe] = (1 - eps) * target_weight
        if label_smoothing:
            smooth = (eps / c) * valid.astype(dtype).reshape(n, 1)
            mass += smooth * (class_weight if class_weight is not None else 1)
        count = target_weight.sum()
    elif _shape(target) == (n, c) and target.dtype.kind == "f":
        mass = target.astype(dtype, copy=False) * (1 - eps) + eps / c
        if class_weight is not None:
            mass = mass * class_weight
        count = xp.asarray(n, dtype=dtype)
    else:
        raise ShapeError(
            f"cross_entropy expects targets of shape ({n},) with class indices or ({n}, {c}) with "
            f"probabilities, got {_shape(target)} of {target.dtype}"
        )
    per_row = -(mass * logp).sum(axis=1)
    if reduction == "none":
        loss = per_row
    elif reduction == "sum":
        loss = per_row.sum()
    else:
        with np.errstate(divide="ignore", invalid="ignore"):  # no counted target: NaN, like PyTorch
            loss = per_row.sum() / count
    return loss, CrossEntropyContext(xp.exp(logp), mass, reduction, count)


def _cross_entropy_gpu(
    input: Any,
    target: Any,
    weight: Any,
    ignore_index: int,
    reduction: str,
    label_smoothing: float,
) -> tuple[Any, CrossEntropyContext]:
    """Loss, gradient and correct count in two launches (`gpu_kernels.cross_entropy`).

    A target outside [0, C) gives a NaN loss instead of an error: checking would stall the
    device on every step.
    """
    from cnntui.engine import gpu_kernels

    xp = array_module(input)
    n, c = _shape(input)
    if target.shape[0] != n:
        raise ShapeError(f"cross_entropy: {n} rows of logits but {target.shape[0]} targets")
    class_weight = None if weight is None else xp.asarray(weight, dtype=input.dtype)
    grad, stats = gpu_kernels.cross_entropy(
        input, target, class_weight, ignore_index, label_smoothing, reduction == "mean"
    )
    ctx = CrossEntropyContext(None, None, reduction, stats[1], grad=grad, stats=stats)
    return stats[0], ctx


def cross_entropy_backward(ctx: CrossEntropyContext, grad_out: Any = 1.0) -> Any:
    """Gradient of `cross_entropy` with respect to the logits, (N, C): p·Σm - m per row."""
    if ctx.grad is not None:
        if isinstance(grad_out, int | float) and grad_out == 1.0:
            return ctx.grad
        return ctx.grad * grad_out
    grad = ctx.probs * ctx.mass.sum(axis=1, keepdims=True) - ctx.mass
    if ctx.reduction == "mean":
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = grad / ctx.count
    if ctx.reduction == "none" and getattr(grad_out, "ndim", 0) == 1:
        return grad * grad_out.reshape(-1, 1)
    return grad * grad_out


@dataclass
class BCEContext:
    input: Array
    target: Array
    weight: Array
    reduction: str
    logits: bool
    pos_weight: Array | None = None


def binary_cross_entropy(
    input: Array, target: Array, weight: Array | None = None, reduction: str = "mean"
) -> Array:
    """-[t·log x + (1-t)·log(1-x)] of probabilities x in [0, 1], logs clamped at -100 like PyTorch."""
    return binary_cross_entropy_forward(input, target, weight, reduction)[0]


def _check_same_shape(op: str, input: Array, target: Array) -> None:
    if _shape(input) != _shape(target):
        raise ShapeError(
            f"{op} expects a target of the input's shape {_shape(input)}, got {_shape(target)}"
        )


def binary_cross_entropy_forward(
    input: Array, target: Array, weight: Array | None = None, reduction: str = "mean"
) -> tuple[Any, BCEContext]:
    _check_reduction("binary_cross_entropy", reduction)
    _check_same_shape("binary_cross_entropy", input, target)
    xp = array_module(input)
    if bool(((input < 0) | (input > 1)).any()):
        raise ValueError("binary_cross_entropy: input values must be probabilities in [0, 1]")
    with np.errstate(divide="ignore"):
        log_x = xp.maximum(xp.log(input), -100)
        log_1mx = xp.maximum(xp.log(1 - input), -100)
    loss = -(target * log_x + (1 - target) * log_1mx)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction), BCEContext(input, target, weight, reduction, False)


def binary_cross_entropy_with_logits(
    input: Array,
    target: Array,
    weight: Array | None = None,
    reduction: str = "mean",
    pos_weight: Array | None = None,
) -> Array:
    """Sigmoid and binary cross-entropy in one numerically stable step."""
    return binary_cross_entropy_with_logits_forward(input, target, weight, reduction, pos_weight)[0]


def binary_cross_entropy_with_logits_forward(
    input: Array,
    target: Array,
    weight: Array | None = None,
    reduction: str = "mean",
    pos_weight: Array | None = None,
) -> tuple[Any, BCEContext]:
    _check_reduction("binary_cross_entropy_with_logits", reduction)
    _check_same_shape("binary_cross_entropy_with_logits", input, target)
    xp = array_module(input)
    # log(1 + e^-|z|) + max(-z, 0) = -log σ(z);  -log(1-σ(z)) = that + z
    softplus_neg = xp.log1p(xp.exp(-xp.abs(input))) + xp.maximum(-input, 0)
    if pos_weight is None:
        loss = (1 - target) * input + softplus_neg
    else:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction), BCEContext(input, target, weight, reduction, True, pos_weight)


def binary_cross_entropy_backward(ctx: BCEContext, grad_out: Array = 1.0) -> Array:
    """Gradient of either binary cross-entropy with respect to its input."""
    xp = array_module(ctx.input)
    x, t = ctx.input, ctx.target
    if not ctx.logits:
        # PyTorch's formula, with the same 1e-12 guard against dividing by zero at 0 and 1
        grad = (x - t) / xp.maximum((1 - x) * x, x.dtype.type(1e-12))
    elif ctx.pos_weight is None:
        grad = sigmoid(x) - t
    else:
        pw = ctx.pos_weight
        grad = (1 + (pw - 1) * t) * sigmoid(x) - pw * t
    if ctx.weight is not None:
        grad = grad * ctx.weight
    if ctx.reduction == "mean":
        grad = grad / x.size
    return grad * grad_out


def mse_loss(input: Array, target: Array, reduction: str = "mean") -> Array:
    _check_reduction("mse_loss", reduction)
    _check_same_shape("mse_loss", input, target)
    diff = input - target
    return _reduce(diff * diff, reduction)


def mse_loss_backward(
    input: Array, target: Array, reduction: str = "mean", grad_out: Array = 1.0
) -> Array:
    grad = 2 * (input - target)
    if reduction == "mean":
        grad = grad / input.size
    return grad * grad_out


# -- normalisation and dropout ---------------------------------------------------------------------


@dataclass
class BatchNormContext:
    xhat: Array
    inv_std: Array  # broadcastable (1, C, 1, ...)
    weight: Array
    training: bool
    axes: tuple[int, ...]


def _bn_axes(input: Array) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if input.ndim < 2:
        raise ShapeError(f"batch_norm expects (N, C, ...) input, got shape {_shape(input)}")
    axes = (0,) + tuple(range(2, input.ndim))
    bshape = (1, int(input.shape[1])) + (1,) * (input.ndim - 2)
    return axes, bshape


def batch_norm(
    input: Array,
    running_mean: Array,
    running_var: Array,
    weight: Array | None = None,
    bias: Array | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Array:
    """Per-channel batch normalisation over (N, C, ...); updates the running statistics in place
    when training (the running variance uses the unbiased batch variance, as PyTorch does)."""
    return batch_norm_forward(
        input, running_mean, running_var, weight, bias, training, momentum, eps
    )[0]


def batch_norm_forward(
    input: Array,
    running_mean: Array,
    running_var: Array,
    weight: Array | None = None,
    bias: Array | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> tuple[Any, BatchNormContext]:
    xp = array_module(input)
    axes, bshape = _bn_axes(input)
    count = input.size // input.shape[1]
    if training:
        if count <= 1:
            raise ShapeError(
                f"batch_norm: expected more than 1 value per channel when training, got input of shape {_shape(input)}"
            )
        mean = input.mean(axis=axes)
        centered = input - mean.reshape(bshape)
        var = (centered * centered).mean(axis=axes)
        if running_mean is not None:
            running_mean *= 1 - momentum
            running_mean += momentum * mean.astype(running_mean.dtype, copy=False)
        if running_var is not None:
            running_var *= 1 - momentum
            running_var += momentum * (var * (count / (count - 1))).astype(
                running_var.dtype, copy=False
            )
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation needs running statistics")
        mean, var = (
            running_mean.astype(input.dtype, copy=False),
            running_var.astype(input.dtype, copy=False),
        )
        centered = input - mean.reshape(bshape)
    inv_std = (1.0 / xp.sqrt(var + eps)).astype(input.dtype, copy=False).reshape(bshape)
    xhat = centered * inv_std
    out = xhat * weight.reshape(bshape) if weight is not None else xhat.copy()
    if bias is not None:
        out += bias.reshape(bshape)
    return out, BatchNormContext(xhat, inv_std, weight, training, axes)


def batch_norm_backward(grad_out: Array, ctx: BatchNormContext) -> tuple[Any, Any, Any]:
    """Gradients of `batch_norm`: (grad_input, grad_weight or None, grad_bias)."""
    axes = ctx.axes
    bshape = ctx.inv_std.shape
    grad_bias = grad_out.sum(axis=axes)
    grad_weight = (grad_out * ctx.xhat).sum(axis=axes) if ctx.weight is not None else None
    dxhat = grad_out * ctx.weight.reshape(bshape) if ctx.weight is not None else grad_out
    if not ctx.training:
        return dxhat * ctx.inv_std, grad_weight, grad_bias
    count = grad_out.size // grad_out.shape[1]
    mean_d = dxhat.sum(axis=axes).reshape(bshape) / count
    mean_dx = (dxhat * ctx.xhat).sum(axis=axes).reshape(bshape) / count
    grad_input = (dxhat - mean_d - ctx.xhat * mean_dx) * ctx.inv_std
    return grad_input, grad_weight, grad_bias


def dropout(input: Array, p: float = 0.5, training: bool = True, generator: Any = None) -> Array:
    """Zero each element with probability p and scale the rest by 1/(1-p) (identity when not training)."""
    return dropout_forward(input, p, training, generator)[0]


def dropout_mask(input: Array, p: float, generator: Any = None) -> Array:
    """The scaled keep-mask of `dropout`, same shape and dtype as `input`."""
    xp = array_module(input)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be between 0 and 1, got {p}")
    if p == 1.0:
        return xp.zeros(input.shape, dtype=input.dtype)
    if xp is np:
        rng = generator if generator is not None else np.random.default_rng()
        draw = rng.random(
            input.shape,
            dtype=input.dtype if input.dtype in (np.float32, np.float64) else np.float64,
        )
    else:
        rng = generator if generator is not None else xp.random
        draw = rng.random(input.shape, dtype=input.dtype)
    return (draw >= p).astype(input.dtype) * input.dtype.type(1.0 / (1.0 - p))


def dropout_forward(
    input: Array, p: float = 0.5, training: bool = True, generator: Any = None
) -> tuple[Any, Any]:
    if not training or p == 0.0:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be between 0 and 1, got {p}")
        return input, None
    mask = dropout_mask(input, p, generator)
    return input * mask, mask


def dropout_backward(grad_out: Array, mask: Array) -> Array:
    return grad_out if mask is None else grad_out * mask


@dataclass
class LRNContext:
    input: Array
    denom: Array  # k + α/n · Σ x² over the channel window
    size: int
    alpha: float
    beta: float


def _channel_window_sum(a: Array, before: int, after: int) -> Array:
    """s[:, c] = Σ a[:, c-before … c+after] (zero outside), along axis 1."""
    xp = array_module(a)
    c = a.shape[1]
    padded = xp.zeros((a.shape[0], c + before + after) + tuple(a.shape[2:]), dtype=a.dtype)
    padded[:, before : before + c] = a
    total = padded[:, 0:c].copy()
    for t in range(1, before + after + 1):
        total += padded[:, t : t + c]
    return total


def local_response_norm(
    input: Array, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Array:
    """AlexNet's normalisation across channels: x / (k + α/n · Σ_window x²)^β (window of n = `size`)."""
    return local_response_norm_forward(input, size, alpha, beta, k)[0]


def local_response_norm_forward(
    input: Array, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> tuple[Any, LRNContext]:
    if input.ndim < 3:
        raise ShapeError(
            f"local_response_norm expects (N, C, ...) input with 3 or more dimensions, got {_shape(input)}"
        )
    if size < 1:
        raise ValueError(f"local_response_norm: size must be at least 1, got {size}")
    window = _channel_window_sum(input * input, size // 2, (size - 1) // 2)
    denom = window * input.dtype.type(alpha / size) + input.dtype.type(k)
    out = input * denom ** input.dtype.type(-beta)
    return out, LRNContext(input, denom, size, alpha, beta)


def local_response_norm_backward(grad_out: Array, ctx: LRNContext) -> Array:
    x, denom, n = ctx.input, ctx.denom, ctx.size
    dt = x.dtype.type
    scaled = denom ** dt(-ctx.beta)
    u = grad_out * x * scaled / denom  # g_c · x_c · D_c^(-β-1)
    back = _channel_window_sum(u, (n - 1) // 2, n // 2)
    return grad_out * scaled - dt(2 * ctx.alpha * ctx.beta / n) * x * back
