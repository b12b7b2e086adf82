"""The app's modes, in one table: to add a mode, add a `ModeSpec` to `MODES`.

Each mode names its screen as a `"module:Class"` string, imported when the mode first opens, so
start-up imports no lab. A screen that fails to import or to start is shown as an error screen
that names the mode (`cnntui.ui.shared.mode_error`); `test_every_mode_screen_imports` fails on it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cnntui.i18n import N_

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class ModeSpec:
    """One area of the app (Lessons, Conv Lab, Calculator, Models, Train, GAN)."""

    name: str
    """Short id: the Textual mode name and the host of `cnntui:NAME?...` lesson links."""
    key: str
    """The number key that switches to it ("1" … "6")."""
    title: str
    """Shown in the header, the footer and the command palette."""
    description: str
    """One line for the help screen and the palette."""
    screen: str | Callable[[], Screen[None]]
    """The mode's screen: `"module:Class"` (imported on first use) or a callable that builds it.
    The screen may define `apply_preset(params: dict[str, str])` for lesson links."""

    def screen_class(self) -> Callable[[], Screen[None]]:
        """The screen's class (or factory); ImportError or AttributeError if it cannot load."""
        if not isinstance(self.screen, str):
            return self.screen
        module_name, _, class_name = self.screen.partition(":")
        factory: Callable[[], Screen[None]] = getattr(
            importlib.import_module(module_name), class_name
        )
        return factory

    def make_screen(self) -> Screen[None]:
        """A new instance of the mode's screen."""
        return self.screen_class()()


MODES: tuple[ModeSpec, ...] = (
    ModeSpec(
        name="lessons",
        key="1",
        title=N_("Lessons"),
        description=N_("Read the lessons by chapter, with quizzes and links into the labs"),
        screen="cnntui.ui.lessons.screen:LessonsScreen",
    ),
    ModeSpec(
        name="conv",
        key="2",
        title=N_("Conv Lab"),
        description=N_(
            "Step a kernel or pooling window across an image: window, products, sum, output"
        ),
        screen="cnntui.ui.conv.screen:ConvScreen",
    ),
    ModeSpec(
        name="calc",
        key="3",
        title=N_("Calculator"),
        description=N_(
            "Output shape, parameters, MACs and receptive field of a layer or a chain; quiz me"
        ),
        screen="cnntui.ui.calc.screen:CalcScreen",
    ),
    ModeSpec(
        name="models",
        key="4",
        title=N_("Models"),
        description=N_(
            "LeNet-5 to ResNet-152 and your own nets: shapes, parameters, MACs, layer by layer"
        ),
        screen="cnntui.ui.models.screen:ModelsScreen",
    ),
    ModeSpec(
        name="train",
        key="5",
        title=N_("Train"),
        description=N_(
            "Train LeNet-5, TinyVGG or a ResNet on real data and watch loss, filters and predictions live"
        ),
        screen="cnntui.ui.train.screen:TrainScreen",
    ),
    ModeSpec(
        name="gan",
        key="6",
        title=N_("GAN"),
        description=N_(
            "generative models: ten samples by hand, a 2-D GAN step by step, a DCGAN drawing digits"
        ),
        screen="cnntui.ui.gan.screen:GanScreen",
    ),
    ModeSpec(
        name="explain",
        key="7",
        title=N_("Explain"),
        description=N_(
            "Inside a trained network: every layer's maps, a unit's sum, draw a digit, where it "
            "looks, transfer learning"
        ),
        screen="cnntui.ui.explain.screen:ExplainScreen",
    ),
)
"""Every mode, in key order."""


def mode_named(name: str) -> ModeSpec:
    """The mode called `name`; KeyError naming the known modes otherwise."""
    for spec in MODES:
        if spec.name == name:
            return spec
    raise KeyError(f"no mode {name!r} (modes: {', '.join(spec.name for spec in MODES)})")
