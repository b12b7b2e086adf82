"""Throughput measurement behind `cnntui bench`: the engine's training step on fixed models.

* `benchmark`: the benchmark models, the timed training loop and its result.
"""

from __future__ import annotations
