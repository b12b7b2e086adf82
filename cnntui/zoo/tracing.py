"""Helpers for zoo containers that route shapes through their children themselves.

The engine's `Sequential` covers straight chains. Blocks whose layout must match torchvision's
attribute names (a residual block's `conv1`, `bn1`, `downsample`; an Inception module's
`branch1` … `branch4`; GoogLeNet's side classifiers) override `Module.trace` with these helpers so
their records look exactly like the engine's: the container first (pre-order), then its children.
"""

from __future__ import annotations

from typing import Any

from cnntui.engine.backend import array_module
from cnntui.engine.module import Field, Module, Shape, TraceRecord


def child_name(prefix: str, name: str) -> str:
    """Dotted name of a child, as in PyTorch's `named_modules()` (`layer1.0.conv1`)."""
    return f"{prefix}.{name}" if prefix else name


def open_record(
    module: Module, input_shape: Shape, records: list[TraceRecord], depth: int, name: str
) -> TraceRecord:
    """Append the container's own record before its children's (pre-order)."""
    record = TraceRecord(
        name=name, module=module, depth=depth, input_shape=tuple(input_shape), is_leaf=False
    )
    records.append(record)
    return record


def close_record(record: TraceRecord, output_shape: Shape, field_out: Field) -> None:
    """Fill in a container's record once its children have been traced.

    Like the engine's containers, the record carries the parameters of the whole subtree and no
    multiply-accumulates of its own (those belong to the leaves, so totals are never counted twice).
    """
    record.output_shape = tuple(output_shape)
    record.field = field_out
    record.params = record.module.num_parameters()
    record.trainable_params = record.module.num_parameters(trainable_only=True)
    record.macs = 0


def trace_chain(
    module: Module,
    names: list[str],
    shape: Shape,
    field_in: Field,
    records: list[TraceRecord],
    depth: int,
    prefix: str,
) -> tuple[Shape, Field]:
    """Trace the named children of `module` one after another; returns the last shape and field."""
    field_now = field_in
    for child in names:
        sub: Module = getattr(module, child)
        shape, field_now = sub.trace(shape, field_now, records, depth + 1, child_name(prefix, child))
    return shape, field_now


__all__ = ["array_module", "backward_chain", "child_name", "close_record", "forward_chain",
           "open_record", "trace_chain"]


def forward_chain(module: Module, names: list[str], x: Any) -> Any:
    for child in names:
        x = getattr(module, child).forward(x)
    return x


def backward_chain(module: Module, names: list[str], grad: Any) -> Any:
    """Backward through the named children in reverse; the first child skips its input gradient
    when the container's own input gradient is not needed."""
    if names:
        getattr(module, names[0]).needs_input_grad = getattr(module, "needs_input_grad", True)
    for child in reversed(names):
        grad = getattr(module, child).backward(grad)
    return grad
