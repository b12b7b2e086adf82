"""`cnntui.engine.outsize`: the one output-size formula agrees with PyTorch's layers."""

from __future__ import annotations

import itertools

import pytest

from cnntui.engine.outsize import conv_outsize, conv_transpose_outsize, effective_kernel

torch = pytest.importorskip("torch")


def test_effective_kernel() -> None:
    assert [effective_kernel(3, d) for d in (1, 2, 3)] == [3, 5, 7]


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_pooling_lengths_match_torch(ceil_mode: bool) -> None:
    for size, kernel, stride, dilation in itertools.product((5, 6, 7), (2, 3), (1, 2, 3), (1, 2)):
        for padding in range(kernel // 2 + 1):  # PyTorch allows at most half the kernel
            expected = conv_outsize(size, kernel, stride, padding, dilation, ceil_mode)
            if expected < 1:
                continue
            out = torch.nn.functional.max_pool2d(
                torch.zeros(1, 1, size, size), kernel, stride, padding, dilation, ceil_mode
            )
            assert out.shape[-1] == expected, (size, kernel, stride, padding, dilation)


def test_convolution_lengths_match_torch_including_uneven_padding() -> None:
    for size, kernel, stride, dilation, pad in itertools.product(
        (4, 7), (1, 3), (1, 2, 3), (1, 2), (0, 1, 2)
    ):
        expected = conv_outsize(size, kernel, stride, pad, dilation)
        if expected < 1:
            continue
        out = torch.nn.functional.conv2d(
            torch.zeros(1, 1, size, size),
            torch.zeros(1, 1, kernel, kernel),
            stride=stride,
            padding=pad,
            dilation=dilation,
        )
        assert out.shape[-1] == expected
    # (before, after) padding is the padded span, as `F.pad` then a valid convolution gives
    assert conv_outsize(5, 3, 1, (0, 1)) == conv_outsize(6, 3)


def test_transposed_lengths_match_torch() -> None:
    for size, kernel, stride, dilation, pad in itertools.product(
        (1, 4), (1, 3), (1, 2, 3), (1, 2), (0, 1)
    ):
        for output_padding in range(max(stride, dilation)):
            expected = conv_transpose_outsize(size, kernel, stride, pad, dilation, output_padding)
            if expected < 1:
                continue
            out = torch.nn.functional.conv_transpose2d(
                torch.zeros(1, 1, size, size),
                torch.zeros(1, 1, kernel, kernel),
                stride=stride,
                padding=pad,
                output_padding=output_padding,
                dilation=dilation,
            )
            assert out.shape[-1] == expected


def test_a_window_that_does_not_fit_gives_no_output() -> None:
    assert conv_outsize(2, 5) < 1
    assert conv_outsize(2, 5, stride=3, ceil_mode=True) < 1
    assert conv_transpose_outsize(1, 1, padding=1) < 1
