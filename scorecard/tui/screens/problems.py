"""Every data problem the engine found: file, row, column and value, as `scorecard check` lists them."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from ..widgets.footer import KeyFooter


class ProblemsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the previous screen")]

    def __init__(self, organisation: str, lines: list[str]):
        super().__init__()
        self.organisation = organisation
        self.lines = lines

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="problems"):
            if self.lines:
                head = Text(f"{len(self.lines)} data problem(s). The measures they touch carry a warning; "
                            "rows that could not be read are left out of every measure.\n", style="bold")
                yield Static(head.append("\n".join(f"• {line}" for line in self.lines), style=""))
            else:
                yield Static("No data problems found.")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = self.organisation
        self.sub_title = "Data problems"
        self.query_one("#problems").focus()

    def action_back(self) -> None:
        self.app.pop_screen()
