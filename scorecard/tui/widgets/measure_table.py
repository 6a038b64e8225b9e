"""The scorecard table: one row per measure under a row per section, the measure column fixed.

The columns are fitted to the terminal's width by priority (`table_model.fit`): the band and the
figures (value, target, floor, previous value and band) stay on screen; the measure column takes what
they leave (20 to 72 characters); the id column, then the value's unit give way on narrow terminals;
the change, the sparkline and the comparators follow on the right, reached with →, while the measure
and its band stay put.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widget import Widget
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
        self._placed_unlaid = False  # built before the layout gave the table a size: the cursor is placed again then
        self._shape: tuple[list[tuple[str, str, int, bool]], list[str]] | None = None  # what the table holds
        self._cells: dict[str, list[Text]] = {}  # row key -> its cells, as shown
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
        """Fill the table. When the columns (keys, labels, widths) and the rows (keys, in order) are
        those already shown, as on a period switch, the cells are replaced in place: the table keeps
        its layout, cursor and scroll, and only its cells are drawn again."""
        current = self.cursor_key()
        scroll_y = self.scroll_y
        # not size: that changes as the scrollbar comes and goes. Filled while still hidden behind its
        # loading indicator (the first screen), the table has not been laid out: it will take its parent's
        # width (it has no width of its own), so it is fitted to that rather than fitted to a guess and
        # built again when the layout gives it its width (on the demo, a second full build before the first
        # paint); a width that turns out otherwise is rebuilt on resize as before.
        width_built = self.outer_size.width or self._laid_out_width()
        if not self.cols:
            self.clear(columns=True)
            self._shape = None
            self._width_built = width_built
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
        fitted = fit(widths, max([len(labels["value"]), *bare]), (width_built or 140) - 2)
        widths["measure"] = fitted.title
        shown = [i for i, c in enumerate(self.cols) if c.key != "id" or fitted.show_id]
        if not fitted.units:
            widths["value"] = max([len(labels["value"]), *bare])
        blank = [Cell("")] * (len(shown) - 2)
        filled: list[tuple[str, list[Text]]] = []
        section_rows = set()
        for section, items in self.sections:
            section_rows.add(len(filled))
            heading = Cell(section, style="bold underline")  # over the titles (cells cannot span columns)
            filled.append((SECTION_PREFIX + section, [*([Cell(""), heading] if fitted.show_id else [heading, Cell("")]),
                                                      *blank]))
            for r in items:
                row = table[r.id].copy()
                row[self._index("measure")] = title_cell(r, fitted.title)
                if not fitted.units:
                    row[self._index("value")] = cells(r, [VALUE], 0, units=False)[0]
                filled.append((r.id, [pad(row[i], widths[self.cols[i].key], self.cols[i].right) for i in shown]))
        shape = ([(self.cols[i].key, labels[self.cols[i].key], widths[self.cols[i].key], self.cols[i].right)
                  for i in shown], [key for key, _ in filled])
        self.fitted = fitted
        self._width_built = width_built
        if shape == self._shape:
            keys = [self.cols[i].key for i in shown]
            with self.app.batch_update():  # one repaint for all the cells changed
                for row_key, row_cells in filled:
                    before = self._cells[row_key]
                    for column_key, cell, old in zip(keys, row_cells, before, strict=True):
                        if not same_cell(cell, old):  # the unchanged cells are left as they are
                            self.update_cell(row_key, column_key, Cell.of(cell))
            self._cells = dict(filled)
            return
        self._shape = shape
        self._cells = dict(filled)
        self.clear(columns=True)
        self.fixed_columns = 3 if fitted.show_id else 2  # the id, the measure and its band stay put
        for key, label, width, right in shape[0]:
            self.add_column(Cell.of(pad(Text(label, style="bold"), width, right)), key=key, width=width)
        self.section_rows = section_rows
        for row_key, row_cells in filled:
            self.add_row(*map(Cell.of, row_cells), key=row_key)
        keys = self._keys()
        if current in keys:
            self.move_cursor(row=keys.index(current), animate=False)
            self.scroll_y = scroll_y
        elif len(keys) > 1:
            self.move_cursor(row=1, animate=False)  # the first measure, under its section
            self.scroll_y = 0  # and the section's heading above it
        # the cursor scrolled into a view of no size: once the table has one, it is brought into view again
        self._placed_unlaid = self.outer_size.width == 0

    def _laid_out_width(self) -> int:
        """The width the layout will give the table before it has given it one: its parent's content width
        (0 when unknown)."""
        parent = self.parent
        return parent.size.width if isinstance(parent, Widget) else 0

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

    def around(self, measure_id: str) -> list[str]:
        """The measure and the measures shown just below and above it: where the cursor goes next."""
        ids = self.measure_ids()
        if measure_id not in ids:
            return [measure_id]
        i = ids.index(measure_id)
        return [measure_id, *ids[i + 1:i + 2], *ids[max(i - 1, 0):i]]

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
        elif self._placed_unlaid and self.outer_size.width:
            self._placed_unlaid = False
            self.scroll_y = 0
            self._scroll_cursor_into_view()


def same_cell(a: Text, b: Text) -> bool:
    """Whether two cells draw the same (`Text ==` compares only the text and its spans)."""
    return (a.plain == b.plain and a.spans == b.spans and a.style == b.style and a.justify == b.justify
            and a.no_wrap == b.no_wrap and a.overflow == b.overflow and a.end == b.end)


def pad(text: Text, width: int, right: bool) -> Text:
    """Right-align a cell by padding it (the table itself aligns every cell left)."""
    if right and text.cell_len < width:
        text = text.copy()
        text.pad_left(width - text.cell_len)
    return text


class Cell(Text):
    """A table cell: a `Text` that draws a single line which fits its width straight from its spans.

    `Text` draws itself by wrapping, justifying and re-joining its lines, which for a one-line cell no
    wider than its column changes nothing: about a quarter of the time Textual's `DataTable` takes to
    draw a cell, and a period switch draws every visible cell again. Anything else (several lines, tabs,
    a justification, wider than the space given) is drawn as `Text` draws it."""

    @classmethod
    def of(cls, text: Text) -> Cell:
        cell = cls(text.plain, style=text.style, justify=text.justify, overflow=text.overflow,
                   no_wrap=text.no_wrap, end=text.end, tab_size=text.tab_size)
        cell.spans = text.spans
        return cell

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterable[Segment]:
        plain = self.plain
        if (plain and self.justify in (None, "default") and options.justify in (None, "default")
                and "\n" not in plain and "\t" not in plain and self.cell_len <= options.max_width):
            # `render` leaves the text's own style to its caller (`Text` makes it a span over the whole)
            segments = self.render(console)
            yield from Segment.apply_style(segments, console.get_style(self.style)) if self.style else segments
            if self.end:
                yield Segment(self.end)
        else:
            yield from super().__rich_console__(console, options)
