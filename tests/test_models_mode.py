"""The Models mode driven by keyboard, in the real app with only this mode registered."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_app, wait_until
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from cnntui.ui.models.screen import ModelsScreen
from cnntui.ui.models.table import FoldState, LayerTable, share_bar, visible_rows
from cnntui.zoo.presets import validate
from cnntui.zoo.spec import EXAMPLE_SPEC
from cnntui.zoo.summary import summarize_zoo


async def screen_of(pilot: Pilot[None]) -> ModelsScreen:
    for _ in range(50):
        await pilot.pause()
        if isinstance(pilot.app.screen, ModelsScreen):
            break
    screen = pilot.app.screen
    assert isinstance(screen, ModelsScreen)
    return screen


def text_of(screen: ModelsScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def table_names(screen: ModelsScreen) -> list[str]:
    table = screen.query_one("#models-table", LayerTable)
    return [row.name for row in table.shown]


async def test_opens_on_lenet5_with_totals() -> None:
    async with make_app("models").run_test(size=(80, 24)) as pilot:
        screen = await screen_of(pilot)
        assert screen.model_name == "lenet5"
        assert "61,706" in text_of(screen, "#models-totals")
        assert table_names(screen)[:3] == ["c1", "relu1", "s2"]
        assert "LeNet-5" in text_of(screen, "#models-head")


async def test_keyboard_choose_model_and_break_its_input() -> None:
    async with make_app("models").run_test(size=(80, 24)) as pilot:
        screen = await screen_of(pilot)
        await pilot.press("down", "down")  # lenet5 -> lenet5-1998 -> alexnet
        await pilot.pause()
        assert screen.model_name == "alexnet"
        assert screen.query_one("#models-input", Input).value == "3x227x227"
        await pilot.press("i")
        for char in "3x224x224":
            await pilot.press(char)
        await pilot.press("enter")
        await pilot.pause()
        totals = text_of(screen, "#models-totals")
        assert "layer fc6 (Linear)" in totals
        table = screen.query_one("#models-table", LayerTable)
        assert table.failed_at == "fc6"
        assert "__failed__" in [key.value for key in table.rows]
        # back to a size that works
        await pilot.press("i", *"3x227x227", "enter")
        await pilot.pause()
        assert "60,965,224" in text_of(screen, "#models-totals")


async def test_depth_and_folding() -> None:
    async with make_app("models").run_test(size=(120, 40)) as pilot:
        screen = await screen_of(pilot)
        screen.show_model("resnet50")
        await pilot.pause()
        table = screen.query_one("#models-table", LayerTable)
        table.focus()
        depth2 = len(table.shown)
        await pilot.press("minus")
        assert screen.depth == 1
        assert all(row.depth == 1 for row in table.shown)
        await pilot.press("plus", "plus")
        assert screen.depth == 3 and len(table.shown) > depth2
        await pilot.press("minus")
        # fold layer1 with enter
        index = table_names(screen).index("layer1")
        table.move_cursor(row=index)
        await pilot.press("enter")
        assert "layer1.0" not in table_names(screen)
        await pilot.press("enter")
        assert "layer1.0" in table_names(screen)
        detail = text_of(screen, "#models-detail")
        assert "layer1" in detail and "Sequential" in detail


async def test_row_formula_in_detail() -> None:
    async with make_app("models").run_test(size=(80, 24)) as pilot:
        screen = await screen_of(pilot)
        table = screen.query_one("#models-table", LayerTable)
        table.focus()
        table.move_cursor(row=table_names(screen).index("c3"))
        await pilot.pause()
        assert "5·5·6·16 + 16 = 2,416" in text_of(screen, "#models-detail")


async def test_compare_two_models() -> None:
    async with make_app("models").run_test(size=(100, 30)) as pilot:
        screen = await screen_of(pilot)
        screen.show_model("vgg16")
        await pilot.press("c")
        await pilot.pause()
        picker = pilot.app.screen.query_one("#pick-list", OptionList)
        picker.highlighted = picker.get_option_index("resnet50")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.view == "compare"
        compare = screen.query_one("#view-compare", DataTable)
        rows = {
            str(compare.get_row_at(i)[0]): [str(c) for c in compare.get_row_at(i)[1:]]
            for i in range(compare.row_count)
        }
        assert rows["parameters"][:2] == ["138,357,544", "25,557,032"]
        assert rows["ILSVRC top-5 error"][:2] == ["7.3%", "3.57%"]
        assert rows["year"][:2] == ["2014", "2015"]
        await pilot.press("escape")
        assert screen.view == "summary"


async def test_diagram_of_an_inception_module() -> None:
    async with make_app("models").run_test(size=(100, 40)) as pilot:
        screen = await screen_of(pilot)
        screen.show_model("googlenet")
        await pilot.pause()
        table = screen.query_one("#models-table", LayerTable)
        table.focus()
        table.move_cursor(row=table_names(screen).index("inception3a"))
        await pilot.press("d")
        await pilot.pause()
        diagram = text_of(screen, "#diagram-text")
        assert "inception3a (Inception)" in diagram
        assert "concat → 256×28×28" in diagram
        assert "branch4" in diagram


async def test_ascii_mode_draws_no_unicode() -> None:
    async with make_app("models", ascii=True).run_test(size=(100, 40)) as pilot:
        screen = await screen_of(pilot)
        screen.show_model("resnet18")
        await pilot.pause()
        table = screen.query_one("#models-table", LayerTable)
        cells = [str(cell) for i in range(table.row_count) for cell in table.get_row_at(i)]
        assert all(cell.isascii() for cell in cells)
        table.focus()
        table.move_cursor(row=table_names(screen).index("layer2.0"))
        await pilot.press("d")
        await pilot.pause()
        assert text_of(screen, "#diagram-text").isascii()
        assert text_of(screen, "#models-totals").isascii()


async def test_spec_editor_validates_as_you_type_and_saves(tmp_path: Path) -> None:
    async with make_app("models").run_test(size=(120, 40)) as pilot:
        screen = await screen_of(pilot)
        await pilot.press("e")
        await wait_until(
            pilot, lambda: screen.editing and "valid" in text_of(screen, "#spec-problems")
        )
        assert "valid" in text_of(screen, "#spec-problems")
        assert screen.summary is not None and screen.summary.model == "my-lenet"
        editor = screen.query_one("#spec-editor", TextArea)
        broken = EXAMPLE_SPEC.replace("out_features = 120", "out_features = 120\nin_features = 100")
        editor.load_text(broken)
        await wait_until(pilot, lambda: "line " in text_of(screen, "#spec-problems"))
        problems = text_of(screen, "#spec-problems")
        line = broken.splitlines().index("in_features = 100") + 1
        assert f"line {line}: layer 6, linear: expects 100 inputs, gets 16×5×5 = 400" in problems
        await pilot.press("ctrl+g")
        assert editor.cursor_location[0] == line - 1
        editor.load_text(EXAMPLE_SPEC)
        await wait_until(pilot, lambda: "valid" in text_of(screen, "#spec-problems"))
        target = tmp_path / "net.toml"
        await pilot.press("ctrl+s")
        await pilot.pause()
        path_box = pilot.app.screen.query_one("#path-input", Input)
        path_box.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert target.read_text() == EXAMPLE_SPEC
        # open it again after changing the editor
        editor.load_text("input = [1, 4, 4]\n")
        await wait_until(pilot, lambda: "no layers" in text_of(screen, "#spec-problems"))
        await pilot.press("ctrl+o")
        await pilot.pause()
        pilot.app.screen.query_one("#path-input", Input).value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: editor.text == EXAMPLE_SPEC)
        assert "valid" in text_of(screen, "#spec-problems")
        # a missing file is a notice, not a crash
        await pilot.press("ctrl+o")
        await pilot.pause()
        pilot.app.screen.query_one("#path-input", Input).value = str(tmp_path / "missing.toml")
        await pilot.press("enter")
        await pilot.pause()
        assert any("cannot open" in n.message for n in pilot.app._notifications)


async def test_presets() -> None:
    async with make_app("models").run_test(size=(100, 30)) as pilot:
        screen = await screen_of(pilot)
        screen.apply_preset({"model": "alexnet", "input": "3x224x224"})
        await pilot.pause()
        assert screen.model_name == "alexnet" and screen.summary is None
        assert "fc6" in text_of(screen, "#models-totals")
        screen.apply_preset({"compare": "vgg16,resnet50"})
        await pilot.pause()
        assert (screen.model_name, screen.compare_with, screen.view) == (
            "vgg16",
            "resnet50",
            "compare",
        )
        screen.apply_preset({"model": "vgg16", "layer": "classifier.0", "depth": "2"})
        await pilot.pause()
        assert screen.query_one("#models-table", LayerTable).selected_row().name == "classifier.0"
        assert "102,764,544" in text_of(screen, "#models-detail")
        screen.apply_preset({"model": "nope"})
        await pilot.pause()
        assert screen.model_name == "vgg16"


async def test_lesson_link_reaches_the_mode() -> None:
    async with make_app("models").run_test(size=(100, 30)) as pilot:
        screen = await screen_of(pilot)
        await pilot.app.follow_link("cnntui:models?model=googlenet&view=diagram")  # type: ignore[attr-defined]
        await pilot.pause()
        assert screen.model_name == "googlenet" and screen.view == "diagram"


def test_preset_validator() -> None:
    assert validate({"model": "alexnet", "input": "3x224x224", "depth": "3"}) == []
    assert validate({"compare": "vgg16,resnet50", "view": "compare"}) == []
    assert validate({"model": "vgg16", "layer": "classifier.6"}) == []
    assert "not in the zoo" in validate({"model": "vgg17"})[0]
    assert "two model names" in validate({"compare": "vgg16"})[0]
    assert "CxHxW" in validate({"input": "224"})[0]
    assert "no layer 'features.99'" in validate({"model": "vgg16", "layer": "features.99"})[0]
    assert "unknown key" in validate({"colour": "red"})[0]
    assert "needs model=" in validate({"layer": "c1"})[0]


def test_fold_state_and_share_bar() -> None:
    s = summarize_zoo("resnet18")
    fold = FoldState(depth=1)
    assert {r.depth for r in visible_rows(s.layers, fold)} == {1}
    layer1 = s.layer("layer1")
    opened = fold.toggled(layer1)
    names = [r.name for r in visible_rows(s.layers, opened)]
    assert "layer1.0" in names and "layer1.0.conv1" not in names and "layer2.0" not in names
    assert opened.toggled(layer1).is_open(layer1) is False
    assert share_bar(0.5, 4, ascii_only=True) == "##.."
    assert share_bar(1.0, 3, ascii_only=False) == "███"
    assert share_bar(0.0, 2, ascii_only=False) == "  "


@pytest.mark.parametrize("bad", ["", "3x", "0x4x4"])
def test_bad_input_text_never_crashes(bad: str) -> None:
    from cnntui.zoo.spec import parse_shape

    with pytest.raises(ValueError):
        parse_shape(bad)


async def test_googlenet_aux_heads_toggle() -> None:
    async with make_app("models").run_test(size=(100, 30)) as pilot:
        screen = await screen_of(pilot)
        await pilot.press("a")  # not a GoogLeNet: nothing happens
        assert screen.aux_logits is False
        screen.show_model("googlenet")
        screen.query_one("#models-table", LayerTable).focus()
        await pilot.press("a")
        await pilot.pause()
        assert screen.aux_logits is True
        assert screen.summary is not None
        assert screen.summary.total_params == 13_004_888
        assert screen.summary.layer("aux1.fc2").output_shape == (1000,)
        assert screen.summary.output_shape == (1000,)


async def test_export_from_the_mode(tmp_path: Path) -> None:
    async with make_app("models").run_test(size=(100, 30)) as pilot:
        await screen_of(pilot)
        await pilot.press("x")
        await pilot.pause()
        target = tmp_path / "lenet.py"
        pilot.app.screen.query_one("#path-input", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert "def build() -> nn.Module:" in target.read_text()
        await pilot.press("x")
        await pilot.pause()
        pilot.app.screen.query_one("#path-input", Input).value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        assert any("already exists" in n.message for n in pilot.app._notifications)
