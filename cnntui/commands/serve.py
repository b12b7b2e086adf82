"""`cnntui serve`: the whole app in a web browser, one app process and folder per tab, for a class.

Binds 127.0.0.1 unless `--host` says otherwise (reach it with `ssh -L 8000:localhost:8000 HOST`);
any other host needs a token, generated and printed when `--token` is not given. Sessions open
files only in their own folder unless `--allow-path` opens more. Needs the `serve` extra
(`pip install 'cnntui[serve]'`).
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from cnntui.errors import UsageError
from cnntui.i18n import N_, _

if TYPE_CHECKING:
    from cnntui.serve.server import ServeOptions

NAME = "serve"
HELP = N_("serve the app to web browsers, one session per tab (for a class)")

DEVICES = ("auto", "cpu", "gpu")
_TOKEN = re.compile(r"[A-Za-z0-9_.~-]{8,128}")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help=_(
            "address to listen on (default 127.0.0.1: this machine only; any other needs a token)"
        ),
    )
    parser.add_argument(
        "--port", type=int, default=8000, help=_("port to listen on (default 8000)")
    )
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=30,
        metavar="N",
        help=_(
            "most sessions (browser tabs) at once; more get a 'class is full' page (default 30)"
        ),
    )
    parser.add_argument(
        "--token",
        help=_(
            "secret the page must present as ?token=... (default: none on 127.0.0.1, "
            "else a random one, printed)"
        ),
    )
    parser.add_argument(
        "--sessions-dir",
        metavar="DIR",
        help=_(
            "where each tab's folder (progress, runs, settings) lives "
            "(default $XDG_STATE_HOME/cnntui/serve)"
        ),
    )
    parser.add_argument(
        "--allow-path",
        action="append",
        default=[],
        metavar="DIR",
        help=_(
            "let every session open files under DIR too, e.g. a shared data folder (repeatable); "
            "otherwise a session opens only its own folder and the bundled assets"
        ),
    )
    parser.add_argument(
        "--ascii",
        dest="serve_ascii",
        action="store_true",
        default=None,
        help=_("sessions draw with plain ASCII only"),
    )
    parser.add_argument(
        "--device", dest="serve_device", choices=DEVICES, help=_("where sessions' labs compute")
    )


def run(args: argparse.Namespace) -> int:
    if (
        importlib.util.find_spec("textual_serve") is None
        or importlib.util.find_spec("aiohttp") is None
    ):
        raise UsageError(_("serving needs textual-serve: pip install 'cnntui[serve]'"))
    options = _options(args)

    from cnntui.serve.server import ClassServer

    try:
        server = ClassServer(options)
    except OSError as error:
        raise UsageError(
            _("--sessions-dir {sessions_dir}: {error}").format(
                sessions_dir=options.sessions_dir, error=error
            )
        ) from None
    try:
        server.serve()
    except OSError as error:
        if error.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise UsageError(
                _(
                    "cannot listen on {host}:{port} ({reason}); choose another --port or --host"
                ).format(host=options.host, port=options.port, reason=os.strerror(error.errno))
            ) from None
        raise
    return 0


def _options(args: argparse.Namespace) -> ServeOptions:
    """The server's options from the command line; UsageError for bad ones."""
    from cnntui.serve.security import is_loopback, new_token
    from cnntui.serve.server import ServeOptions
    from cnntui.serve.sessions import default_sessions_dir

    if not 0 < args.port < 65536:
        raise UsageError(_("--port {port}: give a port from 1 to 65535").format(port=args.port))
    if args.max_sessions < 1:
        raise UsageError(
            _("--max-sessions {max_sessions}: give at least 1").format(
                max_sessions=args.max_sessions
            )
        )
    token = args.token
    if token is not None and not _TOKEN.fullmatch(token):
        raise UsageError(
            _("--token: give 8 to 128 letters, digits or -_.~ (or leave it out for a random one)")
        )
    if token is None and not is_loopback(args.host):
        token = new_token()
    allow = []
    for folder in args.allow_path:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise UsageError(_("--allow-path {folder}: no such folder").format(folder=folder))
        allow.append(path.resolve())
    sessions_dir = Path(args.sessions_dir).expanduser() if args.sessions_dir else None
    ascii = args.serve_ascii or getattr(args, "ascii", None)
    device = args.serve_device or getattr(args, "device", None)
    return ServeOptions(
        host=args.host,
        port=args.port,
        max_sessions=args.max_sessions,
        token=token,
        sessions_dir=(sessions_dir or default_sessions_dir()).resolve(),
        allow_paths=allow,
        ascii=ascii,
        device=device,
    )
