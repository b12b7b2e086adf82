"""CUDA kernels for the GPU backend: im2col, col2im and max pooling, one launch each.

On the GPU every NumPy-style operation is a kernel launch (10-20 µs of host time each), so the
strided-slice loops that suit the CPU (kh·kw slice copies and adds per convolution) would make
small networks launch-bound. These kernels do the same work in one launch, in the layouts of
`cnntui.engine.im2col` (columns `(C·kh·kw, N·oh·ow)`, images channel-major `(C, N, H, W)`).
`col2im` gathers (each pixel sums the column entries that read it) instead of scattering, so it
needs no atomics.

CuPy is imported only when a kernel is first used (compiled by NVRTC and cached by CuPy).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from cnntui.engine.backend import Array

_IM2COL = r"""
    int ox = i % ow; int t = i / ow;
    int oy = t % oh; t /= oh;
    int n = t % N; t /= N;
    int kx = t % kw; t /= kw;
    int ky = t % kh; int c = t / kh;
    int y = oy * sh + ky * dh;
    int x = ox * sw + kx * dw;
    col = img[((long long)(n * C + c) * Hp + y) * Wp + x];
"""

_COL2IM = r"""
    int x = i % Wp; int t = i / Wp;
    int y = t % Hp; t /= Hp;
    int n = t % N; int c = t / N;
    T sum = 0;
    for (int ky = 0; ky < kh; ++ky) {
        int yy = y - ky * dh;
        if (yy < 0 || yy % sh != 0) continue;
        int oy = yy / sh;
        if (oy >= oh) continue;
        for (int kx = 0; kx < kw; ++kx) {
            int xx = x - kx * dw;
            if (xx < 0 || xx % sw != 0) continue;
            int ox = xx / sw;
            if (ox >= ow) continue;
            sum += col[((((long long)(c * kh + ky) * kw + kx) * N + n) * oh + oy) * ow + ox];
        }
    }
    img = sum;
"""

_MAXPOOL_FORWARD = r"""
    int ox = i % ow; int t = i / ow;
    int oy = t % oh; int plane = t / oh;
    const T* src = &img[(long long)plane * H * W];
    T best = 0;
    int arg = -1;  // the first pixel inside the image always wins, whatever its value
    for (int ky = 0; ky < kh; ++ky) {
        int y = oy * sh - ph + ky * dh;
        if (y < 0 || y >= H) continue;
        for (int kx = 0; kx < kw; ++kx) {
            int x = ox * sw - pw + kx * dw;
            if (x < 0 || x >= W) continue;
            T v = src[y * W + x];
            if (arg < 0 || v > best || isnan((double)v)) { best = v; arg = ky * kw + kx; }
        }
    }
    out = best;
    index = arg;
"""

_MAXPOOL_BACKWARD = r"""
    int x = i % W; int t = i / W;
    int y = t % H; int plane = t / H;
    const T* g = &grad_out[(long long)plane * oh * ow];
    const int* a = &index[(long long)plane * oh * ow];
    T sum = 0;
    for (int ky = 0; ky < kh; ++ky) {
        int yy = y + ph - ky * dh;
        if (yy < 0 || yy % sh != 0) continue;
        int oy = yy / sh;
        if (oy >= oh) continue;
        for (int kx = 0; kx < kw; ++kx) {
            int xx = x + pw - kx * dw;
            if (xx < 0 || xx % sw != 0) continue;
            int ox = xx / sw;
            if (ox >= ow) continue;
            if (a[oy * ow + ox] == ky * kw + kx) sum += g[oy * ow + ox];
        }
    }
    grad_in = sum;
"""


def _cupy() -> Any:
    return importlib.import_module("cupy")


@cache
def _kernel(name: str) -> Any:
    cupy = _cupy()
    geometry = "int32 kh, int32 kw, int32 sh, int32 sw, int32 dh, int32 dw, int32 oh, int32 ow"
    if name == "im2col":
        return cupy.ElementwiseKernel(
            f"raw T img, int32 N, int32 C, int32 Hp, int32 Wp, {geometry}",
            "T col",
            _IM2COL,
            "cnntui_im2col",
        )
    if name == "col2im":
        return cupy.ElementwiseKernel(
            f"raw T col, int32 N, int32 C, int32 Hp, int32 Wp, {geometry}",
            "T img",
            _COL2IM,
            "cnntui_col2im",
        )
    pool = "int32 H, int32 W, int32 kh, int32 kw, int32 sh, int32 sw, int32 ph, int32 pw, int32 dh, int32 dw, int32 oh, int32 ow"
    if name == "maxpool_forward":
        return cupy.ElementwiseKernel(
            f"raw T img, {pool}", "T out, int32 index", _MAXPOOL_FORWARD, "cnntui_maxpool_forward"
        )
    if name == "maxpool_backward":
        return cupy.ElementwiseKernel(
            f"raw T grad_out, raw int32 index, {pool}",
            "T grad_in",
            _MAXPOOL_BACKWARD,
            "cnntui_maxpool_backward",
        )
    raise KeyError(name)


def im2col(
    xpad: Array,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
) -> Array:
    """(N, C, Hp, Wp) → columns (C·kh·kw, N·oh·ow), the generic layout of `im2col.im2col`."""
    cupy = _cupy()
    img = cupy.ascontiguousarray(xpad)
    n, c, hp, wp = (int(s) for s in img.shape)
    kh, kw = kernel
    oh, ow = out_hw
    cols = cupy.empty((c * kh * kw, n * oh * ow), dtype=img.dtype)
    _kernel("im2col")(
        img, n, c, hp, wp, kh, kw, stride[0], stride[1], dilation[0], dilation[1], oh, ow, cols
    )
    return cols


def col2im(
    dcols: Array,
    channels: int,
    batch: int,
    padded_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
) -> Array:
    """Columns (C·kh·kw, N·oh·ow) → the summed image (C, N, Hp, Wp), gathering per pixel."""
    cupy = _cupy()
    cols = cupy.ascontiguousarray(dcols)
    hp, wp = padded_hw
    kh, kw = kernel
    oh, ow = out_hw
    image = cupy.empty((channels, batch, hp, wp), dtype=cols.dtype)
    _kernel("col2im")(
        cols,
        batch,
        channels,
        hp,
        wp,
        kh,
        kw,
        stride[0],
        stride[1],
        dilation[0],
        dilation[1],
        oh,
        ow,
        image,
    )
    return image


def max_pool_forward(
    x: Array,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
) -> tuple[Any, Any]:
    """(N, C, H, W) → (max (N, C, oh, ow), int32 window offset ky·kw + kx of the first maximum)."""
    cupy = _cupy()
    img = cupy.ascontiguousarray(x)
    n, c, h, w = (int(s) for s in img.shape)
    oh, ow = out_hw
    out = cupy.empty((n, c, oh, ow), dtype=img.dtype)
    index = cupy.empty((n, c, oh, ow), dtype=cupy.int32)
    _kernel("maxpool_forward")(
        img, h, w, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
        dilation[0], dilation[1], oh, ow, out, index,
    )  # fmt: skip
    return out, index


def max_pool_backward(
    grad_out: Array,
    index: Any,
    input_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    dilation: tuple[int, int],
) -> Array:
    """Gradient (N, C, H, W) of `max_pool_forward`, each pixel gathering from the windows it won."""
    cupy = _cupy()
    g = cupy.ascontiguousarray(grad_out)
    n, c, oh, ow = (int(s) for s in g.shape)
    h, w = input_hw
    grad = cupy.empty((n, c, h, w), dtype=g.dtype)
    _kernel("maxpool_backward")(
        g, index, h, w, kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1],
        dilation[0], dilation[1], oh, ow, grad,
    )  # fmt: skip
    return grad
