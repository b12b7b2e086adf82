"""Small networks that train in minutes on a CPU: TinyVGG and the degradation pair.

`plain_deep` and `residual_deep` are twins with the same layers and exactly the same parameter
count; the only difference is the identity shortcuts. Trained side by side they reproduce the
observation that started ResNet: adding depth to a plain net makes even its *training* error
worse, while the residual twin keeps improving.
"""

from __future__ import annotations

from collections.abc import Callable

from cnntui.engine import nn
from cnntui.engine.module import Module
from cnntui.zoo.blocks import BasicBlock, PadShortcut, PlainBlock


def tinyvgg(
    num_classes: int = 10, in_channels: int = 3, width: int = 10, batch_norm: bool = False
) -> nn.Sequential:
    """The TinyVGG of CNN Explainer, for 3×64×64 input.

    Two blocks of [3×3 conv (no padding) → ReLU → 3×3 conv → ReLU → 2×2 max-pool] with 10
    channels, then one FC layer: 64 → 62 → 60 → 30 → 28 → 26 → 13, 10·13·13 = 1,690 features.
    Layer names are CNN Explainer's (conv_1_1 … max_pool_2, output).

    `batch_norm=True` puts a `BatchNorm2d` between each convolution and its ReLU (`bn_1_1` …),
    as Ioffe & Szegedy (2015, section 3.2) place it: the batch-norm lesson's twin network.
    """
    if batch_norm:
        layers: dict[str, Module] = {}
        for block in (1, 2):
            for index in (1, 2):
                first = block == 1 and index == 1
                layers[f"conv_{block}_{index}"] = nn.Conv2d(
                    in_channels if first else width, width, 3, bias=False
                )
                layers[f"bn_{block}_{index}"] = nn.BatchNorm2d(width)
                layers[f"relu_{block}_{index}"] = nn.ReLU()
            layers[f"max_pool_{block}"] = nn.MaxPool2d(2, stride=2)
        return nn.Sequential(
            **layers, flatten=nn.Flatten(), output=nn.Linear(width * 13 * 13, num_classes)
        )
    return nn.Sequential(
        conv_1_1=nn.Conv2d(in_channels, width, 3),
        relu_1_1=nn.ReLU(),
        conv_1_2=nn.Conv2d(width, width, 3),
        relu_1_2=nn.ReLU(),
        max_pool_1=nn.MaxPool2d(2, stride=2),
        conv_2_1=nn.Conv2d(width, width, 3),
        relu_2_1=nn.ReLU(),
        conv_2_2=nn.Conv2d(width, width, 3),
        relu_2_2=nn.ReLU(),
        max_pool_2=nn.MaxPool2d(2, stride=2),
        flatten=nn.Flatten(),
        output=nn.Linear(width * 13 * 13, num_classes),
    )


def _stem(in_channels: int, width: int) -> dict[str, Module]:
    return {
        "conv1": nn.Conv2d(in_channels, width, 3, padding=1, bias=False),
        "bn1": nn.BatchNorm2d(width),
        "relu": nn.ReLU(),
    }


def _head(channels: int, num_classes: int) -> dict[str, Module]:
    return {
        "avgpool": nn.AdaptiveAvgPool2d((1, 1)),
        "flatten": nn.Flatten(),
        "fc": nn.Linear(channels, num_classes),
    }


def _blocks_per_stage(depth: int) -> int:
    if depth < 8 or (depth - 2) % 6:
        raise ValueError(f"depth must be 6n+2 (8, 14, 20, 32, 44, 56, …), got {depth}")
    return (depth - 2) // 6


def _cifar_net(
    depth: int,
    num_classes: int,
    in_channels: int,
    width: int,
    block: Callable[[int, int, int], Module],
) -> nn.Sequential:
    """Stem, three stages of n = (depth − 2) / 6 blocks `block(inplanes, planes, stride)` at
    width, 2·width and 4·width channels (the first block of stages 2 and 3 has stride 2), head.

    The one layout both twins share, so they differ only in their blocks.
    """
    n = _blocks_per_stage(depth)
    layers: dict[str, Module] = _stem(in_channels, width)
    channels = width
    for stage, planes in enumerate((width, 2 * width, 4 * width)):
        blocks: list[Module] = []
        for index in range(n):
            stride = 2 if (stage > 0 and index == 0) else 1
            blocks.append(block(channels, planes, stride))
            channels = planes
        layers[f"layer{stage + 1}"] = nn.Sequential(*blocks)
    layers.update(_head(channels, num_classes))
    return nn.Sequential(**layers)


def residual_deep(
    depth: int = 20, num_classes: int = 10, in_channels: int = 3, width: int = 16
) -> nn.Sequential:
    """He et al.'s CIFAR ResNet-`depth` (6n+2 layers) for 3×32×32 input (any size works).

    A 3×3 stem, three stages of n basic blocks at width, 2·width and 4·width channels (strides
    1, 2, 2), global average pooling and one FC layer. Shortcuts are identities, and where the
    size changes they subsample and zero-pad the channels (the paper's option A), so they add
    no parameters: ResNet-20 has 269,722 for 10 classes, exactly as many as its plain twin.
    """

    def block(inplanes: int, planes: int, stride: int) -> Module:
        needs_shortcut = stride != 1 or inplanes != planes
        shortcut = PadShortcut(inplanes, planes, stride) if needs_shortcut else None
        return BasicBlock(inplanes, planes, stride, shortcut)

    return _cifar_net(depth, num_classes, in_channels, width, block)


def plain_deep(
    depth: int = 20, num_classes: int = 10, in_channels: int = 3, width: int = 16
) -> nn.Sequential:
    """The plain twin of `residual_deep`: the same layers in the same order, no shortcuts."""
    return _cifar_net(depth, num_classes, in_channels, width, PlainBlock)


def resnet_small(num_classes: int = 10, in_channels: int = 3, width: int = 16) -> nn.Sequential:
    """A small ResNet for quick training: the CIFAR ResNet-8 (one basic block per stage)."""
    return residual_deep(8, num_classes=num_classes, in_channels=in_channels, width=width)
