"""The Models mode in Korean at 80×24: table headers, totals, the layer line, the head line's zoo
description, the compare table, the diagram hint and the spec editor are Korean, no English label
is left over, and F2 redraws everything in English (and back) in place."""

from __future__ import annotations

import re

from conftest import latin_words as words
from conftest import make_app, screen_text, wait_until
from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from cnntui.i18n import current_language, set_language
from cnntui.ui.app import CnnTuiApp
from cnntui.ui.models.screen import ModelsScreen

# Words that stay as they are in Korean: model, layer and type names, units and key names.
KEPT = {
    "cnntui", "lenet", "lecun", "alexnet", "ungrouped", "torchvision", "vgg", "nin", "googlenet",
    "resnet", "tinyvgg", "relu", "flatten", "output", "conv", "kib", "escape",
}  # fmt: skip

KOREAN_SUMMARY = (
    "층",
    "매개변수",
    "입력 (i)",
    "깊이 2 (+ -) · 배치 1 ([ ])",
    "오늘날 가르치는 LeCun의 숫자 인식기",
    "메모리 매개변수",
    "활성 배치 1:",
    "매개변수 위치",
    "→ 스크롤하면",
    "RF 5x5 점프",
)
ENGLISH_SUMMARY = (
    "Layer",
    "Params",
    "input (i)",
    "depth 2 (+ -) · batch 1 ([ ])",
    "LeCun's digit reader",
    "Memory params",
    "act. batch 1:",
    "Params in",
    "→ scrolls to",
    "RF 5x5 jump",
)


async def models(pilot: Pilot[None], app: CnnTuiApp) -> ModelsScreen:
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ModelsScreen)
    await pilot.press("enter")  # into the table: the layer line and the column hint show
    await pilot.pause(0.2)
    return screen


async def test_models_summary_in_korean_and_f2_back_and_forth() -> None:
    set_language("ko")
    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        await models(pilot, app)
        korean = screen_text(app)
        for label in KOREAN_SUMMARY:
            assert label in korean, f"{label!r} missing from the Korean summary:\n{korean}"
        await pilot.press("f2")
        await pilot.pause(0.3)
        assert current_language() == "en"
        english = screen_text(app)
        for label in ENGLISH_SUMMARY:
            assert label in english, f"{label!r} missing after F2:\n{english}"
        left_over = (words(english) & words(korean)) - KEPT
        assert not left_over, f"untranslated in the summary: {sorted(left_over)}\n{korean}"
        await pilot.press("f2")
        await pilot.pause(0.3)
        again = screen_text(app)
        assert all(label in again for label in KOREAN_SUMMARY), again


async def test_compare_diagram_and_spec_editor_in_korean() -> None:
    set_language("ko")
    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await models(pilot, app)
        screen.apply_preset({"compare": "lenet5,tinyvgg"})
        await pilot.pause(0.3)
        korean = screen_text(app)
        for label in (
            "연도",
            "ILSVRC top-5 오류율",
            "이미지당 MAC",
            "매개변수 메모리",
            "대 tinyvgg",
        ):
            assert label in korean, f"{label!r} missing from the Korean compare view:\n{korean}"
        await pilot.press("f2")
        await pilot.pause(0.3)
        english = screen_text(app)
        assert (
            "MACs per image" in english
            and "vs tinyvgg" in english
            and "ILSVRC top-5 error" in english
        ), english
        left_over = (words(english) & words(korean)) - KEPT - {"ilsvrc", "top", "mib"}
        assert not left_over, f"untranslated in the compare view: {sorted(left_over)}\n{korean}"
        await pilot.press("f2")
        await pilot.pause(0.3)
        screen.action_back()
        await pilot.pause(0.2)
        await pilot.press("d")
        await pilot.pause(0.3)
        diagram = str(screen.query_one("#diagram-text", Static).render())
        assert "escape 또는 d: 표로 돌아가기" in diagram, diagram
        await pilot.press("d")
        await pilot.press("e")
        await pilot.pause(0.5)
        text = screen_text(app)
        assert "내 신경망 (TOML)" in text and "^s 저장" in text, text
        assert re.search(r"유효: 매개변수 [\d,]+개", text), text
        assert "valid" not in text and "Your network" not in text
        # The spec's problems: the line prefix and the fixed messages are Korean.
        screen.query_one("#spec-editor", TextArea).load_text('name = "x"\n')
        await wait_until(pilot, lambda: bool(screen.spec_editor.problems))
        await pilot.pause(0.2)
        problems = str(screen.query_one("#spec-problems", Static).render())
        assert "1행: input = [C, H, W]가 없습니다" in problems, problems
        assert "층 없음: type이 있는 [[layers]] 표를 추가하십시오" in problems, problems


async def test_zoo_descriptions_follow_the_language() -> None:
    from cnntui import zoo
    from cnntui.zoo.catalog import description_of

    set_language("ko")
    vgg = zoo.get("vgg16_bn")
    assert description_of(vgg) == (
        "3×3 합성곱과 2×2 풀링의 가중치 층 16개, 합성곱마다 배치 정규화; 매개변수 138,365,992개"
    )
    assert description_of(zoo.get("resnet50")).startswith("병목 잔차 블록, 50층")
    # Every zoo description has a Korean text, and the entries keep English for `--json`.
    for entry in zoo.entries():
        assert description_of(entry) != entry.description, entry.name
        assert not re.search(r"[가-힣]", entry.description), entry.name
    set_language("en")
    assert description_of(vgg) == vgg.description
