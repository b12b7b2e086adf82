"""Generated practice questions: output sizes and parameter counts with random, always-valid values.

`generate(kind, rng)` returns a `Question` whose `answer` is a whole number computed by
`cnntui.calc.layer` (the calculator's own code), and whose `explanation` shows the working.
The calculator's "quiz me" and lesson quiz blocks (`generator = "output-size"`) both use it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from cnntui.calc.layer import FeatureShape, LayerReport, LayerSpec, analyze_layer, report_notes
from cnntui.errors import ShapeError
from cnntui.i18n import N_, Message, Text, _

KINDS = ("output-size", "param-count")
"""The kinds of question `generate` can make."""


@dataclass(frozen=True)
class Question:
    """One practice question with its number answer and the working that explains it.

    The texts are kept as `Message`s, so `prompt` and `explanation` read in the language current
    when they are read: a question on show follows a language switch (F2).
    """

    kind: str
    prompt_text: Text
    answer: int
    explanation_text: Text

    @property
    def prompt(self) -> str:
        return str(self.prompt_text)

    @property
    def explanation(self) -> str:
        return str(self.explanation_text)

    def check(self, reply: str) -> bool:
        """True when `reply` (text typed by the learner, commas allowed) equals the answer."""
        cleaned = reply.strip().replace(",", "").replace("_", "").replace(" ", "")
        try:
            return int(cleaned) == self.answer
        except ValueError:
            try:
                return float(cleaned) == float(self.answer)
            except ValueError:
                return False


def generate(kind: str, rng: Any = None) -> Question:
    """A random question of this kind.

    Args:
        kind: one of `KINDS`.
        rng: a `numpy.random.Generator`, a `random.Random`, or None for a fresh unseeded one.

    Raises:
        ValueError: for an unknown kind (the message names the valid ones).
    """
    draw = _drawer(rng)
    if kind == "output-size":
        return _output_size(draw)
    if kind == "param-count":
        return _param_count(draw)
    raise ValueError(f"unknown practice kind {kind!r}; use one of {', '.join(KINDS)}")


def _drawer(rng: Any):  # type: ignore[no-untyped-def]
    """A function `draw(choices)` picking one item, whatever kind of generator was given."""
    if rng is None:
        rng = random.Random()
    if hasattr(rng, "integers"):
        return lambda choices: choices[int(rng.integers(0, len(choices)))]
    return lambda choices: choices[rng.randrange(len(choices))]


def _output_size(draw) -> Question:  # type: ignore[no-untyped-def]
    for _attempt in range(200):
        size = draw([5, 6, 7, 9, 12, 14, 16, 28, 32, 56, 64, 112, 224, 227])
        kernel = draw([1, 2, 3, 3, 5, 7, 11])
        stride = draw([1, 1, 2, 2, 3, 4])
        padding = draw([0, 0, 1, 2, 3])
        dilation = draw([1, 1, 1, 2])
        try:
            report = analyze_layer(
                LayerSpec.make("conv", kernel, stride, padding, dilation, filters=1),
                FeatureShape(size, size, 1),
            )
        except ShapeError:
            continue
        values = {"size": size, "kernel": kernel, "stride": stride, "padding": padding}
        prompt = (
            Message(
                N_(
                    "A {size}×{size} input goes through a {kernel}×{kernel} convolution with"
                    " stride {stride}, padding {padding}, dilation {dilation}. What is the output"
                    " height?"
                ),
                dilation=dilation,
                **values,
            )
            if dilation != 1
            else Message(
                N_(
                    "A {size}×{size} input goes through a {kernel}×{kernel} convolution with"
                    " stride {stride}, padding {padding}. What is the output height?"
                ),
                **values,
            )
        )
        working = report.axes[0]
        # the frame holds no words: a formula, its numbers, then the first note (if any)
        explanation = Message(
            "{formula}: {plugged}.{note}",
            formula=working.formula,
            plugged=working.plugged,
            note=_FirstNote(report),
        )
        return Question("output-size", prompt, report.output.height, explanation)
    raise RuntimeError("no valid output-size question found")  # pragma: no cover


def _param_count(draw) -> Question:  # type: ignore[no-untyped-def]
    kernel = draw([1, 3, 3, 5, 7])
    in_channels = draw([1, 3, 16, 32, 64, 96, 128])
    filters = draw([6, 8, 16, 32, 64, 128, 256])
    bias = draw([True, True, False])
    report = analyze_layer(
        LayerSpec.make("conv", kernel, 1, 0, filters=filters, bias=bias),
        FeatureShape(32, 32, in_channels),
    )
    values = {"kernel": kernel, "in_channels": in_channels, "filters": filters}
    prompt = Message(
        N_(
            "How many parameters does a {kernel}×{kernel} convolution from {in_channels} to"
            " {filters} channels have, with bias?"
        )
        if bias
        else N_(
            "How many parameters does a {kernel}×{kernel} convolution from {in_channels} to"
            " {filters} channels have, without bias?"
        ),
        **values,
    )
    explanation = Message(
        N_(
            "Each of the {filters} filters has {kernel}·{kernel}·{in_channels} weights plus one"
            " bias: {formula}. The input's height and width do not matter."
        )
        if bias
        else N_(
            "Each of the {filters} filters has {kernel}·{kernel}·{in_channels} weights:"
            " {formula}. The input's height and width do not matter."
        ),
        formula=report.param_formula,
        **values,
    )
    return Question("param-count", prompt, report.params, explanation)


@dataclass(frozen=True)
class _FirstNote:
    """The report's first note as a sentence after the working (" Note."), in the language
    current when it is formatted; empty when the layer has none."""

    report: LayerReport

    def __format__(self, spec: str) -> str:
        notes, _suggestions = report_notes(self.report, _)
        if not notes:
            return ""
        return format(" " + notes[0][0].upper() + notes[0][1:] + ".", spec)
