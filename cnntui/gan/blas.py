"""Limit the BLAS library's threads in a process that only multiplies small matrices.

The 2-D GAN's matrices are tiny (128 × 64): OpenBLAS still splits them across threads, and on a
busy machine those threads spin and wait for each other, so one thread is several times faster
(measured on a 2-core machine: 0.9 s instead of 17 s per 500 steps under load). The `cnntui gan`
command, the DCGAN child process and the app's 2-D GAN thread call this; the app's own process
never runs large products (the Train lab trains in a child process), so it loses nothing.
"""

from __future__ import annotations

import ctypes

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def limit_blas_threads(threads: int = 1) -> bool:
    """Ask every loaded OpenBLAS to use `threads` threads; True when one accepted."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = {line.split()[-1] for line in fh if "openblas" in line.lower() and "/" in line}
    except OSError:
        return False
    done = False
    for path in sorted(paths):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _SETTERS:
            setter = getattr(library, name, None)
            if setter is not None:
                setter(ctypes.c_int(threads))
                done = True
                break
    return done
