"""The program each served session runs: the app, with the driver textual-serve asked for.

`python -m cnntui.serve.session [--lesson NAME]`: textual-serve sets `TEXTUAL_DRIVER` to its web
driver, which talks over stdin and stdout instead of a terminal; the session's folders, file root
and app options arrive in the environment (see `cnntui.serve.sessions`).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cnntui-session")
    parser.add_argument("--lesson")
    args = parser.parse_args(argv)
    # Relative paths typed in the app land in the session's folder.
    root = os.environ.get("CNNTUI_FILE_ROOT")
    if root:
        os.chdir(root)
    from cnntui.child import watch_parent
    from cnntui.ui.app import CnnTuiApp

    # A server that dies without a word (SIGKILL) closes no session: each one notices, and quits
    # the way the server would have asked it to (textual's web driver exits cleanly on SIGTERM).
    watch_parent(os.getppid(), interval=1.0, signum=signal.SIGTERM)

    app = CnnTuiApp(start_lesson=args.lesson)
    app.run()
    return int(app.return_code or 0)


if __name__ == "__main__":
    sys.exit(main())
