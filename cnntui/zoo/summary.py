"""The model table shared by the Models mode, `cnntui summary` and the lesson templates.

`summarize(module, input_shape)` traces the module symbolically (no weights are allocated) and
returns a `ModelSummary`: one `LayerRow` per module in pre-order (containers before their
children) with shapes, parameters, the parameter formula, multiply-accumulates and receptive
field, plus the totals. Counting rules follow torchvision's published figures: MACs are the
multiply-accumulates of convolutions, transposed convolutions and linear layers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnntui.engine.module import Field, Module, Shape, TraceRecord
from cnntui.errors import ShapeError
from cnntui.i18n import _
from cnntui.text import format_count

CONV_TYPES = frozenset({"Conv2d", "ConvTranspose2d", "SparseConv2d"})
FC_TYPES = frozenset({"Linear", "RBFOutput"})
VIEW_TYPES = frozenset({"Flatten", "Identity"})
"""Layers whose output is a view of their input: they hold no activation memory of their own."""


def format_shape(shape: Shape, ascii_only: bool = False) -> str:
    """`(3, 224, 224)` -> `3×224×224` (`3x224x224` with `ascii_only`)."""
    return ("x" if ascii_only else "×").join(str(s) for s in shape)


ASCII_REPLACEMENTS = {"×": "x", "→": "->", "·": "*", "…": "...", "−": "-", "÷": "/"}


def asciify(text: str) -> str:
    """Text with cnntui's few non-ASCII symbols spelled in ASCII (`3×3` -> `3x3`, `→` -> `->`)."""
    for symbol, plain in ASCII_REPLACEMENTS.items():
        text = text.replace(symbol, plain)
    return text


def _numel(shape: Shape) -> int:
    total = 1
    for s in shape:
        total *= int(s)
    return total


@dataclass(frozen=True)
class LayerRow:
    """One module of the traced network.

    `params` and `macs` cover the whole subtree (a container's row sums its children);
    `own_params` only the module's own parameters. `depth` is 1 for the network's direct
    children. `receptive_field` is (height, width) in input pixels; `jump` the distance between
    neighbouring output units in input pixels.
    """

    index: int
    name: str
    type: str
    depth: int
    input_shape: Shape
    output_shape: Shape
    params: int
    trainable_params: int
    own_params: int
    macs: int
    settings: str
    param_formula: str
    receptive_field: tuple[int, int]
    jump: tuple[int, int]
    is_leaf: bool
    module: Module = field(repr=False, compare=False)

    @property
    def short_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def trainable(self) -> bool | None:
        """True when every parameter learns, False when some are frozen, None without parameters."""
        if self.params == 0:
            return None
        return self.trainable_params == self.params

    @property
    def activation_elements(self) -> int:
        """Values this layer stores per sample for the backward pass (0 for views like Flatten)."""
        if not self.is_leaf or self.type in VIEW_TYPES:
            return 0
        return _numel(self.output_shape)

    @property
    def kind(self) -> str:
        """`conv`, `fc`, `norm` or `other`, for "where the parameters live"."""
        if self.type in CONV_TYPES:
            return "conv"
        if self.type in FC_TYPES:
            return "fc"
        if "Norm" in self.type:
            return "norm"
        return "other"

    def field_text(self, ascii_only: bool = False) -> str:
        """The receptive field for display: `14` (square), `7x5`, or `all` once the features are
        flat (every unit of a linear layer sees the whole input)."""
        if len(self.output_shape) == 1:
            return "all"
        height, width = self.receptive_field
        return str(height) if height == width else f"{height}x{width}"

    def formula(self) -> str:
        """The parameter count written out (`5·5·6·16 + 16 = 2,416`), or the plain count."""
        if self.param_formula:
            return self.param_formula
        if self.params and not self.is_leaf:
            return f"{format_count(self.params)} in {self.type}'s layers"
        return format_count(self.params) if self.params else "no parameters"


class LayerShapeError(ShapeError):
    """An input shape a layer cannot take, explained at that layer.

    Attributes:
        layer: dotted name of the failing layer ("" for the network itself).
        layer_type: its class name.
        input_shape: the per-sample shape it was given.
        reason: the engine's explanation.
        rows: the rows traced successfully before the failure (for showing where it broke).
    """

    def __init__(
        self, layer: str, layer_type: str, input_shape: Shape, reason: str, rows: list[LayerRow]
    ) -> None:
        shape = format_shape(input_shape)
        super().__init__(
            _("layer {name} ({type}) gets {shape}: {reason}").format(
                name=layer, type=layer_type, shape=shape, reason=reason
            )
            if layer
            else _("{type} gets {shape}: {reason}").format(
                type=layer_type, shape=shape, reason=reason
            )
        )
        self.layer = layer
        self.layer_type = layer_type
        self.input_shape = input_shape
        self.reason = reason
        self.rows = rows


@dataclass
class ModelSummary:
    """Everything the model table shows; see the module docstring."""

    model: str
    input_shape: Shape
    output_shape: Shape
    total_params: int
    trainable_params: int
    total_macs: int
    layers: list[LayerRow]
    dtype_bytes: int = 4
    depth: int | None = None
    """The display depth `rows()` uses by default (None: every level)."""
    module: Module | None = field(default=None, repr=False, compare=False)
    """The network itself (the rows hold its descendants)."""

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def param_bytes(self) -> int:
        """Memory for the parameters alone (float32 unless the summary says otherwise)."""
        return self.total_params * self.dtype_bytes

    @property
    def input_bytes(self) -> int:
        return _numel(self.input_shape) * self.dtype_bytes

    def activation_bytes(self, batch_size: int = 1) -> int:
        """Estimated activation memory of a forward *and* backward pass for a batch: every leaf
        output is kept for the backward pass and gets a gradient of the same size (2×), as
        torchinfo estimates it. Views (Flatten) cost nothing; framework overheads are ignored."""
        elements = sum(row.activation_elements for row in self.layers)
        return 2 * elements * batch_size * self.dtype_bytes

    def total_bytes(self, batch_size: int = 1) -> int:
        """Parameters + input batch + activations: a lower bound of training memory (no optimiser
        state)."""
        return self.param_bytes + self.input_bytes * batch_size + self.activation_bytes(batch_size)

    def subtree(self, row: LayerRow) -> list[LayerRow]:
        """The rows inside a container row (empty for a leaf), in pre-order."""
        inside: list[LayerRow] = []
        for later in self.layers[row.index + 1 :]:
            if later.depth <= row.depth:
                break
            inside.append(later)
        return inside

    def row_activation_bytes(self, row: LayerRow, batch_size: int = 1) -> int:
        """Forward+backward activation memory of one row (a container: all its leaves)."""
        elements = row.activation_elements + sum(r.activation_elements for r in self.subtree(row))
        return 2 * elements * batch_size * self.dtype_bytes

    def rows(self, depth: int | None = -1) -> list[LayerRow]:
        """Rows down to `depth` (1 = the network's direct children; None = all levels).

        Without an argument the summary's own `depth` applies.
        """
        limit = self.depth if depth == -1 else depth
        if limit is None:
            return list(self.layers)
        return [row for row in self.layers if row.depth <= limit]

    @property
    def max_depth(self) -> int:
        return max((row.depth for row in self.layers), default=0)

    def layer(self, name: str) -> LayerRow:
        """The row of the module with this dotted name; KeyError naming close matches if none."""
        for row in self.layers:
            if row.name == name:
                return row
        import difflib

        close = difflib.get_close_matches(name, [r.name for r in self.layers], n=3)
        raise KeyError(
            f"{self.model} has no layer {name!r}"
            + (f"; did you mean {', '.join(close)}?" if close else "")
        )

    @property
    def leaves(self) -> list[LayerRow]:
        return [row for row in self.layers if row.is_leaf]

    def share(self, kind: str, of: str = "params") -> float:
        """Fraction (0-1) of all parameters (or `of="macs"`) held by leaves of this kind."""
        total = self.total_params if of == "params" else self.total_macs
        if not total:
            return 0.0
        part = sum(getattr(row, of) for row in self.leaves if row.kind == kind)
        return part / total

    def kind_totals(self) -> dict[str, tuple[int, int]]:
        """(params, MACs) per kind: conv, fc, norm, other."""
        out: dict[str, tuple[int, int]] = {k: (0, 0) for k in ("conv", "fc", "norm", "other")}
        for row in self.leaves:
            params, macs = out[row.kind]
            out[row.kind] = (params + row.own_params, macs + row.macs)
        return out

    @property
    def weight_layers(self) -> int:
        """Convolution and FC layers: the "depth" papers count (VGG-16 has 16)."""
        return sum(1 for row in self.leaves if row.kind in ("conv", "fc"))

    @property
    def weight_depth(self) -> int:
        """Convolution and FC layers on the longest path from input to output: the depth papers
        quote (GoogLeNet 22, ResNet-50 50). Parallel branches count once (the deepest), a residual
        block counts its deeper side, side classifiers (GoogLeNet's aux heads) not at all."""
        from cnntui.engine import nn
        from cnntui.engine.graph import Graph, Group

        children: dict[int, list[LayerRow]] = {}
        stack: list[LayerRow] = []
        for row in self.layers:
            while stack and stack[-1].depth >= row.depth:
                stack.pop()
            children.setdefault(stack[-1].index if stack else -1, []).append(row)
            stack.append(row)

        def depth(row: LayerRow | None) -> int:
            if row is not None and row.is_leaf:
                return 1 if row.kind in ("conv", "fc") else 0
            kids = children.get(row.index if row is not None else -1, [])
            module = row.module if row is not None else self.module
            if isinstance(module, Graph):  # an imported DAG: the longest path through it
                skip = len(row.name) + 1 if row is not None and row.name else 0
                inside = self.subtree(row) if row is not None else self.layers
                by_step = {k.name[skip:]: k for k in inside if not isinstance(k.module, Group)}
                return module.longest_path(
                    lambda name, _: depth(by_step[name]) if name in by_step else 0
                )
            if isinstance(module, nn.Concat):
                return max((depth(k) for k in kids), default=0)
            side = set(getattr(module, "side_branches", ()))
            shortcut = [k for k in kids if k.short_name in ("shortcut", "downsample")]
            if isinstance(module, nn.Residual) or hasattr(module, "downsample"):
                body = sum(depth(k) for k in kids if k not in shortcut)
                return max(body, max((depth(k) for k in shortcut), default=0))
            return sum(depth(k) for k in kids if k.short_name not in side)

        return depth(None)

    @property
    def receptive_field(self) -> tuple[int, int]:
        """The largest receptive field of any layer (the last spatial layer's, usually)."""
        sizes = [row.receptive_field for row in self.layers]
        return max(sizes, key=lambda s: s[0] * s[1]) if sizes else (1, 1)

    def to_json(self, depth: int | None = -1, batch_size: int = 1) -> dict[str, Any]:
        """The document `cnntui summary --json` prints; shapes are lists (`[C, H, W]`)."""
        kinds = self.kind_totals()
        return {
            "model": self.model,
            "input_shape": list(self.input_shape),
            "output_shape": list(self.output_shape),
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "total_macs": self.total_macs,
            "weight_layers": self.weight_layers,
            "weight_depth": self.weight_depth,
            "param_bytes": self.param_bytes,
            "batch_size": batch_size,
            "activation_bytes": self.activation_bytes(batch_size),
            "conv_params": kinds["conv"][0],
            "fc_params": kinds["fc"][0],
            "conv_macs": kinds["conv"][1],
            "fc_macs": kinds["fc"][1],
            "layers": [
                {
                    "name": row.name,
                    "type": row.type,
                    "depth": row.depth,
                    "input_shape": list(row.input_shape),
                    "output_shape": list(row.output_shape),
                    "params": row.params,
                    "trainable_params": row.trainable_params,
                    "macs": row.macs,
                    "settings": row.settings,
                    "receptive_field": list(row.receptive_field),
                }
                for row in self.rows(depth)
            ],
        }


def _rows_from_records(records: list[TraceRecord], complete: bool) -> list[LayerRow]:
    """Rows for every record but the root (index 0), with subtree totals."""
    rows: list[LayerRow] = []
    for i in range(1, len(records)):
        rec = records[i]
        if not rec.output_shape and not complete:
            continue  # not traced yet: the layer that failed, or one of its containers
        macs = rec.macs if rec.is_leaf else 0
        if not rec.is_leaf:
            j = i + 1
            while j < len(records) and records[j].depth > rec.depth:
                if records[j].is_leaf:
                    macs += records[j].macs
                j += 1
        module = rec.module
        own = sum(p.numel for p in getattr(module, "_parameters", {}).values())
        rows.append(
            LayerRow(
                index=len(rows),
                name=rec.name,
                type=type(module).__name__,
                depth=rec.depth,
                input_shape=tuple(rec.input_shape),
                output_shape=tuple(rec.output_shape),
                # containers' records already carry their subtree's totals (see nn.Sequential)
                params=rec.params,
                trainable_params=rec.trainable_params,
                own_params=own,
                macs=macs,
                settings=module.describe(),
                param_formula=module.param_formula(),
                receptive_field=rec.field.size,
                jump=rec.field.jump,
                is_leaf=rec.is_leaf,
                module=module,
            )
        )
    return rows


def _check_input_shape(input_shape: Any) -> Shape:
    try:
        shape = tuple(int(s) for s in input_shape)
    except (TypeError, ValueError) as exc:
        raise ShapeError(
            _("input shape must be whole numbers, got {value!r}").format(value=input_shape)
        ) from exc
    if not shape or any(s <= 0 for s in shape):
        raise ShapeError(
            _("input shape must be positive sizes such as 3×224×224, got {value!r}").format(
                value=input_shape
            )
        )
    return shape


def summarize(
    module: Module,
    input_shape: Shape,
    depth: int | None = None,
    name: str = "",
    dtype_bytes: int = 4,
) -> ModelSummary:
    """Trace `module` on a per-sample `input_shape` ((C, H, W) or (F,)) without allocating weights.

    `depth` sets the default display depth of `rows()` (None: all levels). Raises
    `LayerShapeError` (a `ShapeError`) naming the first layer that cannot take its input.
    """
    shape = _check_input_shape(input_shape)
    records: list[TraceRecord] = []
    try:
        out, _ = module.trace(shape, Field(), records, 0, "")
    except ShapeError as exc:
        if isinstance(exc, LayerShapeError):
            raise
        failing = next((r for r in reversed(records) if not r.output_shape), None)
        rows = _rows_from_records(records, complete=False)
        if failing is None:
            raise LayerShapeError("", type(module).__name__, shape, str(exc), rows) from exc
        reason = str(exc)
        flattened = [r for r in rows if r.is_leaf and r.type == "Flatten"]
        if (
            len(failing.input_shape) == 1
            and flattened
            and flattened[-1].output_shape == tuple(failing.input_shape)
        ):
            # say where a wrong flat size comes from: it is the last feature map, flattened
            source = flattened[-1]
            before = [r for r in rows if r.is_leaf and r.index < source.index]
            origin = f" from {before[-1].name}" if before else ""
            reason += (
                f"; that is {format_shape(source.input_shape)} = {_numel(source.input_shape):,}"
                f"{origin}, flattened"
            )
        raise LayerShapeError(
            failing.name, type(failing.module).__name__, tuple(failing.input_shape), reason, rows
        ) from exc
    rows = _rows_from_records(records, complete=True)
    total_macs = sum(r.macs for r in records if r.is_leaf)
    return ModelSummary(
        model=name or type(module).__name__,
        input_shape=shape,
        output_shape=tuple(out),
        total_params=module.num_parameters(),
        trainable_params=module.num_parameters(trainable_only=True),
        total_macs=total_macs,
        layers=rows,
        dtype_bytes=dtype_bytes,
        depth=depth,
        module=module,
    )


def summarize_zoo(
    name: str, input_shape: Shape | None = None, depth: int | None = None
) -> ModelSummary:
    """Summary of a zoo entry at its default input (or `input_shape`)."""
    from cnntui import zoo

    entry = zoo.get(name)
    return summarize(entry.build(), input_shape or entry.input_shape, depth=depth, name=entry.name)
