"""`OpenOnnx`: the dialog behind `O` in the Explain mode. It asks for an ONNX file and the
normalisation its training images had (`mean`, `std`: one number, or one per channel), and
dismisses with an `OnnxChoice`, or None on escape; `OnnxOpening` is the screen's side. The numbers are checked here (the dialog stays
open and says what is wrong); the file is read by the screen off the UI thread
(`cnntui.explain.imported.load_network`), which reports a bad one as a notice."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from cnntui.errors import UsageError
from cnntui.explain.imported import ImportedNetwork, ImportedSpec, parse_numbers
from cnntui.explain.session import ExplainNetwork
from cnntui.i18n import N_, _
from cnntui.ui.models.dialogs import DIALOG_CSS
from cnntui.ui.shared.access import ascii_only


@dataclass(frozen=True)
class OnnxChoice:
    """What the dialog returns: the path as typed, and the normalisation."""

    path: str
    mean: tuple[float, ...]
    std: tuple[float, ...]


class OpenOnnx(ModalScreen[OnnxChoice | None]):
    """Path, mean and std fields; enter in any of them opens, tab moves between them."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="OpenOnnx")
        + """
    OpenOnnx > Vertical { width: 70; }
    OpenOnnx Horizontal { height: auto; }
    OpenOnnx Horizontal Label { width: auto; padding: 1 1 0 0; }
    OpenOnnx Horizontal Input { width: 1fr; }
    OpenOnnx #onnx-prompt, OpenOnnx #onnx-problem, OpenOnnx #onnx-keys { width: 100%; }
    OpenOnnx #onnx-problem { color: $error; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, path: str = "", mean: str = "0", std: str = "1") -> None:
        super().__init__()
        self.initial = (path, mean, std)

    def compose(self) -> ComposeResult:
        path, mean, std = self.initial
        with Vertical():
            yield Label(id="onnx-prompt")
            yield Input(value=path, placeholder="mynet.onnx", id="onnx-path")
            with Horizontal():
                yield Label(id="onnx-mean-label")
                yield Input(value=mean, placeholder="0.1307", id="onnx-mean")
                yield Label(id="onnx-std-label")
                yield Input(value=std, placeholder="0.3081", id="onnx-std")
            yield Label("", id="onnx-problem")
            yield Label(id="onnx-keys")

    def on_mount(self) -> None:
        self.refresh_language()
        for field in self.query(Input):
            if self.app.is_headless:
                field.cursor_blink = False
        self.query_one("#onnx-path", Input).focus()

    def refresh_language(self) -> None:
        """The labels in the language now current (F2)."""
        self.query_one("#onnx-prompt", Label).update(
            _("Open your own network: an ONNX file (.onnx) with its weights")
        )
        self.query_one("#onnx-mean-label", Label).update(_("mean"))
        self.query_one("#onnx-std-label", Label).update(_("std"))
        self.query_one("#onnx-keys", Label).update(
            _("pixels in [0, 1] become (x - mean) / std;  enter: open  tab: next  escape: cancel")
        )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        problem = self.query_one("#onnx-problem", Label)
        path = self.query_one("#onnx-path", Input).value.strip()
        if not path:
            problem.update(_("type the path of an .onnx file"))
            self.query_one("#onnx-path", Input).focus()
            return
        numbers: list[tuple[float, ...]] = []
        for name in ("mean", "std"):
            field = self.query_one(f"#onnx-{name}", Input)
            try:
                numbers.append(parse_numbers(field.value.strip()))
            except UsageError as exc:
                problem.update(f"{_(name)}: {exc}")
                field.focus()
                return
        if min(numbers[1]) <= 0:
            problem.update(_("std must be above 0"))
            self.query_one("#onnx-std", Input).focus()
            return
        self.dismiss(OnnxChoice(path, numbers[0], numbers[1]))

    def action_cancel(self) -> None:
        self.dismiss(None)


Norm = tuple[tuple[float, ...], tuple[float, ...]]
"""An ONNX network's (mean, std), as `cnntui.explain.imported.load_network` takes them."""


def network_key(net: ExplainNetwork) -> str:
    """How the Explain screen names a network: a pretrained one's name, an ONNX file's path."""
    return net.spec.key if isinstance(net, ImportedNetwork) else net.spec.name


class OnnxOpening:
    """Mixed into `ExplainScreen` (`self`): `O` opens the learner's ONNX network; the screen's
    worker reads it with `network` and shows it; `announce` says what was opened."""

    imported: ImportedNetwork | None
    maps: dict[str, Any]

    def action_open_onnx(self: Any) -> None:
        """Ask for an ONNX file and its normalisation, then load it off the UI thread."""
        known = self.imported
        dialog = (
            OpenOnnx(
                str(known.spec.path),
                ",".join(f"{v:g}" for v in _short(known.spec.mean)),
                ",".join(f"{v:g}" for v in _short(known.spec.std)),
            )
            if known is not None
            else OpenOnnx()
        )

        def chosen(choice: OnnxChoice | None) -> None:
            if choice is None:
                return
            self.notify(
                _("Opening {name}...").format(name=Path(choice.path).name), title=_("Explain")
            )
            self.maps = {}
            self.load(choice.path, None, (choice.mean, choice.std))

        self.app.push_screen(dialog, chosen)

    def network(self: Any, model: str, norm: Norm | None) -> ExplainNetwork:
        """The network named `model` (worker thread): a shipped one, the ONNX network already
        read (unless `norm` asks for it again), or the ONNX file read now."""
        from cnntui.explain import pretrained
        from cnntui.explain.imported import load_network
        from cnntui.zoo.onnx_import import is_onnx_path

        if not is_onnx_path(model):
            return pretrained.load(model)
        known = self.imported
        if norm is None and known is not None and known.spec.key == model:
            return known
        return load_network(model, *(norm or ((0.0,), (1.0,))))

    def report_failure(self: Any, exc: Exception, model: str) -> None:
        """A notice for what a worker could not do (worker thread). A user's own network may fail
        in any way inside the engine: a notice, never a crash; a shipped one's bug is raised."""
        from cnntui.errors import CnnTuiError
        from cnntui.zoo.onnx_import import is_onnx_path

        if not isinstance(exc, CnnTuiError) and not is_onnx_path(model):
            raise exc
        text = str(exc) if isinstance(exc, CnnTuiError) else f"{type(exc).__name__}: {exc}"
        if is_onnx_path(model) and Path(model).name not in text:
            text = f"{Path(model).name}: {text}"
        self.app.call_from_thread(self.notify, text, title=_("Explain"), severity="error")

    def announce(self: Any, spec: ImportedSpec) -> None:
        """A notice on the network just opened: its input, classes, normalisation, and, for a
        network with branches, that it is one block."""
        times = "x" if ascii_only(self) else "×"
        net = self.imported
        lines = [
            _(
                "{shape} input, {count} classes, pixels normalised with mean {mean}, std {std}"
            ).format(
                shape=times.join(str(v) for v in spec.input_shape),
                count=len(net.class_names) if net is not None else 0,
                mean=",".join(f"{v:g}" for v in _short(spec.mean)),
                std=",".join(f"{v:g}" for v in _short(spec.std)),
            )
        ]
        if not spec.plain:
            lines.append(_("It has branches: shown as one block, without Grad-CAM."))
        lines.append(_("m: next network   O: open another"))
        self.notify("\n".join(lines), title=spec.name, timeout=10)


def _short(values: tuple[float, ...]) -> tuple[float, ...]:
    """One value when every channel has the same (as the user typed it)."""
    return values[:1] if len(set(values)) == 1 else values
