"""The scorecard table as data: its columns, how each sorts, and which rows a filter keeps.

Pure functions over the engine's `MeasureRating`s, so the screen only draws and the tests can check
sorting and filtering without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from ..engine.results import MeasureRating
from ..present import BAND_RANK, figure, sparkline
from .service import ScorecardView
from .text import band_text, change_text, ellipsis

BAND_CELLS = 7  # ` Amber `, `No data`: the widest band a previous period can have
CHANGE_RANK = {"declined": 0, "unchanged": 1, "improved": 2, None: 3}


@dataclass(frozen=True)
class Row:
    rating: MeasureRating
    spark: list[float | None]
    commentary: bool

    @property
    def id(self) -> str:
        return self.rating.id


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: Callable[[Row], Any]  # None sorts last whichever the direction
    right: bool = False


def _value(row: Row) -> float | None:
    return row.rating.value


def _trend_rank(row: Row) -> float | None:
    """Sorts the 12-month column by how far the last value is from the first."""
    present = [v for v in row.spark if v is not None]
    return present[-1] - present[0] if len(present) >= 2 else None


def columns(comparator_names: Iterable[str]) -> list[Column]:
    cols = [
        Column("id", "Id", lambda r: r.rating.id.lower()),
        Column("measure", "Measure", lambda r: r.rating.title.lower()),
        Column("band", "Band", lambda r: BAND_RANK[r.rating.rag] if r.rating.rated else BAND_RANK[None]),
        Column("value", "Value", _value, right=True),
        Column("target", "Target", lambda r: r.rating.target, right=True),
        Column("floor", "Floor", lambda r: r.rating.floor, right=True),
        Column("previous", "Previous", lambda r: r.rating.previous.value if r.rating.previous else None, right=True),
        Column("change", "Change", lambda r: CHANGE_RANK[r.rating.change]),
        Column("trend", "12 months", _trend_rank),
    ]
    for name in comparator_names:
        cols.append(Column(f"cmp:{name}", _short(name), (lambda n: lambda r: r.rating.comparators.get(n))(name),
                           right=True))
    return cols


def _short(name: str) -> str:
    return {"Statistical neighbours": "SN"}.get(name, name)  # the papers' "SN rates"


def rows_of(view: ScorecardView) -> list[Row]:
    return [Row(m, view.sparks.get(m.id, []), m.id in view.commentary) for m in view.rating.measures]


def matches(row: Row, text: str) -> bool:
    if not text:
        return True
    needle = text.lower()
    m = row.rating
    return any(needle in (s or "").lower() for s in (m.id, m.title, m.section, m.owner))


def keep(row: Row, text: str, only_red: bool, only_changed: bool) -> bool:
    m = row.rating
    if only_red and m.rag != "red":
        return False
    if only_changed and m.change not in ("improved", "declined"):
        return False
    return matches(row, text)


def sort_rows(rows: list[Row], column: Column | None, reverse: bool) -> list[Row]:
    """Rows ordered by a column (stable; the config order breaks ties); rows without a value go last."""
    if column is None:
        return list(rows)
    present = [r for r in rows if column.sort(r) is not None]
    absent = [r for r in rows if column.sort(r) is None]
    return sorted(present, key=column.sort, reverse=reverse) + absent


def grouped(rows: list[Row], text: str = "", only_red: bool = False, only_changed: bool = False,
            column: Column | None = None, reverse: bool = False) -> list[tuple[str, list[Row]]]:
    """The rows kept by the filters, by section (sections in config order), each section sorted."""
    sections: dict[str, list[Row]] = {}
    for r in rows:
        if keep(r, text, only_red, only_changed):
            sections.setdefault(r.rating.section, []).append(r)
    return [(name, sort_rows(items, column, reverse)) for name, items in sections.items()]


def previous_text(m: MeasureRating) -> Text:
    """The previous period's value and band, `10.0  Amber`: right-aligned in its column with the band
    in a part of its own (blank for an unrated measure), so the numbers line up and so do the bands."""
    prev = m.previous
    if prev is None:
        return Text("-", style="dim")
    out = Text(figure(prev.value, m.decimals, m.unit, with_unit=False) + "  ")
    band = band_text(prev.rag) if m.rated else Text("")
    band.pad_right(BAND_CELLS - band.cell_len)
    out.append_text(band)
    return out


def title_cell(row: Row, width: int) -> Text:
    if row.commentary:  # marked at the end, so rows without commentary lose no width
        return Text(ellipsis(row.rating.title, width - 2) + " ✎")
    return Text(ellipsis(row.rating.title, width))


def cells(row: Row, cols: list[Column], title_width: int, units: bool = True) -> list[Text]:
    """The row's cells for `cols`; `units`: the value with its unit (`12.5 per 10,000`), else bare."""
    m = row.rating
    out: list[Text] = []
    for col in cols:
        key = col.key
        if key == "id":
            out.append(Text(m.id))
        elif key == "measure":
            out.append(title_cell(row, title_width))
        elif key == "band":
            out.append(band_text(m.rag, m.rated))
        elif key == "value":
            value = Text(figure(m.value, m.decimals, m.unit, with_unit=units))
            if m.restated:  # SPEC section 7: the data no longer gives the published figure
                value.append(" *", style="bold")
            out.append(value)
        elif key == "target":
            out.append(Text(figure(m.target, m.decimals, m.unit, with_unit=False)))
        elif key == "floor":
            out.append(Text(figure(m.floor, m.decimals, m.unit, with_unit=False)))
        elif key == "previous":
            out.append(previous_text(m))
        elif key == "change":
            out.append(change_text(m.change))
        elif key == "trend":
            out.append(Text(sparkline(row.spark, target=m.target, floor=m.floor, decimals=m.decimals)))
        elif key.startswith("cmp:"):
            out.append(Text(figure(m.comparators.get(key[4:]), m.decimals, m.unit, with_unit=False)))
    return out


# -- fitting the table to the terminal's width ------------------------------------------------------
ESSENTIAL = ("band", "value", "target", "floor", "previous")  # always on screen when the width allows
MIN_TITLE, MAX_TITLE = 20, 72


@dataclass(frozen=True)
class Layout:
    """What the scorecard table shows at a width: the id column or not, the value's unit or not, and
    the measure column's width. Columns after the essential ones that do not fit are reached with →."""

    show_id: bool
    units: bool
    title: int


def fit(widths: dict[str, int], bare_value: int, available: int) -> Layout:
    """The first of these that leaves the measure column at least MIN_TITLE with every essential
    column on screen: the id and the units; no id; no id and the value bare (its unit goes to the
    line under the table). `widths`: every column's widest cell (each is padded one space a side)."""
    others = [k for k in widths if k not in ("id", "measure")]
    for show_id, units in ((True, True), (False, True), (False, False)):
        w = dict(widths, value=widths["value"] if units else bare_value)
        fixed = 2 + (w["id"] + 2 if show_id else 0)  # the measure column's own padding, the id column
        room_all = available - fixed - sum(w[k] + 2 for k in others)
        room_essential = available - fixed - sum(w[k] + 2 for k in ESSENTIAL if k in w)
        if room_essential >= MIN_TITLE:
            # everything fits: the measure column takes what is left; else what the essentials leave
            return Layout(show_id, units, min(MAX_TITLE, room_all if room_all >= MIN_TITLE else room_essential))
    return Layout(False, False, MIN_TITLE)
