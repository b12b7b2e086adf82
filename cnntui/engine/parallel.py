"""CPU threads for the engine: a small persistent pool that splits the big operations of a step.

OpenBLAS parallelises one matrix product over its output, which does little for the products of
a convolution's backward pass (the weight gradient is a tiny (C·kh·kw × F) result summed over a
huge N·oh·ow axis), and everything that is not a product (im2col, col2im, pooling, ReLU) runs on
one core. With more than one thread configured the engine instead splits those operations into
per-thread chunks (columns of a product, channels of an image) and runs them on this pool, each
chunk's product on one BLAS thread. NumPy releases the GIL inside BLAS, copies and ufunc loops on
large arrays, so the chunks really run at the same time.

Use it through `cpu_threads_scope(count)`, around a run (`cnntui bench`, `cnntui train`): inside,
`threads()` is `count` and OpenBLAS is held at one thread; on leaving, the pool's threads are
joined and OpenBLAS gets its previous count back, so nothing keeps running after a run. Outside
any scope, `threads()` is 1 and every operation takes its one-thread path, unchanged.

Partial sums (a weight gradient over column chunks) are added in chunk order, so a run is
reproducible at a given thread count. Chunks are claimed from a shared counter by the pool's
workers *and* by the submitting thread, so any thread (a UI worker included) may submit, several
at once, and a chunk that submits work itself (it never does here) runs it inline instead of
waiting on the pool it occupies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

MIN_CHUNK_ELEMENTS = 1 << 15
"""Below about this many elements per chunk a split costs more (a hand-off is ~20-50 µs) than it
saves: such operations run on the calling thread."""

CHUNKS_PER_THREAD = 1
"""How many chunks per thread a large operation is cut into."""

SPLIT_MIN_MACS = 2_000_000
"""Below about this many multiply-adds per image a network's operations are too small for the
engine's own threads: with two threads LeNet-5 (0.42 M) trained at 7,700-8,500 images/s split
over them and at 9,400-10,600 with OpenBLAS's two threads instead, while the CIFAR CNN (10.3 M)
trained 1.2-1.3 times faster split. `cpu_threads_scope(count, split=False)` is that other way."""

_lock = threading.Lock()
_threads = 1
_pool: _Pool | None = None
_local = threading.local()


class _Batch:
    """One `run` call: chunk functions claimed one at a time, results kept in chunk order."""

    def __init__(self, functions: Sequence[Callable[[], Any]]) -> None:
        self.functions = functions
        self.results: list[Any] = [None] * len(functions)
        self.errors: list[BaseException] = []
        self.next = 0
        self.done = 0
        self.lock = threading.Lock()
        self.finished = threading.Event()

    def work(self) -> None:
        """Claim and run chunks until none is left."""
        while True:
            with self.lock:
                index = self.next
                if index >= len(self.functions):
                    return
                self.next += 1
            try:
                self.results[index] = self.functions[index]()
            except BaseException as error:  # re-raised in the submitting thread
                with self.lock:
                    self.errors.append(error)
            with self.lock:
                self.done += 1
                if self.done == len(self.functions):
                    self.finished.set()


class _Pool:
    """`workers` daemon threads that help with whatever batch is queued."""

    def __init__(self, workers: int) -> None:
        self.queue: list[_Batch | None] = []
        self.ready = threading.Condition()
        self.threads = [
            threading.Thread(target=self._loop, name=f"cnntui-engine-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self.threads:
            thread.start()

    def _loop(self) -> None:
        _local.in_pool = True
        while True:
            with self.ready:
                while not self.queue:
                    self.ready.wait()
                batch = self.queue[0]
                if batch is None:  # the stop signal stays queued for the other workers
                    return
                # leave a batch queued while chunks remain, so other workers can join in
                if batch.next >= len(batch.functions):
                    self.queue.pop(0)
                    continue
            batch.work()
            with self.ready:
                if self.queue and self.queue[0] is batch:
                    self.queue.pop(0)

    def submit(self, batch: _Batch) -> None:
        with self.ready:
            self.queue.append(batch)
            self.ready.notify_all()

    def close(self) -> None:
        with self.ready:
            self.queue.append(None)
            self.ready.notify_all()
        for thread in self.threads:
            thread.join()


def threads() -> int:
    """How many threads the engine splits its operations over (1 outside `cpu_threads_scope`)."""
    return _threads


def run(functions: Sequence[Callable[[], T]]) -> list[T]:
    """Call every function, spread over the pool and the calling thread; results in order.

    The first exception raised by a chunk is raised here once every chunk has finished.
    """
    pool = _pool
    if pool is None or len(functions) < 2 or getattr(_local, "in_pool", False):
        return [function() for function in functions]
    batch = _Batch(functions)
    pool.submit(batch)
    batch.work()
    batch.finished.wait()
    if batch.errors:
        raise batch.errors[0]
    return batch.results


def ranges(total: int, parts: int, minimum: int = 1) -> list[tuple[int, int]]:
    """Split range(total) into at most `parts` contiguous (start, stop) ranges of near-equal
    length, none shorter than `minimum` (fewer parts when `total` is small)."""
    parts = max(1, min(parts, total // max(1, minimum), total))
    bounds = [total * i // parts for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(parts)]


def chunks(total: int, elements_per_unit: int) -> list[tuple[int, int]]:
    """The ranges to split `total` units of `elements_per_unit` elements each into: one per
    engine thread, or a single range when the work is too small to be worth a hand-off."""
    if _threads < 2:
        return [(0, total)]
    minimum = -(-MIN_CHUNK_ELEMENTS // max(1, elements_per_unit))
    return ranges(total, _threads * CHUNKS_PER_THREAD, minimum)


def _set(count: int) -> None:
    global _threads, _pool
    with _lock:
        if _pool is not None:
            _pool.close()
            _pool = None
        _threads = count
        if count > 1:
            _pool = _Pool(count - 1)  # the submitting thread is the last one


def worth_splitting(macs_per_image: int) -> bool:
    """Whether a network of `macs_per_image` multiply-adds per image runs faster on the engine's
    own threads than on OpenBLAS's (`SPLIT_MIN_MACS`)."""
    return macs_per_image >= SPLIT_MIN_MACS


@contextmanager
def cpu_threads_scope(count: int, *, split: bool = True) -> Iterator[None]:
    """Run the engine on `count` CPU threads inside the block (see the module's docstring).

    `count` 1 holds OpenBLAS at one thread and starts no pool. With `split` False (a small
    network, `worth_splitting`) the engine's operations are not split and OpenBLAS gets the
    `count` threads for its products instead. On leaving, the previous engine thread count and
    OpenBLAS's previous count are restored and any pool is joined.
    """
    if count < 1:
        raise ValueError(f"thread count must be at least 1, got {count}")
    from cnntui.engine.backend import cpu_threads, set_cpu_threads

    previous_engine = _threads
    previous_blas = cpu_threads()
    set_cpu_threads(1 if split else count)
    _set(count if split else 1)
    try:
        yield
    finally:
        _set(previous_engine)
        if previous_blas is not None:
            set_cpu_threads(previous_blas)


def pool_threads() -> list[threading.Thread]:
    """The pool's live worker threads (for tests and diagnostics)."""
    pool = _pool
    return [t for t in pool.threads if t.is_alive()] if pool is not None else []
