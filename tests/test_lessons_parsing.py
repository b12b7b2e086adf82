"""Lesson discovery and parsing: front matter, quizzes, links, problems with file and line."""

from __future__ import annotations

import math
import sys
import types
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest

from cnntui import lessons as lessons_module
from cnntui.lessons import (
    PRESET_VALIDATORS,
    Quiz,
    answer_matches,
    chapters,
    check_lessons,
    find_lesson,
    find_links,
    link_problems,
    load_lessons,
    parse_lesson,
    parse_link,
    parse_number,
    search_lessons,
)

FIXTURES = Path(__file__).parent / "fixtures" / "lessons"
BROKEN = FIXTURES / "broken"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


FRONT = '+++\ntitle = "T"\nchapter = "C"\norder = 1\nsummary = "S"\n+++\n'


def test_fixture_lessons_load_in_reading_order() -> None:
    lessons = load_lessons(FIXTURES)
    assert [lesson.name for lesson in lessons] == ["01-convolution", "02-pooling", "03-lenet"]
    assert all(lesson.ok for lesson in lessons), [str(p) for l in lessons for p in l.problems]
    assert [name for name, _ in chapters(lessons)] == ["Basics", "Architectures"]
    first = lessons[0]
    assert (first.title, first.chapter, first.order) == ("Convolution", "Basics", 1.0)
    assert first.summary.startswith("A kernel slides")
    assert first.body_line == 7


def test_quizzes_split_the_body_in_reading_order() -> None:
    lesson = find_lesson(load_lessons(FIXTURES), "01-convolution")
    assert lesson is not None
    kinds = [type(part).__name__ for part in lesson.parts]
    assert kinds == ["str", "Quiz", "Quiz"]
    numeric, choice = lesson.quizzes
    assert numeric.id == "quiz-1" and numeric.answer == 24.0 and numeric.is_numeric
    assert numeric.line == 29  # the fence line in the file
    assert (
        choice.id == "same-padding" and choice.choices == ("0", "1", "2") and choice.answer == "1"
    )
    assert "```quiz" not in lesson.text
    assert "| input | kernel |" in lesson.text


def test_chapter_order_follows_the_smallest_order_in_it(tmp_path: Path) -> None:
    write(tmp_path, "b.md", '+++\ntitle = "B"\nchapter = "Later"\norder = 5\n+++\n')
    write(tmp_path, "a.md", '+++\ntitle = "A"\nchapter = "First"\norder = 2\n+++\n')
    write(tmp_path, "c.md", '+++\ntitle = "C"\nchapter = "First"\norder = 9\n+++\n')
    assert [lesson.name for lesson in load_lessons(tmp_path)] == ["a", "c", "b"]


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("no front matter\n", 1, "no front matter"),
        ('+++\ntitle = "x"\n', 1, "never closed"),
        ('+++\ntitle = "x\nchapter = "c"\n+++\n', 2, "bad TOML"),
        ('+++\ntitle = "x"\norder = 1\n+++\n', 1, "missing 'chapter'"),
        ('+++\ntitle = "x"\nchapter = "c"\norder = "one"\n+++\n', 4, "'order' must be a number"),
        (
            '+++\ntitle = "x"\nchapter = "c"\norder = 1\nauthor = "me"\n+++\n',
            5,
            "unknown key 'author'",
        ),
        ('+++\ntitle = 3\nchapter = "c"\norder = 1\n+++\n', 2, "'title' must be a string"),
    ],
)
def test_front_matter_problems_name_the_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    lesson = parse_lesson(write(tmp_path, "x.md", text))
    assert not lesson.ok
    problem = lesson.problems[0]
    assert problem.line == line
    assert fragment in problem.reason
    assert str(problem).startswith(f"x.md:{line}: ")


QUIZ_CASES = [
    ('question = "q"\nanswer = 1\ncolour = 2', "unknown key 'colour'"),
    ("answer = 1", "needs a question"),
    ('question = "q"', "needs an answer"),
    ('question = "q"\nanswer = true', "answer must be a number or a string"),
    ('question = "q"\nanswer = 1\ntolerance = -1', "tolerance must be a number >= 0"),
    ('question = "q"\nanswer = "a"\ntolerance = 1', "tolerance only applies"),
    ('question = "q"\nchoices = ["a", "b"]\nanswer = "c"', "not one of the choices"),
    ('question = "q"\nchoices = ["a"]\nanswer = "a"', "at least two"),
    ('question = "q"\nchoices = ["a", "a"]\nanswer = "a"', "repeat"),
    ('generator = "colour"', "generator must be one of"),
    ('generator = "output-size"\nanswer = 3', "takes no 'answer'"),
    ('question = "q"\nanswer = 1\nid = "has space"', "id must be"),
]


@pytest.mark.parametrize(("block", "fragment"), QUIZ_CASES)
def test_bad_quizzes_are_problems_with_their_line(
    tmp_path: Path, block: str, fragment: str
) -> None:
    text = FRONT + "\nIntro.\n\n```quiz\n" + block + "\n```\n\nAfter.\n"
    lesson = parse_lesson(write(tmp_path, "q.md", text))
    assert [fragment in p.reason for p in lesson.problems] == [True], [
        str(p) for p in lesson.problems
    ]
    assert lesson.problems[0].line == 10
    # The rest of the lesson is still there to read.
    assert "Intro." in lesson.text and "After." in lesson.text


def test_quiz_toml_error_points_into_the_block(tmp_path: Path) -> None:
    text = FRONT + '\n```quiz\nquestion = "q"\nanswer = = 3\n```\n'
    lesson = parse_lesson(write(tmp_path, "q.md", text))
    assert lesson.problems[0].line == 10
    assert "bad TOML" in lesson.problems[0].reason


def test_unclosed_quiz_and_duplicate_ids(tmp_path: Path) -> None:
    unclosed = parse_lesson(write(tmp_path, "u.md", FRONT + "```quiz\nquestion = 'q'\n"))
    assert "never closed" in unclosed.problems[0].reason
    twice = (
        FRONT
        + "```quiz\nid = 'a'\nquestion = 'q'\nanswer = 1\n```\n```quiz\nid = 'a'\nquestion = 'r'\nanswer = 2\n```\n"
    )
    duplicate = parse_lesson(write(tmp_path, "d.md", twice))
    assert "used twice" in duplicate.problems[0].reason
    assert len(duplicate.quizzes) == 1


def test_quiz_fence_inside_another_code_block_is_code(tmp_path: Path) -> None:
    text = FRONT + "````markdown\n```quiz\nnot toml at all\n```\n````\n"
    lesson = parse_lesson(write(tmp_path, "c.md", text))
    assert lesson.ok and not lesson.quizzes
    assert "```quiz" in lesson.text


def test_generated_quiz_parses(tmp_path: Path) -> None:
    text = FRONT + '```quiz\ngenerator = "output-size"\nexplanation = "Use the formula."\n```\n'
    lesson = parse_lesson(write(tmp_path, "g.md", text))
    assert lesson.ok, [str(p) for p in lesson.problems]
    (quiz,) = lesson.quizzes
    assert quiz.generator == "output-size" and quiz.answer is None


def test_generated_quiz_without_practice_module_is_a_clear_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lessons_module, "practice_available", lambda: False)
    text = FRONT + '```quiz\ngenerator = "param-count"\n```\n'
    lesson = parse_lesson(write(tmp_path, "g.md", text))
    assert "needs cnntui.practice" in lesson.problems[0].reason


@pytest.mark.parametrize(
    ("answer", "response", "tolerance", "expected"),
    [
        (24.0, "24", 0, True),
        (24.0, " 24.0 ", 0, True),
        (24.0, "25", 0, False),
        (138357544.0, "138,357,544", 0, True),
        (138357544.0, "138_357_544", 0, True),
        (0.5, "1/2", 0, True),
        (0.45, "45%", 0, True),
        (3.14159, "3.14", 0.01, True),
        (3.14159, "3.1", 0.01, False),
        (1e6, "1e6", 0, True),
        (0.1 + 0.2, "0.3", 0, True),
        (24.0, "twenty-four", 0, False),
        (24.0, "", 0, False),
        ("the largest value", "The  Largest value", 0, True),
        ("the largest value", "largest", 0, False),
    ],
)
def test_answer_matching(
    answer: float | str, response: str, tolerance: float, expected: bool
) -> None:
    assert answer_matches(answer, response, tolerance) is expected


def test_parse_number_rejects_junk() -> None:
    assert parse_number("1/0") is None
    assert parse_number("inf") is None
    assert parse_number("nan") is None
    assert parse_number("12 000") == 12000


def test_quiz_check_uses_tolerance() -> None:
    quiz = Quiz("q", 1, "q", 10.0, tolerance=0.5)
    assert quiz.check("10.4") and not quiz.check("10.6")


def test_links_found_outside_code_with_lines() -> None:
    markdown = (
        "See [conv](cnntui:conv?image=digit-7&kernel=laplacian).\n"
        "`[not](cnntui:code)` and <https://example.org/x>\n"
        "```\n[in code](cnntui:nope)\n```\n"
        "[anchor](#output-size) [mail](mailto:a@b.c) [rel](other.md)\n"
    )
    links = find_links(markdown, first_line=10)
    assert [(l.kind, l.line) for l in links] == [
        ("cnntui", 10),
        ("web", 11),
        ("anchor", 15),
        ("web", 15),
        ("other", 15),
    ]
    conv = links[0]
    assert conv.mode == "conv" and conv.params == {"image": "digit-7", "kernel": "laplacian"}


def test_link_to_a_lab_without_preset_is_a_problem() -> None:
    problems = link_problems(parse_link("x", "cnntui:nosuchlab?a=1", 3))
    assert problems and "no lab named 'nosuchlab'" in problems[0]
    assert link_problems(parse_link("x", "cnntui:Bad Name", 3))[0].endswith(
        "is not a lab name (write cnntui:LAB?key=value)"
    )


def test_link_checked_by_the_labs_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("fakelab_presets")
    module.__spec__ = ModuleSpec("fakelab_presets", None)
    monkeypatch.setattr(
        module,
        "validate",
        lambda params: [] if params.get("kernel") == "sobel" else ["kernel must be sobel"],
        raising=False,
    )
    monkeypatch.setitem(sys.modules, "fakelab_presets", module)
    monkeypatch.setitem(PRESET_VALIDATORS, "fakelab", "fakelab_presets")
    assert link_problems(parse_link("x", "cnntui:fakelab?kernel=sobel", 1)) == []
    assert link_problems(parse_link("x", "cnntui:fakelab?kernel=box", 1)) == [
        "link 'cnntui:fakelab?kernel=box': kernel must be sobel"
    ]


def test_lesson_links_validate_name_and_existence() -> None:
    link = parse_link("x", "cnntui:lesson?name=02-pooling", 1)
    assert link_problems(link, ["02-pooling"]) == []
    assert "no lesson named" in link_problems(link, ["other"])[0]
    assert "needs name=" in link_problems(parse_link("x", "cnntui:lesson", 1), [])[0]
    assert (
        "unknown parameter"
        in link_problems(parse_link("x", "cnntui:lesson?name=a&zoom=2", 1), ["a"])[0]
    )


def test_broken_lessons_load_beside_good_ones() -> None:
    lessons = load_lessons(BROKEN)
    by_name = {lesson.name: lesson for lesson in lessons}
    assert by_name["good"].ok
    assert not by_name["bad-front"].ok and not by_name["bad-quiz"].ok and not by_name["bad-link"].ok
    assert by_name["bad-front"].chapter == "Unsorted" and math.isinf(by_name["bad-front"].order)
    reasons = [p.reason for p in by_name["bad-link"].problems]
    assert any("no lab named 'nosuchlab'" in r for r in reasons)
    assert any("no lesson named 'nope'" in r for r in reasons)
    assert all(p.line == 7 for p in by_name["bad-link"].problems)


def test_check_lessons_reports_every_problem() -> None:
    assert check_lessons(FIXTURES) == []
    problems = check_lessons(BROKEN)
    assert {p.path.name for p in problems} == {"bad-front.md", "bad-quiz.md", "bad-link.md"}


def test_duplicate_titles_fail_the_check(tmp_path: Path) -> None:
    write(tmp_path, "a.md", FRONT)
    write(tmp_path, "b.md", FRONT)
    problems = check_lessons(tmp_path)
    assert any("also used by a.md" in p.reason for p in problems)


def test_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "bin.md"
    path.write_bytes(b"\xff\xfe\x00bad")
    lesson = parse_lesson(path)
    assert "not UTF-8" in lesson.problems[0].reason


def test_template_errors_point_into_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class TemplateError(Exception):
        def __init__(self, line: int, message: str) -> None:
            super().__init__(message)
            self.line, self.message = line, message

    def render(text: str) -> str:
        if "{{ bad }}" in text:
            line = text[: text.index("{{ bad }}")].count("\n") + 1
            raise TemplateError(line, "unknown function 'bad'")
        return text.replace("{{ two }}", "2")

    fake = types.ModuleType("cnntui.lesson_template")
    fake.render, fake.TemplateError = render, TemplateError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cnntui.lesson_template", fake)
    good = parse_lesson(write(tmp_path, "g.md", FRONT + "One plus one is {{ two }}.\n"))
    assert good.ok and "is 2." in good.text
    bad = parse_lesson(write(tmp_path, "b.md", FRONT + "Line one.\nThen {{ bad }}.\n"))
    assert [(p.line, p.reason) for p in bad.problems] == [(8, "template: unknown function 'bad'")]


def test_search_finds_titles_then_lines() -> None:
    lessons = load_lessons(FIXTURES)
    hits = search_lessons(lessons, "pooling")
    assert hits[0].lesson.name == "02-pooling" and hits[0].line == -1
    line_hits = [h for h in hits if h.line >= 0]
    assert any(h.lesson.name == "02-pooling" and h.heading == "Pooling" for h in line_hits)
    assert search_lessons(lessons, "   ") == []
    assert all(
        "kernel" in h.snippet.lower() and "slides" in h.snippet.lower()
        for h in search_lessons(lessons, "kernel slides")
        if h.line >= 0
    )


def test_missing_folder_gives_no_lessons(tmp_path: Path) -> None:
    assert load_lessons(tmp_path / "nowhere") == []


def test_bundled_lessons_when_present_parse_without_crashing() -> None:
    # Whatever the bundled lessons hold, loading them never raises.
    for lesson in load_lessons():
        assert lesson.name and lesson.title


def test_line_numbers_survive_templates_that_add_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = types.ModuleType("cnntui.lesson_template")
    fake.render = lambda text: text.replace("{{ table }}", "| a |\n|---|\n| 1 |\n| 2 |")  # type: ignore[attr-defined]
    fake.TemplateError = Exception  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cnntui.lesson_template", fake)
    text = (
        FRONT
        + "{{ table }}\n\n[next](cnntui:nosuchlab)\n\n```quiz\nquestion = 'q'\nanswer = 'x'\ntolerance = 1\n```\n"
    )
    lesson = parse_lesson(write(tmp_path, "t.md", text))
    assert "| 2 |" in lesson.text
    assert [(p.line, p.reason.split(":")[0]) for p in lesson.problems] == [(11, "quiz")]
    assert lesson.links[0].line == 9


def test_a_failed_template_does_not_echo_as_quiz_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class TemplateError(Exception):
        line, message = 4, "unknown model 'vgg99'"

    def render(text: str) -> str:
        raise TemplateError()

    fake = types.ModuleType("cnntui.lesson_template")
    fake.render, fake.TemplateError = render, TemplateError  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cnntui.lesson_template", fake)
    text = (
        FRONT
        + "Intro.\n\n```quiz\nquestion = 'How many?'\nanswer = {{ params vgg99 | raw }}\n```\n"
    )
    lesson = parse_lesson(write(tmp_path, "t.md", text))
    assert [p.reason for p in lesson.problems] == ["template: unknown model 'vgg99'"]
    assert lesson.problems[0].line == 10
    assert "Intro." in lesson.text


@pytest.mark.parametrize("lab", sorted(PRESET_VALIDATORS))
def test_every_lab_with_links_has_a_validator_in_its_package(lab: str) -> None:
    import importlib

    module = importlib.import_module(PRESET_VALIDATORS[lab])
    # an unknown key is always a problem, whatever the lab accepts
    problems = module.validate({"no-such-key": "1"})
    assert problems and any("no-such-key" in problem for problem in problems), problems
