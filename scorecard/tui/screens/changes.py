"""Band changes between two chosen periods, as the papers lay them out: improved first, then declined."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Select, Static

from ...engine.calendar import month_number, shift_period
from ...engine.results import BandChange, BandChanges
from ...present import figure, month_label
from ..text import band_text
from ..widgets.footer import KeyFooter
from ..widgets.sortable_table import DrillTable, SortableTable, TableRow
from .base import AppAccess, EngineFailed

LABELS = ["Measure", "Band", "From", "To", "Target", "Floor"]


def change_rows(items: list[BandChange]) -> list[TableRow]:
    """One row per measure: its id and title (wrapped to the width), both bands, both values (bare:
    the unit follows the title), and the target and floor in force at the later period."""
    rows = []
    for c in items:
        band = Text()  # a Text's own style covers all it is given later: each band is appended to a plain one
        band.append_text(band_text(c.from_rag))
        band.append(" → ")
        band.append_text(band_text(c.to_rag))
        measure = Text()
        measure.append(c.id, style="bold")
        measure.append(f"  {c.title}")
        if c.unit not in (None, "%"):
            measure.append(f" ({c.unit})", style="dim")
        rows.append(TableRow(
            key=c.id,
            cells=[measure, band,
                   Text(figure(c.from_value, c.decimals, c.unit, with_unit=False), justify="right"),
                   Text(figure(c.to_value, c.decimals, c.unit, with_unit=False), justify="right"),
                   Text(figure(c.target, c.decimals, c.unit, with_unit=False), justify="right"),
                   Text(figure(c.floor, c.decimals, c.unit, with_unit=False), justify="right")],
            sort_keys=[c.title.lower(), (c.from_rag, c.to_rag), c.from_value, c.to_value, c.target, c.floor],
        ))
    return rows


def changes_summary(c: BandChanges) -> str:
    total = len(c.improved) + len(c.declined)
    measures = "measure has" if total == 1 else "measures have"
    return (f"{total} performance {measures} changed RAG banding between {month_label(c.from_period)} and "
            f"{month_label(c.to_period)}: {len(c.improved)} improved, {len(c.declined)} declined.")


class BandChangesScreen(AppAccess, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the previous screen"),
        Binding("left_square_bracket", "period(-1)", "Earlier", key_display="[", tooltip="Both periods a month earlier"),
        Binding("right_square_bracket", "period(1)", "Later", key_display="]", tooltip="Both periods a month later"),
        Binding("enter", "drill", "Drill-down", show=False, tooltip="Drill down into the measure (at the To period)"),
    ]

    def __init__(self, scorecard_id: str, from_period: str, to_period: str, periods: list[str]):
        super().__init__()
        self.scorecard_id = scorecard_id
        self.from_period = from_period
        self.to_period = to_period
        self.periods = sorted(set(periods) | {from_period, to_period})
        self.result: BandChanges | None = None

    def compose(self) -> ComposeResult:
        options = [(month_label(p), p) for p in reversed(self.periods)]
        yield Header()
        with Horizontal(id="changes-periods"):
            yield Label("From ")
            yield Select(options, value=self.from_period, allow_blank=False, id="from", compact=True)
            yield Label("  to ")
            yield Select(options, value=self.to_period, allow_blank=False, id="to", compact=True)
        yield Static("Loading…", id="changes-summary")
        with VerticalScroll(id="changes-body"):
            yield Static(Text("Those measures showing improved performance", style="bold"), classes="heading")
            yield DrillTable(LABELS, right=(2, 3, 4, 5), wrap=0, id="improved")
            yield Static(Text("None.", style="dim"), id="improved-none")
            yield Static(Text("Those measures where performance declined", style="bold"), classes="heading")
            yield DrillTable(LABELS, right=(2, 3, 4, 5), wrap=0, id="declined")
            yield Static(Text("None.", style="dim"), id="declined-none")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = self.sc.config.organisation.name
        self.query_one("#improved", SortableTable).focus()
        self.load()

    def load(self) -> None:
        self.sub_title = f"Band changes · {month_label(self.from_period)} to {month_label(self.to_period)}"
        self._load(self.from_period, self.to_period)

    class Compared(Message):
        """The engine's band changes between two periods."""

        def __init__(self, result: BandChanges) -> None:
            super().__init__()
            self.result = result

    def _load(self, from_period: str, to_period: str) -> None:
        self.ask(lambda: self.sc.service.changes(self.scorecard_id, from_period, to_period), self.Compared)

    @on(EngineFailed)
    def _failed(self, message: EngineFailed) -> None:
        self.app.notify(str(message.error), title="Band changes", severity="error")

    @on(Compared)
    def _compared(self, message: Compared) -> None:
        self._show(message.result)

    def _show(self, result: BandChanges) -> None:
        if (result.from_period, result.to_period) != (self.from_period, self.to_period):
            return
        self.result = result
        summary = changes_summary(result)
        if month_number(result.from_period) > month_number(result.to_period):
            summary += "  (From is after To: the periods are the other way round.)"
        self.query_one("#changes-summary", Static).update(Text(summary, style="bold"))
        for name, items in (("improved", result.improved), ("declined", result.declined)):
            table = self.query_one(f"#{name}", SortableTable)
            table.set_rows(change_rows(items))
            table.display = bool(items)  # an empty table's headers alone would read as a fault: "None."
            self.query_one(f"#{name}-none", Static).display = not items
        if not result.improved and result.declined and self.focused is not self.query_one("#declined"):
            self.query_one("#declined", SortableTable).focus()

    @on(Select.Changed)
    def _period_chosen(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        if event.select.id == "from":
            self.from_period = str(event.value)
        else:
            self.to_period = str(event.value)
        self.load()

    def action_period(self, step: int) -> None:
        self.from_period = shift_period(self.from_period, step)
        self.to_period = shift_period(self.to_period, step)
        for p in (self.from_period, self.to_period):
            if p not in self.periods:
                self.periods = sorted({*self.periods, p})
        self._sync_selects()
        self.load()

    def _sync_selects(self) -> None:
        options = [(month_label(p), p) for p in reversed(self.periods)]
        with self.prevent(Select.Changed):
            for sid, value in (("from", self.from_period), ("to", self.to_period)):
                select = self.query_one(f"#{sid}", Select)
                select.set_options(options)
                select.value = value

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value:
            self.sc.open_drill(str(event.row_key.value), self.to_period)

    def action_drill(self) -> None:
        focused = self.focused
        if isinstance(focused, SortableTable) and focused.row_count:
            key = focused.coordinate_to_cell_key(focused.cursor_coordinate).row_key.value
            if key:
                self.sc.open_drill(str(key), self.to_period)

    def action_back(self) -> None:
        self.app.pop_screen()
