"""Shared by every test: isolation (no user config, state or cache leaks in or out), the helpers
the UI tests use to build the app and wait for it (`from conftest import make_app`), and the `gpu`
backend fixture (the strict CuPy stand-in always, real CuPy where a device works)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from textual.pilot import Pilot

    from cnntui.ui.app import CnnTuiApp


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point XDG config/state/cache at a fresh temporary folder and clear cnntui's variables."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(home / sub))
    for var in ("CNNTUI_ASCII", "CNNTUI_DEVICE", "CNNTUI_LANG", "TEXTUAL_COLOR_SYSTEM", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    # The language follows the locale when nothing else chooses it: tests speak English unless
    # they choose Korean themselves, and every test starts and ends in English.
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    from cnntui.i18n import set_language

    set_language("en")
    yield home
    set_language("en")


def make_app(*modes: str, **options: Any) -> CnnTuiApp:
    """The app with only the named modes (every mode when none is named) and default settings,
    so no user config leaks in; `options` go to `CnnTuiApp` (ascii, device, lessons_dir...)."""
    from cnntui.settings import Settings
    from cnntui.ui.app import CnnTuiApp
    from cnntui.ui.modes import mode_named

    if modes:
        options.setdefault("modes", [mode_named(name) for name in modes])
    options.setdefault("settings", Settings())
    return CnnTuiApp(**options)


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], object], timeout: float = 20.0
) -> None:
    """Pause the app until `condition()` holds; fail if it still does not after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for the condition")
        await pilot.pause(0.05)


def _real_cupy_backend() -> Any:
    """The real GPU backend when CuPy and a device work here, else None (probed once)."""
    global _REAL_GPU
    if _REAL_GPU is None:
        from cnntui.engine import backend

        found = backend.get_backend("gpu")
        _REAL_GPU = found if found.is_gpu else False
    return _REAL_GPU or None


_REAL_GPU: Any = None


@pytest.fixture(params=["standin", "cupy"])
def gpu(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[GpuBench]:
    """The GPU backend twice: on the strict CuPy stand-in (always, counters included) and on
    real CuPy (only where a device works; skipped elsewhere)."""
    from cnntui.engine import backend, gpu_kernels

    if request.param == "cupy":
        real = _real_cupy_backend()
        if real is None:
            pytest.skip("no CUDA device here (the stand-in run covers this test)")
        yield GpuBench(real, None)
        return
    sys.path.insert(0, str(Path(__file__).parent))
    try:
        import gpu_standin
    finally:
        sys.path.pop(0)
    gpu_standin.install(monkeypatch)
    chosen = backend.get_backend("gpu")
    assert chosen.is_gpu, chosen.reason
    try:
        yield GpuBench(chosen, gpu_standin.counters)
    finally:
        gpu_kernels.reset()  # the compiled kernels belong to the stand-in module


@dataclass
class GpuBench:
    """The backend under test and, on the stand-in, its counters (None on a real device)."""

    backend: Any
    counters: Any

    @property
    def xp(self) -> Any:
        return self.backend.xp

    @property
    def standin(self) -> bool:
        return self.counters is not None


def screen_text(app: Any) -> str:
    """The rows of text the terminal would show now, modal screens over their background."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return "\n".join("".join(strip.text for strip in row) for row in update.strips)


def latin_words(text: str) -> set[str]:
    """Latin words of three letters or more, lower-cased: the labels left in English, not
    numbers or symbols (the Korean screens are checked for these)."""
    import re

    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
