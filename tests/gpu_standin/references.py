"""NumPy references of the engine's CUDA kernels, for the stand-in where no C++ compiler exists.

Each takes the kernel's arguments by parameter name (device arrays as their NumPy payloads) and
fills the outputs in place, as the kernel would. `test_engine_gpu_kernels.py` checks every one
against the compiled CUDA body where a compiler is there, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

REFERENCES: dict[str, Callable[..., None]] = {}


def reference(name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(function: Callable[..., None]) -> Callable[..., None]:
        REFERENCES[f"cnntui_{name}"] = function
        return function

    return register


def _pad(img: np.ndarray, top: int, left: int, hp: int, wp: int) -> np.ndarray:
    n, c, h, w = img.shape
    out = np.zeros((n, c, max(hp, top + h), max(wp, left + w)), dtype=img.dtype)
    out[:, :, top : top + h, left : left + w] = img
    return out


@reference("probe_double")
def _probe_double(size: int, x: Any, y: Any) -> None:
    """The backend's smoke-test kernel (`cnntui.engine.backend`)."""
    y[...] = x + x


@reference("im2col")
def _im2col(size: int, img: Any, N: int, C: int, H: int, W: int, pt: int, pl: int, kh: int,
            kw: int, sh: int, sw: int, dh: int, dw: int, oh: int, ow: int, col: Any) -> None:  # fmt: skip
    x = _pad(img.reshape(N, C, H, W), pt, pl, pt + sh * (oh - 1) + dh * (kh - 1) + 1,
             pl + sw * (ow - 1) + dw * (kw - 1) + 1)  # fmt: skip
    out = col.reshape(C, kh, kw, N, oh, ow)
    for a in range(kh):
        for b in range(kw):
            window = x[
                :,
                :,
                a * dh : a * dh + sh * (oh - 1) + 1 : sh,
                b * dw : b * dw + sw * (ow - 1) + 1 : sw,
            ]
            out[:, a, b] = window.transpose(1, 0, 2, 3)


@reference("col2im")
def _col2im(size: int, col: Any, N: int, C: int, H: int, W: int, pt: int, pl: int, nchw: bool,
            kh: int, kw: int, sh: int, sw: int, dh: int, dw: int, oh: int, ow: int, img: Any) -> None:  # fmt: skip
    hp = max(pt + H, pt + sh * (oh - 1) + dh * (kh - 1) + 1)
    wp = max(pl + W, pl + sw * (ow - 1) + dw * (kw - 1) + 1)
    full = np.zeros((C, N, hp, wp), dtype=img.dtype)
    cols = col.reshape(C, kh, kw, N, oh, ow)
    for a in range(kh):
        for b in range(kw):
            full[
                :,
                :,
                a * dh : a * dh + sh * (oh - 1) + 1 : sh,
                b * dw : b * dw + sw * (ow - 1) + 1 : sw,
            ] += cols[:, a, b]
    inside = full[:, :, pt : pt + H, pl : pl + W]
    img[...] = inside.transpose(1, 0, 2, 3) if nchw else inside


@reference("columns_to_nchw")
def _columns_to_nchw(size: int, cols: Any, N: int, F: int, P: int, out: Any) -> None:
    out[...] = cols.reshape(F, N, P).transpose(1, 0, 2).reshape(out.shape)


@reference("columns_to_nchw_bias")
def _columns_to_nchw_bias(
    size: int, cols: Any, bias: Any, N: int, F: int, P: int, out: Any
) -> None:
    out[...] = (cols.reshape(F, N, P) + bias.reshape(F, 1, 1)).transpose(1, 0, 2).reshape(out.shape)


def _pool_windows(x: np.ndarray, H: int, W: int, kh: int, kw: int, sh: int, sw: int, ph: int,
                  pw: int, dh: int, dw: int, oh: int, ow: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(values, inside) of shape (planes, oh, ow, kh·kw): every window's pixels, row-major."""
    planes = x.reshape(-1, H, W)
    ys = np.arange(oh)[:, None] * sh - ph + np.arange(kh)[None, :] * dh  # (oh, kh)
    xs = np.arange(ow)[:, None] * sw - pw + np.arange(kw)[None, :] * dw  # (ow, kw)
    yy = ys[:, None, :, None]
    xx = xs[None, :, None, :]
    inside = (yy >= 0) & (yy < H) & (xx >= 0) & (xx < W)  # (oh, ow, kh, kw)
    values = planes[:, np.clip(yy, 0, H - 1), np.clip(xx, 0, W - 1)]
    return values.reshape(len(planes), oh, ow, kh * kw), inside.reshape(oh, ow, kh * kw)


@reference("maxpool_forward")
def _maxpool_forward(size: int, img: Any, H: int, W: int, kh: int, kw: int, sh: int, sw: int,
                     ph: int, pw: int, dh: int, dw: int, oh: int, ow: int, out: Any, index: Any) -> None:  # fmt: skip
    values, inside = _pool_windows(img, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow)
    best = np.full(values.shape[:3], np.nan, dtype=values.dtype)
    arg = np.full(values.shape[:3], -1, dtype=np.int32)
    for k in range(kh * kw):  # the kernel's scan: the first inside pixel, then greater or NaN
        v = values[..., k]
        take = inside[..., k] & ((arg < 0) | (v > best) | np.isnan(v))
        best = np.where(take, v, best)
        arg = np.where(take, k, arg)
    out[...] = best.reshape(out.shape)
    index[...] = arg.reshape(index.shape)


@reference("maxpool_backward")
def _maxpool_backward(size: int, grad_out: Any, index: Any, H: int, W: int, kh: int, kw: int,
                      sh: int, sw: int, ph: int, pw: int, dh: int, dw: int, oh: int, ow: int,
                      grad_in: Any) -> None:  # fmt: skip
    planes = grad_in.reshape(-1, H, W)
    planes[...] = 0
    g = grad_out.reshape(-1, oh, ow)
    arg = index.reshape(-1, oh, ow)
    for k in range(kh * kw):
        a, b = divmod(k, kw)
        for oy in range(oh):
            y = oy * sh - ph + a * dh
            if not 0 <= y < H:
                continue
            for ox in range(ow):
                x = ox * sw - pw + b * dw
                if 0 <= x < W:
                    planes[:, y, x] += np.where(arg[:, oy, ox] == k, g[:, oy, ox], 0)


@reference("relu_backward")
def _relu_backward(size: int, grad_out: Any, output: Any, grad_in: Any) -> None:
    grad_in[...] = np.where(output > 0, grad_out, 0)


def _uniform(seed: int, k: np.ndarray) -> np.ndarray:
    """splitmix64 of (seed, k), as `cnntui_uniform` computes it, in [0, 1)."""
    with np.errstate(over="ignore"):
        z = np.uint64(seed) + (k.astype(np.uint64) + np.uint64(1)) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return (z >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


@reference("dropout")
def _dropout(size: int, x: Any, seed: int, p: float, scale: Any, y: Any, mask: Any) -> None:
    keep = np.where(_uniform(seed, np.arange(size)).reshape(mask.shape) >= p, scale, 0)
    mask[...] = keep
    y[...] = np.broadcast_to(x, y.shape) * mask


@reference("normal")
def _normal(size: int, seed: int, z: Any) -> None:
    i = np.arange(size, dtype=np.uint64)
    u1 = 1.0 - _uniform(seed, 2 * i)
    u2 = _uniform(seed, 2 * i + 1)
    z[...] = (np.sqrt(-2.0 * np.log(u1)) * np.cos(6.283185307179586 * u2)).reshape(z.shape)


@reference("sgd")
def _sgd(size: int, grad: Any, lr: Any, wd: Any, param: Any) -> None:
    param[...] = param - lr * (grad + wd * param)


@reference("sgd_momentum")
def _sgd_momentum(size: int, grad: Any, lr: Any, wd: Any, momentum: Any, undamped: Any,
                  nesterov: bool, first: bool, param: Any, buf: Any) -> None:  # fmt: skip
    g = grad + wd * param
    b = g if first else momentum * buf + undamped * g
    buf[...] = b
    param[...] = param - lr * (g + momentum * b if nesterov else b)


def _adam(grad: Any, lr_t: Any, beta1: Any, beta2: Any, one_minus_beta1: Any,
          one_minus_beta2: Any, eps: Any, root2: Any, l2: Any, decay: Any, param: Any,
          exp_avg: Any, exp_avg_sq: Any, max_exp_avg_sq: Any = None) -> None:  # fmt: skip
    p = param * decay
    g = grad + l2 * p
    m = exp_avg * beta1 + one_minus_beta1 * g
    v = exp_avg_sq * beta2 + one_minus_beta2 * (g * g)
    exp_avg[...] = m
    exp_avg_sq[...] = v
    if max_exp_avg_sq is not None:
        v = np.maximum(max_exp_avg_sq, v)
        max_exp_avg_sq[...] = v
    param[...] = p - lr_t * (m / (np.sqrt(v) / root2 + eps))


REFERENCES["cnntui_adam"] = lambda size, **kw: _adam(**kw)
REFERENCES["cnntui_amsgrad"] = lambda size, **kw: _adam(**kw)


@reference("cross_entropy_rows")
def _cross_entropy_rows(size: int, logits: Any, target: Any, class_weight: Any, C: int,
                        has_weight: bool, ignore_index: int, eps: Any, grad: Any, row_loss: Any,
                        row_weight: Any, row_hit: Any) -> None:  # fmt: skip
    z = logits.reshape(size, C)
    dtype = z.dtype.type
    top = z.max(axis=1, keepdims=True)
    logp = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    valid = target != ignore_index
    inside = (target >= 0) & (target < C)
    y = np.where(valid & inside, target, 0)
    w = class_weight[:C] if has_weight else np.ones(C, dtype=z.dtype)
    wy = np.where(valid, w[y], 0).astype(z.dtype)
    mass = np.where(valid, eps / dtype(C), 0)[:, None] * w[None, :]
    mass[np.arange(size), y] += (1 - eps) * wy
    mass = mass.astype(z.dtype)
    grad.reshape(size, C)[...] = np.exp(logp) * mass.sum(axis=1, keepdims=True) - mass
    row_loss[...] = np.where(valid & ~inside, np.nan, -(mass * logp).sum(axis=1))
    row_weight[...] = wy
    row_hit[...] = (valid & (z.argmax(axis=1) == y)).astype(z.dtype)


@reference("cross_entropy_reduce")
def _cross_entropy_reduce(size: int, row_loss: Any, row_weight: Any, row_hit: Any, N: int,
                          C: int, mean: bool, grad: Any, stats: Any) -> None:  # fmt: skip
    count = row_weight.sum(dtype=row_weight.dtype)
    if mean:
        grad[...] = grad / count
    total = row_loss.sum(dtype=row_loss.dtype)
    stats[0] = total / count if mean else total
    stats[1] = count
    stats[2] = row_hit.sum(dtype=row_hit.dtype)
