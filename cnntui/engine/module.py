"""The base of every layer: `Parameter`, `Module`, and symbolic shape tracing.

A `Module` does three things:

* numerics: `forward(x)` on a batch (NCHW, or N×F for flat data) and `backward(grad_out)`, which
  returns the gradient with respect to the input of the last `forward` and *accumulates* into
  `.grad` of every parameter (as PyTorch does; call `zero_grad()` between steps);
* bookkeeping: parameters, buffers (running statistics), train/eval mode, `state_dict()`;
* symbolic inference: `output_shape(input_shape)`, `macs(input_shape)` and `trace(...)` work on
  per-sample shapes (no batch dimension: `(C, H, W)` or `(F,)`) and never touch parameter data,
  so summarising ResNet-152 allocates no weights.

Set `needs_input_grad = False` on a network whose input gradient nobody uses (a classifier fed
with data): its first layers then skip that work and `backward` returns None.

Parameters are lazy: a `Parameter` knows its shape and how to initialise itself, and its array is
created the first time `.data` is read (or `materialize()` is called).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnntui import atomic
from cnntui.engine.backend import Array, array_module, to_host
from cnntui.errors import ShapeError

Shape = tuple[int, ...]
"""A per-sample shape without the batch dimension: `(C, H, W)` for images, `(F,)` for vectors."""

Initializer = Callable[[tuple[int, ...], np.random.Generator], np.ndarray]
"""Makes a NumPy array of the given shape from a random generator (float64 is fine: it is cast)."""


_default_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Seed the generator that lazily initialised parameters draw from (like `torch.manual_seed`)."""
    global _default_generator
    _default_generator = np.random.default_rng(seed)


def default_generator() -> np.random.Generator:
    """The generator used to initialise parameters that have not been materialised yet."""
    return _default_generator


class Parameter:
    """A learnable array with its gradient.

    Attributes:
        shape: the array's shape, known before any allocation.
        data: the values; created by `init` on first access (float32 unless the owning module was
            moved to another dtype), on the owning module's backend.
        grad: the accumulated gradient, same shape and type as `data`, or None before a backward.
        requires_grad: False for frozen parameters (not updated by optimisers, counted as
            non-trainable).
    """

    def __init__(
        self,
        shape: tuple[int, ...],
        init: Initializer | None = None,
        *,
        requires_grad: bool = True,
        data: Any = None,
    ) -> None:
        self.shape = tuple(int(s) for s in shape)
        self._init = init if init is not None else _zeros
        self._data: Any = data
        self.grad: Array | None = None
        self.requires_grad = requires_grad
        self.dtype: np.dtype = np.dtype(np.float32)
        self.xp: Any = np  # the array module of the backend the data lives on

    @property
    def numel(self) -> int:
        """Number of scalar values (without allocating them)."""
        return math.prod(self.shape)

    @property
    def is_materialized(self) -> bool:
        return self._data is not None

    @property
    def data(self) -> Array:
        if self._data is None:
            self.materialize()
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        if tuple(value.shape) != self.shape:
            raise ShapeError(f"parameter expects shape {self.shape}, got {tuple(value.shape)}")
        self._data = value

    def materialize(self, generator: np.random.Generator | None = None) -> None:
        """Create the array now with the initialiser (no-op when it already exists)."""
        if self._data is not None:
            return
        host = np.asarray(self._init(self.shape, generator or _default_generator), dtype=self.dtype)
        self._data = host if self.xp is np else self.xp.asarray(host)

    def zero_grad(self) -> None:
        self.grad = None

    def __repr__(self) -> str:
        return f"Parameter(shape={self.shape}, requires_grad={self.requires_grad})"


def _zeros(shape: tuple[int, ...], _rng: np.random.Generator) -> np.ndarray:
    return np.zeros(shape, dtype=np.float64)


@dataclass(frozen=True)
class Geometry:
    """How a layer moves over space, for receptive-field arithmetic (per axis: height, width)."""

    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)


@dataclass(frozen=True)
class Field:
    """Receptive field of one output unit on the network's input, and the effective stride.

    `size` is how many input pixels (height, width) one unit sees; `jump` is how far apart, in input
    pixels, two neighbouring units are (the product of strides so far).
    """

    size: tuple[int, int] = (1, 1)
    jump: tuple[int, int] = (1, 1)

    def through(self, geometry: Geometry | None) -> Field:
        """The field after one more layer with this geometry (None: a pointwise layer)."""
        if geometry is None:
            return self
        size = tuple(
            self.size[a] + (geometry.dilation[a] * (geometry.kernel[a] - 1)) * self.jump[a]
            for a in range(2)
        )
        jump = tuple(self.jump[a] * geometry.stride[a] for a in range(2))
        return Field(size=(size[0], size[1]), jump=(jump[0], jump[1]))

    @staticmethod
    def widest(fields: list[Field]) -> Field:
        """The field of a merge (residual sum, channel concat): the largest of its branches."""
        return Field(
            size=(max(f.size[0] for f in fields), max(f.size[1] for f in fields)),
            jump=(max(f.jump[0] for f in fields), max(f.jump[1] for f in fields)),
        )


@dataclass
class TraceRecord:
    """One module's place in a symbolic pass, in pre-order (a container before its children).

    `output_shape`, `macs` and `field` are filled in once the module has been traced.
    """

    name: str
    module: Module
    depth: int
    input_shape: Shape
    output_shape: Shape = ()
    params: int = 0
    trainable_params: int = 0
    macs: int = 0
    field: Field = field(default_factory=Field)
    is_leaf: bool = True


class Module:
    """Base class of layers and containers; see the module docstring for the contract.

    Subclasses call `super().__init__()` first, then assign `Parameter`s and child `Module`s as
    attributes (registration is automatic, in assignment order, as in PyTorch).
    """

    _parameters: dict[str, Parameter]
    _buffers: dict[str, Any]
    _modules: dict[str, Module]
    training: bool
    needs_input_grad: bool

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)
        # False when nothing consumes the gradient w.r.t. this module's input (the first layer of
        # a network): `backward` may then skip computing it and return None. Containers pass it
        # on to the children that see their input.
        object.__setattr__(self, "needs_input_grad", True)

    # -- registration -----------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        params: dict[str, Parameter] = self.__dict__.get("_parameters", {})
        modules: dict[str, Module] = self.__dict__.get("_modules", {})
        if isinstance(value, Parameter):
            modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            modules[name] = value
        elif value is None and (name in params or name in modules):
            params.pop(name, None)
            modules.pop(name, None)
        object.__setattr__(self, name, value)

    def register_buffer(self, name: str, value: Any) -> None:
        """A non-learnable array saved in `state_dict()` (e.g. batch-norm running statistics)."""
        self._buffers[name] = value
        object.__setattr__(self, name, value)

    def set_buffer(self, name: str, value: Any) -> None:
        """Replace a registered buffer's array."""
        if name not in self._buffers:
            raise KeyError(name)
        self._buffers[name] = value
        object.__setattr__(self, name, value)

    # -- numerics (subclasses override) -------------------------------------------------------

    def forward(self, x: Array) -> Array:
        raise TypeError(f"{type(self).__name__} has no forward pass")

    def backward(self, grad_out: Array) -> Array:
        raise TypeError(f"{type(self).__name__} has no backward pass")

    def saved(self, value: Any) -> Array:
        """`value`, what the last forward kept for the backward pass (a context, the input or the
        output); raises `RuntimeError` when it is None because backward came before forward."""
        if value is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return value

    def __call__(self, x: Array) -> Array:
        return self.forward(x)

    # -- symbolic inference (leaf layers override the first three) ----------------------------

    def output_shape(self, input_shape: Shape) -> Shape:
        """Per-sample output shape for a per-sample input shape; raises `ShapeError` if invalid.

        Containers get this for free from `trace`.
        """
        records: list[TraceRecord] = []
        out, _ = self.trace(tuple(input_shape), Field(), records)
        return out

    def own_macs(self, input_shape: Shape, output_shape: Shape) -> int:
        """Multiply-accumulates of this module alone per sample (0 for pointwise layers)."""
        return 0

    def geometry(self) -> Geometry | None:
        """Spatial geometry for receptive fields; None for layers that act pointwise."""
        return None

    def describe(self) -> str:
        """Short settings for a summary row, e.g. `k=5×5 s=1 p=0`; empty when there is nothing."""
        return ""

    def param_formula(self) -> str:
        """The parameter count written out, e.g. `5·5·6·16 + 16 = 2,416`; empty when none."""
        return ""

    def trace(
        self,
        input_shape: Shape,
        field_in: Field,
        records: list[TraceRecord],
        depth: int = 0,
        name: str = "",
    ) -> tuple[Shape, Field]:
        """Symbolically pass `input_shape` through this module, appending a `TraceRecord` for it and
        (for containers) for every descendant in pre-order. Returns the output shape and field.

        Leaf modules use this default, which calls `output_shape`, `own_macs` and `geometry`;
        containers override it to route shapes through their children (see `nn.Sequential`).
        """
        record = TraceRecord(name=name, module=self, depth=depth, input_shape=tuple(input_shape))
        records.append(record)
        out = type(self)._leaf_output_shape(self, tuple(input_shape))
        record.output_shape = out
        record.params = sum(p.numel for p in self._parameters.values())
        record.trainable_params = sum(p.numel for p in self._parameters.values() if p.requires_grad)
        record.macs = self.own_macs(tuple(input_shape), out)
        record.field = field_in.through(self.geometry())
        return out, record.field

    def _leaf_output_shape(self, input_shape: Shape) -> Shape:
        if type(self).output_shape is Module.output_shape:
            raise TypeError(f"{type(self).__name__} must define output_shape or trace")
        return self.output_shape(input_shape)

    def macs(self, input_shape: Shape) -> int:
        """Total multiply-accumulates per sample of this module and everything inside it."""
        records: list[TraceRecord] = []
        self.trace(tuple(input_shape), Field(), records)
        return sum(r.macs for r in records)

    # -- traversal -------------------------------------------------------------------------

    def named_children(self) -> Iterator[tuple[str, Module]]:
        yield from self._modules.items()

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        for name, p in self._parameters.items():
            yield (f"{prefix}.{name}" if prefix else name), p
        for name, child in self.named_children():
            yield from child.named_parameters(f"{prefix}.{name}" if prefix else name)

    def parameters(self) -> Iterator[Parameter]:
        for _, p in self.named_parameters():
            yield p

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, Any]]:
        for name, b in self._buffers.items():
            yield (f"{prefix}.{name}" if prefix else name), b
        for name, child in self.named_children():
            yield from child.named_buffers(f"{prefix}.{name}" if prefix else name)

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Parameter count, without allocating anything."""
        return sum(p.numel for p in self.parameters() if p.requires_grad or not trainable_only)

    # -- modes and gradients ---------------------------------------------------------------

    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    # -- devices and dtypes -------------------------------------------------------------------

    def to(self, xp: Any = None, dtype: Any = None) -> Module:
        """Move parameters and buffers to the array module `xp` (numpy or cupy) and/or `dtype`.

        Unmaterialised parameters only remember the target, so they stay unallocated.
        """
        for m in self.modules():
            for p in m._parameters.values():
                if dtype is not None:
                    p.dtype = np.dtype(dtype)
                if xp is not None:
                    p.xp = xp
                if p._data is not None:
                    p._data = _convert(p._data, p.xp, p.dtype)
                    if p.grad is not None:
                        p.grad = _convert(p.grad, p.xp, p.dtype)
            for name, b in list(m._buffers.items()):
                if b is not None and hasattr(b, "dtype"):
                    target_dtype = dtype if (dtype is not None and b.dtype.kind == "f") else b.dtype
                    target_xp = xp if xp is not None else array_module(b)
                    m.set_buffer(name, _convert(b, target_xp, target_dtype))
            m._moved(xp, dtype)
        return self

    def _moved(self, xp: Any, dtype: Any) -> None:
        """Hook for layers that cache arrays outside parameters and buffers."""

    # -- saving --------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter and buffer by dotted name, as host NumPy arrays."""
        out: dict[str, np.ndarray] = {}
        for name, p in self.named_parameters():
            out[name] = to_host(p.data)
        for name, b in self.named_buffers():
            if b is not None:
                out[name] = to_host(b)
        return out

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Load arrays by name; shape mismatches and (when strict) missing or extra keys raise."""
        params = dict(self.named_parameters())
        owners = {
            f"{prefix}.{b}" if prefix else b: (m, b)
            for prefix, m in self.named_modules()
            for b in m._buffers
        }
        missing = [k for k in list(params) + list(owners) if k not in state]
        extra = [k for k in state if k not in params and k not in owners]
        if strict and (missing or extra):
            raise ValueError(
                f"state does not match the model: missing {missing[:5]}, unexpected {extra[:5]}"
            )
        for key, value in state.items():
            if key in params:
                p = params[key]
                if tuple(value.shape) != p.shape:
                    raise ValueError(f"{key}: expected shape {p.shape}, got {tuple(value.shape)}")
                p._data = _convert(np.asarray(value), p.xp, p.dtype)
            elif key in owners:
                m, b = owners[key]
                old = m._buffers[b]
                xp = array_module(old) if old is not None else np
                dtype = old.dtype if old is not None else np.asarray(value).dtype
                if old is not None and tuple(np.shape(value)) != tuple(old.shape):
                    raise ValueError(
                        f"{key}: expected shape {tuple(old.shape)}, got {np.shape(value)}"
                    )
                m.set_buffer(b, _convert(np.asarray(value), xp, dtype))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write `state_dict()` to an `.npz` file atomically (temporary file, then rename)."""
        save_npz_atomic(path, self.state_dict())

    def load(self, path: str | os.PathLike[str], strict: bool = True) -> None:
        """Read an `.npz` written by `save` (never unpickles anything)."""
        with np.load(path, allow_pickle=False) as data:
            self.load_state_dict({k: data[k] for k in data.files}, strict=strict)

    def extra_repr(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        inner = "\n".join("  " + f"({n}): {repr(c)}".replace("\n", "\n  ") for n, c in children)
        return f"{type(self).__name__}(\n{inner}\n)"


# -- containers: tracing and chaining named children ---------------------------------------------
# `nn.Sequential`, `nn.Residual` and the zoo's blocks (whose attribute names must match
# torchvision's) all route shapes and gradients through their children with these, so every
# container's records look alike: the container first (pre-order), then its children.


def child_name(prefix: str, name: str) -> str:
    """Dotted name of a child, as in PyTorch's `named_modules()` (`layer1.0.conv1`)."""
    return f"{prefix}.{name}" if prefix else name


def open_record(
    module: Module, input_shape: Shape, records: list[TraceRecord], depth: int, name: str
) -> TraceRecord:
    """Append a container's own record before its children's (pre-order) and return it."""
    record = TraceRecord(
        name=name, module=module, depth=depth, input_shape=tuple(input_shape), is_leaf=False
    )
    records.append(record)
    return record


def close_record(record: TraceRecord, output_shape: Shape, field_out: Field) -> None:
    """Fill in a container's record once its children have been traced.

    The record carries the parameters of the whole subtree and no multiply-accumulates of its own
    (those belong to the leaves, so a sum over records never counts them twice).
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
        shape, field_now = sub.trace(
            shape, field_now, records, depth + 1, child_name(prefix, child)
        )
    return tuple(shape), field_now


def forward_chain(module: Module, names: list[str], x: Array) -> Array:
    """`x` through the named children of `module` in order."""
    for child in names:
        x = getattr(module, child).forward(x)
    return x


def backward_chain(module: Module, names: list[str], grad: Array) -> Array:
    """Backward through the named children in reverse; the first child skips its input gradient
    when the container's own input gradient is not needed."""
    if names:
        getattr(module, names[0]).needs_input_grad = getattr(module, "needs_input_grad", True)
    for child in reversed(names):
        grad = getattr(module, child).backward(grad)
    return grad


def save_npz_atomic(path: str | os.PathLike[str], arrays: dict[str, Any]) -> None:
    """Write arrays (host or device) to `path` as `.npz` so that a crash never leaves a
    half-written file (see `cnntui.atomic`)."""
    atomic.save_npz_atomic(path, {k: to_host(v) for k, v in arrays.items()})


def _convert(a: Array, xp: Any, dtype: Any) -> Array:
    if xp is np:
        return to_host(a).astype(dtype, copy=False)
    return xp.asarray(a, dtype=dtype)
