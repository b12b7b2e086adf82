"""The GAN lab's screen: three views, switched with `v`.

1. **Example**: generative versus discriminative on ten binary samples (`ExampleView`).
2. **2-D GAN**: a generator learning a toy distribution, step by step (`Gan2dView`).
3. **DCGAN**: a convolutional GAN drawing digits or shapes in its own process (`DcganView`).

The 2-D GAN and DCGAN views are created the first time they are shown, so opening the lab costs
nothing until they are needed. `apply_preset` takes what `cnntui.gan.presets.validate` accepts.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static

from cnntui.gan import presets as gan_presets
from cnntui.i18n import N_, _
from cnntui.ui.gan.example import ExampleView
from cnntui.ui.shared.focus import FocusKeepingScreen
from cnntui.ui.shared.footer import Footer
from cnntui.ui.shared.mode_bar import ModeBar

VIEWS: tuple[tuple[str, str], ...] = (
    ("example", N_("Generative vs discriminative")),
    ("gan2d", "2-D GAN"),
    ("dcgan", "DCGAN"),
)


class GanScreen(FocusKeepingScreen):
    """The GAN mode."""

    DEFAULT_CSS = """
    GanScreen #gan-views { height: 1; background: $panel; }
    GanScreen ContentSwitcher { height: 1fr; padding: 0 1; overflow: hidden; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "next_view(1)", N_("View")),
        Binding("V", "next_view(-1)", N_("Prev view"), show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "example"

    def compose(self) -> ComposeResult:
        yield ModeBar()
        yield Static(id="gan-views")
        with ContentSwitcher(initial="gan-example"):
            yield ExampleView(id="gan-example")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._render_views()
        self.query_one(ExampleView).focus()

    def _render_views(self) -> None:
        text = Text(" ")
        for name, title in VIEWS:
            text.append(f" {_(title)} ", style="reverse bold" if name == self.view else "dim")
            text.append(" ")
        text.append("  " + _("v: next view"), style="dim")
        self.query_one("#gan-views", Static).update(text)

    def refresh_language(self) -> None:
        """Redraw the view bar and every view created so far in the current language."""
        self._render_views()
        for view in self.query_one(ContentSwitcher).children:
            refresh = getattr(view, "refresh_language", None)
            if refresh is not None:
                refresh()

    def view_widget(self, name: str) -> Widget:
        """The widget of view `name`, created and mounted on first use."""
        switcher = self.query_one(ContentSwitcher)
        found = switcher.query(f"#gan-{name}")
        if found:
            return found.first()
        if name == "gan2d":
            from cnntui.ui.gan.gan2d import Gan2dView

            widget: Widget = Gan2dView(id="gan-gan2d")
        elif name == "dcgan":
            from cnntui.ui.gan.dcgan import DcganView

            widget = DcganView(id="gan-dcgan")
        else:
            raise ValueError(f"unknown view '{name}'")
        switcher.mount(widget)
        return widget

    def show_view(self, name: str) -> Widget:
        """Switch to view `name` (example, gan2d or dcgan) and focus it."""
        widget = self.view_widget(name)
        self.view = name
        self.query_one(ContentSwitcher).current = widget.id
        self._render_views()
        widget.focus()
        return widget

    def action_next_view(self, delta: int) -> None:
        names = [name for name, _title in VIEWS]
        self.show_view(names[(names.index(self.view) + delta) % len(names)])

    def apply_preset(self, params: dict[str, str]) -> None:
        """Open the view a lesson link asks for, with its settings (see `cnntui.gan.presets`)."""
        problems = gan_presets.validate(params)
        if problems:
            self.notify("; ".join(problems), severity="error")
            return
        view = gan_presets.target_view(params)
        widget = self.show_view(view)
        if view == "gan2d":
            from cnntui.ui.gan.gan2d import Gan2dView

            assert isinstance(widget, Gan2dView)
            changes: dict[str, object] = {}
            if "data" in params:
                changes["data"] = params["data"]
            if "loss" in params:
                changes["loss"] = params["loss"]
            if "d_steps" in params:
                changes["d_steps"] = int(params["d_steps"])
            if "noise" in params:
                changes["noise_dim"] = int(params["noise"])
            if changes:
                widget.apply_settings(replace(widget.settings, **changes))  # type: ignore[arg-type]
        elif view == "dcgan" and "dataset" in params:
            from cnntui.ui.gan.dcgan import DcganView

            assert isinstance(widget, DcganView)
            widget.set_dataset(params["dataset"])
