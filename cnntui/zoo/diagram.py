"""Block diagrams as text: an Inception module's branches, a residual block and its shortcut, a
chain of layers. Box-drawing characters, or plain ASCII (`+-|`) for `--ascii`.

`block_diagram(summary, name)` draws the module with that dotted name ("" for the whole network).
Pointwise layers (batch norm, ReLU, dropout) are folded into the box of the layer they follow, so
a branch reads "conv 1×1, 96 +bn+relu" rather than three boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cnntui.zoo.summary import LayerRow, ModelSummary, format_shape

POINTWISE = {
    "ReLU": "relu",
    "LeakyReLU": "lrelu",
    "Sigmoid": "sigmoid",
    "Tanh": "tanh",
    "ScaledTanh": "squash",
    "BatchNorm2d": "bn",
    "BatchNorm1d": "bn",
    "Dropout": "drop",
    "LocalResponseNorm": "lrn",
    "Identity": "",
    "Flatten": "flatten",
}
MERGE_TYPES = {"Concat", "Inception"}
RESIDUAL_TYPES = {"Residual", "BasicBlock", "Bottleneck"}


@dataclass(frozen=True)
class _Box:
    title: str
    detail: str
    tags: str = ""

    def tagged(self, tag: str) -> _Box:
        return _Box(self.title, self.detail, f"{self.tags}+{tag}")

    @property
    def width(self) -> int:
        return max(len(self.title), len(self.detail), len(self.tags))


@dataclass(frozen=True)
class _Chars:
    h: str
    v: str
    tl: str
    tr: str
    bl: str
    br: str
    tee_down: str
    tee_up: str
    arrow: str
    times: str
    plus: str

    def shape(self, shape: tuple[int, ...]) -> str:
        return format_shape(shape, self.times == "x")


BOX = _Chars("─", "│", "┌", "┐", "└", "┘", "┬", "┴", "→", "×", "⊕")
ASCII = _Chars("-", "|", "+", "+", "+", "+", "+", "+", "->", "x", "(+)")


def _pair_text(value: object, times: str) -> str:
    if isinstance(value, tuple) and len(value) == 2:
        return str(value[0]) if value[0] == value[1] else f"{value[0]}{times}{value[1]}"
    return str(value)


def op_label(row: LayerRow, chars: _Chars = BOX) -> str:
    """A short name for what one leaf does: `conv 3×3 s2, 128`, `maxpool 3×3 s2`, `fc 4096`."""
    m: Any = row.module
    t = chars.times
    kind = row.type
    if kind in ("Conv2d", "ConvTranspose2d", "SparseConv2d"):
        k = getattr(m, "kernel_size", 1)
        k = (k, k) if isinstance(k, int) else k
        stride = getattr(m, "stride", (1, 1))
        stride_text = "" if stride in ((1, 1), 1) else f" s{_pair_text(stride, t)}"
        name = {"Conv2d": "conv", "ConvTranspose2d": "deconv", "SparseConv2d": "sparse conv"}[kind]
        groups = getattr(m, "groups", 1)
        group_text = f" g{groups}" if groups != 1 else ""
        return f"{name} {k[0]}{t}{k[1]}{stride_text}{group_text}, {row.output_shape[0]}"
    if kind in ("MaxPool2d", "AvgPool2d"):
        k = m.kernel_size
        stride = m.stride
        stride_text = "" if stride == k else f" s{_pair_text(stride, t)}"
        return f"{'max' if kind == 'MaxPool2d' else 'avg'}pool {k[0]}{t}{k[1]}{stride_text}"
    if kind == "AdaptiveAvgPool2d":
        return f"avgpool {chars.arrow} {_pair_text(tuple(m.output_size), t)}"
    if kind in ("Linear", "RBFOutput"):
        return f"{'fc' if kind == 'Linear' else 'rbf'} {row.output_shape[0]}"
    if kind == "Subsampling":
        return "subsample 2" + t + "2"
    if kind == "PadShortcut":
        return f"subsample+pad {chars.arrow} {row.output_shape[0]}"
    return POINTWISE.get(kind, kind.lower())


def _subtree(summary: ModelSummary, row: LayerRow) -> list[LayerRow]:
    rows = summary.layers
    out = []
    for later in rows[row.index + 1 :]:
        if later.depth <= row.depth:
            break
        out.append(later)
    return out


def _children(summary: ModelSummary, row: LayerRow | None) -> list[LayerRow]:
    if row is None:
        return [r for r in summary.layers if r.depth == 1]
    return [r for r in _subtree(summary, row) if r.depth == row.depth + 1]


def _leaf_boxes(leaves: list[LayerRow], chars: _Chars) -> list[_Box]:
    """One box per leaf that does real work; pointwise layers are appended to the box before."""
    boxes: list[_Box] = []
    for leaf in leaves:
        if leaf.type in POINTWISE:
            tag = POINTWISE[leaf.type]
            if not tag:
                continue
            if boxes:
                boxes[-1] = boxes[-1].tagged(tag)
                continue
            boxes.append(_Box(tag, chars.shape(leaf.output_shape)))
            continue
        boxes.append(_Box(op_label(leaf, chars), chars.shape(leaf.output_shape)))
    return boxes


def _branch_boxes(summary: ModelSummary, row: LayerRow, chars: _Chars) -> list[_Box]:
    leaves = [row] if row.is_leaf else [r for r in _subtree(summary, row) if r.is_leaf]
    return _leaf_boxes(leaves, chars)


def _draw_columns(
    columns: list[list[_Box]], chars: _Chars, captions: list[str]
) -> tuple[list[str], list[int]]:
    """Columns of boxes side by side; returns the lines and each column's centre."""
    widths = [
        max([len(caption) for caption in captions[i : i + 1]] + [b.width + 4 for b in col] + [8])
        for i, col in enumerate(columns)
    ]
    gap = 2
    lefts = []
    x = 0
    for w in widths:
        lefts.append(x)
        x += w + gap
    total = x - gap
    centres = [left + w // 2 for left, w in zip(lefts, widths)]
    height = max((len(col) for col in columns), default=0)
    text_rows = 3 if any(b.tags for col in columns for b in col) else 2
    lines: list[str] = []

    def canvas() -> list[str]:
        return [" "] * total

    caption_line = canvas()
    for i, caption in enumerate(captions):
        start = lefts[i] + max(0, (widths[i] - len(caption)) // 2)
        for j, ch in enumerate(caption[: widths[i]]):
            caption_line[start + j] = ch
    if any(captions):
        lines.append("".join(caption_line).rstrip())
    for level in range(height):
        rows = [canvas() for _ in range(text_rows + 2)]
        for i, col in enumerate(columns):
            w = widths[i]
            left = lefts[i]
            if level >= len(col):
                for r in rows:
                    r[centres[i]] = chars.v
                continue
            box = col[level]
            inner = w - 2
            top = chars.tl + chars.h * inner + chars.tr
            bottom = chars.bl + chars.h * inner + chars.br
            texts = [box.title.center(inner), box.detail.center(inner), box.tags.center(inner)]
            for j, ch in enumerate(top):
                rows[0][left + j] = ch
            for r, text in zip(rows[1 : 1 + text_rows], texts):
                line = chars.v + text[:inner] + chars.v
                for j, ch in enumerate(line):
                    r[left + j] = ch
            for j, ch in enumerate(bottom):
                rows[text_rows + 1][left + j] = ch
        lines.extend("".join(r).rstrip() for r in rows)
        if level < height - 1:
            connector = canvas()
            for c in centres:
                connector[c] = chars.v
            lines.append("".join(connector).rstrip())
    return lines, centres


def _fan(centres: list[int], chars: _Chars, up: bool) -> str:
    if len(centres) == 1:
        return " " * centres[0] + chars.v
    line = [" "] * (centres[-1] + 1)
    for x in range(centres[0], centres[-1] + 1):
        line[x] = chars.h
    for i, c in enumerate(centres):
        if i == 0:
            line[c] = chars.bl if up else chars.tl
        elif i == len(centres) - 1:
            line[c] = chars.br if up else chars.tr
        else:
            line[c] = chars.tee_up if up else chars.tee_down
    return "".join(line)


def block_diagram(summary: ModelSummary, name: str = "", ascii_only: bool = False) -> list[str]:
    """The diagram of the module called `name` ("" for the network) as lines of text.

    Raises KeyError when there is no such layer.
    """
    chars = ASCII if ascii_only else BOX
    row = summary.layer(name) if name else None
    title = f"{name or summary.model} ({row.type if row else 'network'})"
    input_shape = row.input_shape if row else summary.input_shape
    output_shape = row.output_shape if row else summary.output_shape
    lines = [title, f"input {chars.shape(input_shape)}"]
    if row is not None and row.is_leaf:
        body, centres = _draw_columns([_leaf_boxes([row], chars)], chars, [""])
        return lines + [" " * centres[0] + chars.v] + body
    kind = row.type if row else ""
    children = _children(summary, row)
    if kind in MERGE_TYPES or kind in RESIDUAL_TYPES:
        if kind in MERGE_TYPES:
            branches = children
            captions = [child.short_name for child in branches]
            columns = [_branch_boxes(summary, child, chars) for child in branches]
            merge = f"concat {chars.arrow} {chars.shape(output_shape)}"
        else:
            body_rows = [
                c
                for c in children
                if c.short_name not in ("shortcut", "downsample", "activation", "relu")
                or c.short_name == "relu"
                and c is not children[-1]
            ]
            if kind == "Residual":
                body_rows = [c for c in children if c.short_name == "body"]
            shortcut = [c for c in children if c.short_name in ("shortcut", "downsample")]
            body_leaves = [
                leaf
                for c in body_rows
                for leaf in ([c] if c.is_leaf else [r for r in _subtree(summary, c) if r.is_leaf])
            ]
            columns = [_leaf_boxes(body_leaves, chars)]
            captions = ["residual branch"]
            if shortcut:
                columns.append(_branch_boxes(summary, shortcut[0], chars))
                captions.append("shortcut")
            else:
                columns.append([_Box("identity", chars.shape(input_shape))])
                captions.append("shortcut")
            tail = [
                c
                for c in children
                if c.short_name in ("activation",)
                or (kind != "Residual" and c is children[-1] and c.type in POINTWISE)
            ]
            after = (
                f" {chars.arrow} {POINTWISE.get(tail[0].type, tail[0].type.lower())}"
                if tail
                else ""
            )
            merge = f"{chars.plus} add{after} {chars.arrow} {chars.shape(output_shape)}"
        body, centres = _draw_columns(columns, chars, captions)
        lines.append(_fan(centres, chars, up=False))
        lines.append("".join(chars.v if x in centres else " " for x in range(centres[-1] + 1)))
        lines.extend(body)
        lines.append(_fan(centres, chars, up=True))
        middle = (centres[0] + centres[-1]) // 2
        lines.append(" " * max(0, middle - len(merge) // 2) + merge)
        return lines
    # a chain: one box per child, top to bottom
    boxes = []
    for child in children:
        if child.is_leaf:
            boxes.extend(_leaf_boxes([child], chars) if child.type not in POINTWISE else [])
            if child.type in POINTWISE and boxes and POINTWISE[child.type]:
                boxes[-1] = boxes[-1].tagged(POINTWISE[child.type])
        else:
            boxes.append(_Box(f"{child.short_name}: {child.type}", chars.shape(child.output_shape)))
    if not boxes:
        boxes = [_Box("(pointwise only)", chars.shape(output_shape))]
    body, centres = _draw_columns([boxes], chars, [""])
    lines.append(" " * centres[0] + chars.v)
    lines.extend(body)
    lines.append(" " * centres[0] + chars.v)
    lines.append(f"output {chars.shape(output_shape)}")
    return lines
