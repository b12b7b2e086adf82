"""Finding and parsing lessons: front matter, body, `cnntui:` links and quiz blocks.

A lesson is a Markdown file in `lessons/` whose first lines are TOML front matter between `+++`
lines (`title`, `chapter`, `order`, `summary`). The body may hold `{{ ... }}` expressions, expanded
by `cnntui.lesson_template.render`, and fenced ```` ```quiz ```` blocks holding TOML.

Everything here is pure Python: no Textual, no Rich. Parsing never raises for a bad lesson file:
each problem becomes a `LessonProblem` (file, line, reason) on that lesson, and the other lessons
still load. The app shows the problems in an error pane; `cnntui lessons --check` exits 2.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cnntui import userfile
from cnntui.i18n import _

FRONT_MATTER_FENCE = "+++"
QUIZ_GENERATORS = ("output-size", "param-count")
"""The kinds of generated practice `cnntui.practice.generate(kind, rng)` offers."""
LESSON_LINK_TARGET = "lesson"

PRESET_VALIDATORS: dict[str, str] = {
    "calc": "cnntui.calc.presets",
    "conv": "cnntui.conv.presets",
    "explain": "cnntui.explain.presets",
    "gan": "cnntui.gan.presets",
    LESSON_LINK_TARGET: "cnntui.lesson_presets",
    "models": "cnntui.zoo.presets",
    "train": "cnntui.train.presets",
}
"""Each lab a `cnntui:LAB?...` link may open, and the module whose `validate(params)` checks the
link's parameters (imported only when a link to that lab is checked)."""
"""`cnntui:lesson?name=NAME` opens another lesson rather than a lab."""

_FRONT_MATTER_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str,
    "chapter": str,
    "order": (int, float),
    "summary": str,
}
_QUIZ_KEYS = {
    "question",
    "answer",
    "accept",
    "choices",
    "tolerance",
    "explanation",
    "generator",
    "id",
}
_QUIZ_FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*quiz\s*$")
_ANY_FENCE_OPEN = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
# Markdown inline links `[text](target "title")` and autolinks `<scheme:...>`.
_INLINE_LINK = re.compile(
    r"\[(?P<text>[^\]]*)\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
)
_AUTOLINK = re.compile(r"<(?P<target>(?:cnntui:|https?://|mailto:)[^>\s]+)>")
_TOML_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class LessonProblem:
    """One thing wrong with a lesson file, located to a line (1-based; 0 when it has none)."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        where = f"{self.path.name}:{self.line}" if self.line else self.path.name
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Link:
    """A link in a lesson body.

    `kind` is "cnntui" (opens a lab or lesson), "web" (http, https, mailto: copied, never opened),
    "anchor" (`#heading` inside the lesson) or "other".
    """

    text: str
    target: str
    line: int
    kind: str
    mode: str | None = None
    """For `cnntui:` links: the mode name (`conv`, `calc`, …) or `lesson`."""
    params: dict[str, str] = field(default_factory=dict)
    """For `cnntui:` links: the preset parameters, in the order written."""


@dataclass(frozen=True)
class Quiz:
    """One quiz from a ```` ```quiz ```` block.

    A fixed quiz has `question` and `answer` (a float for numbers, a str otherwise, one of `choices`
    when there are choices). A text answer may list other accepted spellings in `accept` (a Korean
    lesson accepts the English term too). A generated quiz has `generator` instead and asks
    `cnntui.practice`.
    """

    id: str
    """Stable within its lesson: the `id` key if given, else `quiz-N` (N counts from 1)."""
    line: int
    question: str = ""
    answer: float | str | None = None
    choices: tuple[str, ...] = ()
    tolerance: float = 0.0
    explanation: str = ""
    generator: str | None = None
    accept: tuple[str, ...] = ()
    """Other text answers that count as right (e.g. the English term in a Korean lesson)."""

    @property
    def is_numeric(self) -> bool:
        return isinstance(self.answer, float)

    def check(self, response: str) -> bool:
        """Whether a learner's typed or chosen response is right (see `answer_matches`)."""
        if self.answer is None:
            return False
        return any(
            answer_matches(answer, response, self.tolerance)
            for answer in (self.answer, *self.accept)
        )


@dataclass
class Lesson:
    """One lesson file, parsed. `parts` is the rendered body split around its quizzes."""

    name: str
    """The file name without `.md`: what `--lesson NAME` and `cnntui:lesson?name=` use."""
    path: Path
    title: str
    chapter: str
    order: float
    summary: str
    body: str
    """The rendered Markdown body (templates expanded), quiz blocks included verbatim."""
    parts: list[str | Quiz] = field(default_factory=list)
    """Markdown text and quizzes in reading order; what the lesson reader composes."""
    links: list[Link] = field(default_factory=list)
    problems: list[LessonProblem] = field(default_factory=list)
    body_line: int = 1
    """Line of the file on which the body starts (after the front matter)."""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def quizzes(self) -> list[Quiz]:
        return [part for part in self.parts if isinstance(part, Quiz)]

    @property
    def text(self) -> str:
        """The Markdown outside quiz blocks, joined: what search looks through."""
        return "\n".join(part for part in self.parts if isinstance(part, str))


# ---------------------------------------------------------------------------------------------
# Answers


def parse_number(text: str) -> float | None:
    """A learner's number: `1,234`, `1_234`, `1e6`, `12.5`, `3/4`, `45%` (→ 0.45); None if none."""
    cleaned = text.strip().replace(",", "").replace("_", "").replace(" ", "")
    if not cleaned:
        return None
    scale = 1.0
    if cleaned.endswith("%"):
        cleaned, scale = cleaned[:-1], 0.01
    try:
        if "/" in cleaned:
            numerator, denominator = cleaned.split("/", 1)
            value = float(numerator) / float(denominator)
        else:
            value = float(cleaned)
    except (ValueError, ZeroDivisionError):
        return None
    if not math.isfinite(value):
        return None
    return value * scale


def normalise_text(text: str) -> str:
    """Case- and spacing-insensitive form of a text answer."""
    return " ".join(text.casefold().split())


def answer_matches(answer: float | str, response: str, tolerance: float = 0.0) -> bool:
    """Whether `response` matches `answer`: numbers within `tolerance` (absolute), text ignoring
    case and spacing. A zero tolerance still forgives float rounding (1e-9 relative)."""
    if isinstance(answer, float):
        value = parse_number(response)
        if value is None:
            return False
        slack = max(tolerance, 1e-9 * max(1.0, abs(answer)))
        return abs(value - answer) <= slack
    return normalise_text(response) == normalise_text(answer)


# ---------------------------------------------------------------------------------------------
# Links


def parse_link(text: str, target: str, line: int) -> Link:
    """Classify one link target (see `Link.kind`)."""
    if target.startswith("cnntui:"):
        split = urlsplit(target)
        mode = split.path.strip("/")
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        return Link(text, target, line, "cnntui", mode, params)
    if re.match(r"^(https?://|mailto:)", target, re.IGNORECASE):
        return Link(text, target, line, "web")
    if target.startswith("#"):
        return Link(text, target, line, "anchor")
    return Link(text, target, line, "other")


def find_links(markdown: str, first_line: int = 1) -> list[Link]:
    """Every inline link and autolink outside code, with the line it is on."""
    links: list[Link] = []
    fence: str | None = None
    for offset, line_text in enumerate(markdown.splitlines()):
        opened = _ANY_FENCE_OPEN.match(line_text)
        if fence is not None:
            if line_text.strip().startswith(fence) and set(line_text.strip()) == {fence[0]}:
                fence = None
            continue
        if opened:
            fence = opened.group("fence")
            continue
        without_code = re.sub(r"`[^`]*`", "", line_text)
        line = first_line + offset
        for match in _INLINE_LINK.finditer(without_code):
            links.append(parse_link(match.group("text"), match.group("target"), line))
        for match in _AUTOLINK.finditer(without_code):
            links.append(parse_link(match.group("target"), match.group("target"), line))
    return links


def link_problems(link: Link, lesson_names: Iterable[str] | None = None) -> list[str]:
    """What is wrong with a `cnntui:` link: an unknown lab, no preset validator, bad parameters.

    `lesson_names`, when given, is the set `cnntui:lesson?name=` must point into.
    """
    if link.kind != "cnntui":
        return []
    name = link.mode or ""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return [
            _("link {target!r}: {name!r} is not a lab name (write cnntui:LAB?key=value)").format(
                target=link.target, name=name
            )
        ]
    module_name = PRESET_VALIDATORS.get(name)
    if module_name is None:
        known = ", ".join(available_presets()) or _("none yet")
        return [
            _("link {target!r}: no lab named {name!r} (labs with presets: {known})").format(
                target=link.target, name=name, known=known
            )
        ]
    try:
        module = importlib.import_module(module_name)
        validate = module.validate
        problems = [str(problem) for problem in validate(dict(link.params))]
    except Exception as error:  # a broken validator must not break lesson loading
        return [
            _("link {target!r}: the {name!r} preset validator failed: {error}").format(
                target=link.target, name=name, error=error
            )
        ]
    if not problems and name == LESSON_LINK_TARGET and lesson_names is not None:
        wanted = link.params.get("name", "")
        if wanted not in set(lesson_names):
            problems.append(_("no lesson named {name!r}").format(name=wanted))
    return [
        _("link {target!r}: {problem}").format(target=link.target, problem=problem)
        for problem in problems
    ]


def available_presets() -> list[str]:
    """Names of the labs whose links have a preset validator (`PRESET_VALIDATORS`)."""
    return sorted(PRESET_VALIDATORS)


# ---------------------------------------------------------------------------------------------
# Quizzes


def parse_quiz(
    source: str, line: int, index: int, path: Path
) -> tuple[Quiz | None, list[LessonProblem]]:
    """Parse the TOML inside one quiz block that starts (its fence line) on `line`."""

    def problem(reason: str, at: int = line) -> tuple[None, list[LessonProblem]]:
        return None, [LessonProblem(path, at, _("quiz: {reason}").format(reason=reason))]

    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        at = line + int(found.group(1)) if found else line
        return problem(_("bad TOML: {value}").format(value=_toml_reason(error)), at)
    unknown = sorted(set(data) - _QUIZ_KEYS)
    if unknown:
        return problem(
            _("unknown key {value!r} (known: {value2})").format(
                value=unknown[0], value2=", ".join(sorted(_QUIZ_KEYS))
            )
        )
    quiz_id = data.get("id", f"quiz-{index}")
    if not isinstance(quiz_id, str) or not re.fullmatch(r"[A-Za-z0-9_.-]+", quiz_id):
        return problem(_("id must be letters, digits, '-', '_' or '.'"))
    explanation = data.get("explanation", "")
    if not isinstance(explanation, str):
        return problem(_("explanation must be a string"))
    generator = data.get("generator")
    if generator is not None:
        if generator not in QUIZ_GENERATORS:
            return problem(
                _("generator must be one of {value}, not {generator!r}").format(
                    value=", ".join(QUIZ_GENERATORS), generator=generator
                )
            )
        extra = sorted(set(data) & {"question", "answer", "choices", "tolerance"})
        if extra:
            return problem(
                _("a generated quiz takes no {value!r}: the generator supplies it").format(
                    value=extra[0]
                )
            )
        if not practice_available():
            return problem(_("generated practice needs cnntui.practice, which this build lacks"))
        return Quiz(quiz_id, line, explanation=explanation, generator=generator), []
    question = data.get("question")
    if not isinstance(question, str) or not question.strip():
        return problem(_("needs a question (a string) or a generator"))
    if "answer" not in data:
        return problem(_("needs an answer (a number or a string)"))
    raw_answer = data["answer"]
    if isinstance(raw_answer, bool) or not isinstance(raw_answer, int | float | str):
        return problem(_("answer must be a number or a string"))
    answer: float | str = float(raw_answer) if isinstance(raw_answer, int | float) else raw_answer
    accept = data.get("accept", [])
    if not isinstance(accept, list) or not all(isinstance(a, str) and a.strip() for a in accept):
        return problem(_("accept must be a list of strings"))
    if accept and not isinstance(answer, str):
        return problem(_("accept only applies to a text answer"))
    tolerance = data.get("tolerance", 0)
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
        return problem(_("tolerance must be a number >= 0"))
    if tolerance and not isinstance(answer, float):
        return problem(_("tolerance only applies to a numeric answer"))
    choices = data.get("choices", [])
    if not isinstance(choices, list) or not all(isinstance(c, str | int | float) for c in choices):
        return problem(_("choices must be a list of strings"))
    choice_texts = tuple(_choice_text(c) for c in choices)
    if choice_texts:
        if len(choice_texts) < 2:
            return problem(_("choices needs at least two entries"))
        if len(set(choice_texts)) != len(choice_texts):
            return problem(_("choices repeat an entry"))
        answer = _choice_text(raw_answer)
        if answer not in choice_texts:
            return problem(_("answer {answer!r} is not one of the choices").format(answer=answer))
    if accept and choice_texts:
        return problem(_("accept does not go with choices: the answer is one of the choices"))
    return Quiz(
        quiz_id,
        line,
        question.strip(),
        answer,
        choice_texts,
        float(tolerance),
        explanation.strip(),
        accept=tuple(a.strip() for a in accept),
    ), []


def practice_available() -> bool:
    """Whether `cnntui.practice` (generated questions) is part of this build."""
    try:
        return importlib.util.find_spec("cnntui.practice") is not None
    except (ImportError, ValueError):
        return False


def _choice_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _toml_reason(error: tomllib.TOMLDecodeError) -> str:
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(error))


def split_quizzes(
    body: str,
    first_line: int,
    path: Path,
    *,
    unrendered: bool = False,
    fence_lines: Sequence[int] | None = None,
) -> tuple[list[str | Quiz], list[LessonProblem]]:
    """Split a Markdown body at its ```` ```quiz ```` blocks; parse each block.

    `unrendered` says the templates failed to expand: a block still holding `{{` is then left out
    silently, since the template problem is already reported and its TOML errors would only echo it.
    `fence_lines`, when given, are the file lines of the quiz fences before rendering (a template
    that expands to several lines would otherwise shift the line numbers problems report).
    """
    parts: list[str | Quiz] = []
    problems: list[LessonProblem] = []
    text_lines: list[str] = []
    lines = body.splitlines()
    index = 0
    quiz_count = 0
    other_fence: str | None = None
    while index < len(lines):
        line_text = lines[index]
        if other_fence is not None:
            text_lines.append(line_text)
            if (
                line_text.strip()
                and set(line_text.strip()) == {other_fence[0]}
                and len(line_text.strip()) >= len(other_fence)
            ):
                other_fence = None
            index += 1
            continue
        opened = _QUIZ_FENCE_OPEN.match(line_text)
        if not opened:
            any_fence = _ANY_FENCE_OPEN.match(line_text)
            if any_fence:
                other_fence = any_fence.group("fence")
            text_lines.append(line_text)
            index += 1
            continue
        fence = opened.group("fence")
        start = index
        index += 1
        block: list[str] = []
        while index < len(lines) and not (
            set(lines[index].strip()) == {fence[0]} and len(lines[index].strip()) >= len(fence)
        ):
            block.append(lines[index])
            index += 1
        quiz_count += 1
        fence_line = first_line + start
        if fence_lines is not None and quiz_count <= len(fence_lines):
            fence_line = fence_lines[quiz_count - 1]
        if index >= len(lines):
            problems.append(LessonProblem(path, fence_line, _("quiz: block is never closed")))
            break
        index += 1  # the closing fence
        if "".join(text_lines).strip():
            parts.append("\n".join(text_lines).strip("\n"))
        text_lines = []
        if unrendered and "{{" in "\n".join(block):
            continue
        quiz, quiz_problems = parse_quiz("\n".join(block), fence_line, quiz_count, path)
        problems.extend(quiz_problems)
        if quiz is not None:
            if any(isinstance(p, Quiz) and p.id == quiz.id for p in parts):
                problems.append(
                    LessonProblem(
                        path, fence_line, _("quiz: id {id!r} is used twice").format(id=quiz.id)
                    )
                )
            else:
                parts.append(quiz)
    if "".join(text_lines).strip():
        parts.append("\n".join(text_lines).strip("\n"))
    return parts, problems


def quiz_fence_lines(body: str, first_line: int) -> list[int]:
    """File lines of the quiz fences in a body (quiz fences inside other code blocks excluded)."""
    lines: list[int] = []
    fence: str | None = None
    for offset, line_text in enumerate(body.splitlines()):
        stripped = line_text.strip()
        if fence is not None:
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
                fence = None
            continue
        quiz = _QUIZ_FENCE_OPEN.match(line_text)
        opened = quiz or _ANY_FENCE_OPEN.match(line_text)
        if opened:
            fence = opened.group("fence")
            if quiz:
                lines.append(first_line + offset)
    return lines


# ---------------------------------------------------------------------------------------------
# Front matter and templates


def split_front_matter(
    text: str, path: Path
) -> tuple[dict[str, Any], str, int, list[LessonProblem]]:
    """Separate the `+++` TOML front matter from the body.

    Returns (front matter, body, line the body starts on, problems).
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        return (
            {},
            text,
            1,
            [LessonProblem(path, 1, _("no front matter: the file must start with a '+++' line"))],
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        return (
            {},
            "",
            len(lines) + 1,
            [LessonProblem(path, 1, _("front matter is never closed by a '+++' line"))],
        )
    body = "\n".join(lines[end + 1 :])
    body_line = end + 2
    try:
        data = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        found = _TOML_LINE.search(str(error))
        at = 1 + int(found.group(1)) if found else 1
        return (
            {},
            body,
            body_line,
            [
                LessonProblem(
                    path, at, _("front matter: bad TOML: {value}").format(value=_toml_reason(error))
                )
            ],
        )
    problems: list[LessonProblem] = []
    for key, kind in _FRONT_MATTER_KEYS.items():
        at = _key_line(lines[1:end], key)
        if key not in data:
            if key != "summary":
                problems.append(
                    LessonProblem(path, 1, _("front matter: missing {key!r}").format(key=key))
                )
            continue
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            wanted = _("a number") if key == "order" else _("a string")
            problems.append(
                LessonProblem(
                    path,
                    at,
                    _("front matter: {key!r} must be {wanted}").format(key=key, wanted=wanted),
                )
            )
    for key in sorted(set(data) - set(_FRONT_MATTER_KEYS)):
        at = _key_line(lines[1:end], key)
        problems.append(
            LessonProblem(
                path,
                at,
                _(
                    "front matter: unknown key {key!r} (known: title, chapter, order, summary)"
                ).format(key=key),
            )
        )
    return data, body, body_line, problems


def _key_line(front_lines: Sequence[str], key: str) -> int:
    for number, line in enumerate(front_lines, start=2):
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    return 1


def lesson_language(path: Path) -> str:
    """The language a lesson file is written in: its folder's name for a translation
    (`lessons/ko/…`), English otherwise."""
    from cnntui.i18n import LANGUAGES

    return path.parent.name if path.parent.name in LANGUAGES[1:] else "en"


def render_template(body: str, body_line: int, path: Path) -> tuple[str, list[LessonProblem]]:
    """Expand `{{ ... }}` with `cnntui.lesson_template.render`; a failure becomes a problem."""
    try:
        template = importlib.import_module("cnntui.lesson_template")
    except ImportError:
        if "{{" in body:
            line = body_line + body[: body.index("{{")].count("\n")
            return body, [
                LessonProblem(
                    path,
                    line,
                    _(
                        "template: this build cannot expand {{ ... }} (cnntui.lesson_template is missing)"
                    ),
                )
            ]
        return body, []
    template_error = getattr(template, "TemplateError", None)
    try:
        language = lesson_language(path)
        if language == "en":
            return str(template.render(body)), []
        return str(template.render(body, language=language)), []
    except Exception as error:
        if template_error is not None and isinstance(error, template_error):
            line = getattr(error, "line", 0) or 0
            message = getattr(error, "message", None) or str(error)
            return body, [
                LessonProblem(
                    path,
                    body_line + line - 1 if line else body_line,
                    _("template: {message}").format(message=message),
                )
            ]
        return body, [
            LessonProblem(
                path,
                body_line,
                _("template: could not render: {kind}: {error}").format(
                    kind=type(error).__name__, error=error
                ),
            )
        ]


# ---------------------------------------------------------------------------------------------
# Lessons


def parse_lesson(path: Path, text: str | None = None) -> Lesson:
    """Parse one lesson file. Never raises for bad content; see `Lesson.problems`."""
    name = path.stem
    if text is None:
        try:
            text = userfile.read_text(path, "lesson")
        except (OSError, UnicodeDecodeError) as error:
            reason = _("cannot read: {reason}").format(
                reason=error.strerror if isinstance(error, OSError) else _("not UTF-8 text")
            )
            return Lesson(
                name,
                path,
                name,
                "Unsorted",
                math.inf,
                "",
                "",
                problems=[LessonProblem(path, 0, reason)],
            )
    text = text.replace("\r\n", "\n")
    meta, body, body_line, problems = split_front_matter(text, path)

    def meta_str(key: str, default: str) -> str:
        value = meta.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else default

    order = meta.get("order")
    lesson = Lesson(
        name=name,
        path=path,
        title=meta_str("title", name.replace("-", " ").replace("_", " ").title()),
        chapter=meta_str("chapter", "Unsorted"),
        order=float(order)
        if isinstance(order, int | float) and not isinstance(order, bool)
        else math.inf,
        summary=meta_str("summary", ""),
        body=body,
        body_line=body_line,
        problems=problems,
    )
    rendered, template_problems = render_template(body, body_line, path)
    lesson.problems.extend(template_problems)
    lesson.body = rendered
    raw_fences = quiz_fence_lines(body, body_line)
    same_quizzes = len(raw_fences) == len(quiz_fence_lines(rendered, body_line))
    parts, quiz_problems = split_quizzes(
        rendered,
        body_line,
        path,
        unrendered=bool(template_problems),
        fence_lines=raw_fences if same_quizzes else None,
    )
    lesson.parts = parts
    lesson.problems.extend(quiz_problems)
    # Links are looked for in the text as written, so their line numbers match the file.
    lesson.links = find_links(body, body_line)
    return lesson


def load_lessons(
    directory: Path | str | None = None,
    *,
    check_links: bool = True,
    language: str | None = None,
) -> list[Lesson]:
    """Every `*.md` lesson in `directory` (default: the bundled lessons in `language`, or in the
    current language), in reading order.

    Reading order is chapter (by the smallest `order` in it), then `order`, then file name. With
    `check_links`, each `cnntui:` link is checked against the preset validators and lesson names.
    """
    if directory is None:
        from cnntui.i18n import current_language
        from cnntui.resources import lessons_dir

        try:
            directory = lessons_dir(language or current_language())
        except FileNotFoundError:
            return []
    folder = Path(directory)
    paths = sorted(
        p for p in folder.glob("*.md") if p.is_file() and not p.name.startswith(("_", "."))
    )
    lessons = [parse_lesson(path) for path in paths]
    if check_links:
        names = [lesson.name for lesson in lessons]
        for lesson in lessons:
            for link in lesson.links:
                for reason in link_problems(link, names):
                    lesson.problems.append(LessonProblem(lesson.path, link.line, reason))
    for lesson in lessons:
        lesson.problems.sort(key=lambda problem: problem.line)
    return sort_lessons(lessons)


def sort_lessons(lessons: Iterable[Lesson]) -> list[Lesson]:
    """Chapters in order of their first lesson; lessons by `order`, then name."""
    lessons = list(lessons)
    chapter_rank: dict[str, tuple[float, str]] = {}
    for lesson in lessons:
        rank = (lesson.order, lesson.name)
        if lesson.chapter not in chapter_rank or rank < chapter_rank[lesson.chapter]:
            chapter_rank[lesson.chapter] = rank
    return sorted(lessons, key=lambda l: (chapter_rank[l.chapter], l.chapter, l.order, l.name))


def chapters(lessons: Sequence[Lesson]) -> list[tuple[str, list[Lesson]]]:
    """Group lessons (already in reading order) by chapter, keeping that order."""
    grouped: dict[str, list[Lesson]] = {}
    for lesson in lessons:
        grouped.setdefault(lesson.chapter, []).append(lesson)
    return list(grouped.items())


def find_lesson(lessons: Sequence[Lesson], name: str) -> Lesson | None:
    """The lesson with this file name (with or without `.md`), or None."""
    wanted = name.removesuffix(".md")
    return next((lesson for lesson in lessons if lesson.name == wanted), None)


def check_lessons(directory: Path | str | None = None) -> list[LessonProblem]:
    """Every problem in every lesson, links included; empty when all lessons are sound.

    With no `directory`, every bundled language is checked, and each translation against the
    English lessons (`translation_problems`).
    """
    if directory is not None:
        return _lesson_set_problems(load_lessons(directory, check_links=True))
    from cnntui.i18n import LANGUAGES

    english = load_lessons(check_links=True, language="en")
    problems = _lesson_set_problems(english)
    for language in LANGUAGES[1:]:
        translated = load_lessons(check_links=True, language=language)
        problems += _lesson_set_problems(translated)
        problems += translation_problems(english, translated)
        if language == "ko":
            problems += glossary_problems(translated)
    return problems


def glossary_problems(lessons: Sequence[Lesson]) -> list[LessonProblem]:
    """Korean lessons whose first use of a glossary term lacks its English (`cnntui.glossary`)."""
    from cnntui.glossary import first_use_problems, load_glossary

    glossary = load_glossary()
    problems: list[LessonProblem] = []
    for lesson in lessons:
        lines = lesson.path.read_text(encoding="utf-8").splitlines()
        body = "\n".join(lines[lesson.body_line - 1 :])
        for problem in first_use_problems(body, glossary):
            problems.append(
                LessonProblem(lesson.path, lesson.body_line - 1 + problem.line, str(problem))
            )
    return problems


def _lesson_set_problems(lessons: Sequence[Lesson]) -> list[LessonProblem]:
    problems = [problem for lesson in lessons for problem in lesson.problems]
    seen: dict[str, Path] = {}
    for lesson in lessons:
        key = lesson.title.casefold()
        if key in seen:
            problems.append(
                LessonProblem(
                    lesson.path,
                    0,
                    _("title {title!r} is also used by {name}").format(
                        title=lesson.title, name=seen[key].name
                    ),
                )
            )
        seen[key] = lesson.path
    return problems


def translation_problems(
    source: Sequence[Lesson], translated: Sequence[Lesson]
) -> list[LessonProblem]:
    """How a translation differs from the source lessons where it must not.

    Both sets must hold the same lesson names, chapters in the same order, the same quizzes (same
    ids, kinds and answers: a number equal, a choice at the same position, a text answer whose
    `accept` list or answer holds the source's answer) and `cnntui:` and web links to the same
    targets, in the same order.
    """
    problems: list[LessonProblem] = []
    by_name = {lesson.name: lesson for lesson in translated}
    for lesson in source:
        twin = by_name.pop(lesson.name, None)
        if twin is None:
            problems.append(LessonProblem(lesson.path, 0, _("has no translation")))
            continue
        if twin.order != lesson.order:
            problems.append(
                LessonProblem(twin.path, 1, _("order must be {order:g}").format(order=lesson.order))
            )
        problems += _quiz_parity(lesson, twin)
        targets = [link.target for link in lesson.links if link.kind in ("cnntui", "web")]
        twin_targets = [link.target for link in twin.links if link.kind in ("cnntui", "web")]
        if targets != twin_targets:
            missing = [t for t in targets if t not in twin_targets]
            extra = [t for t in twin_targets if t not in targets]
            detail = (
                _("lacks {target}").format(target=missing[0])
                if missing
                else _("adds {target}").format(target=extra[0])
                if extra
                else _("has them in another order")
            )
            problems.append(
                LessonProblem(
                    twin.path,
                    0,
                    _("links differ from {name}: {detail}").format(
                        name=lesson.path.name, detail=detail
                    ),
                )
            )
    for twin in by_name.values():
        problems.append(LessonProblem(twin.path, 0, _("has no English original")))
    # Chapters are translated too, but must group the same lessons: one name for one name.
    twins = {lesson.name: lesson for lesson in translated}
    pairs = {(l.chapter, twins[l.name].chapter) for l in source if l.name in twins}
    if len(pairs) != len({english for english, _other in pairs}) or len(pairs) != len(
        {other for _english, other in pairs}
    ):
        first = translated[0].path if translated else source[0].path
        problems.append(
            LessonProblem(first, 0, _("chapters do not group the lessons as in English"))
        )
    return problems


def _quiz_parity(lesson: Lesson, twin: Lesson) -> list[LessonProblem]:
    quizzes, twin_quizzes = lesson.quizzes, twin.quizzes
    if len(quizzes) != len(twin_quizzes):
        return [
            LessonProblem(
                twin.path,
                0,
                _("has {value} quizzes; the English has {value2}").format(
                    value=len(twin_quizzes), value2=len(quizzes)
                ),
            )
        ]
    problems: list[LessonProblem] = []
    for quiz, other in zip(quizzes, twin_quizzes, strict=True):
        reason = _quiz_difference(quiz, other)
        if reason:
            problems.append(
                LessonProblem(
                    twin.path,
                    other.line,
                    _("quiz {id}: {reason}").format(id=other.id, reason=reason),
                )
            )
    return problems


def _quiz_difference(quiz: Quiz, other: Quiz) -> str:
    if quiz.id != other.id:
        return _("id must be {id!r} as in the English").format(id=quiz.id)
    if quiz.generator != other.generator:
        return _("generator must be {generator!r} as in the English").format(
            generator=quiz.generator
        )
    if quiz.generator is not None:
        return ""
    if quiz.is_numeric:
        if not other.is_numeric or other.answer != quiz.answer:
            return _("answer must be {answer:g} as in the English").format(answer=quiz.answer)
        if other.tolerance != quiz.tolerance:
            return _("tolerance must be {tolerance:g} as in the English").format(
                tolerance=quiz.tolerance
            )
        return ""
    if quiz.choices:
        if len(other.choices) != len(quiz.choices):
            return _("needs {count} choices as in the English").format(count=len(quiz.choices))
        assert isinstance(quiz.answer, str) and isinstance(other.answer, str)
        if quiz.choices.index(quiz.answer) != other.choices.index(other.answer):
            return _("the right choice must stand where it does in the English")
        return ""
    assert isinstance(quiz.answer, str)
    if not other.check(quiz.answer):
        return _("must accept the English answer {answer!r} too (add it to accept)").format(
            answer=quiz.answer
        )
    return ""


@dataclass(frozen=True)
class SearchHit:
    """One line of one lesson that matches a search."""

    lesson: Lesson
    line: int
    """Line number within the lesson's Markdown text (0-based)."""
    snippet: str
    heading: str
    """The nearest heading above the hit ("" before the first heading)."""


def search_lessons(lessons: Sequence[Lesson], query: str, limit: int = 200) -> list[SearchHit]:
    """Lines matching every word of `query` (case-insensitive), titles first."""
    words = normalise_text(query).split()
    if not words:
        return []
    hits: list[SearchHit] = []
    for lesson in lessons:
        title = normalise_text(lesson.title + " " + lesson.summary)
        if all(word in title for word in words):
            hits.append(SearchHit(lesson, -1, lesson.summary or lesson.title, ""))
    for lesson in lessons:
        heading = ""
        for number, line in enumerate(lesson.text.splitlines()):
            stripped = line.strip()
            if stripped.startswith("#"):
                heading = stripped.lstrip("#").strip()
            if stripped and all(word in normalise_text(stripped) for word in words):
                hits.append(SearchHit(lesson, number, stripped, heading))
                if len(hits) >= limit:
                    return hits
    return hits
