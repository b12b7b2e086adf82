"""The bundled lessons: every one renders, parses, quizzes, cites, and types no unsourced number.

The number-provenance rule: a number written in lesson prose must come from a `{{ ... }}`
expression (computed by the engine, or a sourced fact from assets/facts.toml). Exempt, because they
are not claims that could drift from the engine or the literature:

* whole numbers 0 to 10, and decimals below 1 (probabilities, small example values);
* years (1940 to 2030, written without a separator);
* kernel sizes written N×N with N up to 11 (`3×3`, `11×11`);
* numbers that are part of a name (`ResNet-50`, `conv5`, `top-5`, `ILSVRC-2012`, `float32`);
* Markdown list ordinals at the start of a line;
* a whole number that is also a literal input of an expression in the same lesson (`Input 227`
  next to `{{ outsize 227 11 0 4 }}`: it is the stated input of a computation shown there);
* the References section, link targets, URLs and inline `code`.

Percentages are never exempt.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from cnntui import lessons as lesson_parser
from cnntui.lesson_template import EXPRESSION, TemplateError, render
from cnntui.resources import lessons_dir

LESSON_DIR = lessons_dir()
LESSON_FILES = sorted(LESSON_DIR.glob("*.md"))
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")
KERNEL_SIZE = re.compile(r"(?<![\d.,])(\d+)\s*[×x]\s*(\d+)(?!\d|[.,]\d)")
ORDINAL = re.compile(r"^\s*\d+\.\s", re.MULTILINE)
LINK_TARGET = re.compile(r"\]\([^)]*\)")
URL = re.compile(r"(?:https?://|cnntui:)\S+")
INLINE_CODE = re.compile(r"`[^`\n]*`")
FRONT_MATTER = re.compile(r"\A\+\+\+\n.*?\n\+\+\+\n", re.DOTALL)
QUIZ_BLOCK = re.compile(r"^```quiz\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def lesson_id(path: Path) -> str:
    return path.stem


def body_of(path: Path) -> str:
    return FRONT_MATTER.sub("", path.read_text(encoding="utf-8"), count=1)


def without_references(text: str) -> str:
    """Drop the References section (citations carry volumes, pages and arXiv numbers)."""
    return re.sub(r"^## References\n.*?(?=^## |\Z)", "", text, flags=re.DOTALL | re.MULTILINE)


def template_operands(text: str) -> set[str]:
    """Whole numbers written literally inside `{{ ... }}` expressions of a lesson."""
    found: set[str] = set()
    for match in EXPRESSION.finditer(text):
        found.update(re.findall(r"(?<![\w.])\d+(?![\w.])", match.group(1)))
    return found


def stray_numbers(text: str) -> list[tuple[int, str]]:
    """(line, number) for each number in the prose that breaks the provenance rule."""
    operands = template_operands(text)
    prose = without_references(text)
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(prose.splitlines(), start=1):
        line = EXPRESSION.sub(" ", line)
        line = LINK_TARGET.sub("]", line)
        line = URL.sub(" ", line)
        line = INLINE_CODE.sub(" ", line)
        line = ORDINAL.sub(" ", line)
        line = KERNEL_SIZE.sub(
            lambda m: " " if int(m.group(1)) <= 11 and int(m.group(2)) <= 11 else m.group(0), line
        )
        for match in NUMBER.finditer(line):
            token = match.group(0).rstrip(",")
            before = line[: match.start()]
            if before and (before[-1].isalpha() or before[-1] == "_"):
                if not (before[-1] == "x" and before[-2:-1].isdigit()):
                    continue  # conv5, float32 (but 7x512 is a shape, not a name)
            if len(before) >= 2 and before[-1] == "-" and before[-2].isalpha():
                continue  # ResNet-50, top-5, ILSVRC-2012
            if before.endswith(("^", ".")) and not before.endswith(" ."):
                continue  # an exponent written 2^N is checked through its expression
            if is_exempt(token, operands):
                continue
            problems.append((number, token))
    return problems


def is_exempt(token: str, operands: set[str]) -> bool:
    if token.endswith("%"):
        return False
    plain = token.replace(",", "")
    if "." in plain:
        return float(plain) < 1
    value = int(plain)
    if value <= 10:
        return True
    if "," not in token and 1940 <= value <= 2030:
        return True
    return plain in operands


# -- the checker itself -------------------------------------------------------------------------


def test_provenance_checker_flags_typed_numbers() -> None:
    text = "VGG-16 has 138,357,544 parameters and a 3×3 kernel; top-5 error 15.3%."
    assert stray_numbers(text) == [(1, "138,357,544"), (1, "15.3%")]


def test_provenance_checker_accepts_computed_and_exempt_numbers() -> None:
    text = (
        "In 2012, {{ params vgg16 }} weights, 11×11 kernels, ResNet-152, conv5, 0.34, 7 maps.\n"
        "Input 227 gives {{ outsize 227 11 0 4 }}.\n"
        "## References\n\n- Proc. IEEE 86(11):2278-2324.\n"
    )
    assert stray_numbers(text) == []


def test_provenance_checker_does_not_exempt_percentages_or_big_kernels() -> None:
    assert stray_numbers("a 5.1% error") == [(1, "5.1%")]
    assert stray_numbers("a 227×227 image") == [(1, "227"), (1, "227")]


# -- the lessons ----------------------------------------------------------------------------------


def test_the_syllabus_is_complete() -> None:
    assert len(LESSON_FILES) >= 15
    names = [p.stem for p in LESSON_FILES]
    for topic in (
        "why-deep-learning",
        "imagenet",
        "convolution",
        "pooling",
        "typical-cnn",
        "lenet",
        "alexnet",
        "vgg",
        "network-in-network",
        "googlenet",
        "resnet",
        "transfer",
        "generative",
        "gan",
        "why-deep-learning-works",
    ):
        assert any(topic in name for name in names), topic


@pytest.mark.parametrize("path", LESSON_FILES, ids=lesson_id)
def test_lesson_renders(path: Path) -> None:
    rendered = render(body_of(path))
    assert "{{" not in rendered and "}}" not in rendered


@pytest.mark.parametrize("path", LESSON_FILES, ids=lesson_id)
def test_lesson_parses_without_problems(path: Path) -> None:
    lesson = lesson_parser.parse_lesson(path)
    assert lesson.problems == [], [str(p) for p in lesson.problems]
    assert lesson.title and lesson.chapter and lesson.summary


def test_all_lessons_load_and_links_resolve() -> None:
    problems = lesson_parser.check_lessons(LESSON_DIR)
    assert problems == [], [str(p) for p in problems]


@pytest.mark.parametrize("path", LESSON_FILES, ids=lesson_id)
def test_no_unsourced_numbers(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    offset = text.count("\n") - body_of(path).count("\n")
    stray = [(line + offset, number) for line, number in stray_numbers(body_of(path))]
    assert stray == [], (
        f"{path.name}: numbers (file line, number) neither computed nor sourced: {stray}"
    )


@pytest.mark.parametrize("path", LESSON_FILES, ids=lesson_id)
def test_lesson_has_references_and_two_fixed_quizzes(path: Path) -> None:
    lesson = lesson_parser.parse_lesson(path)
    fixed = [q for q in lesson.quizzes if q.generator is None]
    assert len(fixed) >= 2
    assert re.search(r"^## References\n\n- ", lesson.body, re.MULTILINE)


@pytest.mark.parametrize("path", LESSON_FILES, ids=lesson_id)
def test_numeric_quiz_answers_come_from_the_engine(path: Path) -> None:
    """A numeric answer above 10, or a fractional one, is an expression, so it agrees with the
    engine by construction; the rendered answers are numbers the quiz parser accepts."""
    raw_blocks = QUIZ_BLOCK.findall(body_of(path))
    rendered_blocks = QUIZ_BLOCK.findall(render(body_of(path)))
    assert len(raw_blocks) == len(rendered_blocks)
    for raw, rendered in zip(raw_blocks, rendered_blocks):
        answer_line = next((ln for ln in raw.splitlines() if ln.startswith("answer")), "")
        value = answer_line.partition("=")[2].strip()
        if not value or value.startswith('"'):
            continue
        if "{{" not in value:
            assert float(value).is_integer() and float(value) <= 10, (
                f"{path.name}: typed answer {value}"
            )
        assert isinstance(tomllib.loads(rendered)["answer"], int | float)


CODE_WIDTH = 48
"""Columns a code block line may use: what the lesson pane shows without clipping at 80×24."""


@pytest.mark.parametrize("path", LESSON_FILES, ids=lesson_id)
def test_code_blocks_are_plain_ascii_and_fit_80_columns(path: Path) -> None:
    lesson = lesson_parser.parse_lesson(path)
    inside = quiz = False
    for line in lesson.body.splitlines():
        if line.lstrip().startswith("```"):
            inside, quiz = not inside, line.lstrip().startswith("```quiz")
            continue
        if inside:
            assert line.isascii(), f"{path.name}: non-ASCII in a code block: {line!r}"
            if not quiz:  # quiz blocks are TOML read by the quiz widget, which wraps its text
                assert len(line) <= CODE_WIDTH, (
                    f"{path.name}: code line wider than {CODE_WIDTH}: {line!r}"
                )


def test_convolution_lesson_offers_generated_practice() -> None:
    lesson = lesson_parser.parse_lesson(LESSON_DIR / "03-convolution.md")
    generators = {q.generator for q in lesson.quizzes if q.generator}
    assert generators == {"output-size", "param-count"}


def test_lesson_orders_are_unique() -> None:
    orders = [lesson_parser.parse_lesson(p).order for p in LESSON_FILES]
    assert len(orders) == len(set(orders))


def test_a_broken_expression_names_its_line() -> None:
    with pytest.raises(TemplateError) as caught:
        render("fine\n\n{{ params nosuchnet }}\n")
    assert caught.value.line == 3


def test_every_fact_is_quoted_somewhere() -> None:
    """The facts file holds only figures that a lesson (or the zoo's ILSVRC notes) quotes."""
    from cnntui.facts import load_facts
    from cnntui.zoo import facts as zoo_facts

    quoted = "".join(p.read_text(encoding="utf-8") for p in LESSON_FILES)
    quoted += " ".join(key for key, _ in zoo_facts.FAMILY_FACTS.values())
    unused = [key for key in load_facts() if key not in quoted]
    assert unused == []


TABLE_WIDTH = 48
"""Columns a Markdown table may need (its longest word per column, plus borders) so that the
lesson pane at 80×24 never truncates a number."""
SEPARATOR_ROW = re.compile(r"^\|[-:| ]+\|$")


def markdown_tables(body: str) -> list[list[list[str]]]:
    """Every table outside code blocks, as rows of cells (separator row dropped)."""
    found: list[list[list[str]]] = []
    lines = body.splitlines()
    index, inside = 0, False
    while index < len(lines):
        line = lines[index]
        if line.startswith("```"):
            inside = not inside
        elif (
            not inside
            and line.startswith("|")
            and index + 1 < len(lines)
            and SEPARATOR_ROW.match(lines[index + 1])
        ):
            rows = []
            while index < len(lines) and lines[index].startswith("|"):
                if not SEPARATOR_ROW.match(lines[index]):
                    cells = lines[index].replace("\\|", "/").strip().strip("|")  # an escaped pipe
                    rows.append([cell.strip().replace("**", "") for cell in cells.split("|")])
                index += 1
            found.append(rows)
            continue
        index += 1
    return found


def needed_width(rows: list[list[str]]) -> int:
    columns = max(len(r) for r in rows)
    longest = [
        max(
            (
                max((len(word) for word in row[c].split()), default=0)
                for row in rows
                if c < len(row)
            ),
            default=0,
        )
        for c in range(columns)
    ]
    return sum(longest) + 3 * columns + 1


@pytest.mark.parametrize("path", LESSON_FILES, ids=lesson_id)
def test_tables_fit_the_lesson_pane_at_80_columns(path: Path) -> None:
    lesson = lesson_parser.parse_lesson(path)
    for rows in markdown_tables(lesson.body):
        assert needed_width(rows) <= TABLE_WIDTH, f"{path.name}: table too wide: {rows[0]}"
