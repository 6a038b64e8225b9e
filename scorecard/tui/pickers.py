"""Small modal lists: pick a scorecard, a period, or the column to sort by. Enter picks, Escape cancels."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option


def sort_options(labels: list[str], current: int | None, reverse: bool) -> list[tuple[str, str]]:
    """Options for a sort picker: each column (the current one says which way the next pick goes)."""
    out = [("none", "Config order" if current is not None else "Config order (current)")]
    for i, label in enumerate(labels):
        if i == current:
            now = "descending" if reverse else "ascending"
            then = "ascending" if reverse else "descending"
            out.append((str(i), f"{label} (now {now}; pick again for {then})"))
        else:
            out.append((str(i), label))
    return out


class OptionPicker(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Cancel"),
        Binding("q", "app.quit", "Quit", show=False),  # quits from anywhere, as Help says
    ]

    def __init__(self, title: str, options: list[tuple[str, str]], current: str | None = None):
        super().__init__()
        self.picker_title = title
        self.options = options
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="picker"):
            yield Label(Text(self.picker_title), classes="picker-title")
            yield OptionList(*[Option(Text(label), id=key) for key, label in self.options], id="picker-options")
            yield Label("Enter picks · Escape cancels", classes="picker-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        keys = [k for k, _ in self.options]
        if self.current in keys:
            options.highlighted = keys.index(self.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
