"""The GAN mode driven by keyboard through Pilot, plus snapshots at 80×24."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from conftest import make_app, wait_until
from textual.widgets import Input

from cnntui.ui.gan.dcgan import DcganView
from cnntui.ui.gan.example import ExampleView
from cnntui.ui.gan.gan2d import Gan2dView
from cnntui.ui.gan.grid import GanImageGrid
from cnntui.ui.gan.plane import GanPlane
from cnntui.ui.gan.prompt import NumberPrompt
from cnntui.ui.gan.screen import GanScreen
from cnntui.ui.gan.settings import Gan2dSettingsScreen


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


def example_text(view: ExampleView) -> str:
    from rich.console import Console

    console = Console(width=80, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(view.render_samples())
    console.print(view.render_tables())
    console.print(view.render_sampling())
    return console.export_text()


async def test_example_tables_edit_and_sampling() -> None:
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, GanScreen)
        view = app.screen.query_one(ExampleView)
        assert view.has_focus
        text = example_text(view)
        assert "4/10" in text and "3/5" in text and "1/4" in text and "2/3" in text
        await pilot.press("down", "down", "y")  # sample 3, (0,1) with y=1 → y=0
        await pilot.pause()
        assert view.samples[2].y == 0 and view.tables.count_xy[((0, 1), 0)] == 2
        assert "2/6" in example_text(view)
        await pilot.press("space")  # switch sample 3 off
        await pilot.pause()
        assert view.tables.total == 9
        await pilot.press("r")
        await pilot.pause()
        view.sample(Fraction("0.34"))
        await wait_until(pilot, lambda: not view.animating)
        assert view.result is not None and view.result.point == (0, 1)
        assert "u = 0.34 lands on (0,1)" in example_text(view)


async def test_typed_uniform_number_and_its_validation() -> None:
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ExampleView)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, NumberPrompt)
        await pilot.press("1", ".", "5", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NumberPrompt)  # refused: outside [0, 1)
        assert "outside" in str(app.screen.query_one("#gan-prompt-error").render())
        app.screen.query_one(Input).value = ""
        await pilot.press("0", ".", "8", "3", "enter")
        await pilot.pause()
        await wait_until(pilot, lambda: not view.animating)
        assert view.result is not None and view.result.point == (1, 1)
        await pilot.press("c")  # sample from P(x|y=0) = 0, 1/5, 1/5, 3/5: (0,0) is impossible
        await pilot.pause()
        view.sample(Fraction("0.3"))
        await wait_until(pilot, lambda: not view.animating)
        assert view.result.point == (1, 0)


async def test_gan2d_steps_substeps_run_and_settings() -> None:
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        view = app.screen.query_one(Gan2dView)
        assert view.has_focus and app.screen.view == "gan2d"
        await wait_until(pilot, lambda: view.snapshot is not None)
        assert view.snapshot.step == 0 and view.snapshot.field is not None
        await pilot.press("b")
        await wait_until(pilot, lambda: view.snapshot.step == 1)
        await pilot.press("n", "n", "n")
        await wait_until(
            pilot, lambda: view.snapshot.substep is not None and view.snapshot.substep.number == 3
        )
        assert view.snapshot.substep.net == "D"
        assert "discriminate" in str(app.screen.query_one("#gan2d-steps").render())
        await pilot.press("space")  # run: finishes the iteration, then trains
        await wait_until(pilot, lambda: view.snapshot.step >= 30)
        await pilot.press("space")
        await pilot.pause(0.3)
        paused_at = view.snapshot.step
        await pilot.pause(0.3)
        assert view.snapshot.step == paused_at and not view.running
        assert len(view.snapshot.history) >= 2 and view.snapshot.history[0].step == 0
        plane = app.screen.query_one(GanPlane)
        assert plane.snapshot is view.snapshot
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, Gan2dSettingsScreen)
        app.screen.query_one("#gan-set-loss", Input).value = "least-squares"
        app.screen.query_one("#gan-set-noise_dim", Input).value = "3"
        await pilot.press("enter")
        await pilot.pause()
        assert view.settings.loss == "least-squares" and view.settings.noise_dim == 3
        await wait_until(
            pilot, lambda: view.snapshot.step == 0 and view.snapshot.settings.noise_dim == 3
        )


async def test_training_thread_reports_refused_commands() -> None:
    app = make_app("gan")
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.press("v")
        view = app.screen.query_one(Gan2dView)
        await wait_until(pilot, lambda: view.snapshot is not None)
        view.send("configure", {"d_steps": 0})  # the form would refuse this; the thread must too
        await wait_until(pilot, lambda: any("d_steps" in n.message for n in app._notifications))
        view.send("step", "both")
        await wait_until(pilot, lambda: view.snapshot.step == 1)  # still alive


async def test_settings_form_refuses_bad_values() -> None:
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v", "s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, Gan2dSettingsScreen)
        form.query_one("#gan-set-d_lr", Input).value = "fast"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form and "D learning rate" in str(
            form.query_one("#gan-settings-error").render()
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GanScreen)


async def test_presets_open_the_right_view() -> None:
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.apply_preset({"data": "moons", "loss": "minimax", "d_steps": "2"})
        await pilot.pause()
        view = screen.query_one(Gan2dView)
        assert screen.view == "gan2d" and view.settings.data == "moons"
        assert view.settings.loss == "minimax" and view.settings.d_steps == 2
        screen.apply_preset({"view": "dcgan", "dataset": "shapes"})
        await pilot.pause()
        assert screen.view == "dcgan" and screen.query_one(DcganView).settings.dataset == "shapes"
        screen.apply_preset({"view": "example"})
        await pilot.pause()
        assert screen.view == "example"
        await app.follow_link("cnntui:gan?view=gan2d&data=line&noise=3")  # as a lesson link does
        await pilot.pause()
        assert (
            screen.view == "gan2d" and view.settings.data == "line" and view.settings.noise_dim == 3
        )


async def test_dcgan_trains_in_a_process_pauses_and_stops(tmp_path: Path) -> None:
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v", "v")
        await pilot.pause()
        view = app.screen.query_one(DcganView)
        view.root = tmp_path
        assert view.has_focus and view.state == "idle"
        await pilot.press("space")
        await wait_until(pilot, lambda: view.epoch >= 1 or view.state == "failed", timeout=60)
        assert view.state != "failed", view.message
        grid = app.screen.query_one(GanImageGrid)
        assert (
            grid.images is not None and grid.images.shape == (64, 1, 8, 8) and grid.tiles_shown >= 8
        )
        assert view.diversity is not None and view.step_rows
        await pilot.press("space")
        await wait_until(pilot, lambda: view.state == "paused", timeout=30)
        await pilot.press("x")
        await wait_until(pilot, lambda: view.runner is None, timeout=30)
        assert view.state == "stopped"
        assert (tmp_path / "dcgan-digits" / "checkpoint.npz").is_file()
        assert list((tmp_path / "dcgan-digits" / "samples").glob("epoch-*.pgm"))
        await pilot.press("c")  # asks first: a saved run is work
        await pilot.pause()
        assert (tmp_path / "dcgan-digits" / "run.json").is_file()
        await pilot.press("c")
        await pilot.pause()
        assert not (tmp_path / "dcgan-digits").exists() and view.epoch == 0 and view.state == "idle"


async def test_draw_your_own_distribution() -> None:
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        await pilot.pause()
        view = app.screen.query_one(Gan2dView)
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("enter")  # nothing drawn yet: refused
        await pilot.pause()
        await pilot.press("space", "right", "space", "up", "space", "enter")
        await pilot.pause()
        assert isinstance(app.screen, GanScreen)
        assert view.settings.data == "drawn" and view.settings.cells == frozenset(
            {(8, 8), (8, 9), (7, 9)}
        )
        await wait_until(
            pilot, lambda: view.snapshot is not None and view.snapshot.settings.data == "drawn"
        )
        real = view.snapshot.real
        assert real[:, 0].min() >= 0 and real[:, 0].max() <= 0.5 and real[:, 1].min() >= -0.25


async def test_ascii_mode_draws_only_ascii() -> None:
    import numpy as np

    app = make_app("gan", ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("v")
        view = app.screen.query_one(Gan2dView)
        await wait_until(
            pilot, lambda: view.snapshot is not None and view.snapshot.arrows is not None
        )
        plane = app.screen.query_one(GanPlane)
        lines = [plane.render_line(y).text for y in range(plane.size.height)]
        assert all(line.isascii() for line in lines) and any("o" in line for line in lines)
        await pilot.press("v")
        await pilot.pause()
        grid = app.screen.query_one(GanImageGrid)
        grid.show(np.linspace(-1, 1, 64 * 64).reshape(64, 1, 8, 8))
        await pilot.pause()
        assert all(grid.render_line(y).text.isascii() for y in range(grid.size.height))
        assert grid.tiles_shown >= 4


def test_snapshot_example(snap_compare) -> None:
    assert snap_compare(make_app("gan"), terminal_size=(80, 24))


def test_snapshot_example_ascii_after_sampling(snap_compare) -> None:
    app = make_app("gan", ascii=True)

    async def run_before(pilot) -> None:
        await pilot.pause()
        app.screen.query_one(ExampleView).sample(Fraction("0.83"))
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))


def test_snapshot_gan2d(snap_compare) -> None:
    app = make_app("gan")

    async def run_before(pilot) -> None:
        await pilot.press("v")
        view = app.screen.query_one(Gan2dView)
        plane = app.screen.query_one(GanPlane)

        def settled() -> bool:  # the field has been computed for the plane's final size
            cols, rows = plane.plane_size()
            return (
                view.snapshot is not None
                and view.snapshot.field.shape == (rows, cols)
                and plane.snapshot is view.snapshot
            )

        await wait_until(pilot, settled)
        await pilot.pause()

    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
