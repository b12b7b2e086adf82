"""The GAN lab's preset validator, and the purity of `cnntui.gan`."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cnntui.gan.presets import target_view, validate


@pytest.mark.parametrize(
    "params, view",
    [
        ({}, "example"),
        ({"view": "example"}, "example"),
        ({"view": "gan2d", "data": "ring", "loss": "least-squares"}, "gan2d"),
        ({"data": "moons", "d_steps": "3", "noise": "4"}, "gan2d"),
        ({"loss": "minimax"}, "gan2d"),
        ({"view": "dcgan", "dataset": "shapes"}, "dcgan"),
        ({"dataset": "digits"}, "dcgan"),
    ],
)
def test_valid_presets(params: dict[str, str], view: str) -> None:
    assert validate(params) == []
    assert target_view(params) == view


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"view": "gallery"}, "view='gallery'"),
        ({"data": "spiral"}, "ring, line, clusters, moons"),
        ({"loss": "wasserstein"}, "minimax"),
        ({"dataset": "cifar"}, "digits, shapes"),
        ({"d_steps": "0"}, "from 1 to 10"),
        ({"noise": "two"}, "from 1 to 8"),
        ({"speed": "fast"}, "unknown key"),
        ({"view": "example", "data": "ring"}, "only apply to view=gan2d"),
        ({"view": "gan2d", "dataset": "digits"}, "only applies to view=dcgan"),
        ({"dataset": "digits", "loss": "minimax"}, "cannot be combined"),
    ],
)
def test_invalid_presets_say_why(params: dict[str, str], fragment: str) -> None:
    problems = validate(params)
    assert problems and any(fragment in p for p in problems)


def test_gan_package_is_pure() -> None:
    code = (
        "import sys\n"
        "import cnntui.gan.example, cnntui.gan.distributions, cnntui.gan.divergence, cnntui.gan.losses\n"
        "import cnntui.gan.gan2d, cnntui.gan.dcgan, cnntui.gan.images, cnntui.gan.process, cnntui.gan.judge\n"
        "import cnntui.gan.presets, cnntui.commands.gan, cnntui.commands.dcgan\n"
        "bad = [m for m in ('textual', 'rich', 'cupy', 'torch') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_command_modules_import_light() -> None:
    code = (
        "import sys\n"
        "import cnntui.commands.gan, cnntui.commands.dcgan\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
