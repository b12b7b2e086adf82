"""A network as a directed acyclic graph of layers, for graphs that are not a plain chain.

`Graph` holds its layers as named children and a list of `Step`s in topological order: each step
feeds one or more named values to a layer and names its output. Single-input layers are ordinary
modules (`Conv2d`, `ReLU`, …); a step with several inputs uses a merge layer, `Add` (a residual
sum) or `Concatenate` (channel concat, an Inception module's join). It is what an imported ONNX
graph becomes, where skip connections are edges rather than nested containers.

Symbolic tracing follows the same contract as `Sequential`: the graph's record first, then one
record per step in order (depth + 1), so summaries, MACs and receptive fields work unchanged; a
merge's receptive field is the widest of its inputs', as for `Residual` and `Concat`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cnntui.engine import functional as F
from cnntui.engine.backend import array_module
from cnntui.engine.module import (
    Field,
    Module,
    Shape,
    TraceRecord,
    child_name,
    close_record,
    open_record,
)
from cnntui.errors import ShapeError

INPUT = "input"
"""The name of the graph's input value."""


def _add(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


class Merge(Module, ABC):
    """A layer with several inputs; `Graph` calls the `*_many` methods (`Add`, `Concatenate`)."""

    @abstractmethod
    def merged_shape(self, shapes: Sequence[Shape]) -> Shape: ...

    @abstractmethod
    def forward_many(self, xs: Sequence[Any]) -> Any: ...

    @abstractmethod
    def backward_many(self, grad_out: Any) -> list[Any]: ...

    def output_shape(self, input_shape: Shape) -> Shape:
        return self.merged_shape([input_shape])


class Add(Merge):
    """Elementwise sum of inputs of equal shape (a residual connection)."""

    def __init__(self) -> None:
        super().__init__()
        self._count = 0

    def merged_shape(self, shapes: Sequence[Shape]) -> Shape:
        if len({tuple(s) for s in shapes}) != 1:
            raise ShapeError(
                f"Add: inputs must have the same shape to be added, got {[tuple(s) for s in shapes]}"
            )
        return tuple(shapes[0])

    def describe(self) -> str:
        return "sum"

    def forward_many(self, xs: Sequence[Any]) -> Any:
        if len({tuple(x.shape) for x in xs}) != 1:
            raise ShapeError(f"Add: inputs have shapes {[tuple(x.shape) for x in xs]}")
        self._count = len(xs)
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out

    def backward_many(self, grad_out: Any) -> list[Any]:
        return [grad_out] * self._count


class Concatenate(Merge):
    """Inputs joined along the channel axis (axis 1 of the batched array); the other axes agree."""

    def __init__(self) -> None:
        super().__init__()
        self._splits: list[int] = []

    def merged_shape(self, shapes: Sequence[Shape]) -> Shape:
        if len({tuple(s[1:]) for s in shapes}) != 1 or any(len(s) < 1 for s in shapes):
            raise ShapeError(
                f"Concat: inputs must agree on every axis but channels, got {[tuple(s) for s in shapes]}"
            )
        return (sum(s[0] for s in shapes), *shapes[0][1:])

    def describe(self) -> str:
        return "channels"

    def forward_many(self, xs: Sequence[Any]) -> Any:
        self._splits = [int(x.shape[1]) for x in xs]
        return array_module(xs[0]).concatenate(list(xs), axis=1)

    def backward_many(self, grad_out: Any) -> list[Any]:
        grads = []
        start = 0
        for width in self._splits:
            grads.append(grad_out[:, start : start + width])
            start += width
        return grads


class Softmax(Module):
    """softmax over the channel axis (axis 1 of the batched array), as ONNX's `Softmax(axis=1)`."""

    def __init__(self, dim: int = 1) -> None:
        super().__init__()
        if dim != 1:
            raise ValueError(f"Softmax: only dim=1 (the channels) is supported, got {dim}")
        self.dim = dim
        self._output: Any = None

    def output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def describe(self) -> str:
        return "over channels"

    def forward(self, x: Any) -> Any:
        self._output = F.softmax(x, dim=1)
        return self._output

    def backward(self, grad_out: Any) -> Any:
        return F.softmax_backward(grad_out, self._output, dim=1)


class Group(Module):
    """A name prefix that several layers of a `Graph` share (`layer1.0` for `layer1.0.conv1`, …),
    shown as a container row in summaries; it owns nothing and never runs."""

    def output_shape(self, input_shape: Shape) -> Shape:
        raise TypeError("a Group only labels layers of a Graph in summaries")


def _close_group(
    group: tuple[str, TraceRecord, int], records: list[TraceRecord], last: tuple[Shape, Field]
) -> None:
    """Fill in a group's record: the output of its last layer, the parameters of its layers."""
    _, record, start = group
    record.output_shape, record.field = last
    inside = [r for r in records[start:] if r.is_leaf]
    record.params = sum(r.params for r in inside)
    record.trainable_params = sum(r.trainable_params for r in inside)


@dataclass(frozen=True)
class Step:
    """`output = layer(inputs…)`: `layer` names a child of the graph; values are named by string
    (the graph's input is `INPUT`)."""

    layer: str
    inputs: tuple[str, ...]
    output: str


class Graph(Module):
    """Layers wired as a DAG (see the module docstring). `output` names the value returned."""

    def __init__(self, layers: Sequence[tuple[Step, Module]], output: str) -> None:
        super().__init__()
        self.steps: list[Step] = []
        known = {INPUT}
        for step, module in layers:
            missing = [v for v in step.inputs if v not in known]
            if missing:
                raise ValueError(f"Graph: step {step.layer!r} reads {missing} before it is made")
            if step.layer in self._modules:
                raise ValueError(f"Graph: two layers are named {step.layer!r}")
            if len(step.inputs) != 1 and not isinstance(module, Merge):
                raise ValueError(f"Graph: {step.layer!r} takes one input, got {len(step.inputs)}")
            setattr(self, step.layer, module)
            self.steps.append(step)
            known.add(step.output)
        if output not in known:
            raise ValueError(f"Graph: the output {output!r} is never made")
        self.output = output

    def _layer(self, step: Step) -> Module:
        return self._modules[step.layer]

    def trace(
        self,
        input_shape: Shape,
        field_in: Field,
        records: list[TraceRecord],
        depth: int = 0,
        name: str = "",
    ) -> tuple[Shape, Field]:
        record = open_record(self, input_shape, records, depth, name)
        shapes: dict[str, Shape] = {INPUT: tuple(input_shape)}
        fields: dict[str, Field] = {INPUT: field_in}
        groups: list[tuple[str, TraceRecord, int]] = []  # open name prefixes, outermost first
        last: tuple[Shape, Field] = (tuple(input_shape), field_in)
        for step in self.steps:
            layer = self._layer(step)
            parts = step.layer.split(".")[:-1]
            prefixes = [".".join(parts[: i + 1]) for i in range(len(parts))]
            while groups and (
                len(groups) > len(prefixes) or groups[-1][0] != prefixes[len(groups) - 1]
            ):
                _close_group(groups.pop(), records, last)
            first_input = shapes[step.inputs[0]]
            for prefix in prefixes[len(groups) :]:
                opened = TraceRecord(
                    name=child_name(name, prefix),
                    module=Group(),
                    depth=depth + 1 + len(groups),
                    input_shape=first_input,
                    is_leaf=False,
                )
                records.append(opened)
                groups.append((prefix, opened, len(records)))
            label = child_name(name, step.layer)
            inner = depth + 1 + len(groups)
            if isinstance(layer, Merge):
                ins = [shapes[v] for v in step.inputs]
                leaf = TraceRecord(name=label, module=layer, depth=inner, input_shape=ins[0])
                records.append(leaf)
                leaf.output_shape = layer.merged_shape(ins)
                leaf.field = Field.widest([fields[v] for v in step.inputs])
                shapes[step.output], fields[step.output] = leaf.output_shape, leaf.field
            else:
                v = step.inputs[0]
                shapes[step.output], fields[step.output] = layer.trace(
                    shapes[v], fields[v], records, inner, label
                )
            last = (shapes[step.output], fields[step.output])
        while groups:
            _close_group(groups.pop(), records, last)
        close_record(record, shapes[self.output], fields[self.output])
        return shapes[self.output], fields[self.output]

    def forward(self, x: Any) -> Any:
        return self.forward_with_activations(x, keep=False)[0]

    def forward_with_activations(self, x: Any, keep: bool = True) -> tuple[Any, dict[str, Any]]:
        """The output, and (with `keep`) every layer's output by layer name, in step order: what
        a view of the activations needs from a network that is not a chain."""
        values: dict[str, Any] = {INPUT: x}
        kept: dict[str, Any] = {}
        for step in self.steps:
            layer = self._layer(step)
            if isinstance(layer, Merge):
                values[step.output] = layer.forward_many([values[v] for v in step.inputs])
            else:
                values[step.output] = layer.forward(values[step.inputs[0]])
            if keep:
                kept[step.layer] = values[step.output]
        return values[self.output], kept

    def backward(self, grad_out: Any) -> Any:
        grads: dict[str, Any] = {self.output: grad_out}
        for step in reversed(self.steps):
            grad = grads.pop(step.output, None)
            if grad is None:
                continue  # a value nothing downstream of the output uses
            layer = self._layer(step)
            if isinstance(layer, Merge):
                for v, g in zip(step.inputs, layer.backward_many(grad)):
                    grads[v] = _add(grads.get(v), g)
            else:
                layer.needs_input_grad = step.inputs[0] != INPUT or self.needs_input_grad
                grads[step.inputs[0]] = _add(grads.get(step.inputs[0]), layer.backward(grad))
        return grads.get(INPUT) if self.needs_input_grad else None

    def as_chain(self) -> list[tuple[str, Module]] | None:
        """`(layer name, layer)` in order when every step reads the one before it (a plain stack
        of layers such as LeNet or VGG, which `nn.Sequential` can run); None for a real DAG."""
        previous = INPUT
        chain: list[tuple[str, Module]] = []
        for step in self.steps:
            if list(step.inputs) != [previous]:
                return None
            chain.append((step.layer, self._layer(step)))
            previous = step.output
        return chain if previous == self.output else None

    def longest_path(self, weight: Callable[[str, Module], int]) -> int:
        """The largest sum of `weight(name, layer)` along any path from the input to the output
        (e.g. counting weight layers gives the depth papers quote: a shortcut's projection beside
        a deeper body does not add to it)."""
        best: dict[str, int] = {INPUT: 0}
        for step in self.steps:
            before = max(best.get(v, 0) for v in step.inputs)
            best[step.output] = before + weight(step.layer, self._layer(step))
        return best.get(self.output, 0)

    def extra_repr(self) -> str:
        return f"{len(self.steps)} steps"
