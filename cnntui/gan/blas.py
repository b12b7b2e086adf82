"""Old name for the engine's BLAS thread limit, kept for callers not yet moved over.

New code calls `cnntui.engine.backend.set_cpu_threads` directly.
"""

from __future__ import annotations

from cnntui.engine.backend import set_cpu_threads


def limit_blas_threads(threads: int = 1) -> bool:
    """Ask every loaded OpenBLAS to use `threads` threads; True when one accepted."""
    return set_cpu_threads(threads)
