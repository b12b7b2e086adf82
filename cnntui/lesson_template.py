"""The `{{ ... }}` template language of lessons: numbers are computed, never typed.

A lesson writes `{{ params vgg16 }}` and the reader shows `138,357,544`, computed by the engine
from the zoo's model when the lesson renders, so a lesson can never disagree with the Models lab.
Every expression sits on one line between `{{` and `}}`:

    {{ FUNCTION ARG ... }}                 a value in its default format
    {{ FUNCTION ARG ... | FILTER ARG }}    the same value through one or more filters
    {{ let NAME = VALUE }}                 a lesson-local value (renders as nothing)

Functions (MODEL is a zoo name such as `alexnet`; LAYER is a dotted layer name from the model, or
`convN`, `poolN`, `fcN`, `bnN`, `deconvN`: the N-th layer of that kind, counting from 1):

    params MODEL [LAYER|KIND]   parameter count (KIND: conv, deconv, fc, bn, pool, norm, rbf)
    trainable MODEL [...]       the same, counting only trainable parameters
    share MODEL LAYER|KIND      that part's share of all parameters, as a percentage
    count MODEL KIND            how many layers of that kind the model has
    macs MODEL [LAYER|KIND]     multiply-accumulates per image (what torchvision calls FLOPS)
    shape MODEL LAYER           output shape written H×W×C (`input` for the input, `output`)
    layers MODEL LAYER ...      a Markdown table: layer, output H×W×C, parameters, MACs
    connections MODEL LAYER     a sparse layer's connection table (LeNet-5's C3), as ASCII
    outsize I F P S [D]         convolution output size ⌊(I + 2P − D(F − 1) − 1)/S⌋ + 1
    fact KEY                    a sourced figure from assets/facts.toml, with its unit
    bars KEY ...                an ASCII bar chart of percentage facts (for a code block)
    calc EXPRESSION             exact arithmetic: + - * / // % ** and parentheses, numbers,
                                `let` names, and params("m"[, "part"]), macs("m"[, "part"]),
                                fact("key"), outsize(i, f, p, s[, d])
    ptable TABLE DATA           probability table of a `let` data set of `x:y` samples
                                (TABLE: joint, x, y, y_given_x, x_given_y, cdf)
    prob DATA TABLE X [Y]       one probability of such a data set (TABLE as for ptable)
    sample DATA U               the x that the uniform number U picks from P(x)
    predict DATA X              the label with the highest P(y|x)
    shiftshare IMAGE PIXELS     share of a bundled image's pixels that change when it moves
    matrix GRID                 a `let` grid (`{{ let x = 1 2 ; 3 4 }}`) as aligned rows
    correlate GRID KERNEL ...   the output map (options: stride S, pad P, bias B, flip, relu);
                                `r,g,b` names several grids as the channels of one input
    window GRID KERNEL R C ...  the products of one output position written out
    pool GRID max|avg K [stride S], shift GRID N, padded GRID P [zero|replicate]: more grids
    changed GRID OTHER          the share of positions whose values differ, as a percentage
    kernel NAME                 a Conv Lab kernel preset (without its common factor, e.g. 1/9)

Filters: `raw` (no separators: for quiz answers), `fixed N`, `percent N` (a ratio times 100,
rounded, as a plain number), `round N` (N < 0 rounds to tens,
hundreds...), `thousand [N]`, `million [N]`, `billion [N]`, `pct [N]` (a ratio as a percentage),
`times [N]`, `digits` (how many decimal digits), `sci [N]` (`1.80 × 10^308`), and for shapes
`chw` (C×H×W), `hw` (H×W), `c` (channels), `numel` (C·H·W), `positions` (H·W), `h`, `w`.

Nothing is evaluated with `eval`: `calc` walks a restricted syntax tree. Errors raise
`TemplateError` with the line number and what would be valid. Results are cached: each model is
traced once per process and each lesson text is rendered once.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from typing import Any

from cnntui.errors import CnnTuiError
from cnntui.facts import Fact

Number = int | Fraction | float
Shape = tuple[int, ...]

EXPRESSION = re.compile(r"\{\{(.*?)\}\}")
LET = re.compile(r"^let\s+([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$")
NTH_OF_KIND = re.compile(r"^(conv|deconv|pool|fc|bn|norm|relu|rbf)(\d+)$")
KINDS = ("conv", "deconv", "pool", "fc", "bn", "norm", "relu", "rbf")
MAX_EXPONENT = 4096
MAX_BAR_WIDTH = 20
MAX_SIDE_BY_SIDE = 64


class TemplateError(CnnTuiError):
    """A `{{ ... }}` expression could not be rendered; the message starts with `line N:`."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason
        self.message = reason


class _Problem(Exception):
    """Raised inside an expression; `render` adds the line number."""


# --- values ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quantity:
    """A number with the way it is written by default.

    `percent` marks a ratio (0.894) shown as a percentage (`89.4%`); `fact` keeps the sourced
    figure so its default text is exactly what the facts file says.
    """

    value: Number
    percent: bool = False
    fact: Fact | None = None
    decimals: int | None = None
    """Shown with up to this many decimals (trailing zeros dropped); None: the default."""


@dataclass(frozen=True)
class ShapeValue:
    """A per-sample shape `(C, H, W)` or `(F,)`, written the way lessons do: `55×55×96`."""

    dims: Shape


@dataclass(frozen=True)
class Text:
    """Finished text (a table, a chart, a name): filters do not apply."""

    text: str


@dataclass(frozen=True)
class Matrix:
    """A small grid of exact numbers for worked examples, one per channel: `(C, H, W)` nested
    lists. Written as aligned rows (for a code block), channels separated by a blank line."""

    channels: tuple[tuple[tuple[Number, ...], ...], ...]

    @property
    def height(self) -> int:
        return len(self.channels[0])

    @property
    def width(self) -> int:
        return len(self.channels[0][0])


Value = Quantity | ShapeValue | Text | Matrix


# --- formatting -------------------------------------------------------------------------------


def format_number(value: Number, decimals: int | None = None) -> str:
    """Thousands separators; integers exactly, other numbers to `decimals` (default: up to 2)."""
    if isinstance(value, Fraction) and value.denominator == 1:
        value = int(value)
    if isinstance(value, float) and value.is_integer() and decimals is None and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int) and decimals is None:
        return f"{value:,}"
    if decimals is not None:
        return f"{float(value):,.{decimals}f}" if not isinstance(value, int) else f"{value:,.{decimals}f}"
    if isinstance(value, float):
        text = f"{value:,}"
        if "e" not in text and len(text.split(".")[-1]) <= 4:
            return text
    text = f"{float(value):,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_shape(dims: Shape) -> str:
    """`(96, 55, 55)` → `55×55×96`; `(9216,)` → `9,216`; `(100, 1, 1)` → `1×1×100`."""
    if len(dims) == 3:
        c, h, w = dims
        return f"{h}×{w}×{c}"
    if len(dims) == 1:
        return f"{dims[0]:,}"
    return "×".join(str(d) for d in dims)


def format_matrix(matrix: Matrix) -> str:
    """Right-aligned columns, one row per line. Several channels stand side by side, three
    spaces apart (or one below the other when that would be wider than a narrow terminal)."""
    cells = [[[format_number(v) for v in row] for row in channel] for channel in matrix.channels]
    width = max(len(c) for channel in cells for row in channel for c in row)
    blocks = [[" ".join(c.rjust(width) for c in row) for row in channel] for channel in cells]
    block_width = len(blocks[0][0])
    if len(blocks) > 1 and len(blocks) * (block_width + 3) - 3 <= MAX_SIDE_BY_SIDE:
        return "\n".join("   ".join(block[i] for block in blocks) for i in range(len(blocks[0])))
    return "\n\n".join("\n".join(block) for block in blocks)


def default_text(value: Value) -> str:
    if isinstance(value, Text):
        return value.text
    if isinstance(value, Matrix):
        return format_matrix(value)
    if isinstance(value, ShapeValue):
        return format_shape(value.dims)
    if value.fact is not None:
        return value.fact.display()
    if value.percent:
        return format_number(Fraction(value.value) * 100, 1) + "%"
    if value.decimals is not None and value.decimals > 0:
        text = format_number(value.value, value.decimals)
        return text.rstrip("0").rstrip(".") if "." in text else text
    return format_number(value.value)


def _as_number(value: Value, filter_name: str) -> Number:
    if isinstance(value, Quantity):
        return value.value
    if isinstance(value, ShapeValue) and len(value.dims) == 1:
        return value.dims[0]
    raise _Problem(f"filter '{filter_name}' needs a number, not {default_text(value)!r}")


def _int_arg(args: list[str], index: int, default: int, filter_name: str) -> int:
    if len(args) <= index:
        return default
    try:
        return int(args[index])
    except ValueError:
        raise _Problem(f"filter '{filter_name}' takes a whole number, not '{args[index]}'") from None


def _scaled(value: Value, args: list[str], name: str, scale: int) -> Value:
    """The number in thousands, millions or billions, rounded to N decimals (default 1)."""
    decimals = _int_arg(args, 0, 1, name)
    number = round(Fraction(_as_number(value, name)) / scale, decimals)
    return Quantity(int(number) if number.denominator == 1 else number, decimals=decimals)


def _filter_raw(value: Value, args: list[str]) -> Value:
    if isinstance(value, ShapeValue):
        return Text("x".join(str(d) for d in value.dims))
    number = _as_number(value, "raw")
    if isinstance(number, Fraction):
        number = int(number) if number.denominator == 1 else float(number)
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return Text(str(number))


def _filter_fixed(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "fixed")
    if isinstance(value, Quantity) and value.percent:
        return Text(format_number(Fraction(number) * 100, _int_arg(args, 0, 1, "fixed")) + "%")
    text = format_number(number, _int_arg(args, 0, 2, "fixed"))
    if isinstance(value, Quantity) and value.fact is not None and value.fact.unit == "%":
        text += "%"
    return Text(text)


def _filter_round(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "round")
    places = _int_arg(args, 0, 0, "round")
    rounded = round(Fraction(number), places)
    return Text(format_number(rounded if places > 0 else int(rounded), places if places > 0 else None))


def _filter_pct(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "pct")
    return Text(format_number(Fraction(number) * 100, _int_arg(args, 0, 1, "pct")) + "%")


def _filter_times(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "times")
    return Text(format_number(Fraction(number), _int_arg(args, 0, 1, "times")) + "×")


def _filter_digits(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "digits")
    if not isinstance(number, int) or number == 0:
        raise _Problem("filter 'digits' needs a non-zero whole number")
    return Quantity(len(str(abs(number))))


def _filter_sci(value: Value, args: list[str]) -> Value:
    number = _as_number(value, "sci")
    decimals = _int_arg(args, 0, 2, "sci")
    if number == 0:
        return Text("0")
    exact = Fraction(number)
    exponent = len(str(abs(int(exact)))) - 1 if abs(exact) >= 1 else -len(str(int(1 / abs(exact))))
    mantissa = exact / Fraction(10) ** exponent
    if abs(mantissa) >= 10:
        mantissa /= 10
        exponent += 1
    if abs(round(mantissa, decimals)) >= 10:
        mantissa /= 10
        exponent += 1
    return Text(f"{float(mantissa):.{decimals}f} × 10^{exponent}")


def _shape_filter(name: str, pick: Callable[[Shape], str]) -> Callable[[Value, list[str]], Value]:
    def apply(value: Value, args: list[str]) -> Value:
        if not isinstance(value, ShapeValue):
            raise _Problem(f"filter '{name}' needs a shape")
        return Text(pick(value.dims))

    return apply


def _chw(dims: Shape) -> str:
    return "×".join(str(d) for d in dims)


def _hw(dims: Shape) -> str:
    if len(dims) != 3:
        raise _Problem("filter 'hw' needs a C×H×W shape")
    return f"{dims[1]}×{dims[2]}"


def _filter_channels(value: Value, args: list[str]) -> Value:
    if not isinstance(value, ShapeValue):
        raise _Problem("filter 'c' needs a shape")
    return Quantity(value.dims[0])


def _shape_axis(value: Value, name: str, axis: int) -> Value:
    if not isinstance(value, ShapeValue) or len(value.dims) != 3:
        raise _Problem(f"filter '{name}' needs a C×H×W shape")
    return Quantity(value.dims[axis])


def _filter_positions(value: Value, args: list[str]) -> Value:
    if not isinstance(value, ShapeValue) or len(value.dims) != 3:
        raise _Problem("filter 'positions' needs a C×H×W shape")
    return Quantity(value.dims[1] * value.dims[2])


def _filter_numel(value: Value, args: list[str]) -> Value:
    if not isinstance(value, ShapeValue):
        raise _Problem("filter 'numel' needs a shape")
    return Quantity(math.prod(value.dims))


FILTERS: dict[str, Callable[[Value, list[str]], Value]] = {
    "raw": _filter_raw,
    "fixed": _filter_fixed,
    "round": _filter_round,
    "pct": _filter_pct,
    "percent": lambda v, a: Quantity(round(Fraction(_as_number(v, "percent")) * 100, _int_arg(a, 0, 1, "percent"))),
    "times": _filter_times,
    "digits": _filter_digits,
    "sci": _filter_sci,
    "thousand": lambda v, a: _scaled(v, a, "thousand", 1_000),
    "million": lambda v, a: _scaled(v, a, "million", 1_000_000),
    "billion": lambda v, a: _scaled(v, a, "billion", 1_000_000_000),
    "chw": _shape_filter("chw", _chw),
    "hw": _shape_filter("hw", _hw),
    "c": _filter_channels,
    "numel": _filter_numel,
    "positions": _filter_positions,
    "h": lambda v, a: _shape_axis(v, "h", 1),
    "w": lambda v, a: _shape_axis(v, "w", 2),
}


# --- models -----------------------------------------------------------------------------------


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
    output, _ = module.trace(tuple(input_shape), Field(), records)
    leaves = [not any(True for _ in r.module.children()) for r in records]
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
    """Build the zoo model `name` and trace it at its default input shape."""
    try:
        from cnntui import zoo
    except ImportError as exc:  # the zoo is part of cnntui; this only guards a broken install
        raise _Problem(f"the model zoo is unavailable ({exc})") from None
    names = list(zoo.names())
    if name not in names:
        raise _Problem(f"unknown model '{name}'; known models: {', '.join(names)}")
    entry = zoo.get(name)
    module = entry.build()
    shape = _entry_input_shape(entry)
    return trace_module(name, module, shape)


def _entry_input_shape(entry: Any) -> Shape:
    for attribute in ("input_shape", "default_input_shape", "input_size"):
        shape = getattr(entry, attribute, None)
        if shape is not None:
            return tuple(int(s) for s in shape)
    raise _Problem(f"model '{entry.name}' has no default input shape")


# --- the renderer -----------------------------------------------------------------------------


class Renderer:
    """Expands template expressions with a model source and a set of facts.

    `models(name)` returns a `ModelTrace` (raising `_Problem`-style errors for unknown names is
    its business: any exception becomes a TemplateError with the line number). The module-level
    `render` uses the zoo and the bundled facts file; tests build their own.
    """

    def __init__(
        self,
        models: Callable[[str], ModelTrace] | None = None,
        facts: dict[str, Fact] | Callable[[], dict[str, Fact]] | None = None,
        images: Callable[[str], Any] | None = None,
    ) -> None:
        self._models = models or zoo_trace
        self._facts_source = facts
        self._images = images
        self._traces: dict[str, ModelTrace] = {}
        self._functions: dict[str, Callable[[list[str], dict[str, Any]], Value]] = {
            "params": self._params,
            "trainable": self._trainable,
            "share": self._share,
            "count": self._count,
            "macs": self._macs,
            "shape": self._shape,
            "layers": self._layers,
            "connections": self._connections,
            "outsize": self._outsize,
            "fact": self._fact,
            "bars": self._bars,
            "calc": self._calc,
            "ptable": self._ptable,
            "sample": self._sample,
            "prob": self._prob,
            "predict": self._predict,
            "shiftshare": self._shiftshare,
            "matrix": self._matrix,
            "correlate": self._correlate,
            "pool": self._pool,
            "shift": self._shift,
            "padded": self._padded,
            "kernel": self._kernel,
            "changed": self._changed,
            "window": self._window,
        }

    # -- entry points ----------------------------------------------------------------------

    @property
    def functions(self) -> list[str]:
        return sorted(self._functions)

    def facts(self) -> dict[str, Fact]:
        source = self._facts_source
        if source is None:
            from cnntui.facts import load_facts

            return load_facts()
        return source() if callable(source) else source

    def render(self, text: str, first_line: int = 1) -> str:
        """Replace every `{{ ... }}` in `text`; raises TemplateError naming the line."""
        variables: dict[str, Any] = {}
        pieces: list[str] = []
        position = 0
        line = first_line
        fenced = fenced_lines(text)
        for match in EXPRESSION.finditer(text):
            literal = text[position : match.start()]
            _check_literal(literal, line)
            line += literal.count("\n")
            pieces.append(literal)
            position = match.end()
            try:
                expanded = self.expand(match.group(1), variables)
                # A multi-line result placed on an indented line (a code block inside a list
                # item) keeps that indentation on every line.
                before = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
                indent = before[: len(before) - len(before.lstrip())]
                if "\n" in expanded and indent and not EXPRESSION.sub("", before).strip():
                    expanded = expanded.replace("\n", "\n" + indent)
                # Code blocks hold ASCII art and kernel grids: keep them plain ASCII so the
                # app's --ascii mode shows them unchanged.
                pieces.append(ascii_text(expanded) if line - first_line in fenced else expanded)
            except _Problem as exc:
                raise TemplateError(line, str(exc)) from None
            except TemplateError:
                raise
            except CnnTuiError as exc:
                raise TemplateError(line, f"{{{{{match.group(1)}}}}}: {exc}") from None
        _check_literal(text[position:], line)
        pieces.append(text[position:])
        return "".join(pieces)

    def expand(self, source: str, variables: dict[str, Any]) -> str:
        """Render one expression (the text between `{{` and `}}`)."""
        body = source.strip()
        if not body:
            raise _Problem("empty expression '{{ }}'")
        let = LET.match(body)
        if let:
            name, raw = let.group(1), let.group(2).strip()
            if name in self._functions or name in FILTERS:
                raise _Problem(f"'let {name}': '{name}' is a function name")
            words = raw.split()
            if words[0] in self._functions:
                variables[name] = self._functions[words[0]](words[1:], variables)
            else:
                variables[name] = _let_value(raw)
            return ""
        parts = [p.strip() for p in body.split("|")]
        head, filters = parts[0], parts[1:]
        words = head.split()
        function = words[0]
        if function not in self._functions:
            raise _Problem(
                f"unknown function '{function}'; known: {', '.join(self.functions)}, let"
            )
        args = [head[len(function) :].strip()] if function == "calc" else words[1:]
        value = self._functions[function](args, variables)
        for spec in filters:
            fwords = spec.split()
            if not fwords or fwords[0] not in FILTERS:
                raise _Problem(
                    f"unknown filter '{spec}'; known filters: {', '.join(sorted(FILTERS))}"
                )
            if isinstance(value, Text | Matrix):
                raise _Problem(f"filter '{fwords[0]}' cannot apply to the text of '{function}'")
            value = FILTERS[fwords[0]](value, fwords[1:])
        return default_text(value)

    # -- models ----------------------------------------------------------------------------

    def trace(self, name: str) -> ModelTrace:
        if name not in self._traces:
            try:
                self._traces[name] = self._models(name)
            except LookupError:
                raise _Problem(f"unknown model '{name}'") from None
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
                f"model '{model.name}' has {len(of_kind)} {kind} layer(s); '{part}' does not exist"
            )
        named = [r.name for r in model.rows if r.name and "." not in r.name]
        raise _Problem(
            f"model '{model.name}' has no layer '{part}'; use a dotted name such as "
            f"{', '.join(named[:6])}, a kind ({', '.join(KINDS)}), or convN/poolN/fcN"
        )

    def _model_arg(self, args: list[str], function: str, usage: str) -> ModelTrace:
        if not args:
            raise _Problem(f"'{function}' needs a model: {{{{ {usage} }}}}")
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
            raise _Problem(f"usage: {{{{ count MODEL KIND }}}} with KIND one of {', '.join(KINDS)}")
        model = self.trace(args[0])
        return Quantity(len(self._find_rows(model, args[1])))

    def _share(self, args: list[str], variables: dict[str, Any]) -> Value:
        model = self._model_arg(args, "share", "share MODEL LAYER|KIND")
        if len(args) != 2:
            raise _Problem("usage: {{ share MODEL LAYER|KIND }}")
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
            raise _Problem("usage: {{ shape MODEL LAYER }} (LAYER may be 'input' or 'output')")
        model = self.trace(args[0])
        if args[1] == "input":
            return ShapeValue(model.input_shape)
        if args[1] == "output":
            return ShapeValue(model.output_shape)
        return ShapeValue(self._find_layer(model, args[1]).output_shape)

    def _layers(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) < 2:
            raise _Problem("usage: {{ layers MODEL LAYER ... }}")
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
            raise _Problem("usage: {{ connections MODEL LAYER }} (a layer with a connection table)")
        model = self.trace(args[0])
        row = self._find_layer(model, args[1])
        table = getattr(model.modules.get(row.name), "table", None)
        if not table:
            raise _Problem(f"layer '{args[1]}' of '{args[0]}' reads every input map; it has no connection table")
        inputs = max(max(links) for links in table) + 1
        width = max(len("output map"), len(str(len(table) - 1)))
        lines = [f"{'output map'.rjust(width)}   reads input maps", f"{''.rjust(width)}   " + " ".join(str(i) for i in range(inputs))]
        for index, links in enumerate(table):
            marks = " ".join("X" if i in links else "." for i in range(inputs))
            lines.append(f"{str(index).rjust(width)}   {marks}")
        return Text("\n".join(lines))

    # -- arithmetic ------------------------------------------------------------------------

    def _outsize(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) not in (4, 5):
            raise _Problem("usage: {{ outsize INPUT KERNEL PADDING STRIDE [DILATION] }}")
        numbers = [_whole(a, "outsize", variables) for a in args]
        return Quantity(conv_output_size(*numbers))

    def _fact(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 1:
            raise _Problem("usage: {{ fact KEY }}, e.g. {{ fact ilsvrc.2012.top5 }}")
        fact = self._lookup_fact(args[0])
        if not fact.is_number:
            return Text(str(fact.value))
        return Quantity(fact.value, fact=fact)  # type: ignore[arg-type]

    def _lookup_fact(self, key: str) -> Fact:
        facts = self.facts()
        if key not in facts:
            close = [k for k in facts if k.split(".")[0] == key.split(".")[0]]
            hint = f"; facts under '{key.split('.')[0]}': {', '.join(close)}" if close else ""
            raise _Problem(f"unknown fact '{key}' (not in assets/facts.toml){hint}")
        return facts[key]

    def _bars(self, args: list[str], variables: dict[str, Any]) -> Value:
        if not args:
            raise _Problem("usage: {{ bars FACT_KEY ... }}")
        facts = [self._lookup_fact(k) for k in args]
        for fact in facts:
            if not fact.is_number:
                raise _Problem(f"fact '{fact.key}' is not a number and cannot be a bar")
        top = max(float(f.value) for f in facts)  # type: ignore[arg-type]
        label_width = max(len(f.label or f.key) for f in facts)
        lines = []
        for fact in facts:
            width = round(float(fact.value) / top * MAX_BAR_WIDTH) if top > 0 else 0  # type: ignore[arg-type]
            label = (fact.label or fact.key).ljust(label_width)
            lines.append(f"{label} |{'#' * width} {fact.display()}".rstrip())
        return Text("\n".join(lines))

    def _calc(self, args: list[str], variables: dict[str, Any]) -> Value:
        expression = args[0] if args else ""
        if not expression:
            raise _Problem("usage: {{ calc EXPRESSION }}, e.g. {{ calc (7*7 + 1) * 64 }}")
        return Quantity(self.evaluate(expression, variables))

    def evaluate(self, expression: str, variables: dict[str, Any]) -> Number:
        """Exact arithmetic on a restricted syntax tree (no names but `let` values and helpers)."""
        try:
            tree = ast.parse(expression.replace("×", "*").replace("·", "*"), mode="eval")
        except SyntaxError:
            raise _Problem(f"cannot read the expression '{expression}'") from None
        return _Evaluator(self, variables).visit(tree.body)

    # -- the generative-model worked example ---------------------------------------------------

    def _samples(self, name: str, variables: dict[str, Any]) -> list[tuple[str, str]]:
        data = variables.get(name)
        if not isinstance(data, list) or not all(isinstance(s, tuple) for s in data):
            raise _Problem(f"'{name}' is not a data set; define it first with {{{{ let {name} = x:y x:y ... }}}}")
        return data

    def _ptable(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(f"usage: {{{{ ptable TABLE DATA }}}} with TABLE one of {', '.join(PTABLES)}")
        table, name = args
        if table not in PTABLES:
            raise _Problem(f"unknown probability table '{table}'; known: {', '.join(PTABLES)}")
        return Text(probability_table(table, self._samples(name, variables)))

    def _prob(self, args: list[str], variables: dict[str, Any]) -> Value:
        usage = (
            "usage: {{ prob DATA x X }}, {{ prob DATA y Y }}, {{ prob DATA joint X Y }}, "
            "{{ prob DATA y_given_x X Y }} or {{ prob DATA x_given_y X Y }}"
        )
        if len(args) < 3:
            raise _Problem(usage)
        samples = self._samples(args[0], variables)
        table, values = args[1], args[2:]
        wanted = {"x": 1, "y": 1, "joint": 2, "y_given_x": 2, "x_given_y": 2}
        if table not in wanted or len(values) != wanted[table]:
            raise _Problem(usage)
        xs = {x for x, _ in samples}
        ys = {y for _, y in samples}
        x_value = values[0] if table != "y" else None
        y_value = values[-1] if table != "x" else None
        if x_value is not None and x_value not in xs:
            raise _Problem(f"prob: x '{x_value}' never occurs; the data has {', '.join(sorted(xs))}")
        if y_value is not None and y_value not in ys:
            raise _Problem(f"prob: y '{y_value}' never occurs; the data has {', '.join(sorted(ys))}")
        n = len(samples)
        with_x = [s for s in samples if s[0] == x_value]
        with_y = [s for s in samples if s[1] == y_value]
        both = [s for s in samples if s == (x_value, y_value)]
        ratio = {
            "x": Fraction(len(with_x), n),
            "y": Fraction(len(with_y), n),
            "joint": Fraction(len(both), n),
            "y_given_x": Fraction(len(both), len(with_x) or 1),
            "x_given_y": Fraction(len(both), len(with_y) or 1),
        }[table]
        return Quantity(int(ratio) if ratio.denominator == 1 else ratio)

    def _sample(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem("usage: {{ sample DATA U }} with 0 <= U < 1")
        samples = self._samples(args[0], variables)
        u = _fraction(args[1], "sample")
        if not 0 <= u < 1:
            raise _Problem(f"sample: U must be in [0, 1), not {args[1]}")
        return Text(_point(sample_x(samples, u)))

    def _predict(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem("usage: {{ predict DATA X }}, e.g. {{ predict data 01 }}")
        samples = self._samples(args[0], variables)
        xs = sorted({x for x, _ in samples})
        if args[1] not in xs:
            raise _Problem(f"predict: x '{args[1]}' never occurs; the data has {', '.join(xs)}")
        return Text(predict_y(samples, args[1]))

    # -- worked examples on small grids ------------------------------------------------------

    def _grid(self, name: str, function: str, variables: dict[str, Any]) -> Matrix:
        """A `let` matrix, or several joined as channels: `r,g,b`."""
        channels: list[tuple[tuple[Number, ...], ...]] = []
        for part in name.split(","):
            value = variables.get(part)
            if isinstance(value, Matrix):
                channels.extend(value.channels)
            else:
                raise _Problem(
                    f"{function}: '{part}' is not a grid; define it with "
                    f"{{{{ let {part} = 1 2 3 ; 4 5 6 }}}} (rows separated by ';')"
                )
        if len({(len(c), len(c[0])) for c in channels}) != 1:
            raise _Problem(f"{function}: the channels of '{name}' differ in size")
        return Matrix(tuple(channels))

    def _matrix(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 1:
            raise _Problem("usage: {{ matrix NAME }} (NAME from a let)")
        return self._grid(args[0], "matrix", variables)

    def _options(self, words: list[str], allowed: dict[str, int], function: str, variables: dict[str, Any]) -> dict[str, Any]:
        """`stride 2 pad 1 bias 1 flip`: named options after the positional arguments."""
        options: dict[str, Any] = {}
        index = 0
        while index < len(words):
            word = words[index]
            if word not in allowed:
                raise _Problem(f"{function}: unknown option '{word}'; options: {', '.join(allowed)}")
            if allowed[word] == 0:
                options[word] = True
                index += 1
                continue
            if index + 1 >= len(words):
                raise _Problem(f"{function}: option '{word}' needs a value")
            options[word] = _fraction_or_int(words[index + 1], function)
            index += 2
        return options

    def _correlate(self, args: list[str], variables: dict[str, Any]) -> Value:
        usage = "usage: {{ correlate IMAGE KERNEL [stride S] [pad P] [bias B] [flip] [relu] }}"
        if len(args) < 2:
            raise _Problem(usage)
        image = self._grid(args[0], "correlate", variables)
        kernel = self._grid(args[1], "correlate", variables)
        options = self._options(args[2:], {"stride": 1, "pad": 1, "bias": 1, "flip": 0, "relu": 0}, "correlate", variables)
        return correlate(
            image,
            kernel,
            stride=_positive(options.get("stride", 1), "stride"),
            pad=_non_negative(options.get("pad", 0), "pad"),
            bias=options.get("bias", 0),
            flip=bool(options.get("flip")),
            relu=bool(options.get("relu")),
        )

    def _window(self, args: list[str], variables: dict[str, Any]) -> Value:
        usage = "usage: {{ window IMAGE KERNEL ROW COL [stride S] [pad P] [bias B] }} (ROW, COL of the output, from 1)"
        if len(args) < 4:
            raise _Problem(usage)
        image = self._grid(args[0], "window", variables)
        kernel = self._grid(args[1], "window", variables)
        row, col = _whole(args[2], "window", variables), _whole(args[3], "window", variables)
        options = self._options(args[4:], {"stride": 1, "pad": 1, "bias": 1}, "window", variables)
        return Text(
            window_sum(
                image,
                kernel,
                row,
                col,
                stride=_positive(options.get("stride", 1), "stride"),
                pad=_non_negative(options.get("pad", 0), "pad"),
                bias=options.get("bias", 0),
            )
        )

    def _pool(self, args: list[str], variables: dict[str, Any]) -> Value:
        usage = "usage: {{ pool IMAGE max|avg SIZE [stride S] }}"
        if len(args) < 3 or args[1] not in ("max", "avg"):
            raise _Problem(usage)
        image = self._grid(args[0], "pool", variables)
        size = _whole(args[2], "pool", variables)
        options = self._options(args[3:], {"stride": 1}, "pool", variables)
        return pool_grid(image, args[1], _positive(size, "size"), _positive(options.get("stride", size), "stride"))

    def _shift(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem("usage: {{ shift IMAGE PIXELS }} (to the right; negative: to the left)")
        image = self._grid(args[0], "shift", variables)
        pixels = int(_fraction(args[1], "shift"))
        return shift_grid(image, pixels)

    def _padded(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) not in (2, 3) or (len(args) == 3 and args[2] not in ("zero", "replicate")):
            raise _Problem("usage: {{ padded IMAGE P [zero|replicate] }}")
        image = self._grid(args[0], "padded", variables)
        amount = _non_negative(_whole(args[1], "padded", variables), "padding")
        return pad_grid(image, amount, args[2] if len(args) == 3 else "zero")

    def _changed(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem("usage: {{ changed GRID OTHER }}: the share of positions whose values differ")
        first = self._grid(args[0], "changed", variables)
        second = self._grid(args[1], "changed", variables)
        if (len(first.channels), first.height, first.width) != (len(second.channels), second.height, second.width):
            raise _Problem("changed: the two grids differ in size")
        pairs = [
            (a, b)
            for c1, c2 in zip(first.channels, second.channels)
            for r1, r2 in zip(c1, c2)
            for a, b in zip(r1, r2)
        ]
        return Quantity(Fraction(sum(1 for a, b in pairs if a != b), len(pairs)), percent=True)

    def _kernel(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 1:
            raise _Problem("usage: {{ kernel NAME }}, a Conv Lab preset such as laplacian or sobel-x")
        from cnntui import kernels

        preset = kernels.get(args[0]) if args[0] != kernels.RANDOM else None
        if preset is None:
            raise _Problem("kernel: 'random' has no fixed values to show")
        channels = []
        for channel in preset.values:
            rows = []
            for row in channel:
                exact = [Fraction(float(v)).limit_denominator(1000) / preset.scale for v in row]
                rows.append(tuple(int(v) if v.denominator == 1 else v for v in exact))
            channels.append(tuple(rows))
        return Matrix(tuple(channels))

    # -- images --------------------------------------------------------------------------------

    def _shiftshare(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem("usage: {{ shiftshare IMAGE PIXELS }}, e.g. {{ shiftshare digit-7 2 }}")
        pixels = _whole(args[1], "shiftshare", variables)
        image = self._load_image(args[0])
        return Quantity(shift_change_share(image, pixels), percent=True)

    def _load_image(self, name: str) -> Any:
        if self._images is not None:
            return self._images(name)
        try:
            from cnntui import images
        except ImportError:
            raise _Problem("bundled images are unavailable (cnntui.images is missing)") from None
        image = images.load(name)
        return image.grey() if hasattr(image, "grey") else image.pixels


# --- helpers ----------------------------------------------------------------------------------


FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def fenced_lines(text: str) -> set[int]:
    """Indices (from 0) of the lines inside fenced code blocks, fences included."""
    inside: set[int] = set()
    fence: str | None = None
    for index, line in enumerate(text.split("\n")):
        opened = FENCE.match(line)
        if fence is None:
            if opened:
                fence = opened.group(1)
                inside.add(index)
            continue
        inside.add(index)
        stripped = line.strip()
        if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
            fence = None
    return inside


def ascii_text(text: str) -> str:
    """Plain-ASCII spelling of the symbols expressions produce (×, ·, ≈, −)."""
    from cnntui.engine.arithmetic import ascii_text as engine_ascii

    return engine_ascii(text)


def _check_literal(literal: str, first_line: int) -> None:
    """Refuse an unmatched `{{` or `}}` outside expressions (a typo would otherwise show raw)."""
    for token in ("{{", "}}"):
        index = literal.find(token)
        if index >= 0:
            line = first_line + literal.count("\n", 0, index)
            other = "}}" if token == "{{" else "{{"
            raise TemplateError(line, f"'{token}' without a matching '{other}' on the same line")


def conv_output_size(size: int, kernel: int, padding: int, stride: int, dilation: int = 1) -> int:
    """⌊(I + 2P − D·(F − 1) − 1)/S⌋ + 1, the output length of a convolution or pooling window.

    The engine's arithmetic does the work (so lessons and the Calculator agree); its ShapeError
    explains what does not fit.
    """
    from cnntui.engine.arithmetic import conv_output_size as engine_output_size

    if padding < 0:
        raise _Problem("outsize: padding must be 0 or more")
    return engine_output_size(size, kernel, stride=stride, padding=padding, dilation=dilation)


def shift_change_share(image: Any, pixels: int) -> Fraction:
    """Share of pixel values that change when a 2-D image moves `pixels` to the right.

    The image is shifted with zeros entering on the left (what a camera sees when the digit moves
    inside a fixed frame); the share counts positions whose value differs afterwards.
    """
    import numpy as np

    array = np.asarray(image)
    while array.ndim > 2:
        array = array[0] if array.shape[0] == 1 else array.mean(axis=0)
    if array.ndim != 2 or array.size == 0:
        raise _Problem("shiftshare needs a 2-D image")
    if not 0 < pixels < array.shape[1]:
        raise _Problem(f"shiftshare: the shift must be between 1 and {array.shape[1] - 1}")
    shifted = np.zeros_like(array)
    shifted[:, pixels:] = array[:, :-pixels]
    changed = int(np.count_nonzero(shifted != array))
    return Fraction(changed, int(array.size))


def _positive(value: Any, name: str) -> int:
    if not isinstance(value, int) or value < 1:
        raise _Problem(f"{name} must be a whole number of at least 1")
    return value


def _non_negative(value: Any, name: str) -> int:
    if not isinstance(value, int) or value < 0:
        raise _Problem(f"{name} must be a whole number of at least 0")
    return value


def _padded(channel: tuple[tuple[Number, ...], ...], pad: int) -> list[list[Number]]:
    width = len(channel[0]) + 2 * pad
    rows: list[list[Number]] = [[0] * width for _ in range(pad)]
    rows += [[0] * pad + list(row) + [0] * pad for row in channel]
    rows += [[0] * width for _ in range(pad)]
    return rows


def _check_fit(image: Matrix, kernel: Matrix, pad: int) -> None:
    if len(kernel.channels) != len(image.channels):
        raise _Problem(
            f"the kernel has {len(kernel.channels)} channel(s) but the image has "
            f"{len(image.channels)}: a kernel spans every input channel"
        )
    if kernel.height > image.height + 2 * pad or kernel.width > image.width + 2 * pad:
        raise _Problem("the kernel is larger than the padded image")


def correlate(
    image: Matrix, kernel: Matrix, *, stride: int = 1, pad: int = 0, bias: Number = 0,
    flip: bool = False, relu: bool = False,
) -> Matrix:
    """One output map: the kernel slides over every channel at once, products summed, plus bias.

    This is the cross-correlation CNNs call convolution; `flip` turns the kernel by 180 degrees
    first (the mathematical convolution).
    """
    _check_fit(image, kernel, pad)
    if flip:
        kernel = Matrix(tuple(tuple(tuple(row[::-1]) for row in channel[::-1]) for channel in kernel.channels))
    padded = [_padded(c, pad) for c in image.channels]
    out_h = (image.height + 2 * pad - kernel.height) // stride + 1
    out_w = (image.width + 2 * pad - kernel.width) // stride + 1
    rows = []
    for i in range(out_h):
        row = []
        for j in range(out_w):
            total: Number = bias
            for channel, k in zip(padded, kernel.channels):
                for a in range(kernel.height):
                    for b in range(kernel.width):
                        total += channel[i * stride + a][j * stride + b] * k[a][b]
            row.append(max(total, 0) if relu else total)
        rows.append(tuple(row))
    return Matrix((tuple(rows),))


def window_sum(image: Matrix, kernel: Matrix, row: int, col: int, *, stride: int = 1, pad: int = 0, bias: Number = 0) -> str:
    """The products for one output position written out, then their sum.

    A one-row kernel gives one line (`1·0 + 2·1 + 3·(-1) = -1`, fit for prose). A taller kernel
    gives one line per kernel row, so the working stays narrow enough for a code block at 80×24;
    with several channels, each channel's rows and subtotal come first, then the total.
    """
    _check_fit(image, kernel, pad)
    out_h = (image.height + 2 * pad - kernel.height) // stride + 1
    out_w = (image.width + 2 * pad - kernel.width) // stride + 1
    if not (1 <= row <= out_h and 1 <= col <= out_w):
        raise _Problem(f"window: the output is {out_h}×{out_w}; ({row}, {col}) is outside it")
    channels: list[tuple[list[str], Number]] = []
    total: Number = bias
    for channel, k in zip((_padded(c, pad) for c in image.channels), kernel.channels):
        rows: list[str] = []
        subtotal: Number = 0
        for a in range(kernel.height):
            terms = []
            for b in range(kernel.width):
                x = channel[(row - 1) * stride + a][(col - 1) * stride + b]
                terms.append(f"{_signed(x)}·{_signed(k[a][b])}")
                subtotal += x * k[a][b]
            rows.append(" + ".join(terms))
        total += subtotal
        channels.append((rows, subtotal))
    bias_text = f" + {_signed(bias)} (bias)" if bias else ""
    if len(channels) == 1 and kernel.height == 1:
        return f"{channels[0][0][0]}{bias_text} = {format_number(total)}"
    lines: list[str] = []
    for index, (rows, subtotal) in enumerate(channels, start=1):
        if len(channels) > 1:
            lines.append(f"channel {index}:")
        lines.extend(("  " if i == 0 else "+ ") + text for i, text in enumerate(rows))
        lines.append(f"= {format_number(subtotal)}")
    if len(channels) > 1 or bias:
        sums = " + ".join(_signed(sub) for _, sub in channels)
        lines.append(f"total: {sums}{bias_text} = {format_number(total)}")
    return "\n".join(lines)


def _signed(value: Number) -> str:
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


def pool_grid(image: Matrix, kind: str, size: int, stride: int) -> Matrix:
    """Max or average pooling of every channel on its own (depth is kept)."""
    if size > image.height or size > image.width:
        raise _Problem("pool: the window is larger than the image")
    out_h = (image.height - size) // stride + 1
    out_w = (image.width - size) // stride + 1
    channels = []
    for channel in image.channels:
        rows = []
        for i in range(out_h):
            row: list[Number] = []
            for j in range(out_w):
                window = [channel[i * stride + a][j * stride + b] for a in range(size) for b in range(size)]
                if kind == "max":
                    row.append(max(window))
                else:
                    mean = Fraction(sum(Fraction(v) for v in window), len(window))
                    row.append(int(mean) if mean.denominator == 1 else mean)
            rows.append(tuple(row))
        channels.append(tuple(rows))
    return Matrix(tuple(channels))


def pad_grid(image: Matrix, amount: int, mode: str = "zero") -> Matrix:
    """Every channel with `amount` extra rows and columns on each side: zeros, or copies of the
    nearest edge value (`replicate`)."""
    channels = []
    for channel in image.channels:
        if mode == "zero":
            channels.append(tuple(tuple(row) for row in _padded(channel, amount)))
            continue
        rows = [tuple([row[0]] * amount + list(row) + [row[-1]] * amount) for row in channel]
        rows = [rows[0]] * amount + rows + [rows[-1]] * amount
        channels.append(tuple(rows))
    return Matrix(tuple(channels))


def shift_grid(image: Matrix, pixels: int) -> Matrix:
    """Every channel moved `pixels` to the right (left when negative); zeros come in."""
    width = image.width
    if abs(pixels) >= width:
        raise _Problem(f"shift: move by less than the width ({width})")
    channels = []
    for channel in image.channels:
        rows = []
        for row in channel:
            if pixels >= 0:
                rows.append(tuple([0] * pixels + list(row[: width - pixels])))
            else:
                rows.append(tuple(list(row[-pixels:]) + [0] * -pixels))
        channels.append(tuple(rows))
    return Matrix(tuple(channels))


PTABLES = ("joint", "x", "y", "y_given_x", "x_given_y", "cdf")


def _point(x: str) -> str:
    return "(" + ",".join(x) + ")"


def _probability(p: Fraction) -> str:
    decimal = f"{float(p):.2f}"
    if p.denominator in (1, 2, 4, 5, 10, 20, 25, 50, 100):
        return f"{float(p):.2f}".rstrip("0").rstrip(".") if p not in (0, 1) else str(int(p))
    return f"{p.numerator}/{p.denominator} ≈ {decimal}"


def probability_table(table: str, samples: list[tuple[str, str]]) -> str:
    """A Markdown table of one distribution estimated by counting `samples` of (x, y)."""
    n = len(samples)
    xs = sorted({x for x, _ in samples})
    ys = sorted({y for _, y in samples})
    count = {(x, y): sum(1 for s in samples if s == (x, y)) for x in xs for y in ys}
    count_x = {x: sum(count[x, y] for y in ys) for x in xs}
    count_y = {y: sum(count[x, y] for x in xs) for y in ys}
    if table == "joint":
        head = "| x | " + " | ".join(f"P(x, y={y})" for y in ys) + " |"
        body = [f"| {_point(x)} | " + " | ".join(_probability(Fraction(count[x, y], n)) for y in ys) + " |" for x in xs]
    elif table == "x":
        head = "| x | count | P(x) |"
        body = [f"| {_point(x)} | {count_x[x]} | {_probability(Fraction(count_x[x], n))} |" for x in xs]
    elif table == "y":
        head = "| y | count | P(y) |"
        body = [f"| {y} | {count_y[y]} | {_probability(Fraction(count_y[y], n))} |" for y in ys]
    elif table == "y_given_x":
        head = "| x | " + " | ".join(f"P(y={y} \\| x)" for y in ys) + " |"
        body = [f"| {_point(x)} | " + " | ".join(_probability(Fraction(count[x, y], count_x[x])) for y in ys) + " |" for x in xs]
    elif table == "x_given_y":
        head = "| x | " + " | ".join(f"P(x \\| y={y})" for y in ys) + " |"
        body = [f"| {_point(x)} | " + " | ".join(_probability(Fraction(count[x, y], count_y[y])) for y in ys) + " |" for x in xs]
    else:  # cdf: the cumulative intervals used to sample x from P(x)
        head = "| x | P(x) | interval of u |"
        body = []
        low = Fraction(0)
        for x in xs:
            high = low + Fraction(count_x[x], n)
            body.append(f"| {_point(x)} | {_probability(high - low)} | [{_probability(low)}, {_probability(high)}) |")
            low = high
    columns = head.replace("\\|", "").count("|") - 1
    return "\n".join([head, "|" + "---|" * columns, *body])


def sample_x(samples: list[tuple[str, str]], u: Fraction) -> str:
    """The x whose cumulative interval of P(x) holds `u` (inverse-CDF sampling)."""
    n = len(samples)
    low = Fraction(0)
    for x in sorted({x for x, _ in samples}):
        high = low + Fraction(sum(1 for s, _ in samples if s == x), n)
        if low <= u < high:
            return x
        low = high
    raise _Problem(f"sample: {float(u)} is outside [0, 1)")


def predict_y(samples: list[tuple[str, str]], x: str) -> str:
    """The label with the highest P(y|x); ties are named together."""
    labels = [y for s, y in samples if s == x]
    counts = {y: labels.count(y) for y in sorted(set(labels))}
    best = max(counts.values())
    return " or ".join(y for y, c in counts.items() if c == best)


def _let_value(raw: str) -> Any:
    """A `let` value: a data set of `x:y` samples, or an exact number."""
    words = raw.split()
    if all(":" in w for w in words):
        samples = []
        for word in words:
            x, _, y = word.partition(":")
            if not x or not y:
                raise _Problem(f"let: '{word}' is not an x:y sample")
            samples.append((x, y))
        return samples
    if len(words) == 1:
        return _fraction_or_int(words[0], "let")
    rows = [row.split() for row in raw.split(";")]
    if any(not row for row in rows) or len({len(row) for row in rows}) != 1:
        raise _Problem(f"let: the rows of '{raw}' must all have the same number of values")
    return Matrix((tuple(tuple(_fraction_or_int(v, "let") for v in row) for row in rows),))


def _fraction(text: str, function: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise _Problem(f"{function}: '{text}' is not a number") from None


def _fraction_or_int(text: str, function: str) -> Number:
    value = _fraction(text.replace(",", ""), function)
    return int(value) if value.denominator == 1 else value


def _whole(text: str, function: str, variables: dict[str, Any]) -> int:
    value = variables.get(text, None)
    if value is None:
        try:
            return int(text)
        except ValueError:
            raise _Problem(f"{function}: '{text}' is not a whole number") from None
    if isinstance(value, int):
        return value
    raise _Problem(f"{function}: '{text}' is not a whole number")


def _at_most(args: list[str], count: int, usage: str) -> None:
    if len(args) > count:
        raise _Problem(f"too many arguments; usage: {{{{ {usage} }}}}")


_OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


class _Evaluator:
    """Walks a parsed arithmetic expression; anything outside the small grammar is refused."""

    def __init__(self, renderer: Renderer, variables: dict[str, Any]) -> None:
        self.renderer = renderer
        self.variables = variables

    def visit(self, node: ast.AST) -> Number:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
            return Fraction(str(node.value)) if isinstance(node.value, float) else node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            value = self.visit(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = self.visit(node.left), self.visit(node.right)
            if isinstance(node.op, ast.Pow):
                return self._power(left, right)
            if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and right == 0:
                raise _Problem("calc: division by zero")
            if isinstance(node.op, ast.Div):
                result = Fraction(left) / Fraction(right)
                return int(result) if result.denominator == 1 else result
            return _OPERATORS[type(node.op)](left, right)
        if isinstance(node, ast.Name):
            named = self.variables.get(node.id)
            if isinstance(named, int | Fraction):
                return named
            if isinstance(named, Quantity):
                return Fraction(str(named.value)) if isinstance(named.value, float) else named.value
            raise _Problem(f"calc: unknown name '{node.id}' (define it with {{{{ let {node.id} = ... }}}})")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node)
        raise _Problem("calc: only numbers, + - * / // % **, parentheses, let names and "
                       "params(), macs(), fact(), outsize() are allowed")

    def _power(self, base: Number, exponent: Number) -> Number:
        if not isinstance(exponent, int) or abs(exponent) > MAX_EXPONENT:
            raise _Problem(f"calc: exponents must be whole numbers up to {MAX_EXPONENT}")
        size = max(Fraction(base).numerator.bit_length(), Fraction(base).denominator.bit_length())
        if size * abs(exponent) > MAX_EXPONENT * 4:
            raise _Problem("calc: the power is too large to write out")
        result = Fraction(base) ** exponent
        return int(result) if result.denominator == 1 else result

    def _call(self, node: ast.Call) -> Number:
        name = node.func.id  # type: ignore[attr-defined]
        if node.keywords:
            raise _Problem(f"calc: {name}() takes no keyword arguments")
        if name == "outsize":
            numbers = [self.visit(a) for a in node.args]
            if len(numbers) not in (4, 5) or not all(isinstance(n, int) for n in numbers):
                raise _Problem("calc: outsize(input, kernel, padding, stride[, dilation]) takes whole numbers")
            return conv_output_size(*numbers)  # type: ignore[arg-type]
        words = [self._word(a) for a in node.args]
        if name in ("params", "trainable", "macs") and 1 <= len(words) <= 2:
            value = self.renderer._functions[name](words, self.variables)
        elif name == "fact" and len(words) == 1:
            value = self.renderer._fact(words, self.variables)
        else:
            raise _Problem(
                f"calc: unknown call {name}(); use params(\"m\"[, \"part\"]), macs(\"m\"[, \"part\"]), "
                "fact(\"key\") or outsize(i, f, p, s[, d])"
            )
        if not isinstance(value, Quantity):
            raise _Problem(f"calc: {name}({', '.join(words)}) is not a number")
        number = value.value
        return Fraction(str(number)) if isinstance(number, float) else number

    @staticmethod
    def _word(node: ast.AST) -> str:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return node.id
        raise _Problem("calc: names of models, layers and facts are written in quotes")


# --- the default renderer ---------------------------------------------------------------------

_default_renderer: Renderer | None = None


def default_renderer() -> Renderer:
    """The renderer over the zoo and the bundled facts, shared so traces are computed once."""
    global _default_renderer
    if _default_renderer is None:
        _default_renderer = Renderer()
    return _default_renderer


@lru_cache(maxsize=128)
def render(text: str, first_line: int = 1) -> str:
    """Expand every `{{ ... }}` of a lesson body; raises TemplateError with the line number.

    `first_line` is the file line where `text` starts (for lessons whose front matter was cut
    off before rendering), so errors point into the file.
    """
    return default_renderer().render(text, first_line)
