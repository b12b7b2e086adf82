"""Write an engine network as an ONNX model (opset 17) with the `onnx` package's helpers.

`export_onnx(module, input_shape, name)` walks the module tree and emits one ONNX node per
layer, named by the layer's dotted path (`features.0`), with its weights as initializers named
like PyTorch's state-dict keys (`features.0.weight`). The input is `input` of shape
`(batch, *input_shape)` with a symbolic batch dimension; the output is `output`. The network is
written in inference form: dropout is the identity, batch norm uses its running statistics.

Containers become wiring: `Sequential` a chain, `Residual` and ResNet blocks an `Add`, `Concat`
and Inception modules a `Concat` on channels, GoogLeNet its main path. LeNet-1998's own layers are
spelled with standard operators (a scaled `Tanh`, an `AveragePool` times a per-map coefficient, a
dense `Conv` with zeros where the connection table has no link, a squared distance).

`onnx` is an optional dependency: `require_onnx()` raises a one-line `UsageError` without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from cnntui.engine.backend import to_host
from cnntui.engine.module import Module, Shape
from cnntui.errors import UsageError
from cnntui.i18n import _

OPSET = 17
INSTALL_HINT = "ONNX support needs the onnx package: pip install 'cnntui[onnx]'"


def require_onnx() -> Any:
    """The `onnx` module, or a `UsageError` saying how to install it."""
    try:
        import onnx
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    return onnx


class _Emitter:
    """Collects nodes and initializers while walking the module tree."""

    def __init__(self, onnx: Any, weights: bool) -> None:
        self.onnx = onnx
        self.helper = onnx.helper
        self.model = onnx.ModelProto()
        self.graph = self.model.graph
        self.weights = weights
        self.names: set[str] = set()

    # -- bookkeeping ---------------------------------------------------------------------------

    def unique(self, base: str) -> str:
        base = base or "net"
        name, i = base, 1
        while name in self.names:
            i += 1
            name = f"{base}_{i}"
        self.names.add(name)
        return name

    def const(self, name: str, value: Any, dtype: Any = np.float32) -> str:
        """Add an initializer; returns its (unique) name."""
        unique = self.unique(name)
        array = np.asarray(to_host(value), dtype=dtype)
        # written straight into the graph: building a tensor and copying it in would hold each
        # weight several times over (VGG-16's are 528 MiB)
        tensor = self.graph.initializer.add()
        tensor.name = unique
        tensor.data_type = self.helper.np_dtype_to_tensor_dtype(array.dtype)
        tensor.dims.extend(array.shape)
        tensor.raw_data = (
            np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        )
        return unique

    def param(self, module: Module, attr: str, path: str) -> str:
        """A parameter as an initializer, or (without weights) a graph input of its shape."""
        name = f"{path}.{attr}" if path else attr
        parameter = getattr(module, attr)
        if self.weights:
            return self.const(name, parameter.data)
        unique = self.unique(name)
        self.graph.input.append(
            self.helper.make_tensor_value_info(unique, self.onnx.TensorProto.FLOAT, parameter.shape)
        )
        return unique

    def buffer(self, module: Module, attr: str, path: str) -> str:
        return self.const(f"{path}.{attr}" if path else attr, getattr(module, attr))

    def node(self, op: str, inputs: list[str], path: str, **attrs: Any) -> str:
        """Add a node named after the layer's path; returns its output value's name."""
        name = self.unique(path or op.lower())
        self.graph.node.append(self.helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    # -- dispatch ------------------------------------------------------------------------------

    def emit(self, module: Module, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        kind = type(module).__name__
        method: Callable[[Any, str, Shape, str], tuple[str, Shape]] | None = getattr(
            self, f"_{kind}", None
        )
        if method is None:
            raise UsageError(
                _("cannot export layer {value} of type {kind} to ONNX").format(
                    value=path or "the network", kind=kind
                )
            )
        return method(module, x, shape, path)

    def chain(
        self, module: Any, names: list[str], x: str, shape: Shape, path: str
    ) -> tuple[str, Shape]:
        for child in names:
            x, shape = self.emit(getattr(module, child), x, shape, _join(path, child))
        return x, shape

    # -- containers ----------------------------------------------------------------------------

    def _Sequential(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.chain(m, list(m._modules), x, shape, path)

    def _Residual(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        body, body_shape = self.emit(m.body, x, shape, _join(path, "body"))
        skip = x
        if m.shortcut is not None:
            skip, _skip_shape = self.emit(m.shortcut, x, shape, _join(path, "shortcut"))
        out = self.node("Add", [body, skip], _join(path, "add"))
        if m.activation is not None:
            return self.emit(m.activation, out, body_shape, _join(path, "activation"))
        return out, body_shape

    def _block(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        body, body_shape = self.chain(m, m.body_names, x, shape, path)
        skip = x
        if m.downsample is not None:
            skip, _skip_shape = self.emit(m.downsample, x, shape, _join(path, "downsample"))
        out = self.node("Add", [body, skip], _join(path, "add"))
        return self.emit(m.relu, out, body_shape, _join(path, "relu"))

    _BasicBlock = _block
    _Bottleneck = _block

    def _PlainBlock(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.chain(m, m.body_names, x, shape, path)

    def _Concat(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        outs = [self.emit(child, x, shape, _join(path, n)) for n, child in m.named_children()]
        merged = self.node("Concat", [o for o, _shape in outs], _join(path, "cat"), axis=1)
        return merged, m.output_shape(shape)

    _Inception = _Concat

    def _GoogLeNet(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        from cnntui.zoo.googlenet import MAIN_PATH

        # inference form: the auxiliary classifiers only exist in training
        return self.chain(m, list(MAIN_PATH), x, shape, path)

    def _PadShortcut(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        s = m.stride
        starts = self.const(f"{path}.starts", [0, 0], np.int64)
        ends = self.const(f"{path}.ends", [np.iinfo(np.int64).max] * 2, np.int64)
        axes = self.const(f"{path}.axes", [2, 3], np.int64)
        steps = self.const(f"{path}.steps", [s, s], np.int64)
        sub = self.node("Slice", [x, starts, ends, axes, steps], _join(path, "subsample"))
        extra = m.out_channels - m.in_channels
        pads = self.const(f"{path}.pads", [0, 0, 0, 0, 0, extra, 0, 0], np.int64)
        return self.node("Pad", [sub, pads], path), m.output_shape(shape)

    # -- layers --------------------------------------------------------------------------------

    def _Conv2d(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        top, bottom, left, right = m.pads
        if m.padding_mode != "zeros":
            pads = self.const(f"{path}.pads", [0, 0, top, left, 0, 0, bottom, right], np.int64)
            x = self.node("Pad", [x, pads], _join(path, "pad"), mode="edge")
            top = bottom = left = right = 0
        inputs = [x, self.param(m, "weight", path)]
        if m.bias is not None:
            inputs.append(self.param(m, "bias", path))
        out = self.node(
            "Conv",
            inputs,
            path,
            kernel_shape=list(m.kernel_size),
            strides=list(m.stride),
            pads=[top, left, bottom, right],
            dilations=list(m.dilation),
            group=m.groups,
        )
        return out, m.output_shape(shape)

    def _ConvTranspose2d(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        inputs = [x, self.param(m, "weight", path)]
        if m.bias is not None:
            inputs.append(self.param(m, "bias", path))
        ph, pw = m.padding
        out = self.node(
            "ConvTranspose",
            inputs,
            path,
            kernel_shape=list(m.kernel_size),
            strides=list(m.stride),
            pads=[ph, pw, ph, pw],
            output_padding=list(m.output_padding),
            dilations=list(m.dilation),
            group=m.groups,
        )
        return out, m.output_shape(shape)

    def _MaxPool2d(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        ph, pw = m.padding
        out = self.node(
            "MaxPool",
            [x],
            path,
            kernel_shape=list(m.kernel_size),
            strides=list(m.stride),
            pads=[ph, pw, ph, pw],
            dilations=list(m.dilation),
            ceil_mode=int(m.ceil_mode),
        )
        return out, m.output_shape(shape)

    def _AvgPool2d(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        if m.divisor_override is not None:
            raise UsageError(
                _("cannot export {path} to ONNX: AveragePool has no divisor_override").format(
                    path=path
                )
            )
        ph, pw = m.padding
        out = self.node(
            "AveragePool",
            [x],
            path,
            kernel_shape=list(m.kernel_size),
            strides=list(m.stride),
            pads=[ph, pw, ph, pw],
            ceil_mode=int(m.ceil_mode),
            count_include_pad=int(m.count_include_pad),
        )
        return out, m.output_shape(shape)

    def _AdaptiveAvgPool2d(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        out_shape = m.output_shape(shape)
        _channels, h, w = shape
        _channels, oh, ow = out_shape
        if (oh, ow) == (1, 1):
            return self.node("GlobalAveragePool", [x], path), out_shape
        if h % oh or w % ow:
            raise UsageError(
                _(
                    "cannot export {path} to ONNX: adaptive pooling of {h}×{w} to {oh}×{ow} has uneven bins (ONNX has no adaptive pooling); use an input whose size divides evenly"
                ).format(path=path, h=h, w=w, oh=oh, ow=ow)
            )
        kernel = [h // oh, w // ow]
        out = self.node("AveragePool", [x], path, kernel_shape=kernel, strides=kernel)
        return out, out_shape

    def _Linear(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        if len(shape) == 1:
            inputs = [x, self.param(m, "weight", path)] + (
                [self.param(m, "bias", path)] if m.bias is not None else []
            )
            return self.node("Gemm", inputs, path, transB=1), m.output_shape(shape)
        # MatMul multiplies by (in, out): the weight goes in transposed
        transposed = self.const(f"{path}.weight", to_host(m.weight.data).T)
        out = self.node("MatMul", [x, transposed], path)
        if m.bias is not None:
            out = self.node("Add", [out, self.param(m, "bias", path)], _join(path, "add"))
        return out, m.output_shape(shape)

    def _Flatten(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        out_shape = m.output_shape(shape)
        if m.start_dim == 1 and m.end_dim in (-1, len(shape)):
            return self.node("Flatten", [x], path, axis=1), out_shape
        target = self.const(f"{path}.shape", [0, *out_shape], np.int64)
        return self.node("Reshape", [x, target], path), out_shape

    def _ReLU(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.node("Relu", [x], path), tuple(shape)

    def _LeakyReLU(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.node("LeakyRelu", [x], path, alpha=float(m.negative_slope)), tuple(shape)

    def _Sigmoid(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.node("Sigmoid", [x], path), tuple(shape)

    def _Tanh(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.node("Tanh", [x], path), tuple(shape)

    def _Identity(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.node("Identity", [x], path), tuple(shape)

    def _Dropout(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        ratio = self.const(f"{path}.ratio", np.float32(m.p))
        return self.node("Dropout", [x, ratio], path), tuple(shape)

    def _Softmax(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.node("Softmax", [x], path, axis=1), tuple(shape)

    def _batch_norm(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        if m.running_mean is None:
            raise UsageError(
                _(
                    "cannot export {path} to ONNX: batch norm without running statistics (track_running_stats=False) has no inference form"
                ).format(path=path)
            )
        c = m.num_features
        scale = (
            self.param(m, "weight", path) if m.affine else self.const(f"{path}.weight", np.ones(c))
        )
        shift = self.param(m, "bias", path) if m.affine else self.const(f"{path}.bias", np.zeros(c))
        inputs = [
            x,
            scale,
            shift,
            self.buffer(m, "running_mean", path),
            self.buffer(m, "running_var", path),
        ]
        momentum = 0.9 if m.momentum is None else 1.0 - float(m.momentum)
        out = self.node("BatchNormalization", inputs, path, epsilon=float(m.eps), momentum=momentum)
        return out, tuple(shape)

    _BatchNorm1d = _batch_norm
    _BatchNorm2d = _batch_norm

    def _LocalResponseNorm(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        out = self.node(
            "LRN", [x], path, size=m.size, alpha=float(m.alpha), beta=float(m.beta), bias=float(m.k)
        )
        return out, tuple(shape)

    # -- LeNet-1998's layers, in standard operators --------------------------------------------

    def _ScaledTanh(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        from cnntui.zoo.lenet1998 import SQUASH_A, SQUASH_S

        inner = self.node(
            "Mul", [x, self.const(f"{path}.s", np.float32(SQUASH_S))], _join(path, "scale")
        )
        t = self.node("Tanh", [inner], _join(path, "tanh"))
        return self.node("Mul", [t, self.const(f"{path}.a", np.float32(SQUASH_A))], path), tuple(
            shape
        )

    def _Subsampling(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        k = m.kernel_size
        mean = self.node(
            "AveragePool", [x], _join(path, "pool"), kernel_shape=[k, k], strides=[k, k]
        )
        coefficient = self.const(f"{path}.weight", to_host(m.weight.data).reshape(-1, 1, 1) * k * k)
        bias = self.const(f"{path}.bias", to_host(m.bias.data).reshape(-1, 1, 1))
        scaled = self.node("Mul", [mean, coefficient], _join(path, "mul"))
        return self.node("Add", [scaled, bias], path), m.output_shape(shape)

    def _SparseConv2d(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        inputs = [x, self.const(f"{path}.weight", m.dense_weight()), self.param(m, "bias", path)]
        k = m.kernel_size
        out = self.node("Conv", inputs, path, kernel_shape=[k, k])
        return out, m.output_shape(shape)

    def _RBFOutput(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        axis = self.const(f"{path}.axis", [1], np.int64)
        wide = self.node("Unsqueeze", [x, axis], _join(path, "unsqueeze"))
        diff = self.node("Sub", [wide, self.param(m, "weight", path)], _join(path, "sub"))
        square = self.node("Mul", [diff, diff], _join(path, "square"))
        reduce_axis = self.const(f"{path}.reduce", [2], np.int64)
        out = self.node("ReduceSum", [square, reduce_axis], path, keepdims=0)
        return out, m.output_shape(shape)

    def _Negate(self, m: Any, x: str, shape: Shape, path: str) -> tuple[str, Shape]:
        return self.node("Neg", [x], path), tuple(shape)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def export_onnx(
    module: Module, input_shape: Shape, name: str = "network", weights: bool = True
) -> Any:
    """An `onnx.ModelProto` of `module` for per-sample `input_shape` ((C, H, W) or (F,)).

    With `weights` (the default) every parameter is an initializer; parameters that were never
    initialised are initialised now. Without, parameters are graph inputs of their shapes and
    nothing is allocated: the architecture alone, which `load_onnx` reads with
    `has_weights=False`. Raises UsageError without `onnx` or for a layer ONNX cannot express.
    """
    onnx = require_onnx()
    helper = onnx.helper
    emitter = _Emitter(onnx, weights)
    emitter.names.update({"input", "output"})
    graph = emitter.graph
    graph.name = name
    graph.input.append(
        helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, ["batch", *input_shape])
    )
    if weights:
        for parameter in module.parameters():  # in order, so a seeded build gives the same values
            parameter.materialize()
    was_training = module.training
    module.eval()
    try:
        out, out_shape = emitter.emit(module, "input", tuple(input_shape), "")
    finally:
        module.train(was_training)
    graph.node.append(helper.make_node("Identity", [out], ["output"], name="output"))
    graph.output.append(
        helper.make_tensor_value_info("output", onnx.TensorProto.FLOAT, ["batch", *out_shape])
    )
    model = emitter.model
    model.ir_version = 8  # opset 17's IR; readable by older onnxruntime releases too
    model.producer_name = "cnntui"
    model.opset_import.append(helper.make_opsetid("", OPSET))
    model.doc_string = f"{name}: input (batch, {', '.join(map(str, input_shape))})"
    return model


def export_onnx_bytes(
    module: Module, input_shape: Shape, name: str = "network", weights: bool = True
) -> bytes:
    """The serialised model (see `export_onnx`), checked with `onnx.checker`."""
    onnx = require_onnx()
    data: bytes = export_onnx(module, input_shape, name, weights).SerializeToString()
    try:
        onnx.checker.check_model(data)
    except onnx.checker.ValidationError as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UsageError(
            _("the ONNX model of {name} does not validate: {message}").format(
                name=name, message=message
            )
        ) from None
    return data
