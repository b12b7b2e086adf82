"""Hostile input, fuzzed: whatever a learner types or leaves on disk, cnntui answers in one line.

Each property feeds generated input to a public entry point (the command line, the spec reader,
the image reader, the settings and progress files, run folders) and checks the contract of
docs/hostile-input.md: exit status 0 or 2 with at most a one-line error, or a notice and the
defaults, never a traceback, an "internal error" or a hang. Examples are derandomised and few,
with a deadline each, so the suite takes seconds on two cores and fails the same way every time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnntui.cli import main
from cnntui.progress import Progress, load_progress, save_progress
from cnntui.settings import Settings, load_settings
from cnntui.train.checkpoint import FORMAT, VERSION
from cnntui.train.config import RunConfig
from cnntui.train.runs import list_runs

FUZZ = settings(
    max_examples=25,
    # Each call is bounded by `timed` below; this only stops a runaway example.
    deadline=timedelta(seconds=30),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_NUMBERS = [
    "0", "-1", "1", "3", "99", "1e400", "-1e400", "nan", "inf", "-inf", "1e1000000000",
    "9" * 60, "0x10", "1_0", "²", "", " ", "1/0", "3.5", "-0",
]  # fmt: skip
HOSTILE_TEXT = [
    "", "\x00", "../../etc/passwd", "/dev/zero", "/nonexistent/x", "a" * 300, "-", "--",
    "é", "💥", "\n", "'\"", "${HOME}", "%s%n", "lenet5",
]  # fmt: skip


def hostile_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_NUMBERS + HOSTILE_TEXT),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    )


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return status, out.getvalue(), err.getvalue()


def assert_one_line_answer(argv: list[str], status: int, out: str, err: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, (argv, err)
    assert status in (0, 2), (argv, status, err)
    if status == 2:
        assert err.count("\n") == 1 and err.startswith("cnntui"), (argv, err)
    if "--json" in argv and status == 0:
        json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))


def timed(seconds: float) -> contextlib.AbstractContextManager[None]:
    @contextlib.contextmanager
    def check() -> Any:
        started = time.perf_counter()
        yield
        assert time.perf_counter() - started < seconds

    return check()


# -- the command line -------------------------------------------------------------------------

OPTIONS: dict[str, list[str]] = {
    "summary": ["--input", "--depth", "--batch", "--width", "--option", "--json", "--ascii"],
    "export": ["-o", "--option", "--json", "--force"],
    "models": ["--json", "--trainable"],
    "pool": ["--image", "--kind", "--size", "--stride", "--values", "--json"],
    "lessons": ["--json", "--check", "--dir"],
    "train": ["--list-runs", "--resume", "--json"],
}
FLAGS = {"--json", "--ascii", "--trainable", "--values", "--check", "--list-runs", "--force"}


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(sorted(OPTIONS)))
    argv = [command]
    if command == "export":
        argv.append(draw(st.sampled_from(["pytorch", "onnx", ""])))
    if command in ("summary", "export"):
        argv.append(draw(st.sampled_from(["lenet5", "alexnet", "nonet", "", "x.toml", "-"])))
    for option in draw(st.lists(st.sampled_from(OPTIONS[command]), max_size=4)):
        argv.append(option)
        if option not in FLAGS:
            argv.append(draw(hostile_values()))
    if command == "export" and "-o" not in argv:
        argv += ["-o", "-"]  # never write into the working folder
    if command == "train" and not {"--list-runs", "--resume"} & set(argv):
        argv.append("--list-runs")  # never start a real training run here
    return argv


@FUZZ
@given(command_lines())
def test_command_line_arguments(argv: list[str]) -> None:
    # `lessons --check` renders every lesson in both languages (seconds on a busy machine): the
    # bound is there to catch a hang, not to time the renderer.
    bound = 20 if argv[:1] == ["lessons"] else 5
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder), timed(bound):
        status, out, err = run_cli(argv)
    assert_one_line_answer(argv, status, out, err)


@FUZZ
@given(st.lists(hostile_values(), min_size=1, max_size=4))
def test_top_level_arguments(argv: list[str]) -> None:
    # never the app itself: only what the command line refuses before starting it
    argv = ["--lesson", *argv] if argv[0] not in ("--version", "--help", "-h") else argv
    with timed(5):
        status, out, err = run_cli(argv)
    assert "Traceback" not in err and "internal error" not in err
    assert status == 2 and err.count("\n") == 1, (argv, status, err)


# -- spec files ---------------------------------------------------------------------------------

LAYER_TYPES = ["conv2d", "linear", "relu", "maxpool2d", "flatten", "concat", "block", "residual",
               "batchnorm2d", "dropout", "gap", "bogus", ""]  # fmt: skip
KEYS = ["out_channels", "kernel_size", "stride", "padding", "groups", "out_features", "p",
        "repeat", "block", "body", "branches", "name", "momentum", "in_channels"]  # fmt: skip
TOML_VALUES = ["1", "0", "-3", "3", "2.5", "inf", "nan", "1e308", "999999999", "true", '"a"',
               '"b"', '["a", "a"]', '["b"]', "[1, 2]", "[]", "{}", '"x\\ny"']  # fmt: skip


@st.composite
def spec_texts(draw: st.DrawFn) -> str:
    lines = [f"name = {json.dumps(draw(st.sampled_from(HOSTILE_TEXT)))}"]
    lines.append(draw(st.sampled_from(["input = [1, 8, 8]", 'input = "3x32x32"', "input = [0]",
                                       "input = [1, 99999999, 8]", ""])))  # fmt: skip
    if draw(st.booleans()):  # a sound start, so that some specs build and export
        lines += ["[[layers]]", 'type = "conv2d"', "out_channels = 2", "kernel_size = 3"]
    tables = ["layers"] * draw(st.integers(0, 3)) + [
        f"blocks.{name}.layers" for name in draw(st.lists(st.sampled_from("ab"), max_size=3))
    ]
    for table in tables:
        lines.append(f"[[{table}]]")
        lines.append(f"type = {json.dumps(draw(st.sampled_from(LAYER_TYPES)))}")
        for key in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True)):
            lines.append(f"{key} = {draw(st.sampled_from(TOML_VALUES))}")
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):  # damage it
        cut = draw(st.integers(0, len(text)))
        damage = ["", "[[", "\x00", "= =", "\ufeff", "]]", "\nx = " + "[" * 3000 + "]" * 3000]
        text = text[:cut] + draw(st.sampled_from(damage))
    return text


@FUZZ
@given(spec_texts())
def test_spec_files(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder, contextlib.chdir(folder):
        path = Path(folder) / "net.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        for argv in (["summary", str(path), "--json"], ["export", "pytorch", str(path), "-o", "-"]):
            with timed(5):
                status, out, err = run_cli(argv)
            assert_one_line_answer(argv, status, out, err)


@FUZZ
@given(st.binary(max_size=300))
def test_spec_files_of_random_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "net.toml"
        path.write_bytes(data)
        status, out, err = run_cli(["summary", str(path)])
    assert_one_line_answer(["summary"], status, out, err)


# -- images -------------------------------------------------------------------------------------

HEADERS = [b"", b"P5\n", b"P5\n4 4\n255\n", b"P2\n2 2\n255\n", b"P6\n1 1\n255\n",
           b"P5\n99999 99999\n255\n", b"P5\n2 2\n70000\n", b"\x89PNG\r\n\x1a\n",
           b"\xff\xd8\xff", b"GIF89a"]  # fmt: skip


@FUZZ
@given(
    st.sampled_from(HEADERS),
    st.binary(max_size=200),
    st.sampled_from([".pgm", ".ppm", ".png", ".jpg", ".txt", ".bin"]),
)
def test_image_files(header: bytes, body: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"picture{suffix}"
        path.write_bytes(header + body)
        argv = ["pool", "--image", str(path), "--json"]
        with timed(5):
            status, out, err = run_cli(argv)
    assert_one_line_answer(argv, status, out, err)


def test_special_files_as_images_and_specs(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.pgm"
    os.mkfifo(fifo)
    for argv in (
        ["pool", "--image", str(fifo)],
        ["pool", "--image", "/dev/zero"],
        ["summary", "/dev/zero"],
        ["summary", str(fifo)],
        ["export", "pytorch", str(tmp_path), "-o", "-"],
    ):
        with timed(5):
            status, out, err = run_cli(argv)
        assert status == 2 and err.count("\n") == 1, (argv, err)


# -- config and progress ------------------------------------------------------------------------

TOML_LINES = ['theme = "nord"', "ascii = true", 'device = "gpu"', "[keys]", '"a.b" = "n"',
              "theme = 5", "ascii = [", "device = 1e999", "x = " + "[" * 400, "keys = 3"]  # fmt: skip


@FUZZ
@given(st.one_of(st.binary(max_size=200), st.lists(st.sampled_from(TOML_LINES), max_size=5)))
def test_config_files(content: bytes | list[str]) -> None:
    data = content if isinstance(content, bytes) else "\n".join(content).encode()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(data)
        with timed(2):
            result, warnings = load_settings(path)
    assert isinstance(result, Settings)
    assert all(isinstance(w, str) and "\n" not in w for w in warnings)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=200),
        JSON_VALUES.map(lambda v: json.dumps(v).encode()),
        st.fixed_dictionaries(
            {"version": st.just(1)},
            optional={"read": JSON_VALUES, "solved": JSON_VALUES, "last_lesson": JSON_VALUES},
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_progress_files(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "progress.json"
        path.write_bytes(data)
        with timed(2):
            progress, warning = load_progress(path)
        assert isinstance(progress, Progress)
        assert warning is None or "\n" not in warning
        progress.mark_read("01-intro")
        save_progress(progress, path)
        again, warning = load_progress(path)
        assert warning is None and "01-intro" in again.read


# -- run folders --------------------------------------------------------------------------------


def good_run_info() -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "config": RunConfig(epochs=2).to_dict(),
        "checkpoint": "checkpoint-e0001-s0000010.npz",
        "epoch": 1,
        "history": [],
        "finished": False,
    }


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(["config", "checkpoint", "epoch", "history", "finished", "test",
                         "progress", "model_name", "updated", "version"]),
        JSON_VALUES,
        max_size=3,
    ),
    st.one_of(st.none(), st.binary(max_size=64)),
)  # fmt: skip
def test_run_folders(changes: dict[str, Any], checkpoint: bytes | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        run = root / "run"
        run.mkdir()
        (run / "run.json").write_text(json.dumps({**good_run_info(), **changes}), encoding="utf-8")
        if checkpoint is not None:
            (run / "checkpoint-e0001-s0000010.npz").write_bytes(checkpoint)
        problems: list[str] = []
        with timed(2):
            records = list_runs(root, problems)
        assert len(records) + len(problems) == 1 and all("\n" not in p for p in problems)
        argv = ["train", "--resume", str(run)]
        with timed(5):
            status, out, err = run_cli(argv)
    assert status == 2 and err.count("\n") == 1, (changes, err)
    assert "Traceback" not in err and "internal error" not in err
