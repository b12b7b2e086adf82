"""`LooksView`: where the network looks — saliency, occlusion and Grad-CAM over the input, each
with a line on what it shows and what it does not. The maps are computed off the UI thread by
the screen and handed in with `show_maps`."""

from __future__ import annotations

import numpy as np
from rich.cells import set_cell_size
from rich.text import Text
from textual.widgets import Static

from cnntui.explain.attribution import EXPLANATIONS
from cnntui.i18n import N_, _
from cnntui.ui.explain.maps import grey, heat_overlay, map_lines
from cnntui.ui.shared.access import ascii_only

TITLES = {"saliency": N_("Saliency"), "occlusion": N_("Occlusion"), "gradcam": "Grad-CAM"}
"""Grad-CAM is a method's name and stays as it is."""


def fit(text: str, cells: int) -> str:
    """`text` cut or padded to exactly `cells` terminal cells (Hangul takes two)."""
    return set_cell_size(text, cells)


class LooksView(Static):
    """Input and three overlays side by side (stacked when the terminal is narrow)."""

    DEFAULT_CSS = """
    LooksView { height: 1fr; width: 1fr; padding: 0 1; overflow-y: auto; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.maps: dict[str, np.ndarray] = {}
        self.picture: np.ndarray | None = None
        self.label = ""
        self.notes: dict[str, str] = {}

    def show_maps(
        self,
        picture: np.ndarray,
        maps: dict[str, np.ndarray],
        label: str,
        notes: dict[str, str] | None = None,
    ) -> None:
        """Show `maps` over `picture`; `notes` say why a method's map is missing."""
        self.picture, self.maps, self.label, self.notes = picture, maps, label, notes or {}
        self.redraw()

    def on_mount(self) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        if self.picture is None:
            self.update(_("computing..."))
            return
        ascii_mode = ascii_only(self)
        width = max(40, self.size.width - 2)
        cells = max(8, min(28, (width - 3) // 4))
        tiles = [(_("Input"), map_lines(grey(self.picture), cells, ascii_mode))]
        for method, title in TITLES.items():
            if method in self.maps:
                if ascii_mode:
                    rgb = grey(self.maps[method])
                else:
                    rgb = heat_overlay(self.picture, self.maps[method])
                tiles.append((_(title), map_lines(rgb, cells, ascii_mode)))
        out = Text(_("for class {label}").format(label=self.label) + "\n", style="bold")
        height = max(len(lines) for _title, lines in tiles)
        out.append("  ".join(fit(t, cells) for t, _lines in tiles) + "\n", style="bold")
        for r in range(height):
            for i, (_title, lines) in enumerate(tiles):
                if i:
                    out.append("  ")
                out.append_text(lines[r] if r < len(lines) else Text(" " * cells))
            out.append("\n")
        for method, title in TITLES.items():
            out.append(f"{_(title)}: ", style="bold")
            if method in self.notes and method not in self.maps:
                out.append(_("not shown: {why}").format(why=self.notes[method]) + "\n", "yellow")
                continue
            out.append(_(EXPLANATIONS[method]) + "\n")
        out.rstrip()
        self.update(out)
