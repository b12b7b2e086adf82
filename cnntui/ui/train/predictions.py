"""The Train lab's Predictions view: test images with the model's top 3 classes."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cnntui.i18n import N_, _
from cnntui.train.events import Predictions
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.train.images import ImageGrid, Tile
from cnntui.ui.train.run_state import class_name

MAX_TILE_WIDTH = 24
"""Test images grow up to this many cells wide when the terminal has room (10 at 80×24)."""
CAPTION = N_("test images with the model's top 3")


class PredictionsView(VerticalScroll):
    """One tile per test image: its true class as caption (green if the top class is right,
    red if not) and the top 3 classes with their probabilities."""

    def compose(self) -> ComposeResult:
        yield Static(_(CAPTION), classes="caption", id="predictions-caption")
        yield ImageGrid(tile_width=10, max_tile_width=MAX_TILE_WIDTH, id="predictions-grid")

    def on_resize(self) -> None:
        # The grid fits its tiles to this view's height, which its own size does not show.
        self.query_one("#predictions-grid", ImageGrid).refit()

    _shown: tuple[Predictions, tuple[str, ...]] | None = None

    def refresh_language(self) -> None:
        """The caption in the current language."""
        if self._shown is None:
            self.query_one("#predictions-caption", Static).update(_(CAPTION))
        else:
            self.show(*self._shown)

    def show(self, event: Predictions, names: tuple[str, ...]) -> None:
        self._shown = (event, names)
        plain = ascii_only(self)
        tiles = []
        right = 0
        for image, label, classes, probs in zip(
            event.images, event.labels, event.top_classes, event.top_probs
        ):
            ok = int(classes[0]) == int(label)
            right += ok
            style = "bold green" if ok else "bold red"
            mark = ("+" if ok else "x") if plain else ("✓" if ok else "✗")
            lines = [
                Text(f"{class_name(names, c)[:5]:<5}{p:>4.0%}", style=style if i == 0 else "")
                for i, (c, p) in enumerate(zip(classes, probs))
            ]
            tiles.append(Tile(image, f"{mark} {class_name(names, int(label))}", style, lines))
        self.query_one("#predictions-caption", Static).update(
            _("{right} of {total} test images right (caption: true class; lines: top 3)").format(
                right=right, total=len(tiles)
            )
        )
        self.query_one("#predictions-grid", ImageGrid).set_tiles(tiles)

    def clear(self) -> None:
        self._shown = None
        self.query_one("#predictions-grid", ImageGrid).set_tiles([])
