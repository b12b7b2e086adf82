"""Refuse, before training starts, a network that cannot fit in the machine's memory.

A spec with a 4096×4096 input or a million channels builds in a blink (weights are allocated
lazily), then would grind the machine into swap, or die, when the first batch runs. The estimate
is the model summary's (parameters, the input batch, every layer's output and its gradient for
the batch) plus the gradients and up to two optimiser buffers per parameter (Adam's moments): a
lower bound, so a refusal is certain and the number it quotes is real.
"""

from __future__ import annotations

import os
from typing import Any

from cnntui.errors import UsageError
from cnntui.i18n import _

OPTIMISER_COPIES = 3
"""Per parameter, beyond the weights: the gradient and up to two optimiser buffers."""


def training_bytes(module: Any, input_shape: tuple[int, ...], batch_size: int) -> int:
    """Lower bound of the memory one training step of `module` needs, in bytes."""
    from cnntui.zoo.summary import summarize

    summary = summarize(module, input_shape)
    return summary.total_bytes(batch_size) + OPTIMISER_COPIES * summary.param_bytes


def machine_bytes(backend: Any) -> int | None:
    """The memory the backend computes in: the GPU's total, or the host's physical memory."""
    if getattr(backend, "is_gpu", False):
        return getattr(backend, "memory_total", None)
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # not POSIX: no figure, no check
        return None


def _gib(value: int) -> str:
    return f"{value / 2**30:,.1f} GiB"


def check_fits(
    module: Any,
    input_shape: tuple[int, ...],
    batch_size: int,
    backend: Any,
    available: int | None = None,
) -> None:
    """UsageError with both numbers when training would need more memory than there is.

    `available` defaults to `machine_bytes(backend)`; when that is unknown nothing is checked.
    """
    limit = machine_bytes(backend) if available is None else available
    if not limit:
        return
    needed = training_bytes(module, input_shape, batch_size)
    if needed > limit:
        template = (
            _(
                "training this network on {shape} inputs in batches of {batch} needs at least "
                "{needed}, more than the {limit} the GPU has; lower --batch-size or "
                "--input-size, or make the network smaller"
            )
            if getattr(backend, "is_gpu", False)
            else _(
                "training this network on {shape} inputs in batches of {batch} needs at least "
                "{needed}, more than the {limit} this machine has; lower --batch-size or "
                "--input-size, or make the network smaller"
            )
        )
        raise UsageError(
            template.format(
                shape="×".join(map(str, input_shape)),
                batch=batch_size,
                needed=_gib(needed),
                limit=_gib(limit),
            )
        )
