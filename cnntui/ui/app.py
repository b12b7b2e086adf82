"""The cnntui application: one Textual `App` with a mode per area.

The modes are the table `cnntui.ui.modes.MODES`: each is registered as a Textual mode, bound to
its number key and listed in the command palette. The app opens on the Lessons mode at the lesson
last read. It also owns what every screen shares: the settings, `ascii_mode`, the learner's
progress, the lessons, link following and the help screen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, SearchIcon
from textual.screen import Screen

from cnntui.i18n import N_, _
from cnntui.progress import load_progress, save_progress
from cnntui.settings import Settings, env_flag, load_settings
from cnntui.ui.modes import MODES, ModeSpec
from cnntui.ui.shared.glyphs import Glyphs, ascii_key_display, glyphs, install_ascii
from cnntui.ui.shared.heap import thaw_heap
from cnntui.ui.shared.lab_preparation import LabPreparation
from cnntui.ui.shared.messages import FollowLink, QuizAnswered

if TYPE_CHECKING:
    from cnntui.lessons import Lesson
    from cnntui.ui.lessons.screen import LessonsScreen

HERE = Path(__file__).parent
MIN_WIDTH = 80
MIN_HEIGHT = 24
DEFAULT_THEME = "textual-dark"
SIXTEEN_COLOUR_THEME = "ansi-dark"


class AsciiCommandPalette(CommandPalette):
    """The command palette without its magnifier emoji and `…` placeholder, for `--ascii`."""

    def on_mount(self) -> None:
        self.query_one(SearchIcon).icon = ">"


class CnnTuiApp(LabPreparation, App[None]):
    """The cnntui terminal app.

    Args:
        lessons_dir: Read lessons from this folder instead of the bundled ones (tests use this).
        ascii: Force ASCII drawing on or off; None reads `CNNTUI_ASCII`, then the settings.
        start_lesson: Open at this lesson instead of the last one read.
        device: `auto`, `cpu` or `gpu` for the labs; None reads `CNNTUI_DEVICE`, then the settings.
        settings: Use these settings instead of reading the config file.
        modes: Use these modes instead of `MODES` (tests use this).
        progress_file: Keep progress in this file instead of `$XDG_STATE_HOME/cnntui/progress.json`.
    """

    CSS_PATH: ClassVar[list[str | PurePath]] = [
        HERE / "app.tcss",
        # The Lessons mode's styles load with the app: it is the first screen shown.
        HERE / "lessons" / "lessons.tcss",
        HERE / "lessons" / "quiz.tcss",
        HERE / "shared" / "dialogs.tcss",
        HERE / "lessons" / "dialogs.tcss",
        HERE / "shared" / "help.tcss",
        HERE / "shared" / "notices.tcss",
    ]
    """Styles in files beside the code they style; the labs' screens carry theirs (DEFAULT_CSS)."""
    TITLE = "cnntui"
    SUB_TITLE = N_("convolutional neural networks, computed live")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", N_("Quit"), id="app.quit"),
        # priority: F2 reaches the app from a dialog too (a modal screen hides the app's own
        # bindings), and the dialog relabels itself (`refresh_language`)
        Binding(
            "f2",
            "switch_language",
            N_("Language"),
            show=False,
            priority=True,
            id="app.language",
        ),
        Binding("question_mark,f1", "help", N_("Help"), key_display="?", id="app.help"),
    ]

    def __init__(
        self,
        *,
        lessons_dir: Path | str | None = None,
        ascii: bool | None = None,
        start_lesson: str | None = None,
        device: str | None = None,
        settings: Settings | None = None,
        modes: Iterable[ModeSpec] | None = None,
        progress_file: Path | None = None,
    ) -> None:
        self.startup_warnings: list[str] = []
        if settings is None:
            settings, warnings = load_settings()
            self.startup_warnings.extend(warnings)
        self.settings = settings
        if ascii is None:
            ascii = env_flag("CNNTUI_ASCII")
        self.ascii_mode: bool = settings.ascii if ascii is None else ascii
        """Draw with plain ASCII only. Widgets read this (and `glyphs`) when they render."""
        self.device: str = device or os.environ.get("CNNTUI_DEVICE") or settings.device
        """Where labs compute: `auto`, `cpu` or `gpu`."""
        install_ascii(self.ascii_mode)
        super().__init__()
        self.lessons_dir = Path(lessons_dir) if lessons_dir is not None else None
        self.start_lesson = start_lesson
        self.progress_file = progress_file
        self.progress, warning = load_progress(progress_file)
        if warning:
            self.startup_warnings.append(warning)
        self.lessons: list[Lesson] | None = None
        """Filled by the Lessons screen once the lessons are parsed (off the UI thread)."""
        self.mode_specs: dict[str, ModeSpec] = {}
        for spec in MODES if modes is None else modes:
            if spec.name in self.mode_specs:
                self.startup_warnings.append(
                    f"two modes are named {spec.name!r}; the second is ignored"
                )
                continue
            self.mode_specs[spec.name] = spec
            self._modes[spec.name] = self._screen_factory(spec)
            self._bindings._add_binding(
                Binding(
                    spec.key,
                    f"app.switch_to({spec.name!r})",
                    spec.title,
                    show=False,
                    id=f"mode.{spec.name}",
                )
            )
        self._too_small = False
        self._labs_prepared = False
        self.labs_built: set[str] = set()
        """The modes whose screens were built in the background, before they were opened."""

    # -- set-up ------------------------------------------------------------------------------

    @property
    def glyphs(self) -> Glyphs:
        """The glyph set for the current drawing mode."""
        return glyphs(self.ascii_mode)

    def _screen_factory(self, spec: ModeSpec) -> Callable[[], Screen[Any]]:
        def make() -> Screen[Any]:
            screen: Screen[Any]
            try:
                screen = spec.make_screen()
            except Exception as error:
                from cnntui.ui.shared.mode_error import ModeErrorScreen

                screen = ModeErrorScreen(spec, f"{type(error).__name__}: {error}")
            # A new screen's widgets are styled as they mount, with the stylesheet as it is now.
            # Textual still marks a mode's new screen as out of date, and opening it then restyles
            # every widget of every screen twice (the lessons' pages included): most of a lab's
            # first opening. A theme change still restyles it, since that moves the app's count.
            screen._css_update_count = self._css_update_count
            return screen

        return make

    def on_mount(self) -> None:
        self.sub_title = _(self.SUB_TITLE)
        self.theme = self._initial_theme()
        if self.ascii_mode:
            self.add_class("-ascii")
        if self.settings.keys:
            unknown = self._unknown_binding_ids(self.settings.keys)
            for binding_id in unknown:
                self.startup_warnings.append(
                    f"config.toml: no key binding with id {binding_id!r} "
                    "(ids are AREA.ACTION, e.g. app.quit, mode.conv, lessons.next; '?' lists the keys)"
                )
            self.set_keymap({k: v for k, v in self.settings.keys.items() if k not in unknown})
        for warning in self.startup_warnings:
            self.notify(warning, title="cnntui", severity="warning", timeout=8)
        first = "lessons" if "lessons" in self.mode_specs else next(iter(self.mode_specs), None)
        last = self.progress.last_mode
        if last in self.mode_specs and not self.start_lesson:
            first = last  # where the learner left off
        if first is not None:
            self.switch_mode(first)
        if first != "lessons":
            # The Lessons screen calls `prepare_labs` once its first lesson is shown.
            self.call_after_refresh(self.prepare_labs)
        self.call_after_refresh(self._check_size)

    def _initial_theme(self) -> str:
        wanted = self.settings.theme
        if wanted is not None:
            if wanted in self.available_themes:
                return wanted
            self.startup_warnings.append(
                f"config.toml: no theme named {wanted!r}; using the default (themes: {', '.join(sorted(self.available_themes))})"
            )
        # Textual reads TEXTUAL_COLOR_SYSTEM once, at import; read it here too so it always counts.
        colours = os.environ.get("TEXTUAL_COLOR_SYSTEM") or self.console.color_system
        if colours == "standard":
            return SIXTEEN_COLOUR_THEME
        return DEFAULT_THEME

    def _unknown_binding_ids(self, keymap: dict[str, str]) -> list[str]:
        """The ids in `keymap` that name no binding.

        The app's and the Lessons mode's ids are known exactly. A lab's screen is imported only
        when its mode opens, so for `NAME.…` ids of another mode only the mode itself is checked.
        """
        from cnntui.ui.lessons import screen as lessons_screen

        exact = {binding.id for _, binding in self._bindings if binding.id}
        exact |= {
            binding.id
            for binding in lessons_screen.LessonsScreen.BINDINGS
            if isinstance(binding, Binding) and binding.id
        }
        checked_areas = {binding_id.split(".", 1)[0] for binding_id in exact}
        unknown = []
        for binding_id in keymap:
            area = binding_id.split(".", 1)[0]
            if binding_id in exact:
                continue
            if area in checked_areas or area not in self.mode_specs:
                unknown.append(binding_id)
        return sorted(unknown)

    # -- modes -------------------------------------------------------------------------------

    async def action_switch_to(self, name: str) -> None:
        """Switch to a mode by name (bound to the number keys)."""
        if self._too_small or name not in self.mode_specs:
            return
        await self.switch_mode(name)
        self.progress.last_mode = name
        self.save_progress()

    def on_unmount(self) -> None:
        thaw_heap()  # what it froze is garbage now (a process may start many apps: the tests)

    async def action_quit(self) -> None:
        """Save where the learner is (mode, lesson line) and quit."""
        self.progress.last_mode = self.current_mode
        self.save_progress()
        await super().action_quit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        from cnntui.ui.shared.palette import app_commands

        yield from app_commands(self)
        yield from super().get_system_commands(screen)

    def action_command_palette(self) -> None:
        """Open the command palette; under `--ascii` without its emoji and `…`."""
        if not self.ascii_mode:
            super().action_command_palette()
            return
        if self.use_command_palette and not isinstance(self.screen, CommandPalette):
            self.push_screen(
                AsciiCommandPalette(id="--command-palette", placeholder="Search for commands...")
            )

    def get_key_display(self, binding: Binding) -> str:
        # Textual labels arrows and Enter with symbols (footer, help, key panel); `--ascii`
        # promises plain ASCII, so those become words.
        display = super().get_key_display(binding)
        if self.ascii_mode:
            return ascii_key_display(display, binding.key)
        return display

    def action_switch_language(self) -> None:
        """English <-> Korean, at once and everywhere (F2 and the command palette)."""
        from cnntui.ui.shared.language import switch_language

        switch_language(self)

    # -- help and quitting -------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key that works on the current screen."""
        from cnntui.ui.shared.help import HelpScreen

        if isinstance(self.screen, HelpScreen) or self._too_small:
            return
        self.push_screen(HelpScreen(self.screen))

    # -- size --------------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._check_size)

    def _check_size(self) -> None:
        from cnntui.ui.shared.too_small import TooSmallScreen

        width, height = self.size
        too_small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = isinstance(self.screen, TooSmallScreen)
        if too_small and not showing:
            self._too_small = True
            self.push_screen(TooSmallScreen())
        elif too_small and showing:
            self.screen.refresh()
        elif not too_small and showing:
            self._too_small = False
            self.pop_screen()
        else:
            self._too_small = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._too_small and action not in ("quit", "help_quit"):
            return False
        return True

    # -- lessons, progress, links ------------------------------------------------------------

    def lessons_screen(self) -> LessonsScreen | None:
        """The Lessons mode's screen, if that mode exists and has been opened."""
        from cnntui.ui.lessons.screen import LessonsScreen

        stack = self._screen_stacks.get("lessons", [])
        return next((screen for screen in stack if isinstance(screen, LessonsScreen)), None)

    async def open_lesson(self, name: str, section: str | None = None) -> None:
        """Switch to the Lessons mode and show this lesson (at a section anchor if given)."""
        if "lessons" not in self.mode_specs:
            self.notify("The Lessons mode is not part of this build.", severity="error")
            return
        await self.switch_mode("lessons")
        screen = self.lessons_screen()
        if screen is not None:
            await screen.show_lesson_named(name, section)

    def save_progress(self) -> None:
        """Write progress atomically; a failure is a notice, never a crash."""
        try:
            save_progress(self.progress, self.progress_file)
        except OSError as error:
            self.notify(f"Could not save progress: {error.strerror or error}", severity="warning")

    @on(QuizAnswered)
    def _record_quiz(self, message: QuizAnswered) -> None:
        if message.correct and self.progress.mark_solved(message.lesson, message.quiz_id):
            self.save_progress()
            screen = self.lessons_screen()
            if screen is not None:
                screen.refresh_marks()  # the contents mark turns "done" with the last quiz

    @on(FollowLink)
    async def _follow_link_message(self, message: FollowLink) -> None:
        await self.follow_link(message.href)

    async def follow_link(self, href: str) -> None:
        """Follow a lesson link (see `cnntui.ui.shared.link_following`)."""
        from cnntui.ui.shared.link_following import follow_link

        await follow_link(self, href)

    def current_lesson(self) -> Lesson | None:
        """The lesson the Lessons screen shows, if any."""
        from cnntui.lessons import find_lesson

        screen = self.lessons_screen()
        if screen is None or self.lessons is None or screen.current is None:
            return None
        return find_lesson(self.lessons, screen.current)

    def _handle_exception(self, error: Exception) -> None:
        # Under CNNTUI_DEBUG Textual prints its full traceback; otherwise keep it to one line,
        # since the terminal is restored and the user needs the reason, not the stack.
        if os.environ.get("CNNTUI_DEBUG", "") not in ("", "0"):
            super()._handle_exception(error)
            return
        self._return_code = 1
        if self._exception is None:
            # Kept so that `run_test` re-raises it in tests, as Textual itself does.
            self._exception = error
            self._exception_event.set()
        self._internal_error = (
            f"cnntui: internal error: {type(error).__name__}: {' '.join(str(error).split())} "
            "(rerun with CNNTUI_DEBUG=1 to see the traceback)"
        )
        self._close_messages_no_wait()

    def _print_error_renderables(self) -> None:
        message = getattr(self, "_internal_error", None)
        if message is None:
            super()._print_error_renderables()
            return
        # Written as is: Rich would wrap or crop it at the terminal's width, and it is one line.
        self._exit_renderables.clear()
        self.error_console.file.write(message + "\n")
        self.error_console.file.flush()
