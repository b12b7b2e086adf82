"""What the learner has done: lessons read, quizzes solved, the last lesson open and where in it,
the last mode open.

Saved as JSON in `$XDG_STATE_HOME/cnntui/progress.json` (default `~/.local/state/cnntui/`), written
atomically (a temporary file in the same folder, flushed, then renamed over the old one), so a
dropped SSH connection or a crash mid-write never leaves a half-written file. An unreadable file is
set aside as `progress.json.bad` and progress starts afresh. Pure: no Textual.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

FORMAT_VERSION = 1


def state_dir() -> Path:
    """`$XDG_STATE_HOME/cnntui`, falling back to `~/.local/state/cnntui`."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "cnntui"


def progress_path() -> Path:
    return state_dir() / "progress.json"


@dataclass
class Progress:
    """Lessons read and quizzes solved, by lesson name."""

    last_lesson: str | None = None
    read: set[str] = field(default_factory=set)
    solved: dict[str, set[str]] = field(default_factory=dict)
    """Lesson name → ids of its quizzes answered correctly."""
    last_mode: str | None = None
    """The mode open when the app last closed (`lessons`, `conv`...); the app reopens it."""
    lesson_line: int = 0
    """How far down the last lesson was scrolled, in lines; reopening it scrolls back there."""

    def mark_read(self, lesson: str) -> bool:
        """Record a lesson as read and as the last one open; True if anything changed."""
        changed = lesson not in self.read or self.last_lesson != lesson
        if self.last_lesson != lesson:
            self.lesson_line = 0
        self.read.add(lesson)
        self.last_lesson = lesson
        return changed

    def mark_solved(self, lesson: str, quiz_id: str) -> bool:
        """Record a quiz as solved; True if it was not already."""
        solved = self.solved.setdefault(lesson, set())
        if quiz_id in solved:
            return False
        solved.add(quiz_id)
        return True

    def is_solved(self, lesson: str, quiz_id: str) -> bool:
        return quiz_id in self.solved.get(lesson, set())

    def solved_count(self, lesson: str) -> int:
        return len(self.solved.get(lesson, set()))

    def to_json(self) -> dict[str, object]:
        return {
            "version": FORMAT_VERSION,
            "last_lesson": self.last_lesson,
            "read": sorted(self.read),
            "solved": {name: sorted(ids) for name, ids in sorted(self.solved.items()) if ids},
            "last_mode": self.last_mode,
            "lesson_line": self.lesson_line,
        }

    @classmethod
    def from_json(cls, data: object) -> Progress:
        """Build from a parsed document; raises ValueError when its shape is wrong."""
        if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
            raise ValueError("not a cnntui progress file of a known version")
        last = data.get("last_lesson")
        read = data.get("read", [])
        solved = data.get("solved", {})
        if last is not None and not isinstance(last, str):
            raise ValueError("last_lesson must be a string")
        if not isinstance(read, list) or not all(isinstance(name, str) for name in read):
            raise ValueError("read must be a list of lesson names")
        if not isinstance(solved, dict) or not all(
            isinstance(ids, list) and all(isinstance(i, str) for i in ids)
            for ids in solved.values()
        ):
            raise ValueError("solved must map lesson names to lists of quiz ids")
        # Both were added later; a file without them is a file from before.
        mode = data.get("last_mode")
        line = data.get("lesson_line", 0)
        if mode is not None and not isinstance(mode, str):
            raise ValueError("last_mode must be a string")
        if not isinstance(line, int) or isinstance(line, bool) or not 0 <= line < 10**7:
            raise ValueError("lesson_line must be a line number")
        return cls(
            last, set(read), {str(name): set(ids) for name, ids in solved.items()}, mode, line
        )


def load_progress(path: Path | None = None) -> tuple[Progress, str | None]:
    """Read progress; returns (progress, warning). A missing file is a first run, no warning."""
    path = progress_path() if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Progress(), None
    except (OSError, UnicodeDecodeError) as error:
        return Progress(), f"could not read progress from {path} ({error}); starting afresh"
    try:
        return Progress.from_json(json.loads(text)), None
    except ValueError as error:
        backup = path.with_name(path.name + ".bad")
        try:
            os.replace(path, backup)
        except OSError:
            backup = path
        return (
            Progress(),
            f"progress file {path} was damaged ({error}); kept as {backup.name}, starting afresh",
        )


def save_progress(progress: Progress, path: Path | None = None) -> None:
    """Write progress atomically; raises OSError if the folder cannot be written."""
    from cnntui.atomic import write_text_atomic

    path = progress_path() if path is None else path
    write_text_atomic(path, json.dumps(progress.to_json(), indent=2, sort_keys=True) + "\n")
