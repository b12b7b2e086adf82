"""The CPU convolution and elementwise work split over the engine's threads (`parallel`).

Used by `cnntui.engine.functional` only when `parallel.threads() > 1` and the arrays are NumPy;
with one thread the functions there take their original paths, unchanged. Each split is one
hand-off to the pool per operation:

* a convolution's columns are built per channel block (rows of the column matrix);
* its forward product is split over the columns (positions × batch), each block with the bias;
* its backward pass is split over the same columns: each block lays out its part of the output
  gradient, sums its part of the bias gradient, multiplies its part of the weight gradient and
  its block of the column gradient; the partial weight and bias gradients are then added in
  block order (so a run is reproducible);
* col2im is split over channels (each channel's image is summed from its own rows only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from cnntui.engine import parallel
from cnntui.engine.im2col import col2im, col2im_batch_last, im2col, im2col_batch_last

_SUB_COLUMNS = 4096
_SUB_MAX_INNER = 64


def _matmul_into(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out[...] = a (M, K) @ b (K, P), in 4,096-column slices when K is small (as
    `functional.matmul_columns` does: faster on one core for a small inner size)."""
    columns = int(b.shape[-1])
    if int(b.shape[-2]) >= _SUB_MAX_INNER or columns <= 2 * _SUB_COLUMNS:
        np.matmul(a, b, out=out)
        return
    for start in range(0, columns, _SUB_COLUMNS):
        stop = start + _SUB_COLUMNS
        np.matmul(a, b[..., start:stop], out=out[..., start:stop])


def _matmul_t(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a (..., K, P) @ b (..., M, P)ᵀ → (..., K, M), summed over P in slices when K is small."""
    columns = int(a.shape[-1])
    bt = b.swapaxes(-1, -2)
    if int(a.shape[-2]) >= _SUB_MAX_INNER or columns <= 2 * _SUB_COLUMNS:
        return np.matmul(a, bt)
    out = np.matmul(a[..., :_SUB_COLUMNS], bt[..., :_SUB_COLUMNS, :])
    for start in range(_SUB_COLUMNS, columns, _SUB_COLUMNS):
        stop = start + _SUB_COLUMNS
        out += np.matmul(a[..., start:stop], bt[..., start:stop, :])
    return out


def _run(tasks: list[Callable[[], Any]]) -> list[Any]:
    return parallel.run(tasks)


# -- columns ---------------------------------------------------------------------------------------


def columns(
    x: np.ndarray,
    padded: np.ndarray | None,
    pads: tuple[int, int, int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    layout: str,
    row: int,
    out: np.ndarray | None,
) -> np.ndarray:
    """The columns `im2col_batch_last` (layout "batch-last", from `x`) or `im2col` ("flat" or
    "generic", from the zero-padded `padded`) would give, built per block of channels."""
    n, c = int(x.shape[0]), int(x.shape[1])
    kk = kernel[0] * kernel[1]
    oh, ow = out_hw
    shape = (c * kk, n * oh * row)
    if out is None or out.shape != shape or out.dtype != x.dtype:
        out = np.empty(shape, dtype=x.dtype)
    per_channel = kk * n * oh * row
    blocks = parallel.chunks(c, per_channel)

    def block(c0: int, c1: int) -> Callable[[], None]:
        rows = out[c0 * kk : c1 * kk]

        def work() -> None:
            if layout == "batch-last":
                im2col_batch_last(x[:, c0:c1], pads, kernel, stride, dilation, out_hw, out=rows)
            else:
                assert padded is not None
                flat = layout == "flat"
                im2col(padded[:, c0:c1], kernel, stride, dilation, out_hw, flat, out=rows)

        return work

    _run([block(c0, c1) for c0, c1 in blocks])
    return out


def image_gradient(
    dcols: np.ndarray,
    channels: int,
    batch: int,
    padded_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    layout: str,
) -> np.ndarray:
    """col2im per block of channels: (C, Hp, Wp, N) for "batch-last", else (C, N, Hp, Wp)."""
    hp, wp = padded_hw
    kk = kernel[0] * kernel[1]
    if layout == "batch-last":
        image = np.empty((channels, hp, wp, batch), dtype=dcols.dtype)
    else:
        image = np.empty((channels, batch, hp, wp), dtype=dcols.dtype)
    blocks = parallel.chunks(channels, batch * hp * wp * kk)

    def block(c0: int, c1: int) -> Callable[[], None]:
        rows, target = dcols[c0 * kk : c1 * kk], image[c0:c1]
        geometry = (padded_hw, kernel, stride, dilation, out_hw)

        def work() -> None:
            if layout == "batch-last":
                col2im_batch_last(rows, c1 - c0, batch, *geometry, out=target)
            else:
                col2im(rows, c1 - c0, batch, *geometry, layout == "flat", out=target)

        return work

    _run([block(c0, c1) for c0, c1 in blocks])
    return image


# -- products --------------------------------------------------------------------------------------


def forward_product(
    weight: np.ndarray, cols: np.ndarray, bias: np.ndarray | None, groups: int
) -> np.ndarray:
    """W (F, C/g, kh, kw) times the columns (C·kh·kw, P), plus the bias: (F, P), per column block."""
    f = int(weight.shape[0])
    p = int(cols.shape[1])
    out = np.empty((f, p), dtype=np.result_type(weight, cols))
    w = weight.reshape(groups, f // groups, -1)
    c = cols.reshape(groups, -1, p)
    o = out.reshape(groups, f // groups, p)
    if groups == 1:
        w, c, o = w[0], c[0], o[0]
    b = bias.reshape(f, 1) if bias is not None else None

    def block(start: int, stop: int) -> Callable[[], None]:
        def work() -> None:
            _matmul_into(w, c[..., start:stop], o[..., start:stop])
            if b is not None:
                out[:, start:stop] += b

        return work

    _run([block(a, z) for a, z in parallel.chunks(p, int(cols.shape[0]) + f)])
    return out


def backward_products(
    layout_g: Callable[[int, int], np.ndarray],
    column_units: int,
    unit_columns: int,
    cols: np.ndarray,
    weight: np.ndarray,
    groups: int,
    has_bias: bool,
    needs_input_grad: bool,
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """(dcols (C·kh·kw, P) or None, grad_weight like `weight`, grad_bias (F,) or None).

    `layout_g(u0, u1)` lays out and returns the output gradient's columns for units u0..u1 (a
    unit is `unit_columns` consecutive columns: an output row of the batch-last layout), as an
    (F, (u1 - u0)·unit_columns) array; each block does that, then its share of every product.
    """
    f = int(weight.shape[0])
    k, p = int(cols.shape[0]), int(cols.shape[1])
    fg, kg = f // groups, k // groups
    wt = weight.reshape(groups, fg, kg).transpose(0, 2, 1)  # (g, K/g, F/g)
    dcols = np.empty((k, p), dtype=cols.dtype) if needs_input_grad else None
    blocks = parallel.chunks(column_units, unit_columns * (k + f))

    def block(u0: int, u1: int) -> Callable[[], tuple[np.ndarray, np.ndarray | None]]:
        def work() -> tuple[np.ndarray, np.ndarray | None]:
            start, stop = u0 * unit_columns, u1 * unit_columns
            g = layout_g(u0, u1).reshape(groups, fg, stop - start)
            part_bias = g.reshape(f, -1).sum(axis=1) if has_bias else None
            c = cols.reshape(groups, kg, p)[:, :, start:stop]
            part_weight = _matmul_t(c, g)  # (g, K/g, F/g)
            if dcols is not None:
                target = dcols.reshape(groups, kg, p)[:, :, start:stop]
                for i in range(groups):
                    _matmul_into(wt[i], g[i], target[i])
            return part_weight, part_bias

        return work

    parts = _run([block(u0, u1) for u0, u1 in blocks])
    grad_weight = parts[0][0]
    for part, _ in parts[1:]:
        grad_weight = grad_weight + part  # in block order: reproducible
    grad_bias = None
    if has_bias:
        grad_bias = parts[0][1]
        for _, part_bias in parts[1:]:
            grad_bias = grad_bias + part_bias
    grad_weight = np.ascontiguousarray(grad_weight.transpose(0, 2, 1)).reshape(weight.shape)
    return dcols, grad_weight, grad_bias


# -- elementwise -----------------------------------------------------------------------------------


def outer_axis(a: np.ndarray) -> int:
    """The axis with the largest stride: slices along it are the largest contiguous blocks."""
    strides = [abs(s) if n > 1 else -1 for s, n in zip(a.strides, a.shape, strict=True)]
    return int(np.argmax(strides)) if strides else 0


def split_axis(
    axis: int, size: int, elements: int, work: Callable[[tuple[slice, ...]], None]
) -> None:
    """Call `work(index)` once per block of `axis` (`index` is a tuple of slices over the axes up
    to it), spread over the engine's threads when the array is large enough."""
    blocks = parallel.chunks(size, max(1, elements // max(1, size)))
    lead = (slice(None),) * axis

    def block(a: int, z: int) -> Callable[[], None]:
        return lambda: work((*lead, slice(a, z)))

    _run([block(a, z) for a, z in blocks])
