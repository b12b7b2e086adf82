"""The command line: version, help, one-line errors with exit 2, lessons and doctor subcommands."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

from cnntui import __version__, cli
from cnntui.errors import UsageError

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "--version")
    assert status == 0 and out.strip() == f"cnntui {__version__}"


def test_help_lists_every_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "--help")
    assert status == 0
    for name in cli.load_commands():
        assert name in out
    assert "--lesson" in out and "--ascii" in out and "--device" in out


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for name in cli.load_commands():
        status, out, err = run_main(capsys, name, "--help")
        assert status == 0, (name, err)
        assert out.startswith(f"usage: cnntui {name}")


@pytest.mark.parametrize(
    ("argv", "prefix"),
    [
        (["--nope"], "cnntui: error: unrecognized arguments: --nope"),
        (["--device", "tpu"], "cnntui: error: argument --device: invalid choice"),
        (["nosuchcommand"], "cnntui: error: argument SUBCOMMAND: invalid choice"),
        (["lessons", "--bogus"], "cnntui lessons: error: unrecognized arguments: --bogus"),
        (["lessons", "--dir", "/nonexistent/folder"], "cnntui lessons: error: --dir"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], prefix: str
) -> None:
    status, out, err = run_main(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(prefix), err


def fake_command(behaviour: BaseException | int) -> types.ModuleType:
    module = types.ModuleType("cnntui.commands.fake")
    module.NAME = "fake"  # type: ignore[attr-defined]
    module.HELP = "a fake command"  # type: ignore[attr-defined]
    module.add_arguments = lambda parser: parser.add_argument("--json", action="store_true")  # type: ignore[attr-defined]

    def run(args: argparse.Namespace) -> int:
        if isinstance(behaviour, BaseException):
            raise behaviour
        return behaviour

    module.run = run  # type: ignore[attr-defined]
    return module


@pytest.fixture
def with_fake(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def install(behaviour: BaseException | int) -> None:
        commands = {"fake": fake_command(behaviour)}
        monkeypatch.setattr(cli, "load_commands", lambda: commands)

    return install


def test_usage_error_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], with_fake) -> None:  # type: ignore[no-untyped-def]
    with_fake(UsageError("stride must be >= 1, got 0;\n use 1 or more"))
    status, _, err = run_main(capsys, "fake")
    assert status == 2
    assert err == "cnntui fake: error: stride must be >= 1, got 0; use 1 or more\n"


def test_internal_error_is_one_line_exit_1(
    capsys: pytest.CaptureFixture[str], with_fake, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("CNNTUI_DEBUG", raising=False)
    with_fake(RuntimeError("boom"))
    status, _, err = run_main(capsys, "fake")
    assert status == 1
    assert err.count("\n") == 1
    assert err.startswith("cnntui fake: internal error: RuntimeError: boom")
    assert "CNNTUI_DEBUG=1" in err and "Traceback" not in err


def test_internal_error_traceback_under_debug(
    capsys: pytest.CaptureFixture[str], with_fake, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CNNTUI_DEBUG", "1")
    with_fake(RuntimeError("boom"))
    status, _, err = run_main(capsys, "fake")
    assert status == 1 and "Traceback" in err


def test_ctrl_c_exits_130_quietly(capsys: pytest.CaptureFixture[str], with_fake) -> None:  # type: ignore[no-untyped-def]
    with_fake(KeyboardInterrupt())
    status, out, err = run_main(capsys, "fake")
    assert (status, out, err) == (130, "", "")


def test_command_exit_status_passes_through(capsys: pytest.CaptureFixture[str], with_fake) -> None:  # type: ignore[no-untyped-def]
    with_fake(3)
    assert run_main(capsys, "fake")[0] == 3


def test_a_broken_command_module_is_an_error_that_names_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = cli.importlib.import_module

    def flaky(name: str):  # type: ignore[no-untyped-def]
        if name == "cnntui.commands.lessons":
            raise SyntaxError("broken module")
        return real_import(name)

    monkeypatch.setattr(cli.importlib, "import_module", flaky)
    monkeypatch.delenv("CNNTUI_DEBUG", raising=False)
    with pytest.raises(cli.CommandImportError, match="'lessons'.*SyntaxError: broken module"):
        cli.load_commands()
    status, out, err = run_main(capsys, "--help")
    assert status == 1 and out == ""
    assert "subcommand 'lessons' (cnntui.commands.lessons) failed to import" in err


def test_every_command_module_is_in_the_table() -> None:
    import cnntui.commands

    modules = sorted(
        f"cnntui.commands.{path.stem}"
        for path in Path(cnntui.commands.__path__[0]).glob("*.py")
        if not path.name.startswith("_")
    )
    assert sorted(cli.COMMANDS.values()) == modules
    assert list(cli.load_commands()) == sorted(cli.COMMANDS)


def test_lessons_lists_by_chapter(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "lessons", "--dir", str(FIXTURES))
    assert status == 0
    lines = out.splitlines()
    assert lines[0] == "Basics"
    assert lines[1].split() == ["01-convolution", "Convolution"]
    assert "Architectures" in lines


def test_lessons_json_is_one_document(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "lessons", "--json", "--dir", str(FIXTURES))
    assert status == 0
    document = json.loads(out)
    names = [entry["name"] for entry in document["lessons"]]
    assert names == ["01-convolution", "02-pooling", "03-lenet"]
    first = document["lessons"][0]
    assert first["quizzes"] == 2 and first["ok"] is True and first["order"] == 1
    assert "cnntui:lesson?name=02-pooling" in first["links"]
    assert document["problems"] == []


def test_lessons_check_passes_on_good_lessons(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(capsys, "lessons", "--check", "--dir", str(FIXTURES))
    assert status == 0 and err == ""
    assert out.strip().endswith("3 lessons checked: all lessons are sound")


def test_lessons_check_fails_with_file_line_reason(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_main(capsys, "lessons", "--check", "--dir", str(FIXTURES / "broken"))
    assert status == 2
    assert "bad-quiz.md:9: quiz: answer 'c' is not one of the choices" in err
    assert "bad-link.md:7: link 'cnntui:nosuchlab?x=1'" in err
    assert "4 problems" in out


def test_lessons_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(
        capsys, "lessons", "--check", "--json", "--dir", str(FIXTURES / "broken")
    )
    assert status == 2
    document = json.loads(out)
    assert document["ok"] is False
    assert {"file", "line", "reason"} <= set(document["problems"][0])


def test_bundled_lessons_pass_the_check(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped lessons must be sound: `cnntui lessons --check` is part of the suite."""
    status, out, err = run_main(capsys, "lessons", "--check")
    assert status == 0, err


def test_app_refuses_unknown_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_main(capsys, "--lesson", "no-such-lesson")
    assert status == 2
    assert err.startswith("cnntui: error: no lesson named 'no-such-lesson'")


def test_app_needs_a_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TEXTUAL", raising=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    status, _, err = run_main(capsys, "--ascii")
    assert status == 2 and "needs a terminal" in err


def test_doctor_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_main(capsys, "doctor", "--json")
    assert status == 0
    document = json.loads(out)
    for key in ("cnntui", "python", "numpy", "textual", "gpu", "terminal", "lessons", "advice"):
        assert key in document, key
    assert document["cnntui"] == __version__
    assert isinstance(document["gpu"]["available"], bool)
    assert document["gpu"]["available"] or document["gpu"]["reason"]
    assert document["terminal"]["color_system"] in (
        "truecolor",
        "256",
        "standard",
        "windows",
        "none",
    )
    assert all(isinstance(line, str) and line.strip() for line in document["advice"])


def test_doctor_text(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    status, out, _ = run_main(capsys, "doctor")
    assert status == 0
    assert "python" in out.lower() and "textual" in out.lower() and "gpu" in out.lower()
    assert "COLORTERM" in out


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cnntui", "lessons", "--json", "--dir", str(FIXTURES)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)["lessons"]) == 3
