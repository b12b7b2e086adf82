"""ResNet-18/34/50/101/152 in torchvision's layout (He et al. 2015; v1.5 bottlenecks)."""

from __future__ import annotations

from cnntui.engine import nn
from cnntui.engine.module import Module
from cnntui.zoo.blocks import BasicBlock, Bottleneck

LAYOUTS: dict[int, tuple[type[BasicBlock] | type[Bottleneck], list[int]]] = {
    18: (BasicBlock, [2, 2, 2, 2]),
    34: (BasicBlock, [3, 4, 6, 3]),
    50: (Bottleneck, [3, 4, 6, 3]),
    101: (Bottleneck, [3, 4, 23, 3]),
    152: (Bottleneck, [3, 8, 36, 3]),
}
"""Blocks per stage, from the paper's Table 1."""


def _stage(
    block: type[BasicBlock] | type[Bottleneck],
    inplanes: int,
    planes: int,
    blocks: int,
    stride: int,
    v1: bool = False,
) -> tuple[nn.Sequential, int]:
    layers: list[Module] = []
    out_channels = planes * block.expansion
    downsample = None
    if stride != 1 or inplanes != out_channels:
        # Projection shortcut (the paper's option B): 1×1 convolution and batch norm.
        downsample = nn.Sequential(
            nn.Conv2d(inplanes, out_channels, 1, stride=stride, bias=False),
            nn.BatchNorm2d(out_channels),
        )
    if v1 and block is Bottleneck:
        layers.append(Bottleneck(inplanes, planes, stride, downsample, stride_in_1x1=True))
    else:
        layers.append(block(inplanes, planes, stride, downsample))
    for _ in range(1, blocks):
        layers.append(block(out_channels, planes))
    return nn.Sequential(*layers), out_channels


def resnet(
    depth: int = 50, num_classes: int = 1000, in_channels: int = 3, v1: bool = False
) -> nn.Sequential:
    """ResNet-`depth` for 3×224×224 input (any size from 32×32 up, thanks to adaptive pooling).

    `v1=True` puts a bottleneck stage's stride on its first 1×1 convolution, as the paper did
    (torchvision's default, "v1.5", puts it on the 3×3): the same parameters, fewer MACs. Basic
    blocks (ResNet-18/34) are the same either way.

    7×7/2 stem convolution, 3×3/2 max-pool, four stages at 64, 128, 256, 512 planes (strides 1,
    2, 2, 2), global average pooling and one FC layer. Names match torchvision's state dicts
    (`layer1.0.conv1`, `layer2.0.downsample.0`, `fc`).
    """
    block, counts = LAYOUTS[depth]
    stages: dict[str, Module] = {}
    inplanes = 64
    for index, (planes, blocks) in enumerate(zip((64, 128, 256, 512), counts)):
        stage, inplanes = _stage(block, inplanes, planes, blocks, 1 if index == 0 else 2, v1)
        stages[f"layer{index + 1}"] = stage
    return nn.Sequential(
        conv1=nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False),
        bn1=nn.BatchNorm2d(64),
        relu=nn.ReLU(),
        maxpool=nn.MaxPool2d(3, stride=2, padding=1),
        **stages,
        avgpool=nn.AdaptiveAvgPool2d((1, 1)),
        flatten=nn.Flatten(),
        fc=nn.Linear(512 * block.expansion, num_classes),
    )
