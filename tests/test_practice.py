"""Generated practice questions: valid, reproducible, and answered by the arithmetic."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest

from cnntui import practice
from cnntui.calc.layer import conv_output_size


@pytest.mark.parametrize("kind", practice.KINDS)
def test_questions_have_prompt_answer_explanation(kind):
    rng = np.random.default_rng(0)
    for _ in range(50):
        question = practice.generate(kind, rng)
        assert question.kind == kind
        assert question.prompt.endswith("?")
        assert isinstance(question.answer, int) and question.answer > 0
        assert str(question.answer) in question.explanation.replace(",", "")


def test_output_size_answers_are_right():
    rng = random.Random(3)
    pattern = re.compile(
        r"A (\d+)×\d+ input goes through a (\d+)×\d+ convolution with stride (\d+), padding (\d+)"
        r"(?:, dilation (\d+))?"
    )
    for _ in range(100):
        question = practice.generate("output-size", rng)
        size, kernel, stride, padding, dilation = pattern.match(question.prompt).groups()
        expected = conv_output_size(
            int(size), int(kernel), int(stride), int(padding), int(dilation or 1)
        )
        assert question.answer == expected


def test_param_count_answers_are_right():
    rng = np.random.default_rng(5)
    pattern = re.compile(
        r"a (\d+)×\d+ convolution from (\d+) to (\d+) channels have, (without|with)"
    )
    for _ in range(100):
        question = practice.generate("param-count", rng)
        k, cin, cout, bias = pattern.search(question.prompt).groups()
        expected = int(k) ** 2 * int(cin) * int(cout) + (int(cout) if bias == "with" else 0)
        assert question.answer == expected


def test_same_seed_same_questions_and_checking():
    first = [practice.generate("output-size", np.random.default_rng(9)) for _ in range(2)]
    assert first[0] == first[1]
    question = practice.generate("param-count", random.Random(1))
    assert question.check(f"{question.answer:,}")
    assert question.check(f" {question.answer} ")
    assert not question.check(str(question.answer + 1))
    assert not question.check("many")
    with pytest.raises(ValueError, match="output-size, param-count"):
        practice.generate("trivia", None)
