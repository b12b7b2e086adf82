"""Model lookups: zoo models traced once (parameters, shapes, MACs per layer) and the functions
`params`, `trainable`, `share`, `count`, `macs`, `shape`, `layers` and `connections`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from cnntui.i18n import _
from cnntui.lesson_template.arguments import _at_most
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.formatting import format_shape
from cnntui.lesson_template.values import Quantity, Shape, ShapeValue, Text, Value

NTH_OF_KIND = re.compile(r"^(conv|deconv|pool|fc|bn|norm|relu|rbf)(\d+)$")
KINDS = ("conv", "deconv", "pool", "fc", "bn", "norm", "relu", "rbf")


@dataclass(frozen=True)
class LayerRow:
    """One traced layer: dotted name, kind, shapes, parameters (own and inside) and MACs."""

    name: str
    kind: str
    is_leaf: bool
    input_shape: Shape
    output_shape: Shape
    params: int
    trainable: int
    macs: int


@dataclass
class ModelTrace:
    """A model traced once: its input shape and every module in pre-order."""

    name: str
    input_shape: Shape
    output_shape: Shape
    rows: list[LayerRow] = field(default_factory=list)
    modules: dict[str, Any] = field(default_factory=dict, repr=False)
    """The traced modules by dotted name, for layer details such as a connection table."""

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows if r.is_leaf)

    @property
    def total_trainable(self) -> int:
        return sum(r.trainable for r in self.rows if r.is_leaf)

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.rows if r.is_leaf)


def layer_kind(module: Any) -> str:
    """`conv`, `deconv`, `pool`, `fc`, `bn`, `norm`, `relu` or `other`, from the class name."""
    name = type(module).__name__.lower()
    if "transpose" in name:
        return "deconv"
    if "conv" in name:
        return "conv"
    if "pool" in name or "subsampl" in name:
        return "pool"
    if "rbf" in name:
        return "rbf"
    if "linear" in name:
        return "fc"
    if "batchnorm" in name:
        return "bn"
    if "norm" in name:
        return "norm"
    if "relu" in name:
        return "relu"
    return "other"


def trace_module(name: str, module: Any, input_shape: Shape) -> ModelTrace:
    """Trace an engine `Module` symbolically (no weights are allocated).

    Containers get the parameters and MACs of everything inside them; MACs live on the leaves
    (a container's own record carries none), so each leaf's MACs are added to its ancestors.
    """
    from cnntui.engine.module import Field, TraceRecord

    records: list[TraceRecord] = []
    output, _field = module.trace(tuple(input_shape), Field(), records)
    leaves = [not any(True for _child in r.module.children()) for r in records]
    # (params, trainable, macs) of everything inside each container, summed once over the
    # records instead of walking every subtree again; a container's own parameters (rare) count
    # too.
    totals: dict[str, list[int]] = {}
    for record, leaf in zip(records, leaves):
        if leaf:
            own = [record.params, record.trainable_params, record.macs]
        else:
            direct = list(vars(record.module).get("_parameters", {}).values())
            own = [sum(p.numel for p in direct), sum(p.numel for p in direct if p.requires_grad), 0]
        parts = record.name.split(".") if record.name else []
        for depth in range(len(parts) + 1):
            ancestor = ".".join(parts[:depth])
            if ancestor == record.name and leaf:
                continue
            entry = totals.setdefault(ancestor, [0, 0, 0])
            for index in range(3):
                entry[index] += own[index]
    rows: list[LayerRow] = []
    for record, leaf in zip(records, leaves):
        params, trainable, macs = (
            (record.params, record.trainable_params, record.macs)
            if leaf
            else tuple(totals.get(record.name, [0, 0, 0]))
        )
        rows.append(
            LayerRow(
                name=record.name,
                kind=layer_kind(record.module),
                is_leaf=leaf,
                input_shape=tuple(record.input_shape),
                output_shape=tuple(record.output_shape),
                params=params,
                trainable=trainable,
                macs=macs,
            )
        )
    return ModelTrace(
        name=name,
        input_shape=tuple(input_shape),
        output_shape=tuple(output),
        rows=rows,
        modules={record.name: record.module for record in records},
    )


def zoo_trace(name: str) -> ModelTrace:
    """Build the zoo model `name` (or a lesson variant, see `variants`) and trace it at its
    default input shape."""
    from cnntui import zoo
    from cnntui.lesson_template.variants import VARIANTS

    if name in VARIANTS:
        build, input_shape = VARIANTS[name]
        return trace_module(name, build(), input_shape)
    names = list(zoo.names())
    if name not in names:
        known = ", ".join([*names, *VARIANTS])
        raise _Problem(
            _("unknown model '{name}'; known models: {known}").format(name=name, known=known)
        )
    entry = zoo.get(name)
    module = entry.build()
    shape = _entry_input_shape(entry)
    return trace_module(name, module, shape)


def _entry_input_shape(entry: Any) -> Shape:
    for attribute in ("input_shape", "default_input_shape", "input_size"):
        shape = getattr(entry, attribute, None)
        if shape is not None:
            return tuple(int(s) for s in shape)
    raise _Problem(_("model '{name}' has no default input shape").format(name=entry.name))


class ModelFunctions:
    """The template functions that read a traced model (a part of `Renderer`)."""

    _models: Callable[[str], ModelTrace]
    _traces: dict[str, ModelTrace]

    def trace(self, name: str) -> ModelTrace:
        if name not in self._traces:
            try:
                self._traces[name] = self._models(name)
            except LookupError:
                raise _Problem(_("unknown model '{name}'").format(name=name)) from None
        return self._traces[name]

    def _find_rows(self, model: ModelTrace, part: str) -> list[LayerRow]:
        """The rows a LAYER or KIND names: a kind gives every leaf of that kind."""
        if part in KINDS:
            return [r for r in model.rows if r.is_leaf and r.kind == part]
        return [self._find_layer(model, part)]

    def _find_layer(self, model: ModelTrace, part: str) -> LayerRow:
        for row in model.rows:
            if row.name == part:
                return row
        nth = NTH_OF_KIND.match(part)
        if nth:
            kind, index = nth.group(1), int(nth.group(2))
            of_kind = [r for r in model.rows if r.is_leaf and r.kind == kind]
            if 1 <= index <= len(of_kind):
                return of_kind[index - 1]
            raise _Problem(
                _("model '{name}' has {value} {kind} layer(s); '{part}' does not exist").format(
                    name=model.name, value=len(of_kind), kind=kind, part=part
                )
            )
        named = [r.name for r in model.rows if r.name and "." not in r.name]
        raise _Problem(
            _(
                "model '{name}' has no layer '{part}'; use a dotted name such as {value}, a kind ({value2}), or convN/poolN/fcN"
            ).format(
                name=model.name, part=part, value=", ".join(named[:6]), value2=", ".join(KINDS)
            )
        )

    def _model_arg(self, args: list[str], function: str, usage: str) -> ModelTrace:
        if not args:
            raise _Problem(
                _("'{function}' needs a model: {{{{ {usage} }}}}").format(
                    function=function, usage=usage
                )
            )
        return self.trace(args[0])

    def _params(self, args: list[str], variables: dict[str, Any]) -> Value:
        model = self._model_arg(args, "params", "params MODEL [LAYER|KIND]")
        _at_most(args, 2, "params MODEL [LAYER|KIND]")
        if len(args) == 1:
            return Quantity(model.total_params)
        return Quantity(sum(r.params for r in self._find_rows(model, args[1])))

    def _trainable(self, args: list[str], variables: dict[str, Any]) -> Value:
        model = self._model_arg(args, "trainable", "trainable MODEL [LAYER|KIND]")
        _at_most(args, 2, "trainable MODEL [LAYER|KIND]")
        if len(args) == 1:
            return Quantity(model.total_trainable)
        return Quantity(sum(r.trainable for r in self._find_rows(model, args[1])))

    def _count(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2 or args[1] not in KINDS:
            raise _Problem(
                _("usage: {{{{ count MODEL KIND }}}} with KIND one of {value}").format(
                    value=", ".join(KINDS)
                )
            )
        model = self.trace(args[0])
        return Quantity(len(self._find_rows(model, args[1])))

    def _share(self, args: list[str], variables: dict[str, Any]) -> Value:
        model = self._model_arg(args, "share", "share MODEL LAYER|KIND")
        if len(args) != 2:
            raise _Problem(_("usage: {{ share MODEL LAYER|KIND }}"))
        part = sum(r.params for r in self._find_rows(model, args[1]))
        return Quantity(Fraction(part, model.total_params), percent=True)

    def _macs(self, args: list[str], variables: dict[str, Any]) -> Value:
        model = self._model_arg(args, "macs", "macs MODEL [LAYER|KIND]")
        _at_most(args, 2, "macs MODEL [LAYER|KIND]")
        if len(args) == 1:
            return Quantity(model.total_macs)
        return Quantity(sum(r.macs for r in self._find_rows(model, args[1])))

    def _shape(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(_("usage: {{ shape MODEL LAYER }} (LAYER may be 'input' or 'output')"))
        model = self.trace(args[0])
        if args[1] == "input":
            return ShapeValue(model.input_shape)
        if args[1] == "output":
            return ShapeValue(model.output_shape)
        return ShapeValue(self._find_layer(model, args[1]).output_shape)

    def _layers(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) < 2:
            raise _Problem(_("usage: {{ layers MODEL LAYER ... }}"))
        model = self.trace(args[0])
        lines = [
            "| layer | output | params | MACs |",
            "|---|---:|---:|---:|",
            f"| input | {format_shape(model.input_shape)} | | |",
        ]
        for part in args[1:]:
            row = self._find_layer(model, part)
            lines.append(
                f"| {part} | {format_shape(row.output_shape)} | {row.params:,} | {row.macs:,} |"
            )
        return Text("\n".join(lines))

    def _connections(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(
                _("usage: {{ connections MODEL LAYER }} (a layer with a connection table)")
            )
        model = self.trace(args[0])
        row = self._find_layer(model, args[1])
        table = getattr(model.modules.get(row.name), "table", None)
        if not table:
            raise _Problem(
                _(
                    "layer '{value}' of '{value2}' reads every input map; it has no connection table"
                ).format(value=args[1], value2=args[0])
            )
        inputs = max(max(links) for links in table) + 1
        width = max(len("output map"), len(str(len(table) - 1)))
        lines = [
            f"{'output map'.rjust(width)}   reads input maps",
            f"{''.rjust(width)}   " + " ".join(str(i) for i in range(inputs)),
        ]
        for index, links in enumerate(table):
            marks = " ".join("X" if i in links else "." for i in range(inputs))
            lines.append(f"{str(index).rjust(width)}   {marks}")
        return Text("\n".join(lines))
