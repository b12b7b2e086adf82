"""`check_user_path`: a served session opens files only in its own folder (and the bundled assets,
and what the server allowed); in a terminal nothing changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import make_app
from textual.widgets import Input

from cnntui import images
from cnntui.data import DatasetError, load_splits
from cnntui.errors import UsageError
from cnntui.paths import ALLOWED_PATHS_ENV, FILE_ROOT_ENV, PathNotAllowed, check_user_path
from cnntui.resources import asset_path
from cnntui.ui.models.screen import ModelsScreen


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "session"
    root.mkdir()
    monkeypatch.setenv(FILE_ROOT_ENV, str(root))
    monkeypatch.delenv(ALLOWED_PATHS_ENV, raising=False)
    return root


def test_unconfined_paths_are_only_expanded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(FILE_ROOT_ENV, raising=False)
    assert check_user_path("/etc/passwd") == Path("/etc/passwd")
    assert check_user_path("~/x.toml") == Path.home() / "x.toml"
    assert check_user_path("net.toml") == Path("net.toml")


def test_relative_and_home_paths_land_in_the_session_folder(session: Path) -> None:
    real = session.resolve()
    assert check_user_path("net.toml") == real / "net.toml"
    assert check_user_path("~/specs/net.toml", write=True) == real / "specs" / "net.toml"
    assert check_user_path("~") == real
    assert check_user_path(str(session / "a" / ".." / "b.png")) == real / "b.png"


@pytest.mark.parametrize(
    "path", ["/etc/passwd", "../x.toml", "a/../../x.toml", "~root/.ssh/id_rsa", "/", "~/.."]
)
def test_paths_outside_are_refused(session: Path, path: str) -> None:
    with pytest.raises(PathNotAllowed, match="only files in your session folder"):
        check_user_path(path)
    assert issubclass(PathNotAllowed, UsageError)


def test_a_symbolic_link_cannot_lead_out(session: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    (session / "link.txt").symlink_to(outside)
    (session / "dir").symlink_to(tmp_path)
    for path in ("link.txt", "dir/secret.txt"):
        with pytest.raises(PathNotAllowed):
            check_user_path(path)


def test_bundled_assets_are_readable_not_writable(session: Path) -> None:
    digit = asset_path("images", "digit-7.pgm")
    if not digit.exists():
        digit = next(asset_path("images").iterdir())
    assert check_user_path(str(digit)) == digit.resolve()
    with pytest.raises(PathNotAllowed):
        check_user_path(str(digit), write=True)


def test_allowed_folders_open_up(
    session: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    with pytest.raises(PathNotAllowed):
        check_user_path(str(shared / "mnist"))
    monkeypatch.setenv(ALLOWED_PATHS_ENV, os.pathsep.join([str(shared), str(tmp_path / "other")]))
    assert check_user_path(str(shared / "mnist")) == shared.resolve() / "mnist"
    with pytest.raises(PathNotAllowed):
        check_user_path(str(tmp_path / "x"))


def test_loaders_refuse_outside_paths(session: Path, tmp_path: Path) -> None:
    with pytest.raises(PathNotAllowed):
        images.load(str(tmp_path / "photo.png"))
    assert images.load("digit-7-16").height == 16  # bundled names still work
    with pytest.raises(DatasetError, match="session folder"):
        load_splits("folder", data_dir=str(tmp_path))


async def test_models_mode_refuses_to_open_or_save_outside(session: Path, tmp_path: Path) -> None:
    outside = tmp_path / "net.toml"
    outside.write_text("input = [1, 4, 4]\n")
    app = make_app("models")
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(50):
            await pilot.pause()
            if isinstance(app.screen, ModelsScreen):
                break
        screen = app.screen
        assert isinstance(screen, ModelsScreen)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#path-input", Input).value = str(outside)
        await pilot.press("enter")
        await pilot.pause()
        assert any("only files in your session folder" in n.message for n in app._notifications)
        assert screen.spec_editor.path is None
        # saving by a relative name lands in the session folder
        await pilot.press("ctrl+s")
        await pilot.pause()
        app.screen.query_one("#path-input", Input).value = "mine.toml"
        await pilot.press("enter")
        await pilot.pause()
        assert (session / "mine.toml").is_file()
        assert screen.spec_editor.path == session.resolve() / "mine.toml"
