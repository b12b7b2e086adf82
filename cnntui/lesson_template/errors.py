"""Errors of the template language: `TemplateError` for callers, `_Problem` inside expressions."""

from __future__ import annotations

from cnntui.errors import CnnTuiError


class TemplateError(CnnTuiError):
    """A `{{ ... }}` expression could not be rendered; the message starts with `line N:`."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason
        self.message = reason


class _Problem(Exception):
    """Raised inside an expression; `render` adds the line number."""
