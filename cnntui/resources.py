"""Where the bundled `lessons/` and `assets/` folders are.

In a wheel they ship inside the package (`cnntui/lessons`, `cnntui/assets`); in a source checkout
or an editable install they sit at the top of the repository. Callers never need to know which.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cnntui.i18n import _

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def _find(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        _("cnntui's bundled {name} folder is missing; reinstall cnntui").format(name=repr(name))
    )


def lessons_dir(language: str = "en") -> Path:
    """The folder that holds the lesson Markdown files in `language` (English at the top of
    `lessons/`, each other language in its own subfolder, e.g. `lessons/ko/`)."""
    folder = _find("lessons")
    if language == "en":
        return folder
    translated = folder / language
    if not translated.is_dir():
        raise FileNotFoundError(
            _("cnntui's bundled lessons in {language} are missing; reinstall cnntui").format(
                language=repr(language)
            )
        )
    return translated


def assets_dir() -> Path:
    """The folder that holds bundled images, data sets, kernels and facts."""
    return _find("assets")


def asset_path(*parts: str) -> Path:
    """Path of one bundled asset, e.g. `asset_path("images", "digit-7.pgm")`."""
    return assets_dir().joinpath(*parts)
