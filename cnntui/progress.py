"""What the learner has done: lessons read, quizzes solved, the last lesson open and where in it,
the last mode open.

Saved as JSON in `$XDG_STATE_HOME/cnntui/progress.json` (default `~/.local/state/cnntui/`), written
atomically (a temporary file in the same folder, flushed, then renamed over the old one), so a
dropped SSH connection or a crash mid-write never leaves a half-written file. A file that cannot be
used (unreadable, not UTF-8, not JSON, nested absurdly deep, wrong types, out-of-range sizes) is set
aside as `progress.json.bad` (or `.bad-2`, … : an earlier one is never replaced) and progress starts
afresh with a notice. Saving reads the file again under a lock (`progress.json.lock`, `flock`) and
merges what it holds, so two cnntui windows open at once both keep what the learner did in each.
Pure: no Textual.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cnntui import userfile
from cnntui.i18n import _
from cnntui.setaside import set_aside

FORMAT_VERSION = 1
MAX_NAME = 200
"""Longest lesson name or quiz id kept (lesson names are file names, quiz ids short words)."""
MAX_ENTRIES = 10_000
"""Most lessons, or quizzes per lesson, a progress file may list."""


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

    def merge(self, other: Progress) -> None:
        """Add what `other` records (read lessons, solved quizzes); keep this last lesson."""
        self.read |= other.read
        for lesson, ids in other.solved.items():
            self.solved.setdefault(lesson, set()).update(ids)
        if self.last_lesson is None:
            self.last_lesson = other.last_lesson

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
            raise ValueError(_("not a cnntui progress file of a known version"))
        last = data.get("last_lesson")
        read = data.get("read", [])
        solved = data.get("solved", {})
        if last is not None and not _is_name(last):
            raise ValueError(_("last_lesson must be a lesson name"))
        if not isinstance(read, list) or not all(_is_name(name) for name in read):
            raise ValueError(_("read must be a list of lesson names"))
        if not isinstance(solved, dict) or not all(
            _is_name(lesson) and isinstance(ids, list) and all(_is_name(i) for i in ids)
            for lesson, ids in solved.items()
        ):
            raise ValueError(_("solved must map lesson names to lists of quiz ids"))
        if len(read) > MAX_ENTRIES or len(solved) > MAX_ENTRIES:
            raise ValueError(_("more than {count:,} lessons listed").format(count=MAX_ENTRIES))
        if any(len(ids) > MAX_ENTRIES for ids in solved.values()):
            raise ValueError(
                _("more than {count:,} quizzes listed for one lesson").format(count=MAX_ENTRIES)
            )
        # Both were added later; a file without them is a file from before.
        mode = data.get("last_mode")
        line = data.get("lesson_line", 0)
        if mode is not None and not isinstance(mode, str):
            raise ValueError(_("last_mode must be a string"))
        if not isinstance(line, int) or isinstance(line, bool) or not 0 <= line < 10**7:
            raise ValueError(_("lesson_line must be a line number"))
        return cls(
            last, set(read), {str(name): set(ids) for name, ids in solved.items()}, mode, line
        )


def _is_name(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_NAME and value.isprintable()


def _read(path: Path) -> Progress:
    """The progress in `path`: FileNotFoundError when there is none, ValueError (or another
    OSError) naming what is wrong when it cannot be used."""
    try:
        text = userfile.read_text(path, "progress")
    except UnicodeDecodeError:
        raise ValueError(_("not UTF-8 text")) from None
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(_("nested too deeply")) from None
    return Progress.from_json(data)  # a JSONDecodeError is a ValueError


def load_progress(path: Path | None = None) -> tuple[Progress, str | None]:
    """Read progress; returns (progress, warning). A missing file is a first run, no warning."""
    path = progress_path() if path is None else path
    try:
        return _read(path), None
    except FileNotFoundError:
        return Progress(), None
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        backup = set_aside(path)
        if backup:
            warning = _(
                "progress file {path} is damaged or unreadable ({reason}); kept as {name}, "
                "starting afresh"
            ).format(path=path, reason=reason, name=backup.name)
        else:
            warning = _(
                "progress file {path} is damaged or unreadable ({reason}); left where it is, "
                "starting afresh"
            ).format(path=path, reason=reason)
        return Progress(), warning


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` + `.lock` (where the system has one)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the write itself is still atomic
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)  # cnntui's own state folder
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def save_progress(progress: Progress, path: Path | None = None) -> None:
    """Merge what the file holds into `progress`, then write it atomically, under a lock.

    Another cnntui saving at the same time waits for the lock, then merges this save in turn:
    nothing either of them recorded is lost. Raises OSError if the folder cannot be written.
    """
    from cnntui.atomic import write_text_atomic

    path = progress_path() if path is None else path
    with _locked(path):
        try:
            progress.merge(_read(path))
        except FileNotFoundError:
            pass
        except (OSError, ValueError):
            set_aside(path)  # damaged since it was loaded: keep it, write what we know
        write_text_atomic(
            path, json.dumps(progress.to_json(), indent=2, sort_keys=True) + "\n", parents=True
        )
