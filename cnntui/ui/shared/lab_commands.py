"""Command-palette entries for the Conv Lab and the Calculator (ctrl+p while either is open).

The Conv Lab offers every image, kernel preset and mode; the Calculator every chain preset and
"quiz me". Each entry applies the same settings a lesson link would.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cnntui.i18n import N_, _
from cnntui.ui.shared.access import ascii_only


class _ListProvider(Provider):
    """Matches the query against a fixed list of (title, help, callback)."""

    @abstractmethod
    def entries(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback) for every command this provider offers."""

    def _shown_entries(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """`entries()`, in plain ASCII under `--ascii` (the help texts hold ×, −, · and ²)."""
        if not ascii_only(self):
            yield from self.entries()
            return
        from cnntui.text import ascii_text

        for title, help_text, callback in self.entries():
            yield ascii_text(title), ascii_text(help_text), callback

    async def discover(self) -> Hits:
        for title, help_text, callback in self._shown_entries():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._shown_entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class ConvCommands(_ListProvider):
    """Images, kernels and modes of the Conv Lab."""

    def entries(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        from cnntui import images
        from cnntui.conv import kernels

        screen = self.screen
        apply = getattr(screen, "apply_preset", None)
        preset = getattr(screen, "preset", None)
        if apply is None or preset is None:
            return
        base = {"mode": "conv" if preset.mode == "pool" else preset.mode}
        if preset.image:
            base["image"] = preset.image
        for name in kernels.names():
            kernel = kernels.get(name) if name != kernels.RANDOM else None
            title = _(kernel.title) if kernel is not None else _("Random small integers")
            yield (
                _("Conv Lab kernel: {name}").format(name=name),
                title,
                partial(apply, {**base, "kernel": name}),
            )
        for name in images.names():
            params = {"mode": preset.mode, "image": name}
            if preset.mode == "pool":
                params["kernel"] = preset.kernel
            elif preset.mode == "rgb" and images.load(name).channels != 3:
                params["mode"] = "conv"
            yield (
                _("Conv Lab image: {name}").format(name=name),
                images.describe(name),
                partial(apply, params),
            )
        for mode, help_text in (
            ("conv", N_("Step a kernel across the image")),
            ("pool", N_("Max pooling, stepped; s compares a shifted image")),
            ("transposed", N_("Zeros inserted between inputs, then a stride-1 convolution")),
            ("rgb", N_("The 3×3×3 worked example whose total is 9")),
        ):
            yield (
                _("Conv Lab mode: {mode}").format(mode=mode),
                _(help_text),
                partial(apply, {"mode": mode}),
            )


class CalcCommands(_ListProvider):
    """Chain presets and quiz me for the Calculator."""

    def entries(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        from cnntui.calc.chain_presets import CHAIN_PRESETS

        screen = self.screen
        apply = getattr(screen, "apply_preset", None)
        if apply is None:
            return
        for name, preset in CHAIN_PRESETS.items():
            yield (
                _("Calculator chain: {name}").format(name=name),
                f"{_(preset.title)}: {_(preset.lesson)}",
                partial(apply, {"chain": name}),
            )
        quiz = getattr(screen, "action_quiz", None)
        if quiz is not None:
            yield (
                _("Calculator: quiz me"),
                _("Output-size and parameter-count questions"),
                quiz,
            )
