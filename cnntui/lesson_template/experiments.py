"""Template functions computed by running or tracing the engine: activation memory of a model,
the cost of standard against depthwise-separable convolution, and initialisation statistics.

    activations MODEL [LAYER|KIND]   values a forward pass stores: the outputs of the
                                     convolution, pooling and FC layers (plus the input when no
                                     part is named); ReLU, dropout and flatten work in place or
                                     reshape, so they store nothing new
    stdconv params|macs SIZE CIN COUT K   a K×K convolution (stride 1, "same" padding, no bias)
                                     from CIN to COUT channels on a SIZE×SIZE map
    sepconv params|macs SIZE CIN COUT K   the depthwise-separable version: a K×K depthwise
                                     convolution (groups = CIN), then a 1×1 pointwise one
    initstat INIT ACT LAYER FIELD    a statistic of `cnntui.engine.init_statistics` (LAYER is
                                     1…10, `first` or `last`; FIELD one of its fields)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cnntui.i18n import _
from cnntui.lesson_template.arguments import _whole
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.models import LayerRow, ModelTrace, trace_module
from cnntui.lesson_template.values import Quantity, Value

STORING_KINDS = ("conv", "pool", "fc")
"""Layers whose output is a new array a forward pass keeps for the backward pass."""


def stored_values(rows: list[LayerRow]) -> int:
    """Sum of the output sizes (values per image) of the storing layers among `rows`."""
    total = 0
    for row in rows:
        if row.is_leaf and row.kind in STORING_KINDS:
            size = 1
            for dim in row.output_shape:
                size *= dim
            total += size
    return total


def _cost(kind: str, size: int, cin: int, cout: int, k: int) -> ModelTrace:
    from cnntui.engine import nn

    if k % 2 == 0:
        raise _Problem(
            _("{kind}: the kernel size must be odd so that padding keeps the size").format(
                kind=kind
            )
        )
    pad = k // 2
    if kind == "stdconv":
        module: Any = nn.Sequential(conv=nn.Conv2d(cin, cout, k, padding=pad, bias=False))
    else:
        module = nn.Sequential(
            depthwise=nn.Conv2d(cin, cin, k, padding=pad, groups=cin, bias=False),
            pointwise=nn.Conv2d(cin, cout, 1, bias=False),
        )
    return trace_module(kind, module, (cin, size, size))


class ExperimentFunctions:
    """The template functions above (a part of `Renderer`)."""

    _find_rows: Callable[[ModelTrace, str], list[LayerRow]]
    trace: Callable[[str], ModelTrace]

    def _activations(self, args: list[str], variables: dict[str, Any]) -> Value:
        if not 1 <= len(args) <= 2:
            raise _Problem(_("usage: {{ activations MODEL [LAYER|KIND] }}"))
        model = self.trace(args[0])
        if len(args) == 1:
            size = 1
            for dim in model.input_shape:
                size *= dim
            return Quantity(size + stored_values(model.rows))
        return Quantity(stored_values(self._find_rows(model, args[1])))

    def _conv_cost(self, kind: str, args: list[str], variables: dict[str, Any]) -> Value:
        usage = _("usage: {{{{ {kind} params|macs SIZE CIN COUT K }}}}").format(kind=kind)
        if len(args) != 5 or args[0] not in ("params", "macs"):
            raise _Problem(usage)
        size, cin, cout, k = (_whole(a, kind, variables) for a in args[1:])
        if min(size, cin, cout, k) < 1:
            raise _Problem(_("{kind}: sizes must be 1 or more").format(kind=kind))
        trace = _cost(kind, size, cin, cout, k)
        return Quantity(trace.total_params if args[0] == "params" else trace.total_macs)

    def _stdconv(self, args: list[str], variables: dict[str, Any]) -> Value:
        return self._conv_cost("stdconv", args, variables)

    def _sepconv(self, args: list[str], variables: dict[str, Any]) -> Value:
        return self._conv_cost("sepconv", args, variables)

    def _initstat(self, args: list[str], variables: dict[str, Any]) -> Value:
        from cnntui.engine.init_statistics import ACTIVATIONS, FIELDS, INITS, init_statistics

        if len(args) != 4:
            raise _Problem(_("usage: {{ initstat INIT ACTIVATION LAYER FIELD }}"))
        init, activation, layer, name = args
        if init not in INITS or activation not in ACTIVATIONS or name not in FIELDS:
            raise _Problem(
                _(
                    "initstat: INIT is one of {value}, ACTIVATION one of {value2}, FIELD one of {value3}"
                ).format(
                    value=", ".join(INITS), value2=", ".join(ACTIVATIONS), value3=", ".join(FIELDS)
                )
            )
        rows = init_statistics(init, activation)
        if layer in ("first", "last"):
            row = rows[0] if layer == "first" else rows[-1]
        else:
            index = _whole(layer, "initstat", variables)
            if not 1 <= index <= len(rows):
                raise _Problem(
                    _("initstat: LAYER is 1 to {value}, first or last").format(value=len(rows))
                )
            row = rows[index - 1]
        return Quantity(float(getattr(row, name)))
