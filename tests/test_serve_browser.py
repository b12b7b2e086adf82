"""`cnntui serve` in a real browser: the system's chromium, headless, driven by Playwright.

The terminal's text is read from xterm.js's own screen buffer (see `CAPTURE_TERMINAL`). Needs
Debian's `chromium` package (`.ci/run` installs it) and the `test` extra; skipped without them.
Set `CNNTUI_SERVE_SCREENSHOT=docs/serve.png` to save the README's screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cnntui.resources import lessons_dir

LESSONS = len(list(lessons_dir().glob("[0-9]*.md")))
"""How many lessons the contents show (the reader's border reads "N/LESSONS")."""

sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("textual_serve")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs the chromium package"),
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc"),
]

ROOT = Path(__file__).resolve().parent.parent
FIRST_FRAME_S = 8.0
"""Generous for a loaded 2-core CI machine; an idle one shows the first frame in about 2 s."""

# Keeps each xterm.js Terminal the page creates (it sets `_core` in its constructor), so the test
# can read the screen buffer: the page draws on a canvas, which holds no text to query.
CAPTURE_TERMINAL = """
window.__terminals = [];
Object.defineProperty(Object.prototype, "_core", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "_core", { value, writable: true, configurable: true });
    if (typeof this.loadAddon === "function") window.__terminals.push(this);
  },
});
"""
READ_SCREEN = """() => {
  const t = window.__terminals[0];
  if (!t) return "";
  const b = t.buffer.active, rows = [];
  for (let i = 0; i < t.rows; i++) {
    const line = b.getLine(b.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def _family(pid: int) -> set[int]:
    """`pid`'s living descendants."""
    out: set[int] = set()
    todo = [pid]
    while todo:
        for child in _children(todo.pop()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _until(condition, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.1)
    return time.monotonic() - start


class Served:
    """A `cnntui serve` process on a free port."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.port = _free_port()
        self.sessions_dir = tmp_path / "sessions"
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            OPENBLAS_NUM_THREADS="1",
            XDG_STATE_HOME=str(tmp_path / "state"),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cnntui", "serve", "--port", str(self.port), "--device", "cpu"]
            + ["--sessions-dir", str(self.sessions_dir), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        _until(lambda: any("Ctrl+C" in line for line in self.output), 20, "the server to start")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def url(self, query: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{query}"

    def sessions(self) -> set[int]:
        return _children(self.process.pid)

    def stop(self) -> int:
        """Ctrl-C, as in the terminal; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()


@contextmanager
def _browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        context = browser.new_context(viewport={"width": 1000, "height": 600})
        context.add_init_script(CAPTURE_TERMINAL)
        try:
            yield context
        finally:
            browser.close()


def _screen(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate(READ_SCREEN))


def _wait_for(page, *texts: str, timeout: float = 20) -> float:  # type: ignore[no-untyped-def]
    try:
        return _until(lambda: all(t in _screen(page) for t in texts), timeout, repr(texts))
    except AssertionError as error:
        raise AssertionError(f"{error}; the screen:\n{_screen(page)}") from None


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _progress(folder: Path) -> dict[str, object]:
    return dict(json.loads((folder / ".state" / "cnntui" / "progress.json").read_text()))


def test_a_class_in_the_browser(tmp_path: Path) -> None:
    server = Served(tmp_path, "--max-sessions", "2")
    try:
        with _browser() as context:
            page = context.new_page()  # type: ignore[attr-defined]
            start = time.monotonic()
            page.goto(server.url())
            _wait_for(page, "1 Lessons", "Lessons ─", timeout=20)
            first_frame = time.monotonic() - start
            assert first_frame < FIRST_FRAME_S, f"first frame after {first_frame:.1f} s"
            assert len(server.sessions()) == 1

            # keys reach the app: lessons, then other modes
            _wait_for(page, "Why deep learning?", f"1/{LESSONS}")
            page.click("#terminal")
            page.keyboard.press("n")
            page.keyboard.press("n")
            _wait_for(page, "Convolution", f"3/{LESSONS}")
            page.keyboard.press("4")
            _wait_for(page, "lenet5", "alexnet")
            # the mouse too: a click on the mode bar's "6 GAN" opens the GAN lab
            box = page.locator(".xterm-screen").bounding_box()
            columns, rows = page.evaluate(
                "() => [window.__terminals[0].cols, window.__terminals[0].rows]"
            )
            column = _screen(page).splitlines()[0].index("6 GAN")
            page.mouse.click(
                box["x"] + (column + 1.5) * box["width"] / columns,
                box["y"] + 0.5 * box["height"] / rows,
            )
            _wait_for(page, "Discriminative: P(y|x)")
            page.keyboard.press("4")
            _wait_for(page, "lenet5", "alexnet")
            shot = tmp_path / "serve.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            if os.environ.get("CNNTUI_SERVE_SCREENSHOT"):
                shutil.copyfile(shot, os.environ["CNNTUI_SERVE_SCREENSHOT"])

            # a second tab is a second session, with progress of its own
            other = context.new_page()  # type: ignore[attr-defined]
            other.goto(server.url())
            _wait_for(other, "Why deep learning?", f"1/{LESSONS}")
            assert len(server.sessions()) == 2
            folders = [p for p in server.sessions_dir.iterdir() if p.is_dir()]
            assert len(folders) == 2
            lessons = sorted(str(_progress(f)["last_lesson"]) for f in folders)
            assert lessons == ["01-why-deep-learning", "03-convolution"]

            # the class is full at two
            status, text = _get(server.url())
            assert status == 503 and "The class is full" in text

            # a reload comes back to the same session folder, in the mode it left (Models) and at
            # the lesson it left
            page.reload()
            _wait_for(page, "lenet5", "alexnet")
            page.click("#terminal")
            page.keyboard.press("1")
            _wait_for(page, "Convolution", f"3/{LESSONS}")
            assert len([p for p in server.sessions_dir.iterdir() if p.is_dir()]) == 2
            sessions = server.sessions()
            assert len(sessions) == 2
            family = sessions.union(*(_family(s) for s in sessions))

            # Ctrl-C stops the server and every session, with the tab still open
            assert server.stop() == 0
            assert not any(_alive(p) for p in family)
            assert "Traceback" not in "".join(server.output)
    finally:
        server.stop()


def test_a_closed_tab_stops_its_run_as_a_dropped_connection_would(tmp_path: Path) -> None:
    server = Served(tmp_path)
    try:
        with _browser() as context:
            page = context.new_page()  # type: ignore[attr-defined]
            page.goto(server.url())
            _wait_for(page, "1 Lessons", "Lessons ─")
            (session,) = server.sessions()
            page.click("#terminal")
            page.keyboard.press("5")
            _wait_for(page, "Setup", "Curves")
            page.keyboard.press("Escape")
            page.keyboard.press("Space")
            _wait_for(page, "running", "loss", "accuracy", "epoch")  # the live charts
            family = {session} | _family(session)
            assert len(family) >= 2, "the run has a process of its own"
            page.close()
            # the run checkpoints and stops, and every process of the session ends
            _until(lambda: not any(_alive(p) for p in family), 30, "the closed tab's processes")
            assert not server.sessions()
        (folder,) = [p for p in server.sessions_dir.iterdir() if p.is_dir()]
        (run,) = (folder / ".data" / "cnntui" / "runs").iterdir()
        info = json.loads((run / "run.json").read_text())
        assert not info["finished"] and list(run.glob("checkpoint-*.npz"))
        assert server.stop() == 0
    finally:
        server.stop()


def test_beyond_this_machine_the_token_is_required(tmp_path: Path) -> None:
    aiohttp = pytest.importorskip("aiohttp")
    token = "class-token-0123"
    # Every interface, but every request goes to this machine's loopback address.
    server = Served(tmp_path, "--host", "0.0.0.0", "--token", token)
    try:
        printed = "".join(server.output)
        assert f"?token={token}" in printed and "Warning" in printed
        with _browser() as context:
            page = context.new_page()  # type: ignore[attr-defined]
            for query in ("", "?token=wrong-token-99"):
                response = page.goto(server.url(query))
                assert response.status == 403
                assert "needs its token" in page.content()
            assert not server.sessions()

            page.goto(server.url(f"?token={token}"))
            _wait_for(page, "1 Lessons", "Lessons ─")
            assert len(server.sessions()) == 1
            cookies = {c["name"]: c for c in context.cookies()}  # type: ignore[attr-defined]
            assert cookies["cnntui_token"]["httpOnly"]

        # the websocket itself checks the token too, not only the page
        async def handshake(cookie: str | None) -> int:
            headers = {"Cookie": f"cnntui_token={cookie}"} if cookie else {}
            async with aiohttp.ClientSession() as client:
                try:
                    async with client.ws_connect(
                        f"ws://127.0.0.1:{server.port}/ws/{'a' * 32}.{'b' * 32}", headers=headers
                    ):
                        return 101
                except aiohttp.WSServerHandshakeError as error:
                    return error.status

        import asyncio

        assert asyncio.run(handshake(None)) == 403
        assert asyncio.run(handshake("wrong-token-99")) == 403
        assert server.stop() == 0
    finally:
        server.stop()
