"""Your own network as a TOML spec: parsing, line-precise validation, and building engine modules.

A spec is a list of layers, each a table with a `type` and the layer's arguments under PyTorch's
names. Input sizes (`in_channels`, `in_features`, `num_features`) are inferred from the shape
flowing in; when you give them anyway they are checked. Named blocks can be reused, repeated, and
used as the body, shortcut or branches of `residual` and `concat` containers::

    name = "small-resnet"
    input = [3, 32, 32]          # or "3x32x32"

    [[layers]]
    type = "conv2d"
    out_channels = 16
    kernel_size = 3
    padding = 1

    [[layers]]
    type = "residual"            # output = activation(body(x) + shortcut(x))
    body = "pair"
    activation = "relu"
    repeat = 3                   # three residual blocks in a row

    [[layers]]
    type = "gap"                 # global average pooling, then flatten

    [[layers]]
    type = "linear"
    out_features = 10

    [blocks.pair]                # a named block: its own list of layers
    [[blocks.pair.layers]]
    type = "conv2d"
    out_channels = 16
    kernel_size = 3
    padding = 1
    [[blocks.pair.layers]]
    type = "relu"

Every problem is a `SpecProblem` with the 1-based line it refers to, and messages speak in
shapes: ``layer 7, linear: expects 400 inputs, gets 16×4×4 = 256``. Nothing in a spec is ever
executed or unpickled: it is data.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cnntui.atomic import write_text_atomic
from cnntui.errors import CnnTuiError, ShapeError, UsageError
from cnntui.i18n import N_, _

MAX_REPEAT = 1000
MAX_CHANNELS = 1 << 20
MAX_NESTING = 16
MAX_LAYERS = 5000
"""A spec may expand (repeats of repeated blocks) to at most this many layers."""


@dataclass(frozen=True)
class SpecProblem:
    """One thing wrong with a spec: the line (1-based; 0 when it concerns the whole file)."""

    line: int
    message: str

    def __str__(self) -> str:
        if not self.line:
            return _(self.message)
        return _("line {line}: {message}").format(line=self.line, message=_(self.message))


class SpecError(CnnTuiError):
    """A spec that cannot be built; `problems` lists every problem found (the first is shown)."""

    def __init__(self, problems: list[SpecProblem], source: str = "") -> None:
        self.problems = problems
        self.source = source
        first = str(problems[0]) if problems else _("invalid spec")
        more = (
            " " + _("(and {count} more)").format(count=len(problems) - 1)
            if len(problems) > 1
            else ""
        )
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}{first}{more}")


# -- the layer vocabulary ---------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument of a layer type: its kind ("int", "pair", "float", "bool", "str", "size")."""

    kind: str
    required: bool = False
    default: Any = None
    minimum: float | None = None


@dataclass(frozen=True)
class LayerType:
    name: str
    args: dict[str, Arg]
    doc: str
    inferred: tuple[str, ...] = ()
    """Arguments normally inferred from the incoming shape (checked when given)."""


def _pos(required: bool = False, default: Any = None) -> Arg:
    return Arg("int", required, default, 1)


LAYER_TYPES: dict[str, LayerType] = {
    t.name: t
    for t in [
        LayerType(
            "conv2d",
            {
                "in_channels": _pos(),
                "out_channels": _pos(True),
                "kernel_size": Arg("pair", True, None, 1),
                "stride": Arg("pair", False, 1, 1),
                "padding": Arg("pair", False, 0, 0),
                "dilation": Arg("pair", False, 1, 1),
                "groups": _pos(False, 1),
                "bias": Arg("bool", False, True),
            },
            "2-D convolution",
            ("in_channels",),
        ),
        LayerType(
            "convtranspose2d",
            {
                "in_channels": _pos(),
                "out_channels": _pos(True),
                "kernel_size": Arg("pair", True, None, 1),
                "stride": Arg("pair", False, 1, 1),
                "padding": Arg("pair", False, 0, 0),
                "output_padding": Arg("pair", False, 0, 0),
                "groups": _pos(False, 1),
                "bias": Arg("bool", False, True),
                "dilation": Arg("pair", False, 1, 1),
            },
            "transposed convolution (upsampling)",
            ("in_channels",),
        ),
        LayerType(
            "maxpool2d",
            {
                "kernel_size": Arg("pair", True, None, 1),
                "stride": Arg("pair", False, None, 1),
                "padding": Arg("pair", False, 0, 0),
                "ceil_mode": Arg("bool", False, False),
            },
            "max pooling",
        ),
        LayerType(
            "avgpool2d",
            {
                "kernel_size": Arg("pair", True, None, 1),
                "stride": Arg("pair", False, None, 1),
                "padding": Arg("pair", False, 0, 0),
                "ceil_mode": Arg("bool", False, False),
            },
            "average pooling",
        ),
        LayerType(
            "adaptiveavgpool2d",
            {"output_size": Arg("pair", False, 1, 1)},
            "average pooling to a fixed output size",
        ),
        LayerType("gap", {}, "global average pooling, then flatten (C×H×W → C)"),
        LayerType(
            "linear",
            {
                "in_features": _pos(),
                "out_features": _pos(True),
                "bias": Arg("bool", False, True),
            },
            "fully connected layer",
            ("in_features",),
        ),
        LayerType("flatten", {}, "C×H×W → C·H·W"),
        LayerType("relu", {}, "max(0, x)"),
        LayerType("leakyrelu", {"negative_slope": Arg("float", False, 0.01, 0.0)}, "leaky ReLU"),
        LayerType("sigmoid", {}, "logistic sigmoid"),
        LayerType("tanh", {}, "hyperbolic tangent"),
        LayerType("dropout", {"p": Arg("float", False, 0.5, 0.0)}, "dropout (training only)"),
        LayerType(
            "batchnorm2d",
            {
                "num_features": _pos(),
                "eps": Arg("float", False, 1e-5, 0.0),
                "momentum": Arg("float", False, 0.1, 0.0),
            },
            "batch normalisation per channel",
            ("num_features",),
        ),
        LayerType(
            "batchnorm1d",
            {
                "num_features": _pos(),
                "eps": Arg("float", False, 1e-5, 0.0),
                "momentum": Arg("float", False, 0.1, 0.0),
            },
            "batch normalisation per feature",
            ("num_features",),
        ),
        LayerType(
            "localresponsenorm",
            {
                "size": _pos(True),
                "alpha": Arg("float", False, 1e-4, 0.0),
                "beta": Arg("float", False, 0.75, 0.0),
                "k": Arg("float", False, 1.0, 0.0),
            },
            "local response normalisation (AlexNet)",
        ),
        LayerType("identity", {}, "passes its input through"),
        LayerType("block", {"block": Arg("str", True)}, "the layers of a named block"),
        LayerType(
            "residual",
            {
                "body": Arg("str", True),
                "shortcut": Arg("str"),
                "activation": Arg("str"),
            },
            "activation(body(x) + shortcut(x)); the shortcut is the identity when omitted",
        ),
        LayerType(
            "concat",
            {"branches": Arg("list", True)},
            "named blocks side by side on the same input, joined along channels",
        ),
    ]
}

ALIASES = {
    "conv": "conv2d",
    "convolution": "conv2d",
    "deconv": "convtranspose2d",
    "conv_transpose2d": "convtranspose2d",
    "convtranspose": "convtranspose2d",
    "maxpool": "maxpool2d",
    "max_pool2d": "maxpool2d",
    "pool": "maxpool2d",
    "avgpool": "avgpool2d",
    "avg_pool2d": "avgpool2d",
    "adaptive_avg_pool2d": "adaptiveavgpool2d",
    "adaptiveavgpool": "adaptiveavgpool2d",
    "globalavgpool": "gap",
    "global_avg_pool": "gap",
    "fc": "linear",
    "dense": "linear",
    "leaky_relu": "leakyrelu",
    "bn": "batchnorm2d",
    "batchnorm": "batchnorm2d",
    "batch_norm2d": "batchnorm2d",
    "lrn": "localresponsenorm",
    "local_response_norm": "localresponsenorm",
    "parallel": "concat",
    "inception": "concat",
    "sequential": "block",
}

ACTIVATIONS = ("relu", "leakyrelu", "sigmoid", "tanh")
COMMON_KEYS = {"type", "name", "repeat"}
TOP_KEYS = {"name", "input", "layers", "blocks", "description"}


def canonical_type(name: str) -> str | None:
    key = name.strip().lower().replace("-", "_")
    if key in LAYER_TYPES:
        return key
    if key in ALIASES:
        return ALIASES[key]
    squashed = key.replace("_", "")
    if squashed in LAYER_TYPES:
        return squashed
    return ALIASES.get(squashed)


# -- parsed form ----------------------------------------------------------------------------


@dataclass
class LayerSpec:
    """One layer table: its canonical type, arguments, optional name, repeat count and line."""

    type: str
    args: dict[str, Any]
    line: int
    label: str
    """How messages name it: `layer 7` or `block stage, layer 2`."""
    name: str | None = None
    repeat: int = 1
    key_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class NetworkSpec:
    """A parsed spec: name, input shape, top-level layers and named blocks."""

    name: str
    input_shape: tuple[int, ...]
    layers: list[LayerSpec]
    blocks: dict[str, list[LayerSpec]]
    description: str = ""
    block_lines: dict[str, int] = field(default_factory=dict)
    input_line: int = 0


# -- line bookkeeping -------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]\s*(#.*)?$")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")


def _normal_path(path: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in path.split("."))


class _Lines:
    """Finds the lines of array-of-tables entries and their keys in the raw text."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.entries: dict[str, list[int]] = {}
        self.tables: dict[str, int] = {}
        self.top_keys: dict[str, int] = {}
        current_header = False
        for number, raw in enumerate(self.lines, start=1):
            header = _HEADER.match(raw)
            if header:
                self.entries.setdefault(_normal_path(header.group(1)), []).append(number)
                current_header = True
                continue
            table = _TABLE.match(raw)
            if table:
                self.tables.setdefault(_normal_path(table.group(1)), number)
                current_header = True
                continue
            key = _KEY.match(raw)
            if key and not current_header:
                self.top_keys.setdefault(key.group(1), number)

    def entry_line(self, path: str, index: int) -> int:
        found = self.entries.get(path, [])
        if index < len(found):
            return found[index]
        # inline tables (`layers = [{...}, {...}]`): the index-th line mentioning `type`
        anchor = (
            self.tables.get(path.rsplit(".", 1)[0], 0)
            if "." in path
            else self.top_keys.get(path, 0)
        )
        key = path.rsplit(".", 1)[-1]
        start = anchor
        for number in range(anchor, len(self.lines) + 1):
            if number and re.match(rf"^\s*{re.escape(key)}\s*=", self.lines[number - 1]):
                start = number
                break
        hits = [n for n in range(max(start, 1), len(self.lines) + 1) if "type" in self.lines[n - 1]]
        return hits[index] if index < len(hits) else start

    def key_lines(self, entry_line: int) -> dict[str, int]:
        """Lines of `key =` inside the table that starts at `entry_line`."""
        out: dict[str, int] = {}
        for number in range(entry_line + 1, len(self.lines) + 1):
            raw = self.lines[number - 1]
            if _HEADER.match(raw) or _TABLE.match(raw):
                break
            key = _KEY.match(raw)
            if key:
                out.setdefault(key.group(1), number)
        return out


# -- parsing ----------------------------------------------------------------------------------

_TOML_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def parse_shape(value: Any) -> tuple[int, ...]:
    """`[3, 32, 32]`, `"3x32x32"`, `"3×32×32"` or `"3,32,32"` -> (3, 32, 32); ValueError if not."""
    if isinstance(value, str):
        compact = value.strip().replace(" ", "")
        if not re.fullmatch(r"\d{1,9}(?:[x×X*,]\d{1,9})*", compact):
            raise ValueError(_("{value!r} is not a shape such as 3x32x32").format(value=value))
        dims = [int(p) for p in re.split(r"[x×X*,]", compact)]
    elif (
        isinstance(value, list)
        and value
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        dims = list(value)
    else:
        raise ValueError(
            _('{value!r} is not a shape such as [3, 32, 32] or "3x32x32"').format(value=value)
        )
    if len(dims) not in (1, 3):
        raise ValueError(
            _("a shape has 3 sizes (C×H×W) or 1 (features), got {count}").format(count=len(dims))
        )
    if any(d <= 0 or d > 1 << 24 for d in dims):
        raise ValueError(_("every size must be a positive whole number"))
    return tuple(dims)


def _check_arg(arg_name: str, arg: Arg, value: Any, problems: list[str]) -> Any:
    """The value converted to its kind, or None after appending a problem."""
    kind = arg.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        problems.append(
            _("{name} must be true or false, got {value!r}").format(name=arg_name, value=value)
        )
        return None
    if kind == "str":
        if isinstance(value, str) and value.strip():
            return value.strip()
        problems.append(
            _("{name} must be a name in quotes, got {value!r}").format(name=arg_name, value=value)
        )
        return None
    if kind == "list":
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, str) and v.strip() for v in value)
        ):
            return [v.strip() for v in value]
        problems.append(
            _('{name} must be a list of block names, e.g. ["a", "b"]').format(name=arg_name)
        )
        return None
    if kind == "float":
        if isinstance(value, int | float) and not isinstance(value, bool):
            if arg.minimum is not None and value < arg.minimum:
                problems.append(
                    _("{name} must be at least {minimum}, got {value}").format(
                        name=arg_name, minimum=f"{arg.minimum:g}", value=value
                    )
                )
                return None
            if arg_name == "p" and value >= 1:
                problems.append(_("p is a probability below 1, got {value}").format(value=value))
                return None
            return float(value)
        problems.append(
            _("{name} must be a number, got {value!r}").format(name=arg_name, value=value)
        )
        return None
    values = value if (kind == "pair" and isinstance(value, list)) else [value]
    if kind == "pair" and isinstance(value, list) and len(value) != 2:
        problems.append(
            _("{name} must be a number or a pair [height, width], got {value!r}").format(
                name=arg_name, value=value
            )
        )
        return None
    for v in values:
        if not isinstance(v, int) or isinstance(v, bool):
            problems.append(
                _("{name} must be a whole number, got {value!r}").format(name=arg_name, value=value)
            )
            return None
        if arg.minimum is not None and v < arg.minimum:
            problems.append(
                _("{name} must be at least {minimum}, got {value}").format(
                    name=arg_name, minimum=int(arg.minimum), value=v
                )
            )
            return None
        if v > MAX_CHANNELS:
            problems.append(
                _("{name} is too large ({value})").format(name=arg_name, value=f"{v:,}")
            )
            return None
    return tuple(values) if kind == "pair" and isinstance(value, list) else value


def _parse_layers(
    raw: Any, path: str, lines: _Lines, label_prefix: str, problems: list[SpecProblem]
) -> list[LayerSpec]:
    if not isinstance(raw, list):
        problems.append(
            SpecProblem(
                lines.top_keys.get(path, 0),
                _("`{path}` must be a list of layer tables ([[{path}]])").format(path=path),
            )
        )
        return []
    layers: list[LayerSpec] = []
    for index, item in enumerate(raw):
        line = lines.entry_line(path, index)
        label = label_prefix + _("layer {number}").format(number=index + 1)
        key_lines = lines.key_lines(line)
        if not isinstance(item, dict):
            problems.append(
                SpecProblem(line, _("{label}: must be a table with a type").format(label=label))
            )
            continue
        type_value = item.get("type")
        if not isinstance(type_value, str):
            problems.append(
                SpecProblem(
                    line,
                    _('{label}: needs type = "conv2d" (or linear, relu, …)').format(label=label),
                )
            )
            continue
        kind = canonical_type(type_value)
        if kind is None:
            import difflib

            close = difflib.get_close_matches(
                type_value.lower(), list(LAYER_TYPES) + list(ALIASES), n=1
            )
            hint = (
                _("; did you mean {name}?").format(name=close[0])
                if close
                else _("; known: {names}").format(names=", ".join(LAYER_TYPES))
            )
            problems.append(
                SpecProblem(
                    key_lines.get("type", line),
                    _("{label}: unknown layer type {type!r}").format(label=label, type=type_value)
                    + hint,
                )
            )
            continue
        label = f"{label}, {kind}"
        spec_type = LAYER_TYPES[kind]
        args: dict[str, Any] = {}
        own: list[str] = []
        for key, value in item.items():
            where = key_lines.get(key, line)
            if key in COMMON_KEYS:
                continue
            if key not in spec_type.args:
                valid = ", ".join(spec_type.args) or _("no arguments")
                problems.append(
                    SpecProblem(
                        where,
                        _("{label}: unknown argument {key!r} (takes {valid})").format(
                            label=label, key=key, valid=valid
                        ),
                    )
                )
                continue
            checked = _check_arg(key, spec_type.args[key], value, own)
            if own:
                problems.append(SpecProblem(where, f"{label}: {own.pop()}"))
                continue
            args[key] = checked
        for key, arg in spec_type.args.items():
            if arg.required and key not in args and key not in item:
                problems.append(
                    SpecProblem(line, _("{label}: missing {key}").format(label=label, key=key))
                )
        name = item.get("name")
        if name is not None and (
            not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name)
        ):
            problems.append(
                SpecProblem(
                    key_lines.get("name", line),
                    _("{label}: name must be a word like conv1 (letters, digits, _)").format(
                        label=label
                    ),
                )
            )
            name = None
        repeat = item.get("repeat", 1)
        if not isinstance(repeat, int) or isinstance(repeat, bool) or not 1 <= repeat <= MAX_REPEAT:
            problems.append(
                SpecProblem(
                    key_lines.get("repeat", line),
                    _("{label}: repeat must be a whole number from 1 to {maximum}").format(
                        label=label, maximum=MAX_REPEAT
                    ),
                )
            )
            repeat = 1
        layers.append(LayerSpec(kind, args, line, label, name, repeat, key_lines))
    return layers


def parse_spec(text: str) -> NetworkSpec:
    """Parse and check the structure of a spec (types, arguments, block references).

    Raises SpecError listing every problem with its line. Shapes are checked by `build_spec`.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        line = int(position.group(1)) if position else 0
        if not position and "end of document" in message:
            # TOML lines end at "\n" only (`splitlines` would also split at \x1e, \x0c, ...)
            line = text.rstrip("\n").count("\n") + 1
        reason = _TOML_POSITION.sub("", message).strip().rstrip(".")
        raise SpecError(
            [SpecProblem(line, _("not valid TOML: {reason}").format(reason=reason))]
        ) from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise SpecError([SpecProblem(0, N_("the spec nests too deeply"))]) from None
    lines = _Lines(text)
    problems: list[SpecProblem] = []
    for key in document:
        if key not in TOP_KEYS:
            problems.append(
                SpecProblem(
                    lines.top_keys.get(key, lines.tables.get(key, 0)),
                    _("unknown top-level key {key!r} (a spec has {keys})").format(
                        key=key, keys=", ".join(sorted(TOP_KEYS))
                    ),
                )
            )
    name = document.get("name", "my-network")
    if not isinstance(name, str) or not name.strip():
        problems.append(SpecProblem(lines.top_keys.get("name", 0), N_("name must be a text")))
        name = "my-network"
    description = document.get("description", "")
    if not isinstance(description, str):
        description = ""
    input_shape: tuple[int, ...] = ()
    if "input" not in document:
        problems.append(SpecProblem(1, N_("missing input = [C, H, W] (e.g. input = [1, 28, 28])")))
    else:
        try:
            input_shape = parse_shape(document["input"])
        except ValueError as exc:
            problems.append(
                SpecProblem(lines.top_keys.get("input", 0), _("input: {reason}").format(reason=exc))
            )
    layers = (
        _parse_layers(document.get("layers"), "layers", lines, "", problems)
        if "layers" in document
        else []
    )
    if "layers" not in document:
        problems.append(SpecProblem(0, N_("no layers: add [[layers]] tables, each with a type")))
    elif not layers and not problems:
        problems.append(SpecProblem(lines.top_keys.get("layers", 0), N_("the layer list is empty")))
    blocks: dict[str, list[LayerSpec]] = {}
    block_lines: dict[str, int] = {}
    raw_blocks = document.get("blocks", {})
    if not isinstance(raw_blocks, dict):
        problems.append(
            SpecProblem(
                lines.top_keys.get("blocks", 0),
                N_("blocks must be tables: [blocks.NAME] with [[blocks.NAME.layers]]"),
            )
        )
        raw_blocks = {}
    for block_name, block in raw_blocks.items():
        path = f"blocks.{block_name}"
        block_line = lines.tables.get(path) or (lines.entries.get(f"{path}.layers") or [0])[0]
        block_lines[block_name] = block_line
        if not isinstance(block, dict) or "layers" not in block:
            problems.append(
                SpecProblem(
                    block_line,
                    _("block {name!r} needs layers ([[{path}.layers]])").format(
                        name=block_name, path=path
                    ),
                )
            )
            continue
        extra = set(block) - {"layers", "description"}
        if extra:
            problems.append(
                SpecProblem(
                    block_line,
                    _("block {name!r}: unknown key(s) {keys}").format(
                        name=block_name, keys=", ".join(sorted(extra))
                    ),
                )
            )
        parsed = _parse_layers(
            block["layers"],
            f"{path}.layers",
            lines,
            _("block {name}, ").format(name=block_name),
            problems,
        )
        if not parsed and isinstance(block["layers"], list) and not block["layers"]:
            problems.append(
                SpecProblem(block_line, _("block {name!r} has no layers").format(name=block_name))
            )
        blocks[block_name] = parsed
    spec = NetworkSpec(
        name.strip(),
        input_shape,
        layers,
        blocks,
        description,
        block_lines,
        lines.top_keys.get("input", 0),
    )
    _check_references(spec, problems)
    if problems:
        problems.sort(key=lambda p: (p.line == 0, p.line))
        raise SpecError(problems)
    return spec


def _references(layer: LayerSpec) -> list[tuple[str, str]]:
    refs: list[tuple[str, str]] = []
    for key in ("block", "body", "shortcut"):
        if isinstance(layer.args.get(key), str):
            refs.append((key, layer.args[key]))
    for branch in layer.args.get("branches") or []:
        refs.append(("branches", branch))
    return refs


def _check_references(spec: NetworkSpec, problems: list[SpecProblem]) -> None:
    """Every referenced block exists, activations are known, and no block contains itself."""
    everything = [(None, layer) for layer in spec.layers] + [
        (name, layer) for name, layers in spec.blocks.items() for layer in layers
    ]
    for _owner, layer in everything:
        for key, target in _references(layer):
            if target not in spec.blocks:
                known = ", ".join(sorted(spec.blocks)) or _("none defined")
                problems.append(
                    SpecProblem(
                        layer.key_lines.get(key, layer.line),
                        _("{label}: no block called {target!r} (blocks: {known})").format(
                            label=layer.label, target=target, known=known
                        ),
                    )
                )
        activation = layer.args.get("activation")
        if activation is not None and canonical_type(activation) not in ACTIVATIONS:
            problems.append(
                SpecProblem(
                    layer.key_lines.get("activation", layer.line),
                    _("{label}: activation must be one of {names}").format(
                        label=layer.label, names=", ".join(ACTIVATIONS)
                    ),
                )
            )

    _check_nesting(spec, problems)


def _check_nesting(spec: NetworkSpec, problems: list[SpecProblem]) -> None:
    """No block contains itself, and blocks nest at most MAX_NESTING deep.

    One depth-first walk over the graph of block references that visits each block once (its
    result is remembered), so the time is linear in the spec's size however often blocks are
    shared: a walk over every path would double with each level of `concat` of two shared blocks.
    The walk keeps its own stack, so deep chains cannot exhaust Python's recursion limit.
    """
    targets = {
        name: list(
            dict.fromkeys(
                target
                for layer in layers
                for _key, target in _references(layer)
                if target in spec.blocks
            )
        )
        for name, layers in spec.blocks.items()
    }
    height: dict[str, int] = {}
    """Finished blocks: how many levels of blocks lie below each (0 when it uses none)."""
    on_path: dict[str, int] = {}
    """Blocks on the current walk, each with its position in `path`."""
    path: list[str] = []
    too_deep_reported = False
    for root in spec.blocks:
        if root in height:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_path[root] = 0
        path.append(root)
        while stack:
            name, index = stack[-1]
            children = targets[name]
            if index < len(children):
                stack[-1] = (name, index + 1)
                child = children[index]
                if child in on_path:
                    cycle = " → ".join([*path[on_path[child] :], child])
                    problems.append(
                        SpecProblem(
                            spec.block_lines.get(child, 0),
                            _("block {name!r} contains itself ({cycle})").format(
                                name=child, cycle=cycle
                            ),
                        )
                    )
                    return  # one report per spec is enough; the rest follows from it
                if child not in height:
                    on_path[child] = len(path)
                    path.append(child)
                    stack.append((child, 0))
                continue
            stack.pop()
            path.pop()
            del on_path[name]
            height[name] = 1 + max((height[c] for c in children), default=-1)
            if height[name] > MAX_NESTING and not too_deep_reported:
                too_deep_reported = True
                problems.append(
                    SpecProblem(
                        spec.block_lines.get(name, 0),
                        _("blocks nest deeper than {levels} levels").format(levels=MAX_NESTING),
                    )
                )


# -- building with shape checks -----------------------------------------------------------------


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


def _flat_text(shape: tuple[int, ...]) -> str:
    total = 1
    for s in shape:
        total *= s
    return f"{_shape_text(shape)} = {total:,}" if len(shape) > 1 else f"{total:,}"


class _Builder:
    """Turns a checked NetworkSpec into engine modules, tracking the shape after every layer."""

    def __init__(self, spec: NetworkSpec) -> None:
        from cnntui.engine import nn

        self.nn = nn
        self.spec = spec
        self.count = 0

    def fail(self, layer: LayerSpec, message: str, key: str | None = None) -> SpecError:
        line = layer.key_lines.get(key, layer.line) if key else layer.line
        return SpecError(
            [
                SpecProblem(
                    line, _("{label}: {message}").format(label=layer.label, message=_(message))
                )
            ]
        )

    def sequence(
        self, layers: list[LayerSpec], shape: tuple[int, ...], depth: int = 0
    ) -> tuple[Any, tuple[int, ...]]:
        if depth > MAX_NESTING:
            raise SpecError(
                [
                    SpecProblem(
                        layers[0].line if layers else 0,
                        _("blocks nest deeper than {levels} levels").format(levels=MAX_NESTING),
                    )
                ]
            )
        children: dict[str, Any] = {}
        for index, layer in enumerate(layers):
            key = layer.name or str(index)
            if key in children:
                raise self.fail(
                    layer,
                    _("the name {name!r} is used twice in the same list").format(name=key),
                    "name",
                )
            if layer.repeat == 1:
                module, shape = self.checked(layer, shape, depth)
            else:
                copies = []
                for _copy in range(layer.repeat):
                    module, shape = self.checked(layer, shape, depth)
                    copies.append(module)
                module = self.nn.Sequential(*copies)
            children[key] = module
        return self.nn.Sequential(**children), shape

    def checked(
        self, layer: LayerSpec, shape: tuple[int, ...], depth: int
    ) -> tuple[Any, tuple[int, ...]]:
        """`one`, with the engine's argument errors (a pool padding wider than half its window,
        say) reported at the layer instead of escaping."""
        self.count += 1
        if self.count > MAX_LAYERS:
            raise self.fail(
                layer,
                _("the network expands to more than {count} layers; lower a repeat").format(
                    count=f"{MAX_LAYERS:,}"
                ),
                "repeat",
            )
        try:
            return self.one(layer, shape, depth)
        except SpecError:
            raise
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise self.fail(layer, str(exc)) from None

    def one(
        self, layer: LayerSpec, shape: tuple[int, ...], depth: int
    ) -> tuple[Any, tuple[int, ...]]:
        nn = self.nn
        a = dict(layer.args)
        kind = layer.type
        if (
            kind
            in (
                "conv2d",
                "convtranspose2d",
                "batchnorm2d",
                "maxpool2d",
                "avgpool2d",
                "adaptiveavgpool2d",
                "gap",
                "localresponsenorm",
            )
            and len(shape) != 3
        ):
            raise self.fail(
                layer,
                _(
                    "needs a C×H×W input, gets {shape} (it comes after a flatten or linear layer)"
                ).format(shape=_shape_text(shape)),
            )
        if kind in ("conv2d", "convtranspose2d"):
            expected = shape[0]
            given = a.pop("in_channels", None)
            if given is not None and given != expected:
                raise self.fail(
                    layer,
                    _("expects {given} input channels, gets {shape} ({expected} channels)").format(
                        given=given, shape=_shape_text(shape), expected=expected
                    ),
                    "in_channels",
                )
            groups = a.get("groups", 1)
            if expected % groups or a["out_channels"] % groups:
                raise self.fail(
                    layer,
                    _(
                        "groups={groups} must divide both the {inputs} input and {outputs} "
                        "output channels"
                    ).format(groups=groups, inputs=expected, outputs=a["out_channels"]),
                    "groups",
                )
            cls = nn.Conv2d if kind == "conv2d" else nn.ConvTranspose2d
            module = cls(expected, a.pop("out_channels"), a.pop("kernel_size"), **a)
        elif kind == "linear":
            if len(shape) != 1:
                given = a.get("in_features")
                if given is not None:
                    raise self.fail(
                        layer,
                        _(
                            "expects {given} inputs, gets {shape}; add a flatten layer before it"
                        ).format(given=f"{given:,}", shape=_flat_text(shape)),
                    )
                raise self.fail(
                    layer,
                    _(
                        "needs a flat input, gets {shape}; add a flatten layer before it "
                        "(it would give {flat} inputs)"
                    ).format(shape=_shape_text(shape), flat=_flat_text(shape)),
                )
            given = a.pop("in_features", None)
            if given is not None and given != shape[0]:
                raise self.fail(
                    layer,
                    _("expects {given} inputs, gets {count}").format(
                        given=f"{given:,}", count=f"{shape[0]:,}"
                    ),
                    "in_features",
                )
            module = nn.Linear(shape[0], a.pop("out_features"), **a)
        elif kind in ("batchnorm2d", "batchnorm1d"):
            channels = shape[0]
            if kind == "batchnorm1d" and len(shape) != 1:
                raise self.fail(
                    layer,
                    _(
                        "batchnorm1d needs a flat input, gets {shape}; use batchnorm2d for C×H×W"
                    ).format(shape=_shape_text(shape)),
                )
            given = a.pop("num_features", None)
            if given is not None and given != channels:
                raise self.fail(
                    layer,
                    _("expects {given} channels, gets {shape}").format(
                        given=given, shape=_shape_text(shape)
                    ),
                    "num_features",
                )
            cls = nn.BatchNorm2d if kind == "batchnorm2d" else nn.BatchNorm1d
            module = cls(channels, **a)
        elif kind == "maxpool2d":
            module = nn.MaxPool2d(a.pop("kernel_size"), **a)
        elif kind == "avgpool2d":
            module = nn.AvgPool2d(a.pop("kernel_size"), **a)
        elif kind == "adaptiveavgpool2d":
            module = nn.AdaptiveAvgPool2d(a.get("output_size", 1))
        elif kind == "gap":
            module = nn.Sequential(pool=nn.AdaptiveAvgPool2d(1), flatten=nn.Flatten())
        elif kind == "flatten":
            module = nn.Flatten()
        elif kind in ACTIVATIONS or kind in ("dropout", "identity"):
            module = self.activation(kind, a)
        elif kind == "localresponsenorm":
            module = nn.LocalResponseNorm(a.pop("size"), **a)
        elif kind == "block":
            # the shape the block's own layers computed: tracing the block again would make
            # nested blocks cost the square of their size
            return self.sequence(self.spec.blocks[a["block"]], shape, depth + 1)
        elif kind == "residual":
            return self.residual(layer, a, shape, depth)
        elif kind == "concat":
            return self.concat(layer, a, shape, depth)
        else:  # pragma: no cover - parse_spec only lets known types through
            raise self.fail(layer, f"unsupported layer type {kind}")
        return module, self.output(layer, module, shape)

    def activation(self, kind: str, a: dict[str, Any]) -> Any:
        nn = self.nn
        kind = canonical_type(kind) or kind
        makers: dict[str, Callable[[], Any]] = {
            "relu": nn.ReLU,
            "leakyrelu": lambda: nn.LeakyReLU(a.get("negative_slope", 0.01)),
            "sigmoid": nn.Sigmoid,
            "tanh": nn.Tanh,
            "dropout": lambda: nn.Dropout(a.get("p", 0.5)),
            "identity": nn.Identity,
        }
        return makers[kind]()

    def output(self, layer: LayerSpec, module: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
        try:
            return tuple(module.output_shape(shape))
        except ShapeError as exc:
            raise self.fail(
                layer, _("gets {shape}: {reason}").format(shape=_shape_text(shape), reason=exc)
            ) from None
        except (ValueError, TypeError, ZeroDivisionError) as exc:
            raise self.fail(
                layer,
                _("cannot take {shape}: {reason}").format(shape=_shape_text(shape), reason=exc),
            ) from None

    def residual(
        self, layer: LayerSpec, a: dict[str, Any], shape: tuple[int, ...], depth: int
    ) -> tuple[Any, tuple[int, ...]]:
        nn = self.nn
        body, body_shape = self.sequence(self.spec.blocks[a["body"]], shape, depth + 1)
        shortcut = None
        short_shape = shape
        if a.get("shortcut"):
            shortcut, short_shape = self.sequence(self.spec.blocks[a["shortcut"]], shape, depth + 1)
        if body_shape != short_shape:
            hint = (
                ""
                if a.get("shortcut")
                else _("; add a shortcut block (e.g. a 1×1 conv2d with the same stride) to match")
            )
            raise self.fail(
                layer,
                _(
                    "body gives {body} but the shortcut gives {shortcut}; they must match to be added"
                ).format(body=_shape_text(body_shape), shortcut=_shape_text(short_shape))
                + hint,
            )
        activation = self.activation(a["activation"], {}) if a.get("activation") else None
        # activation(body + shortcut) has the body's shape, checked above to be the shortcut's
        return nn.Residual(body, shortcut=shortcut, activation=activation), body_shape

    def concat(
        self, layer: LayerSpec, a: dict[str, Any], shape: tuple[int, ...], depth: int
    ) -> tuple[Any, tuple[int, ...]]:
        nn = self.nn
        branches = []
        shapes = []
        for name in a["branches"]:
            branch, out = self.sequence(self.spec.blocks[name], shape, depth + 1)
            branches.append(branch)
            shapes.append(out)
        if len({s[1:] for s in shapes}) != 1 or len({len(s) for s in shapes}) != 1:
            listing = ", ".join(f"{n}: {_shape_text(s)}" for n, s in zip(a["branches"], shapes))
            raise self.fail(
                layer,
                _("branches must agree in everything but channels to be joined ({listing})").format(
                    listing=listing
                ),
            )
        # joined along channels; the branches agree in everything else (checked above)
        joined = (sum(s[0] for s in shapes), *shapes[0][1:])
        return nn.Concat(*branches), joined


@dataclass
class BuiltSpec:
    """A spec turned into a module: the network, its input shape and the parsed spec."""

    module: Any
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    spec: NetworkSpec


class _FlattenTracker(_Builder):
    """A builder that remembers the C×H×W that each flatten consumed, so that a linear layer's
    message can say "gets 16×4×4 = 256" rather than just "gets 256"."""

    def __init__(self, spec: NetworkSpec) -> None:
        super().__init__(spec)
        self.flattened: dict[int, tuple[int, ...]] = {}
        self.last_flatten: tuple[int, ...] | None = None

    def one(
        self, layer: LayerSpec, shape: tuple[int, ...], depth: int
    ) -> tuple[Any, tuple[int, ...]]:
        if layer.type == "linear" and len(shape) == 1 and self.last_flatten is not None:
            given = layer.args.get("in_features")
            if given is not None and given != shape[0]:
                raise self.fail(
                    layer,
                    _("expects {given} inputs, gets {count}").format(
                        given=f"{given:,}", count=_flat_text(self.last_flatten)
                    ),
                    "in_features",
                )
        module, out = super().one(layer, shape, depth)
        if layer.type == "flatten":
            self.last_flatten = shape
        elif out != shape:
            self.last_flatten = None
        return module, out


def build_spec(spec: NetworkSpec) -> BuiltSpec:
    """Build the engine module of a parsed spec, checking shapes layer by layer.

    Raises SpecError at the first layer that cannot take what flows into it.
    """
    builder = _FlattenTracker(spec)
    module, out = builder.sequence(spec.layers, spec.input_shape)
    return BuiltSpec(module, spec.input_shape, out, spec)


def load_spec_text(text: str) -> BuiltSpec:
    """Parse, check and build a spec from its text (what the editor pane validates)."""
    return build_spec(parse_spec(text))


def load_spec_file(path: str | Path) -> BuiltSpec:
    """Read a spec file; SpecError (with the file name) if it cannot be read or built."""
    from cnntui import userfile

    target = Path(path)
    try:
        raw = userfile.read_bytes(target, "spec")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SpecError(
            [
                SpecProblem(
                    0, _("cannot read {name}: {reason}").format(name=target.name, reason=reason)
                )
            ]
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SpecError(
            [SpecProblem(0, N_("is not a UTF-8 text file (a spec is TOML text)"))], target.name
        ) from None
    try:
        return load_spec_text(text)
    except SpecError as exc:
        raise SpecError(exc.problems, target.name) from None


MAX_SPEC_BYTES = 1 << 20
"""The largest spec file read (the `spec` cap of `cnntui.userfile.LIMITS`)."""
"""A spec is a short text file; anything larger is refused unread."""


def read_spec_file(path: Path) -> str:
    """A spec file's text, for the editor; UsageError if it is missing, not a regular file (a
    FIFO would block the reader), over 1 MiB or not UTF-8 (see `cnntui.userfile`)."""
    from cnntui import userfile

    try:
        return userfile.read_text(path, "spec")
    except userfile.FileRefused as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(
            _("cannot open {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None
    except UnicodeDecodeError:
        raise UsageError(
            _("{name} is not UTF-8 text; a spec is a TOML file").format(name=path.name)
        ) from None


def save_spec_file(path: Path, text: str) -> None:
    """Write a spec (or other text the Models mode saves) atomically; UsageError on failure."""
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        raise UsageError(
            _("cannot write {path}: {reason}").format(path=path, reason=exc.strerror or exc)
        ) from None


def validate_text(text: str) -> list[SpecProblem]:
    """Every problem of a spec text (empty when it builds). Never raises for any input string."""
    try:
        load_spec_text(text)
    except SpecError as exc:
        return exc.problems
    except RecursionError:
        return [SpecProblem(0, N_("the spec nests too deeply"))]
    return []


EXAMPLE_SPEC = """\
# A LeNet-style network. Edit it: the table updates as you type.
name = "my-lenet"
input = [1, 28, 28]

[[layers]]
type = "conv2d"
out_channels = 6
kernel_size = 5
padding = 2

[[layers]]
type = "relu"

[[layers]]
type = "maxpool2d"
kernel_size = 2

[[layers]]
type = "block"
block = "features"

[[layers]]
type = "flatten"

[[layers]]
type = "linear"
out_features = 120

[[layers]]
type = "relu"

[[layers]]
type = "linear"
out_features = 10

[blocks.features]
[[blocks.features.layers]]
type = "conv2d"
out_channels = 16
kernel_size = 5

[[blocks.features.layers]]
type = "relu"

[[blocks.features.layers]]
type = "maxpool2d"
kernel_size = 2
"""
"""The spec the editor starts with (a valid network)."""
