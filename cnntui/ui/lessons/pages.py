"""The reader's pages: each lesson's widgets are built once into a page and kept, so showing a
lesson again only swaps pages (building Textual's Markdown widgets is what made a switch slow);
the next and previous lessons are built and measured in the background."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from cnntui.i18n import _
from cnntui.lessons import Lesson
from cnntui.ui.shared.heap import settle_heap


class LessonPages:
    """Mixed into `LessonsScreen` (`self`): its `_pages`, `marks` and the reader."""

    def _lesson_widgets(self: Any, lesson: Lesson) -> list[Widget]:
        """The reader's widgets for `lesson`: its problems, then text and quizzes in order."""
        from cnntui.ui.lessons.markdown import LessonMarkdown
        from cnntui.ui.lessons.quiz import QuizWidget

        marks = self.marks
        progress = self.cnn_app.progress
        widgets: list[Widget] = []
        if lesson.problems:
            lines = "\n".join(f"  {problem}" for problem in lesson.problems)
            widgets.append(
                Static(
                    _("This lesson has problems ({count}); the rest of it is below.").format(
                        count=len(lesson.problems)
                    )
                    + f"\n{lines}",
                    classes="lesson-errors",
                    markup=False,
                )
            )
        quizzes = lesson.quizzes
        for part in lesson.parts:
            if isinstance(part, str):
                widgets.append(LessonMarkdown(part, marks, classes="lesson-text"))
            else:
                widgets.append(
                    QuizWidget(
                        part,
                        lesson.name,
                        quizzes.index(part) + 1,
                        len(quizzes),
                        solved=progress.is_solved(lesson.name, part.id),
                        marks=marks,
                    )
                )
        if not lesson.parts and not lesson.problems:
            widgets.append(Static(_("This lesson is empty."), classes="lesson-empty"))
        return widgets

    async def _build_page(self: Any, lesson: Lesson, *, shown: bool) -> Widget:
        """Build and mount `lesson`'s page in the reader (hidden unless `shown`)."""
        page = Vertical(*self._lesson_widgets(lesson), classes="lesson-page")
        page.display = shown
        self._pages[lesson.name] = page
        await self.query_one("#reader", VerticalScroll).mount(page)
        return page

    async def _prepare_neighbours(self: Any) -> None:
        """Build the pages of the next and the previous lesson, so that `n` and `p` only swap."""
        self.run_worker(self._build_neighbours(), group="lesson-pages")

    async def _build_neighbours(self: Any) -> None:
        for offset in (1, -1):
            lesson = self._step(offset)
            if lesson is not None and lesson.name not in self._pages:
                page = await self._build_page(lesson, shown=False)
                await self._lay_out_hidden(page)
        settle_heap()  # the pages are kept: keep the collector from walking them

    async def _lay_out_hidden(self: Any, page: Widget) -> None:
        """Measure a hidden page's text at the reader's width, as showing it would.

        Wrapping every paragraph to find its height is most of what showing a built page costs;
        Textual caches each widget's height per width, so doing it now leaves showing the page
        to draw only what is on screen.
        """
        from cnntui.ui.lessons.markdown import LessonMarkdown

        # Each Markdown widget parses its text and mounts its blocks after it is mounted itself.
        for _attempt in range(100):
            if all(markdown.children for markdown in page.query(LessonMarkdown)):
                break
            await asyncio.sleep(0.02)
        reader = self.query_one("#reader", VerticalScroll)
        # A language switch may have removed the page meanwhile (it is then detached).
        if page.is_mounted and page.is_attached and not page.display:
            page.arrange(reader.scrollable_content_region.size)
