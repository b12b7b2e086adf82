"""VGG-11/13/16/19 and their batch-norm variants, in torchvision's layout."""

from __future__ import annotations

from cnntui.engine import nn
from cnntui.engine.module import Module

CONFIGS: dict[str, list[int | str]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [
        64,
        64,
        "M",
        128,
        128,
        "M",
        256,
        256,
        256,
        256,
        "M",
        512,
        512,
        512,
        512,
        "M",
        512,
        512,
        512,
        512,
        "M",
    ],
}
"""Simonyan & Zisserman's Table 1 columns: numbers are 3×3 conv widths, "M" a 2×2/2 max-pool."""

DEPTH_TO_CONFIG = {11: "A", 13: "B", 16: "D", 19: "E"}


def vgg(
    depth: int = 16,
    batch_norm: bool = False,
    num_classes: int = 1000,
    in_channels: int = 3,
    dropout: float = 0.5,
) -> nn.Sequential:
    """VGG-`depth` (11, 13, 16 or 19 weight layers) for 3×224×224 input.

    Stacks of 3×3 convolutions (padding 1) separated by 2×2 max-pools, adaptive average pooling to
    7×7, then FC 4096-4096-classes with dropout. With `batch_norm`, every convolution is followed
    by BatchNorm2d. Indices inside `features` and `classifier` match torchvision's state dicts.
    """
    layers: list[Module] = []
    channels = in_channels
    for item in CONFIGS[DEPTH_TO_CONFIG[depth]]:
        if item == "M":
            layers.append(nn.MaxPool2d(2, stride=2))
            continue
        width = int(item)
        layers.append(nn.Conv2d(channels, width, 3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(width))
        layers.append(nn.ReLU())
        channels = width
    return nn.Sequential(
        features=nn.Sequential(*layers),
        avgpool=nn.AdaptiveAvgPool2d((7, 7)),
        flatten=nn.Flatten(),
        classifier=nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(4096, num_classes),
        ),
    )
