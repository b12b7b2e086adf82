"""A strict CuPy stand-in: runs the GPU code path on the CPU and counts what a GPU would pay for.

It behaves like CuPy 14 where the engine touches it, and is strict where CuPy is strict:

* its arrays (`ndarray`, reporting `cupy` as their module) refuse implicit conversion to NumPy
  (`__array__` raises `TypeError`, as CuPy's does), and NumPy arrays are rejected as operands of
  device operations (a host array slipped into device code is a bug: a hidden copy per call);
* reductions return 0-d device arrays; `float()`, `int()`, `bool()`, `.item()`, `.get()` and
  `asnumpy` are the only ways back, and each counts as a synchronisation;
* `ElementwiseKernel` compiles the CUDA body as C++ (one loop over `i`, `raw` arguments
  bounds-checked on every access) when a C++ compiler is there, else runs a NumPy reference of
  the kernel registered under its name in `REFERENCES`.

Counters (`counters`): `ops` (kernel launches: elementwise operations, reductions, matrix products,
copies, fills, random draws and custom kernels; views and allocations are free), `syncs` (waits for
the device), `h2d` (host→device copies, also counted in `ops`) and `d2h`.

`install(monkeypatch)` puts it in `sys.modules` as `cupy` and `cupyx`, which is where the engine's
backend imports CuPy from (`cnntui.engine.backend.get_backend("gpu")`).
"""

from __future__ import annotations

import ctypes
import hashlib
import operator
import os
import shutil
import subprocess
import sys
import tempfile
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__version__ = "14.0.0-standin"


@dataclass
class Counters:
    ops: int = 0
    syncs: int = 0
    h2d: int = 0
    d2h: int = 0

    def reset(self) -> None:
        self.ops = self.syncs = self.h2d = self.d2h = 0

    def snapshot(self) -> dict[str, int]:
        return {"ops": self.ops, "syncs": self.syncs, "h2d": self.h2d, "d2h": self.d2h}


counters = Counters()
trace: list[str] | None = None
"""Set to a list to record where each device operation came from (the engine's file:line)."""


def _op() -> None:
    counters.ops += 1
    if trace is not None:
        frame = sys._getframe(1)
        while frame is not None and (
            frame.f_code.co_filename == __file__ or "/cnntui/" not in frame.f_code.co_filename
        ):
            frame = frame.f_back
        code = frame.f_code if frame is not None else None
        where = f"{Path(code.co_filename).name}:{frame.f_lineno} {code.co_name}" if code else "?"
        trace.append(where)


_IMPLICIT = (
    "Implicit conversion to a NumPy array is not allowed. "
    "Please use `.get()` to construct a NumPy array explicitly."
)


def _reject_host(value: Any) -> None:
    if isinstance(value, np.ndarray) and value.ndim > 0:
        raise TypeError(f"Unsupported type {type(value)}: a host array used as a device operand")


def _unwrap(value: Any) -> Any:
    """Device arrays → their NumPy payload; host arrays rejected; containers walked."""
    if isinstance(value, ndarray):
        return value._a
    if isinstance(value, tuple | list):
        return type(value)(_unwrap(v) for v in value)
    _reject_host(value)
    return value


def _wrap(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return ndarray(value)
    if isinstance(value, np.generic):
        return ndarray(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(v) for v in value)
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    return value


def _launch(result: Any, *sources: Any) -> Any:
    """Count one device operation unless `result` is only a view of one of `sources`."""
    if isinstance(result, np.ndarray):
        for src in sources:
            if isinstance(src, np.ndarray) and np.may_share_memory(result, src):
                return _wrap(result)
    _op()
    return _wrap(result)


def _sync() -> None:
    counters.syncs += 1


class _Flags:
    def __init__(self, a: np.ndarray) -> None:
        self.c_contiguous = bool(a.flags.c_contiguous)
        self.f_contiguous = bool(a.flags.f_contiguous)
        self.owndata = bool(a.flags.owndata)

    def __getitem__(self, key: str) -> bool:
        return {"C_CONTIGUOUS": self.c_contiguous, "F_CONTIGUOUS": self.f_contiguous}[key]


def _binary(op: Callable[[Any, Any], Any], reflected: bool = False) -> Callable[..., Any]:
    def method(self: ndarray, other: Any) -> Any:
        o = _unwrap(other)
        result = op(o, self._a) if reflected else op(self._a, o)
        _op()
        return _wrap(result)

    return method


def _inplace(op: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def method(self: ndarray, other: Any) -> Any:
        op(self._a, _unwrap(other))
        _op()
        return self

    return method


def _unary(op: Callable[[Any], Any]) -> Callable[..., Any]:
    def method(self: ndarray) -> Any:
        _op()
        return _wrap(op(self._a))

    return method


def _reduction(name: str) -> Callable[..., Any]:
    def method(self: ndarray, *args: Any, **kwargs: Any) -> Any:
        out = kwargs.pop("out", None)
        result = getattr(self._a, name)(*_unwrap(args), **_unwrap_kwargs(kwargs))
        _op()
        if out is not None:
            out._a[...] = result
            return out
        return ndarray(np.asarray(result))  # CuPy: a 0-d device array, never a host scalar

    return method


def _unwrap_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {k: _unwrap(v) for k, v in kwargs.items()}


class ndarray:  # noqa: N801 - CuPy's name
    """A device array: a NumPy payload that cannot leave without an explicit, counted copy."""

    __slots__ = ("_a",)
    __array_priority__ = 100.0

    def __init__(self, payload: np.ndarray) -> None:
        if not isinstance(payload, np.ndarray):
            raise TypeError("ndarray wraps a NumPy payload")
        self._a = payload

    # -- no implicit way to the host -------------------------------------------------------------
    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(_IMPLICIT)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.pop("out", None)
        args = [_unwrap(v) for v in inputs]
        if out is not None:
            kwargs["out"] = tuple(_unwrap(o) for o in out)
        result = getattr(ufunc, method)(*args, **_unwrap_kwargs(kwargs))
        _op()
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func: Any, types_: Any, args: Any, kwargs: Any) -> Any:
        mine = _MODULE_FUNCTIONS.get(func.__name__)
        if mine is None:
            raise TypeError(f"numpy.{func.__name__} is not supported on device arrays")
        return mine(*args, **kwargs)

    # -- attributes ------------------------------------------------------------------------------
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: _Flags(self._a))
    T = property(lambda self: ndarray(self._a.T))

    @property
    def base(self) -> Any:
        return None if self._a.base is None else ndarray(self._a.base)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Any:
        for k in range(len(self._a)):
            yield self[k]

    def __repr__(self) -> str:
        _sync()
        return f"array({self._a!r}) on the stand-in device"

    # -- the only ways back, each a synchronisation ----------------------------------------------
    def get(self, stream: Any = None, order: str = "C", out: Any = None) -> np.ndarray:
        _sync()
        counters.d2h += 1
        return np.array(self._a, copy=True)

    def item(self) -> Any:
        _sync()
        counters.d2h += 1
        return self._a.item()

    def tolist(self) -> Any:
        _sync()
        counters.d2h += 1
        return self._a.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        return bool(self.item())

    def __index__(self) -> int:
        if self._a.dtype.kind not in "iu":
            raise TypeError("only integer device scalars can be used as an index")
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    # -- views (free) and copies (one operation each) -------------------------------------------
    def reshape(self, *shape: Any, order: str = "C") -> ndarray:
        result = self._a.reshape(*shape, order=order)
        return _launch(result, self._a)

    def transpose(self, *axes: Any) -> ndarray:
        return ndarray(self._a.transpose(*axes))

    def swapaxes(self, a: int, b: int) -> ndarray:
        return ndarray(self._a.swapaxes(a, b))

    def ravel(self, order: str = "C") -> ndarray:
        return _launch(self._a.ravel(order), self._a)

    def squeeze(self, axis: Any = None) -> ndarray:
        return ndarray(self._a.squeeze(axis))

    def view(self, dtype: Any = None) -> ndarray:
        return ndarray(self._a.view() if dtype is None else self._a.view(dtype))

    def copy(self, order: str = "C") -> ndarray:
        _op()
        return ndarray(self._a.copy(order=order))

    def astype(self, dtype: Any, order: str = "K", casting: Any = None, copy: bool = True) -> Any:
        if not copy and np.dtype(dtype) == self._a.dtype:
            return self
        _op()
        return ndarray(self._a.astype(dtype, order=order))

    def fill(self, value: Any) -> None:
        _op()
        self._a.fill(_unwrap(value))

    def __getitem__(self, key: Any) -> Any:
        k = _unwrap(key)
        result = self._a[k]
        if not isinstance(result, np.ndarray):
            parts = k if isinstance(k, tuple) else (k,)
            if all(isinstance(p, int | np.integer | slice) or p is None for p in parts):
                result = self._a[(*parts, Ellipsis)]  # CuPy: a 0-d view, no copy
            else:
                result = np.asarray(result)
        return _launch(result, self._a)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._a[_unwrap(key)] = _unwrap(value)
        _op()

    # -- arithmetic --------------------------------------------------------------------------------
    __add__ = _binary(operator.add)
    __radd__ = _binary(operator.add, True)
    __sub__ = _binary(operator.sub)
    __rsub__ = _binary(operator.sub, True)
    __mul__ = _binary(operator.mul)
    __rmul__ = _binary(operator.mul, True)
    __truediv__ = _binary(operator.truediv)
    __rtruediv__ = _binary(operator.truediv, True)
    __floordiv__ = _binary(operator.floordiv)
    __mod__ = _binary(operator.mod)
    __pow__ = _binary(operator.pow)
    __rpow__ = _binary(operator.pow, True)
    __matmul__ = _binary(operator.matmul)
    __rmatmul__ = _binary(operator.matmul, True)
    __and__ = _binary(operator.and_)
    __or__ = _binary(operator.or_)
    __xor__ = _binary(operator.xor)
    __lt__ = _binary(operator.lt)
    __le__ = _binary(operator.le)
    __gt__ = _binary(operator.gt)
    __ge__ = _binary(operator.ge)
    __eq__ = _binary(operator.eq)  # type: ignore[assignment]
    __ne__ = _binary(operator.ne)  # type: ignore[assignment]
    __iadd__ = _inplace(operator.iadd)
    __isub__ = _inplace(operator.isub)
    __imul__ = _inplace(operator.imul)
    __itruediv__ = _inplace(operator.itruediv)
    __iand__ = _inplace(operator.iand)
    __ior__ = _inplace(operator.ior)
    __neg__ = _unary(operator.neg)
    __abs__ = _unary(operator.abs)
    __invert__ = _unary(operator.invert)
    __hash__ = None  # type: ignore[assignment]

    sum = _reduction("sum")
    mean = _reduction("mean")
    max = _reduction("max")
    min = _reduction("min")
    argmax = _reduction("argmax")
    argmin = _reduction("argmin")
    any = _reduction("any")
    all = _reduction("all")
    var = _reduction("var")
    std = _reduction("std")
    prod = _reduction("prod")


ndarray.__module__ = "cupy"


# -- module-level functions --------------------------------------------------------------------------


def _from_host(obj: Any, dtype: Any = None, copy: bool = True) -> ndarray:
    if isinstance(obj, ndarray):
        if dtype is None or np.dtype(dtype) == obj.dtype:
            if copy:
                _op()
                return ndarray(obj._a.copy())
            return obj
        _op()
        return ndarray(obj._a.astype(dtype))
    if isinstance(obj, list | tuple) and any(isinstance(v, ndarray) for v in obj):
        _op()
        return ndarray(np.array([_unwrap(v) for v in obj], dtype=dtype))
    counters.h2d += 1
    _op()
    return ndarray(np.array(obj, dtype=dtype, copy=True))


def asarray(a: Any, dtype: Any = None, order: Any = None) -> ndarray:
    return _from_host(a, dtype, copy=False)


def array(
    obj: Any, dtype: Any = None, copy: bool = True, order: str = "K", ndmin: int = 0
) -> ndarray:
    return _from_host(obj, dtype, copy=copy)


def asnumpy(a: Any, stream: Any = None, order: str = "C", out: Any = None) -> np.ndarray:
    if isinstance(a, ndarray):
        return a.get()
    return np.asarray(a)


def ascontiguousarray(a: ndarray, dtype: Any = None) -> ndarray:
    if not isinstance(a, ndarray):
        raise TypeError(f"Unsupported type {type(a)}")
    if a._a.flags.c_contiguous and (dtype is None or np.dtype(dtype) == a.dtype):
        return a
    _op()
    return ndarray(np.ascontiguousarray(a._a, dtype=dtype))


def empty(shape: Any, dtype: Any = float, order: str = "C") -> ndarray:
    # uninitialised memory, as on a device: NaNs make any read of an unwritten element visible
    a = np.empty(shape, dtype=dtype, order=order)
    if a.dtype.kind == "f":
        a.fill(np.nan)
    return ndarray(a)


def empty_like(a: ndarray, dtype: Any = None, order: str = "K", shape: Any = None) -> ndarray:
    return empty(a.shape if shape is None else shape, dtype or a.dtype)


def _filled(shape: Any, value: Any, dtype: Any) -> ndarray:
    _op()
    return ndarray(np.full(shape, value, dtype=dtype))


def zeros(shape: Any, dtype: Any = float, order: str = "C") -> ndarray:
    return _filled(shape, 0, dtype)


def ones(shape: Any, dtype: Any = float, order: str = "C") -> ndarray:
    return _filled(shape, 1, dtype)


def full(shape: Any, fill_value: Any, dtype: Any = None, order: str = "C") -> ndarray:
    return _filled(shape, _unwrap(fill_value), dtype)


def zeros_like(a: ndarray, dtype: Any = None, order: str = "K", shape: Any = None) -> ndarray:
    return _filled(a.shape if shape is None else shape, 0, dtype or a.dtype)


def ones_like(a: ndarray, dtype: Any = None, order: str = "K", shape: Any = None) -> ndarray:
    return _filled(a.shape if shape is None else shape, 1, dtype or a.dtype)


def full_like(
    a: ndarray, fill_value: Any, dtype: Any = None, order: str = "K", shape: Any = None
) -> ndarray:
    return _filled(a.shape if shape is None else shape, fill_value, dtype or a.dtype)


def result_type(*args: Any) -> Any:
    return np.result_type(*[a.dtype if isinstance(a, ndarray) else a for a in args])


_VIEW_FUNCTIONS = {"broadcast_to", "expand_dims", "moveaxis", "squeeze", "transpose", "swapaxes"}
_NO_OP_FUNCTIONS = {"shape", "ndim", "result_type", "can_cast", "isscalar"}


def _numpy_function(name: str) -> Callable[..., Any]:
    target = getattr(np, name)

    def function(*args: Any, **kwargs: Any) -> Any:
        raw_args = [_unwrap(a) for a in args]
        raw_kwargs = _unwrap_kwargs(kwargs)
        out = kwargs.get("out")
        result = target(*raw_args, **raw_kwargs)
        if name in _NO_OP_FUNCTIONS:
            return result
        if name in _VIEW_FUNCTIONS:
            return _wrap(result)
        _op()
        if out is not None:
            return out
        if isinstance(result, np.generic):
            return ndarray(np.asarray(result))
        return _wrap(result)

    function.__name__ = name
    return function


_MODULE_FUNCTIONS: dict[str, Callable[..., Any]] = {}


class _Stream:
    def synchronize(self) -> None:
        _sync()


class _Device:
    id = 0

    def __init__(self, device: int = 0) -> None:
        self.id = device

    def synchronize(self) -> None:
        _sync()

    def __enter__(self) -> _Device:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


class _MemoryPool:
    def used_bytes(self) -> int:
        return 0

    def total_bytes(self) -> int:
        return 0

    def free_all_blocks(self) -> None:
        return None


_POOL = _MemoryPool()


def get_default_memory_pool() -> _MemoryPool:
    return _POOL


def is_available() -> bool:
    return True


# -- random ------------------------------------------------------------------------------------------


class Generator:
    """`cupy.random.Generator`: draws are device operations."""

    def __init__(self, seed: Any = None) -> None:
        self._rng = np.random.default_rng(seed)

    def _draw(self, values: np.ndarray) -> ndarray:
        _op()
        return ndarray(values)

    def random(self, size: Any = None, dtype: Any = np.float64, out: Any = None) -> ndarray:
        return self._draw(self._rng.random(size, dtype=dtype))

    def standard_normal(
        self, size: Any = None, dtype: Any = np.float64, out: Any = None
    ) -> ndarray:
        return self._draw(self._rng.standard_normal(size, dtype=dtype))

    def normal(self, loc: float = 0.0, scale: float = 1.0, size: Any = None) -> ndarray:
        return self._draw(self._rng.normal(loc, scale, size))

    def uniform(
        self, low: float = 0.0, high: float = 1.0, size: Any = None, dtype: Any = np.float64
    ) -> ndarray:
        return self._draw(self._rng.uniform(low, high, size).astype(dtype))

    def integers(
        self,
        low: int,
        high: Any = None,
        size: Any = None,
        dtype: Any = np.int64,
        endpoint: bool = False,
    ) -> ndarray:
        return self._draw(
            np.asarray(self._rng.integers(low, high, size, dtype=dtype, endpoint=endpoint))
        )


_GLOBAL_RNG = Generator()


def _random_module() -> types.ModuleType:
    module = types.ModuleType("cupy.random")
    module.Generator = Generator  # type: ignore[attr-defined]
    module.default_rng = lambda seed=None: Generator(seed)  # type: ignore[attr-defined]
    module.random = lambda size=None, dtype=np.float64: _GLOBAL_RNG.random(size, dtype)  # type: ignore[attr-defined]
    module.standard_normal = lambda size=None, dtype=np.float64: _GLOBAL_RNG.standard_normal(
        size, dtype
    )  # type: ignore[attr-defined]
    module.seed = lambda seed=None: _GLOBAL_RNG.__init__(seed)  # type: ignore[attr-defined]
    return module


# -- custom kernels ----------------------------------------------------------------------------------

from .references import REFERENCES  # noqa: E402 - after the array type they operate on

KERNELS = os.environ.get("CNNTUI_STANDIN_KERNELS", "compiled")
"""How `ElementwiseKernel`s run: "compiled" (the CUDA body as C++, where a compiler exists) or
"numpy" (the references in `references.py`: `REFERENCES[name](size, **arguments)` fills the
outputs in place). Without a C++ compiler the references are used either way."""

_CTYPES = {
    "float32": "float",
    "float64": "double",
    "int8": "signed char",
    "int16": "short",
    "int32": "int",
    "int64": "long long",
    "uint8": "unsigned char",
    "uint16": "unsigned short",
    "uint32": "unsigned int",
    "uint64": "unsigned long long",
    "bool": "bool",
}

_PRELUDE = r"""
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <algorithm>
#define __device__
#define __global__
using std::min; using std::max; using std::isnan; using std::isinf; using std::isfinite;
using std::exp; using std::log; using std::sqrt; using std::log1p; using std::expm1; using std::tanh;
using std::fabs; using std::floor; using std::ceil; using std::pow; using std::cos; using std::sin;
static long long standin_bad_index = -1;
template <typename X> struct StandinRaw {
    X* p; long long n;
    X& operator[](long long k) const {
        if (k < 0 || k >= n) { if (standin_bad_index < 0) standin_bad_index = k; static X dummy; return dummy; }
        return p[k];
    }
    long long size() const { return n; }
};
struct StandinIndex { long long n; long long size() const { return n; } };
"""


@dataclass
class _Param:
    type_name: str  # a concrete dtype name or a type placeholder such as T
    name: str
    raw: bool


def _parse_params(text: str) -> list[_Param]:
    params = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        raw = words[0] == "raw"
        if raw:
            words = words[1:]
        params.append(_Param(words[0], words[1], raw))
    return params


def _compiler() -> str | None:
    for name in ("c++", "g++", "clang++"):
        path = shutil.which(name)
        if path:
            return path
    return None


COMPILER = _compiler()
_CACHE_DIR = (
    Path(tempfile.gettempdir())
    / f"cnntui-strict-cupy-{os.getuid() if hasattr(os, 'getuid') else 0}"
)
_LIBRARIES: dict[str, Any] = {}


def _compile(source: str) -> Any:
    digest = hashlib.sha256(source.encode()).hexdigest()[:24]
    if digest in _LIBRARIES:
        return _LIBRARIES[digest]
    _CACHE_DIR.mkdir(parents=True, exist_ok=True)
    library = _CACHE_DIR / f"k{digest}.so"
    if not library.exists():
        source_path = _CACHE_DIR / f"k{digest}.cpp"
        source_path.write_text(source)
        partial = _CACHE_DIR / f"k{digest}.{os.getpid()}.so"
        done = subprocess.run(
            [
                COMPILER or "c++",
                "-O1",
                "-std=c++17",
                "-shared",
                "-fPIC",
                "-o",
                str(partial),
                str(source_path),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the kernel does not compile:\n{done.stderr}\n{source}")
        os.replace(partial, library)
    loaded = ctypes.CDLL(str(library))
    _LIBRARIES[digest] = loaded
    return loaded


class ElementwiseKernel:
    """`cupy.ElementwiseKernel`: one thread per output element, `i` its index."""

    def __init__(
        self, in_params: str, out_params: str, operation: str, name: str = "kernel", **kwargs: Any
    ) -> None:
        self.inputs = _parse_params(in_params)
        self.outputs = _parse_params(out_params)
        self.operation = operation
        self.name = name
        self.preamble = kwargs.get("preamble", "")

    def _types(self, arrays: dict[str, Any]) -> dict[str, np.dtype]:
        bound: dict[str, np.dtype] = {}
        for param in self.inputs + self.outputs:
            value = arrays.get(param.name)
            if param.type_name not in _CTYPES and isinstance(value, ndarray):
                bound.setdefault(param.type_name, value.dtype)
        return bound

    def __call__(self, *args: Any, size: int | None = None, **kwargs: Any) -> Any:
        params = self.inputs + self.outputs
        if len(args) < len(self.inputs) or len(args) > len(params):
            raise TypeError(
                f"{self.name}: expected {len(self.inputs)} to {len(params)} arguments, got {len(args)}"
            )
        values: dict[str, Any] = {}
        for param, value in zip(params, args, strict=False):
            if isinstance(value, np.ndarray) and value.ndim > 0:
                raise TypeError(f"{self.name}: argument {param.name} is a host array")
            values[param.name] = value
        bound = self._types(values)
        # the output shape: broadcast of the non-raw array arguments, or `size`
        shapes = [
            values[p.name].shape
            for p in params
            if not p.raw and isinstance(values.get(p.name), ndarray)
        ]
        if shapes:
            shape = np.broadcast_shapes(*shapes)
        elif size is not None:
            shape = (int(size),)
        else:
            raise ValueError(f"{self.name}: cannot tell the size: pass size= or a non-raw array")
        if size is not None and shapes and int(np.prod(shape)) != size:
            raise ValueError(
                f"{self.name}: size={size} does not match the arguments' shape {shape}"
            )
        for param in self.outputs:
            if values.get(param.name) is None:
                dtype = (
                    np.dtype(param.type_name)
                    if param.type_name in _CTYPES
                    else bound.get(param.type_name)
                )
                if dtype is None:
                    raise TypeError(f"{self.name}: cannot tell the type of output {param.name}")
                values[param.name] = empty(shape, dtype)
        _op()
        count = int(np.prod(shape)) if shape else 1
        if COMPILER is not None and KERNELS == "compiled":
            self._run_compiled(values, bound, shape, count)
        else:
            reference = REFERENCES.get(self.name)
            if reference is None:
                raise RuntimeError(
                    f"kernel {self.name} has no NumPy reference (and is not compiled)"
                )
            reference(
                count, **{k: (v._a if isinstance(v, ndarray) else v) for k, v in values.items()}
            )
        outs = [values[p.name] for p in self.outputs]
        return outs[0] if len(outs) == 1 else tuple(outs)

    def _c_type(self, param: _Param, bound: dict[str, np.dtype]) -> str:
        dtype = np.dtype(param.type_name) if param.type_name in _CTYPES else bound[param.type_name]
        return _CTYPES[dtype.name]

    def _run_compiled(
        self, values: dict[str, Any], bound: dict[str, np.dtype], shape: tuple[int, ...], count: int
    ) -> None:
        params = self.inputs + self.outputs
        lines = []
        buffers: list[np.ndarray] = []
        write_back: list[tuple[np.ndarray, np.ndarray]] = []
        for index, param in enumerate(params):
            ctype = self._c_type(param, bound)
            value = values[param.name]
            is_output = param in self.outputs
            if isinstance(value, ndarray):
                dtype = (
                    np.dtype(param.type_name)
                    if param.type_name in _CTYPES
                    else bound[param.type_name]
                )
                if value.dtype != dtype:
                    raise TypeError(
                        f"{self.name}: {param.name} is {value.dtype}, the kernel wants {dtype}"
                    )
                if param.raw:
                    buffer = np.ascontiguousarray(value._a)
                else:
                    buffer = np.ascontiguousarray(np.broadcast_to(value._a, shape))
                if is_output:
                    if not param.raw and value.shape != tuple(shape):
                        raise ValueError(
                            f"{self.name}: output {param.name} has shape {value.shape}, not {shape}"
                        )
                    if buffer is not value._a:
                        buffer = buffer.copy()
                        write_back.append((value._a, buffer))
                buffers.append(buffer)
                if param.raw:
                    lines.append(
                        f"    StandinRaw<{ctype}> {param.name}{{({ctype}*)args[{index}], sizes[{index}]}};"
                    )
                elif is_output:
                    lines.append(f"    {ctype}& {param.name} = (({ctype}*)args[{index}])[i];")
                else:
                    lines.append(f"    const {ctype} {param.name} = (({ctype}*)args[{index}])[i];")
            else:
                if param.raw or is_output:
                    raise TypeError(f"{self.name}: {param.name} must be a device array")
                buffer = np.array(
                    [value],
                    dtype=np.dtype(param.type_name)
                    if param.type_name in _CTYPES
                    else bound[param.type_name],
                )
                buffers.append(buffer)
                lines.append(f"    const {ctype} {param.name} = *(({ctype}*)args[{index}]);")
        typedefs = "".join(f"typedef {_CTYPES[d.name]} {name};\n" for name, d in bound.items())
        raw_lines = [
            line
            for line, p in zip(lines, params)
            if p.raw or not isinstance(values[p.name], ndarray)
        ]
        element_lines = [
            line
            for line, p in zip(lines, params)
            if not (p.raw or not isinstance(values[p.name], ndarray))
        ]
        source = (
            _PRELUDE
            + typedefs
            + self.preamble
            + '\nextern "C" long long standin_kernel(void** args, const long long* sizes, long long n) {\n'
            + "    standin_bad_index = -1;\n"
            + "    StandinIndex _ind{n};\n"
            + "\n".join(raw_lines)
            + "\n    for (long long i = 0; i < n; ++i) {\n"
            + "\n".join(element_lines)
            + "\n    {\n"
            + self.operation
            + ";\n    }\n    }\n    return standin_bad_index;\n}\n"
        )
        library = _compile(source)
        function = library.standin_kernel
        function.restype = ctypes.c_longlong
        pointers = (ctypes.c_void_p * len(buffers))(*[b.ctypes.data for b in buffers])
        sizes = (ctypes.c_longlong * len(buffers))(*[b.size for b in buffers])
        bad = function(pointers, sizes, ctypes.c_longlong(count))
        if bad >= 0:
            raise IndexError(f"kernel {self.name} read or wrote index {bad} outside a raw array")
        for target, buffer in write_back:
            target[...] = buffer


class RawKernel:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("the stand-in runs ElementwiseKernel only")


def fuse(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("the stand-in does not emulate cupy.fuse")


# -- the module objects ------------------------------------------------------------------------------


def _scatter_add(target: ndarray, index: Any, values: Any) -> None:
    np.add.at(target._a, _unwrap(index), _unwrap(values))
    _op()


def build() -> tuple[types.ModuleType, types.ModuleType]:
    """Fresh `cupy` and `cupyx` module objects backed by this stand-in."""
    cupy = types.ModuleType("cupy")
    cupy.__version__ = __version__  # type: ignore[attr-defined]
    cupy.__file__ = __file__
    explicit: dict[str, Any] = {
        "ndarray": ndarray,
        "asarray": asarray,
        "array": array,
        "asnumpy": asnumpy,
        "ascontiguousarray": ascontiguousarray,
        "empty": empty,
        "empty_like": empty_like,
        "zeros": zeros,
        "ones": ones,
        "full": full,
        "zeros_like": zeros_like,
        "ones_like": ones_like,
        "full_like": full_like,
        "result_type": result_type,
        "get_default_memory_pool": get_default_memory_pool,
        "is_available": is_available,
        "ElementwiseKernel": ElementwiseKernel,
        "RawKernel": RawKernel,
        "fuse": fuse,
        "counters": counters,
    }
    for name, value in explicit.items():
        setattr(cupy, name, value)
    for name in (
        "matmul", "dot", "exp", "log", "log1p", "expm1", "sqrt", "tanh", "abs", "maximum", "minimum",
        "where", "clip", "multiply", "add", "subtract", "divide", "negative", "logical_or",
        "logical_and", "logical_not", "sum", "mean", "einsum", "stack", "concatenate", "repeat", "pad",
        "broadcast_to", "arange", "square", "sign", "isnan", "isfinite", "argmax", "tensordot",
        "expand_dims", "moveaxis", "squeeze", "transpose", "swapaxes", "outer", "sin", "cos",
        "power", "floor", "ceil", "equal", "less", "greater", "greater_equal", "less_equal", "all",
        "any", "cumsum", "sort", "argsort", "max", "min", "amax", "amin", "take", "tile", "flip",
        "shape", "ndim", "can_cast",
    ):  # fmt: skip
        function = _numpy_function(name)
        setattr(cupy, name, function)
        _MODULE_FUNCTIONS[name] = function
    for name, value in explicit.items():
        if callable(value) and not isinstance(value, type):
            _MODULE_FUNCTIONS[name] = value
    for dtype in (
        "float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
        "uint32", "uint64", "bool_", "intp", "dtype", "newaxis", "inf", "nan", "pi", "e",
    ):  # fmt: skip
        setattr(cupy, dtype, getattr(np, dtype))
    cupy.random = _random_module()  # type: ignore[attr-defined]

    cuda = types.ModuleType("cupy.cuda")
    cuda.get_current_stream = lambda device=None: _Stream()  # type: ignore[attr-defined]
    cuda.Stream = _Stream  # type: ignore[attr-defined]
    cuda.Device = _Device  # type: ignore[attr-defined]
    runtime = types.ModuleType("cupy.cuda.runtime")
    runtime.getDeviceProperties = lambda device: {"name": b"strict CuPy stand-in"}  # type: ignore[attr-defined]
    runtime.memGetInfo = lambda: (8 * 2**30, 8 * 2**30)  # type: ignore[attr-defined]
    runtime.getDeviceCount = lambda: 1  # type: ignore[attr-defined]
    cuda.runtime = runtime  # type: ignore[attr-defined]
    cupy.cuda = cuda  # type: ignore[attr-defined]

    strides = types.ModuleType("cupy.lib.stride_tricks")

    def as_strided(a: ndarray, shape: Any = None, strides_: Any = None, **kwargs: Any) -> ndarray:
        return ndarray(
            np.lib.stride_tricks.as_strided(
                a._a, shape, kwargs.get("strides", strides_), writeable=False
            )
        )

    def sliding_window_view(
        a: ndarray, window_shape: Any, axis: Any = None, **kwargs: Any
    ) -> ndarray:
        return ndarray(np.lib.stride_tricks.sliding_window_view(a._a, window_shape, axis))

    strides.as_strided = as_strided  # type: ignore[attr-defined]
    strides.sliding_window_view = sliding_window_view  # type: ignore[attr-defined]
    lib = types.ModuleType("cupy.lib")
    lib.stride_tricks = strides  # type: ignore[attr-defined]
    cupy.lib = lib  # type: ignore[attr-defined]

    cupyx = types.ModuleType("cupyx")
    cupyx.scatter_add = _scatter_add  # type: ignore[attr-defined]
    return cupy, cupyx


def install(monkeypatch: Any) -> types.ModuleType:
    """Make `import cupy` give the stand-in for the rest of a test; returns the module.

    Resets the engine's cached GPU probe (before and, through `monkeypatch`, after) and the
    compiled-kernel cache of `cnntui.engine.gpu_kernels`, which hold the module they saw.
    """
    from cnntui.engine import backend, gpu_kernels

    cupy, cupyx = build()
    monkeypatch.setitem(sys.modules, "cupy", cupy)
    monkeypatch.setitem(sys.modules, "cupyx", cupyx)
    monkeypatch.setattr(backend, "_probe_cache", None)
    gpu_kernels.reset()
    monkeypatch.setattr(gpu_kernels, "reset", gpu_kernels.reset)  # restored with the rest
    counters.reset()
    return cupy
