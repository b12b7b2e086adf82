"""The wheel ships every lesson and asset, and an installed wheel finds them from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def repo_files(folder: str) -> set[str]:
    root = REPO / folder
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel once, as `pip wheel .` would for a user."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        offline = any(
            word in result.stderr
            for word in (
                "No matching distribution found for hatchling",
                "Could not find a version",
                "NewConnectionError",
            )
        )
        if offline:
            pytest.skip(
                "the build backend (hatchling) cannot be fetched: no package index reachable"
            )
        pytest.fail(f"pip wheel failed:\n{result.stderr[-3000:]}")
    (built,) = out.glob("cnntui-*.whl")
    return built


def test_wheel_holds_every_lesson_asset_and_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    lessons = repo_files("lessons")
    assets = repo_files("assets")
    assert any(name.endswith(".md") for name in lessons), "the repository has no lessons"
    missing = sorted({f"cnntui/lessons/{n}" for n in lessons} - names)
    missing += sorted({f"cnntui/assets/{n}" for n in assets} - names)
    assert not missing, missing[:10]
    for module in (
        "cnntui/__init__.py",
        "cnntui/cli.py",
        "cnntui/ui/app.py",
        "cnntui/ui/app.tcss",
        "cnntui/serve/static/app.html",
        "cnntui/lessons.py",
    ):
        assert module in names, module
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "cnntui = cnntui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)


def test_installed_wheel_finds_lessons_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target), PYTHONSAFEPATH="1")
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, cnntui, cnntui.resources as r; "
            "print(json.dumps([cnntui.__file__, str(r.lessons_dir()), str(r.assets_dir())]))",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    package, lessons, assets = json.loads(probe.stdout)
    for path in (package, lessons, assets):
        assert Path(path).is_relative_to(target), (path, target)
    listing = subprocess.run(
        [sys.executable, "-m", "cnntui", "lessons", "--json"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    shipped = {Path(entry["path"]).name for entry in json.loads(listing.stdout)["lessons"]}
    expected = {
        name
        for name in repo_files("lessons")
        if name.endswith(".md") and "/" not in name and not name.startswith(("_", "."))
    }
    assert shipped == expected
