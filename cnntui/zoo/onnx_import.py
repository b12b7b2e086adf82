"""Read an ONNX model into an engine network, to summarise it like a zoo model or run it.

`load_onnx(path)` returns an `ImportedModel`: a `cnntui.engine.graph.Graph` whose steps are engine
layers (`Conv2d`, `BatchNorm2d`, `Linear`, …; `Add` and `Concatenate` where branches meet), the
per-sample input shape, and whether the file carried the weights. The graph then goes through
`summarize` exactly as a zoo model does (parameters, MACs, shapes, receptive fields) and, with
weights, runs in the engine.

Safety: the file is size-capped (`MAX_BYTES`) and parsed as a protobuf message, which only reads
data (nothing in it is executed); weights stored in external files are refused, not followed.

Operators understood (opset 7 and later): Conv (groups, dilation, symmetric pads or 'same'),
ConvTranspose, Gemm, MatMul (+ Add of a bias), Relu, LeakyRelu, Sigmoid, Tanh, MaxPool,
AveragePool, GlobalAveragePool, BatchNormalization, LRN, Dropout, Flatten, Reshape (to flatten),
Add (two branches), Concat (on channels), Softmax, Identity, Constant, the subsample-and-pad
shortcut of CIFAR ResNets (Slice + Pad), and shape arithmetic on constants (Shape, Gather,
Unsqueeze, Squeeze, Concat, Cast). At the first other operator the import stops: `problem` names
the node, its operator and its index in the graph, and the network holds every layer before it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnntui.engine import nn
from cnntui.engine.graph import INPUT, Add, Concatenate, Graph, Softmax, Step
from cnntui.engine.module import Module, Parameter, Shape
from cnntui.errors import ShapeError, UsageError
from cnntui.i18n import N_, Message, Text, _, error_text
from cnntui.zoo.onnx_export import require_onnx

MAX_BYTES = 1 << 30
"""Largest file read (1 GiB: VGG-19 with its weights is 575 MB)."""

BATCH = 0
"""What `Shape` reports for the batch axis: 0 means "keep this axis" to a later `Reshape`."""


class OnnxImportError(UsageError):
    """A file that is not a usable ONNX model; the one-line message says why."""


class _Unsupported(Exception):
    """A node the engine cannot express (stops the import there)."""


@dataclass
class ImportedModel:
    """An ONNX network as an engine module.

    Attributes:
        name: the graph's name (or the file's stem).
        module: the network; its forward takes (N, *input_shape) float32 arrays.
        input_shape: per-sample input shape, (C, H, W) or (F,).
        has_weights: True when every weight came from the file; False when some were only
            declared (their values are then freshly initialised).
        problem: None, or one line naming the first node that could not be imported, in the
            language current at the import; `module` then holds every layer before it.
        problem_message: the same as a `Message` (`.english()` for `--json` documents).
        opset: the default-domain operator set version.
        producer: the program that wrote the file (e.g. `pytorch 2.13.0`).
        metadata: the model's `metadata_props` (key → value text), as the file carries them.
    """

    name: str
    module: Graph
    input_shape: Shape
    has_weights: bool
    problem: str | None = None
    opset: int = 0
    producer: str = ""
    metadata: dict[str, str] = field(default_factory=dict)
    problem_message: Message | None = None


def is_onnx_path(target: str) -> bool:
    """True when `target` names an ONNX file (by its extension)."""
    return target.lower().endswith(".onnx")


def load_onnx(
    path: str | os.PathLike[str],
    input_shape: Shape | None = None,
    max_bytes: int = MAX_BYTES,
) -> ImportedModel:
    """Read the ONNX model at `path` (see the module docstring).

    `input_shape` (per sample) replaces the file's input size, needed when the file leaves height
    or width symbolic. Raises `OnnxImportError` (a `UsageError`) with a one-line reason for a
    missing, oversized, truncated or foreign file, weights declared nowhere, or an input the
    engine cannot take; without the `onnx` package, a `UsageError` saying how to install it.
    """
    require_onnx()
    file = Path(path)
    try:
        size = file.stat().st_size
    except OSError as exc:
        raise OnnxImportError(
            _("cannot read {path}: {reason}").format(path=file, reason=exc.strerror or exc)
        ) from None
    if size > max_bytes:
        raise OnnxImportError(
            _("{path} is {size} MiB; ONNX files up to {limit} MiB are read").format(
                path=file, size=f"{size / 2**20:,.0f}", limit=f"{max_bytes / 2**20:,.0f}"
            )
        )
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise OnnxImportError(
            _("cannot read {path}: {reason}").format(path=file, reason=exc.strerror or exc)
        ) from None
    return load_onnx_bytes(data, file.name, input_shape)


def load_onnx_bytes(data: bytes, label: str, input_shape: Shape | None = None) -> ImportedModel:
    """`load_onnx` on the file's bytes; `label` names the file in messages."""
    onnx = require_onnx()
    from google.protobuf.message import DecodeError

    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as exc:
        reason = " ".join(str(exc).split()) or _("unreadable")
        raise OnnxImportError(
            _(
                "{name} is not a readable ONNX model ({reason}; truncated or another format?)"
            ).format(name=label, reason=reason)
        ) from None
    if model.ir_version < 3 or not model.HasField("graph") or not model.graph.node:
        raise OnnxImportError(
            _(
                "{name} is not an ONNX model (no graph of operators in it); "
                "export one with torch.onnx.export or 'cnntui export onnx'"
            ).format(name=label)
        )
    return _Importer(onnx, model, label, input_shape).run()


# -- the importer ------------------------------------------------------------------------------


def _attrs(onnx: Any, node: Any) -> dict[str, Any]:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class _Importer:
    def __init__(self, onnx: Any, model: Any, label: str, input_shape: Shape | None) -> None:
        self.onnx = onnx
        self.model = model
        self.graph = model.graph
        self.label = label
        self.override = tuple(input_shape) if input_shape else None
        self.opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
        self.consts: dict[str, np.ndarray] = {}
        self.declared: dict[str, Shape] = {}  # weights given as graph inputs without values
        self.shapes: dict[str, Shape] = {}  # per-sample shapes of data values
        self.alias: dict[str, str] = {}  # ONNX value -> graph value
        self.layers: list[tuple[Step, Module]] = []
        self.names: set[str] = set()
        self.skip: set[int] = set()  # nodes folded into an earlier layer
        self.has_weights = True
        self.consumers: dict[str, list[int]] = {}
        for i, node in enumerate(self.graph.node):
            for v in node.input:
                self.consumers.setdefault(v, []).append(i)

    # -- setup -------------------------------------------------------------------------------

    def run(self) -> ImportedModel:
        if self.opset and self.opset < 7:
            raise OnnxImportError(
                _("{name} uses operator set {opset}; version 7 or later is read").format(
                    name=self.label, opset=self.opset
                )
            )
        self._read_initializers()
        input_name, input_shape = self._read_input()
        self.alias[input_name] = INPUT
        self.shapes[INPUT] = input_shape
        problem: Message | None = None
        nodes = list(self.graph.node)
        for index, node in enumerate(nodes):
            if index in self.skip:
                continue
            try:
                self._convert(index, node)
            except _Unsupported as exc:
                problem = self._node_problem(node, index, len(nodes), error_text(exc))
                break
            except (
                ShapeError,
                ValueError,
                TypeError,
                KeyError,
                IndexError,
                ArithmeticError,
            ) as exc:
                # a malformed node (a missing attribute, an impossible size) stops the import
                # there, like an unsupported one
                reason: Text = (
                    Message(N_("attribute {name} is missing"), name=str(exc))
                    if isinstance(exc, KeyError)
                    else " ".join(str(exc).split()) or type(exc).__name__
                )
                problem = self._node_problem(node, index, len(nodes), reason)
                break
        output = self._output_value(problem is not None)
        module = Graph(self.layers, output)
        name = self.graph.name or Path(self.label).stem
        if name in ("torch_jit", "main_graph", "torch-jit-export"):
            name = Path(self.label).stem  # PyTorch's generic graph names say nothing
        producer = " ".join(p for p in (self.model.producer_name, self.model.producer_version) if p)
        return ImportedModel(
            name=name,
            module=module,
            input_shape=input_shape,
            has_weights=self.has_weights,
            problem=None if problem is None else str(problem),
            problem_message=problem,
            opset=self.opset,
            producer=producer,
            metadata={p.key: p.value for p in self.model.metadata_props},
        )

    @staticmethod
    def _node_problem(node: Any, index: int, count: int, reason: Text) -> Message:
        """Where the import stopped and why, one line; a Message, so the app shows it in its
        language when it shows it and `--json` documents keep it in English."""
        return Message(
            N_("node {name} ({op}, graph.node[{index}] of {count}): {reason}"),
            name=node.name or Message(N_("(unnamed)")),
            op=node.op_type,
            index=index,
            count=count,
            reason=reason,
        )

    def _read_initializers(self) -> None:
        from onnx import numpy_helper

        for tensor in self.graph.initializer:
            if tensor.data_location == self.onnx.TensorProto.EXTERNAL or tensor.external_data:
                raise OnnxImportError(
                    _(
                        "{name} keeps weight {weight} in an external file; save the model "
                        "with its weights inside (onnx.save_model(..., save_as_external_data=False))"
                    ).format(name=self.label, weight=tensor.name)
                )
            try:
                self.consts[tensor.name] = numpy_helper.to_array(tensor)
            except Exception as exc:  # a damaged tensor: any decoding failure means the same
                raise OnnxImportError(
                    _("{name}: weight {weight} is damaged ({reason})").format(
                        name=self.label, weight=tensor.name, reason=" ".join(str(exc).split())
                    )
                ) from None

    def _read_input(self) -> tuple[str, Shape]:
        inputs = [v for v in self.graph.input if v.name not in self.consts]
        if not inputs:
            raise OnnxImportError(_("{name} has no input").format(name=self.label))
        data, *others = inputs
        for extra in others:  # weights declared as inputs, values not in the file
            dims = self._dims(extra)
            if dims is not None and all(d > 0 for d in dims):
                self.declared[extra.name] = dims
        dims = self._dims(data)
        if dims is None or len(dims) not in (2, 4):
            raise OnnxImportError(
                (
                    _(
                        "{name}: input {input} must be images (N, C, H, W) or vectors (N, F); "
                        "it is of unknown rank"
                    )
                    if dims is None
                    else _(
                        "{name}: input {input} must be images (N, C, H, W) or vectors (N, F); "
                        "it is {rank}-dimensional"
                    )
                ).format(name=self.label, input=data.name, rank=len(dims or ()))
            )
        per_sample = dims[1:]
        if self.override is not None:
            if len(self.override) != len(per_sample):
                raise OnnxImportError(
                    _("--input: {name} takes {rank}-dimensional samples, got {shape}").format(
                        name=self.label,
                        rank=len(per_sample),
                        shape="x".join(map(str, self.override)),
                    )
                )
            return data.name, tuple(int(s) for s in self.override)
        if any(d <= 0 for d in per_sample):
            shown = "x".join(str(d) if d > 0 else "?" for d in per_sample)
            raise OnnxImportError(
                _(
                    "{name}: input {input} has a symbolic size ({shape}); "
                    "give the size with --input, e.g. 3x224x224"
                ).format(name=self.label, input=data.name, shape=shown)
            )
        return data.name, per_sample

    def _dims(self, value: Any) -> Shape | None:
        kind = value.type.WhichOneof("value")
        if kind != "tensor_type" or not value.type.tensor_type.HasField("shape"):
            return None
        return tuple(
            int(d.dim_value) if d.HasField("dim_value") else -1
            for d in value.type.tensor_type.shape.dim
        )

    def _output_value(self, partial: bool) -> str:
        if not partial and self.graph.output:
            name = self.graph.output[0].name
            if name in self.alias:
                return self.alias[name]
            raise OnnxImportError(
                _("{name}: the output {output} is not computed from the input by the graph").format(
                    name=self.label, output=name
                )
            )
        return self.layers[-1][0].output if self.layers else INPUT

    # -- helpers -----------------------------------------------------------------------------

    def data(self, value: str) -> str:
        """The graph value behind an ONNX data input."""
        if value in self.alias:
            return self.alias[value]
        if value in self.consts:
            raise _Unsupported(
                Message(
                    N_("input {name} is a constant where a feature map is expected"), name=value
                )
            )
        raise OnnxImportError(
            _("{name}: value {value} is used but never produced (a missing initializer?)").format(
                name=self.label, value=value
            )
        )

    def const(self, node: Any, position: int, required: bool = True) -> np.ndarray | None:
        """The constant at input `position` (None when absent and optional; for weights declared
        without values, zeros of the declared shape, and `has_weights` turns False)."""
        if position >= len(node.input) or not node.input[position]:
            if required:
                raise _Unsupported(Message(N_("input {position} is missing"), position=position))
            return None
        name = node.input[position]
        if name in self.consts:
            return self.consts[name]
        if name in self.declared:
            self.has_weights = False
            # zeros that take no memory; `assign` leaves such parameters to their initialiser
            return np.broadcast_to(np.float32(0.0), self.declared[name])
        if name in self.alias:
            raise _Unsupported(
                Message(
                    N_("input {name} is computed, but a constant weight is expected"), name=name
                )
            )
        raise OnnxImportError(
            _(
                "{file}: node {node} needs {name}, which the file "
                "neither stores nor declares (a missing initializer?)"
            ).format(file=self.label, node=node.name or node.op_type, name=name)
        )

    def layer_name(self, node: Any, index: int) -> str:
        weight = next((v for v in node.input[1:] if v in self.consts or v in self.declared), "")
        if weight.endswith(".weight"):
            base = weight[: -len(".weight")]
        else:
            parts = [p for p in node.name.strip("/").split("/") if p]
            if len(parts) > 1 and parts[-1].split("_")[0] == node.op_type:
                parts = parts[:-1]  # PyTorch: /features/features.0/Conv -> features.0
            base = parts[-1] if parts else f"{node.op_type.lower()}{index}"
        base = base.replace("/", ".").strip(".") or f"{node.op_type.lower()}{index}"
        if base == INPUT or base.startswith("_"):
            base = f"layer_{base.lstrip('_')}"
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.add(name)
        return name

    def add(self, node: Any, index: int, module: Module, inputs: list[str]) -> None:
        """Append `module` fed by these graph values; its output is the node's first output."""
        shapes = [self.shapes[v] for v in inputs]
        if isinstance(module, Add | Concatenate):
            out_shape = module.merged_shape(shapes)
        else:
            out_shape = module.output_shape(shapes[0])
        name = self.layer_name(node, index)
        output = node.output[0]
        self.layers.append((Step(name, tuple(inputs), output), module))
        self.alias[output] = output
        self.shapes[output] = tuple(out_shape)

    def assign(self, param: Parameter | None, value: np.ndarray | None) -> None:
        if value is not None and value.ndim and not any(value.strides):
            return  # a weight the file declares without values: keep the lazy initialiser
        if param is not None and value is not None:
            param.data = np.ascontiguousarray(value, dtype=np.float32).reshape(param.shape)

    def unused_outputs(self, node: Any, keep: int = 1) -> None:
        for extra in node.output[keep:]:
            if extra and extra in self.consumers or any(o.name == extra for o in self.graph.output):
                raise _Unsupported(
                    Message(
                        N_("its output {name} is used; only the first output is supported"),
                        name=extra,
                    )
                )

    # -- conversion --------------------------------------------------------------------------

    def _convert(self, index: int, node: Any) -> None:
        if node.domain not in ("", "ai.onnx"):
            raise _Unsupported(
                Message(N_("operators of domain {domain} are not supported"), domain=node.domain)
            )
        inputs = [v for v in node.input if v]
        if inputs and all(v in self.consts for v in inputs) and node.op_type in _FOLD:
            self.consts[node.output[0]] = _FOLD[node.op_type](self, node)
            return
        if node.op_type == "Constant":
            self.consts[node.output[0]] = _constant(self.onnx, node)
            return
        if node.op_type == "Shape" and node.input[0] in self.alias:
            shape = self.shapes[self.alias[node.input[0]]]
            self.consts[node.output[0]] = np.array([BATCH, *shape], dtype=np.int64)
            return
        method: Callable[[int, Any], None] | None = getattr(self, f"_{node.op_type}", None)
        if method is None:
            raise _Unsupported(
                Message(
                    N_(
                        "this operator is not supported (cnntui reads Conv, ConvTranspose, Gemm, MatMul, "
                        "Relu, LeakyRelu, Sigmoid, Tanh, MaxPool, AveragePool, GlobalAveragePool, "
                        "BatchNormalization, LRN, Dropout, Flatten, Reshape, Add, Concat, Softmax)"
                    )
                )
            )
        method(index, node)

    def _pads(
        self,
        a: dict[str, Any],
        kernel: tuple[int, int],
        dilation: tuple[int, int],
        stride: tuple[int, int],
    ) -> Any:
        """ONNX pads (top, left, bottom, right) or auto_pad as a PyTorch `padding`."""
        auto = a.get("auto_pad", b"NOTSET")
        auto = auto.decode() if isinstance(auto, bytes) else str(auto)
        if auto == "VALID":
            return (0, 0)
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            if stride != (1, 1):
                raise _Unsupported(
                    Message(
                        N_("auto_pad {mode} with stride {stride} is not supported"),
                        mode=auto,
                        stride=stride,
                    )
                )
            totals = [dilation[i] * (kernel[i] - 1) for i in range(2)]
            if all(t % 2 == 0 for t in totals):
                return (totals[0] // 2, totals[1] // 2)
            if auto == "SAME_UPPER":
                return "same"
            raise _Unsupported(
                Message(N_("auto_pad SAME_LOWER with an even kernel is not supported"))
            )
        pads = [int(p) for p in a.get("pads", [0, 0, 0, 0])]
        if len(pads) != 4:
            raise _Unsupported(
                Message(N_("only 2-D operators are supported, pads are {pads}"), pads=pads)
            )
        top, left, bottom, right = pads
        if (top, left) == (bottom, right):
            return (top, left)
        same = [dilation[i] * (kernel[i] - 1) for i in range(2)]
        if (
            stride == (1, 1)
            and [top + bottom, left + right] == same
            and (top, left)
            == (
                same[0] // 2,
                same[1] // 2,
            )
        ):
            return "same"
        raise _Unsupported(
            Message(
                N_(
                    "asymmetric padding {pads} (top, left, bottom, right) is not supported; pad "
                    "symmetrically, or add an explicit Pad before it"
                ),
                pads=pads,
            )
        )

    def _Conv(self, index: int, node: Any) -> None:
        x = self.data(node.input[0])
        weight = self.const(node, 1)
        bias = self.const(node, 2, required=False)
        assert weight is not None
        if weight.ndim != 4:
            raise _Unsupported(
                Message(
                    N_("only 2-D convolutions are supported, the weight is {shape}"),
                    shape=weight.shape,
                )
            )
        a = _attrs(self.onnx, node)
        group = int(a.get("group", 1))
        kernel = (int(weight.shape[2]), int(weight.shape[3]))
        stride = _pair(a.get("strides", [1, 1]))
        dilation = _pair(a.get("dilations", [1, 1]))
        padding = self._pads(a, kernel, dilation, stride)
        conv = nn.Conv2d(
            int(weight.shape[1]) * group,
            int(weight.shape[0]),
            kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=group,
            bias=bias is not None,
        )
        self.assign(conv.weight, weight)
        self.assign(conv.bias, bias)
        self.add(node, index, conv, [x])

    def _ConvTranspose(self, index: int, node: Any) -> None:
        x = self.data(node.input[0])
        weight = self.const(node, 1)
        bias = self.const(node, 2, required=False)
        assert weight is not None
        if weight.ndim != 4:
            raise _Unsupported(
                Message(
                    N_("only 2-D convolutions are supported, the weight is {shape}"),
                    shape=weight.shape,
                )
            )
        a = _attrs(self.onnx, node)
        if "output_shape" in a:
            raise _Unsupported(
                Message(N_("an explicit output_shape is not supported; give pads instead"))
            )
        auto = a.get("auto_pad", b"NOTSET")
        if (auto.decode() if isinstance(auto, bytes) else auto) not in ("NOTSET", "VALID"):
            raise _Unsupported(Message(N_("auto_pad {mode!r} is not supported"), mode=auto))
        pads = [int(p) for p in a.get("pads", [0, 0, 0, 0])]
        if pads[:2] != pads[2:]:
            raise _Unsupported(Message(N_("asymmetric padding {pads} is not supported"), pads=pads))
        group = int(a.get("group", 1))
        conv = nn.ConvTranspose2d(
            int(weight.shape[0]),
            int(weight.shape[1]) * group,
            (int(weight.shape[2]), int(weight.shape[3])),
            stride=_pair(a.get("strides", [1, 1])),
            padding=(pads[0], pads[1]),
            output_padding=_pair(a.get("output_padding", [0, 0])),
            groups=group,
            bias=bias is not None,
            dilation=_pair(a.get("dilations", [1, 1])),
        )
        self.assign(conv.weight, weight)
        self.assign(conv.bias, bias)
        self.add(node, index, conv, [x])

    def _linear(self, node: Any, index: int, x: str, weight: np.ndarray, bias: Any) -> None:
        """`weight` is (out, in) as in PyTorch."""
        linear = nn.Linear(int(weight.shape[1]), int(weight.shape[0]), bias=bias is not None)
        self.assign(linear.weight, weight)
        if bias is not None:
            self.assign(
                linear.bias, np.broadcast_to(np.asarray(bias).reshape(-1), (weight.shape[0],))
            )
        self.add(node, index, linear, [x])

    def _Gemm(self, index: int, node: Any) -> None:
        x = self.data(node.input[0])
        a = _attrs(self.onnx, node)
        if int(a.get("transA", 0)):
            raise _Unsupported(Message(N_("transA=1 is not supported")))
        weight = self.const(node, 1)
        bias = self.const(node, 2, required=False)
        assert weight is not None
        if weight.ndim != 2:
            raise _Unsupported(
                Message(N_("the weight must be a matrix, it is {shape}"), shape=weight.shape)
            )
        weight = weight if int(a.get("transB", 0)) else weight.T
        if float(a.get("alpha", 1.0)) != 1.0:
            weight = weight * float(a["alpha"])
        if bias is not None:
            if bias.size not in (1, weight.shape[0]):
                raise _Unsupported(
                    Message(N_("a bias of shape {shape} is not supported"), shape=bias.shape)
                )
            if float(a.get("beta", 1.0)) != 1.0:
                bias = bias * float(a["beta"])
        self._linear(node, index, x, weight, bias)

    def _MatMul(self, index: int, node: Any) -> None:
        x = self.data(node.input[0])
        weight = self.const(node, 1)
        assert weight is not None
        if weight.ndim != 2:
            raise _Unsupported(
                Message(
                    N_("only a product with a constant matrix is supported, got {shape}"),
                    shape=weight.shape,
                )
            )
        bias = None
        users = self.consumers.get(node.output[0], [])
        if len(users) == 1:
            after = self.graph.node[users[0]]
            other = [v for v in after.input if v != node.output[0]]
            if after.op_type == "Add" and len(other) == 1 and other[0] in self.consts:
                candidate = self.consts[other[0]]
                if candidate.size == weight.shape[1]:
                    bias = candidate
                    self.skip.add(users[0])
                    self._linear(node, index, x, weight.T, bias)
                    self.alias[after.output[0]] = self.alias[node.output[0]]
                    return
        self._linear(node, index, x, weight.T, None)

    def _Add(self, index: int, node: Any) -> None:
        if len(node.input) != 2 or any(v not in self.alias for v in node.input):
            raise _Unsupported(
                Message(N_("only the sum of two computed feature maps (a residual) is supported"))
            )
        self.add(node, index, Add(), [self.data(v) for v in node.input])

    def _Concat(self, index: int, node: Any) -> None:
        inputs = [self.data(v) for v in node.input]
        rank = len(self.shapes[inputs[0]]) + 1
        axis = int(_attrs(self.onnx, node).get("axis", 1))
        if axis % rank != 1:
            raise _Unsupported(
                Message(
                    N_("only concatenation on channels (axis 1) is supported, got {axis}"),
                    axis=axis,
                )
            )
        self.add(node, index, Concatenate(), inputs)

    def _pointwise(self, index: int, node: Any, module: Module) -> None:
        self.add(node, index, module, [self.data(node.input[0])])

    def _Relu(self, index: int, node: Any) -> None:
        self._pointwise(index, node, nn.ReLU())

    def _LeakyRelu(self, index: int, node: Any) -> None:
        alpha = float(_attrs(self.onnx, node).get("alpha", 0.01))
        self._pointwise(index, node, nn.LeakyReLU(alpha))

    def _Sigmoid(self, index: int, node: Any) -> None:
        self._pointwise(index, node, nn.Sigmoid())

    def _Tanh(self, index: int, node: Any) -> None:
        self._pointwise(index, node, nn.Tanh())

    def _Softmax(self, index: int, node: Any) -> None:
        x = self.data(node.input[0])
        rank = len(self.shapes[x]) + 1
        default = -1 if self.opset >= 13 else 1
        axis = int(_attrs(self.onnx, node).get("axis", default))
        if axis % rank != 1:
            raise _Unsupported(
                Message(
                    N_("only a softmax over the channels (axis 1) is supported, got {axis}"),
                    axis=axis,
                )
            )
        self._pointwise(index, node, Softmax())

    def _Identity(self, index: int, node: Any) -> None:
        self.alias[node.output[0]] = self.data(node.input[0])

    def _Dropout(self, index: int, node: Any) -> None:
        self.unused_outputs(node)
        ratio = self.const(node, 1, required=False)
        p = float(ratio) if ratio is not None else float(_attrs(self.onnx, node).get("ratio", 0.5))
        self._pointwise(index, node, nn.Dropout(p))

    def _pool(self, node: Any) -> tuple[dict[str, Any], tuple[int, int], tuple[int, int], Any]:
        a = _attrs(self.onnx, node)
        kernel = _pair(a.get("kernel_shape", []))
        stride = _pair(a.get("strides", [1, 1]))
        dilation = _pair(a.get("dilations", [1, 1]))
        padding = self._pads(a, kernel, dilation, stride)
        if isinstance(padding, str):
            raise _Unsupported(Message(N_("'same' padding of a pooling layer is not supported")))
        return a, kernel, stride, padding

    def _MaxPool(self, index: int, node: Any) -> None:
        self.unused_outputs(node)
        a, kernel, stride, padding = self._pool(node)
        pool = nn.MaxPool2d(
            kernel,
            stride=stride,
            padding=padding,
            dilation=_pair(a.get("dilations", [1, 1])),
            ceil_mode=bool(a.get("ceil_mode", 0)),
        )
        self._pointwise(index, node, pool)

    def _AveragePool(self, index: int, node: Any) -> None:
        a, kernel, stride, padding = self._pool(node)
        if _pair(a.get("dilations", [1, 1])) != (1, 1):
            raise _Unsupported(Message(N_("dilated average pooling is not supported")))
        pool = nn.AvgPool2d(
            kernel,
            stride=stride,
            padding=padding,
            ceil_mode=bool(a.get("ceil_mode", 0)),
            count_include_pad=bool(a.get("count_include_pad", 0)),
        )
        self._pointwise(index, node, pool)

    def _GlobalAveragePool(self, index: int, node: Any) -> None:
        self._pointwise(index, node, nn.AdaptiveAvgPool2d((1, 1)))

    def _BatchNormalization(self, index: int, node: Any) -> None:
        self.unused_outputs(node)
        x = self.data(node.input[0])
        scale, shift, mean, var = (self.const(node, i) for i in range(1, 5))
        assert scale is not None and shift is not None and mean is not None and var is not None
        a = _attrs(self.onnx, node)
        kind = nn.BatchNorm2d if len(self.shapes[x]) == 3 else nn.BatchNorm1d
        momentum = 1.0 - float(a.get("momentum", 0.9))
        bn = kind(int(scale.shape[0]), eps=float(a.get("epsilon", 1e-5)), momentum=momentum)
        self.assign(bn.weight, scale)
        self.assign(bn.bias, shift)
        bn.set_buffer("running_mean", np.asarray(mean, dtype=np.float32).reshape(-1))
        bn.set_buffer("running_var", np.asarray(var, dtype=np.float32).reshape(-1))
        self.add(node, index, bn, [x])

    def _LRN(self, index: int, node: Any) -> None:
        a = _attrs(self.onnx, node)
        lrn = nn.LocalResponseNorm(
            int(a["size"]),
            alpha=float(a.get("alpha", 1e-4)),
            beta=float(a.get("beta", 0.75)),
            k=float(a.get("bias", 1.0)),
        )
        self._pointwise(index, node, lrn)

    def _Flatten(self, index: int, node: Any) -> None:
        axis = int(_attrs(self.onnx, node).get("axis", 1))
        x = self.data(node.input[0])
        if axis % (len(self.shapes[x]) + 1) != 1:
            raise _Unsupported(
                Message(
                    N_("only flattening after the batch axis (axis 1) is supported, got {axis}"),
                    axis=axis,
                )
            )
        self._pointwise(index, node, nn.Flatten())

    def _Reshape(self, index: int, node: Any) -> None:
        x = self.data(node.input[0])
        target = self.const(node, 1)
        assert target is not None
        shape = self.shapes[x]
        dims = [int(d) for d in np.asarray(target).reshape(-1)]
        flat = int(np.prod(shape))
        if len(dims) == 2 and dims[0] in (0, -1) and dims[1] in (-1, flat):
            self._pointwise(index, node, nn.Flatten())
            return
        if dims[1:] == list(shape) and dims[0] in (0, -1):
            self.alias[node.output[0]] = x
            return
        raise _Unsupported(
            Message(
                N_("a reshape of {shape} to {dims} is not supported (only flattening)"),
                shape="x".join(map(str, shape)),
                dims=dims,
            )
        )

    def _Slice(self, index: int, node: Any) -> None:
        """The subsampling half of a CIFAR ResNet's shortcut, fused with the Pad that follows."""
        from cnntui.zoo.blocks import PadShortcut

        x = self.data(node.input[0])
        starts, ends, axes, steps = (self.const(node, i, required=False) for i in range(1, 5))
        users = self.consumers.get(node.output[0], [])
        pad = self.graph.node[users[0]] if len(users) == 1 else None
        shape = self.shapes[x]
        if (
            pad is None
            or pad.op_type != "Pad"
            or steps is None
            or axes is None
            or list(axes) != [2, 3]
            or starts is None
            or list(starts) != [0, 0]
            or ends is None
            or any(int(e) < s for e, s in zip(ends, shape[1:]))
            or steps[0] != steps[1]
        ):
            raise _Unsupported(
                Message(N_("only the strided subsampling of a padded shortcut is supported"))
            )
        pads = self.const(pad, 1)
        assert pads is not None
        mode = _attrs(self.onnx, pad).get("mode", b"constant")
        value = self.const(pad, 2, required=False)
        extra = [int(p) for p in pads]
        if (
            (mode.decode() if isinstance(mode, bytes) else mode) != "constant"
            or (value is not None and float(value) != 0.0)
            or len(extra) != 8
            or any(extra[i] for i in (0, 1, 2, 3, 4, 6, 7))
        ):
            raise _Unsupported(
                Message(N_("only zero padding of the channels after a subsampling is supported"))
            )
        shortcut = PadShortcut(shape[0], shape[0] + extra[5], int(steps[0]))
        self.skip.add(users[0])
        self.add(pad, index, shortcut, [x])


def _pair(values: Any) -> tuple[int, int]:
    items = [int(v) for v in values]
    if len(items) != 2:
        raise _Unsupported(
            Message(N_("only 2-D operators are supported, got {items}"), items=items)
        )
    return items[0], items[1]


def _constant(onnx: Any, node: Any) -> np.ndarray:
    from onnx import numpy_helper

    for attribute in node.attribute:
        value = onnx.helper.get_attribute_value(attribute)
        if attribute.name == "value":
            return numpy_helper.to_array(value)
        if attribute.name in ("value_float", "value_int"):
            return np.asarray(value)
        if attribute.name in ("value_floats", "value_ints"):
            return np.asarray(list(value))
    raise _Unsupported(Message(N_("a Constant without a numeric value is not supported")))


# shape arithmetic on constants, evaluated while importing (PyTorch's x.view(x.size(0), -1))
def _fold_gather(imp: _Importer, node: Any) -> np.ndarray:
    axis = int(_attrs(imp.onnx, node).get("axis", 0))
    return np.take(imp.consts[node.input[0]], imp.consts[node.input[1]], axis=axis)


def _fold_unsqueeze(imp: _Importer, node: Any) -> np.ndarray:
    value = imp.consts[node.input[0]]
    axes = (
        imp.consts[node.input[1]] if len(node.input) > 1 else _attrs(imp.onnx, node).get("axes", [])
    )
    for axis in sorted(int(a) for a in np.asarray(axes).reshape(-1)):
        value = np.expand_dims(value, axis)
    return value


def _fold_squeeze(imp: _Importer, node: Any) -> np.ndarray:
    value = imp.consts[node.input[0]]
    axes = imp.consts[node.input[1]] if len(node.input) > 1 else _attrs(imp.onnx, node).get("axes")
    if axes is None:
        return np.squeeze(value)
    return np.squeeze(value, axis=tuple(int(a) for a in np.asarray(axes).reshape(-1)))


def _fold_concat(imp: _Importer, node: Any) -> np.ndarray:
    axis = int(_attrs(imp.onnx, node).get("axis", 0))
    return np.concatenate([np.atleast_1d(imp.consts[v]) for v in node.input], axis=axis)


def _fold_cast(imp: _Importer, node: Any) -> np.ndarray:
    from onnx import helper

    to = int(_attrs(imp.onnx, node)["to"])
    return imp.consts[node.input[0]].astype(helper.tensor_dtype_to_np_dtype(to))


def _fold_identity(imp: _Importer, node: Any) -> np.ndarray:
    return imp.consts[node.input[0]]


_FOLD: dict[str, Callable[[_Importer, Any], np.ndarray]] = {
    "Gather": _fold_gather,
    "Unsqueeze": _fold_unsqueeze,
    "Squeeze": _fold_squeeze,
    "Concat": _fold_concat,
    "Cast": _fold_cast,
    "Identity": _fold_identity,
}
