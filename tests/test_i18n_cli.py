"""The command line in Korean: help, argparse's own words and error messages under `--lang ko`,
and English output unchanged under `--lang en`."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from cnntui import cli, i18n

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# What a help line may hold without being prose: option names, metavars, choices, usage brackets.
_NOT_PROSE = re.compile(
    r"\[[^\[\]]*\]|\S+\|\S+|-{1,2}[\w-]+|\{[^{}]*\}|\[|\]|\.\.\.|\b[A-Z][A-Z0-9_|.x×]*\b|[,|]|\bcnntui\b"
)
# Continuation lines of an option's help start at argparse's help column (24 here).
_HELP_COLUMN = 24


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def untranslated_entries(help_text: str) -> list[str]:
    """The entries of a rendered help (an option with its help, a usage line, a paragraph) that
    hold words but no Hangul (example command lines aside): an entry's continuation lines are joined to it first, so a Korean
    help wrapped before an example such as `pooling` counts as one Korean entry."""
    entries: list[str] = []
    for line in help_text.splitlines():
        indent = len(line) - len(line.lstrip(" "))
        if entries and line.strip() and indent >= _HELP_COLUMN:
            entries[-1] += " " + line.strip()
        elif line.strip():
            entries.append(line.strip())
    # An example command line ("cnntui train lenet5 --dataset digits") is code, not prose.
    prose = [e for e in entries if not e.startswith(f"{cli.PROG} ")]
    return [e for e in prose if not HANGUL.search(e) and _NOT_PROSE.sub("", e).strip()]


def test_untranslated_entries_finds_english_prose() -> None:
    english = "options:\n  -h, --help            show this help message and\n" + " " * 24 + "exit\n"
    assert untranslated_entries(english) == [
        "options:",
        "-h, --help            show this help message and exit",
    ]
    assert untranslated_entries("  --device {auto,cpu,gpu}\n            [--lang {en,ko}]\n") == []


@pytest.mark.parametrize(
    "argv",
    [
        ("--lang", "ko", "--help"),
        ("--lang", "ko", "calc", "--help"),
        ("calc", "--help", "--lang", "ko"),
    ],
)
def test_help_is_korean(capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    status, out, err = run_main(capsys, *argv)
    assert status == 0 and err == ""
    assert out.startswith("사용법: cnntui")
    assert "옵션:" in out and "이 도움말을 보이고 끝냄" in out
    assert untranslated_entries(out) == []


def test_every_subcommand_help_is_korean(capsys: pytest.CaptureFixture[str]) -> None:
    i18n.set_language("ko")
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in [("cnntui", parser), *subparsers.choices.items()]:
        assert sub.description and HANGUL.search(sub.description), name
        for action in sub._actions:
            if action.help not in (None, argparse.SUPPRESS):
                assert HANGUL.search(action.help), (name, action.option_strings, action.help)
        assert untranslated_entries(sub.format_help()) == [], name
    for choice in subparsers._choices_actions:
        assert choice.help and HANGUL.search(choice.help), choice.dest


@pytest.mark.parametrize(
    ("argv", "korean"),
    [
        (("--lang", "ko", "calc", "--pool", "sum"), "잘못된 선택"),
        (("--lang", "ko", "conv"), "다음 인자가 필요합니다"),
        (("--lang", "ko", "calc", "--input", "4x4", "--bogus"), "알 수 없는 인자"),
        (("--lang", "ko", "calc"), "입력 모양을 주거나"),
        (("--lang", "ko", "pool", "--image", "digit-7", "--size", "0"), "1 이상이어야"),
        (("--lang", "ko", "bench", "--batch", "0"), "1 이상이어야"),
        (("--lang", "ko", "calc", "--kernel", "x"), "오류"),
    ],
)
def test_errors_are_one_korean_line_with_status_2(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], korean: str
) -> None:
    status, out, err = run_main(capsys, *argv)
    assert status == 2 and out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert korean in err and ": 오류: " in err, err


def test_english_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "--lang", "ko", "--help")
    assert status == 0 and "사용법" in out
    status, out, _ = run_main(capsys, "--lang", "en", "calc", "--help")
    assert status == 0 and not HANGUL.search(out)
    assert out.startswith("usage: cnntui calc") and "\noptions:\n" in out
    assert "show this help message and exit" in out
    status, _, err = run_main(capsys, "--lang", "en", "calc", "--pool", "sum")
    assert status == 2
    assert err == (
        "cnntui calc: error: argument --pool: invalid choice: 'sum' (choose from 'max', 'avg') "
        "(see 'cnntui calc --help')\n"
    )
    status, _, err = run_main(capsys, "--lang", "en", "calc")
    assert status == 2 and err.startswith("cnntui calc: error: give the input shape with --input")


def test_json_output_is_the_same_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("calc", "--input", "28x28x1", "--kernel", "5", "--filters", "6", "--json")
    _, english, _ = run_main(capsys, "--lang", "en", *argv)
    _, korean, _ = run_main(capsys, "--lang", "ko", *argv)
    assert korean == english and english.startswith("{")


def test_cell_width_and_wrap() -> None:
    from cnntui.cells import cell_width, pad_cells, rpad_cells, wrap_cells

    assert cell_width("ab") == 2 and cell_width("합성곱") == 6 and cell_width("e\u0301") == 1
    assert wrap_cells("a bb ccc", 4) == ["a bb", "ccc"]
    assert wrap_cells("합성곱 신경망  을 배우는", 10) == ["합성곱", "신경망 을", "배우는"]
    assert wrap_cells("verylongword x", 4) == ["verylongword", "x"]
    assert pad_cells("출력", 6) == "출력  " and pad_cells("output", 4) == "output"
    assert rpad_cells("층", 4) == "  층" and rpad_cells("ab", 4) == f"{'ab':>4}"


@pytest.mark.parametrize("command", [(), ("calc",), ("train",), ("serve",)])
def test_korean_help_fits_the_terminal_by_cells(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    from cnntui.cells import cell_width

    monkeypatch.setenv("COLUMNS", "80")
    status, out, _ = run_main(capsys, "--lang", "ko", *command, "--help")
    assert status == 0
    # argparse keeps two columns spare; only a single word wider than the column may overflow.
    too_wide = [line for line in out.splitlines() if cell_width(line) > 80 and " " in line.strip()]
    assert too_wide == []


def test_calc_report_is_korean_and_lines_up(capsys: pytest.CaptureFixture[str]) -> None:
    from cnntui.cells import cell_width

    argv = ("calc", "--input", "32x32x3", "--kernel", "5", "--filters", "6")
    _, english, _ = run_main(capsys, "--lang", "en", *argv)
    _, korean, _ = run_main(capsys, "--lang", "ko", *argv)
    assert "parameters       456" in english and "매개변수" not in english
    lines = korean.splitlines()
    assert lines[0] == "32×32×3 입력의 conv 5×5/1 ×6"
    labelled = [line for line in lines[1:] if not line.startswith(" ")][:5]
    assert [line.split("  ")[0] for line in labelled] == [
        "출력",
        "매개변수",
        "MAC",
        "출력 메모리",
        "수용 영역",
    ]
    # The values start in the same cell column as in English (after a 17-cell label).
    for line in labelled:
        start = next(i for i, char in enumerate(line) if char.isdigit())
        assert cell_width(line[:start]) == 17, line
    assert labelled[1].startswith("매개변수         456") and "수용 영역        5×5" in korean


def test_chain_table_header_lines_up_in_korean(capsys: pytest.CaptureFixture[str]) -> None:
    from cnntui.cells import cell_width

    _, english, _ = run_main(capsys, "--lang", "en", "calc", "--chain", "lenet5")
    _, korean, _ = run_main(capsys, "--lang", "ko", "calc", "--chain", "lenet5")
    en_lines, ko_lines = english.splitlines(), korean.splitlines()
    assert ko_lines[0] == "LeNet-5: 입력 32×32×1" and "층" in ko_lines[1]
    assert cell_width(ko_lines[1]) == cell_width(en_lines[1]) == len(ko_lines[2])
    assert ko_lines[3:-1] == en_lines[3:-1]  # the rows: numbers in one format
    assert ko_lines[-1].startswith("전체 매개변수 61,706")


def test_lessons_check_summary_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    fixtures = str(Path(__file__).parent / "fixtures" / "lessons")
    _, english, _ = run_main(capsys, "--lang", "en", "lessons", "--dir", fixtures, "--check")
    _, korean, _ = run_main(capsys, "--lang", "ko", "lessons", "--dir", fixtures, "--check")
    count = english.splitlines()[-1].split()[0]
    assert english.splitlines()[-1] == f"{count} lessons checked: all lessons are sound"
    assert korean.splitlines()[-1] == f"강의 {count}개 검사: 모든 강의에 문제가 없습니다"


def test_backward_report_is_korean(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ("conv", "--image", "digit-7", "--kernel", "laplacian", "--backward")
    status, out, _ = run_main(capsys, "--lang", "ko", *argv)
    assert status == 0
    assert out.startswith("digit-7에 대한 conv의 역전파, L = y의 합\n상류 기울기 dL/dy:\n")
    assert "편향 기울기 dL/db: " in out and "엔진 역전파와 일치: 예" in out


def test_init_stats_table_is_korean_and_keeps_its_columns(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cnntui.cells import cell_width

    argv = ("init-stats", "--depth", "3", "--width", "16", "--batch", "8")
    _, english, _ = run_main(capsys, "--lang", "en", *argv)
    _, korean, _ = run_main(capsys, "--lang", "ko", *argv)
    en_lines, ko_lines = english.splitlines(), korean.splitlines()
    assert en_lines[0] == "he init, relu, 3 layers of 16:"
    assert ko_lines[0] == "he 초기화, relu, 너비 16인 층 3개:"
    assert cell_width(ko_lines[1]) == cell_width(en_lines[1]) and "활성 평균" in ko_lines[1]
    assert ko_lines[2:] == en_lines[2:]


def test_doctor_labels_are_korean(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "--lang", "ko", "doctor", "--no-gpu")
    assert status == 0
    labels = [line.split("  ")[0] for line in out.splitlines()[:18]]
    assert {
        "플랫폼",
        "장치 설정",
        "터미널",
        "색상",
        "SSH 접속",
        "설정",
        "진행 상황",
        "강의",
    } <= set(labels)


@pytest.mark.parametrize(
    ("argv", "korean", "english"),
    [
        (("calc", "--input", "0x4x4"), "모든 크기는 1 이상", "must be 1 or more"),
        (("calc", "--input", "8x8x3", "--groups", "2"), "나누어떨어져야", "divide evenly"),
        (
            ("conv", "--image", "no-such-image", "--kernel", "laplacian"),
            "이미지도 파일도 없습니다",
            "no such file",
        ),
        (("conv", "--image", "digit-7", "--kernel", "1,2;3"), "행 길이가 서로 다릅니다", "rows"),
        (("train", "lenet5", "--epochs", "0"), "--epochs는 1에서 10000 사이", "--epochs must"),
        (("--lesson", "zzz-no-lesson"), "강의가 없습니다", "no lesson named"),
    ],
)
def test_errors_from_the_pure_modules_are_korean(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], korean: str, english: str
) -> None:
    status, _, err = run_main(capsys, "--lang", "ko", *argv)
    assert status == 2 and err.count("\n") == 1 and korean in err, err
    status, _, err = run_main(capsys, "--lang", "en", *argv)
    assert status == 2 and english in err and not HANGUL.search(err), err


def test_serve_banner_is_korean(tmp_path: Path) -> None:
    from rich.console import Console

    from cnntui.serve.server import ClassServer, ServeOptions

    i18n.set_language("ko")
    server = ClassServer(ServeOptions(host="0.0.0.0", token="t0k3n-abc", sessions_dir=tmp_path))
    server.console = Console(record=True, width=200)
    server._banner()
    text = server.console.export_text()
    assert text.startswith("cnntui가 http://") and "에서 앱을 제공하고 있습니다" in text
    assert "경고:" in text and "자기 폴더의 파일을 읽고 쓸 수" in text
    assert "Ctrl+C를 누르면" in text and "Warning" not in text


def test_summary_table_is_korean_and_fits(capsys: pytest.CaptureFixture[str]) -> None:
    from cnntui.cells import cell_width

    argv = ("summary", "lenet5", "--width", "80")
    _, english, _ = run_main(capsys, "--lang", "en", *argv)
    _, korean, _ = run_main(capsys, "--lang", "ko", *argv)
    assert english.splitlines()[0].split() == [
        "Layer",
        "Type",
        "Output",
        "shape",
        "Params",
        "Share",
        "MACs",
        "Act.",
        "mem",
        "RF",
    ]
    header = korean.splitlines()[0]
    assert header.split()[:2] == ["층", "종류"]  # the column's "Type", not "type an answer"
    assert all(cell_width(line) <= 80 for line in korean.splitlines())
    assert "전체 매개변수: 61,706   학습 가능: 61,706   고정: 0" in korean
    # the rows hold the same names and numbers in both languages (columns sized to the titles)
    rows = slice(2, 14)
    assert [r.split() for r in korean.splitlines()[rows]] == [
        r.split() for r in english.splitlines()[rows]
    ]
