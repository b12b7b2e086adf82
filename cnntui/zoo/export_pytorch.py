"""Write an engine module as the source of an equivalent PyTorch `nn.Module`.

The generated file imports only `torch`, defines the few helper classes the network needs
(a residual block, a concatenation, LeNet-1998's layers, …) and a `build()` function. Every
submodule keeps its name, so `state_dict()` keys and shapes are the same on both sides: weights
saved from cnntui (`Module.save`, an `.npz`) load into the PyTorch model with
`load_npz(model, path)`, which the file also defines.
"""

from __future__ import annotations

import keyword
import math
import numbers
import re
from collections.abc import Callable
from typing import Any

from cnntui.engine.module import Module
from cnntui.errors import UsageError

INDENT = "    "

HELPERS: dict[str, str] = {
    "Residual": '''
class Residual(nn.Module):
    """activation(body(x) + shortcut(x)); the shortcut is the identity when None."""

    def __init__(self, body: nn.Module, shortcut: nn.Module | None = None,
                 activation: nn.Module | None = None) -> None:
        super().__init__()
        self.body = body
        self.shortcut = shortcut
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.body(x) + (x if self.shortcut is None else self.shortcut(x))
        return y if self.activation is None else self.activation(y)
''',
    "Concat": '''
class Concat(nn.Module):
    """Branches applied to the same input, outputs joined along the channels."""

    def __init__(self, branches: OrderedDict[str, nn.Module]) -> None:
        super().__init__()
        for name, branch in branches.items():
            self.add_module(name, branch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.children()], dim=1)
''',
    "ResidualBlock": '''
class ResidualBlock(nn.Module):
    """relu(body(x) + shortcut(x)) with the body's layers as direct children, named like
    torchvision's BasicBlock and Bottleneck (conv1, bn1, …, downsample)."""

    def __init__(self, body: OrderedDict[str, nn.Module], downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.body_names = list(body)
        for name, layer in body.items():
            self.add_module(name, layer)
        self.downsample = downsample
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        for name in self.body_names:
            y = getattr(self, name)(y)
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))
''',
    "PadShortcut": '''
class PadShortcut(nn.Module):
    """Parameter-free shortcut: every stride-th pixel, channels zero-padded (ResNet option A)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int) -> None:
        super().__init__()
        self.extra = out_channels - in_channels
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.extra))
''',
    "SideBranches": '''
class SideBranches(nn.Module):
    """A main path with side classifiers tapping it (GoogLeNet's auxiliary heads).

    forward() returns the main output; in training mode with side heads it returns
    (main, side outputs in tap order), as torchvision's GoogLeNet does.
    """

    def __init__(self, main: OrderedDict[str, nn.Module], taps: dict[str, str],
                 heads: OrderedDict[str, nn.Module]) -> None:
        super().__init__()
        self.main_names = list(main)
        self.taps = dict(taps)
        for name, layer in [*main.items(), *heads.items()]:
            self.add_module(name, layer)

    def forward(self, x: torch.Tensor):
        sides = []
        for name in self.main_names:
            x = getattr(self, name)(x)
            if name in self.taps and self.training:
                sides.append(getattr(self, self.taps[name])(x))
        return (x, *sides) if sides else x
''',
    "ScaledTanh": '''
class ScaledTanh(nn.Module):
    """LeCun's squashing function 1.7159·tanh(2a/3)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 1.7159 * torch.tanh(x * (2.0 / 3.0))
''',
    "Subsampling": '''
class Subsampling(nn.Module):
    """LeNet-1998 sub-sampling: k×k sums times a trainable coefficient plus a bias, per map."""

    def __init__(self, channels: int, kernel_size: int = 2) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.weight = nn.Parameter(torch.empty(channels).uniform_(-2.4 / kernel_size**2, 2.4 / kernel_size**2))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        sums = F.avg_pool2d(x, self.kernel_size) * self.kernel_size**2
        return sums * self.weight[None, :, None, None] + self.bias[None, :, None, None]
''',
    "SparseConv2d": '''
class SparseConv2d(nn.Module):
    """LeNet-1998's C3: output map j only reads the input maps table[j] (one kernel per link)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int,
                 table: list[list[int]]) -> None:
        super().__init__()
        links = [(j, i) for j, ins in enumerate(table) for i in ins]
        self.shape = (out_channels, in_channels, kernel_size, kernel_size)
        bound = 2.4 / max(len(ins) for ins in table) / kernel_size**2
        self.weight = nn.Parameter(torch.empty(len(links), kernel_size, kernel_size).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.zeros(out_channels))
        self.register_buffer("link_out", torch.tensor([j for j, _ in links]), persistent=False)
        self.register_buffer("link_in", torch.tensor([i for _, i in links]), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        dense = self.weight.new_zeros(self.shape)
        dense = dense.index_put((self.link_out, self.link_in), self.weight)
        return F.conv2d(x, dense, self.bias)
''',
    "RBFOutput": '''
class RBFOutput(nn.Module):
    """LeNet-1998's output: squared distance to fixed ±1 class codes (not trained)."""

    def __init__(self, in_features: int, num_classes: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(num_classes, in_features), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ((x[:, None, :] - self.weight[None]) ** 2).sum(dim=2)
''',
}

LOADER = '''
def load_npz(model: nn.Module, path: str) -> None:
    """Load weights saved by cnntui (`Module.save`, an .npz of named arrays; no pickle)."""
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        state = {key: torch.from_numpy(data[key]) for key in data.files}
    model.load_state_dict(state, strict=False)
'''


def literal(value: Any) -> str:
    """`value` as Python source that evaluates to it, and never to anything else.

    Only plain data gets through: None, bools, whole numbers, floats (non-finite ones as
    `float("inf")`, `float("-inf")`, `float("nan")`, which a bare repr would leave as undefined
    names), strings (by repr, so quotes and newlines stay inside the literal), and lists, tuples
    and dicts of these. Anything else is a TypeError: it has no business in generated code.
    """
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, numbers.Integral):
        return repr(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else 'float("-inf")'
        return repr(float(value))
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write a {type(value).__name__} into generated code")


def _py(value: Any) -> str:
    """A size argument: `3` for (3, 3), else the literal."""
    if isinstance(value, tuple) and len(value) == 2 and value[0] == value[1]:
        return literal(value[0])
    return literal(value)


def docstring_text(text: str) -> str:
    """`text` made safe inside a triple-quoted docstring on one line: backslashes, quotes and
    every character that is not printable (newlines included) are written as escapes, so the
    docstring reads the same and can never end early."""
    out = []
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char.isprintable():
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(out)


class _Writer:
    def __init__(self) -> None:
        self.helpers: set[str] = set()
        self.uses_functional = False
        self.uses_ordered = False

    def expr(self, module: Module, path: str, level: int) -> str:
        kind = type(module).__name__
        method: Callable[[Module, str, int], str] | None = getattr(self, f"_{kind}", None)
        if method is None:
            raise UsageError(
                f"cannot export layer {path or 'the network'} of type {kind} to PyTorch"
            )
        return method(module, path, level)

    # -- containers ---------------------------------------------------------------------

    def _children(self, pairs: list[tuple[str, Module]], path: str, level: int) -> str:
        """`OrderedDict([("name", expr), …])` spread over lines."""
        self.uses_ordered = True
        pad = INDENT * (level + 1)
        items = [
            f"{pad}({literal(name)}, {self.expr(child, f'{path}.{name}' if path else name, level + 1)}),"
            for name, child in pairs
        ]
        return "OrderedDict([\n" + "\n".join(items) + f"\n{INDENT * level}])"

    def _positional(self, module: Module) -> bool:
        names = [name for name, _ in module.named_children()]
        return names == [str(i) for i in range(len(names))]

    def _Sequential(self, module: Module, path: str, level: int) -> str:
        pairs = list(module.named_children())
        if not pairs:
            return "nn.Sequential()"
        if self._positional(module):
            pad = INDENT * (level + 1)
            items = [
                f"{pad}{self.expr(child, f'{path}.{name}' if path else name, level + 1)},"
                for name, child in pairs
            ]
            return "nn.Sequential(\n" + "\n".join(items) + f"\n{INDENT * level})"
        return f"nn.Sequential({self._children(pairs, path, level)})"

    def _Residual(self, module: Any, path: str, level: int) -> str:
        self.helpers.add("Residual")
        parts = [f"body={self.expr(module.body, f'{path}.body', level + 1)}"]
        if module.shortcut is not None:
            parts.append(f"shortcut={self.expr(module.shortcut, f'{path}.shortcut', level + 1)}")
        if module.activation is not None:
            parts.append(
                f"activation={self.expr(module.activation, f'{path}.activation', level + 1)}"
            )
        pad = INDENT * (level + 1)
        return "Residual(\n" + "".join(f"{pad}{p},\n" for p in parts) + f"{INDENT * level})"

    def _Concat(self, module: Module, path: str, level: int) -> str:
        self.helpers.add("Concat")
        return f"Concat({self._children(list(module.named_children()), path, level)})"

    _Inception = _Concat

    def _block(self, module: Any, path: str, level: int) -> str:
        self.helpers.add("ResidualBlock")
        body = [(name, getattr(module, name)) for name in module.body_names]
        text = f"ResidualBlock({self._children(body, path, level)}"
        if module.downsample is not None:
            text += f", downsample={self.expr(module.downsample, f'{path}.downsample', level + 1)}"
        return text + ")"

    _BasicBlock = _block
    _Bottleneck = _block

    def _PlainBlock(self, module: Any, path: str, level: int) -> str:
        pairs = [(name, getattr(module, name)) for name in module.body_names]
        return f"nn.Sequential({self._children(pairs, path, level)})"

    def _PadShortcut(self, module: Any, path: str, level: int) -> str:
        self.helpers.add("PadShortcut")
        self.uses_functional = True
        return f"PadShortcut({literal(module.in_channels)}, {literal(module.out_channels)}, {literal(module.stride)})"

    def _GoogLeNet(self, module: Any, path: str, level: int) -> str:
        from cnntui.zoo.googlenet import MAIN_PATH, SIDE_HEADS

        self.helpers.add("SideBranches")
        main = [(name, getattr(module, name)) for name in MAIN_PATH]
        taps = {tap: head for tap, head in SIDE_HEADS.items() if module.aux_logits}
        heads = [(head, getattr(module, head)) for head in taps.values()]
        return (
            f"SideBranches({self._children(main, path, level)}, {literal(taps)}, "
            f"{self._children(heads, path, level)})"
        )

    # -- layers --------------------------------------------------------------------------

    def _Conv2d(self, m: Any, path: str, level: int) -> str:
        text = f"nn.Conv2d({literal(m.in_channels)}, {literal(m.out_channels)}, kernel_size={_py(m.kernel_size)}"
        if m.stride != (1, 1):
            text += f", stride={_py(m.stride)}"
        if m.padding not in ((0, 0), "valid"):
            text += f", padding={_py(m.padding)}"
        if m.dilation != (1, 1):
            text += f", dilation={_py(m.dilation)}"
        if m.groups != 1:
            text += f", groups={literal(m.groups)}"
        if m.bias is None:
            text += ", bias=False"
        if getattr(m, "padding_mode", "zeros") != "zeros":
            text += f", padding_mode={literal(m.padding_mode)}"
        return text + ")"

    def _ConvTranspose2d(self, m: Any, path: str, level: int) -> str:
        text = f"nn.ConvTranspose2d({literal(m.in_channels)}, {literal(m.out_channels)}, kernel_size={_py(m.kernel_size)}"
        if m.stride != (1, 1):
            text += f", stride={_py(m.stride)}"
        if m.padding != (0, 0):
            text += f", padding={_py(m.padding)}"
        if m.output_padding != (0, 0):
            text += f", output_padding={_py(m.output_padding)}"
        if m.groups != 1:
            text += f", groups={literal(m.groups)}"
        if m.bias is None:
            text += ", bias=False"
        if m.dilation != (1, 1):
            text += f", dilation={_py(m.dilation)}"
        return text + ")"

    def _pool(self, name: str, m: Any) -> str:
        text = f"nn.{name}(kernel_size={_py(m.kernel_size)}"
        if m.stride != m.kernel_size:
            text += f", stride={_py(m.stride)}"
        if m.padding != (0, 0):
            text += f", padding={_py(m.padding)}"
        if getattr(m, "dilation", (1, 1)) != (1, 1):
            text += f", dilation={_py(m.dilation)}"
        if m.ceil_mode:
            text += ", ceil_mode=True"
        return text

    def _MaxPool2d(self, m: Any, path: str, level: int) -> str:
        return self._pool("MaxPool2d", m) + ")"

    def _AvgPool2d(self, m: Any, path: str, level: int) -> str:
        text = self._pool("AvgPool2d", m)
        if not m.count_include_pad:
            text += ", count_include_pad=False"
        if m.divisor_override is not None:
            text += f", divisor_override={literal(m.divisor_override)}"
        return text + ")"

    def _AdaptiveAvgPool2d(self, m: Any, path: str, level: int) -> str:
        return f"nn.AdaptiveAvgPool2d({_py(tuple(m.output_size))})"

    def _Linear(self, m: Any, path: str, level: int) -> str:
        bias = "" if m.bias is not None else ", bias=False"
        return f"nn.Linear({literal(m.in_features)}, {literal(m.out_features)}{bias})"

    def _Flatten(self, m: Any, path: str, level: int) -> str:
        if (m.start_dim, m.end_dim) == (1, -1):
            return "nn.Flatten()"
        return f"nn.Flatten({literal(m.start_dim)}, {literal(m.end_dim)})"

    def _ReLU(self, m: Any, path: str, level: int) -> str:
        return "nn.ReLU()"

    def _LeakyReLU(self, m: Any, path: str, level: int) -> str:
        return f"nn.LeakyReLU({literal(m.negative_slope)})"

    def _Sigmoid(self, m: Any, path: str, level: int) -> str:
        return "nn.Sigmoid()"

    def _Tanh(self, m: Any, path: str, level: int) -> str:
        return "nn.Tanh()"

    def _Identity(self, m: Any, path: str, level: int) -> str:
        return "nn.Identity()"

    def _Dropout(self, m: Any, path: str, level: int) -> str:
        return f"nn.Dropout({literal(m.p)})"

    def _batch_norm(self, name: str, m: Any) -> str:
        text = f"nn.{name}({literal(m.num_features)}"
        if m.eps != 1e-5:
            text += f", eps={literal(m.eps)}"
        if m.momentum != 0.1:
            text += f", momentum={literal(m.momentum)}"
        if not m.affine:
            text += ", affine=False"
        if not m.track_running_stats:
            text += ", track_running_stats=False"
        return text + ")"

    def _BatchNorm2d(self, m: Any, path: str, level: int) -> str:
        return self._batch_norm("BatchNorm2d", m)

    def _BatchNorm1d(self, m: Any, path: str, level: int) -> str:
        return self._batch_norm("BatchNorm1d", m)

    def _LocalResponseNorm(self, m: Any, path: str, level: int) -> str:
        return f"nn.LocalResponseNorm({literal(m.size)}, alpha={literal(m.alpha)}, beta={literal(m.beta)}, k={literal(m.k)})"

    def _ScaledTanh(self, m: Any, path: str, level: int) -> str:
        self.helpers.add("ScaledTanh")
        return "ScaledTanh()"

    def _Subsampling(self, m: Any, path: str, level: int) -> str:
        self.helpers.add("Subsampling")
        self.uses_functional = True
        return f"Subsampling({literal(m.channels)}, {literal(m.kernel_size)})"

    def _SparseConv2d(self, m: Any, path: str, level: int) -> str:
        self.helpers.add("SparseConv2d")
        self.uses_functional = True
        table = [list(t) for t in m.table]
        return f"SparseConv2d({literal(m.in_channels)}, {literal(m.out_channels)}, {literal(m.kernel_size)}, {literal(table)})"

    def _RBFOutput(self, m: Any, path: str, level: int) -> str:
        self.helpers.add("RBFOutput")
        return f"RBFOutput({literal(m.in_features)}, {literal(m.num_classes)})"


def python_name(text: str) -> str:
    """A valid Python identifier from a model name (`vgg16_bn`, `my-net` -> `my_net`)."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_") or "network"
    if name[0].isdigit() or keyword.iskeyword(name):
        name = f"net_{name}"
    return name


def export_pytorch(
    module: Module, name: str, input_shape: tuple[int, ...], source: str = ""
) -> str:
    """The text of a Python file defining `build()` for an equivalent PyTorch module.

    Raises UsageError naming the first layer that has no PyTorch counterpart.
    """
    writer = _Writer()
    body = writer.expr(module, "", 1)
    header_lines = [
        f'"""{docstring_text(name)}: a PyTorch version of this network, written by `cnntui export pytorch`.',
        "",
        f"Input per sample: {'x'.join(str(s) for s in input_shape)}. Submodule names match cnntui's, so "
        "weights saved there",
        "(`Module.save`, an .npz) load here with `load_npz(model, path)`. Run this file to check the",
        "parameter count and the output shape.",
    ]
    if source:
        header_lines.insert(1, f"Source: {docstring_text(source)}.")
    header = "\n".join(header_lines) + '\n"""'
    imports = ["from __future__ import annotations", ""]
    if writer.uses_ordered or writer.helpers & {"Concat", "ResidualBlock", "SideBranches"}:
        imports.append("from collections import OrderedDict")
        imports.append("")
    imports.append("import torch")
    if writer.uses_functional:
        imports.append("import torch.nn.functional as F")
    imports.append("from torch import nn")
    helpers = "".join("\n" + HELPERS[h].strip("\n") + "\n\n" for h in sorted(writer.helpers))
    dims = ", ".join(literal(int(s)) for s in input_shape)
    function = python_name(name)
    text = (
        f"{header}\n\n"
        + "\n".join(imports)
        + "\n\n"
        + helpers
        + "\ndef build() -> nn.Module:\n"
        + f'{INDENT}"""{docstring_text(name)} with freshly initialised weights."""\n'
        + f"{INDENT}return {body}\n\n"
        + f"\n{function} = build\n\n"
        + LOADER
        + "\n\n"
        + 'if __name__ == "__main__":\n'
        + f"{INDENT}model = build().eval()\n"
        + f"{INDENT}with torch.no_grad():\n"
        + f"{INDENT * 2}out = model(torch.zeros(1, {dims}))\n"
        + f'{INDENT}print("parameters:", sum(p.numel() for p in model.parameters()))\n'
        + f'{INDENT}print("output shape per sample:", tuple(out.shape[1:]))\n'
    )
    return text
