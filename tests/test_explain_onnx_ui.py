"""The Explain mode with the learner's own ONNX network, through Pilot at 80×24: opened with `O`
(path, mean, std), from a `cnntui:explain?model=FILE.onnx` link, in the `m` cycle; bad files are
a notice naming them while the network shown stays and the app keeps answering keys; a network
with branches is one block and the Looks view says why Grad-CAM is missing; the dialog in Korean."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import make_app, wait_until
from textual.widgets import Input, Label, Static

pytest.importorskip("onnx")

from cnntui.explain import pretrained  # noqa: E402
from cnntui.explain.imported import ImportedNetwork  # noqa: E402
from cnntui.ui.app import CnnTuiApp  # noqa: E402
from cnntui.ui.explain.layers import LayersView  # noqa: E402
from cnntui.ui.explain.looks import LooksView  # noqa: E402
from cnntui.ui.explain.open_onnx import OpenOnnx  # noqa: E402
from cnntui.ui.explain.screen import ExplainScreen  # noqa: E402


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`digits.onnx` (the shipped LeNet-5), `res.onnx` (a ResNet with branches), `bad.onnx`."""
    from cnntui import zoo
    from cnntui.zoo.onnx_export import export_onnx_bytes

    folder = tmp_path_factory.mktemp("nets")
    net = pretrained.load("lenet5-digits")
    (folder / "digits.onnx").write_bytes(export_onnx_bytes(net.module, net.input_shape, "d"))
    (folder / "res.onnx").write_bytes(export_onnx_bytes(zoo.build("resnet-small"), (3, 32, 32)))
    (folder / "bad.onnx").write_bytes(b"this is not a network")
    return {name: folder / f"{name}.onnx" for name in ("digits", "res", "bad")}


async def open_explain(pilot) -> ExplainScreen:  # type: ignore[no-untyped-def]
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExplainScreen), 30)
    screen = pilot.app.screen
    assert isinstance(screen, ExplainScreen)
    await wait_until(pilot, lambda: screen.session is not None, 30)
    return screen


def head(screen: ExplainScreen) -> str:
    return str(screen.query_one("#explain-head", Static).render())


def shown_file(screen: ExplainScreen, name: str) -> bool:
    return (
        screen.session is not None
        and isinstance(screen.session.net, ImportedNetwork)
        and screen.session.net.spec.name == name
    )


async def type_into(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    for char in text:
        await pilot.press({"/": "slash", ".": "full_stop", ",": "comma"}.get(char, char))


async def test_open_with_the_dialog_cycle_and_a_bad_file(files: dict[str, Path]) -> None:
    shipped = pretrained.load("lenet5-digits")
    app = make_app("explain", "conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        screen = await open_explain(pilot)
        await pilot.press("O")
        await wait_until(pilot, lambda: isinstance(app.screen, OpenOnnx))
        await type_into(pilot, str(files["digits"]))
        await pilot.press("tab", "backspace")
        await type_into(pilot, f"{float(shipped.mean[0]):.6f}")
        await pilot.press("tab", "backspace")
        await type_into(pilot, f"{float(shipped.std[0]):.6f}")
        await pilot.press("enter")
        await wait_until(pilot, lambda: shown_file(screen, "digits.onnx"), 30)
        session = screen.session
        assert session is not None
        assert session.source == "digit-0"  # the first bundled picture for a 1×28×28 network
        assert session.net.class_names[session.probabilities().top(1)[0]] == "0"
        assert "digits.onnx" in head(screen)
        layers = str(screen.query_one(LayersView).render())
        assert "c1" in layers and "s2" in layers
        await wait_until(
            pilot,
            lambda: any("1×28×28 input, 10 classes" in n.message for n in app._notifications),
            30,
        )
        # the next picture, through the same network
        await pilot.press("i")
        await wait_until(pilot, lambda: screen.session.source == "digit-1")  # type: ignore[union-attr]
        assert screen.session.net is session.net  # type: ignore[union-attr]
        # a bad file: a notice naming it; the network stays, the app answers keys
        await pilot.press("O")
        await wait_until(pilot, lambda: isinstance(app.screen, OpenOnnx))
        assert app.screen.query_one("#onnx-path", Input).value == str(files["digits"])
        app.screen.query_one("#onnx-path", Input).value = str(files["bad"])
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: any("bad.onnx" in n.message for n in app._notifications), 30
        )
        assert shown_file(screen, "digits.onnx") and "digits.onnx" in head(screen)
        await pilot.press("v")
        assert screen.view == "classifier"
        await pilot.press("V")
        # m: the shipped networks, then the file again
        await pilot.press("m")
        await wait_until(pilot, lambda: screen.model_name == "lenet5-digits", 30)
        assert "digits.onnx" not in head(screen)
        await pilot.press("m")
        await wait_until(pilot, lambda: screen.model_name == "tinyvgg-shapes", 30)
        await pilot.press("m")
        await wait_until(pilot, lambda: shown_file(screen, "digits.onnx"), 30)
        assert screen.session.net is session.net  # read once  # type: ignore[union-attr]


async def test_open_from_a_link_with_branches_and_looks(files: dict[str, Path]) -> None:
    app = make_app("explain", "conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("7")
        screen = await open_explain(pilot)
        link = "cnntui:explain?" + urlencode(
            {"model": str(files["res"]), "mean": "0.5", "std": "0.25", "view": "looks"}
        )
        await app.follow_link(link)
        await wait_until(pilot, lambda: shown_file(screen, "res.onnx"), 30)
        net = screen.session.net  # type: ignore[union-attr]
        assert isinstance(net, ImportedNetwork)
        assert net.input_shape == (3, 32, 32) and net.spec.std == (0.25, 0.25, 0.25)
        assert screen.session.source == "photo"  # type: ignore[union-attr]
        assert screen.session.trace.names == ["graph"]  # type: ignore[union-attr]
        assert "graph" in str(screen.query_one(LayersView).render())
        await wait_until(
            pilot,
            lambda: any("shown as one block" in n.message for n in app._notifications),
            30,
        )
        await wait_until(pilot, lambda: set(screen.maps) == {"saliency", "occlusion"}, 30)
        await pilot.pause(0.2)
        looks = str(screen.query_one(LooksView).render())
        assert "not shown" in looks and "res.onnx has branches" in looks
        # the test-image key needs a data set; this network has none
        assert screen.check_action("test_image", ()) is False
        # a user's network failing inside the engine: a notice naming it, the app goes on

        def broken(x: object) -> object:
            raise RuntimeError("boom")

        net.module.forward = broken  # type: ignore[method-assign]
        await pilot.press("i")
        await wait_until(
            pilot,
            lambda: any("res.onnx: RuntimeError: boom" in n.message for n in app._notifications),
            30,
        )
        await pilot.press("v")
        assert screen.view == "draw"
        # a link to a missing file: a notice, the network stays
        await app.follow_link("cnntui:explain?" + urlencode({"model": "/nowhere/gone.onnx"}))
        await wait_until(
            pilot, lambda: any("gone.onnx" in n.message for n in app._notifications), 30
        )
        assert shown_file(screen, "res.onnx")


async def test_the_dialog_checks_numbers_and_speaks_korean(files: dict[str, Path]) -> None:
    from cnntui.i18n import current_language, set_language

    before = current_language()
    set_language("ko")
    try:
        app: CnnTuiApp = make_app("explain", "conv")
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("7")
            await open_explain(pilot)
            await pilot.press("O")
            await wait_until(pilot, lambda: isinstance(app.screen, OpenOnnx))
            dialog = app.screen
            prompt = str(dialog.query_one("#onnx-prompt", Label).render())
            assert "ONNX" in prompt and "신경망" in prompt
            labels = [
                str(dialog.query_one(f"#onnx-{name}", Label).render())
                for name in ("mean-label", "std-label", "keys")
            ]
            assert labels[:2] == ["평균", "표준편차"] and "열기" in labels[2]
            dialog.query_one("#onnx-path", Input).value = str(files["digits"])
            dialog.query_one("#onnx-std", Input).value = "0"
            await pilot.press("enter")
            await pilot.pause()
            assert app.screen is dialog  # still open, saying what is wrong
            assert "0" in str(dialog.query_one("#onnx-problem", Label).render())
            dialog.query_one("#onnx-std", Input).value = "x"
            await pilot.press("enter")
            await pilot.pause()
            assert "x" in str(dialog.query_one("#onnx-problem", Label).render())
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, ExplainScreen))
    finally:
        set_language(before)


async def test_the_command_line_opens_the_file_in_explain(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`cnntui explain FILE.onnx --mean M --std S`: what the started app does, on a test app."""
    from cnntui.cli import main

    started: list[dict] = []
    monkeypatch.setattr(CnnTuiApp, "run", lambda self, **kw: started.append(kw))
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    assert main(["explain", str(files["res"]), "--mean", "0.5,0.4,0.3", "--std", "0.2"]) == 0
    app = make_app("explain", "conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await started[0]["auto_pilot"](pilot)
        screen = await open_explain(pilot)
        await wait_until(pilot, lambda: shown_file(screen, "res.onnx"), 30)
        net = screen.session.net  # type: ignore[union-attr]
        assert isinstance(net, ImportedNetwork)
        assert net.spec.mean == pytest.approx((0.5, 0.4, 0.3))
        assert net.spec.std == pytest.approx((0.2, 0.2, 0.2))
        assert "res.onnx" in head(screen)
