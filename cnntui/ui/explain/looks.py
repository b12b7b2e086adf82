"""`LooksView`: where the network looks — saliency, occlusion and Grad-CAM over the input, each
with a line on what it shows and what it does not. The maps are computed off the UI thread by
the screen and handed in with `show_maps`."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import Static

from cnntui.explain.attribution import EXPLANATIONS
from cnntui.ui.explain.maps import grey, heat_overlay, map_lines
from cnntui.ui.shared.access import ascii_only

TITLES = {"saliency": "Saliency", "occlusion": "Occlusion", "gradcam": "Grad-CAM"}


class LooksView(Static):
    """Input and three overlays side by side (stacked when the terminal is narrow)."""

    DEFAULT_CSS = """
    LooksView { height: 1fr; width: 1fr; padding: 0 1; overflow-y: auto; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__("computing...", **kwargs)  # type: ignore[arg-type]
        self.maps: dict[str, np.ndarray] = {}
        self.picture: np.ndarray | None = None
        self.label = ""

    def show_maps(self, picture: np.ndarray, maps: dict[str, np.ndarray], label: str) -> None:
        self.picture, self.maps, self.label = picture, maps, label
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        if self.picture is None:
            return
        ascii_mode = ascii_only(self)
        width = max(40, self.size.width - 2)
        cells = max(8, min(28, (width - 3) // 4))
        tiles = [("Input", map_lines(grey(self.picture), cells, ascii_mode))]
        for method, title in TITLES.items():
            if method in self.maps:
                if ascii_mode:
                    rgb = grey(self.maps[method])
                else:
                    rgb = heat_overlay(self.picture, self.maps[method])
                tiles.append((title, map_lines(rgb, cells, ascii_mode)))
        out = Text(f"for class {self.label}\n", style="bold")
        height = max(len(lines) for _, lines in tiles)
        out.append("  ".join(t[:cells].ljust(cells) for t, _ in tiles) + "\n", style="bold")
        for r in range(height):
            for i, (_, lines) in enumerate(tiles):
                if i:
                    out.append("  ")
                out.append_text(lines[r] if r < len(lines) else Text(" " * cells))
            out.append("\n")
        for method, title in TITLES.items():
            out.append(f"{title}: ", style="bold")
            out.append(EXPLANATIONS[method] + "\n")
        out.rstrip()
        self.update(out)
