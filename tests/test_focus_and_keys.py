"""Focus comes back after a view or dialog closes; the keys of a form stay in the form."""

from __future__ import annotations

import pytest
from conftest import make_app, wait_until
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, ContentSwitcher, DataTable, Input, Select, TabbedContent

from cnntui.ui.shared.focus import FocusKeepingScreen, is_shown


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")


class TwoViews(FocusKeepingScreen):
    """A list-like button, a field, and a switcher with a table view and a second view."""

    def compose(self) -> ComposeResult:
        yield Button("list", id="list")
        yield Input(id="field")
        with ContentSwitcher(initial="main"):
            with Vertical(id="main"):
                yield Button("table", id="table")
            with Vertical(id="other"):
                yield Button("view", id="view")


class TwoViewsApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(TwoViews())


async def test_closing_a_view_gives_focus_back_to_the_widget_used_before_it() -> None:
    app = TwoViewsApp()
    async with app.run_test() as pilot:
        screen = app.screen
        screen.query_one("#field").focus()
        screen.query_one("#table").focus()
        await pilot.pause()
        switcher = screen.query_one(ContentSwitcher)
        switcher.current = "other"
        await pilot.pause()
        # Textual's fallback took focus somewhere shown; the view is then focused on purpose
        assert app.focused is not None and is_shown(app.focused)
        screen.query_one("#view").focus()
        await pilot.pause()
        switcher.current = "main"
        await pilot.pause()
        await pilot.pause()
        assert app.focused is screen.query_one("#table")  # not the field Textual would pick


async def test_focus_cleared_on_purpose_stays_cleared() -> None:
    app = TwoViewsApp()
    async with app.run_test() as pilot:
        app.screen.query_one("#table").focus()
        await pilot.pause()
        app.screen.set_focus(None)
        await pilot.pause()
        await pilot.pause()
        assert app.focused is None


async def test_models_compare_diagram_and_dialogs_give_focus_back() -> None:
    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#models-table")
        table.focus()
        await pilot.pause()
        await pilot.press("c")  # the model picker
        await pilot.pause()
        await pilot.press("escape")  # cancelled
        await pilot.pause()
        assert app.focused is table
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: screen.view == "compare")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.focused is table)
        await pilot.press("d")
        await wait_until(pilot, lambda: screen.view == "diagram")
        assert app.focused is screen.query_one("#view-diagram")
        await pilot.press("d")
        await wait_until(pilot, lambda: screen.view == "summary")
        await pilot.pause()
        assert app.focused is table


async def test_escape_leaves_the_spec_editor() -> None:
    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("e")
        await wait_until(pilot, lambda: screen.editing)
        assert app.focused is screen.query_one("#spec-editor")
        await pilot.press("escape")
        await pilot.pause()
        assert not screen.editing
        assert app.focused is not None and is_shown(app.focused)


async def test_train_form_keeps_its_digits_tabs_from_the_first_field_and_starts_on_enter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cnntui.ui.train.screen import TrainScreen

    started: list[str] = []
    monkeypatch.setattr(TrainScreen, "start_training", lambda self: started.append("run"))
    app = make_app("lessons", "conv", "calc", "models", "train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("5")
        await wait_until(pilot, lambda: isinstance(app.screen, TrainScreen))
        await pilot.pause()
        screen = app.screen
        screen.query_one(TabbedContent).query_one("Tabs").focus()
        await pilot.press("tab")
        assert app.focused is screen.query_one("#set-model", Select)
        for field in screen.query("SetupView Input").results(Input):
            field.focus()
            field.value = ""
            await pilot.press("1", "2", "3", "4", "5", "6")
            await pilot.pause()
            assert app.screen is screen, f"a digit in {field.id} switched modes"
            assert field.value == "123456"
        field = screen.query_one("#set-epochs", Input)
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert started == ["run"]


async def test_opening_a_run_from_the_runs_list_leaves_the_keyboard_somewhere_visible() -> None:
    from cnntui.train.config import RunConfig
    from cnntui.train.runs import new_run_dir
    from cnntui.train.trainer import Trainer

    run_dir = new_run_dir("lenet5", "digits")
    Trainer(
        RunConfig(model="lenet5", dataset="digits", input_size=8, epochs=1, limit=128),
        run_dir,
        lambda e: None,
    ).run(lambda _block: [])
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        tabs = screen.query_one(TabbedContent)
        tabs.active = "runs"
        await pilot.pause()
        screen.query_one("#runs-table", DataTable).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: tabs.active == "curves")
        await pilot.pause()
        assert app.focused is not None and is_shown(app.focused)
        await pilot.press("v")  # the mode's keys work again
        assert tabs.active == "pictures"
