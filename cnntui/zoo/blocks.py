"""Building blocks of the torchvision-layout networks, with torchvision's attribute names.

`BasicBlock` and `Bottleneck` (ResNet), `Inception` (GoogLeNet) and `PadShortcut` (the
parameter-free "option A" shortcut of the CIFAR ResNets) are containers written against the engine's
`Module` contract: symbolic `trace` for the summary, and `forward`/`backward` for training. Their
children keep torchvision's names (`conv1`, `bn1`, `downsample.0`, `branch2.1.conv`) so that state
dicts line up one-to-one with PyTorch's.
"""

from __future__ import annotations

from typing import Any

from cnntui.engine import nn
from cnntui.engine.module import Field, Module, Shape, TraceRecord
from cnntui.errors import ShapeError
from cnntui.i18n import _
from cnntui.zoo.tracing import (
    array_module,
    backward_chain,
    child_name,
    close_record,
    forward_chain,
    open_record,
    trace_chain,
)


def basic_conv(
    in_channels: int, out_channels: int, batch_norm: bool = True, **conv: Any
) -> nn.Sequential:
    """GoogLeNet's `BasicConv2d`: convolution without bias, batch norm (eps 0.001), ReLU.

    Children are named `conv`, `bn`, `relu`, as torchvision names the first two. With
    `batch_norm=False` it is the paper's layer (Szegedy et al. 2014, which predates batch
    normalisation): a convolution with bias, then ReLU.
    """
    if not batch_norm:
        return nn.Sequential(
            conv=nn.Conv2d(in_channels, out_channels, bias=True, **conv), relu=nn.ReLU()
        )
    return nn.Sequential(
        conv=nn.Conv2d(in_channels, out_channels, bias=False, **conv),
        bn=nn.BatchNorm2d(out_channels, eps=0.001),
        relu=nn.ReLU(),
    )


def _shape_text(shape: Shape) -> str:
    return "×".join(str(s) for s in shape)


class _Residual(Module):
    """A residual block whose body is a flat list of named children plus a `downsample` shortcut.

    output = relu(body(x) + shortcut(x)), where the shortcut is the identity when `downsample` is
    None. Subclasses set `body_names` in order.
    """

    body_names: list[str]
    relu: Module
    """The activation after the sum (set by subclasses)."""

    def __init__(self) -> None:
        super().__init__()
        self.downsample: Module | None = None
        self._shortcut_out: Any = None

    def trace(
        self,
        input_shape: Shape,
        field_in: Field,
        records: list[TraceRecord],
        depth: int = 0,
        name: str = "",
    ) -> tuple[Shape, Field]:
        record = open_record(self, input_shape, records, depth, name)
        body_shape, body_field = trace_chain(
            self, self.body_names, tuple(input_shape), field_in, records, depth, name
        )
        if self.downsample is not None:
            short_shape, short_field = self.downsample.trace(
                tuple(input_shape), field_in, records, depth + 1, child_name(name, "downsample")
            )
        else:
            short_shape, short_field = tuple(input_shape), field_in
        if short_shape != body_shape:
            raise ShapeError(
                f"{name or type(self).__name__}: the residual branch gives {_shape_text(body_shape)} "
                f"but the shortcut gives {_shape_text(short_shape)}; they must match to be added"
            )
        out_shape, out_field = self.relu.trace(
            body_shape,
            Field.widest([body_field, short_field]),
            records,
            depth + 1,
            child_name(name, "relu"),
        )
        close_record(record, out_shape, out_field)
        return out_shape, out_field

    def forward(self, x: Any) -> Any:
        body = forward_chain(self, self.body_names, x)
        shortcut = self.downsample.forward(x) if self.downsample is not None else x
        return self.relu.forward(body + shortcut)

    def backward(self, grad_out: Any) -> Any:
        grad_sum = self.relu.backward(grad_out)
        grad_in = backward_chain(self, self.body_names, grad_sum)
        if not getattr(self, "needs_input_grad", True):
            if self.downsample is not None:
                self.downsample.needs_input_grad = False
                self.downsample.backward(grad_sum)
            return None
        if self.downsample is not None:
            self.downsample.needs_input_grad = True
            return grad_in + self.downsample.backward(grad_sum)
        return grad_in + grad_sum


class BasicBlock(_Residual):
    """ResNet-18/34 block: two 3×3 convolutions with batch norm and an identity or 1×1 shortcut."""

    expansion = 1
    body_names = ["conv1", "bn1", "relu1", "conv2", "bn2"]

    def __init__(
        self, inplanes: int, planes: int, stride: int = 1, downsample: Module | None = None
    ) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.relu = nn.ReLU()


class Bottleneck(_Residual):
    """ResNet-50/101/152 block (torchvision's v1.5: the stride sits on the 3×3 convolution).

    1×1 reduce to `planes`, 3×3 at `planes`, 1×1 expand to `4·planes`, each followed by batch norm.
    `stride_in_1x1=True` is the paper's original layout (v1, He et al. 2015, section 3.3: "down-
    sampling is performed by conv3_1, conv4_1, and conv5_1 with a stride of 2" on their first 1×1
    layer): the same parameters, but the 3×3 convolution then runs on the smaller map, so fewer
    MACs.
    """

    expansion = 4
    body_names = ["conv1", "bn1", "relu1", "conv2", "bn2", "relu2", "conv3", "bn3"]

    def __init__(
        self,
        inplanes: int,
        planes: int,
        stride: int = 1,
        downsample: Module | None = None,
        stride_in_1x1: bool = False,
    ) -> None:
        super().__init__()
        width = planes
        first, second = (stride, 1) if stride_in_1x1 else (1, stride)
        self.conv1 = nn.Conv2d(inplanes, width, 1, stride=first, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(width, width, 3, stride=second, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv2d(width, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.downsample = downsample
        self.relu = nn.ReLU()


class PlainBlock(Module):
    """Two 3×3 conv + batch-norm layers with ReLUs and no shortcut: a residual block's plain twin."""

    body_names = ["conv1", "bn1", "relu1", "conv2", "bn2", "relu"]

    def __init__(self, inplanes: int, planes: int, stride: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()

    def trace(
        self,
        input_shape: Shape,
        field_in: Field,
        records: list[TraceRecord],
        depth: int = 0,
        name: str = "",
    ) -> tuple[Shape, Field]:
        record = open_record(self, input_shape, records, depth, name)
        out, field_out = trace_chain(
            self, self.body_names, tuple(input_shape), field_in, records, depth, name
        )
        close_record(record, out, field_out)
        return out, field_out

    def forward(self, x: Any) -> Any:
        return forward_chain(self, self.body_names, x)

    def backward(self, grad_out: Any) -> Any:
        return backward_chain(self, self.body_names, grad_out)


class PadShortcut(Module):
    """The parameter-free shortcut of He et al.'s CIFAR nets ("option A").

    Takes every `stride`-th pixel and pads the channels with zeros up to `out_channels`:
    (C, H, W) -> (out_channels, ceil(H/stride), ceil(W/stride)).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 2) -> None:
        super().__init__()
        if out_channels < in_channels:
            raise ValueError("PadShortcut can only add channels")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.stride = stride
        self._input_shape: tuple[int, ...] = ()

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 3 or input_shape[0] != self.in_channels:
            raise ShapeError(
                _("{layer} expects {channels}×H×W, gets {shape}").format(
                    layer="PadShortcut", channels=self.in_channels, shape=_shape_text(input_shape)
                )
            )
        _channels, h, w = input_shape
        s = self.stride
        return (self.out_channels, (h + s - 1) // s, (w + s - 1) // s)

    def describe(self) -> str:
        return f"stride {self.stride}, zero-pad {self.in_channels}→{self.out_channels} channels"

    def forward(self, x: Any) -> Any:
        xp = array_module(x)
        self._input_shape = tuple(x.shape)
        sub = x[:, :, :: self.stride, :: self.stride]
        out = xp.zeros((x.shape[0], self.out_channels) + sub.shape[2:], dtype=x.dtype)
        out[:, : self.in_channels] = sub
        return out

    def backward(self, grad_out: Any) -> Any:
        xp = array_module(grad_out)
        grad_in = xp.zeros(self._input_shape, dtype=grad_out.dtype)
        grad_in[:, :, :: self.stride, :: self.stride] = grad_out[:, : self.in_channels]
        return grad_in


class Inception(nn.Concat):
    """GoogLeNet's Inception module, torchvision layout: four branches concatenated on channels.

    branch1: 1×1; branch2: 1×1 reduce then 3×3; branch3: 1×1 reduce then 3×3 (torchvision's
    implementation uses 3×3 where the paper has 5×5, kept here so the counts match its weights);
    branch4: 3×3 max-pool (stride 1) then 1×1 projection. Output channels:
    ch1x1 + ch3x3 + ch5x5 + pool_proj, same height and width as the input.

    `paper=True` builds the module of the paper (Szegedy et al. 2014, Figure 2b and Table 1): a
    true 5×5 convolution (padding 2) in branch3, and convolutions with bias and no batch norm.
    """

    def __init__(
        self,
        in_channels: int,
        ch1x1: int,
        ch3x3red: int,
        ch3x3: int,
        ch5x5red: int,
        ch5x5: int,
        pool_proj: int,
        paper: bool = False,
    ) -> None:
        bn = not paper
        five = {"kernel_size": 5, "padding": 2} if paper else {"kernel_size": 3, "padding": 1}
        super().__init__(
            branch1=basic_conv(in_channels, ch1x1, bn, kernel_size=1),
            branch2=nn.Sequential(
                basic_conv(in_channels, ch3x3red, bn, kernel_size=1),
                basic_conv(ch3x3red, ch3x3, bn, kernel_size=3, padding=1),
            ),
            branch3=nn.Sequential(
                basic_conv(in_channels, ch5x5red, bn, kernel_size=1),
                basic_conv(ch5x5red, ch5x5, bn, **five),
            ),
            branch4=nn.Sequential(
                nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                basic_conv(in_channels, pool_proj, bn, kernel_size=1),
            ),
        )


def inception_aux(in_channels: int, num_classes: int) -> nn.Sequential:
    """GoogLeNet's auxiliary classifier (torchvision names `conv`, `fc1`, `fc2`).

    4×4 adaptive average pool, 1×1 BasicConv2d to 128 channels, flatten (2,048), FC 1,024 with
    ReLU, dropout 0.7, FC to the classes.
    """
    return nn.Sequential(
        avgpool=nn.AdaptiveAvgPool2d((4, 4)),
        conv=basic_conv(in_channels, 128, kernel_size=1),
        flatten=nn.Flatten(),
        fc1=nn.Linear(2048, 1024),
        relu=nn.ReLU(),
        dropout=nn.Dropout(0.7),
        fc2=nn.Linear(1024, num_classes),
    )
