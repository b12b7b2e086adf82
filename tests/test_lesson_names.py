"""`--lesson` takes a file name or a unique part of one; counts say "1 lesson", not "1 lessons"."""

from __future__ import annotations

import re

import pytest

from cnntui.cli import build_parser
from cnntui.errors import UsageError
from cnntui.lesson_names import plural, resolve_lesson
from cnntui.resources import lessons_dir

NAMES = ["03-convolution", "04-convolution-in-depth", "05-pooling", "12-resnet"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("05-pooling", "05-pooling"),
        ("05-pooling.md", "05-pooling"),
        ("pooling", "05-pooling"),
        ("POOL", "05-pooling"),
        ("convolution", "03-convolution"),  # the whole name after the number beats "contains"
        ("in-depth", "04-convolution-in-depth"),
        ("12", "12-resnet"),
    ],
)
def test_a_unique_part_names_a_lesson(typed: str, expected: str) -> None:
    assert resolve_lesson(typed, NAMES) == expected


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("conv", "ambiguous: it could be 03-convolution, 04-convolution-in-depth"),
        ("nothing", "no lesson named 'nothing'; known lessons: 03-convolution"),
        ("", "no lesson named ''"),
        ("../05-pooling", "no lesson named"),
    ],
)
def test_no_or_several_matches_are_one_line_errors(typed: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        resolve_lesson(typed, NAMES)


def test_the_help_examples_name_real_lessons() -> None:
    help_text = " ".join(build_parser().format_help().split())
    examples = re.search(r"e\.g\. (\S+) or (\S+?) --ascii", help_text)
    assert examples is not None
    names = [p.stem for p in lessons_dir().glob("*.md") if not p.name.startswith(("_", "."))]
    for example in examples.groups():
        assert resolve_lesson(example, names) == "05-pooling"


def test_plural() -> None:
    assert [plural(n, "lesson") for n in (0, 1, 2)] == ["0 lessons", "1 lesson", "2 lessons"]
