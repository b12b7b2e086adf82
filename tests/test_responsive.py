"""What makes keys answer at once must never show the wrong thing: lessons built once and reused,
labs prepared in the background, and pictures that grow with the terminal and still fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import make_app, wait_until
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import TabbedContent
from textual.widgets._markdown import MarkdownBlock

from cnntui.train.events import FeatureMaps, Filters, Predictions
from cnntui.ui.app import CnnTuiApp
from cnntui.ui.gan.grid import GanImageGrid, layout, zoom_for
from cnntui.ui.lessons.screen import LessonsScreen
from cnntui.ui.train.images import ImageGrid, Tile, fit_tile_width, grid_text
from cnntui.ui.train.pictures import PicturesView
from cnntui.ui.train.predictions import PredictionsView
from cnntui.ui.train.screen import TrainScreen

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"


@pytest.fixture(autouse=True)
def _truecolour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")


async def lessons_ready(pilot: Any) -> LessonsScreen:
    app: CnnTuiApp = pilot.app
    await wait_until(pilot, lambda: app.lessons_screen() is not None)
    screen = app.lessons_screen()
    assert screen is not None
    await wait_until(pilot, lambda: screen.current is not None)
    await pilot.pause()
    return screen


def shown_text(screen: LessonsScreen) -> str:
    """The text of the Markdown blocks of the page on show (every other page is hidden)."""
    shown = [page for page in screen.query(".lesson-page") if page.display]
    assert len(shown) == 1 and shown[0] is screen.page
    return " ".join(str(block._content) for block in shown[0].query(MarkdownBlock))


# -- lessons: built once, never stale --------------------------------------------------------------


async def test_switching_lessons_back_shows_the_first_lesson_again_at_its_position() -> None:
    app = make_app("lessons", lessons_dir=FIXTURES)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lessons_ready(pilot)
        reader = screen.query_one("#reader", VerticalScroll)
        assert screen.current == "01-convolution"
        first_page = screen.page
        first_text = shown_text(screen)
        assert "Convolution" in first_text and "Pooling" not in first_text
        reader.scroll_end(animate=False)
        await pilot.pause()

        await pilot.press("n")
        await wait_until(pilot, lambda: screen.current == "02-pooling")
        await pilot.pause()
        assert reader.border_title == "Pooling"
        assert reader.border_subtitle.endswith("2/3")
        pooling = shown_text(screen)
        assert "Max pooling" in pooling and "Convolution" not in pooling
        assert reader.scroll_y == 0

        await pilot.press("p")
        await wait_until(pilot, lambda: screen.current == "01-convolution")
        await pilot.pause()
        assert screen.page is first_page  # built once, shown again
        assert reader.border_title == "Convolution"
        assert reader.border_subtitle.endswith("1/3")
        assert shown_text(screen) == first_text
        assert reader.scroll_y == 0  # at its top, as when it was first opened
        toc = screen.query_one("#toc")
        assert toc.highlighted_option is not None
        assert toc.highlighted_option.id == "01-convolution"


async def test_a_lesson_opened_at_a_section_scrolls_within_its_own_page() -> None:
    app = make_app("lessons", lessons_dir=FIXTURES)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lessons_ready(pilot)
        await pilot.press("n")
        await wait_until(pilot, lambda: screen.current == "02-pooling")
        await app.open_lesson("01-convolution", "output-size")
        await wait_until(pilot, lambda: screen.query_one("#reader").scroll_y > 0)
        assert screen.current == "01-convolution"
        assert "Pooling" not in shown_text(screen)
        # the anchor only exists in the lesson on show
        assert not screen.scroll_to_anchor("no-such-section")


async def test_the_neighbouring_lessons_are_built_in_the_background_and_stay_hidden() -> None:
    app = make_app("lessons", lessons_dir=FIXTURES)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await lessons_ready(pilot)
        await wait_until(pilot, lambda: "02-pooling" in screen._pages)
        assert not screen._pages["02-pooling"].display
        assert [name for name, page in screen._pages.items() if page.display] == ["01-convolution"]


# -- labs prepared in the background ---------------------------------------------------------------


async def test_labs_are_built_after_the_first_lesson_and_opening_one_shows_that_screen() -> None:
    app = make_app("lessons", "calc", "gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await lessons_ready(pilot)
        assert app.current_mode == "lessons"
        await wait_until(pilot, lambda: app.labs_built == {"calc", "gan"}, timeout=30)
        prepared = app._screen_stacks["calc"][0]
        await pilot.pause(0.2)
        assert app.current_mode == "lessons"  # preparing never switches
        await pilot.press("3")
        await wait_until(pilot, lambda: app.current_mode == "calc")
        assert app.screen is prepared
        await pilot.pause()
        assert "Receptive field" in "\n".join(
            strip.text for strip in app.screen._compositor.render_strips()
        )


# -- pictures grow with the terminal and still fit -------------------------------------------------


def filters_event() -> Filters:
    rng = np.random.default_rng(0)
    return Filters("conv1", rng.standard_normal((6, 1, 5, 5)).astype(np.float32))


def maps_event() -> FeatureMaps:
    rng = np.random.default_rng(1)
    return FeatureMaps(
        layer="conv1",
        layers=["conv1", "conv2"],
        image_index=0,
        image=rng.random((1, 28, 28)).astype(np.float32),
        label=3,
        maps=rng.random((6, 24, 24)).astype(np.float32),
    )


def predictions_event(count: int = 8) -> Predictions:
    rng = np.random.default_rng(2)
    return Predictions(
        images=rng.random((count, 1, 28, 28)).astype(np.float32),
        labels=np.arange(count) % 10,
        top_classes=np.stack([np.arange(count) % 10] * 3, axis=1).astype(np.int64),
        top_probs=np.tile(np.array([0.8, 0.15, 0.05], np.float32), (count, 1)),
    )


async def drawn_pictures(size: tuple[int, int]) -> dict[str, tuple[int, int, int, int, int]]:
    """(tile width, lines drawn, widest line, pane width, pane lines for the grid) of each
    Train picture grid at terminal `size`."""
    app = make_app("train", device="cpu")
    found: dict[str, tuple[int, int, int, int, int]] = {}
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        tabs = screen.query_one(TabbedContent)
        for tab in ("pictures", "predictions"):
            tabs.active = tab
            await pilot.pause()
            if tab == "pictures":
                view = screen.query_one(PicturesView)
                view.show_filters(filters_event())
                view.show_features(maps_event(), tuple("0123456789"))
                grids = ["#filters", "#features"]
            else:
                screen.query_one(PredictionsView).show(predictions_event(), tuple("0123456789"))
                grids = ["#predictions-grid"]
            await pilot.pause(0.2)
            for grid_id in grids:
                grid = screen.query_one(grid_id, ImageGrid)
                lines = str(grid.content).split("\n") if grid.content else []
                assert grid.parent is not None
                pane = grid.parent.scrollable_content_region
                found[grid_id] = (
                    grid.tile_width,
                    len(lines),
                    max(len(line) for line in lines),
                    pane.width,
                    grid._room(),
                )
    return found


async def test_train_pictures_grow_with_the_terminal_and_fit_at_80x24() -> None:
    smallest = {"#filters": 6, "#features": 8, "#predictions-grid": 10}
    small = await drawn_pictures((80, 24))
    large = await drawn_pictures((160, 48))
    for grid_id, least in smallest.items():
        for width, lines, widest, pane_width, room in (small[grid_id], large[grid_id]):
            assert widest <= pane_width, grid_id  # nothing cut on the right
            if width > least:  # grown only as far as every tile still shows
                assert lines <= room, grid_id
        assert large[grid_id][0] > small[grid_id][0], (grid_id, small, large)
        assert large[grid_id][0] >= 2 * least, (grid_id, large)


def test_fit_tile_width_takes_the_widest_that_fits() -> None:
    tiles = [Tile(np.zeros((1, 8, 8)), "c") for _ in range(4)]
    # 4 tiles across 40 cells at width 9, 5 lines each (4 picture + 1 caption) -> 5 lines
    assert fit_tile_width(tiles, 4, 30, 40, 5) == 9
    # two rows of two at width 18: 2 x (9 picture + 1 caption) + 1 between = 21 lines
    assert fit_tile_width(tiles, 4, 30, 40, 21) == 18
    assert fit_tile_width(tiles, 4, 30, 40, 2) == 4  # nothing fits: the smallest
    text = grid_text(tiles, 18, 40, ascii_mode=True)
    assert len(text.plain.split("\n")) == 21


# -- GAN samples ------------------------------------------------------------------------------------


def test_gan_tiles_zoom_only_when_every_tile_still_fits() -> None:
    assert zoom_for(64, 8, 8, 20, 76, ascii_mode=False) == 1
    assert zoom_for(16, 8, 8, 44, 150, ascii_mode=False) == 3
    assert zoom_for(16, 8, 8, 44, 150, ascii_mode=True) == 1  # two columns a pixel already
    assert zoom_for(4, 8, 8, 44, 150, ascii_mode=True) == 2
    factor, across, down = layout(16, 8, 8, 44, 150, ascii_mode=False)
    assert factor == 1 and across * down >= 16


class GridApp(App[None]):
    def compose(self) -> ComposeResult:
        yield GanImageGrid(id="grid")


@pytest.mark.parametrize(("size", "zoom"), [((80, 24), 1), ((160, 48), 3)])
async def test_gan_grid_draws_bigger_samples_on_a_bigger_terminal(
    size: tuple[int, int], zoom: int
) -> None:
    app = GridApp()
    async with app.run_test(size=size) as pilot:
        grid = app.query_one(GanImageGrid)
        grid.show(np.zeros((16, 1, 8, 8)))
        await pilot.pause()
        assert grid.zoom == zoom
        assert grid.tiles_shown == 16
        lines = grid._build()
        assert len(lines) <= size[1]
        drawn = ["".join(segment.text for segment in line).rstrip() for line in lines]
        assert max(len(line) for line in drawn) <= size[0]


# -- the latency benchmark's own arithmetic ---------------------------------------------------------


def test_latency_benchmark_summarises_samples_per_action_and_training() -> None:
    import importlib.util

    path = Path(__file__).parent.parent / "benchmarks" / "latency.py"
    spec = importlib.util.spec_from_file_location("latency_benchmark", path)
    assert spec is not None and spec.loader is not None
    latency = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(latency)
    rows = [
        {"action": "open conv", "training": False, "wall_s": 0.04, "cpu_s": 0.03, "prepared": True},
        {"action": "conv step", "training": False, "wall_s": 0.02, "cpu_s": 0.01},
        {"action": "conv step", "training": False, "wall_s": 0.06, "cpu_s": 0.02},
        {"action": "conv step", "training": True, "wall_s": 0.10, "cpu_s": 0.02},
    ]
    table = {(row["action"], row["training"]): row for row in latency._summarise(rows)}
    assert table[("open conv", False)]["prepared"] == 1
    step = table[("conv step", False)]
    assert (step["n"], step["median_ms"], step["max_ms"], step["prepared"]) == (2, 40.0, 60.0, None)
    assert table[("conv step", True)]["median_ms"] == 100.0
    assert latency._parse_size("120x40") == (120, 40)
