"""`?`: every key, screen by screen."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# Keys

Everything works from the keyboard; the mouse works too (click a row, a header to sort, a tab).
**Ctrl+P** opens the command palette: every action below is there by name.

## Everywhere

| key | does |
|---|---|
| `q` | quit |
| `?` | this help (Escape closes it) |
| `t` | light or dark theme |
| `Ctrl+P` | command palette |

## Scorecard

| key | does |
|---|---|
| `↑` `↓` `PgUp` `PgDn` | move between measures |
| `Enter` | drill down into the measure |
| `[` `]` | previous and next period |
| `p` | choose the period from a list |
| `g` | switch scorecard |
| `/` | filter by text (title, id, section or owner); Enter keeps it, Escape clears |
| `r` | only Red measures (again: all) |
| `c` | only measures whose band changed since the previous period (again: all) |
| `s` | sort each section by a column (pick the same column again to reverse); or click a header |
| `Escape` | clear the filters |
| `b` | band changes between two periods |
| `e` | exception report: every Red measure with its detail |
| `w` | write the commentary for the measure and period |
| `!` | data problems |

The band is always written as a word (Green, Amber, Red) on its colour. ✎ marks a measure with
commentary for the period. *Change* compares the band with the previous period.

## Drill-down

| key | does |
|---|---|
| `Escape` | back |
| `[` `]` | previous and next period |
| `w` | write the commentary |
| `Tab` | move to the breakdown tables; `←` `→` switch tabs; `s` sorts a table |

The chart draws the value, the target and the floor; each point is the month's band
(G Green, A Amber, R Red).

## Band changes

| key | does |
|---|---|
| `Tab` | move between the From and To periods and the two tables |
| `[` `]` | move both periods a month |
| `Enter` | drill down (at the To period) |
| `s` | sort the table |

## Exception report

| key | does |
|---|---|
| `↑` `↓` | move between Red measures |
| `Enter` | drill down |
| `[` `]` | previous and next period |

## Commentary

Write in the box; **Ctrl+S** saves it with your name and the time, **Escape** cancels. Earlier
versions are kept; the latest is shown in the drill-down and goes into the report.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Markdown(HELP)

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def action_close(self) -> None:
        self.dismiss(None)
