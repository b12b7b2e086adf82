"""Keeping Python's garbage collector off the keys: what the app builds to keep is frozen.

By the time the labs are ready the app holds a quarter of a million objects (modules, styles,
every lab's widgets, lesson pages) that live as long as it does. Python's full collections walk
every one of them: with a training run adding objects, one came every few seconds and stopped the
UI thread for 200-300 ms, whatever key was being answered. `gc.freeze` moves the objects alive now
out of the collector's reach; a full collection then walks only what came after.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Freeze every object alive now (`gc.freeze`): call it after building something the app
    keeps (the first screen, a lab, a lesson's page). Moving objects to the frozen generation
    costs nothing; garbage alive in a cycle at that moment stays with them (a few kilobytes,
    against a pause a learner sees). Reference counting still frees frozen objects."""
    gc.freeze()


def thaw_heap() -> None:
    """Give the collector back everything frozen (`gc.unfreeze`): call it when the app throws
    away much of what it built (the lesson pages of the other language), so that their cycles
    are collected; the next `settle_heap` freezes what is kept again."""
    gc.unfreeze()
