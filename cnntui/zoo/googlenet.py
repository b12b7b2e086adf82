"""GoogLeNet (Inception v1, Szegedy et al. 2014) in torchvision's layout with batch norm."""

from __future__ import annotations

from typing import Any

from cnntui.engine import nn
from cnntui.engine.module import Field, Module, Shape, TraceRecord
from cnntui.zoo.blocks import Inception, basic_conv, inception_aux
from cnntui.zoo.tracing import (
    backward_chain,
    child_name,
    close_record,
    forward_chain,
    open_record,
)

MAIN_PATH = [
    "conv1",
    "maxpool1",
    "conv2",
    "conv3",
    "maxpool2",
    "inception3a",
    "inception3b",
    "maxpool3",
    "inception4a",
    "inception4b",
    "inception4c",
    "inception4d",
    "inception4e",
    "maxpool4",
    "inception5a",
    "inception5b",
    "avgpool",
    "flatten",
    "dropout",
    "fc",
]
"""The order data flows through the network (torchvision registers the side heads elsewhere)."""

SIDE_HEADS = {"inception4a": "aux1", "inception4d": "aux2"}
"""Where each auxiliary classifier taps the main path."""


class GoogLeNet(Module):
    """Inception v1 for 3×224×224 input: 6,624,904 parameters without the auxiliary classifiers.

    `aux_logits=True` adds the two side classifiers (after inception4a and inception4d) that the
    paper used during training to push gradient into the middle of the network; they appear in
    the summary as side branches that do not change the main path's shapes. The forward pass
    returns the main classifier's logits (the side heads are for inspection only).

    `paper=True` is the network of the paper's Table 1: true 5×5 convolutions in the Inception
    modules, convolutions with bias and no batch normalisation, and the 3×3 stride-2 max pool
    after inception (4e) (torchvision's is 2×2; both give 7×7). The paper's local response
    normalisation has no parameters and is left out.
    """

    def __init__(
        self,
        num_classes: int = 1000,
        aux_logits: bool = False,
        in_channels: int = 3,
        paper: bool = False,
    ):
        super().__init__()
        self.aux_logits = aux_logits
        self.side_branches = tuple(SIDE_HEADS.values())
        """Children off the main path (the summary's depth leaves them out)."""
        max_pool = nn.MaxPool2d
        self.conv1 = basic_conv(in_channels, 64, not paper, kernel_size=7, stride=2, padding=3)
        self.maxpool1 = max_pool(3, stride=2, ceil_mode=True)
        self.conv2 = basic_conv(64, 64, not paper, kernel_size=1)
        self.conv3 = basic_conv(64, 192, not paper, kernel_size=3, padding=1)
        self.maxpool2 = max_pool(3, stride=2, ceil_mode=True)
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32, paper=paper)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64, paper=paper)
        self.maxpool3 = max_pool(3, stride=2, ceil_mode=True)
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64, paper=paper)
        if aux_logits:
            self.aux1 = inception_aux(512, num_classes)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64, paper=paper)
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64, paper=paper)
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64, paper=paper)
        if aux_logits:
            self.aux2 = inception_aux(528, num_classes)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128, paper=paper)
        self.maxpool4 = (
            max_pool(3, stride=2, ceil_mode=True)
            if paper
            else max_pool(2, stride=2, ceil_mode=True)
        )
        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128, paper=paper)
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128, paper=paper)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(1024, num_classes)

    def trace(
        self,
        input_shape: Shape,
        field_in: Field,
        records: list[TraceRecord],
        depth: int = 0,
        name: str = "",
    ) -> tuple[Shape, Field]:
        record = open_record(self, input_shape, records, depth, name)
        shape, fld = tuple(input_shape), field_in
        for child in MAIN_PATH:
            shape, fld = getattr(self, child).trace(
                shape, fld, records, depth + 1, child_name(name, child)
            )
            head = SIDE_HEADS.get(child)
            if head and self.aux_logits:
                # A side branch: traced for its own rows, its output leaves the main path alone.
                getattr(self, head).trace(shape, fld, records, depth + 1, child_name(name, head))
        close_record(record, shape, fld)
        return shape, fld

    def forward(self, x: Any) -> Any:
        return forward_chain(self, MAIN_PATH, x)

    def backward(self, grad_out: Any) -> Any:
        return backward_chain(self, MAIN_PATH, grad_out)
