"""Layouts that lessons compare with the zoo's models but that the Models lab does not list.

Each is a zoo builder with options, traced like a zoo model, so a lesson can write
`{{ macs resnet50-v1 }}` beside `{{ macs resnet50 }}` and both are computed:

* `resnet50-v1`, `resnet101-v1`, `resnet152-v1`: the paper's bottleneck layout (He et al. 2015,
  section 3.3: the stride-2 on the first 1×1 convolution of a stage); the zoo's ResNets are
  torchvision's "v1.5" (stride on the 3×3).
* `googlenet-paper`: Table 1 of Szegedy et al. 2014: true 5×5 convolutions, biases, no batch
  norm, no auxiliary classifiers (the zoo's `googlenet` is torchvision's).
* `dcgan-generator-paper`: Figure 1 of Radford et al. 2015: 100-d noise projected to 4×4×1024,
  then 512, 256 and 128 maps (the zoo's `dcgan-generator` is the PyTorch tutorial's half-width
  variant, 4×4×512 first).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cnntui.lesson_template.values import Shape


def _resnet_v1(depth: int) -> Callable[[], Any]:
    def build() -> Any:
        from cnntui.zoo.resnet import resnet

        return resnet(depth, v1=True)

    return build


def _googlenet_paper() -> Any:
    from cnntui.zoo.googlenet import GoogLeNet

    return GoogLeNet(paper=True)


def _dcgan_generator_paper() -> Any:
    from cnntui.zoo.dcgan import generator

    return generator(ngf=128)


VARIANTS: dict[str, tuple[Callable[[], Any], Shape]] = {
    "resnet50-v1": (_resnet_v1(50), (3, 224, 224)),
    "resnet101-v1": (_resnet_v1(101), (3, 224, 224)),
    "resnet152-v1": (_resnet_v1(152), (3, 224, 224)),
    "googlenet-paper": (_googlenet_paper, (3, 224, 224)),
    "dcgan-generator-paper": (_dcgan_generator_paper, (100, 1, 1)),
}
"""Name → (builder, input shape C×H×W)."""
