"""The Explain mode's screen: loads a pretrained network or the learner's own ONNX file (`O`),
feeds it an input, and shows one view at a time (`v` cycles): Layers (maps and the selected
unit), Classifier (softmax), Where it looks (saliency, occlusion, Grad-CAM), Draw (the drawing
pad) and Transfer (the live lab). `m` cycles the shipped networks and the last ONNX file opened.

Loading, forward passes and the attribution maps run in a worker thread; results come back to
the UI thread with `call_from_thread`. `apply_preset` takes what `cnntui.explain.presets`
validates.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlencode

import numpy as np
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from cnntui.explain import pretrained
from cnntui.explain.imported import ImportedNetwork, ImportedSpec
from cnntui.explain.pretrained import PretrainedSpec
from cnntui.explain.session import ExplainSession
from cnntui.i18n import N_, _
from cnntui.ui.explain.classifier import ClassifierView
from cnntui.ui.explain.draw import DrawView
from cnntui.ui.explain.head import VIEWS, head_text
from cnntui.ui.explain.layers import LayersView
from cnntui.ui.explain.looks import LooksView
from cnntui.ui.explain.open_onnx import Norm, OnnxOpening, network_key
from cnntui.ui.explain.transfer import TransferView
from cnntui.ui.explain.unit import UnitPanel
from cnntui.ui.shared.access import ascii_only, cnntui_app
from cnntui.ui.shared.footer import Footer
from cnntui.ui.shared.mode_bar import ModeBar

MODELS = ("lenet5-digits", "tinyvgg-shapes")
INPUTS = {
    "digits": tuple(f"digit-{d}" for d in range(10)),
    # The bundled shape pictures are filled; the network learnt outlines, so its own test images.
    "shapes": tuple(f"shapes:test:{i}" for i in range(10)),
    # An ONNX network of another input: pictures scaled to its size and channels.
    "": ("photo", "balloons", "circle", "square", "triangle", "cross", "checker", "digit-7"),
}


class ExplainScreen(OnnxOpening, Screen[None]):
    """The Explain mode."""

    DEFAULT_CSS = """
    ExplainScreen #explain-head { height: 1; background: $panel; }
    ExplainScreen ContentSwitcher { height: 1fr; }
    ExplainScreen #explain-layers { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "next_view(1)", N_("View")),
        Binding("V", "next_view(-1)", N_("Prev view"), show=False),
        # At 80 columns the footer has room for the view's own keys; these are listed by `?`.
        Binding("m", "next_model", N_("Next network"), show=False),
        Binding("i", "next_input(1)", N_("Next image"), show=False),
        Binding("I", "next_input(-1)", N_("Previous image"), show=False),
        Binding("n", "test_image(1)", N_("Next test image"), show=False),
        Binding("f", "open_image", N_("Own image file"), show=False),
        Binding("O", "open_onnx", N_("Open ONNX..."), show=False),
        Binding("[", "in_channel(-1)", N_("Input channel"), show=False),
        Binding("]", "in_channel(1)", N_("Next input channel"), show=False),
        Binding("o", "open_conv", N_("Conv Lab")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view = "layers"
        self.model_name = MODELS[0]
        self.session: ExplainSession | None = None
        self.input_index = 7
        self.test_index = -1
        self.maps: dict[str, np.ndarray] = {}
        self.map_notes: dict[str, str] = {}
        """Why a map is missing (Grad-CAM on a network with branches), by method."""
        self.imported: ImportedNetwork | None = None
        """The last ONNX network opened: it joins the `m` cycle."""
        self._pending_layer: str | None = None

    def compose(self) -> ComposeResult:
        yield ModeBar()
        yield Static(id="explain-head")
        with ContentSwitcher(initial="explain-layers"):
            with Vertical(id="explain-layers"):
                yield LayersView(id="explain-maps")
                yield UnitPanel(id="explain-unit")
            yield ClassifierView(id="explain-classifier")
            yield LooksView(id="explain-looks")
            yield DrawView(id="explain-draw")
            yield TransferView(id="explain-transfer")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._head()
        self.query_one(LayersView).focus()
        self.load(self.model_name, INPUTS["digits"][self.input_index])

    # -- loading and computing (worker threads) --------------------------------------------------

    def load(self, model: str, image: str | None, norm: Norm | None = None) -> None:
        """Load `model` (a pretrained name or an ONNX path; again when `norm` is given) if another
        is shown, and run `image` (a name, a file or DATASET:SPLIT:INDEX; None: its first
        picture) through it. Nothing changes when it fails: a notice says why."""
        self.run_worker(
            lambda: self._load(model, image, norm), thread=True, exclusive=True, group="explain"
        )

    def _load(self, model: str, image: str | None, norm: Norm | None) -> None:
        from cnntui.explain.inputs import load_input

        try:
            session = self.session
            if session is None or network_key(session.net) != model or norm is not None:
                session = ExplainSession(self.network(model, norm))
            net = session.net
            image = image or INPUTS.get(net.spec.dataset, INPUTS[""])[0]
            picture = load_input(image, net.spec.dataset, net.input_shape, net.spec.samples)
            trace = session.compute(picture.pixels)
            maps, notes = self._maps(session, picture.pixels)
        except Exception as exc:
            self.report_failure(exc, model)
            return
        self.app.call_from_thread(
            self._show, session, picture.pixels, picture.source, trace, maps, notes
        )

    def _maps(
        self, session: ExplainSession, pixels: np.ndarray
    ) -> tuple[dict[str, np.ndarray], dict[str, str]]:
        """The three attribution maps, only while their view is shown (they cost the most), and
        why one is missing (Grad-CAM needs a plain stack of layers with a convolution)."""
        if self.view != "looks":
            return {}, {}
        from cnntui.errors import UsageError
        from cnntui.explain.attribution import gradcam, occlusion, saliency

        module, x = session.net.module, session.net.normalize(pixels)
        maps = {"saliency": saliency(module, x), "occlusion": occlusion(module, x)}
        notes: dict[str, str] = {}
        spec = session.net.spec
        if isinstance(spec, ImportedSpec) and not spec.plain:
            return maps, notes  # `redraw` says why, in the language shown then
        try:
            maps["gradcam"] = gradcam(module, x)
        except UsageError as exc:
            notes["gradcam"] = str(exc)
        return maps, notes

    def compute_drawing(self) -> None:
        draw = self.query_one(DrawView)
        canvas = draw.pad.canvas.copy()
        self.run_worker(lambda: self._drawn(canvas), thread=True, exclusive=True, group="explain")

    def _drawn(self, canvas: np.ndarray) -> None:
        from cnntui.explain.inputs import prepare

        session = self.session
        if session is None:
            return
        net = session.net
        try:
            pixels = prepare(canvas[None], net.spec.dataset, net.input_shape)
            trace = session.compute(pixels)
        except Exception as exc:
            self.report_failure(exc, network_key(net))
            return
        self.app.call_from_thread(self._show, session, pixels, "drawing", trace, {})

    def _show(
        self,
        session: ExplainSession,
        pixels: np.ndarray,
        source: str,
        trace: Any,
        maps: dict[str, np.ndarray],
        notes: dict[str, str] | None = None,
    ) -> None:
        session.apply(pixels, source, trace)
        net = session.net
        opened = isinstance(net, ImportedNetwork) and net is not self.imported
        if isinstance(net, ImportedNetwork):
            self.imported = net
        if self.session is not None and self.session.net is not session.net:
            self.input_index, self.test_index = 0, -1
        self.session = session
        self.model_name = network_key(session.net)
        self.maps, self.map_notes = maps, notes or {}
        if opened and isinstance(net, ImportedNetwork):
            self.announce(net.spec)
        if self.view == "draw" and source != "drawing":
            self.compute_drawing()  # the pad's picture, through the network now shown
        if self._pending_layer is not None:
            try:
                session.select(session.layer_by_name(self._pending_layer), 0)
            except Exception as exc:  # an unknown layer name from a link: say so, keep going
                self.notify(str(exc), severity="warning")
            self._pending_layer = None
        self.redraw()

    def refresh_language(self) -> None:
        """Redraw every view's text in the language now current (F2)."""
        self._head()
        self.redraw()
        self.query_one(LayersView).refresh()
        self.query_one(DrawView).refresh()
        self.query_one(LooksView).redraw()
        self.query_one(TransferView).refresh_language()

    def redraw(self) -> None:
        self._head()
        session = self.session
        if session is None:
            return
        self.query_one(LayersView).set_session(session)
        self.query_one(UnitPanel).show_session(session, reset=False)
        self.query_one(ClassifierView).show_session(session)
        self.query_one(DrawView).show_prediction(session)
        if self.maps:
            best = session.probabilities().top(1)[0]
            self.query_one(LooksView).show_maps(
                session.pixels.mean(axis=0),
                self.maps,
                session.net.class_names[best],
                self._map_notes(session),
            )

    def _map_notes(self, session: ExplainSession) -> dict[str, str]:
        notes = dict(self.map_notes)
        spec = session.net.spec
        if isinstance(spec, ImportedSpec) and not spec.plain:
            notes["gradcam"] = _(
                "needs a plain stack of layers; {name} has branches and is shown as one block"
            ).format(name=spec.name)
        return notes

    def _head(self) -> None:
        text = head_text(self.view, self.size.width >= 100, self.session, ascii_only(self))
        self.query_one("#explain-head", Static).update(text)

    # -- keys ------------------------------------------------------------------------------------

    @on(LayersView.Selected)
    def _selected(self) -> None:
        if self.session is not None:
            self.query_one(UnitPanel).show_session(self.session)

    @on(DrawView.Changed)
    def _drawing_changed(self) -> None:
        self.compute_drawing()

    def show_view(self, name: str) -> None:
        self.view = name
        self.query_one(ContentSwitcher).current = f"explain-{name}"
        focus = {
            "layers": "#explain-maps",
            "draw": "#explain-draw",
            "transfer": "#explain-transfer",
        }
        if name in focus:
            self.query_one(focus[name]).focus()
        if name == "looks" and not self.maps and self.session is not None:
            self.load(self.model_name, self._current_image())
        if name == "draw":
            self.compute_drawing()
        self._head()

    def action_next_view(self, delta: int) -> None:
        names = [name for name, _title in VIEWS]
        self.show_view(names[(names.index(self.view) + delta) % len(names)])

    def _spec(self, model: str | None = None) -> PretrainedSpec | ImportedSpec:
        model = self.model_name if model is None else model
        if self.imported is not None and model == self.imported.spec.key:
            return self.imported.spec
        return pretrained.get_spec(model)

    def _dataset(self) -> str:
        return self._spec().dataset

    def _current_image(self) -> str:
        if self.test_index >= 0:
            return f"{self._dataset()}:test:{self.test_index}"
        inputs = INPUTS.get(self._dataset(), INPUTS[""])
        return inputs[self.input_index % len(inputs)]

    def cycle(self) -> tuple[str, ...]:
        """What `m` steps through: the shipped networks, then the last ONNX file opened."""
        return MODELS + ((self.imported.spec.key,) if self.imported is not None else ())

    def action_next_model(self) -> None:
        models = self.cycle()
        index = models.index(self.model_name) if self.model_name in models else -1
        self.maps = {}
        self.load(models[(index + 1) % len(models)], None)

    def action_next_input(self, delta: int) -> None:
        self.test_index = -1
        self.input_index = (self.input_index + delta) % len(INPUTS.get(self._dataset(), INPUTS[""]))
        self.maps = {}
        self.load(self.model_name, self._current_image())

    def action_test_image(self, delta: int) -> None:
        self.test_index = max(0, self.test_index + delta)
        self.maps = {}
        self.load(self.model_name, self._current_image())

    def action_in_channel(self, delta: int) -> None:
        """Show another input channel of the selected convolution unit's kernel and patch."""
        self.query_one(UnitPanel).action_in_channel(delta)

    def action_open_image(self) -> None:
        """Ask for the learner's own image and run it through the network."""
        from cnntui.ui.explain.open_image import OpenImage

        def chosen(text: str | None) -> None:
            if text:
                self.maps = {}
                self.load(self.model_name, text)

        self.app.push_screen(OpenImage(), chosen)

    async def action_open_conv(self) -> None:
        """Open the selected convolution unit's exact kernel and input patch in the Conv Lab."""
        if self.session is None:
            return
        params = self.session.conv_lab_params()
        if params is None:
            names = [
                n for n, m in zip(self.session.trace.names, self.session.trace.layers)
                if type(m).__name__ == "Conv2d"
            ]  # fmt: skip
            self.notify(
                _("select a unit of a convolution ({layers}) to open it in the Conv Lab").format(
                    layers=", ".join(names)
                ),
                severity="warning",
            )
            return
        await cnntui_app(self).follow_link("cnntui:conv?" + urlencode(params))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_conv":
            return self.view == "layers"
        if action == "in_channel":
            return self.view == "layers"
        if action in ("next_input", "test_image", "open_image"):
            if action == "test_image" and self._dataset() not in ("digits", "shapes"):
                return False
            return self.view not in ("draw", "transfer")
        return True

    def apply_preset(self, params: dict[str, str]) -> None:
        """Open a model, input, view and layer from a lesson link (see `cnntui.explain.presets`)."""
        from cnntui.explain.presets import validate

        problems = validate(params)
        if problems:
            self.notify("; ".join(problems), severity="error")
            return
        from cnntui.explain.presets import norm_of

        model = params.get("model", self.model_name)
        self._pending_layer = params.get("layer")
        if "view" in params:
            self.show_view(params["view"])
        self.maps = {}
        self.load(model, params.get("image"), norm_of(params))
