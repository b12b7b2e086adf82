"""CUDA kernels for the GPU backend: one launch where NumPy-style code would take several.

On the GPU every NumPy-style operation is a kernel launch (10-20 µs of host time each), so a
small network is launch-bound: its speed is set by how many operations a step issues, not by
its flops. Each kernel here does in one launch what would otherwise take several:

* `im2col` / `col2im` with padding and stride folded in (no padded copy of the image), columns
  `(C·kh·kw, N·oh·ow)`; `col2im` gathers (each pixel sums the column entries that read it), so
  it needs no atomics, and writes NCHW (convolution) or channel-major (transposed convolution);
* `columns_to_nchw`: a convolution's `(F, N·oh·ow)` product to a contiguous NCHW output, plus
  the bias;
* max pooling forward (with the winning window offset) and backward; `relu_backward`;
* `dropout` and `normal` from a counter-based hash of a seed drawn on the host, so a mask or a
  noise batch depends only on that seed (checkpoints restore it exactly; nothing is uploaded);
* fused optimiser updates (SGD with momentum, Nesterov and weight decay; Adam, AdamW, AMSGrad),
  one launch per parameter;
* fused softmax cross-entropy: loss, gradient and the number of correct predictions in two.

CuPy is imported only when a kernel is first used (compiled by NVRTC and cached by CuPy).
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from cnntui.engine.backend import Array

_IM2COL = r"""
    int ox = i % ow; long long t = i / ow;
    int oy = t % oh; t /= oh;
    int n = t % N; t /= N;
    int kx = t % kw; t /= kw;
    int ky = t % kh; int c = t / kh;
    int y = oy * sh + ky * dh - pt;
    int x = ox * sw + kx * dw - pl;
    col = (y >= 0 && y < H && x >= 0 && x < W) ? img[((long long)(n * C + c) * H + y) * W + x] : (T)0;
"""

_COL2IM = r"""
    int x = i % W; long long t = i / W;
    int y = t % H; t /= H;
    int n, c;
    if (nchw) { c = t % C; n = t / C; } else { n = t % N; c = t / N; }
    int yp = y + pt, xq = x + pl;
    T sum = 0;
    for (int ky = 0; ky < kh; ++ky) {
        int yy = yp - ky * dh;
        if (yy < 0 || yy % sh != 0) continue;
        int oy = yy / sh;
        if (oy >= oh) continue;
        for (int kx = 0; kx < kw; ++kx) {
            int xx = xq - kx * dw;
            if (xx < 0 || xx % sw != 0) continue;
            int ox = xx / sw;
            if (ox >= ow) continue;
            sum += col[((((long long)(c * kh + ky) * kw + kx) * N + n) * oh + oy) * ow + ox];
        }
    }
    img = sum;
"""

_COLUMNS_TO_NCHW = r"""
    long long p = i % P; long long t = i / P;
    int f = t % F; int n = t / F;
    out = cols[((long long)f * N + n) * P + p];
"""

_COLUMNS_TO_NCHW_BIAS = r"""
    long long p = i % P; long long t = i / P;
    int f = t % F; int n = t / F;
    out = cols[((long long)f * N + n) * P + p] + bias[f];
"""

_MAXPOOL_FORWARD = r"""
    int ox = i % ow; long long t = i / ow;
    int oy = t % oh; long long plane = t / oh;
    T best = 0;
    int arg = -1;  // the first pixel inside the image always wins, whatever its value
    for (int ky = 0; ky < kh; ++ky) {
        int y = oy * sh - ph + ky * dh;
        if (y < 0 || y >= H) continue;
        for (int kx = 0; kx < kw; ++kx) {
            int x = ox * sw - pw + kx * dw;
            if (x < 0 || x >= W) continue;
            T v = img[(plane * H + y) * W + x];
            if (arg < 0 || v > best || isnan((double)v)) { best = v; arg = ky * kw + kx; }
        }
    }
    out = best;
    index = arg;
"""

_MAXPOOL_BACKWARD = r"""
    int x = i % W; long long t = i / W;
    int y = t % H; long long plane = t / H;
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
            long long o = (plane * oh + oy) * ow + ox;
            if (index[o] == ky * kw + kx) sum += grad_out[o];
        }
    }
    grad_in = sum;
"""

_RELU_BACKWARD = "grad_in = output > (T)0 ? grad_out : (T)0;"

# splitmix64 of (seed, counter): a uniform double in [0, 1) per element, the same on any device
_HASH = r"""
    __device__ inline double cnntui_uniform(unsigned long long seed, unsigned long long k) {
        unsigned long long z = seed + (k + 1ULL) * 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        return (double)(z >> 11) * (1.0 / 9007199254740992.0);
    }
"""

_DROPOUT = r"""
    T keep = cnntui_uniform(seed, (unsigned long long)i) >= p ? scale : (T)0;
    mask = keep;
    y = x * keep;
"""

_NORMAL = r"""
    double u1 = 1.0 - cnntui_uniform(seed, 2ULL * (unsigned long long)i);
    double u2 = cnntui_uniform(seed, 2ULL * (unsigned long long)i + 1ULL);
    z = (T)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
"""

# torch.optim.SGD: g = grad + wd·p; buf = g (first step) or m·buf + (1-dampening)·g;
# g = g + m·buf (Nesterov) or buf; p -= lr·g
_SGD = "param = param - lr * (grad + wd * param);"

_SGD_MOMENTUM = r"""
    T g = grad + wd * param;
    T b = first ? g : momentum * buf + undamped * g;
    buf = b;
    param = param - lr * (nesterov ? g + momentum * b : b);
"""

# torch.optim.Adam/AdamW: decay = 1 - lr·wd (AdamW) or 1; l2 = wd (Adam) or 0;
# lr_t = lr / (1 - β1^t); root2 = sqrt(1 - β2^t)
_ADAM = r"""
    T p = param * decay;
    T g = grad + l2 * p;
    T m = exp_avg * beta1 + one_minus_beta1 * g;
    T v = exp_avg_sq * beta2 + one_minus_beta2 * (g * g);
    exp_avg = m;
    exp_avg_sq = v;
    param = p - lr_t * (m / (sqrt(v) / root2 + eps));
"""

_AMSGRAD = r"""
    T p = param * decay;
    T g = grad + l2 * p;
    T m = exp_avg * beta1 + one_minus_beta1 * g;
    T v = exp_avg_sq * beta2 + one_minus_beta2 * (g * g);
    exp_avg = m;
    exp_avg_sq = v;
    T top = max_exp_avg_sq > v ? max_exp_avg_sq : v;
    max_exp_avg_sq = top;
    param = p - lr_t * (m / (sqrt(top) / root2 + eps));
"""

# one thread per row of logits (N, C): the loss of the row, its weight (0 for ignored rows), whether
# its first maximum is the target, and the unnormalised gradient p·Σm - m, where the target mass is
# m = (1-ε)·w_y·onehot(y) + (ε/C)·w (w: class weights or ones)
_CE_ROWS = r"""
    long long row = (long long)i * C;
    T top = logits[row];
    int best = 0;
    for (int k = 1; k < C; ++k) {
        T z = logits[row + k];
        if (z > top || (isnan((double)z) && !isnan((double)top))) { top = z; best = k; }
    }
    T total = 0;
    for (int k = 0; k < C; ++k) total += exp(logits[row + k] - top);
    T lse = log(total);
    long long t = target[i];
    bool valid = t != ignore_index;
    bool inside = t >= 0 && t < C;
    int y = valid && inside ? (int)t : 0;
    T wy = valid ? (has_weight ? class_weight[y] : (T)1) : (T)0;
    T smooth = valid ? eps / (T)C : (T)0;
    T mass_sum = 0, loss = 0;
    for (int k = 0; k < C; ++k) {
        T mass = (k == y ? (1 - eps) * wy : (T)0) + smooth * (has_weight ? class_weight[k] : (T)1);
        mass_sum += mass;
        loss -= mass * (logits[row + k] - top - lse);
    }
    for (int k = 0; k < C; ++k) {
        T mass = (k == y ? (1 - eps) * wy : (T)0) + smooth * (has_weight ? class_weight[k] : (T)1);
        grad[row + k] = exp(logits[row + k] - top - lse) * mass_sum - mass;
    }
    row_loss[i] = valid && !inside ? (T)sqrt(-1.0) : loss;  // NaN: a target outside [0, C)
    row_weight[i] = wy;
    row_hit[i] = valid && best == y ? (T)1 : (T)0;
"""

# one thread per row again: every thread sums the N row weights (N is a batch: cheap) to scale its
# gradient row for the mean; thread 0 also writes (loss, counted weight, correct rows)
_CE_REDUCE = r"""
    T count = 0;
    for (int r = 0; r < N; ++r) count += row_weight[r];
    long long row = (long long)i * C;
    if (mean) for (int k = 0; k < C; ++k) grad[row + k] = grad[row + k] / count;
    if (i == 0) {
        T total = 0, hits = 0;
        for (int r = 0; r < N; ++r) { total += row_loss[r]; hits += row_hit[r]; }
        stats[0] = mean ? total / count : total;
        stats[1] = count;
        stats[2] = hits;
    }
"""


def _cupy() -> Any:
    return importlib.import_module("cupy")


_GEOMETRY = "int32 kh, int32 kw, int32 sh, int32 sw, int32 dh, int32 dw, int32 oh, int32 ow"
_POOL = (
    "int32 H, int32 W, int32 kh, int32 kw, int32 sh, int32 sw, int32 ph, int32 pw, int32 dh, "
    "int32 dw, int32 oh, int32 ow"
)
_ADAM_IN = (
    "T grad, T lr_t, T beta1, T beta2, T one_minus_beta1, T one_minus_beta2, T eps, T root2, "
    "T l2, T decay"
)
_CE_ROWS_IN = (
    "raw T logits, raw I target, raw T class_weight, int32 C, bool has_weight, "
    "int64 ignore_index, T eps"
)
_CE_ROWS_OUT = "raw T grad, raw T row_loss, raw T row_weight, raw T row_hit"

# name: (inputs, outputs, body, preamble)
_SPECS: dict[str, tuple[str, str, str, str]] = {
    "im2col": (
        f"raw T img, int32 N, int32 C, int32 H, int32 W, int32 pt, int32 pl, {_GEOMETRY}",
        "T col",
        _IM2COL,
        "",
    ),
    "col2im": (
        f"raw T col, int32 N, int32 C, int32 H, int32 W, int32 pt, int32 pl, bool nchw, {_GEOMETRY}",
        "T img",
        _COL2IM,
        "",
    ),
    "columns_to_nchw": ("raw T cols, int32 N, int32 F, int64 P", "T out", _COLUMNS_TO_NCHW, ""),
    "columns_to_nchw_bias": (
        "raw T cols, raw T bias, int32 N, int32 F, int64 P",
        "T out",
        _COLUMNS_TO_NCHW_BIAS,
        "",
    ),
    "maxpool_forward": (f"raw T img, {_POOL}", "T out, int32 index", _MAXPOOL_FORWARD, ""),
    "maxpool_backward": (
        f"raw T grad_out, raw int32 index, {_POOL}",
        "T grad_in",
        _MAXPOOL_BACKWARD,
        "",
    ),
    "relu_backward": ("T grad_out, T output", "T grad_in", _RELU_BACKWARD, ""),
    "dropout": ("T x, uint64 seed, float64 p, T scale", "T y, T mask", _DROPOUT, _HASH),
    "normal": ("uint64 seed", "T z", _NORMAL, _HASH),
    "sgd": ("T grad, T lr, T wd", "T param", _SGD, ""),
    "sgd_momentum": (
        "T grad, T lr, T wd, T momentum, T undamped, bool nesterov, bool first",
        "T param, T buf",
        _SGD_MOMENTUM,
        "",
    ),
    "adam": (_ADAM_IN, "T param, T exp_avg, T exp_avg_sq", _ADAM, ""),
    "amsgrad": (_ADAM_IN, "T param, T exp_avg, T exp_avg_sq, T max_exp_avg_sq", _AMSGRAD, ""),
    "cross_entropy_rows": (_CE_ROWS_IN, _CE_ROWS_OUT, _CE_ROWS, ""),
    "cross_entropy_reduce": (
        "raw T row_loss, raw T row_weight, raw T row_hit, int32 N, int32 C, bool mean",
        "raw T grad, raw T stats",
        _CE_REDUCE,
        "",
    ),
}

KERNEL_NAMES = tuple(_SPECS)


@cache
def _kernel(name: str) -> Any:
    inputs, outputs, body, preamble = _SPECS[name]
    return _cupy().ElementwiseKernel(inputs, outputs, body, f"cnntui_{name}", preamble=preamble)


def reset() -> None:
    """Forget the compiled kernels (they belong to the CuPy module that compiled them)."""
    _kernel.cache_clear()


def im2col(
    x: Array,
    pads: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    out: Array = None,
) -> Array:
    """(N, C, H, W) → columns (C·kh·kw, N·oh·ow) of the image padded by `pads` (top, left) with
    zeros; the bottom and right padding are implied by `out_hw`. `out` is reused when it fits."""
    cupy = _cupy()
    img = cupy.ascontiguousarray(x)
    n, c, h, w = (int(s) for s in img.shape)
    kh, kw = kernel
    oh, ow = out_hw
    shape = (c * kh * kw, n * oh * ow)
    if out is None or tuple(out.shape) != shape or out.dtype != img.dtype:
        out = cupy.empty(shape, dtype=img.dtype)
    _kernel("im2col")(
        img, n, c, h, w, pads[0], pads[1], kh, kw, stride[0], stride[1], dilation[0], dilation[1],
        oh, ow, out,
    )  # fmt: skip
    return out


def col2im(
    dcols: Array,
    channels: int,
    batch: int,
    image_hw: tuple[int, int],
    pads: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    nchw: bool = True,
) -> Array:
    """The adjoint of `im2col`: columns (C·kh·kw, N·oh·ow) summed onto the (H, W) image inside the
    padding. Returns (N, C, H, W) when `nchw`, else channel-major (C, N, H, W); contiguous."""
    cupy = _cupy()
    cols = cupy.ascontiguousarray(dcols)
    h, w = image_hw
    kh, kw = kernel
    oh, ow = out_hw
    shape = (batch, channels, h, w) if nchw else (channels, batch, h, w)
    image = cupy.empty(shape, dtype=cols.dtype)
    _kernel("col2im")(
        cols, batch, channels, h, w, pads[0], pads[1], nchw, kh, kw, stride[0], stride[1],
        dilation[0], dilation[1], oh, ow, image,
    )  # fmt: skip
    return image


def columns_to_nchw(product: Any, bias: Any, batch: int, out_hw: tuple[int, int]) -> Any:
    """A convolution's product (F, N·oh·ow) → (N, F, oh, ow) contiguous, plus `bias` (F,) if given."""
    cupy = _cupy()
    f = int(product.shape[0])
    oh, ow = out_hw
    out = cupy.empty((batch, f, oh, ow), dtype=product.dtype)
    if bias is None:
        _kernel("columns_to_nchw")(product, batch, f, oh * ow, out)
    else:
        _kernel("columns_to_nchw_bias")(product, bias, batch, f, oh * ow, out)
    return out


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


def relu_backward(grad_out: Any, output: Any) -> Any:
    """grad_out where the ReLU's output is positive, else 0 (one launch instead of two)."""
    return _kernel("relu_backward")(grad_out, output)


def dropout(x: Any, p: float, seed: int) -> tuple[Any, Any]:
    """(x·mask, mask): each element kept with probability 1-p and scaled by 1/(1-p); the mask is
    a function of `seed` (0 ≤ seed < 2⁶⁴) and the element's index only."""
    scale = x.dtype.type(1.0 / (1.0 - p))
    y, mask = _kernel("dropout")(x, seed, float(p), scale)
    return y, mask


def normal(shape: tuple[int, ...], seed: int, dtype: Any) -> Any:
    """Standard normal samples of `shape` drawn on the device from `seed` (Box-Muller)."""
    cupy = _cupy()
    out = cupy.empty(shape, dtype=dtype)
    _kernel("normal")(seed, out)
    return out


def sgd(param: Any, grad: Any, lr: float, weight_decay: float) -> None:
    t = param.dtype.type
    _kernel("sgd")(grad, t(lr), t(weight_decay), param)


def sgd_momentum(
    param: Any,
    grad: Any,
    buf: Any,
    lr: float,
    weight_decay: float,
    momentum: float,
    dampening: float,
    nesterov: bool,
    first: bool,
) -> None:
    """One SGD step on `param` and its momentum buffer `buf`, in place (`first`: buf ← g)."""
    t = param.dtype.type
    _kernel("sgd_momentum")(
        grad, t(lr), t(weight_decay), t(momentum), t(1.0 - dampening), bool(nesterov), bool(first),
        param, buf,
    )  # fmt: skip


def adam(
    param: Any,
    grad: Any,
    exp_avg: Any,
    exp_avg_sq: Any,
    max_exp_avg_sq: Any,
    *,
    lr: float,
    betas: tuple[float, float],
    eps: float,
    weight_decay: float,
    decoupled: bool,
    step: int,
) -> None:
    """One Adam/AdamW step (AMSGrad when `max_exp_avg_sq` is given), in place."""
    import math

    t = param.dtype.type
    beta1, beta2 = betas
    decay = 1.0 - lr * weight_decay if decoupled else 1.0
    l2 = 0.0 if decoupled else weight_decay
    args = (
        grad, t(lr / (1 - beta1**step)), t(beta1), t(beta2), t(1 - beta1), t(1 - beta2), t(eps),
        t(math.sqrt(1 - beta2**step)), t(l2), t(decay), param, exp_avg, exp_avg_sq,
    )  # fmt: skip
    if max_exp_avg_sq is None:
        _kernel("adam")(*args)
    else:
        _kernel("amsgrad")(*args, max_exp_avg_sq)


def cross_entropy(
    logits: Any,
    target: Any,
    class_weight: Any,
    ignore_index: int,
    label_smoothing: float,
    mean: bool,
) -> tuple[Any, Any]:
    """Softmax cross-entropy of logits (N, C) against class indices (N,), forward and backward.

    Returns (gradient (N, C) for an upstream gradient of 1, stats (3,) = [loss, the counted
    weight, the number of rows whose first maximum is the target]); two launches.
    """
    cupy = _cupy()
    n, c = (int(s) for s in logits.shape)
    z = cupy.ascontiguousarray(logits)
    dtype = z.dtype
    grad = cupy.empty((n, c), dtype=dtype)
    rows = cupy.empty((3, n), dtype=dtype)
    stats = cupy.empty((3,), dtype=dtype)
    weight = z if class_weight is None else cupy.ascontiguousarray(class_weight)
    _kernel("cross_entropy_rows")(
        z, target, weight, c, class_weight is not None, int(ignore_index),
        dtype.type(label_smoothing), grad, rows[0], rows[1], rows[2], size=n,
    )  # fmt: skip
    _kernel("cross_entropy_reduce")(
        rows[0], rows[1], rows[2], n, c, bool(mean), grad, stats, size=n
    )
    return grad, stats
