"""The Lessons mode: a table of contents by chapter beside the lesson, with quizzes inline.

Lessons are parsed off the UI thread (templates may trace whole models), so the first frame never
waits for them. `n`/`p` step through lessons in reading order, `/` searches every lesson, `l` lists
the lesson's links for the keyboard, `t` hides the contents to give the text the full width.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static

from cnntui.i18n import N_, _
from cnntui.lessons import Lesson, find_lesson, load_lessons
from cnntui.ui.lessons.contents import Contents
from cnntui.ui.lessons.pages import LessonPages
from cnntui.ui.shared.access import ascii_only, cnntui_app
from cnntui.ui.shared.footer import Footer
from cnntui.ui.shared.glyphs import Glyphs, glyphs
from cnntui.ui.shared.heap import thaw_heap
from cnntui.ui.shared.mode_bar import ModeBar

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from cnntui.ui.app import CnnTuiApp


class LessonsScreen(Contents, LessonPages, Screen[None]):
    """Table of contents (`#toc`) and reader (`#reader`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "next_lesson", N_("Next"), id="lessons.next"),
        Binding("p", "previous_lesson", N_("Prev"), id="lessons.previous"),
        Binding("slash", "search", N_("Search"), key_display="/", id="lessons.search"),
        Binding("l", "links", N_("Links"), id="lessons.links"),
        Binding("t", "toggle_contents", N_("Contents"), id="lessons.contents"),
        Binding("escape", "focus_reader", N_("Reader"), show=False, id="lessons.reader"),
    ]

    def __init__(self) -> None:
        super().__init__(id="lessons-screen")
        self.current: str | None = None
        """Name of the lesson on show."""
        self._pending: tuple[str, str | None] | None = None
        self._scroll_share: float | None = None
        """How far down the reader was before a reload (0-1), restored after it."""
        self._watching_position = False
        self._contents: list[tuple[str, str | None, str]] = []
        """The contents as last drawn: (option id, mark or None for a chapter, title) per line."""
        self._pages: dict[str, Widget] = {}
        """Each lesson's page in the reader, by lesson name: built once, then shown or hidden."""

    @property
    def cnn_app(self) -> CnnTuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def marks(self) -> Glyphs:
        return glyphs(ascii_only(self))

    @property
    def lessons(self) -> list[Lesson]:
        return cnntui_app(self).lessons or []

    def compose(self) -> ComposeResult:
        yield ModeBar()
        with Horizontal(id="lessons-main"):
            yield OptionList(id="toc")
            with VerticalScroll(id="reader"):
                yield Static(_("Loading lessons..."), id="reader-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#toc", OptionList).border_title = _("Lessons")
        # Parse after the first frame is on screen: the parser thread competes for the GIL, and
        # templates may import the engine and trace models.
        self.call_after_refresh(self._load)

    @work(thread=True, exclusive=True, group="load-lessons", exit_on_error=False)
    def _load(self) -> None:
        lessons = load_lessons(cnntui_app(self).lessons_dir)
        # The reader's widgets pull in the Markdown parser and highlighter (~70 ms): import them
        # here, off the UI thread, rather than before the first frame or when a lesson opens.
        import cnntui.ui.lessons.markdown  # noqa: F401
        import cnntui.ui.lessons.quiz  # noqa: F401

        self.app.call_from_thread(self._loaded, lessons)  # type: ignore[arg-type]

    def reload_lessons(self) -> None:
        """Parse the lessons again (in the current language) and reopen the lesson on show at the
        same place: the app calls this when the language changes."""
        self.query_one("#toc", OptionList).border_title = _("Lessons")
        reader = self.query_one("#reader", VerticalScroll)
        if self.current is not None:
            self._pending = (self.current, None)
            self._scroll_share = (
                reader.scroll_y / reader.max_scroll_y if reader.max_scroll_y else 0.0
            )
        # The kept pages hold the old language's text: build them again as they are shown.
        self.workers.cancel_group(self, "lesson-pages")
        pages, self._pages = list(self._pages.values()), {}
        for page in pages:
            page.remove()
        thaw_heap()  # the old pages' cycles are garbage now: let the collector have them
        self._load()

    async def _loaded(self, lessons: list[Lesson]) -> None:
        self.cnn_app.lessons = lessons
        self._fill_contents()
        if not lessons:
            self.query_one("#reader-status", Static).update(
                _("No lessons were found. Reinstall cnntui, or check the lessons folder.")
            )
            self.cnn_app.prepare_labs()
            return
        progress = self.cnn_app.progress
        wanted: tuple[str, str | None] | None = self._pending
        if wanted is None and self.cnn_app.start_lesson:
            wanted = (self.cnn_app.start_lesson, None)
        line = 0
        if wanted is None and progress.last_lesson:
            wanted, line = (progress.last_lesson, None), progress.lesson_line
        lesson = find_lesson(lessons, wanted[0]) if wanted else None
        self._pending = None
        await self.show_lesson(lesson or lessons[0], wanted[1] if wanted and lesson else None)
        reader = self.query_one("#reader", VerticalScroll)
        share, self._scroll_share = self._scroll_share, None
        reader.focus()
        if share is not None:
            # Both languages hold the same sections in the same order: the same share of the way
            # down is the same place, near enough.
            self.call_after_refresh(
                lambda: reader.scroll_to(y=share * reader.max_scroll_y, animate=False)
            )
        elif line and lesson is not None:  # back where the learner stopped reading
            self.call_after_refresh(self._scroll_back, line, 40)
        if not self._watching_position:
            self._watching_position = True
            self.watch(reader, "scroll_y", self._remember_line, init=False)
        self.call_after_refresh(self.cnn_app.prepare_labs)

    def _scroll_back(self, line: int, tries: int) -> None:
        """Scroll the reader to `line` once the page is laid out tall enough (it may be built
        while the screen is not yet shown); gives up after `tries` frames."""
        reader = self.query_one("#reader", VerticalScroll)
        if reader.max_scroll_y >= line or tries <= 0:
            reader.scroll_to(y=line, animate=False)
            return
        self.set_timer(0.05, lambda: self._scroll_back(line, tries - 1))

    def _remember_line(self, scroll_y: float) -> None:
        """Keep the reading position in memory; the app saves it on quit and mode switches."""
        self.cnn_app.progress.lesson_line = int(scroll_y)

    # -- contents (the rest in `Contents`) ----------------------------------------------------

    def on_resize(self) -> None:
        if self.cnn_app.lessons is not None:
            self.call_after_refresh(self._fill_contents)

    @on(OptionList.OptionSelected, "#toc")
    async def _contents_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        lesson = find_lesson(self.lessons, event.option_id or "")
        if lesson is not None:
            await self.show_lesson(lesson)

    # -- showing a lesson --------------------------------------------------------------------

    async def show_lesson_named(self, name: str, section: str | None = None) -> bool:
        """Show a lesson by name (scrolling to a section anchor); False if there is no such lesson.

        Before the lessons are loaded, the request is kept and honoured once they are.
        """
        if self.cnn_app.lessons is None:
            self._pending = (name, section)
            return True
        lesson = find_lesson(self.lessons, name)
        if lesson is None:
            self.notify(_("No lesson named {name}.").format(name=repr(name)), severity="error")
            return False
        await self.show_lesson(lesson, section)
        return True

    async def show_lesson(self, lesson: Lesson, section: str | None = None) -> None:
        """Show this lesson in the reader (at a section anchor if given), and record it as read.

        Each lesson's widgets are built once, into a page of the reader, and kept: showing a lesson
        again only swaps which page is displayed, since building Textual's Markdown widgets is what
        made a lesson switch slow. The lessons before and after are built in the background.
        """
        reader = self.query_one("#reader", VerticalScroll)
        page = self._pages.get(lesson.name)
        if page is None:
            page = await self._build_page(lesson, shown=True)
        with self.app.batch_update():
            for other in self._pages.values():
                if other is not page and other.display:
                    other.display = False
            page.display = True
            self.query_one("#reader-status", Static).display = False
            reader.scroll_home(animate=False)
            reader.border_title = lesson.title
            reader.border_subtitle = f"{lesson.chapter}  {self._position(lesson)}"
        self.current = lesson.name
        progress = self.cnn_app.progress
        if progress.mark_read(lesson.name):
            # Written after the frame: the file is synced to disk, which can take a while.
            self.call_after_refresh(self.cnn_app.save_progress)
        self._fill_contents()
        if section:
            self.call_after_refresh(self.scroll_to_anchor, section)
        self.call_after_refresh(self._prepare_neighbours)

    @property
    def page(self) -> Widget | None:
        """The reader's page of the lesson on show (its Markdown and quiz widgets)."""
        return self._pages.get(self.current or "")

    def _position(self, lesson: Lesson) -> str:
        index = self.lessons.index(lesson) + 1 if lesson in self.lessons else 0
        return f"{index}/{len(self.lessons)}"

    def scroll_to_anchor(self, anchor: str) -> bool:
        """Scroll the reader to a heading anchor (`padding-and-stride`); False if none matches."""
        from cnntui.ui.lessons.markdown import LessonMarkdown

        page = self.page
        if page is None:
            return False
        for markdown in page.query(LessonMarkdown):
            if markdown.goto_anchor(anchor):
                return True
        return False

    def scroll_to_heading(self, heading: str) -> bool:
        """Scroll the reader to the first heading with this text."""
        from textual.widgets._markdown import MarkdownHeader

        wanted = heading.strip().casefold()
        page = self.page
        if page is None:
            return False
        for header in page.query(MarkdownHeader):
            if str(header._content).strip().casefold() == wanted:
                self.query_one("#reader", VerticalScroll).scroll_to_widget(
                    header, top=True, animate=False
                )
                return True
        return False

    # -- links -------------------------------------------------------------------------------

    async def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        await self.follow(event.href)

    async def follow(self, href: str) -> None:
        """Follow a link from the lesson text: anchors here, everything else through the app."""
        if href.startswith("#"):
            if not self.scroll_to_anchor(href[1:]):
                self.notify(
                    _("No section {href} in this lesson.").format(href=repr(href)),
                    severity="warning",
                )
            return
        await self.cnn_app.follow_link(href)

    # -- actions -----------------------------------------------------------------------------

    def _step(self, offset: int) -> Lesson | None:
        lessons = self.lessons
        if not lessons:
            return None
        current = find_lesson(lessons, self.current or "")
        index = lessons.index(current) if current in lessons else -1
        target = index + offset
        if 0 <= target < len(lessons):
            return lessons[target]
        return None

    async def action_next_lesson(self) -> None:
        lesson = self._step(1)
        if lesson is None:
            self.notify(_("This is the last lesson."), timeout=2)
            return
        await self.show_lesson(lesson)

    async def action_previous_lesson(self) -> None:
        lesson = self._step(-1)
        if lesson is None:
            self.notify(_("This is the first lesson."), timeout=2)
            return
        await self.show_lesson(lesson)

    def action_toggle_contents(self) -> None:
        toc = self.query_one("#toc", OptionList)
        toc.display = not toc.display
        if not toc.display:
            self.query_one("#reader", VerticalScroll).focus()

    def action_focus_reader(self) -> None:
        self.query_one("#reader", VerticalScroll).focus()

    def action_search(self) -> None:
        from cnntui.ui.lessons.search import SearchScreen

        if not self.lessons:
            return
        self.app.push_screen(SearchScreen(self.lessons), self._search_done)

    async def _search_done(self, result: tuple[str, str] | None) -> None:
        if result is None:
            return
        name, heading = result
        lesson = find_lesson(self.lessons, name)
        if lesson is None:
            return
        if lesson.name != self.current:
            await self.show_lesson(lesson)
        if heading:
            self.call_after_refresh(self.scroll_to_heading, heading)

    def action_links(self) -> None:
        from cnntui.ui.lessons.links import LinksScreen

        lesson = find_lesson(self.lessons, self.current or "")
        links = [link for link in (lesson.links if lesson else []) if link.kind != "other"]
        if not links:
            self.notify(_("This lesson has no links."), timeout=2)
            return
        self.app.push_screen(LinksScreen(links, self.marks), self._link_chosen)

    async def _link_chosen(self, href: str | None) -> None:
        if href:
            await self.follow(href)

    def apply_preset(self, params: dict[str, str]) -> None:
        """`cnntui:lesson?name=…&section=…` lands here like any lab preset."""
        name = params.get("name")
        if name:
            self.run_worker(self.show_lesson_named(name, params.get("section")), exclusive=True)
