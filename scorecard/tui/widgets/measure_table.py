"""The scorecard table: one row per measure under a row per section, the measure column fixed.

The columns are fitted to the terminal's width by priority (`table_model.fit`): the band and the
figures (value, target, floor, previous value and band) stay on screen; the measure column takes what
they leave (20 to 72 characters); the id column, then the value's unit give way on narrow terminals;
the change, the sparkline and the comparators follow on the right, reached with →, while the measure
and its band stay put.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

from ..table_model import MAX_TITLE, MIN_TITLE, Column, Layout, Row, cells, fit, title_cell

SECTION_PREFIX = "section:"
VALUE = Column("value", "Value", lambda r: r.rating.value, right=True)
__all__ = ["MAX_TITLE", "MIN_TITLE", "SECTION_PREFIX", "ScorecardTable"]


class ScorecardTable(DataTable[Text]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # DataTable's own Enter binding is hidden, and as the focused widget's it hid the screen's from
        # the footer: the footer lost "⏎ Drill" once the table had focus
        Binding("enter", "select_cursor", "Drill", tooltip="Drill down into the measure"),
        Binding("right", "scroll_columns(1)", "Scroll right", show=False),
        Binding("left", "scroll_columns(-1)", "Scroll left", show=False),
        Binding("home", "scroll_top", "First measure", show=False),
        Binding("end", "scroll_bottom", "Last measure", show=False),
    ]

    section_rows: frozenset[int] | set[int] = frozenset()  # indexes of the section headings' rows

    def __init__(self, id: str | None = None):
        super().__init__(cursor_type="row", fixed_columns=1, id=id)
        self.sections: list[tuple[str, list[Row]]] = []
        self.all_rows: list[Row] = []
        self.cols: list[Column] = []
        self.sort_key: str | None = None
        self.sort_reverse = False
        self._width_built = 0
        self.fitted = Layout(True, True, MAX_TITLE)

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

    def rebuild(self) -> None:
        current = self.cursor_key()
        scroll_y = self.scroll_y
        self.clear(columns=True)
        self._width_built = self.outer_size.width  # not size: that changes as the scrollbar comes and goes
        if not self.cols:
            return
        rows = self.all_rows
        table = {r.id: cells(r, self.cols, MAX_TITLE) for r in rows}  # once: only the title is redone below
        labels = {}
        for col in self.cols:
            label = col.label
            if col.key == self.sort_key:
                label += " ▼" if self.sort_reverse else " ▲"
            labels[col.key] = label
        widths = {c.key: max([len(labels[c.key])] + [table[r.id][i].cell_len for r in rows])
                  for i, c in enumerate(self.cols)}
        bare = [cells(r, [VALUE], 0, units=False)[0].cell_len for r in rows]
        self.fitted = fit(widths, max([len(labels["value"]), *bare]), (self.outer_size.width or 140) - 2)
        widths["measure"] = self.fitted.title
        shown = [i for i, c in enumerate(self.cols) if c.key != "id" or self.fitted.show_id]
        if not self.fitted.units:
            widths["value"] = max([len(labels["value"]), *bare])
        self.fixed_columns = 3 if self.fitted.show_id else 2  # the id, the measure and its band stay put
        for i in shown:
            col = self.cols[i]
            self.add_column(pad(Text(labels[col.key], style="bold"), widths[col.key], col.right), key=col.key,
                            width=widths[col.key])
        blank = [Text("")] * (len(shown) - 2)
        self.section_rows = set()
        for section, items in self.sections:
            self.section_rows.add(self.row_count)
            heading = Text(section, style="bold underline")  # over the titles (cells cannot span columns)
            self.add_row(*([Text(""), heading] if self.fitted.show_id else [heading, Text("")]), *blank,
                         key=SECTION_PREFIX + section)
            for r in items:
                row = table[r.id].copy()
                row[self._index("measure")] = title_cell(r, self.fitted.title)
                if not self.fitted.units:
                    row[self._index("value")] = cells(r, [VALUE], 0, units=False)[0]
                self.add_row(*[pad(row[i], widths[self.cols[i].key], self.cols[i].right) for i in shown], key=r.id)
        keys = self._keys()
        if current in keys:
            self.move_cursor(row=keys.index(current), animate=False)
            self.scroll_y = scroll_y
        elif len(keys) > 1:
            self.move_cursor(row=1, animate=False)  # the first measure, under its section
            self.scroll_y = 0  # and the section's heading above it

    def _index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.cols) if c.key == key)

    # -- the cursor: on measures only, with the section's heading in view -------------------------
    def validate_cursor_coordinate(self, value: Coordinate) -> Coordinate:
        """The cursor skips section headings, going on the way it was going (or back at either end)."""
        value = super().validate_cursor_coordinate(value)
        if value.row not in self.section_rows or self.row_count <= len(self.section_rows):
            return value
        step = -1 if value.row < self.cursor_coordinate.row else 1
        for direction in (step, -step):
            row = value.row
            while 0 <= row < self.row_count:
                if row not in self.section_rows:
                    return Coordinate(row, value.column)
                row += direction
        return value

    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        """Scrolling up to a section's first measure shows the section's heading too."""
        row = self.cursor_coordinate.row
        if row - 1 in self.section_rows and self.row_count:
            top = self._get_row_region(row - 1)
            fixed = self._get_fixed_offset()
            self.scroll_to_region(Region(int(self.scroll_x) + fixed.left, top.y, top.width - fixed.left, top.height),
                                  animate=animate, spacing=fixed, force=True)
        super()._scroll_cursor_into_view(animate)

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
