"""Windows to columns and back: the data movement under every convolution.

A convolution becomes one matrix product once every receptive window is laid out as a column.
Here the columns are laid out *channel-first*, `(C·kh·kw, N·oh·ow)`, so that the product
`W (F, C·kh·kw) @ cols` gives `(F, N, oh, ow)`: a transpose (a view, no copy) away from NCHW,
and the gradient comes back in the same layout without a copy either.

Two layouts of the spatial axis:

* generic (any stride and dilation): the row width is `ow`;
* "flat" (stride 1): the row width is the padded input width `Wp`. Each column row of a
  (channel, kernel offset, sample) is then one *contiguous* slice of the flattened image, which
  makes the copy several times faster; the `Wp - ow` extra entries per output row are garbage
  the caller drops (and whose gradient it sets to zero).

On the GPU both are single CUDA kernels (`cnntui.engine.gpu_kernels`, generic layout only, which
the convolutions call directly with the padding folded in): the slice loops that are fast on the
CPU would cost a kernel launch per kernel offset there.
"""

from __future__ import annotations

import numpy as np

from cnntui.engine.backend import Array, array_module


def as_strided(a: Array, shape: tuple[int, ...], strides: tuple[int, ...]) -> Array:
    """`as_strided` of whichever array module made `a` (a view; never write through it)."""
    xp = array_module(a)
    if xp is np:
        return np.lib.stride_tricks.as_strided(a, shape=shape, strides=strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)


def im2col(
    xpad: Array,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    flat: bool,
    out: Array | None = None,
) -> Array:
    """Columns of a padded batch.

    Args:
        xpad: (N, C, Hp, Wp), any strides.
        flat: use the stride-1 flat layout (requires stride (1, 1)).
        out: a buffer to fill instead of allocating (used when its shape and dtype fit): layers
            reuse last step's columns, which saves the page faults of a fresh multi-MB array.

    Returns:
        (C·kh·kw, N·oh·R) contiguous, where the row width R is `Wp` when `flat`, else `ow`.
    """
    xp = array_module(xpad)
    if xp is not np:
        from cnntui.engine import gpu_kernels

        return gpu_kernels.im2col(xpad, (0, 0), kernel, stride, dilation, out_hw)
    n, c, hp, wp = xpad.shape
    kh, kw = kernel
    dh, dw = dilation
    oh, ow = out_hw
    row = wp if flat else ow
    shape = (c * kh * kw, n * oh * row)
    if out is None or out.shape != shape or out.dtype != xpad.dtype:
        out = xp.empty(shape, dtype=xpad.dtype)
    if flat:
        item = xpad.itemsize
        if xpad.strides[3] != item or xpad.strides[2] != wp * item:
            xpad = xp.ascontiguousarray(xpad)  # each image plane must be one contiguous run
        s_n, s_c = xpad.strides[:2]
        span = oh * wp - (kw - 1) * dw  # the last row's garbage tail would run off the image
        view = as_strided(xpad, (c, kh, kw, n, span), (s_c, item * dh * wp, item * dw, s_n, item))
        cols = out.reshape(c, kh, kw, n, oh * wp)
        cols[..., :span] = view
        if span < oh * wp:
            cols[..., span:] = 0
        return out
    sh, sw = stride
    s_n, s_c, s_h, s_w = xpad.strides
    view = as_strided(
        xpad, (c, kh, kw, n, oh, ow), (s_c, s_h * dh, s_w * dw, s_n, s_h * sh, s_w * sw)
    )
    out.reshape(c, kh, kw, n, oh, ow)[...] = view
    return out


def col2im(
    dcols: Array,
    channels: int,
    batch: int,
    padded_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    flat: bool,
    out: Array | None = None,
) -> Array:
    """Sum columns back onto the image they came from (the adjoint of `im2col`).

    Args:
        dcols: (C·kh·kw, N·oh·R) as produced for `im2col`'s layout; for `flat`, the garbage
            entries must be zero.
        out: a (C, N, Hp, Wp) array to fill instead of allocating (CPU; its contents are
            overwritten).

    Returns:
        (C, N, Hp, Wp) contiguous: channel-major, so `.transpose(1, 0, 2, 3)` is NCHW.
    """
    xp = array_module(dcols)
    if xp is not np:
        from cnntui.engine import gpu_kernels

        return gpu_kernels.col2im(
            dcols, channels, batch, padded_hw, (0, 0), kernel, stride, dilation, out_hw, nchw=False
        )
    hp, wp = padded_hw
    kh, kw = kernel
    dh, dw = dilation
    oh, ow = out_hw
    if out is None:
        out = xp.zeros((channels, batch, hp, wp), dtype=dcols.dtype)
    else:
        out[...] = 0
    if flat:
        cols = dcols.reshape(channels, kh, kw, batch, oh * wp)
        flat_out = out.reshape(channels, batch, hp * wp)
        span = oh * wp - (kw - 1) * dw
        for a in range(kh):
            for b in range(kw):
                start = a * dh * wp + b * dw
                flat_out[:, :, start : start + span] += cols[:, a, b, :, :span]
        return out
    sh, sw = stride
    cols = dcols.reshape(channels, kh, kw, batch, oh, ow)
    for a in range(kh):
        top = a * dh
        for b in range(kw):
            left = b * dw
            out[:, :, top : top + sh * (oh - 1) + 1 : sh, left : left + sw * (ow - 1) + 1 : sw] += (
                cols[:, a, b]
            )
    return out


def im2col_batch_last(
    x: Array,
    pads: tuple[int, int, int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    out: Array | None = None,
) -> Array:
    """Columns with the batch as the fastest axis: (C·kh·kw, oh·ow·N), CPU only.

    With N innermost every copied run is `ow·N` long (or at least N), whatever the stride,
    where the batch-first layouts copy runs of `ow` (10 pixels in LeNet's second layer). The
    input is first laid out as (C, Hp, Wp, N), zero-padded on the way (one copy, free when it
    already is, as the outputs of batch-last layers are).

    Args:
        x: (N, C, H, W), any strides; pads: (top, bottom, left, right).
    """
    n, c, h, w = (int(s) for s in x.shape)
    top, bottom, left, right = pads
    hp, wp = h + top + bottom, w + left + right
    kh, kw = kernel
    sh, sw = stride
    dh, dw = dilation
    oh, ow = out_hw
    src = x.transpose(1, 2, 3, 0)
    if any(pads):
        padded = np.zeros((c, hp, wp, n), dtype=x.dtype)
        padded[:, top : top + h, left : left + w, :] = src
        src = padded
    elif not src.flags.c_contiguous:
        src = np.ascontiguousarray(src)
    shape = (c * kh * kw, oh * ow * n)
    if out is None or out.shape != shape or out.dtype != x.dtype:
        out = np.empty(shape, dtype=x.dtype)
    s_c, s_h, s_w, s_n = src.strides
    view = as_strided(
        src, (c, kh, kw, oh, ow, n), (s_c, s_h * dh, s_w * dw, s_h * sh, s_w * sw, s_n)
    )
    out.reshape(c, kh, kw, oh, ow, n)[...] = view
    return out


def col2im_batch_last(
    dcols: Array,
    channels: int,
    batch: int,
    padded_hw: tuple[int, int],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
    out: Array | None = None,
) -> Array:
    """The adjoint of `im2col_batch_last`: (C·kh·kw, oh·ow·N) → (C, Hp, Wp, N), summed.

    `out`: a (C, Hp, Wp, N) array to fill instead of allocating (its contents are overwritten).
    """
    hp, wp = padded_hw
    kh, kw = kernel
    sh, sw = stride
    dh, dw = dilation
    oh, ow = out_hw
    if out is None:
        image = np.zeros((channels, hp, wp, batch), dtype=dcols.dtype)
    else:
        image = out
        image[...] = 0
    cols = dcols.reshape(channels, kh, kw, oh, ow, batch)
    for a in range(kh):
        top = a * dh
        for b in range(kw):
            left = b * dw
            image[
                :, top : top + sh * (oh - 1) + 1 : sh, left : left + sw * (ow - 1) + 1 : sw, :
            ] += cols[:, a, b]
    return image
