"""The periods a measure is computed for, and the windows placing a dataset's rows in them.

Every row is given the range of period indices `[lo, hi]` whose window holds it: an event sits in
its own month (month), up to the end of its financial year (ytd) or the 11 months after
(rolling12); a spell in every period it is open in (found with the snapshot dates, never by
crossing spells with periods). `measures.py` turns those ranges into values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import polars as pl

from .calendar import Calendar, month_end, period_of
from .config_model import Dataset, Measure
from .config_sql import PERIOD_END_COL, SNAPSHOT_COL, parse_sql, sql_columns
from .datasets import LoadedDataset
from .intervals import DayTable

P = "__p"  # period index on the grid
LO, HI = "__lo", "__hi"
NUM_LO, NUM_HI = "__num_lo", "__num_hi"  # the numerator's periods when a predicate narrows them
BIG = 10**7



@dataclass(frozen=True)
class PeriodGrid:
    """The periods the engine computes: absolute months `first .. first + count - 1`."""

    first: int
    count: int
    calendar: Calendar
    snapshots: list[dt.date] = field(default_factory=list)

    @staticmethod
    def build(first: int, last: int, calendar: Calendar) -> PeriodGrid:
        months = range(first - 1, last + 2)  # one either side, for clipped spell ends
        return PeriodGrid(first, last - first + 1, calendar, [calendar.snapshot_date(m) for m in months])

    @property
    def last(self) -> int:
        return self.first + self.count - 1

    @cached_property
    def periods(self) -> list[str]:
        return [period_of(self.first + i) for i in range(self.count)]

    def index(self, month: int) -> int:
        return month - self.first

    def frame(self) -> pl.DataFrame:
        """One row per period: index, snapshot date, period end."""
        return pl.DataFrame(
            {
                P: list(range(self.count)),
                SNAPSHOT_COL: self.snapshots[1:-1],
                PERIOD_END_COL: [month_end(self.first + i) for i in range(self.count)],
            },
            schema={P: pl.Int64, SNAPSHOT_COL: pl.Date, PERIOD_END_COL: pl.Date},
        )

    @cached_property
    def snapshot_lookup(self) -> DayTable:
        """Day -> index of the first period whose snapshot date is on or after it."""
        return DayTable.first_snapshot_on_or_after(self.snapshots)

    @cached_property
    def month_lookup(self) -> DayTable:
        """Day -> its month's period index (outside the grid +13/-2 months: see DayTable)."""
        return DayTable.month_index(self.first, self.count)

    def months_to_year_end(self, month: pl.Expr) -> pl.Expr:
        fsm = self.calendar.financial_year_start_month
        return 11 - ((month % 12 + 13 - fsm) % 12)


# --------------------------------------------------------------------------------------
# Windows
# --------------------------------------------------------------------------------------
def own_period(ds: Dataset, grid: PeriodGrid) -> pl.Expr | None:
    """The period index of the month each row of an event or snapshot dataset belongs to (its date's, its
    period's), from which every window's periods follow (`index_bounds`); None for a spell dataset."""
    if ds.kind == "event":
        assert ds.date
        return grid.month_lookup.at(pl.col(ds.date))
    if ds.kind == "snapshot":
        assert ds.period
        text = pl.col(ds.period)
        return text.str.slice(0, 4).cast(pl.Int32) * 12 + text.str.slice(5, 2).cast(pl.Int32) - 1 - grid.first
    return None


def index_bounds(index: pl.Expr, window: str, grid: PeriodGrid) -> tuple[pl.Expr, pl.Expr]:
    """`lo` and `hi` of the rows whose own period index is `index` (`own_period`)."""
    return _extend(index, index + grid.first, window, grid)


def window_bounds(ds: Dataset, window: str, grid: PeriodGrid) -> tuple[pl.Expr, pl.Expr]:
    """`lo` and `hi`: the first and last period index whose window holds each row."""
    index = own_period(ds, grid)
    if index is not None:
        return index_bounds(index, window, grid)
    assert ds.start and ds.end
    start, end = pl.col(ds.start), pl.col(ds.end)
    if window == "snapshot":
        # open on the snapshot date S: start <= S and (end empty or end > S)
        lookup = grid.snapshot_lookup
        lo = lookup.at(start)
        hi = lookup.at(end) - 1
        return lo, pl.when(end.is_null()).then(BIG).otherwise(hi)
    # open on some day of [window start, period end]: the spell's last open day is end - 1;
    # a spell ending on the day it starts is open on no day (SPEC section 1)
    last = grid.month_lookup.at(end - pl.duration(days=1))
    _, hi = _extend(last, last + grid.first, window, grid)
    return grid.month_lookup.at(start), pl.when(end.is_null()).then(BIG).when(end <= start).then(-1).otherwise(hi)


def _extend(index: pl.Expr, month: pl.Expr, window: str, grid: PeriodGrid) -> tuple[pl.Expr, pl.Expr]:
    if window in ("month", "snapshot"):
        return index, index
    if window == "ytd":
        return index, index + grid.months_to_year_end(month)
    return index, index + 11  # rolling12


# --------------------------------------------------------------------------------------
# One measure, every period
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Query:
    """A measure over its dataset, optionally split into groups and narrowed by a condition."""

    measure: Measure
    groups: tuple[str, ...] = ()
    condition: str | None = None  # a cohort's SQL
    negate: bool = False  # rows outside the condition


def condition_expr(sql: str | None) -> pl.Expr:
    return pl.lit(True) if sql is None else parse_sql(sql).fill_null(False)


def columns_used(q: Query) -> set[str]:
    m = q.measure
    used: set[str] = set(q.groups)
    for text in (m.where, m.numerator, q.condition):
        used |= sql_columns(text) if text else set()
    if m.value:
        used |= {m.value} if m.calc == "value" else sql_columns(m.value)
    if m.distinct:
        used.add(m.distinct)
    return used



def period_columns_needed(ds: Dataset, needed: set[str]) -> set[str]:
    """Period-dependent derived columns the query reads, with those they are built from."""
    wanted = needed & ds.period_dependent
    for d in reversed(ds.period_derives):
        if d.name in wanted:
            wanted |= set(d.inputs) & ds.period_dependent
    return wanted




def clipped(lo: pl.Expr, hi: pl.Expr, grid: PeriodGrid) -> tuple[pl.Expr, pl.Expr]:
    """`lo` and `hi` within the grid (`lo > hi`: in no period's window)."""
    return lo.clip(0, BIG), hi.clip(-1, grid.count - 1)


def windowed(data: LoadedDataset, window: str, grid: PeriodGrid, at: int | None = None) -> pl.LazyFrame:
    """The dataset's rows in some period's window, with the range of periods `[LO, HI]` holding each."""
    lo, hi = clipped(*window_bounds(data.config, window, grid), grid)
    frame = data.frame.lazy().with_columns(lo.alias(LO), hi.alias(HI))
    if at is None:
        return frame.filter(pl.col(LO) <= pl.col(HI))
    return frame.filter((pl.col(LO) <= at) & (pl.col(HI) >= at)).with_columns(
        pl.lit(at, pl.Int32).alias(LO), pl.lit(at, pl.Int32).alias(HI)
    )
