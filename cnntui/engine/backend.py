"""Where arrays live: NumPy on the CPU, or CuPy on an NVIDIA GPU, chosen once.

One code path serves both: engine functions take arrays and ask `array_module(x)` for the module
that made them, so a layer written against `xp` runs unchanged on either. CuPy is imported only
when a GPU backend is requested (`get_backend("gpu")` or `"auto"`), never at start-up.

The probe that decides whether the GPU can be used:

1. `import cupy` (any exception: not installed or broken);
2. `cupy.is_available()`, guarded (CuPy 13 can raise instead of returning False);
3. a smoke test: one `matmul` (loads cuBLAS) and one custom `ElementwiseKernel` (loads NVRTC),
   both lazily loaded in CuPy 14 and the usual places a half-installed toolkit fails.

Any failure falls back to NumPy and keeps a one-line `reason` for the UI and `cnntui doctor`.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np

from cnntui.i18n import N_, Message

Array: TypeAlias = Any
"""A NumPy `ndarray` or, on a GPU, a CuPy `ndarray` (CuPy is never imported for annotations, so
the alias is `Any` to the type checker; the name says what a parameter holds)."""

BACKEND_NAMES = ("cpu", "gpu", "auto")


@dataclass(frozen=True)
class Backend:
    """The chosen array module and what is known about the device.

    Attributes:
        name: "cpu" or "gpu" (what is actually used, after any fallback).
        xp: `numpy` or `cupy`.
        device: a human-readable device name ("CPU (2 cores)", "NVIDIA H100 80GB HBM3").
        requested: what the user asked for ("cpu", "gpu" or "auto").
        reason: why the GPU is not used, one line; empty when it is, or when the CPU was asked for.
        memory_free, memory_total: device memory in bytes on a GPU, None on the CPU.
    """

    name: str
    xp: Any
    device: str
    requested: str = "cpu"
    reason: str = ""
    memory_free: int | None = None
    memory_total: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_gpu(self) -> bool:
        return self.name == "gpu"

    def asarray(self, a: Array, dtype: Any = None) -> Array:
        """Copy a host (or device) array onto this backend."""
        if self.xp is np:
            return to_host(a) if dtype is None else to_host(a).astype(dtype, copy=False)
        return self.xp.asarray(a, dtype=dtype)

    def to_host(self, a: Array) -> np.ndarray:
        return to_host(a)

    def synchronize(self) -> None:
        """Wait for queued device work (a no-op on the CPU); use around timings."""
        if self.is_gpu:
            self.xp.cuda.get_current_stream().synchronize()

    def describe(self) -> str:
        """One line for a status bar or `cnntui doctor`, in English (documents keep it so)."""
        return self.describe_text().english()

    def device_text(self) -> str | Message:
        """`device` in the language current where it is read (the CPU's line has words)."""
        cores = self.extra.get("cores")
        if self.name != "cpu" or cores is None:
            return self.device
        return Message(
            N_("CPU (1 core, NumPy {version})")
            if cores == "1"
            else N_("CPU ({cores} cores, NumPy {version})"),
            cores=cores,
            version=np.__version__,
        )

    def describe_text(self) -> Message:
        """`describe()`'s line as a Message: shown in the language current where it is read
        (a training process reports it to the app, whose language may differ or change)."""
        memory: str | Message = ""
        if self.memory_total and self.memory_free is not None:
            memory = Message(
                N_(", {free} of {total} GiB free"),
                free=f"{self.memory_free / 2**30:.1f}",
                total=f"{self.memory_total / 2**30:.1f}",
            )
        reason = Message(" ({reason})", reason=Message(self.reason)) if self.reason else ""
        # the frame is not text to translate: backend name, device, then the optional parts
        return Message(
            "{name}: {device}{memory}{reason}",
            name=self.name,
            device=self.device_text(),
            memory=memory,
            reason=reason,
        )

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "backend": self.name,
            "device": self.device,
            "requested": self.requested,
        }
        if self.reason:
            out["reason"] = self.reason
        if self.memory_total is not None:
            out["memory_free"] = self.memory_free
            out["memory_total"] = self.memory_total
        return out


def array_module(*arrays: Any) -> Any:
    """`numpy` or `cupy`: the module that made these arrays (NumPy for scalars and lists).

    Never imports CuPy unless a CuPy array is passed (which means it is already imported).
    """
    for a in arrays:
        if a is None or isinstance(a, np.ndarray | np.generic):
            continue
        module = type(a).__module__
        if module.startswith("cupy"):
            return sys.modules.get("cupy") or importlib.import_module("cupy")
    return np


def to_host(a: Array) -> np.ndarray:
    """A NumPy array with the values of `a` (a copy from the device for CuPy arrays)."""
    if isinstance(a, np.ndarray):
        return a
    get = getattr(a, "get", None)
    return np.asarray(get() if callable(get) else a)


def cpu_backend(requested: str = "cpu", reason: str = "") -> Backend:
    import os

    cores = os.cpu_count() or 1
    return Backend(
        name="cpu",
        xp=np,
        device=f"CPU ({cores} core{'s' if cores != 1 else ''}, NumPy {np.__version__})",
        requested=requested,
        reason=reason,
        extra={"cores": str(cores)},
    )


_probe_cache: tuple[Any, str] | None = None


def probe_gpu() -> tuple[Any, str]:
    """(cupy, "") when the GPU works, else (None, one-line reason). The result is cached."""
    global _probe_cache
    if _probe_cache is None:
        _probe_cache = _probe_gpu_uncached()
    return _probe_cache


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(error).__name__}: {first}"[:200] if first else type(error).__name__


def _probe_gpu_uncached() -> tuple[Any, str]:
    try:
        cupy = importlib.import_module("cupy")
    except ImportError:
        return None, N_("CuPy is not installed (pip install 'cnntui[gpu]')")
    except Exception as error:  # a broken install can raise anything at import time
        return None, f"CuPy failed to import: {_one_line(error)}"
    try:
        available = bool(cupy.is_available())
    except Exception as error:  # CuPy 13 raises for some driver states instead of returning False
        return None, f"no usable CUDA device: {_one_line(error)}"
    if not available:
        return None, N_("no CUDA device is visible (cupy.is_available() is False)")
    try:
        a = cupy.ones((8, 8), dtype=cupy.float32)
        total = float((a @ a).sum().item())  # loads cuBLAS
        if total != 512.0:
            return None, f"GPU smoke test gave a wrong matmul result ({total} instead of 512)"
        doubler = cupy.ElementwiseKernel(
            "float32 x", "float32 y", "y = x + x", "cnntui_probe_double"
        )
        check = float(doubler(a).sum().item())  # compiles with NVRTC
        if check != 128.0:
            return None, f"GPU smoke test gave a wrong kernel result ({check} instead of 128)"
    except Exception as error:
        return None, f"GPU smoke test failed: {_one_line(error)}"
    return cupy, ""


def _gpu_backend(cupy: Any, requested: str) -> Backend:
    name = "CUDA GPU"
    free: int | None = None
    total: int | None = None
    try:
        device = cupy.cuda.Device()
        props = cupy.cuda.runtime.getDeviceProperties(device.id)
        raw = props.get("name", b"CUDA GPU")
        name = raw.decode() if isinstance(raw, bytes) else str(raw)
        free, total = (int(v) for v in cupy.cuda.runtime.memGetInfo())
    except Exception:  # the name and memory are informative only
        pass
    return Backend(
        name="gpu",
        xp=cupy,
        device=name,
        requested=requested,
        memory_free=free,
        memory_total=total,
        extra={"cupy": str(getattr(cupy, "__version__", "?"))},
    )


def get_backend(name: str = "cpu") -> Backend:
    """The backend for "cpu", "gpu" or "auto".

    "gpu" and "auto" probe CuPy; when the probe fails both fall back to the CPU and the returned
    backend's `reason` says why (so callers can show it). Raises `ValueError` for another name.
    """
    key = name.strip().lower()
    if key not in BACKEND_NAMES:
        raise ValueError(f"unknown device {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
    if key == "cpu":
        return cpu_backend()
    cupy, reason = probe_gpu()
    if cupy is None:
        return cpu_backend(requested=key, reason=reason)
    return _gpu_backend(cupy, key)


# -- CPU threads ----------------------------------------------------------------------------------

_BLAS_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)
_BLAS_GETTERS = (
    "scipy_openblas_get_num_threads64_",
    "scipy_openblas_get_num_threads",
    "openblas_get_num_threads64_",
    "openblas_get_num_threads",
)


def _loaded_openblas() -> list[str]:
    """Paths of the OpenBLAS libraries this process may use: NumPy's bundled one first, then any
    other the process has mapped (Linux `/proc/self/maps`)."""
    from pathlib import Path

    paths: list[str] = []
    bundled = Path(np.__file__).parent.parent / "numpy.libs"
    if bundled.is_dir():
        paths += [str(p) for p in sorted(bundled.glob("*openblas*.so*"))]
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.split()[-1] if "/" in line else ""
                name = path.rsplit("/", 1)[-1].lower()
                if "openblas" in name and ".so" in name and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    return paths


def _blas_functions(names: tuple[str, ...]) -> list[Any]:
    """One function per loaded OpenBLAS: the first of `names` that library exports.

    A process can hold several OpenBLAS copies (NumPy's bundled one, SciPy's, a system one), each
    with its own thread pool, so a thread limit has to reach every one of them.
    """
    import ctypes

    found: list[Any] = []
    for path in _loaded_openblas():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in names:
            function = getattr(library, name, None)
            if function is not None:
                found.append(function)
                break
    return found


def cpu_threads() -> int | None:
    """How many threads NumPy's OpenBLAS uses for matrix products (None if it cannot be told)."""
    import ctypes

    functions = _blas_functions(_BLAS_GETTERS)
    if not functions:
        return None
    function = functions[0]  # NumPy's bundled library is listed first
    function.restype = ctypes.c_int
    return int(function())


def set_cpu_threads(count: int) -> bool:
    """Set every loaded OpenBLAS's thread count at run time; False if no BLAS could be reached.

    On a small or shared machine one thread is often fastest for small networks: the matrices
    are too small to split, and a busy second core makes threads spin and wait on each other
    (the 2-D GAN's 128 × 64 products ran 0.9 s instead of 17 s per 500 steps under load).
    """
    if count < 1:
        raise ValueError(f"thread count must be at least 1, got {count}")
    import ctypes

    functions = _blas_functions(_BLAS_SETTERS)
    for function in functions:
        function.restype = None
        function(ctypes.c_int(int(count)))
    return bool(functions)
