"""Every UI module stays small enough to read in one sitting: one concern per file."""

from __future__ import annotations

from pathlib import Path

import cnntui.ui

MAX_LINES = 400
"""About 400 lines; a module past this is split along its concerns."""


def test_no_ui_module_is_over_about_400_lines() -> None:
    root = Path(cnntui.ui.__file__).parent
    sizes = {
        str(path.relative_to(root)): len(path.read_text(encoding="utf-8").splitlines())
        for path in root.rglob("*.py")
    }
    assert sizes
    too_long = {name: lines for name, lines in sizes.items() if lines > MAX_LINES}
    assert not too_long, f"split these along their concerns: {too_long}"
