"""The Train lab in Korean at 80×24: every view's labels are Korean after a tiny real run, no
English label is left over, F2 redraws the lab in English (and back) in place, and a plot's
Korean title and legend keep its borders where plotext put them."""

from __future__ import annotations

import pytest
from conftest import latin_words as words
from conftest import make_app, screen_text, wait_until
from rich.cells import cell_len
from rich.text import Text
from textual.widgets import Input, Select

from cnntui.i18n import current_language, set_language
from cnntui.ui.shared.line_chart import ascii_chart, fit_cells
from cnntui.ui.train.curves import legend
from cnntui.ui.train.init_stats import InitStatsScreen
from cnntui.ui.train.lr import LearningRateScreen
from cnntui.ui.train.screen import TrainScreen

# Words that stay as they are in Korean: names, code, key names, units and the run's own
# device and memory report (written by the training process).
KEPT = {
    "cnntui", "lenet", "digits", "sgd", "space", "enter", "esc", "auto", "mnist", "cifar",
    "folder", "plain", "residual", "resnet", "cpu", "numpy", "rss", "mib",
    "help", "palette",
}  # fmt: skip
TINY = {"model": "lenet5", "dataset": "digits", "size": "8", "epochs": "2", "batch": "64"}

# (view, labels that only the Korean rendering shows)
KOREAN = {
    "setup": ("설정", "곡선", "데이터셋", "최적화기", "SGD + 모멘텀", "없으면 내려받기"),
    "curves": ("완료", "에폭 2/2", "손실", "정확도", "학습", "검증", "경과"),
    "pictures": ("필터 6개", "테스트 이미지 #0", "입력 "),
    "predictions": ("테스트 이미지 12개 중",),
    "confusion": ("에폭 2 후 검증 세트", "실\\예", "180개 중", "확신 ", "가장 확신한 오답"),
    "runs": ("곡선 열기", "모델", "검증 정확도", "완료"),
}
ENGLISH = {
    "setup": ("Setup", "data set", "SGD + momentum", "download if missing"),
    "curves": ("finished", "epoch 2/2", "loss", "accuracy", "train", "val", "elapsed"),
    "pictures": ("6 filters", "test image #0 through", "in: "),
    "predictions": ("of 12 test images right",),
    "confusion": ("validation set after epoch 2", "t\\p", "of 180 right", "sure"),
    "runs": ("open its curves", "model", "val acc", "finished"),
}


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLORTERM", "truecolor")
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")


async def test_train_lab_in_korean_leaves_no_english_label() -> None:
    set_language("ko")
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        screen.apply_preset({**TINY, "start": "yes"})
        await wait_until(
            pilot, lambda: screen.runs and screen.runs[0].state == "finished", timeout=60
        )
        for view in KOREAN:
            screen.query_one("TabbedContent").active = view  # type: ignore[attr-defined]
            await pilot.pause(0.1)
            screen.render_pictures(force=True)
            await pilot.pause(0.5)  # the charts redraw five times a second
            korean = screen_text(app)
            for label in KOREAN[view]:
                assert label in korean, f"{label!r} missing from the Korean {view} view:\n{korean}"
            await pilot.press("f2")  # English, redrawn in place
            await pilot.pause(0.5)
            assert current_language() == "en"
            assert screen.query_one("TabbedContent").active == view  # type: ignore[attr-defined]
            english = screen_text(app)
            for label in ENGLISH[view]:
                assert label in english, f"{label!r} missing after F2:\n{english}"
            left_over = (words(english) & words(korean)) - KEPT
            assert not left_over, f"untranslated in the {view} view: {sorted(left_over)}\n{korean}"
            await pilot.press("f2")  # and back to Korean
            await pilot.pause(0.5)
            again = screen_text(app)
            assert all(label in again for label in KOREAN[view]), again


async def test_setup_form_keeps_its_choices_across_a_language_change() -> None:
    set_language("ko")
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, TrainScreen)
        screen.apply_preset({"model": "lenet5", "optimizer": "adam", "lr": "0.003"})
        await pilot.pause()
        assert "대기 중" in screen_text(app)
        app.action_switch_language()
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "Idle. Choose the settings" in text and "optimizer" in text and "대기" not in text
        assert screen.query_one("#set-optimizer", Select).value == "adam"
        assert screen.query_one("#set-model", Select).value == "lenet5"
        assert screen.query_one("#set-lr", Input).value == "0.003"  # no model change reset it
        screen.query_one("#set-epochs", Input).value = "many"
        screen.start_training()
        await pilot.pause()
        assert any("epochs: 'many' is not a number" in str(n.message) for n in app._notifications)


async def test_init_statistics_and_learning_rate_dialog_in_korean() -> None:
    set_language("ko")
    app = make_app("train", device="cpu")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        stats = InitStatsScreen("he", "relu")
        app.push_screen(stats)
        await wait_until(pilot, lambda: stats.rows is not None)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "초기화: 유닛 128개짜리 plain 층 10개" in text and "활성화 함수 relu" in text
        assert "기울기 σ (로그)" in text and "비활성" in text and "활성 평균" in text
        assert "Activation" not in text and "Close" not in text  # the footer too
        app.action_switch_language()  # F2 or the command palette
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "Initialisation: 10 plain layers" in text and "act mean" in text
        await pilot.press("escape")
        app.action_switch_language()
        await pilot.pause(0.1)
        dialog = LearningRateScreen(0.05)
        app.push_screen(dialog)
        await pilot.pause()
        assert "새 학습률(현재 0.05)" in screen_text(app)
        dialog.query_one(Input).value = "-1"
        await pilot.press("enter")
        await pilot.pause()
        assert "0보다 크고 10 이하인 수" in screen_text(app)
        app.action_switch_language()
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "New learning rate (now 0.05)" in text and "greater than 0" in text


def test_series_names_stay_keys_and_show_translated() -> None:
    set_language("ko")
    assert (legend("train"), legend("val"), legend("plain val")) == ("학습", "검증", "plain 검증")
    set_language("en")
    assert legend("residual train") == "residual train"


def test_hangul_in_a_plot_keeps_its_borders() -> None:
    """plotext gives a Hangul syllable one cell; the terminal draws two. Fitted, every row of
    the plot is exactly as wide as the plot again, and the right border lines up."""
    from plotext._figure import _figure_class  # the figure textual-plotext draws with

    plt = _figure_class()
    plt.plotsize(40, 12)
    plt.theme("clear")
    plt.title("손실")
    plt.xlabel("에폭")
    plt.plot([1, 2, 3], [3, 2, 1], label="학습")
    plt.plot([1, 2, 3], [1, 2, 3], label="검증", marker="dot")
    rows = Text.from_ansi(plt.build()).split("\n")
    before = {cell_len(row.plain) for row in rows if row.plain}
    assert len(before) > 1  # the Korean rows stick out
    fitted = [fit_cells(row).plain for row in rows if row.plain]
    assert {cell_len(row) for row in fitted} == {40}
    borders = {cell_len(row[: row.rindex("│") + 1]) for row in fitted if row.endswith("│")}
    assert borders == {40}
    assert fit_cells(Text("no wide text")).plain == "no wide text"


def test_ascii_chart_measures_hangul_in_cells() -> None:
    set_language("ko")
    from cnntui.ui.shared.line_chart import Series

    lines = ascii_chart([Series("학습", [0.0, 1.0], [2.0, 1.0])], 30, 6, "손실", log_y=True)
    assert lines[0].startswith("손실 (로그)  * 학습")
    assert {cell_len(line) for line in lines} == {30}
