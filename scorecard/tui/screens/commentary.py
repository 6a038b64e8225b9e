"""Writing the commentary for a measure and period: saved with author and time in the state file."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from ...commentary import Commentary
from ...present import month_label
from .base import AppAccess, EngineFailed


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

    class Saved(Message):
        """The commentary as the state file now holds it."""

        def __init__(self, saved: Commentary) -> None:
            super().__init__()
            self.saved = saved

    def _save(self, text: str) -> None:
        self.ask(lambda: self.sc.service.save_commentary(self.measure_id, self.period, text), self.Saved)

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.dismiss(message.saved)

    @on(EngineFailed)
    def _failed(self, message: EngineFailed) -> None:
        error = message.error
        self.query_one("#commentary-hint", Static).update(Text(f"Not saved: {error}", style="bold"))
        self.app.notify(f"Commentary not saved: {error}", severity="error", markup=False)

    def action_cancel(self) -> None:
        self.dismiss(None)
