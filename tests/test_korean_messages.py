"""Messages made away from the screen, in Korean: what the training and DCGAN processes report
(shown in the app's language when shown, even after F2), engine, spec and ONNX errors with their
values, generated practice questions, the bundled images' descriptions, and dialogs that follow
F2 while they are open."""

from __future__ import annotations

import pickle
import random
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import make_app, wait_until

from cnntui import cli, images, practice
from cnntui.engine.backend import cpu_backend
from cnntui.i18n import N_, Message, error_text, set_language
from cnntui.train.divergence import Diverged, check_metrics, failure_message

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def english_words(text: str) -> set[str]:
    """Latin words of three letters or more, lower-cased."""
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}


# -- reports from the child processes ---------------------------------------------------------


def test_a_message_is_translated_where_it_is_read_and_survives_a_queue() -> None:
    message = Message(N_("learning rate set to {value}"), value="0.02")
    copy = pickle.loads(pickle.dumps(message))  # what a multiprocessing queue does
    assert copy == message
    assert str(copy) == "learning rate set to 0.02"
    set_language("ko")
    assert str(copy) == "학습률을 0.02(으)로 바꿨습니다"
    assert f"run 1: {copy}" == "run 1: 학습률을 0.02(으)로 바꿨습니다"
    assert copy.english() == "learning rate set to 0.02"


def test_divergence_report_in_korean_with_nested_parts(tmp_path: Path) -> None:
    with pytest.raises(Diverged) as caught:
        check_metrics({"val_loss": float("nan")}, 10, ["val_loss"])
    message = failure_message(caught.value, 3, 7, 0.5, tmp_path)
    english = str(message)
    assert english.startswith("the validation loss became NaN at epoch 3, step 7")
    assert "try 0.05" in english and "start a new run" in english
    set_language("ko")
    korean = str(message)
    assert korean.startswith("3에폭 7단계, 학습률 0.5에서 검증 손실이(가) NaN이(가) 되었습니다")
    assert "0.05(으)로 해 보십시오" in korean and "새로 실행하십시오" in korean
    assert english_words(korean) <= {"nan"}
    # raised as an error, the message keeps its structure for the app
    assert error_text(RuntimeError(message)) is message


def test_device_line_in_korean_keeps_names_and_numbers() -> None:
    backend = cpu_backend(
        requested="auto", reason=N_("no CUDA device is visible (cupy.is_available() is False)")
    )
    english = backend.describe()
    assert english.startswith("cpu: CPU (") and (
        "cores, NumPy" in english or "core, NumPy" in english
    )
    set_language("ko")
    korean = str(backend.describe_text())
    assert "코어, NumPy" in korean and "보이는 CUDA 장치가 없습니다" in korean
    assert backend.describe() == english  # documents (`--json`, doctor) stay English


@pytest.mark.slow
def test_training_process_reports_in_the_apps_language_even_after_a_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process starts while the app speaks English; the app then switches to Korean: the
    state notice, device line and memory figure the process sent read in Korean."""
    from cnntui.train.config import RunConfig
    from cnntui.train.events import Command, RunStarted, StateChanged, StepProgress
    from cnntui.train.runner import RunnerProcess

    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    config = RunConfig(
        model="lenet5", dataset="digits", input_size=8, batch_size=32, limit=64, epochs=1, seed=1
    )
    runner = RunnerProcess(config, tmp_path / "run", start_paused=True)
    runner.start()
    try:
        events = runner.wait_for(StateChanged, timeout=60)
        runner.send(Command("set_lr", 0.02))
        runner.send(Command("step", 1))
        events += runner.wait_for(
            lambda e: isinstance(e, StateChanged) and "0.02" in str(e.message), timeout=30
        )
        events += runner.wait_for(StepProgress, timeout=30)
    finally:
        runner.shutdown()
    started = next(e for e in events if isinstance(e, RunStarted))
    ready = next(e for e in events if isinstance(e, StateChanged) and e.message)
    rate = next(e for e in events if isinstance(e, StateChanged) and "0.02" in str(e.message))
    step = next(e for e in events if isinstance(e, StepProgress))
    assert str(ready.message) == "ready: press space to start"
    set_language("ko")
    assert str(ready.message) == "준비됨: 스페이스를 누르면 시작합니다"
    assert str(rate.message) == "학습률을 0.02(으)로 바꿨습니다"
    assert "코어" in str(started.device)
    assert str(step.memory).startswith("RSS 최대 ")


@pytest.mark.slow
def test_a_process_started_in_korean_writes_its_own_errors_in_korean(tmp_path: Path) -> None:
    from cnntui.train.config import RunConfig
    from cnntui.train.events import RunFailed
    from cnntui.train.runner import RunnerProcess

    set_language("ko")
    config = RunConfig(model="lenet5", dataset="digits", epochs=1)
    config = RunConfig(**{**config.to_dict(), "dataset": "no-such-data"})
    runner = RunnerProcess(config, tmp_path / "run")
    runner.start()
    try:
        events = runner.wait_for(RunFailed, timeout=60)
    finally:
        runner.shutdown()
    failed = [e for e in events if isinstance(e, RunFailed)]
    assert failed, events
    text = str(failed[0].message)
    assert HANGUL.search(text) and "no-such-data" in text, text


def test_dcgan_failure_reads_in_the_current_language(tmp_path: Path) -> None:
    from cnntui.gan.dcgan import DcganSettings
    from cnntui.gan.process import DcganProcess

    process = DcganProcess(DcganSettings(epochs=1), tmp_path)
    failure = process.exit_failure(9)
    assert "ended unexpectedly (exit 9)" in str(failure.message)  # type: ignore[union-attr]
    set_language("ko")
    assert "예기치 않게 끝났습니다 (종료 코드 9)" in str(failure.message)  # type: ignore[union-attr]
    process.shutdown(timeout=1)


# -- engine, spec and ONNX errors ---------------------------------------------------------------


BAD_SPEC = """input = [1, 28, 28]
[[layers]]
type = "conv2d"
out_channels = 4
kernel_size = 3
[[layers]]
type = "linear"
out_features = 10
"""


def test_spec_error_in_korean_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "bad.toml"
    spec.write_text(BAD_SPEC, encoding="utf-8")
    status = cli.main(["summary", str(spec), "--lang", "ko"])
    err = capsys.readouterr().err
    assert status == 2
    assert "6행: 2번 층, linear: 평평한 입력이 필요한데 4×26×26을(를) 받습니다" in err
    assert "2,704" in err
    status = cli.main(["summary", str(spec), "--lang", "en"])
    err = capsys.readouterr().err
    assert status == 2 and "line 6: layer 2, linear: needs a flat input, gets 4×26×26" in err


def test_spec_problems_with_values_in_korean() -> None:
    from cnntui.zoo.spec import validate_text

    set_language("ko")
    problems = validate_text('input = [1, 8, 8]\n[[layers]]\ntype = "conv2x"\n')
    text = " ".join(str(p) for p in problems)
    assert "알 수 없는 층 종류 'conv2x'" in text and "conv2d을(를) 말씀하신 건가요?" in text
    problems = validate_text(
        'input = [1, 8, 8]\n[[layers]]\ntype = "conv2d"\nout_channels = 0\nkernel_size = 3\n'
    )
    text = " ".join(str(p) for p in problems)
    assert "out_channels은(는) 1 이상이어야 하는데 0입니다" in text


def test_onnx_import_problems_in_korean(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    from cnntui.zoo.onnx_import import OnnxImportError, load_onnx_bytes

    set_language("ko")
    with pytest.raises(OnnxImportError, match="읽을 수 있는 ONNX 모델이 아닙니다"):
        load_onnx_bytes(b"\x00garbage", "bad.onnx")
    graph = helper.make_graph(
        [
            helper.make_node("Relu", ["x"], ["r"], name="relu1"),
            helper.make_node("Erf", ["r"], ["y"], name="erf1"),
        ],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 4, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 4, 4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    imported = load_onnx_bytes(model.SerializeToString(), "erf.onnx")
    assert imported.problem is not None
    assert imported.problem.startswith(
        "노드 erf1 (Erf, 2개 중 graph.node[1]): 이 연산자는 지원하지 않습니다"
    )
    # a document (summary --json) keeps it in English
    assert imported.problem_message is not None
    assert imported.problem_message.english().startswith(
        "node erf1 (Erf, graph.node[1] of 2): this operator is not supported"
    )


def test_calculator_shape_error_in_korean_through_the_cli(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status = cli.main(["calc", "--input", "4x4x1", "--kernel", "7", "--lang", "ko"])
    err = capsys.readouterr().err
    assert status == 2 and "커널 7" in err and "패딩" in err, err


# -- practice questions and image descriptions ----------------------------------------------------


def test_practice_questions_in_korean() -> None:
    set_language("ko")
    for seed in range(20):
        rng = random.Random(seed)
        for kind in practice.KINDS:
            question = practice.generate(kind, rng)
            assert HANGUL.search(question.prompt)
            assert not english_words(question.explanation), question.explanation
            assert not english_words(question.prompt) - {"stride", "dilation"}, question.prompt
    question = practice.generate("param-count", random.Random(1))
    assert question.prompt.endswith("몇 개입니까?")


def test_bundled_image_descriptions_in_korean() -> None:
    english = {name: images.describe(name) for name in images.names()}
    set_language("ko")
    for name in images.names():
        korean = images.describe(name)
        assert korean != english[name] and HANGUL.search(korean), (name, korean)
        assert english_words(korean) <= {"rgb", "mnist"}, korean
    assert images.describe("digit-3") == "숫자 3, MNIST 같은 28×28"
    assert images.describe("circle") == "원, 16×16 이진"


# -- dialogs follow F2 ----------------------------------------------------------------------------


async def test_path_dialog_relabels_when_f2_is_pressed_inside_it() -> None:
    from textual.widgets import Input, Label

    from cnntui.i18n import current_language
    from cnntui.ui.models.dialogs import PathScreen

    app = make_app("models")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(PathScreen(Message(N_("Open a spec file:")), "net.toml"))
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, PathScreen)
        assert isinstance(app.focused, Input)  # the key goes to the typed path first
        assert str(dialog.query_one("#path-title", Label).content) == "Open a spec file:"
        await pilot.press("f2")
        await pilot.pause()
        assert current_language() == "ko"
        assert app.screen is dialog
        assert str(dialog.query_one("#path-title", Label).content) == "열 명세 파일:"
        assert str(dialog.query_one("#path-hint", Label).content) == "enter: 확인   escape: 취소"
        assert dialog.query_one("#path-input", Input).value == "net.toml"
        await pilot.press("f2")
        await pilot.pause()
        assert str(dialog.query_one("#path-title", Label).content) == "Open a spec file:"


async def test_help_follows_f2_while_open() -> None:
    from textual.widgets import Static

    from cnntui.ui.shared.help import HelpScreen

    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        english = " ".join(str(s.content) for s in app.screen.query(Static))
        assert "Moving around" in english
        await pilot.press("f2")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        korean = " ".join(str(s.content) for s in app.screen.query(Static))
        assert "Moving around" not in korean and HANGUL.search(korean)
        assert app.screen.query_one("#help-dialog").border_title == "키"


async def test_gan_number_prompt_relabels_after_f2() -> None:
    from textual.widgets import Label

    from cnntui.ui.gan.prompt import NumberPrompt

    app = make_app("gan")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(
            NumberPrompt(Message(N_("A uniform number u in [0, 1), e.g. 0.34")), low=0, high=1)
        )
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        label = app.screen.query_one("#gan-prompt-question", Label)
        assert str(label.content) == "[0, 1)의 균등 난수 u (예: 0.34)"


def test_numbers_keep_one_format() -> None:
    """The values inside translated messages are formatted as in English (no locale digits)."""
    set_language("ko")
    message = Message(N_("RSS peak {mib} MiB"), mib=f"{np.float64(1536.4):.0f}")
    assert str(message) == "RSS 최대 1536 MiB"


def test_engine_shape_and_argument_errors_in_korean() -> None:
    from cnntui.engine import nn
    from cnntui.errors import ShapeError

    set_language("ko")
    with pytest.raises(
        ShapeError, match=r"^Conv2d: 7×7 커널\(dilation 1, 패딩 \(0, 0\)\)이 4×4 입력에"
    ):
        nn.Conv2d(1, 2, 7).output_shape((1, 4, 4))
    with pytest.raises(
        ValueError, match=r"^MaxPool2d: 패딩 \(3, 3\)은\(는\) 커널 \(2, 2\)의 절반 이하"
    ):
        nn.MaxPool2d(2, padding=3)
    with pytest.raises(ShapeError, match=r"입력 높이 3에 들어가지 않습니다"):
        nn.MaxPool2d(4).output_shape((1, 3, 8))
    set_language("en")
    with pytest.raises(ShapeError, match=r"^Conv2d: a 7×7 kernel \(dilation 1, padding \(0, 0\)\)"):
        nn.Conv2d(1, 2, 7).output_shape((1, 4, 4))


def test_a_question_on_show_follows_a_language_switch() -> None:
    question = practice.generate("param-count", random.Random(3))
    english = question.prompt
    assert english.startswith("How many parameters")
    set_language("ko")
    assert question.prompt != english and question.prompt.endswith("몇 개입니까?")


async def test_calculator_quiz_question_and_verdict_follow_f2() -> None:
    from textual.widgets import Input, Static

    from cnntui.ui.calc.quiz import CalcQuizScreen

    app = make_app("calc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(CalcQuizScreen(seed=1))
        await pilot.pause()
        quiz = app.screen
        assert isinstance(quiz, CalcQuizScreen)
        quiz.query_one("#calc-quiz-answer", Input).value = "-1"
        await pilot.press("enter")
        await pilot.pause()
        feedback = str(quiz.query_one("#calc-quiz-feedback", Static).content)
        assert feedback.startswith("Not quite")
        await pilot.press("f2")
        await pilot.pause()
        question = str(quiz.query_one("#calc-quiz-question", Static).content)
        feedback = str(quiz.query_one("#calc-quiz-feedback", Static).content)
        assert question.startswith("출력 크기: ") and "출력 높이는 얼마입니까?" in question
        assert feedback.startswith("아쉽습니다") and "Not quite" not in feedback


async def test_links_dialog_says_where_each_link_leads_in_korean_and_follows_f2() -> None:
    from textual.widgets import OptionList

    from cnntui.lessons import Link
    from cnntui.ui.lessons.links import LinksScreen, describe
    from cnntui.ui.shared.glyphs import glyphs

    links = [
        Link("train", "cnntui:train?model=lenet5", 1, "cnntui", "train", {"model": "lenet5"}),
        Link(
            "pooling",
            "cnntui:lesson?name=05-pooling",
            2,
            "cnntui",
            "lesson",
            {"name": "05-pooling"},
        ),
        Link("web", "https://example.org", 3, "web"),
    ]
    assert [describe(link) for link in links] == [
        "open Train",
        "open lesson 05-pooling",
        "copy the web address",
    ]
    app = make_app("lessons")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(LinksScreen(links, glyphs(False)))
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        listing = app.screen.query_one("#links-list", OptionList)
        shown = " ".join(str(listing.get_option_at_index(i).prompt) for i in range(3))
        assert "학습 열기" in shown and "강의 05-pooling 열기" in shown and "웹 주소 복사" in shown
        assert app.screen.query_one("#links-dialog").border_title == "이 강의의 링크"


def test_lesson_template_errors_in_korean() -> None:
    from cnntui.lesson_template import TemplateError, render

    set_language("ko")
    with pytest.raises(TemplateError, match=r"^1행: calc: 0으로 나눴습니다$"):
        render("{{ calc 1/0 }}")
    with pytest.raises(TemplateError, match=r"^2행: 알 수 없는 모델 'nope'"):
        render("text\n{{ params nope }}")
    set_language("en")
    with pytest.raises(TemplateError, match=r"^line 1: calc: division by zero$"):
        render("{{ calc 1/0 }}")


def test_lesson_file_problems_in_korean(tmp_path: Path) -> None:
    from cnntui.lessons import parse_lesson

    path = tmp_path / "01-broken.md"
    set_language("ko")
    lesson = parse_lesson(path, "no front matter here\n")
    assert [str(p) for p in lesson.problems] == [
        "01-broken.md:1: 머리말이 없습니다: 파일은 '+++' 줄로 시작해야 합니다"
    ]
    text = '+++\ntitle = "T"\nchapter = "C"\norder = 1\n+++\n```quiz\nquestion = "q"\n```\n'
    lesson = parse_lesson(path, text)
    assert any("퀴즈: answer(수나 문자열)가 필요합니다" in str(p) for p in lesson.problems)


def test_data_checkpoint_and_number_errors_in_korean(tmp_path: Path) -> None:
    from cnntui.data import DatasetError
    from cnntui.data.registry import load_splits
    from cnntui.numeric import NumberError, parse_number
    from cnntui.train.checkpoint import CheckpointError, load_checkpoint

    set_language("ko")
    (tmp_path / "run.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CheckpointError, match=r"손상되었습니다 .*실행을 이어 할 수 없습니다"):
        load_checkpoint(tmp_path)
    with pytest.raises(DatasetError, match=r"^folder 데이터셋에는 클래스마다"):
        load_splits("folder", data_dir=None)
    with pytest.raises(NumberError, match=r"^'x'은\(는\) 0에서 1까지의 수이\(가\) 아닙니다$"):
        parse_number("x", low=0, high=1)


@pytest.mark.slow
def test_cnntui_train_first_line_in_korean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    argv = ["train", "lenet5", "--dataset", "digits", "--epochs", "1", "--input-size", "8"]
    argv += ["--limit", "64", "--device", "cpu", "--out", str(tmp_path / "run"), "--lang", "ko"]
    assert cli.main(argv) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "고정 순열(시드 0): 1,257 / 180 / 360" in first and "코어, NumPy" in first
    assert not english_words(first) - {"lenet", "digits", "cpu", "numpy"}, first


def test_json_documents_keep_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "01-broken.md").write_text("no front matter\n", encoding="utf-8")
    status = cli.main(["lessons", "--check", "--json", "--dir", str(lessons), "--lang", "ko"])
    document = json.loads(capsys.readouterr().out)
    assert status != 0 or not document["ok"]
    assert document["problems"][0]["reason"].startswith("no front matter")
    assert cli.main(["doctor", "--json", "--lang", "ko"]) == 0
    advice = json.loads(capsys.readouterr().out)["advice"]
    assert all(not HANGUL.search(tip) for tip in advice)
