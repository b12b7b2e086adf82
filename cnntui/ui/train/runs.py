"""The Train lab's Runs view: every saved run, to open (Enter), resume (r) or delete (d twice)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from cnntui.i18n import N_, _
from cnntui.ui.train.run_state import STATE_LABELS

COLUMNS = (N_("run"), N_("model"), N_("data"), N_("status"), N_("val acc"), N_("test acc"))
HINT = N_("Enter: open its curves   r: resume   d twice: delete")


class RunsView(Vertical):
    """A table of the runs in the runs folder (`cnntui.train.runs.list_runs`), newest first."""

    DEFAULT_CSS = """
    RunsView #runs-table { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(_(HINT), classes="caption", id="runs-hint")
        yield DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)

    CONFIRM_S = 3.0
    """A second `d` within this many seconds deletes."""

    def __init__(self) -> None:
        super().__init__()
        self._delete_armed: tuple[str, float] | None = None

    def on_mount(self) -> None:
        self.refresh_language()

    def refresh_language(self) -> None:
        """The hint, the column headers and the status words in the current language."""
        self.query_one("#runs-hint", Static).update(_(HINT))
        table = self.query_one("#runs-table", DataTable)
        table.clear(columns=True)
        table.add_columns(*(_(c) for c in COLUMNS))
        self.refresh_runs()

    def refresh_runs(self) -> None:
        """Read the runs folder again."""
        from cnntui.train.runs import list_runs

        table = self.query_one("#runs-table", DataTable)
        table.clear()
        skipped: list[str] = []
        for record in list_runs(problems=skipped):
            table.add_row(
                record.name[:15],
                record.model,
                record.dataset,
                _(STATE_LABELS.get(record.status, record.status)),
                f"{record.val_acc:.1%}" if record.val_acc is not None else "-",
                f"{record.test_acc:.1%}" if record.test_acc is not None else "-",
                key=str(record.path),
            )
        for notice in skipped:
            self.notify(notice, severity="warning")

    def selected(self) -> Path | None:
        """The folder of the run under the cursor, if any."""
        table = self.query_one("#runs-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return Path(key) if key else None

    def read_info(self, path: Path) -> dict[str, Any] | None:
        """The run's saved information (`read_run_info`), or None after a notice saying why not."""
        from cnntui.train.checkpoint import CheckpointError, read_run_info

        try:
            return read_run_info(path)
        except CheckpointError as exc:
            self.notify(str(exc), severity="error")
            return None

    def delete(self, path: Path) -> None:
        """The first call asks for a second one within `CONFIRM_S`; the second deletes the run."""
        from cnntui.train.checkpoint import CheckpointError
        from cnntui.train.runs import delete_run

        now = time.monotonic()
        armed = self._delete_armed
        if armed is None or armed[0] != str(path) or now - armed[1] > self.CONFIRM_S:
            self._delete_armed = (str(path), now)
            self.notify(
                _("press d again to delete {name}").format(name=path.name),
                severity="warning",
                timeout=3,
            )
            return
        self._delete_armed = None
        try:
            delete_run(path)
        except (CheckpointError, OSError) as exc:
            self.notify(str(exc), severity="error")
            return
        self.notify(_("deleted {name}").format(name=path.name))
        self.refresh_runs()
