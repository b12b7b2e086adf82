"""The ten-sample example: editable samples, every probability table, and animated sampling.

All numbers come from `cnntui.gan.example`; this widget only lays them out. Keys act on the sample
under the cursor: space switches it on or off, `y` flips its label, `a`/`b` flip x1/x2. `s` draws
a uniform number and animates it sliding along the cumulative intervals to the point it selects;
`u` lets you type the number (0.34 lands on (0,1), 0.83 on (1,1)); `c` samples from P(x), P(x|y=0)
or P(x|y=1) in turn.
"""

from __future__ import annotations

import random
from fractions import Fraction

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from cnntui.gan import example as ex
from cnntui.i18n import N_, Message, _
from cnntui.ui.shared.access import ascii_only
from cnntui.ui.shared.glyphs import glyphs

SOURCES = ("p_x", "y0", "y1")
SOURCE_TITLES = {"p_x": "P(x)", "y0": "P(x|y=0)", "y1": "P(x|y=1)"}
ANIMATION_FRAMES = 16
FRAME_SECONDS = 0.04


def _point(p: ex.Point) -> str:
    return f"({p[0]},{p[1]})"


class ExampleView(Vertical, can_focus=True):
    """Generative versus discriminative on ten binary samples."""

    DEFAULT_CSS = """
    ExampleView { height: 1fr; }
    ExampleView > #gan-ex-top { height: auto; }
    ExampleView #gan-ex-samples { width: 21; height: auto; margin-right: 2; }
    ExampleView #gan-ex-tables { width: 1fr; height: auto; }
    ExampleView #gan-ex-sampling { height: auto; margin-top: 1; }
    ExampleView:focus #gan-ex-samples { text-style: none; }
    """

    BINDINGS = [
        Binding("up,k", "cursor(-1)", N_("Up"), show=False),
        Binding("down,j", "cursor(1)", N_("Down"), show=False),
        Binding("space", "toggle_enabled", N_("Use")),
        Binding("y", "toggle_label", N_("Label")),
        Binding("a", "toggle_feature(1)", N_("Flip x1"), show=False),
        Binding("b", "toggle_feature(2)", N_("Flip x2"), show=False),
        Binding("s", "draw", N_("Draw")),
        Binding("u", "enter_u", N_("Set u")),
        Binding("c", "cycle_source", N_("Src")),
        Binding("r", "reset", N_("Reset")),
    ]

    cursor: reactive[int] = reactive(0, init=False)
    source: reactive[str] = reactive("p_x", init=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.samples: tuple[ex.Sample, ...] = ex.DEFAULT_SAMPLES
        self.tables = ex.compute_tables(self.samples)
        self.u: Fraction | None = None
        """The last drawn uniform number (None before the first draw)."""
        self.shown_u: float | None = None
        """Where the animated marker is now; equals `u` once the animation ends."""
        self.result: ex.Interval | None = None
        self._timer: Timer | None = None
        self._frame = 0
        self._rng = random.Random()

    def compose(self) -> ComposeResult:
        with Horizontal(id="gan-ex-top"):
            yield Static(id="gan-ex-samples")
            yield Static(id="gan-ex-tables")
        yield Static(id="gan-ex-sampling")

    def on_mount(self) -> None:
        self.refresh_all()

    def on_focus(self) -> None:
        self.refresh_all()

    def on_blur(self) -> None:
        self.refresh_all()

    def on_resize(self) -> None:
        self.refresh_all()

    @property
    def _ascii(self) -> bool:
        return ascii_only(self)

    # -- state changes --------------------------------------------------------------------------

    def set_samples(self, samples: tuple[ex.Sample, ...]) -> None:
        self.samples = samples
        self.tables = ex.compute_tables(samples)
        self._stop_animation()
        self.u = self.shown_u = None
        self.result = None
        self.refresh_all()

    def action_cursor(self, delta: int) -> None:
        self.cursor = (self.cursor + delta) % len(self.samples)

    def action_toggle_enabled(self) -> None:
        self.set_samples(ex.toggle_enabled(self.samples, self.cursor))

    def action_toggle_label(self) -> None:
        self.set_samples(ex.toggle_label(self.samples, self.cursor))

    def action_toggle_feature(self, feature: int) -> None:
        self.set_samples(ex.toggle_feature(self.samples, self.cursor, feature))

    def action_reset(self) -> None:
        self.cursor = 0
        self.source = "p_x"
        self.set_samples(ex.DEFAULT_SAMPLES)

    def action_cycle_source(self) -> None:
        self.source = SOURCES[(SOURCES.index(self.source) + 1) % len(SOURCES)]
        self._stop_animation()
        self.u = self.shown_u = None
        self.result = None
        self.refresh_all()

    def watch_cursor(self) -> None:
        self.refresh_all()

    def distribution(self) -> dict[ex.Point, Fraction | None]:
        if self.source == "p_x":
            return self.tables.p_x
        return ex.conditional(self.tables, 0 if self.source == "y0" else 1)

    def action_draw(self) -> None:
        """Draw u uniformly (two decimals, like the textbook) and animate it."""
        self.sample(Fraction(self._rng.randrange(100), 100))

    def action_enter_u(self) -> None:
        from cnntui.ui.gan.prompt import NumberPrompt

        def chosen(value: float | None) -> None:
            if value is not None:
                self.sample(Fraction(str(value)))

        self.app.push_screen(
            NumberPrompt(
                Message(N_("A uniform number u in [0, 1), e.g. 0.34")),
                low=0.0,
                high=1.0,
                high_inclusive=False,
            ),
            chosen,
        )

    def sample(self, u: Fraction) -> None:
        """Sample with the number `u` from the current distribution, animating the marker."""
        try:
            result = ex.sample_point(self.distribution(), u)
        except ValueError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.u, self.result = u, result
        self._stop_animation()
        if self.app.animation_level == "none":
            self.shown_u = float(u)
            self.refresh_all()
            return
        self._frame = 0
        self.shown_u = 0.0
        self._timer = self.set_interval(FRAME_SECONDS, self._advance, name="gan-example-sampling")

    def _advance(self) -> None:
        self._frame += 1
        if self.u is None:
            self._stop_animation()
            return
        fraction = min(1.0, self._frame / ANIMATION_FRAMES)
        eased = 1 - (1 - fraction) ** 3  # slows down as it reaches u
        self.shown_u = float(self.u) * eased
        if fraction >= 1.0:
            self.shown_u = float(self.u)
            self._stop_animation()
        self.refresh_all()

    def _stop_animation(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @property
    def animating(self) -> bool:
        return self._timer is not None

    # -- drawing --------------------------------------------------------------------------------

    def refresh_language(self) -> None:
        """Redraw the tables and the sampling line in the current language."""
        self.refresh_all()

    def refresh_all(self) -> None:
        if not self.is_mounted:
            return
        self.query_one("#gan-ex-samples", Static).update(self.render_samples())
        self.query_one("#gan-ex-tables", Static).update(self.render_tables())
        self.query_one("#gan-ex-sampling", Static).update(self.render_sampling())

    def _box(self) -> box.Box:
        return box.ASCII2 if self._ascii else box.SIMPLE_HEAD

    def render_samples(self) -> Table:
        table = self._table(_("Samples"), ("#", "x1", "x2", "y", _("on")))
        g = glyphs(self._ascii)
        for i, s in enumerate(self.samples):
            style = (
                "reverse"
                if i == self.cursor and self.has_focus
                else ("bold" if i == self.cursor else "")
            )
            if not s.enabled:
                style += " dim"
            table.add_row(
                str(i + 1),
                str(s.x1),
                str(s.x2),
                str(s.y),
                g.done if s.enabled else "-",
                style=style.strip() or None,
            )
        table.caption = _("a/b flip x1/x2")
        table.caption_style = "dim"
        return table

    def render_tables(self) -> Group:
        """P(x), P(x,y), P(x|y) and P(y|x), written as the counts they come from (2/10, 2/4)."""
        t = self.tables
        undefined = "-" if self._ascii else "—"

        def r(numerator: int, denominator: int) -> str:
            return ex.format_ratio(numerator, denominator, undefined)

        generative = self._table(
            _("Generative: counts of {n} samples").format(n=t.total),
            ("x", "P(x)", "P(x,y=0)", "P(x,y=1)", "P(x|y=0)", "P(x|y=1)"),
        )
        for p in ex.POINTS:
            generative.add_row(
                _point(p),
                r(t.count_x[p], t.total),
                r(t.count_xy[(p, 0)], t.total),
                r(t.count_xy[(p, 1)], t.total),
                r(t.count_xy[(p, 0)], t.count_y[0]),
                r(t.count_xy[(p, 1)], t.count_y[1]),
            )
        generative.add_row(
            "P(y)", "", r(t.count_y[0], t.total), r(t.count_y[1], t.total), "", "", style="dim"
        )
        discriminative = self._table(
            _("Discriminative: P(y|x)"), ("x", "P(y=0|x)", "P(y=1|x)", _("predict"))
        )
        for p in ex.POINTS:
            guess = t.predict(p)
            if guess is not None:
                verdict = f"y={guess}"
            elif t.count_x[p] == 0:
                verdict = _("unseen")
            else:
                verdict = _("tie")
            discriminative.add_row(
                _point(p),
                r(t.count_xy[(p, 0)], t.count_x[p]),
                r(t.count_xy[(p, 1)], t.count_x[p]),
                verdict,
            )
        if all(t.bayes_check(p, y) for p in ex.POINTS for y in ex.LABELS):
            discriminative.caption = _("Bayes holds: P(y|x) = P(x|y)P(y)/P(x)")
            discriminative.caption_style = "dim"
        return Group(generative, discriminative)

    def _table(self, title: str, headers: tuple[str, ...]) -> Table:
        table = Table(
            title=title,
            box=self._box(),
            padding=(0, 0, 0, 1),
            show_edge=False,
            pad_edge=False,
            title_style="bold",
            header_style="bold",
            title_justify="left",
        )
        for name in headers:
            table.add_column(name, justify="right")
        return table

    def render_sampling(self) -> Text:
        """Title, the interval bar, boundary values, and the marker line."""
        width = max(20, (self.size.width or 78) - 2)
        name = SOURCE_TITLES[self.source]
        text = Text()
        try:
            parts = ex.intervals(self.distribution())
        except ValueError:
            text.append(
                _("Sampling from {name}: nothing to sample (no samples)").format(name=name) + "\n",
                style="bold",
            )
            return text
        title = _("Sampling from {name} by cumulative intervals").format(name=name)
        if self.u is not None and self.result is not None and not self.animating:
            title += ": " + _("u = {u} lands on {point}").format(
                u=f"{float(self.u):g}", point=_point(self.result.point)
            )
        text.append(title + "\n", style="bold")
        bar = [" "] * width
        styles: list[str] = [""] * width
        ticks = [" "] * (width + 8)
        palette = ("on dark_green", "on navy_blue", "on dark_magenta", "on dark_red")
        for k, interval in enumerate(parts):
            start = round(float(interval.low) * width)
            end = round(float(interval.high) * width)
            chosen = (
                self.result is not None
                and not self.animating
                and interval.point == self.result.point
            )
            for c in range(start, end):
                styles[c] = "reverse bold" if chosen else palette[k]
            label = _point(interval.point)
            if end - start >= len(label) + 1:
                at = start + (end - start - len(label)) // 2
                bar[at : at + len(label)] = list(label)
            elif end - start >= 1:
                bar[start] = "|" if self._ascii else "▏"
            mark = f"{float(interval.low):g}"
            if end > start or k == 0:
                ticks[start : start + len(mark)] = list(mark)
        end_mark = "1"
        ticks[width - 1 : width] = list(end_mark)
        for c in range(width):
            text.append(bar[c], style=styles[c] or None)
        text.append("\n")
        text.append("".join(ticks[:width]).rstrip() + "\n", style="dim")
        if self.shown_u is not None:
            at = min(width - 1, int(self.shown_u * width))
            label = f"u = {self.shown_u:.2f}"
            arrow = "^" if self._ascii else "▲"
            line = " " * at + arrow + " " + label
            if len(line) > width:
                line = " " * max(0, at - len(label) - 1) + label + " " + arrow
            text.append(line, style="bold")
        else:
            text.append(_("press s to draw u, or u to type one"), style="dim")
        return text
