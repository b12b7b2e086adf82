"""The Train lab's Pictures view: the first layer's filters and one test image's feature maps."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from cnntui.i18n import _
from cnntui.train.events import FeatureMaps, Filters
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.train.images import ImageGrid, Tile, to_unit

SHOWN_CHANNELS = 32
MAX_FILTER_WIDTH = 16
"""Filters grow up to this many cells wide when the terminal has room (6 at 80×24)."""
MAX_MAP_WIDTH = 28
"""Feature maps grow up to this many cells wide (8 at 80×24): a 28×28 map pixel for pixel."""


class PicturesView(Horizontal):
    """Filters `(out, in, kh, kw)` on the left, feature maps `(K, h, w)` on the right."""

    DEFAULT_CSS = """
    PicturesView #pictures-left { width: 38%; min-width: 30; padding: 0 1; }
    PicturesView #pictures-right { width: 1fr; padding: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.probe_layers: list[str] = []
        """The layers whose feature maps can be shown, in order (from the last `FeatureMaps`)."""
        self.probe_layer: str | None = None
        self.probe_index = 0
        """The test image sent through the network."""
        self._shown: tuple[Filters | None, tuple[FeatureMaps, tuple[str, ...]] | None] = (
            None,
            None,
        )

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pictures-left"):
            yield Static(_("first-layer filters"), classes="caption", id="filters-caption")
            yield ImageGrid(tile_width=6, max_tile_width=MAX_FILTER_WIDTH, id="filters")
        with VerticalScroll(id="pictures-right"):
            yield Static(_("feature maps"), classes="caption", id="features-caption")
            yield ImageGrid(tile_width=8, max_tile_width=MAX_MAP_WIDTH, id="features")

    def on_resize(self) -> None:
        # The grids fit their tiles to the panes' height, which their own size does not show.
        for grid in self.query(ImageGrid):
            grid.refit()

    @property
    def _x(self) -> str:
        return "x" if ascii_only(self) else "×"

    def show_filters(self, event: Filters) -> None:
        """Each filter as a tile (grey = 0); filters over other than 1 or 3 channels averaged."""
        weights = event.weights[:SHOWN_CHANNELS]
        if weights.shape[1] in (1, 3):
            tiles = [Tile(to_unit(w, symmetric=True), f"{i}") for i, w in enumerate(weights)]
        else:
            tiles = [
                Tile(to_unit(w.mean(axis=0, keepdims=True), symmetric=True), f"{i}")
                for i, w in enumerate(weights)
            ]
        shape = event.weights.shape
        self._shown = (event, self._shown[1])
        self.query_one("#filters-caption", Static).update(
            _("{layer}: {n} filters {size} (grey = 0, light = positive)").format(
                layer=event.layer, n=shape[0], size=f"{shape[2]}{self._x}{shape[3]}"
            )
        )
        self.query_one("#filters", ImageGrid).set_tiles(tiles)

    def show_features(self, event: FeatureMaps, class_names: tuple[str, ...]) -> None:
        """The input image, then its maps at `event.layer`."""
        names = class_names
        label = names[event.label] if 0 <= event.label < len(names) else str(event.label)
        maps = event.maps
        self._shown = (self._shown[0], (event, class_names))
        tiles = [Tile(event.image, _("in: {label}").format(label=label), "bold")]
        tiles += [Tile(to_unit(m[None]), f"{i}") for i, m in enumerate(maps[:SHOWN_CHANNELS])]
        position = event.layers.index(event.layer) + 1 if event.layer in event.layers else 0
        self.query_one("#features-caption", Static).update(
            _(
                "test image #{index} through {layer} ({position}/{layers}): {n} maps {size}"
                "   [ ] layer  < > image"
            ).format(
                index=event.image_index,
                layer=event.layer,
                position=position,
                layers=len(event.layers),
                n=maps.shape[0],
                size=f"{maps.shape[1]}{self._x}{maps.shape[2]}",
            )
        )
        self.query_one("#features", ImageGrid).set_tiles(tiles)

    def follow_probe(self, event: FeatureMaps) -> None:
        """Take the layer list, layer and image of the newest feature maps as the probe's."""
        self.probe_layers = list(event.layers)
        self.probe_layer = event.layer
        self.probe_index = event.image_index

    def step_layer(self, delta: int) -> bool:
        """Move the probe `delta` layers on (cyclically); False before any feature maps came."""
        if not self.probe_layers:
            return False
        layers = self.probe_layers
        current = self.probe_layer if self.probe_layer in layers else layers[0]
        self.probe_layer = layers[(layers.index(current) + delta) % len(layers)]
        return True

    def step_image(self, delta: int) -> None:
        self.probe_index = max(0, self.probe_index + delta)

    def refresh_language(self) -> None:
        """The captions (and the pictures on show, whose captions have words) redrawn."""
        filters, features = self._shown
        if filters is None:
            self.query_one("#filters-caption", Static).update(_("first-layer filters"))
        else:
            self.show_filters(filters)
        if features is None:
            self.query_one("#features-caption", Static).update(_("feature maps"))
        else:
            self.show_features(*features)

    def clear(self) -> None:
        self._shown = (None, None)
        for grid_id in ("#filters", "#features"):
            self.query_one(grid_id, ImageGrid).set_tiles([])
        self.probe_layers = []
        self.probe_layer = None
        self.probe_index = 0
