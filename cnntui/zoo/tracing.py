"""Helpers for zoo containers that route shapes through their children themselves.

The engine's `Sequential` covers straight chains. Blocks whose layout must match torchvision's
attribute names (a residual block's `conv1`, `bn1`, `downsample`; an Inception module's
`branch1` … `branch4`; GoogLeNet's side classifiers) override `Module.trace` with these helpers so
their records look exactly like the engine's: the container first (pre-order), then its children.
The helpers themselves live in `cnntui.engine.module`, beside the engine's own containers' use.
"""

from __future__ import annotations

from cnntui.engine.backend import array_module
from cnntui.engine.module import (
    backward_chain,
    child_name,
    close_record,
    forward_chain,
    open_record,
    trace_chain,
)

__all__ = [
    "array_module",
    "backward_chain",
    "child_name",
    "close_record",
    "forward_chain",
    "open_record",
    "trace_chain",
]
