"""The TOML network spec: parsing, line-precise problems, shapes, and robustness."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cnntui.errors import UsageError
from cnntui.zoo.spec import (
    EXAMPLE_SPEC,
    MAX_SPEC_BYTES,
    SpecError,
    SpecProblem,
    load_spec_file,
    load_spec_text,
    parse_shape,
    parse_spec,
    read_spec_file,
    save_spec_file,
    validate_text,
)
from cnntui.zoo.summary import summarize

LENET = """\
name = "lenet"
input = [1, 32, 32]

[[layers]]
type = "conv2d"
out_channels = 6
kernel_size = 5

[[layers]]
type = "relu"

[[layers]]
type = "maxpool2d"
kernel_size = 2

[[layers]]
type = "conv2d"
out_channels = 16
kernel_size = 5

[[layers]]
type = "relu"

[[layers]]
type = "maxpool2d"
kernel_size = 2

[[layers]]
type = "flatten"

[[layers]]
type = "linear"
in_features = 400
out_features = 120

[[layers]]
type = "relu"

[[layers]]
type = "linear"
out_features = 84

[[layers]]
type = "relu"

[[layers]]
type = "linear"
out_features = 10
"""


def test_lenet_spec_matches_the_zoo_count() -> None:
    built = load_spec_text(LENET)
    s = summarize(built.module, built.input_shape)
    assert s.total_params == 61_706
    assert built.output_shape == (10,)
    assert built.spec.name == "lenet"


def test_linear_mismatch_speaks_in_shapes_at_its_line() -> None:
    text = LENET.replace("input = [1, 32, 32]", "input = [1, 28, 28]")
    problems = validate_text(text)
    assert len(problems) == 1
    assert problems[0].line == text.splitlines().index("in_features = 400") + 1
    assert problems[0].message == "layer 8, linear: expects 400 inputs, gets 16×4×4 = 256"


def test_example_spec_is_valid() -> None:
    assert validate_text(EXAMPLE_SPEC) == []


def test_structural_problems_are_all_listed_with_lines() -> None:
    text = 'input = [1, 8, 8]\n\n[[layers]]\ntype = "conv"\nout_channels = 0\nkernel = 3\n\n[[layers]]\ntype = "softmaxx"\n'
    problems = validate_text(text)
    messages = [(p.line, p.message) for p in problems]
    assert (3, "layer 1, conv2d: missing kernel_size") in messages
    assert (5, "layer 1, conv2d: out_channels must be at least 1, got 0") in messages
    assert any(line == 6 and "unknown argument 'kernel'" in m for line, m in messages)
    assert any(line == 9 and "unknown layer type 'softmaxx'" in m for line, m in messages)


def test_toml_syntax_errors_have_a_line() -> None:
    problems = validate_text('input = [1, 8, 8]\n[[layers]]\ntype = "relu\n')
    assert problems[0].line == 3
    assert problems[0].message.startswith("not valid TOML")


def test_shape_error_at_the_failing_layer() -> None:
    text = 'input = "1x8x8"\n[[layers]]\ntype = "conv2d"\nout_channels = 4\nkernel_size = 9\n'
    [problem] = validate_text(text)
    assert problem.line == 2
    assert problem.message.startswith("layer 1, conv2d: gets 1×8×8")
    [problem] = validate_text(
        'input = [10]\n[[layers]]\ntype = "conv2d"\nout_channels = 4\nkernel_size = 3\n'
    )
    assert "needs a C×H×W input" in problem.message
    [problem] = validate_text('input = [2, 4, 4]\n[[layers]]\ntype = "linear"\nout_features = 3\n')
    assert "add a flatten layer" in problem.message and "2×4×4 = 32" in problem.message


def test_blocks_repeat_residual_and_concat() -> None:
    text = """
name = "mini"
input = "3x16x16"

[[layers]]
type = "conv2d"
name = "stem"
out_channels = 8
kernel_size = 3
padding = 1

[[layers]]
type = "residual"
name = "res"
body = "pair"
activation = "relu"
repeat = 3

[[layers]]
type = "residual"
body = "down"
shortcut = "proj"

[[layers]]
type = "concat"
branches = ["a", "b"]

[[layers]]
type = "gap"

[[layers]]
type = "fc"
out_features = 5

[blocks.pair]
[[blocks.pair.layers]]
type = "conv2d"
out_channels = 8
kernel_size = 3
padding = 1
[[blocks.pair.layers]]
type = "bn"

[blocks.down]
[[blocks.down.layers]]
type = "conv2d"
out_channels = 16
kernel_size = 3
stride = 2
padding = 1

[blocks.proj]
[[blocks.proj.layers]]
type = "conv2d"
out_channels = 16
kernel_size = 1
stride = 2

[blocks.a]
[[blocks.a.layers]]
type = "conv2d"
out_channels = 4
kernel_size = 1

[blocks.b]
[[blocks.b.layers]]
type = "maxpool2d"
kernel_size = 3
stride = 1
padding = 1
"""
    built = load_spec_text(text)
    s = summarize(built.module, built.input_shape)
    assert built.output_shape == (5,)
    assert s.layer("stem").output_shape == (8, 16, 16)
    assert s.layer("res").type == "Sequential"
    assert s.layer("res.2").type == "Residual"
    assert s.layer("2").output_shape == (16, 8, 8)
    assert s.layer("3").output_shape == (20, 8, 8)
    # stem 224 + 3 × (576 + 8 + 16) + (1152 + 16) + (128 + 16) + (64 + 4) + (20·5 + 5)
    assert s.total_params == 224 + 3 * 600 + 1168 + 144 + 68 + 105


def test_reference_and_cycle_problems() -> None:
    text = 'input = [1, 4, 4]\n[[layers]]\ntype = "block"\nblock = "nope"\n'
    [problem] = validate_text(text)
    assert problem.line == 4 and "no block called 'nope'" in problem.message
    text = 'input = [1, 4, 4]\n[[layers]]\ntype = "block"\nblock = "a"\n[blocks.a]\n[[blocks.a.layers]]\ntype = "block"\nblock = "a"\n'
    assert "contains itself" in validate_text(text)[0].message


def test_parse_shape_forms() -> None:
    assert parse_shape("3x224x224") == (3, 224, 224)
    assert parse_shape("3×32×32") == (3, 32, 32)
    assert parse_shape([10]) == (10,)
    for bad in ("3x", "axb", [1, 2], [0, 2, 2], "1x-2x3", [True, 1, 1], 5):
        with pytest.raises(ValueError):
            parse_shape(bad)


def test_spec_files(tmp_path: Path) -> None:
    good = tmp_path / "net.toml"
    good.write_text(LENET)
    assert load_spec_file(good).output_shape == (10,)
    with pytest.raises(SpecError, match="cannot read"):
        load_spec_file(tmp_path / "missing.toml")
    binary = tmp_path / "weights.toml"
    binary.write_bytes(b"\x80\x04\x95 pickle")
    with pytest.raises(SpecError, match="UTF-8"):
        load_spec_file(binary)
    broken = tmp_path / "broken.toml"
    broken.write_text("input = [1, 2, 2]\n")
    with pytest.raises(SpecError, match="broken.toml: .*no layers"):
        load_spec_file(broken)


def test_parse_spec_raises_spec_error_only() -> None:
    with pytest.raises(SpecError):
        parse_spec("")


LAYER_TYPES = [
    "conv2d",
    "linear",
    "relu",
    "maxpool2d",
    "flatten",
    "block",
    "residual",
    "concat",
    "gap",
    "bn",
    "dropout",
    "nonsense",
    "convtranspose2d",
    "avgpool2d",
    "lrn",
]
VALUES = st.one_of(
    st.integers(-3, 40),
    st.floats(allow_nan=True),
    st.booleans(),
    st.text(max_size=6),
    st.lists(st.integers(-2, 9), max_size=3),
)
ARG_NAMES = [
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "out_features",
    "in_features",
    "groups",
    "block",
    "body",
    "branches",
    "repeat",
    "p",
    "name",
    "in_channels",
    "bogus",
]


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else (
                "inf"
                if value == float("inf")
                else "-inf"
                if value == float("-inf")
                else repr(value)
            )
        )
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


@st.composite
def spec_texts(draw) -> str:
    lines = [
        f"input = {_toml_value(draw(st.one_of(st.lists(st.integers(-1, 12), max_size=4), st.text(max_size=8))))}"
    ]
    for section in ("layers", "blocks.b.layers"):
        for _ in range(draw(st.integers(0, 4))):
            lines.append(f"[[{section}]]")
            lines.append(f'type = "{draw(st.sampled_from(LAYER_TYPES))}"')
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"{draw(st.sampled_from(ARG_NAMES))} = {_toml_value(draw(VALUES))}")
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec_texts())
def test_generated_specs_never_crash(text: str) -> None:
    problems = validate_text(text)
    for problem in problems:
        assert isinstance(problem.line, int) and problem.line >= 0
        assert problem.message and "\n" not in problem.message


def check_problems(text: str, problems: list[SpecProblem]) -> None:
    """Problems are one-line messages at a line of `text` (0: the whole spec), and there are
    none exactly when the spec builds."""
    lines = text.count("\n") + 1
    for problem in problems:
        assert isinstance(problem, SpecProblem) and 0 <= problem.line <= lines
        assert problem.message and "\n" not in problem.message
    try:
        load_spec_text(text)
    except SpecError:
        assert problems
    else:
        assert problems == []


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
@example("'\x1e0")  # \x1e splits lines for `str.splitlines`, not for TOML
@example("a = [\x0c")
def test_arbitrary_text_never_crashes(text: str) -> None:
    check_problems(text, validate_text(text))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(EXAMPLE_SPEC)), st.integers(1, 30))
def test_truncated_or_damaged_example_never_crashes(cut: int, width: int) -> None:
    damaged = EXAMPLE_SPEC[:cut] + EXAMPLE_SPEC[cut + width :]
    check_problems(damaged, validate_text(damaged))


def test_engine_argument_errors_are_reported_at_the_layer() -> None:
    text = 'input = [1, 8, 8]\n[[layers]]\ntype = "maxpool2d"\nkernel_size = 2\npadding = 5\n'
    [problem] = validate_text(text)
    assert problem.line == 2 and problem.message.startswith("layer 1, maxpool2d:")
    text = 'input = [3, 8, 8]\n[[layers]]\ntype = "conv2d"\nout_channels = 4\nkernel_size = 1\ngroups = 2\n'
    [problem] = validate_text(text)
    assert problem.line == 6 and "groups=2 must divide" in problem.message


def test_runaway_repeats_are_refused() -> None:
    text = """
input = [1, 4, 4]
[[layers]]
type = "block"
block = "a"
repeat = 1000
[blocks.a]
[[blocks.a.layers]]
type = "relu"
repeat = 1000
"""
    [problem] = validate_text(text)
    assert "more than 5,000 layers" in problem.message


def test_spec_files_round_trip_atomically(tmp_path: Path) -> None:
    target = tmp_path / "nets" / "mine.toml"
    target.parent.mkdir()  # a missing folder above a path the user named is never created
    save_spec_file(target, EXAMPLE_SPEC)
    assert read_spec_file(target) == EXAMPLE_SPEC
    save_spec_file(target, "# replaced\n")
    assert read_spec_file(target) == "# replaced\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["mine.toml"]  # no temp file left


def test_spec_files_refuse_what_is_not_a_spec(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot open .*missing.toml"):
        read_spec_file(tmp_path / "missing.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(UsageError, match="binary.toml is not UTF-8 text"):
        read_spec_file(binary)
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    with pytest.raises(UsageError, match="larger than 1 MiB"):
        read_spec_file(huge)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(UsageError, match="cannot write"):
        save_spec_file(blocker / "mine.toml", EXAMPLE_SPEC)
