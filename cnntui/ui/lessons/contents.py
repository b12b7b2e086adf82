"""The lesson list beside the reader, mixed into `LessonsScreen`: chapters, each lesson's title
fitted to the pane and its mark (unread, read, quizzes partly or all solved)."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cnntui.cells import clip_cells
from cnntui.lessons import Lesson, chapters

CHAPTER_PREFIX = "chapter:"
"""The option id of a chapter's heading in the list (a lesson's is its name)."""


class Contents:
    """Mixed into `LessonsScreen` (`self`): its `lessons`, `current`, `marks`, `cnn_app` and
    `_contents` (the entries on show)."""

    def _mark(self: Any, lesson: Lesson) -> str:
        marks = self.marks
        if not lesson.ok:
            return "!"
        progress = self.cnn_app.progress
        if lesson.name not in progress.read:
            return marks.todo
        total = len(lesson.quizzes)
        if total and progress.solved_count(lesson.name) < total:
            return marks.partial
        return marks.done

    def _fit(self: Any, text: str, width: int) -> str:
        """Shorten `text` to `width` cells with an ellipsis, so a long title stays on one line."""
        if width <= 0:
            return text
        # cells, not characters: a Hangul title takes two a syllable
        return clip_cells(text, width, self.marks.ellipsis)

    def refresh_marks(self: Any) -> None:
        """Redraw the contents' marks (read, quizzes solved) from the learner's progress."""
        if self.cnn_app.lessons is not None:
            self._fill_contents()

    def _fill_contents(self: Any) -> None:
        toc = self.query_one("#toc", OptionList)
        highlighted = toc.highlighted
        # Room for a label: the list's width less its scrollbar (always kept, so labels never
        # jump when the list starts to scroll).
        width = toc.size.width - toc.styles.scrollbar_size_vertical if toc.size.width else 0
        entries: list[tuple[str, str | None, str]] = []
        for chapter, members in chapters(self.lessons):
            entries.append((CHAPTER_PREFIX + chapter, None, self._fit(chapter, width)))
            for lesson in members:
                mark = f" {self._mark(lesson)} "
                entries.append((lesson.name, mark, self._fit(lesson.title, width - len(mark))))
        # Rebuilding the list re-renders every option; a lesson switch usually changes no label.
        if entries != self._contents:
            self._contents = entries
            toc.clear_options()
            options: list[Option] = []
            for option_id, shown_mark, title in entries:
                if shown_mark is None:
                    options.append(
                        Option(Content.styled(title, "bold"), id=option_id, disabled=True)
                    )
                else:
                    options.append(
                        Option(Content.assemble((shown_mark, "$text-accent"), title), id=option_id)
                    )
            toc.add_options(options)
        if self.current is not None:
            toc.highlighted = toc.get_option_index(self.current)
        elif highlighted is not None:
            toc.highlighted = highlighted
