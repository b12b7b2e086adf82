"""The GAN lab in Korean at 80×24: every view's labels are Korean, no English label is left over,
and F2 redraws the lab in English (and back) without leaving the view."""

from __future__ import annotations

import pytest
from conftest import latin_words as words
from conftest import make_app, screen_text, wait_until
from textual.pilot import Pilot

from cnntui.i18n import current_language, set_language
from cnntui.ui.app import CnnTuiApp
from cnntui.ui.gan.dcgan import DcganView
from cnntui.ui.gan.gan2d import Gan2dView
from cnntui.ui.gan.screen import GanScreen

# Words that stay as they are in Korean: names, code, key names and math.
KEPT = {
    "cnntui", "gan", "dcgan", "digits", "shapes", "nonsaturating", "adam", "sgd", "space",
    "js", "help", "palette",
}  # fmt: skip

# (view, labels that only the Korean rendering shows)
KOREAN = {
    "example": ("생성 대 판별", "샘플", "생성 모델: 샘플 10개의 개수", "판별 모델", "누적 구간"),
    "gan2d": ("스텝 0", "일시 정지", "가우시안 8개의 고리", "노이즈 z 샘플링", "매개변수 업데이트"),
    "dcgan": ("DCGAN: digits", "대기", "에폭 0", "다양성 -", "space: 학습 시작", "스텝별 손실"),
}
ENGLISH = {
    "example": ("Generative vs discriminative", "Generative: counts of 10 samples"),
    "gan2d": ("step 0", "paused", "ring of 8 Gaussians", "sample noise z"),
    "dcgan": ("DCGAN on digits", "idle", "space: start training", "losses per step"),
}


async def show(pilot: Pilot[None], app: CnnTuiApp, view: str) -> None:
    screen = app.screen
    assert isinstance(screen, GanScreen)
    widget = screen.show_view(view)
    if isinstance(widget, Gan2dView):
        await wait_until(pilot, lambda: widget.snapshot is not None)
    await pilot.pause(0.1)


@pytest.mark.parametrize("view", sorted(KOREAN))
async def test_gan_lab_in_korean_leaves_no_english_label(view: str) -> None:
    set_language("ko")
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await show(pilot, app, view)
        korean = screen_text(app)
        for label in KOREAN[view]:
            assert label in korean, f"{label!r} missing from the Korean {view} view:\n{korean}"
        await pilot.press("f2")  # English, redrawn in place
        await pilot.pause(0.2)
        assert current_language() == "en" and app.screen.view == view  # type: ignore[attr-defined]
        english = screen_text(app)
        for label in ENGLISH[view]:
            assert label in english, f"{label!r} missing after F2:\n{english}"
        # Every English word on the screen must be gone in Korean, except names and code.
        left_over = (words(english) & words(korean)) - KEPT
        assert not left_over, f"untranslated in the {view} view: {sorted(left_over)}\n{korean}"
        await pilot.press("f2")  # and back to Korean
        await pilot.pause(0.2)
        again = screen_text(app)
        assert all(label in again for label in KOREAN[view]), again


async def test_gan_settings_form_and_substeps_in_korean() -> None:
    set_language("ko")
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await show(pilot, app, "gan2d")
        view = app.screen.query_one(Gan2dView)
        await pilot.press("n")  # the first sub-step of a D update
        await wait_until(pilot, lambda: view.snapshot is not None and view.snapshot.substep)
        text = screen_text(app)
        assert "반복 1: D 업데이트" in text and "노이즈 벡터" in text
        await pilot.press("s")
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "2-D GAN 설정" in text and "G 학습률" in text and "층당 뉴런 수" in text
        assert "learning rate" not in text
        # A form open when the language changes (F2 or the command palette) follows it too.
        app.action_switch_language()
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "2-D GAN settings" in text and "G learning rate" in text and "학습률" not in text


async def test_sampling_result_in_korean() -> None:
    from fractions import Fraction

    from cnntui.ui.gan.example import ExampleView

    set_language("ko")
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ExampleView)
        view.sample(Fraction("0.34"))
        await wait_until(pilot, lambda: not view.animating)
        assert "누적 구간으로 P(x)에서 샘플링: u = 0.34 → (0,1)" in screen_text(app)


async def test_dcgan_notices_in_korean() -> None:
    set_language("ko")
    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await show(pilot, app, "dcgan")
        view = app.screen.query_one(DcganView)
        view.action_clear()
        await pilot.pause(0.1)
        assert any("새 digits 실행" in str(n.message) for n in app._notifications)
