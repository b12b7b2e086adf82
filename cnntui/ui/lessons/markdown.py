"""The Markdown view of (part of) a lesson: links visibly marked and routed to the app.

Textual's `Markdown` would hand web links to `App.open_url`, which over SSH starts a browser on the
remote machine; here every link click becomes a `Markdown.LinkClicked` that the Lessons screen
routes (anchors scroll, `cnntui:` links open labs, web links are copied). Unordered-list bullets
follow the app's glyph set, so `--ascii` shows no Unicode bullets; with that set the prose itself
is made ASCII too (`3×3` as `3x3`).
"""

from __future__ import annotations

import re

from textual.widgets import Markdown

from cnntui.ui.shared.glyphs import ASCII, Glyphs, ascii_prose

_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]+)\]\((?P<target>[^)\s]+)(?P<title>\s+\"[^\"]*\")?\)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def mark_links(markdown: str, marks: Glyphs) -> str:
    """Append a marker to each link's text: an arrow for lab and lesson links, a web mark for web
    links, so a reader sees at a glance what a link does. Code blocks and code spans are left alone."""

    def marked(match: re.Match[str]) -> str:
        target = match.group("target")
        if target.startswith("cnntui:"):
            mark = marks.arrow
        elif re.match(r"https?://|mailto:", target):
            mark = marks.link_mark if marks.link_mark != marks.arrow else "(web)"
        else:
            return match.group(0)
        return f"[{match.group('text')} {mark}]({target}{match.group('title') or ''})"

    lines = markdown.split("\n")
    fence: str | None = None
    for index, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is not None:
            if (
                opened
                and line.strip() == fence[0] * len(line.strip())
                and len(line.strip()) >= len(fence)
            ):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        pieces = re.split(r"(`[^`]*`)", line)
        lines[index] = "".join(
            piece if piece.startswith("`") else _LINK.sub(marked, piece) for piece in pieces
        )
    return "\n".join(lines)


class LessonMarkdown(Markdown):
    """A lesson's Markdown, with links marked and left for the screen to follow."""

    def __init__(
        self, markdown: str, marks: Glyphs, *, id: str | None = None, classes: str | None = None
    ) -> None:
        if marks == ASCII:
            markdown = ascii_prose(markdown)
        super().__init__(mark_links(markdown, marks), id=id, classes=classes, open_links=False)
        self.BULLETS = list(marks.markdown_bullets)
