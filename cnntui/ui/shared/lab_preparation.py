"""Getting every lab ready in the background after the first frame, so that opening one is only a
switch of screens (a key answers within a frame or two). It uses Textual's private `_get_screen`,
`_screen_stacks` and `_load_screen_css`, as `App.switch_mode` does for a mode's first screen."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.worker import Worker, WorkerState

from cnntui.ui.shared.heap import settle_heap


class LabPreparation:
    """Mixed into `CnnTuiApp` (`self`): its `mode_specs`, `labs_built` and `_labs_prepared`."""

    def prepare_labs(self: Any) -> None:
        """Get every lab ready in the background, so that opening one is a switch of screens.

        First the labs' modules are imported in a thread; then, on the UI thread, each lab's
        screen is built and mounted while it is not on show, one lab at a time, so a key pressed
        meanwhile waits for one lab at most. Called once the first screen is on show (the Lessons
        screen calls it when its first lesson is shown), so none of it delays the first frame.
        """
        if self._labs_prepared:
            return
        self._labs_prepared = True
        settle_heap()  # the lessons and the first screen, as they are now
        self.run_worker(
            self._import_labs,
            name="import-labs",
            thread=True,
            group="prepare-labs",
            exit_on_error=False,
        )

    def _import_labs(self: Any) -> None:
        for spec in self.mode_specs.values():
            if spec.name in self._screen_stacks:
                continue
            try:
                spec.screen_class()
            except Exception:  # opening the mode shows the error, with its reason
                continue

    def on_worker_state_changed(self: Any, event: Worker.StateChanged) -> None:
        # A plain handler name (not `@on`): this mixin is not a Textual class, and Textual looks
        # `on_…` methods up through the app's whole class hierarchy.
        if event.worker.name == "import-labs" and event.state == WorkerState.SUCCESS:
            if not self.is_running or self._closing:  # closed while the imports ran
                return
            self.run_worker(self._build_labs(), group="prepare-labs", exit_on_error=False)

    async def _build_labs(self: Any) -> None:
        for spec in self.mode_specs.values():
            if not self.is_running or self._closing:  # shutting down: its screens are closing
                return
            if spec.name in self._screen_stacks:  # opened already (or being opened)
                continue
            # As `App.switch_mode` does for a mode's first screen, less the resume and the
            # switch: the screen composes and mounts now, and is laid out when it is shown.
            installed, mounted = self._get_screen(self._screen_factory(spec)())
            self._screen_stacks[spec.name] = [installed]
            self._load_screen_css(installed)
            await mounted
            self.labs_built.add(spec.name)
            settle_heap()
            await asyncio.sleep(0.05)
