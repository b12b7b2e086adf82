"""Network in Network (Lin, Chen & Yan, 2013) for ImageNet-sized input."""

from __future__ import annotations

from cnntui.engine import nn


def _mlpconv(
    in_channels: int, out_channels: int, kernel: int, stride: int, padding: int, first: int
) -> nn.Sequential:
    """One NiN block ("mlpconv"): a k×k convolution, then two 1×1 convolutions ("cccp" in the
    authors' Caffe files), each followed by ReLU: a tiny MLP slid over every pixel."""
    conv = first // 2 + 1  # block n holds convN, cccp(2n-1), cccp(2n)
    return nn.Sequential(
        **{
            f"conv{conv}": nn.Conv2d(
                in_channels, out_channels, kernel, stride=stride, padding=padding
            ),
            f"relu{conv}": nn.ReLU(),
            f"cccp{first}": nn.Conv2d(out_channels, out_channels, 1),
            f"relu_cccp{first}": nn.ReLU(),
            f"cccp{first + 1}": nn.Conv2d(out_channels, out_channels, 1),
            f"relu_cccp{first + 1}": nn.ReLU(),
        }
    )


def nin(num_classes: int = 1000, in_channels: int = 3) -> nn.Sequential:
    """NiN for 3×224×224: mlpconv blocks of 11×11/4, 5×5, 3×3 and 3×3 convolutions (96, 256, 384
    and `num_classes` maps), 3×3/2 max-pools between them, dropout, then global average pooling
    of the last block's per-class maps instead of any FC layer. 7,439,608 parameters for 1000
    classes."""
    return nn.Sequential(
        block1=_mlpconv(in_channels, 96, 11, 4, 0, first=1),
        pool1=nn.MaxPool2d(3, stride=2),
        block2=_mlpconv(96, 256, 5, 1, 2, first=3),
        pool2=nn.MaxPool2d(3, stride=2),
        block3=_mlpconv(256, 384, 3, 1, 1, first=5),
        pool3=nn.MaxPool2d(3, stride=2),
        drop=nn.Dropout(0.5),
        block4=_mlpconv(384, num_classes, 3, 1, 1, first=7),
        gap=nn.AdaptiveAvgPool2d((1, 1)),
        flatten=nn.Flatten(),
    )
