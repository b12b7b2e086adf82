"""Preset validator for `cnntui:lesson?name=LESSON` links, which open another lesson.

Whether the named lesson exists depends on the lessons folder, so `cnntui.lessons` checks that
against the loaded lessons; this validator checks the link's shape.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def validate(params: dict[str, str]) -> list[str]:
    """The problems with a lesson link's parameters; empty when valid.

    Accepted: `name` (required, a lesson file name without `.md`) and `section` (optional, a
    heading anchor to scroll to, e.g. `padding-and-stride`).
    """
    problems: list[str] = []
    unknown = sorted(set(params) - {"name", "section"})
    if unknown:
        problems.append(f"unknown parameter {unknown[0]!r} (lesson links take name and section)")
    name = params.get("name", "")
    if not name:
        problems.append("a lesson link needs name=LESSON")
    elif not _NAME.fullmatch(name.removesuffix(".md")):
        problems.append(f"{name!r} is not a lesson file name")
    section = params.get("section")
    if section is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", section):
        problems.append(f"section {section!r} must be a heading anchor like 'padding-and-stride'")
    return problems
