"""A table the keyboard can sort: `s` picks the column (again: the other way), or click a header."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from ..pickers import OptionPicker, sort_options
from .measure_table import pad


@dataclass(frozen=True)
class TableRow:
    key: str
    cells: list[Text]
    sort_keys: list[Any]  # one per column; None sorts last whichever the direction


def sort_table_rows(rows: list[TableRow], index: int | None, reverse: bool) -> list[TableRow]:
    if index is None:
        return list(rows)
    present = [r for r in rows if r.sort_keys[index] is not None]
    absent = [r for r in rows if r.sort_keys[index] is None]
    return sorted(present, key=lambda r: r.sort_keys[index], reverse=reverse) + absent


MIN_WRAP, MAX_WRAP = 16, 72  # a wrapped column's narrowest (below it the table scrolls sideways) and widest
FIGURE_WIDTH = 6  # the narrowest a figure column gets in a table with a wrapped column


def wrapped(text: Text, width: int) -> Text:
    """Text folded onto lines of at most `width` cells, at spaces (a long word is cut), styles kept."""
    from rich.console import Console

    lines = text.wrap(Console(width=max(width, 1)), max(width, 1))
    return Text("\n").join(lines)


class SortableTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("s", "sort", "Sort", tooltip="Sort the table by a column")]

    def __init__(self, labels: list[str], rows: list[TableRow] | None = None, *, right: tuple[int, ...] = (),
                 wrap: int | None = None, id: str | None = None, classes: str | None = None):
        """`wrap`: a column (the measure's) whose text wraps onto more lines to fit the table's width,
        so the other columns (figures, which never wrap) stay on screen."""
        super().__init__(cursor_type="row", id=id, classes=classes)
        self.labels = labels
        self.right = right
        self.wrap = wrap
        self._width_built = 0
        self.table_rows: list[TableRow] = list(rows or [])
        self.sort_index: int | None = None
        self.sort_reverse = False

    def on_mount(self) -> None:
        self.rebuild()

    def set_rows(self, rows: list[TableRow]) -> None:
        self.table_rows = list(rows)
        self.rebuild()

    def sort_by(self, index: int | None, reverse: bool | None = None) -> None:
        """Sort by a column; the same column again turns the order round."""
        if reverse is None:
            reverse = (not self.sort_reverse) if index == self.sort_index and index is not None else False
        self.sort_index, self.sort_reverse = index, reverse
        self.rebuild()

    def ordered_keys(self) -> list[str]:
        return [r.key for r in sort_table_rows(self.table_rows, self.sort_index, self.sort_reverse)]

    def rebuild(self) -> None:
        current = self._cursor_key()
        self.clear(columns=True)
        rows = sort_table_rows(self.table_rows, self.sort_index, self.sort_reverse)
        labels = [
            f"{label} {('▼' if self.sort_reverse else '▲') if i == self.sort_index else ''}".rstrip()
            for i, label in enumerate(self.labels)
        ]
        widths = [max([len(label)] + [r.cells[i].cell_len for r in rows]) for i, label in enumerate(labels)]
        if self.wrap is not None:
            # the same widths in every such table on a screen (band changes has two, one above the
            # other): figures at least FIGURE_WIDTH, the wrapped column what they leave, up to MAX_WRAP
            self._width_built = self.outer_size.width
            widths = [max(w, FIGURE_WIDTH) if i in self.right else w for i, w in enumerate(widths)]
            others = sum(w + 2 for i, w in enumerate(widths) if i != self.wrap)
            room = (self.outer_size.width or 140) - 2 - others - 2  # the scrollbar, the column's padding
            widths[self.wrap] = max(MIN_WRAP, min(MAX_WRAP, room))
        for i, label in enumerate(labels):
            self.add_column(pad(Text(label, style="bold"), widths[i], i in self.right), key=f"c{i}", width=widths[i])
        for r in rows:
            cells = [pad(c, widths[i], i in self.right) for i, c in enumerate(r.cells)]
            if self.wrap is not None:
                cells[self.wrap] = wrapped(r.cells[self.wrap], widths[self.wrap])
            self.add_row(*cells, key=r.key, height=max(c.plain.count("\n") + 1 for c in cells))
        if current is not None and current in self.ordered_keys():
            self.move_cursor(row=self.get_row_index(current), animate=False)

    def on_resize(self) -> None:
        if self.wrap is not None and self.outer_size.width != self._width_built:
            self.rebuild()

    def _cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except CellDoesNotExist:
            return None

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(event.column_index)

    def action_sort(self) -> None:
        def chosen(value: str | None) -> None:
            if value is not None:
                self.sort_by(None if value == "none" else int(value))

        options = sort_options(self.labels, self.sort_index, self.sort_reverse)
        current = None if self.sort_index is None else str(self.sort_index)
        self.app.push_screen(OptionPicker("Sort by", options, current=current), chosen)


class DrillTable(SortableTable):
    """A sortable table whose rows are measures: Enter drills down (and the footer says so)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Drill-down", tooltip="Drill down into the measure")]
