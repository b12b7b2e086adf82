"""Find a lesson by what the learner types: its file name or a unique part of it.

`05-pooling`, `05-pooling.md`, `pooling` and `POOL` all name `05-pooling` when no other lesson's
name contains them. Standard library only: the command line resolves `--lesson` before the app
(and its lesson parser) is imported.
"""

from __future__ import annotations

from collections.abc import Iterable

from cnntui.errors import UsageError
from cnntui.i18n import _


def plural(count: int, noun: str) -> str:
    """`1 lesson`, `2 lessons`, `0 lessons` (nouns that take an s)."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def resolve_lesson(text: str, names: Iterable[str]) -> str:
    """The one lesson name `text` means; UsageError naming the candidates when none or several.

    An exact name wins; otherwise a name that equals `text` after its number prefix
    (`pooling` for `05-pooling`); otherwise the only name that contains `text` (ignoring case).
    """
    known = sorted(names)
    wanted = text.strip().removesuffix(".md").lower()
    if wanted and "/" not in wanted:
        exact = [name for name in known if name.lower() == wanted]
        if exact:
            return exact[0]
        unnumbered = [name for name in known if name.lower().split("-", 1)[-1] == wanted]
        if len(unnumbered) == 1:
            return unnumbered[0]
        partial = [name for name in known if wanted in name.lower()]
        if len(partial) == 1:
            return partial[0]
        if len(partial) > 1:
            raise UsageError(
                _("lesson {text!r} is ambiguous: it could be {choices}; type more of it").format(
                    text=text, choices=", ".join(partial)
                )
            )
    raise UsageError(
        _("no lesson named {text!r}; known lessons: {value}").format(
            text=text, value=", ".join(known) or "none found"
        )
    )
