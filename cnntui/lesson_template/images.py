"""Bundled images: how many pixels change when an image moves (`shiftshare`, `shiftcount`) and
how many it has (`pixels`)."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from cnntui.i18n import _
from cnntui.lesson_template.arguments import _whole
from cnntui.lesson_template.errors import _Problem
from cnntui.lesson_template.values import Quantity, Value


def shift_change_share(image: Any, pixels: int) -> Fraction:
    """Share of pixel values that change when a 2-D image moves `pixels` to the right."""
    changed, total = shift_change_count(image, pixels)
    return Fraction(changed, total)


def _plane(image: Any) -> Any:
    import numpy as np

    array = np.asarray(image)
    while array.ndim > 2:
        array = array[0] if array.shape[0] == 1 else array.mean(axis=0)
    return array


def shift_change_count(image: Any, pixels: int) -> tuple[int, int]:
    """(changed, total): pixel values that change when a 2-D image moves `pixels` to the right.

    The image is shifted with zeros entering on the left (what a camera sees when the digit moves
    inside a fixed frame); the share counts positions whose value differs afterwards.
    """
    import numpy as np

    array = _plane(image)
    if array.ndim != 2 or array.size == 0:
        raise _Problem(_("shiftshare needs a 2-D image"))
    if not 0 < pixels < array.shape[1]:
        raise _Problem(
            _("shiftshare: the shift must be between 1 and {value}").format(
                value=array.shape[1] - 1
            )
        )
    shifted = np.zeros_like(array)
    shifted[:, pixels:] = array[:, :-pixels]
    return int(np.count_nonzero(shifted != array)), int(array.size)


class ImageFunctions:
    """The template function on bundled images (a part of `Renderer`)."""

    _images: Callable[[str], Any] | None

    def _shiftshare(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(
                _("usage: {{ shiftshare IMAGE PIXELS }}, e.g. {{ shiftshare digit-7 2 }}")
            )
        pixels = _whole(args[1], "shiftshare", variables)
        image = self._load_image(args[0])
        return Quantity(shift_change_share(image, pixels), percent=True)

    def _shiftcount(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 2:
            raise _Problem(
                _("usage: {{ shiftcount IMAGE PIXELS }}, e.g. {{ shiftcount digit-7 2 }}")
            )
        pixels = _whole(args[1], "shiftcount", variables)
        return Quantity(shift_change_count(self._load_image(args[0]), pixels)[0])

    def _pixels(self, args: list[str], variables: dict[str, Any]) -> Value:
        if len(args) != 1:
            raise _Problem(_("usage: {{ pixels IMAGE }}, e.g. {{ pixels digit-7 }}"))
        return Quantity(int(_plane(self._load_image(args[0])).size))

    def _load_image(self, name: str) -> Any:
        if self._images is not None:
            return self._images(name)
        from cnntui import images

        image = images.load(name)
        return image.grey() if hasattr(image, "grey") else image.pixels
