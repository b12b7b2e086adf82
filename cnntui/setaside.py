"""Move a damaged file out of the way under a name that never replaces an earlier one.

`progress.json` becomes `progress.json.bad`, or `progress.json.bad-2`, `-3`, … when those exist, so
every damaged version is kept for the learner to look at. The new name is claimed with a hard
link, which fails rather than replaces, so two processes cannot pick the same one. Standard
library only.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

MAX_KEPT = 1000
"""Past this many set-aside copies the file is left where it is (and the caller says so)."""


def set_aside(path: Path) -> Path | None:
    """Rename `path` to the first free `NAME.bad[-N]` beside it; None if it could not be moved."""
    for number in range(1, MAX_KEPT + 1):
        suffix = ".bad" if number == 1 else f".bad-{number}"
        candidate = path.with_name(path.name + suffix)
        try:
            os.link(path, candidate)
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                return None
            # no hard links here (some file systems): check, then rename
            if candidate.exists():
                continue
            try:
                os.rename(path, candidate)
            except OSError:
                return None
            return candidate
        try:
            os.unlink(path)
        except OSError:
            pass  # the copy is safe; the original will be replaced on the next save
        return candidate
    return None
