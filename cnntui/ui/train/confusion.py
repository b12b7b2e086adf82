"""The confusion matrix as a labelled grid: rows are true classes, columns predicted ones.

Counts are printed in every cell; the diagonal (right) is tinted green and the rest red, darker
for more of the row's samples. In `ascii_mode` there is no tint: the diagonal is bracketed.
"""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from cnntui.i18n import N_, _
from cnntui.train.events import Confusion
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.train.images import ImageGrid, Tile
from cnntui.ui.train.run_state import class_name


def short_name(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "."


def confusion_text(
    matrix: np.ndarray, class_names: tuple[str, ...], ascii_mode: bool, cell: int = 5
) -> Text:
    """The matrix with a header of predicted classes and a column of true classes."""
    matrix = np.asarray(matrix, dtype=np.int64)
    k = matrix.shape[0]
    label_w = max(4, min(10, max(len(n) for n in class_names) if class_names else 4))
    row_totals = matrix.sum(axis=1)
    out = Text()
    corner = _("true\\pred") if label_w >= 9 else _("t\\p")
    out.append(corner + " " * max(1, label_w + 1 - cell_len(corner)), style="bold")
    for j in range(k):
        out.append(short_name(class_names[j], cell - 1).rjust(cell), style="bold")
    out.append("\n")
    for i in range(k):
        out.append(short_name(class_names[i], label_w).ljust(label_w) + " ", style="bold")
        for j in range(k):
            count = int(matrix[i, j])
            share = count / row_totals[i] if row_totals[i] else 0.0
            if ascii_mode:
                text = f"[{count}]" if i == j else str(count) if count else "."
                out.append(text.rjust(cell))
                continue
            text = str(count) if count else "·"
            if count == 0:
                out.append(text.rjust(cell), style="dim")
                continue
            level = int(40 + 160 * share)
            colour = f"rgb(0,{level},0)" if i == j else f"rgb({level},0,0)"
            out.append(text.rjust(cell), style=Style(bgcolor=colour, color="white", bold=i == j))
        out.append("\n")
    total = int(matrix.sum())
    right = int(np.trace(matrix))
    out.append(
        _("{right} of {total} right ({share})").format(
            right=f"{right:,}", total=f"{total:,}", share=f"{right / total:.1%}"
        )
        if total
        else _("no samples")
    )
    return out


class ConfusionView(Static):
    """Shows a confusion matrix; call `show(matrix, class_names, caption)`."""

    def show(self, matrix: np.ndarray, class_names: tuple[str, ...], caption: str = "") -> None:
        ascii_mode = ascii_only(self)
        text = Text(caption + "\n", style="bold") if caption else Text()
        text.append_text(confusion_text(matrix, class_names, ascii_mode))
        self.update(text)


WAITING = N_("The confusion matrix appears at the end of each epoch.")
WRONG = N_("most confidently wrong")  # the images the model was surest of and got wrong


class ConfusionPane(VerticalScroll):
    """The Train lab's Confusion view: the matrix, and the most confidently wrong images."""

    DEFAULT_CSS = """
    ConfusionPane #confusion-row { height: auto; }
    ConfusionPane #confusion-view { width: auto; padding: 0 1; }
    ConfusionPane #wrong-box { width: 1fr; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        with Horizontal(id="confusion-row"):
            yield ConfusionView(_(WAITING), id="confusion-view")
            with Vertical(id="wrong-box"):
                yield Static(_(WRONG), classes="caption", id="wrong-caption")
                yield ImageGrid(tile_width=8, id="wrong-grid")

    _shown: tuple[Confusion, tuple[str, ...]] | None = None

    def refresh_language(self) -> None:
        """The captions (and the matrix on show) in the current language."""
        self.query_one("#wrong-caption", Static).update(_(WRONG))
        if self._shown is None:
            self.query_one("#confusion-view", ConfusionView).update(_(WAITING))
        else:
            self.show(*self._shown)

    def show(self, event: Confusion, class_names: tuple[str, ...]) -> None:
        self._shown = (event, class_names)
        names = class_names or tuple(str(i) for i in range(event.matrix.shape[0]))
        self.query_one("#confusion-view", ConfusionView).show(
            event.matrix,
            names,
            _("validation set after epoch {epoch} (rows: true, columns: predicted)").format(
                epoch=event.epoch + 1
            ),
        )
        tiles = [
            Tile(
                image,
                f"{class_name(names, int(t))}>{class_name(names, int(p))}",
                "red",
                [Text(_("{share} sure").format(share=f"{prob:.0%}"))],
            )
            for image, t, p, prob in zip(
                event.wrong_images, event.wrong_labels, event.wrong_predicted, event.wrong_probs
            )
        ]
        grid = self.query_one("#wrong-grid", ImageGrid)
        grid.empty_text = _("none: every validation image is right")
        grid.set_tiles(tiles)

    def clear(self) -> None:
        self._shown = None
        self.query_one("#wrong-grid", ImageGrid).set_tiles([])
