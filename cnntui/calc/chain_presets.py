"""Named stacks of layers for the calculator's chain view (`cnntui calc --chain NAME`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cnntui.calc.layer import FeatureShape, LayerSpec, PaddingSpec
from cnntui.errors import ShapeError
from cnntui.i18n import N_, _


@dataclass(frozen=True)
class ChainPreset:
    """A named stack of layers with the input it was designed for."""

    name: str
    title: str
    """English (marked for translation): show it through `_()`."""
    input: FeatureShape
    layers: tuple[LayerSpec, ...]
    lesson: str = field(default="")
    """What the stack shows, in one or two sentences."""


def _conv(
    k: int, filters: int, stride: int = 1, padding: PaddingSpec = 0, groups: int = 1
) -> LayerSpec:
    return LayerSpec.make("conv", k, stride, padding, 1, groups, filters)


def _pool(kind: str, k: int, stride: int) -> LayerSpec:
    return LayerSpec.make(kind, k, stride)


def _linear(features: int) -> LayerSpec:
    return LayerSpec.make("linear", 1, 1, 0, 1, 1, features)


CHAIN_PRESETS: dict[str, ChainPreset] = {
    preset.name: preset
    for preset in (
        ChainPreset(
            "lenet5",
            "LeNet-5",
            FeatureShape(32, 32, 1),
            (
                _conv(5, 6),
                _pool("avgpool", 2, 2),
                _conv(5, 16),
                _pool("avgpool", 2, 2),
                _linear(120),
                _linear(84),
                _linear(10),
            ),
            N_(
                "LeCun et al. 1998 with full C3 connections: 61,706 parameters, most of them in the"
                " fully connected layers."
            ),
        ),
        ChainPreset(
            "alexnet",
            "AlexNet",
            FeatureShape(227, 227, 3),
            (
                _conv(11, 96, 4),
                _pool("maxpool", 3, 2),
                _conv(5, 256, 1, 2, groups=2),
                _pool("maxpool", 3, 2),
                _conv(3, 384, 1, 1),
                _conv(3, 384, 1, 1, groups=2),
                _conv(3, 256, 1, 1, groups=2),
                _pool("maxpool", 3, 2),
                _linear(4096),
                _linear(4096),
                _linear(1000),
            ),
            N_(
                "Krizhevsky et al. 2012, split over two GPUs (groups=2): 227×227 input is what makes"
                " (227 − 11)/4 + 1 = 55 exact."
            ),
        ),
        ChainPreset(
            "vgg-block",
            N_("VGG block"),
            FeatureShape(224, 224, 3),
            (_conv(3, 64, 1, 1), _conv(3, 64, 1, 1), _pool("maxpool", 2, 2)),
            N_(
                "Simonyan & Zisserman 2014: 3×3 convolutions with padding 1 keep the size, a 2×2 max"
                " pool halves it."
            ),
        ),
        ChainPreset(
            "two-3x3",
            N_("Two 3×3 convolutions"),
            FeatureShape(32, 32, 64),
            (_conv(3, 64, 1, 1), _conv(3, 64, 1, 1)),
            N_(
                "Same 5×5 receptive field as one 5×5 convolution, with 2·9·C² instead of 25·C² weights"
                " and a non-linearity in between."
            ),
        ),
        ChainPreset(
            "one-5x5",
            N_("One 5×5 convolution"),
            FeatureShape(32, 32, 64),
            (_conv(5, 64, 1, 2),),
            N_("Compare with two-3x3: the same receptive field for 25·C² weights."),
        ),
        ChainPreset(
            "5x5-direct",
            N_("5×5 convolution on 192 channels"),
            FeatureShape(28, 28, 192),
            (_conv(5, 32, 1, 2),),
            N_(
                "The GoogLeNet argument: 28×28×192 → 28×28×32 directly costs about 120 million MACs."
            ),
        ),
        ChainPreset(
            "5x5-bottleneck",
            N_("5×5 convolution after a 1×1 bottleneck"),
            FeatureShape(28, 28, 192),
            (_conv(1, 16), _conv(5, 32, 1, 2)),
            N_(
                "A 1×1 convolution down to 16 channels first: about 12.4 million MACs, ten times fewer."
            ),
        ),
    )
}


def chain_preset(name: str) -> ChainPreset:
    """The chain preset with this name; raises `ShapeError` naming the valid ones."""
    try:
        return CHAIN_PRESETS[name]
    except KeyError:
        raise ShapeError(
            _("unknown chain preset {name!r}; choose one of {choices}").format(
                name=name, choices=", ".join(CHAIN_PRESETS)
            )
        ) from None
