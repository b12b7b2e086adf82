"""The Explain mode in Korean: every view's labels are Korean, no English label is left in the
visible text, and F2 redraws the mode in English (the same views, compared word by word)."""

from __future__ import annotations

import re

import pytest
from conftest import make_app, wait_until
from textual.widgets import Static

from cnntui.i18n import current_language, set_language
from cnntui.ui.explain.classifier import ClassifierView
from cnntui.ui.explain.draw import DrawView
from cnntui.ui.explain.layers import LayersView
from cnntui.ui.explain.looks import LooksView
from cnntui.ui.explain.screen import ExplainScreen
from cnntui.ui.explain.transfer import TransferView
from cnntui.ui.explain.unit import UnitPanel
from cnntui.ui.shared.line_chart import LineChart

# What stays as it is in both languages: names of networks, inputs, layers and methods, math,
# key names and units. Anything else in ASCII letters on a Korean screen is an untranslated label.
KEPT = {
    "Grad-CAM",
    "ReLU",
    "LeNet-5",
    "logit",
    "z",
    "max",
    "e^",
    "z-max",
    "p",
    "x",
    "w",
    "d",
    "ch",
    "lr/10",
    "v",
    "s",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_\-/^]*")


@pytest.fixture(autouse=True)
def fixed_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("TERM", "xterm-256color")


def visible_text(screen: ExplainScreen) -> dict[str, str]:
    """The plain text each of the mode's widgets shows now, by view."""
    transfer = screen.query_one(TransferView)
    chart = transfer.query_one(LineChart)
    return {
        "head": str(screen.query_one("#explain-head", Static).content),
        "layers": str(screen.query_one(LayersView).render()),
        "unit": str(screen.query_one(UnitPanel).render()),
        "classifier": str(screen.query_one(ClassifierView).render()),
        "looks": str(screen.query_one(LooksView).render()),
        "draw": str(screen.query_one(DrawView).render()),
        "transfer": str(transfer.query_one("#transfer-info", Static).content),
        "chart": f"{chart.title}\n{chart.x_label}\n" + "\n".join(chart.names),
    }


def words(text: str) -> set[str]:
    """ASCII words, a hyphenated name (`lenet5-digits`, `digit-7`) counting as one."""
    return set(WORD.findall(text))


async def open_every_view(pilot) -> ExplainScreen:  # type: ignore[no-untyped-def]
    """Open the mode, compute the maps of the Looks view, come back to Layers."""
    await pilot.press("7")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExplainScreen), 30)
    screen = pilot.app.screen
    assert isinstance(screen, ExplainScreen)
    await wait_until(pilot, lambda: screen.session is not None, 30)
    await pilot.press("v", "v")  # Looks: its maps are computed when it is shown
    await wait_until(pilot, lambda: len(screen.maps) == 3, 30)
    await wait_until(pilot, lambda: screen.query_one(LooksView).picture is not None, 30)
    await pilot.press("v", "v", "v")  # Draw, Transfer, back to Layers
    assert screen.view == "layers"
    await pilot.pause(0.2)
    return screen


async def test_explain_mode_speaks_korean_and_f2_switches_back() -> None:
    set_language("ko")
    app = make_app("explain", "conv")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_every_view(pilot)
        korean = visible_text(screen)
        assert "층" in korean["head"] and "다음 보기" in korean["head"]
        assert korean["layers"].startswith("입력")
        assert "클래스" in korean["classifier"] and "상위 3개" in korean["classifier"]
        assert "돌출 맵" in korean["looks"] and "가리기" in korean["looks"]
        assert "그리기 (펜 올림)" in korean["draw"]
        assert "전이 학습" in korean["transfer"] and "처음부터" in korean["transfer"]
        assert korean["chart"].startswith("테스트 정확도")

        await pilot.press("right")  # c1 -> relu1: not a convolution, so `o` says which are
        await pilot.press("o")
        await pilot.pause(0.1)
        notices = [n.message for n in app._notifications]
        assert any(m.startswith("합성곱 랩에서 열려면") for m in notices), notices

        await pilot.press("f2")
        await pilot.pause(0.2)
        assert current_language() == "en"
        english = visible_text(screen)
        assert english["layers"].startswith("input")
        assert "Saliency" in english["looks"] and "for class" in english["looks"]
        assert "draw (pen up)" in english["draw"]
        assert "Transfer learning" in english["transfer"]
        assert english["chart"].startswith("test accuracy")

        for part, text in korean.items():
            assert text != english[part], part
            # An English word on the Korean screen that the English screen also shows, and that
            # is not a name or math, is a label left untranslated.
            left = (words(text) & words(english[part])) - KEPT
            session = screen.session
            assert session is not None
            names = words(" ".join(session.trace.names)) | words(screen.model_name)
            # Layer names are cut to the column's width (`outpu` for `output`).
            untranslated = {w for w in left if not any(n.startswith(w) for n in names)}
            assert not untranslated, (part, sorted(untranslated))
