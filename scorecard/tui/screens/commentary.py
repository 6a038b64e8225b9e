"""Writing the commentary for a measure and period: saved with author and time in the state file."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea
from textual.worker import get_current_worker

from ...commentary import Commentary
from ...present import month_label
from .base import AppAccess


class CommentaryScreen(AppAccess, ModalScreen[Commentary | None]):
    """Dismissed with the saved commentary, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the commentary"),
        Binding("escape", "cancel", "Cancel", tooltip="Cancel without saving"),
    ]

    def __init__(self, measure_id: str, title: str, period: str, current: str):
        super().__init__()
        self.measure_id = measure_id
        self.measure_title = title
        self.period = period
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="commentary-box"):
            yield Static(Text(f"Commentary: {self.measure_title} ({self.measure_id}), {month_label(self.period)}",
                              style="bold"), id="commentary-title")
            yield TextArea(self.current, id="commentary-text", soft_wrap=True, show_line_numbers=False)
            yield Static("Ctrl+S saves (with your name and the time) · Escape cancels", id="commentary-hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.app.notify("Nothing to save: write the commentary first (Escape cancels).", severity="warning")
            return
        if text == self.current.strip():
            self.dismiss(None)
            return
        self.query_one("#commentary-hint", Static).update("Saving…")
        self._save(text)

    @work(thread=True, exclusive=True, group="commentary")
    def _save(self, text: str) -> None:
        worker = get_current_worker()
        try:
            saved = self.sc.service.save_commentary(self.measure_id, self.period, text)
        except Exception as e:
            self.app.call_from_thread(self._failed, e)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.dismiss, saved)

    def _failed(self, error: Exception) -> None:
        self.query_one("#commentary-hint", Static).update(Text(f"Not saved: {error}", style="bold"))
        self.app.notify(f"Commentary not saved: {error}", severity="error", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
