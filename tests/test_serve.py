"""`cnntui serve` without a browser: tokens, session ids, session folders, the guard in front of
every request, the 'full' page, and the command line."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cnntui.cli import main
from cnntui.paths import ALLOWED_PATHS_ENV, FILE_ROOT_ENV
from cnntui.serve.security import (
    TOKEN_COOKIE,
    SessionIds,
    host_is_loopback,
    is_loopback,
    new_token,
    same_origin,
    token_matches,
)
from cnntui.serve.sessions import load_secret, session_environment, session_folder

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("", False),
        ("192.168.1.5", False),
        ("gpu-box", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_host_headers_of_this_machine() -> None:
    for host in ("localhost:8000", "127.0.0.1:8000", "127.0.0.1", "[::1]:8000", "LOCALHOST"):
        assert host_is_loopback(host), host
    for host in (None, "", "evil.example:8000", "10.0.0.2:8000", "[::1", "localhost.evil:80"):
        assert not host_is_loopback(host), host


def test_tokens() -> None:
    token = new_token()
    assert len(token) >= 20 and token != new_token()
    assert token_matches(token, token)
    assert not token_matches(None, token) and not token_matches("", token)
    assert not token_matches(token[:-1], token) and not token_matches(token + "x", token)


def test_session_ids_are_signed() -> None:
    ids = SessionIds(b"k" * 32)
    session = ids.issue()
    name = ids.folder_name(session)
    assert name is not None and len(name) == 32 and session.startswith(name)
    assert ids.issue() != session
    other = SessionIds(b"j" * 32)
    assert other.folder_name(session) is None  # another server's id
    forged = name + "." + "0" * 32
    for bad in (forged, name, "../../etc", session + "x", session.upper(), ""):
        assert ids.folder_name(bad) is None
    with pytest.raises(ValueError):
        SessionIds(b"short")


def test_same_origin() -> None:
    assert same_origin(None, "h:8000")  # not from a page: the token check decides
    assert same_origin("http://h:8000", "h:8000")
    assert same_origin("https://H:8000", "h:8000")
    assert not same_origin("http://evil.example", "h:8000")
    assert not same_origin("http://h:8001", "h:8000")
    assert not same_origin("null", "h:8000")
    assert not same_origin("http://h:8000", None)


def test_secret_is_private_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    secret = load_secret(folder)
    assert len(secret) == 32 and load_secret(folder) == secret
    mode = stat.S_IMODE((folder / ".server-secret").stat().st_mode)
    assert mode == 0o600
    (folder / ".server-secret").write_bytes(b"x")
    with pytest.raises(OSError, match="damaged"):
        load_secret(folder)


def test_session_environment(tmp_path: Path) -> None:
    folder = session_folder(tmp_path, "abc")
    assert (folder / ".state").is_dir() and (folder / ".config").is_dir()
    base = {
        "PATH": "/bin",
        "PYTHONPATH": f"relative{os.pathsep}/abs",
        ALLOWED_PATHS_ENV: "/leftover",
    }
    env = session_environment(base, folder, ascii=True, device="cpu")
    assert env["XDG_STATE_HOME"] == str(folder / ".state")
    assert env["XDG_DATA_HOME"] == str(folder / ".data")
    assert env["XDG_CONFIG_HOME"] == str(folder / ".config")
    assert env["XDG_CACHE_HOME"] == str(folder / ".cache")
    assert env[FILE_ROOT_ENV] == str(folder)
    assert ALLOWED_PATHS_ENV not in env
    assert env["CNNTUI_ASCII"] == "1" and env["CNNTUI_DEVICE"] == "cpu"
    assert env["PYTHONPATH"] == f"{os.path.abspath('relative')}{os.pathsep}/abs"
    assert base["PATH"] == env["PATH"] and "CNNTUI_ASCII" not in base
    shared = [tmp_path / "a", tmp_path / "b"]
    env = session_environment({}, folder, allow_paths=shared)
    assert env[ALLOWED_PATHS_ENV] == os.pathsep.join(map(str, shared))
    assert "CNNTUI_ASCII" not in env and "CNNTUI_DEVICE" not in env


# -- the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "0"], "--port 0"),
        (["--port", "70000"], "--port 70000"),
        (["--max-sessions", "0"], "--max-sessions 0"),
        (["--token", "short"], "--token"),
        (["--token", "has space in it"], "--token"),
        (["--allow-path", "/no/such/folder"], "--allow-path /no/such/folder"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


def test_without_textual_serve_it_says_how_to_get_it() -> None:
    code = (
        "import sys; sys.modules['textual_serve'] = None\n"
        "from cnntui.cli import main; sys.exit(main(['serve']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "pip install 'cnntui[serve]'" in result.stderr


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "cnntui", "serve", "--port", str(port)]
            + ["--sessions-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"cnntui serve: error: cannot listen on 127.0.0.1:{port} (Address already in use); "
        "choose another --port or --host\n"
    )


def test_a_host_beyond_this_machine_gets_a_token(tmp_path: Path) -> None:
    from cnntui.cli import build_parser
    from cnntui.commands.serve import _options

    parse = build_parser().parse_args
    options = _options(parse(["serve", "--host", "0.0.0.0", "--sessions-dir", str(tmp_path)]))
    assert options.token and len(options.token) >= 20
    options = _options(parse(["serve", "--sessions-dir", str(tmp_path)]))
    assert options.token is None and options.host == "127.0.0.1" and options.port == 8000
    options = _options(parse(["--ascii", "serve", "--device", "cpu", "--token", "abcdefgh12"]))
    assert options.ascii and options.device == "cpu" and options.token == "abcdefgh12"


# -- the server, through aiohttp's test client ----------------------------------------------------

aiohttp_test_utils = pytest.importorskip("aiohttp.test_utils")
pytest.importorskip("textual_serve")


async def _client(tmp_path: Path, **kwargs: object):  # type: ignore[no-untyped-def]
    from cnntui.serve.server import ClassServer, ServeOptions

    options = ServeOptions(sessions_dir=tmp_path / "sessions", **kwargs)  # type: ignore[arg-type]
    server = ClassServer(options)
    app = await server._make_app()
    app.on_startup.clear()  # the banner is for a terminal
    client = aiohttp_test_utils.TestClient(aiohttp_test_utils.TestServer(app))
    await client.start_server()
    return server, client


async def test_the_token_is_checked_on_every_request(tmp_path: Path) -> None:
    server, client = await _client(tmp_path, host="0.0.0.0", token="sesame-0123")
    try:
        for path in ("/", "/?token=wrong-0123", "/static/js/textual.js", "/ws/x"):
            response = await client.get(path)
            assert response.status == 403, path
            assert "needs its token" in await response.text()
        response = await client.get("/?token=sesame-0123")
        assert response.status == 200
        assert response.cookies[TOKEN_COOKIE].value == "sesame-0123"
        assert response.cookies[TOKEN_COOKIE]["httponly"]
        page = await response.text()
        assert "static/js/textual.js" in page and "googleapis" not in page
        assert response.headers["Referrer-Policy"] == "no-referrer"
        # the cookie is enough from now on
        assert (await client.get("/static/js/textual.js")).status == 200
        # a session id the server never issued
        response = await client.get("/ws/" + "a" * 32 + "." + "b" * 32)
        assert response.status == 403 and "Unknown session" in await response.text()
    finally:
        await client.close()


async def test_websockets_only_from_the_page_s_own_origin(tmp_path: Path) -> None:
    server, client = await _client(tmp_path)
    try:
        session = server.ids.issue()
        response = await client.get(f"/ws/{session}", headers={"Origin": "http://evil.example"})
        assert response.status == 403
        assert not server.sessions
    finally:
        await client.close()


async def test_without_a_token_only_requests_for_localhost_are_answered(tmp_path: Path) -> None:
    server, client = await _client(tmp_path)
    try:
        response = await client.get("/", headers={"Host": "rebound.example:8000"})
        assert response.status == 403 and "localhost" in await response.text()
        assert (await client.get("/", headers={"Host": "localhost:8000"})).status == 200
    finally:
        await client.close()


async def test_a_full_class_gets_a_friendly_page(tmp_path: Path) -> None:
    server, client = await _client(tmp_path, max_sessions=1)
    try:
        assert (await client.get("/")).status == 200
        server.sessions["x"] = object()  # type: ignore[assignment]
        response = await client.get("/")
        assert response.status == 503 and response.headers["Retry-After"] == "60"
        assert "The class is full" in await response.text()
        # a reloaded tab (its page asks again with `resume`) gets back in: its old session ends
        # when the new one connects, and the websocket checks the cap again
        assert (await client.get("/?resume=1")).status == 200
        response = await client.get(f"/ws/{server.ids.issue()}")
        assert response.status == 503
        server.sessions.clear()
    finally:
        await client.close()


def test_a_loopback_server_may_go_without_a_token_others_may_not(tmp_path: Path) -> None:
    from cnntui.serve.server import ClassServer, ServeOptions

    with pytest.raises(ValueError, match="token"):
        ClassServer(ServeOptions(host="0.0.0.0", sessions_dir=tmp_path))
    server = ClassServer(ServeOptions(host="0.0.0.0", token="t0k3n-abc", sessions_dir=tmp_path))
    assert server.link().endswith(":8000/?token=t0k3n-abc")
    assert ClassServer(ServeOptions(sessions_dir=tmp_path)).link() == "http://127.0.0.1:8000/"


SERVER_THAT_DIES = """
import subprocess, sys, time
session = subprocess.Popen([sys.executable, "-m", "cnntui.serve.session"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
assert session.stdout.readline() == b"__GANGLION__\\n"   # the app is up
time.sleep(10)  # until it is idle: a busy app would meet the closed pipe when it next draws
print(session.pid, flush=True)
time.sleep(60)
"""


def _living(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_session_quits_when_its_server_is_killed(tmp_path: Path) -> None:
    import signal
    import time

    folder = session_folder(tmp_path, "abc")
    env = session_environment(dict(os.environ, PYTHONPATH=str(ROOT)), folder)
    env["TEXTUAL_DRIVER"] = "textual.drivers.web_driver:WebDriver"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_THAT_DIES], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert server.stdout is not None
        session = int(server.stdout.readline())
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        deadline = time.monotonic() + 20
        while _living(session) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _living(session), "the session outlived its server"
    finally:
        server.kill()
        server.wait()
