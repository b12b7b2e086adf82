"""The Train lab's initialisation view: activation and gradient spread, layer by layer, of a
deep plain net at initialisation, for each initialisation and non-linearity.

The numbers come from `cnntui.engine.init_statistics` (the same as `cnntui init-stats` and the
"Activations and initialisation" lesson), computed in a thread worker; this screen only draws.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from cnntui.engine.init_statistics import ACTIVATIONS, INITS, LayerStatistics, init_statistics
from cnntui.i18n import N_, _
from cnntui.ui.shared.footer import Footer

INIT_NAMES = {
    "small": "N(0, 0.01^2)",
    "large": "N(0, 1)",
    "xavier": "Xavier: U, var 2/(n+m)",
    "he": "He: N(0, 2/n)",
}


BOX_TITLE = N_("Initialisation: 10 plain layers of 128 units")
NOTE = N_(
    "Forward: a batch of 128 normal inputs. Backward: a normal gradient from the top."
    " Same numbers: cnntui init-stats."
)


def bar(value: float, top: float, width: int = 12) -> str:
    """A plain-ASCII bar for a spread on a log scale from 1e-6·top up to top."""
    import math

    if value <= 0 or top <= 0:
        return ""
    level = (math.log10(value / top) + 6) / 6
    return "#" * max(0, min(width, round(level * width)))


def table_text(rows: tuple[LayerStatistics, ...], activation: str) -> str:
    """One line per layer: activation mean and spread, saturated or dead share, gradient spread."""

    def right(text: str, width: int) -> str:  # right-aligned in cells (Hangul takes two)
        return " " * max(1 if width > 5 else 0, width - cell_len(text)) + text

    extra = _("dead") if activation == "relu" else _("sat.")
    lines = [
        right(_("layer"), 5)
        + right(_("act mean"), 10)
        + right(_("act std"), 9)
        + right(extra, 7)
        + right(_("grad std"), 10)
        + "  "
        + _("grad std (log)")
    ]
    top = max(max(r.gradient_std for r in rows), 1e-300)
    for r in rows:
        share = r.dead if activation == "relu" else r.saturated
        lines.append(
            f"{r.layer:>5} {r.activation_mean:>9.3g} {r.activation_std:>8.3g}"
            f" {share:>6.0%} {r.gradient_std:>9.3g}  {bar(r.gradient_std, top)}"
        )
    return "\n".join(lines)


class InitStatsScreen(ModalScreen[None]):
    """`i` cycles the initialisation, `a` the activation; Escape closes."""

    DEFAULT_CSS = """
    InitStatsScreen { align: center middle; }
    InitStatsScreen > Vertical {
        width: 76; height: auto; max-height: 22; padding: 0 1;
        border: round $accent; background: $surface;
        border-title-color: $text-accent;
    }
    InitStatsScreen #init-table { height: auto; }
    InitStatsScreen #init-note { height: auto; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "cycle_init", N_("Init"), id="train.init.init"),
        Binding("a", "cycle_activation", N_("Activation"), id="train.init.activation"),
        Binding("escape", "close", N_("Close"), id="train.init.close"),
    ]

    def __init__(self, init: str = "he", activation: str = "relu") -> None:
        super().__init__()
        self.init = init if init in INITS else "he"
        self.activation = activation if activation in ACTIVATIONS else "relu"
        self.rows: tuple[LayerStatistics, ...] | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = _(BOX_TITLE)
            yield Static(id="init-title", markup=False)
            yield Static(_("computing..."), id="init-table", markup=False)
            yield Static(_(NOTE), id="init-note", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.refresh_table()

    def refresh_language(self) -> None:
        """The title, the note and the table's header in the current language."""
        self.query_one(Vertical).border_title = _(BOX_TITLE)
        self.query_one("#init-note", Static).update(_(NOTE))
        self.refresh_table()

    def refresh_table(self) -> None:
        self.query_one("#init-title", Static).update(
            _("init {init} ({formula}), activation {activation}").format(
                init=self.init, formula=INIT_NAMES[self.init], activation=self.activation
            )
        )
        self.query_one("#init-table", Static).update(_("computing..."))
        self._compute(self.init, self.activation)

    @work(thread=True, exclusive=True)
    def _compute(self, init: str, activation: str) -> None:
        rows = init_statistics(init, activation)
        self.app.call_from_thread(self._show, init, activation, rows)

    def _show(self, init: str, activation: str, rows: tuple[LayerStatistics, ...]) -> None:
        if (init, activation) != (self.init, self.activation):
            return  # an older request finished after a newer one was made
        self.rows = rows
        self.query_one("#init-table", Static).update(table_text(rows, activation))

    def action_cycle_init(self) -> None:
        self.init = INITS[(INITS.index(self.init) + 1) % len(INITS)]
        self.refresh_table()

    def action_cycle_activation(self) -> None:
        self.activation = ACTIVATIONS[(ACTIVATIONS.index(self.activation) + 1) % len(ACTIVATIONS)]
        self.refresh_table()

    def action_close(self) -> None:
        self.dismiss(None)
