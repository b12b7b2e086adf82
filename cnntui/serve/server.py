"""The class server: textual-serve's web server with tokens, a session cap and a folder per tab.

textual-serve runs one app process per websocket and relays its screen to xterm.js in the page.
This subclass changes what a shared server needs:

- every request passes `_guard`: the token (from `?token=`, then a cookie) when the server has
  one, and for websockets the same origin, so another site's page cannot drive a session;
- `/` serves a page with no outside resources that gives its tab a signed session id;
  `/ws/ID` starts `python -m cnntui.serve.session` in that session's folder (its own XDG folders
  and file root) in a process group of its own, so the terminal's Ctrl-C reaches the server only
  and the server stops each session itself;
- at most `max_sessions` run at once; past that `/` answers with a page that says the class is
  full;
- a session ends with its websocket (tab closed, reload, heartbeat lost): the app is asked to
  quit (a training run checkpoints and stops, as on a dropped SSH connection), then hung up,
  then killed;
- Ctrl-C, SIGTERM or SIGHUP stop the server and every session the same way.

Imports aiohttp and textual-serve: only `cnntui serve` loads this module.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from aiohttp import web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from cnntui.i18n import _
from cnntui.serve.security import (
    TOKEN_COOKIE,
    SessionIds,
    host_is_loopback,
    is_loopback,
    same_origin,
    token_matches,
)
from cnntui.serve.sessions import (
    default_sessions_dir,
    load_secret,
    session_environment,
    session_folder,
)

log = logging.getLogger("cnntui.serve")

QUIT_TIMEOUT_S = 12.0
"""How long a session's app may take to quit (a training run checkpoints within ~5 s)."""
HANGUP_TIMEOUT_S = 5.0
"""After that, how long it may take to stop on SIGHUP before it is killed."""
PAGE = Path(__file__).with_name("static") / "app.html"


@dataclass
class ServeOptions:
    """What `cnntui serve` was asked for."""

    host: str = "127.0.0.1"
    port: int = 8000
    max_sessions: int = 30
    token: str | None = None
    """None: no token (only allowed on a loopback host)."""
    sessions_dir: Path = field(default_factory=default_sessions_dir)
    allow_paths: list[Path] = field(default_factory=list)
    ascii: bool | None = None
    device: str | None = None
    lesson: str | None = None
    python: str = sys.executable

    def session_argv(self) -> list[str]:
        argv = [self.python, "-m", "cnntui.serve.session"]
        if self.lesson:
            argv += ["--lesson", self.lesson]
        return argv


class SessionService(AppService):
    """One session's app process: started without a shell, in the session's folder, with the
    session's environment, in a process group of its own."""

    def __init__(
        self,
        argv: list[str],
        folder: Path,
        environment: Callable[[dict[str, str]], dict[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self.folder = folder
        self._environment = environment

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return self._environment(super()._build_environment(width, height))

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            cwd=self.folder,
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def stop(self) -> None:
        """Ask the app to quit; hang it up (SIGHUP to its group) if it does not, then kill it."""
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            await self.send_meta({"type": "quit"})
            if not await _wait(process, QUIT_TIMEOUT_S):
                _signal_group(process.pid, signal.SIGHUP)
                if not await _wait(process, HANGUP_TIMEOUT_S):
                    _signal_group(process.pid, signal.SIGKILL)
                    await process.wait()
        if self._task is not None:
            task, self._task = self._task, None
            await task


async def _wait(process: Any, timeout: float) -> bool:
    try:
        await asyncio.wait_for(process.wait(), timeout)
    except TimeoutError:
        return False
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


@dataclass
class LiveSession:
    service: SessionService
    websocket: web.WebSocketResponse


class ClassServer(Server):
    """textual-serve's `Server` made fit for a class: see the module docstring."""

    def __init__(self, options: ServeOptions) -> None:
        if options.token is None and not is_loopback(options.host):
            raise ValueError("a server that listens beyond this machine needs a token")
        super().__init__(command="cnntui", host=options.host, port=options.port, title="cnntui")
        self.options = options
        self.sessions: dict[str, LiveSession] = {}
        """Live sessions by folder name."""
        self.ids = SessionIds(load_secret(options.sessions_dir))
        self._page = Template(PAGE.read_text(encoding="utf-8"))

    # -- the web application -------------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws/{session}", self.handle_websocket, name="websocket"),
                web.static("/static", self.statics_path, name="static"),
                web.get("/favicon.ico", _no_content),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _guard(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        token = self.options.token
        from_query = False
        if token is None and not host_is_loopback(request.host):
            return _page(403, "Refused", "This server only answers requests for localhost.")
        if token is not None:
            from_query = token_matches(request.query.get("token"), token)
            if not from_query and not token_matches(request.cookies.get(TOKEN_COOKIE), token):
                return _page(
                    403,
                    "This link needs its token",
                    "Open the address the teacher gave you, with its <code>?token=</code> part.",
                )
        if request.path.startswith("/ws/") and not same_origin(
            request.headers.get("Origin"), request.host
        ):
            return _page(403, "Refused", "A session can only be opened from its own page.")
        response = await handler(request)
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if from_query and token is not None and not response.prepared:
            response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="Strict", path="/")
        return response

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        # `resume`: a tab that already has a session (a reload) is let in; its old session ends
        # when the new one connects, so the cap still holds (the websocket checks it again).
        if len(self.sessions) >= self.options.max_sessions and "resume" not in request.query:
            return _full_page(self.options.max_sessions)
        font_size = max(8, min(32, to_int(request.query.get("fontsize", "16"), 16)))
        text = self._page.substitute(session=self.ids.issue(), font_size=font_size)
        response = web.Response(text=text, content_type="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        name = self.ids.folder_name(request.match_info["session"])
        if name is None:
            return _page(403, "Unknown session", "Reload the page to start a new session.")
        previous = self.sessions.pop(name, None)
        if previous is not None:
            # The same tab again (a reload, a duplicated tab): one process per folder, the newest.
            await self._end(previous)
        if len(self.sessions) >= self.options.max_sessions:
            return _full_page(self.options.max_sessions)
        width = max(20, min(500, to_int(request.query.get("width", "80"), 80)))
        height = max(10, min(200, to_int(request.query.get("height", "24"), 24)))
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        folder = session_folder(self.options.sessions_dir, name)
        options = self.options
        service = SessionService(
            options.session_argv(),
            folder,
            lambda base: session_environment(
                base,
                folder,
                allow_paths=options.allow_paths,
                ascii=options.ascii,
                device=options.device,
            ),
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        live = LiveSession(service, websocket)
        self.sessions[name] = live
        log.info("session %s started (%d live)", name[:8], len(self.sessions))
        try:
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception as error:  # a bad message from a page ends its session, not the server
            log.warning("session %s: %s: %s", name[:8], type(error).__name__, error)
        finally:
            if self.sessions.get(name) is live:
                del self.sessions[name]
            await self._end(live)
            log.info("session %s ended (%d live)", name[:8], len(self.sessions))
        return websocket

    async def _end(self, live: LiveSession) -> None:
        await live.service.stop()
        if not live.websocket.closed:
            await live.websocket.close()

    # -- start and stop --------------------------------------------------------------------------

    async def on_startup(self, app: web.Application) -> None:
        """Nothing to print yet: the banner waits until the port is bound (`_banner`)."""

    def _banner(self, _message: str = "") -> None:
        self.console.print(
            _("cnntui is serving the app on {link}").format(link=self.link()), highlight=False
        )
        self.console.print(
            "  "
            + _("up to {count} sessions; each tab's files live in {folder}").format(
                count=self.options.max_sessions, folder=self.options.sessions_dir
            ),
            highlight=False,
        )
        if not is_loopback(self.options.host):
            folders = (
                _("their own folders and in {paths}").format(
                    paths=", ".join(str(p) for p in self.options.allow_paths)
                )
                if self.options.allow_paths
                else _("their own folders")
            )
            warning = _(
                "[bold yellow]Warning:[/] anyone who can reach this address and has the token "
                "runs cnntui as this user on this machine. Sessions can read and write files in "
                "{folders}, use its CPU and GPU, and train for as long as they stay open."
            )
            self.console.print("  " + warning.format(folders=folders), highlight=False)
        self.console.print(
            "  " + _("Press Ctrl+C to stop the server and every session."), highlight=False
        )

    async def on_shutdown(self, app: web.Application) -> None:
        live = list(self.sessions.values())
        self.sessions.clear()
        if live:
            self.console.print(
                _("stopping {count} session(s)…").format(count=len(live)), highlight=False
            )
        await asyncio.gather(*(self._end(s) for s in live), return_exceptions=True)

    def link(self) -> str:
        """The address to give students (with the token when there is one)."""
        host = self.options.host
        if host in ("", "0.0.0.0", "::"):
            host = socket.gethostname()
        elif ":" in host:
            host = f"[{host}]"
        url = f"http://{host}:{self.options.port}/"
        return f"{url}?token={self.options.token}" if self.options.token else url

    def serve(self, debug: bool = False) -> None:
        """Run until Ctrl-C, SIGTERM or SIGHUP, then stop every session and return."""
        self.debug = debug
        self.initialize_logging()
        logging.getLogger("textual-serve").setLevel(logging.WARNING)
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.options.host,
                port=self.options.port,
                handle_signals=False,
                loop=loop,
                print=self._banner,  # called once the sockets listen
                access_log=None,
                shutdown_timeout=QUIT_TIMEOUT_S + HANGUP_TIMEOUT_S + 5,
            )
        except GracefulExit:
            pass


async def _no_content(request: web.Request) -> web.Response:
    return web.Response(status=204)


def _page(status: int, title: str, body_html: str, script: str = "") -> web.Response:
    text = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>cnntui: {html.escape(title)}</title><style>"
        "body{background:#0c181f;color:#e8eef2;font-family:monospace;display:flex;"
        "align-items:center;justify-content:center;height:100vh;margin:0}"
        "main{max-width:40em;padding:2em;background:#12232d}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1><p>{body_html}</p></main>{script}</body></html>"
    )
    response = web.Response(status=status, text=text, content_type="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def _full_page(limit: int) -> web.Response:
    response = _page(
        503,
        "The class is full",
        f"All {limit} places on this server are taken. Try again in a minute, "
        "when someone closes their tab, or ask your teacher.",
        # A reload of a tab that has a session: come back in, in place of the old session.
        "<script>if (sessionStorage.getItem('cnntui-session')) {"
        " const u = new URL(location.href);"
        " if (!u.searchParams.has('resume')) { u.searchParams.set('resume', '1');"
        " location.replace(u.toString()); } }</script>",
    )
    response.headers["Retry-After"] = "60"
    return response
