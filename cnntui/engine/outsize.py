"""Output sizes of sliding windows: the one formula behind every convolution and pooling length.

Along one axis of ``size`` pixels, a kernel of ``k`` taps with dilation ``d`` spans
``k̂ = d·(k − 1) + 1`` pixels, and

* convolution and pooling give ``⌊(size + p_lo + p_hi − k̂) / s⌋ + 1`` outputs; in ``ceil_mode``
  the division rounds up, except that (as in PyTorch) the last window must start inside the input
  or its leading padding;
* a transposed convolution gives ``(size − 1)·s − 2p + k̂ + output_padding``.

These are pure integer formulas (Chainer's ``get_conv_outsize`` and ``get_deconv_outsize``):
they do not validate their arguments and may return 0 or less when the window does not fit, so
each caller checks the result and words its own error. `cnntui.engine.functional`,
`cnntui.engine.nn`, the calculator (`cnntui.calc`), the Conv Lab and the lesson templates all
use them.
"""

from __future__ import annotations


def effective_kernel(kernel: int, dilation: int = 1) -> int:
    """Extent of a dilated kernel: ``d·(k − 1) + 1`` input pixels."""
    return dilation * (kernel - 1) + 1


def conv_outsize(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Output length of a convolution or pooling window sliding over `size` pixels.

    `padding` is the amount on each side, or a (before, after) pair. `stride` must be 1 or more.
    Returns 0 or less when the dilated kernel is larger than the padded input.
    """
    before, after = (padding, padding) if isinstance(padding, int) else padding
    span = size + before + after - effective_kernel(kernel, dilation)
    if span < 0 or not ceil_mode:  # a negative span gives 0 or less whatever the rounding
        return span // stride + 1
    out = -(-span // stride) + 1
    # PyTorch: the last window must start inside the input or the leading padding.
    if (out - 1) * stride >= size + before:
        out -= 1
    return out


def conv_transpose_outsize(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    output_padding: int = 0,
) -> int:
    """Output length of a transposed convolution (PyTorch's `ConvTranspose2d`) over `size` inputs.

    Returns 0 or less when `padding` crops away everything the convolution produces.
    """
    return (size - 1) * stride - 2 * padding + effective_kernel(kernel, dilation) + output_padding
