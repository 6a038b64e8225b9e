"""`?`: every key, screen by screen."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: list[tuple[str, list[tuple[str, str]]]] = [
    ("Everywhere", [
        ("q", "quit (also from this help and from the lists; not while typing a filter or commentary)"),
        ("?", "this help (Escape closes it)"),
        ("t", "light or dark theme (bands keep their colours)"),
        ("Ctrl+P", "command palette: every action by name; type a measure's id or title words to open it"),
    ]),
    ("Scorecard", [
        ("↑ ↓ PgUp PgDn", "move between measures (the cursor skips the section headings)"),
        ("Home End", "first and last measure"),
        ("← →", "scroll the figures a column at a time (the measure stays)"),
        ("Enter", "drill down into the measure"),
        ("[  ]", "previous and next period"),
        ("p", "go to a period from a list"),
        ("g", "switch scorecard"),
        ("/", "filter by text (title, id, section, owner); Enter keeps it, Escape clears"),
        ("r", "only Red measures (again: all)"),
        ("c", "only measures whose band changed since the previous period (again: all)"),
        ("s", "sort each section by a column (the same column again: reverse); or click a header"),
        ("Escape", "clear the filters"),
        ("b", "band changes between two periods"),
        ("e", "exception report: every Red measure with its detail"),
        ("w", "write the commentary for the measure and period"),
        ("o", "write the overview of the measure's section (the paper shows it at the section's head)"),
        ("!", "data problems found in the files"),
        ("P", "publish the scorecard for the period (shows what is frozen, then asks)"),
    ]),
    ("Drill-down", [
        ("Escape", "back"),
        ("[  ]", "previous and next period"),
        ("w", "write the commentary"),
        ("Tab", "reach the breakdown tables; ← → switch tabs; s sorts"),
        ("↑ ↓ PgUp PgDn", "scroll"),
    ]),
    ("Band changes", [
        ("Tab", "move between the From and To periods and the two tables"),
        ("Enter", "open a period list; on a measure: drill down at the To period"),
        ("[  ]", "both periods a month earlier or later"),
        ("s", "sort the table"),
    ]),
    ("Exception report", [
        ("↑ ↓", "move between the Red measures"),
        ("Enter", "drill down"),
        ("[  ]", "previous and next period"),
    ]),
    ("Commentary", [
        ("Ctrl+S", "save, with your name and the time (earlier versions are kept)"),
        ("Escape", "cancel"),
    ]),
]

NOTES = (
    "Bands are always written as words (Green, Amber, Red) on their colour. ✎ marks a measure with "
    "commentary for the period; * marks a figure restated since the period was published (the drill-down "
    "shows both); SN is the statistical neighbours' figure; Change compares the band with "
    "the previous period. In the drill-down "
    "chart each month's point is its band's letter (G, A, R), with the target and the floor drawn."
)


def help_text() -> Group:
    """Every key, screen by screen: the key in a column of its own, what it does wrapping beside it
    (a hanging indent), so the keys stay readable on 80 columns."""
    parts: list[Text | Table] = []
    width = max(len(k) for _, keys in KEYS for k, _ in keys) + 2
    for i, (section, keys) in enumerate(KEYS):
        parts.append(Text(("\n" if i else "") + section, style="bold underline"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True, min_width=width)
        grid.add_column(overflow="fold")
        for key, does in keys:
            grid.add_row(f"  {key}", does)
        parts.append(grid)
    parts.append(Text("\n" + NOTES, style="italic"))
    return Group(*parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Close the help"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "app.quit", "Quit", show=False),  # "Everywhere", as the help itself says
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(help_text(), id="help-text")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def action_close(self) -> None:
        self.dismiss(None)
