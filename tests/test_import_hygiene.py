"""Import rules: the pure layers never pull in Textual, Rich or CuPy; the app never pulls in CuPy,
torch or plotext at start-up; `cnntui --help` stays light. Each check runs in a fresh interpreter."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import cnntui

UI_FORBIDDEN = ("cupy", "torch", "plotext", "textual_plotext", "PIL")
PURE_FORBIDDEN = ("textual", "rich", "cupy", "torch")
CLI_FORBIDDEN = ("textual", "rich", "cupy", "torch", "plotext", "numpy")


PURE_PACKAGES = (
    "cnntui.lessons",
    "cnntui.lesson_presets",
    "cnntui.settings",
    "cnntui.progress",
    "cnntui.text",
    "cnntui.engine.outsize",
    "cnntui.calc.layer",
    "cnntui.calc.chain",
    "cnntui.calc.chain_presets",
    "cnntui.calc.presets",
    "cnntui.conv.stepper",
    "cnntui.conv.kernels",
    "cnntui.conv.presets",
    "cnntui.bench.benchmark",
    "cnntui.gan.presets",
    "cnntui.zoo.presets",
    "cnntui.train.presets",
)
"""Modules the pure-layer check must find (a package moved out of its walk would fail it)."""

SMALL_MODULES = (
    "cnntui.lessons",
    "cnntui.settings",
    "cnntui.progress",
    "cnntui.text",
    "cnntui.calc.layer",
    "cnntui.calc.chain",
    "cnntui.calc.chain_presets",
)
"""Modules that need nothing beyond the standard library (no NumPy either)."""


def loaded_after(code: str) -> set[str]:
    """Top-level package names in sys.modules after running `code` in a fresh interpreter."""
    script = (
        code
        + "\nimport sys, json\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def pure_modules() -> list[str]:
    """Every cnntui module outside `ui`, `commands` and the entry points."""
    names = []
    for info in pkgutil.walk_packages(cnntui.__path__, prefix="cnntui."):
        name = info.name
        if name.startswith(("cnntui.ui", "cnntui.commands", "cnntui.serve.server")) or name in (
            "cnntui.cli",
            "cnntui.__main__",
        ):
            continue
        names.append(name)
    return sorted(names)


def test_the_app_and_every_mode_import_without_heavy_packages() -> None:
    loaded = loaded_after("from cnntui.ui.app import CnnTuiApp\nCnnTuiApp()")
    assert "textual" in loaded
    assert not loaded & set(UI_FORBIDDEN), sorted(loaded & set(UI_FORBIDDEN))


def test_pure_layers_import_without_textual_rich_or_cupy() -> None:
    modules = pure_modules()
    missing = sorted(set(PURE_PACKAGES) - set(modules))
    assert not missing, missing
    loaded = loaded_after("\n".join(f"import {name}" for name in modules))
    assert not loaded & set(PURE_FORBIDDEN), sorted(loaded & set(PURE_FORBIDDEN))


@pytest.mark.parametrize("module", SMALL_MODULES)
def test_app_owned_pure_modules_stay_small(module: str) -> None:
    loaded = loaded_after(f"import {module}")
    assert not loaded & {"textual", "rich", "numpy", "cupy"}, sorted(
        loaded & {"textual", "rich", "numpy", "cupy"}
    )


def test_help_builds_without_heavy_imports() -> None:
    loaded = loaded_after("from cnntui.cli import build_parser\nbuild_parser().format_help()")
    assert not loaded & set(CLI_FORBIDDEN), sorted(loaded & set(CLI_FORBIDDEN))
