"""`cnntui lessons`: list the lessons, or check them all (`--check` exits 2 on any problem)."""

from __future__ import annotations

import argparse
import math

from cnntui.i18n import N_, _, current_language, messages_in, ngettext

NAME = "lessons"
HELP = N_("list the lessons by chapter; --check validates every lesson and link")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON document"))
    parser.add_argument(
        "--check",
        action="store_true",
        help=_("validate front matter, quizzes, templates and links; exit 2 on any problem"),
    )
    parser.add_argument(
        "--dir",
        metavar="FOLDER",
        help=_("read lessons from this folder instead of the bundled ones"),
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cnntui.commands._output import print_json
    from cnntui.errors import UsageError
    from cnntui.lessons import chapters, load_lessons

    directory = None
    if args.dir:
        directory = Path(args.dir).expanduser()
        if not directory.is_dir():
            raise UsageError(
                _("--dir {dir!r} is not a folder; give a folder of lesson .md files").format(
                    dir=args.dir
                )
            )
    # a --json document keeps its problems in English (the lessons stay in the chosen language)
    language = current_language()
    with messages_in("en" if args.json else language):
        lessons = load_lessons(directory, check_links=True, language=language)
        problems = [problem for lesson in lessons for problem in lesson.problems]
        if args.check:
            from cnntui.lessons import check_lessons

            problems = check_lessons(directory)

    if args.json:
        document: dict[str, object] = {
            "lessons": [
                {
                    "name": lesson.name,
                    "title": lesson.title,
                    "chapter": lesson.chapter,
                    "order": None if math.isinf(lesson.order) else lesson.order,
                    "summary": lesson.summary,
                    "path": str(lesson.path),
                    "quizzes": len(lesson.quizzes),
                    "links": [
                        link.target for link in lesson.links if link.kind in ("cnntui", "web")
                    ],
                    "ok": lesson.ok,
                }
                for lesson in lessons
            ],
            "problems": [
                {"file": str(problem.path), "line": problem.line, "reason": problem.reason}
                for problem in problems
            ],
        }
        if args.check:
            document["ok"] = not problems
        print_json(document)
    else:
        if not lessons:
            print(_("no lessons found"))
        for chapter, members in chapters(lessons):
            print(chapter)
            for lesson in members:
                mark = "  " if lesson.ok else "! "
                print(f"  {mark}{lesson.name:<28} {lesson.title}")
        if args.check:
            import sys

            for problem in problems:
                print(f"{problem.path}:{problem.line}: {problem.reason}", file=sys.stderr)
            count = len(problems)
            summary = (
                _("all lessons are sound")
                if not count
                else ngettext("{count} problem", "{count} problems", count).format(count=count)
            )
            checked = ngettext(
                "{count} lesson checked: {summary}",
                "{count} lessons checked: {summary}",
                len(lessons),
            )
            print(checked.format(count=len(lessons), summary=summary))
        elif problems:
            print(
                ngettext(
                    "{count} problem; run 'cnntui lessons --check' for details",
                    "{count} problems; run 'cnntui lessons --check' for details",
                    len(problems),
                ).format(count=len(problems))
            )
    return 2 if args.check and problems else 0
