"""Finding expressions in a lesson's text: `{{ ... }}`, fenced code blocks, stray braces."""

from __future__ import annotations

import re

from cnntui.lesson_template.errors import TemplateError

EXPRESSION = re.compile(r"\{\{(.*?)\}\}")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def fenced_lines(text: str) -> set[int]:
    """Indices (from 0) of the lines inside fenced code blocks, fences included."""
    inside: set[int] = set()
    fence: str | None = None
    for index, line in enumerate(text.split("\n")):
        opened = FENCE.match(line)
        if fence is None:
            if opened:
                fence = opened.group(1)
                inside.add(index)
            continue
        inside.add(index)
        stripped = line.strip()
        if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
            fence = None
    return inside


def _check_literal(literal: str, first_line: int) -> None:
    """Refuse an unmatched `{{` or `}}` outside expressions (a typo would otherwise show raw)."""
    for token in ("{{", "}}"):
        index = literal.find(token)
        if index >= 0:
            line = first_line + literal.count("\n", 0, index)
            other = "}}" if token == "{{" else "{{"
            raise TemplateError(line, f"'{token}' without a matching '{other}' on the same line")
