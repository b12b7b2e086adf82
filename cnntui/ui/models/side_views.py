"""The Models mode's side views, mixed into `ModelsScreen`: `c` compares the model with a
second one, `d` draws the highlighted block; either takes the full width while shown."""

from __future__ import annotations

from typing import Any

from textual.widgets import ContentSwitcher

from cnntui import zoo
from cnntui.i18n import N_, Message
from cnntui.ui.models.compare import CompareView
from cnntui.ui.models.diagram import DiagramView
from cnntui.ui.models.table import LayerTable


class SideViews:
    """Mixed into `ModelsScreen` (`self`): its `view`, `editing`, `model_name`, `summary` and
    `compare_with`."""

    compare_with: str | None

    def _set_view(self: Any, view: str) -> None:
        self.view = view
        self.query_one("#models-views", ContentSwitcher).current = f"view-{view}"
        # Both side views need the full width: the list gives way while they are shown.
        self.set_class(view in ("diagram", "compare"), "-wide")
        self._update_settings()
        self._refresh_secondary()
        if view != "summary":
            # The view takes the keys; closing it hands them back to what had them before.
            self.query_one(f"#view-{view}").focus()

    def action_compare(self: Any) -> None:
        from cnntui.ui.models.dialogs import PickModelScreen

        if not self.editing:
            # keys typed ahead (down, down, c) may reach us before the list's highlight message
            self._follow_list()
        current = None if self.editing else self.model_name

        def chosen(name: str | None) -> None:
            if name:
                self.compare_with = name
                self._set_view("compare")

        title = Message(N_("Compare {name} with:"), name=current or Message(N_("your network")))
        self.app.push_screen(PickModelScreen(title, current), chosen)

    def _draw_compare(self: Any) -> None:
        name = self._current()[0]
        entry = None if self.editing else zoo.get(self.model_name)
        view = self.query_one("#view-compare", CompareView)
        view.show(self.summary, name, entry, self.compare_with)

    def action_diagram(self: Any) -> None:
        if self.view == "diagram":
            self._set_view("summary")
            return
        self._set_view("diagram")

    def _draw_diagram(self: Any) -> None:
        row = self.query_one("#models-table", LayerTable).selected_row()
        self.query_one("#view-diagram", DiagramView).show(self.summary, row)
