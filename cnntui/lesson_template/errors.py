"""Errors of the template language: `TemplateError` for callers, `_Problem` inside expressions."""

from __future__ import annotations

from cnntui.errors import CnnTuiError
from cnntui.i18n import _


class TemplateError(CnnTuiError):
    """A `{{ ... }}` expression could not be rendered; the message starts with `line N:`."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(_("line {line}: {message}").format(line=line, message=reason))
        self.line = line
        self.reason = reason
        self.message = reason


class _Problem(Exception):
    """Raised inside an expression; `render` adds the line number."""
