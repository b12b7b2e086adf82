"""The Conv Lab and the Calculator in Korean at 80×24: each view's labels are Korean, no English
label is left over, and F2 redraws the view in English (and back) in place."""

from __future__ import annotations

import re

import pytest
from conftest import latin_words as words
from conftest import make_app, screen_text
from textual.pilot import Pilot

from cnntui.i18n import current_language, set_language

# Words that stay as they are in Korean: names, code, key names, setting values and math.
KEPT = {
    "cnntui", "conv", "digit", "laplacian", "zero", "off", "macs", "mib", "out", "help",
    "tab", "enter", "esc", "ctrl", "space", "relu", "max", "avg", "sum", "float",
}  # fmt: skip

# view: (mode, keys that open it, labels only the Korean rendering shows, English ones)
VIEWS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "conv": (
        "conv",
        (),
        ("합성곱", "윈도", "커널", "= 곱", "출력 14×14", "위치 1/196: 출력 (0, 0)"),
        ("Convolution", "window", "products", "Output 14×14", "Position 1 of 196"),
    ),
    "conv-backward": (
        "conv",
        ("b",),
        ("입력 (패딩 포함)", "읽기", "× 상류 g", "(전체 14×14)", "커널 기울기 dL/dw", "단계 1/9"),
        ("Input (padded)", "read", "upstream g", "(14×14 in all)", "Kernel gradient dL/dw"),
    ),
    "conv-settings": (
        "conv",
        ("o",),
        ("합성곱 랩 설정", "모드", "풀링 크기", "패딩 방식", "출력 14×14, 단계 위치 196개"),
        ("Conv Lab settings", "pool size", "pad mode", "Output 14×14, 196 positions to step"),
    ),
    "conv-kernel": (
        "conv",
        ("e",),
        ("커널 편집", "3x3 커널; 칸 (0, 0); 합 0", "화살표 이동"),
        ("Edit kernel", "3x3 kernel; cell (0, 0); sum 0", "arrows move"),
    ),
    "calc": (
        "calc",
        (),
        ("층", "결과", "종류", "스트라이드", "출력  55×55×96", "매개변수  34,944", "수용 영역"),
        ("Layer", "Result", "kind", "stride", "Output  55×55×96", "Params  34,944"),
    ),
    "calc-chain": (
        "calc",
        ("c",),
        ("연쇄: 사용자 정의", "매개변수", "점프", "Tab: 층 목록", "합계 매개변수 34,944"),
        ("Chain: custom", "params", "jump", "Tab: layer list", "Total 34,944 (34.9 k) params"),
    ),
}


async def open_view(pilot: Pilot[None], keys: tuple[str, ...]) -> None:
    await pilot.pause(0.2)
    for key in keys:
        await pilot.press(key)
        await pilot.pause(0.2)


@pytest.mark.parametrize("view", sorted(VIEWS))
async def test_view_in_korean_leaves_no_english_label(view: str) -> None:
    mode, keys, korean_labels, english_labels = VIEWS[view]
    set_language("ko")
    app = make_app(mode)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(pilot, keys)
        korean = screen_text(app)
        for label in korean_labels:
            assert label in korean, f"{label!r} missing from the Korean {view}:\n{korean}"
        app.action_switch_language()  # F2, also while a dialog is open
        await pilot.pause(0.2)
        assert current_language() == "en"
        english = screen_text(app)
        for label in english_labels:
            assert label in english, f"{label!r} missing after the switch:\n{english}"
        left_over = (words(english) & words(korean)) - KEPT
        assert not left_over, f"untranslated in {view}: {sorted(left_over)}\n{korean}"
        app.action_switch_language()  # and back to Korean, in place
        await pilot.pause(0.2)
        again = screen_text(app)
        assert all(label in again for label in korean_labels), again


async def test_calculator_quiz_and_chain_preset_in_korean() -> None:
    set_language("ko")
    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_view(pilot, ("p",))  # the first chain preset, LeNet-5
        text = screen_text(app)
        assert "연쇄: lenet5" in text and "LeNet-5: LeCun 외 1998" in text, text
        await open_view(pilot, ("z",))
        text = screen_text(app)
        assert "퀴즈" in text and "Enter 확인" in text and "Quiz me" not in text, text
        await pilot.press("enter")  # nothing typed yet
        await pilot.pause(0.2)
        assert "먼저 정수를 입력하십시오." in screen_text(app)
        app.action_switch_language()
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "Quiz me" in text and "Enter check" in text and "퀴즈" not in text, text


async def test_pooling_shift_comparison_in_korean() -> None:
    set_language("ko")
    app = make_app("conv")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        app.screen.apply_preset({"mode": "pool"})  # type: ignore[attr-defined]
        await open_view(pilot, ("s",))
        text = screen_text(app)
        assert "풀링과 이동한 이미지" in text and "오른쪽으로 1px 이동" in text, text
        assert "Moving the image" not in text and "invariant" not in text, text


def test_formulas_in_json_stay_english_while_korean_is_shown() -> None:
    from cnntui.calc.layer import FeatureShape, LayerSpec, analyze_layer
    from cnntui.ui.calc.report import shown_formula

    set_language("ko")
    report = analyze_layer(LayerSpec.make("conv", 3, 1, 1, filters=8), FeatureShape(8, 8, 1))
    assert report.as_dict()["mac_formula"] == "8·8·8 outputs × 9 = 4,608"
    assert shown_formula(report.mac_formula) == "출력 8·8·8개 × 9 = 4,608"
    pool = analyze_layer(LayerSpec.make("maxpool", 2, 2), FeatureShape(8, 8, 1))
    assert pool.as_dict()["param_formula"] == "pooling has no parameters"
    assert shown_formula(pool.param_formula) == "풀링에는 매개변수가 없습니다"


@pytest.mark.parametrize(
    ("kind", "kernel", "stride", "padding", "size", "extra"),
    [
        ("conv", 3, 2, 0, (8, 8), {}),
        ("conv", 11, 4, 0, (228, 230), {}),
        ("maxpool", 3, 2, 0, (10, 9), {}),
        ("conv", 5, 3, 1, (17, 17), {"dilation": 2}),
        ("transposed", 3, 2, 1, (8, 8), {"output_padding": 1}),
    ],
)
def test_notes_shown_in_korean_and_kept_english_for_json(
    kind: str,
    kernel: int,
    stride: int,
    padding: int,
    size: tuple[int, int],
    extra: dict[str, int],
) -> None:
    from cnntui.calc.layer import FeatureShape, LayerSpec, analyze_layer, report_notes
    from cnntui.i18n import _

    set_language("ko")
    filters = 0 if kind == "maxpool" else 4
    spec = LayerSpec.make(kind, kernel, stride, padding, filters=filters, **extra)  # type: ignore[arg-type]
    report = analyze_layer(spec, FeatureShape(size[0], size[1], 1))
    assert report.notes, "each case has something to say"
    # Written again in English, the notes are exactly the report's (what `--json` prints).
    assert report_notes(report, lambda text: text) == (report.notes, report.suggestions)
    assert all(words(note) & {"stride", "never", "zero"} for note in report.notes)
    notes, suggestions = report_notes(report, _)
    assert len(notes) == len(report.notes) and len(suggestions) == len(report.suggestions)
    for note in notes:
        assert re.search("[가-힣]", note), note
        assert not words(note.replace("output_padding", "")), note
