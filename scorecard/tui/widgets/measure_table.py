"""The scorecard table: one row per measure under a row per section, the measure column fixed.

The measure column takes what the other columns leave of the terminal's width (between 26 and 72
characters), so a wide terminal shows whole titles and an 80-column one scrolls the figures sideways
under a fixed measure column.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from ..table_model import Column, Row, cells, title_cell

SECTION_PREFIX = "section:"
MIN_TITLE, MAX_TITLE = 26, 72


class ScorecardTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # DataTable's own Enter binding is hidden, and as the focused widget's it hid the screen's from
        # the footer: the footer lost "⏎ Drill" once the table had focus
        Binding("enter", "select_cursor", "Drill", tooltip="Drill down into the measure"),
        Binding("right", "scroll_columns(1)", "Scroll right", show=False),
        Binding("left", "scroll_columns(-1)", "Scroll left", show=False),
    ]

    def __init__(self, id: str | None = None):
        super().__init__(cursor_type="row", fixed_columns=1, id=id)
        self.sections: list[tuple[str, list[Row]]] = []
        self.all_rows: list[Row] = []
        self.cols: list[Column] = []
        self.sort_key: str | None = None
        self.sort_reverse = False
        self._width_built = 0

    def populate(self, sections: list[tuple[str, list[Row]]], cols: list[Column], sort_key: str | None,
                 reverse: bool, all_rows: list[Row] | None = None) -> None:
        """Show the sections; column widths come from all_rows (every measure), so filtering does not
        make the columns jump."""
        self.sections, self.cols, self.sort_key, self.sort_reverse = sections, cols, sort_key, reverse
        self.all_rows = all_rows if all_rows is not None else [r for _, rows in sections for r in rows]
        self.rebuild()

    def measure_ids(self) -> list[str]:
        return [r.id for _, rows in self.sections for r in rows]

    def current_measure(self) -> str | None:
        key = self.cursor_key()
        return None if key is None or key.startswith(SECTION_PREFIX) else key

    def cursor_key(self) -> str | None:
        if not self.row_count:
            return None
        try:
            return str(self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value)
        except CellDoesNotExist:
            return None

    def title_width(self, widths: list[int]) -> int:
        """What the other columns (each padded by one space a side) leave for the measure column."""
        used = sum(w + 2 for w in widths) + 2 + 2  # the measure column's padding, the scrollbar
        available = (self.outer_size.width or 140) - used
        return max(MIN_TITLE, min(MAX_TITLE, available))

    def rebuild(self) -> None:
        current = self.cursor_key()
        scroll_y = self.scroll_y
        self.clear(columns=True)
        self._width_built = self.outer_size.width  # not size: that changes as the scrollbar comes and goes
        if not self.cols:
            return
        rows = self.all_rows
        table = {r.id: cells(r, self.cols, MAX_TITLE) for r in rows}  # once: only the title is redone below
        labels = []
        for col in self.cols:
            label = col.label
            if col.key == self.sort_key:
                label += " ▼" if self.sort_reverse else " ▲"
            labels.append(label)
        widths = [max([len(labels[i])] + [table[r.id][i].cell_len for r in rows]) for i in range(len(self.cols))]
        title = self.title_width(widths[1:])
        widths[0] = title
        for i, col in enumerate(self.cols):
            self.add_column(pad(Text(labels[i], style="bold"), widths[i], col.right), key=col.key, width=widths[i])
        blank = [Text("")] * (len(self.cols) - 1)
        for section, items in self.sections:
            self.add_row(Text(section, style="bold underline"), *blank, key=SECTION_PREFIX + section)
            for r in items:
                row = [title_cell(r, title), *table[r.id][1:]]
                self.add_row(*[pad(c, widths[i], self.cols[i].right) for i, c in enumerate(row)], key=r.id)
        keys = self._keys()
        if current in keys:
            self.move_cursor(row=keys.index(current), animate=False)
            self.scroll_y = scroll_y
        elif len(keys) > 1:
            self.move_cursor(row=1, animate=False)  # the first measure, under its section

    def _keys(self) -> list[str]:
        out = []
        for section, rows in self.sections:
            out.append(SECTION_PREFIX + section)
            out += [r.id for r in rows]
        return out

    def move_to_measure(self, measure_id: str) -> bool:
        keys = self._keys()
        if measure_id in keys:
            self.move_cursor(row=keys.index(measure_id), animate=False)
            return True
        return False

    def action_scroll_columns(self, step: int) -> None:
        """← and →: scroll the figures a whole column at a time under the fixed measure column."""
        starts = [0]
        for column in self.ordered_columns[1:]:
            starts.append(starts[-1] + column.get_render_width(self))
        x = round(self.scroll_x)
        later = next((s for s in starts if s > x), x)
        earlier = next((s for s in reversed(starts) if s < x), 0)
        target = later if step > 0 else earlier
        self.scroll_to(x=min(target, self.max_scroll_x), animate=False)

    def on_resize(self, event: events.Resize) -> None:
        if self.cols and self.outer_size.width != self._width_built:
            self.rebuild()


def pad(text: Text, width: int, right: bool) -> Text:
    """Right-align a cell by padding it (the table itself aligns every cell left)."""
    if right and text.cell_len < width:
        text = text.copy()
        text.pad_left(width - text.cell_len)
    return text
