"""The zoo: classic CNN architectures built from engine layers, by name.

    >>> from cnntui import zoo
    >>> zoo.names()[:3]
    ['lenet5', 'lenet5-1998', 'alexnet']
    >>> entry = zoo.get("vgg16")
    >>> entry.input_shape, entry.year
    ((3, 224, 224), 2014)
    >>> zoo.build("vgg16").num_parameters()
    138357544

Building a model allocates no weights (parameters are lazy), so listing, summarising and
comparing even ResNet-152 is cheap. `cnntui.zoo.summary.summarize(module, input_shape)` gives the
layer table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cnntui.errors import UsageError
from cnntui.i18n import _
from cnntui.zoo import facts

if TYPE_CHECKING:
    from cnntui.engine.module import Module


@dataclass(frozen=True)
class ZooEntry:
    """One architecture: what it is, what it takes, and how to build it.

    Attributes:
        name: the id used everywhere (`cnntui summary NAME`, `cnntui:models?model=NAME`).
        title: a display name ("VGG-16").
        year: year of publication (or of the competition entry).
        description: one line for lists.
        input_shape: default per-sample input (C, H, W).
        num_classes: number of outputs of a classifier (None for non-classifiers).
        family: groups related entries ("vgg", "resnet"), also the key into the facts file.
        trainable: True for the small presets meant for the Train lab.
        options: the keyword arguments `build` accepts, with their defaults.
        notes: a few lines for the detail view (paper, what is special).
    """

    name: str
    title: str
    year: int
    description: str
    input_shape: tuple[int, int, int]
    builder: Callable[..., Module] = field(repr=False, compare=False)
    num_classes: int | None = 1000
    family: str = ""
    trainable: bool = False
    options: dict[str, Any] = field(default_factory=dict, compare=False)
    notes: str = ""

    @property
    def default_input_shape(self) -> tuple[int, int, int]:
        return self.input_shape

    def build(self, **options: Any) -> Module:
        """A fresh module (weights unallocated until first used). Unknown options raise UsageError."""
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            valid = ", ".join(sorted(self.options)) or "none"
            raise UsageError(f"{self.name} has no option {', '.join(unknown)}; valid: {valid}")
        return self.builder(**options)

    @property
    def top5_error(self) -> float | None:
        """ILSVRC top-5 error in percent of this architecture's competition entry, when known."""
        return facts.top5_error(self.name, self.family)

    @property
    def ilsvrc(self) -> str | None:
        """A short line about its ILSVRC result ("ILSVRC 2012 winner"), when known."""
        return facts.ilsvrc_note(self.name, self.family)


def names() -> list[str]:
    """Every zoo entry's name, in historical order (paper nets first, then the small presets)."""
    from cnntui.zoo.catalog import ENTRIES

    return list(ENTRIES)


def entries() -> list[ZooEntry]:
    from cnntui.zoo.catalog import ENTRIES

    return list(ENTRIES.values())


def get(name: str) -> ZooEntry:
    """The entry called `name` (case-insensitive; `_` and `-` are interchangeable).

    Raises UsageError naming the closest valid names when there is none.
    """
    from cnntui.zoo.catalog import ENTRIES

    key = name.strip().lower()
    if key in ENTRIES:
        return ENTRIES[key]
    for candidate in (key.replace("_", "-"), key.replace("-", "_")):
        if candidate in ENTRIES:
            return ENTRIES[candidate]
    import difflib

    close = difflib.get_close_matches(key, list(ENTRIES), n=3, cutoff=0.5)
    hint = _("did you mean {names}? ").format(names=", ".join(close)) if close else ""
    raise UsageError(
        _("no model called {name!r}; {hint}`cnntui models` lists all {count}").format(
            name=name, hint=hint, count=len(ENTRIES)
        )
    )


def build(name: str, **options: Any) -> Module:
    """Shorthand for `get(name).build(**options)`."""
    return get(name).build(**options)


__all__ = ["ZooEntry", "build", "entries", "get", "names"]
