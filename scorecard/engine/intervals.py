"""Period-dependent predicates that hold on one stretch of periods (DESIGN.md, bench/README.md item 1).

A derived column such as `age = years(dob, @snapshot)` or `waited = days(referred, @snapshot)` never
decreases from one period to the next, so `age < 16` holds up to some period and never after, and
`age >= 5` from some period on. A row open in periods `[lo, hi]` that must also satisfy such a
predicate is therefore open in a narrower `[lo', hi']`: the predicate clips the row's range at the
period where the column first reaches the threshold (the 16th birthday is one more `end`). The
engine's difference arrays then count it like any other row, with no split at every birthday and no
expansion to every period.

This module recognises those predicates in a measure's SQL (`column op integer`, joined to static
predicates by a top-level `AND`) and gives, per row, the first period index at which the column
reaches a threshold. Anything else (`OR`, `<>`, `CASE`, a column built from another period-dependent
column) is not recognised and the engine takes its general path.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

from .calendar import month_expr
from .config_model import Dataset, Derive
from .config_sql import sql_columns

# Integer thresholds beyond these are clipped: no period index is ever that far away.
NEVER = 10**7
EPOCH = dt.date(1970, 1, 1)
_DAY_TABLE_MAX = 200_000  # days (550 years); a source column spanning more is computed row by row

_COMPARISON = re.compile(
    r"""^\s*(?P<left>"?[A-Za-z_][A-Za-z0-9_]*"?|-?\d+)\s*(?P<op><=|>=|<|>|=)\s*(?P<right>"?[A-Za-z_][A-Za-z0-9_]*"?|-?\d+)\s*$"""
)
_FLIPPED = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "="}
MONOTONE_KINDS = ("years", "days")
PERIOD_PARAMETERS = ("@snapshot", "@period_end")


# --------------------------------------------------------------------------------------
# Snapshot dates by day number
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DayTable:
    """A whole number per day over a stretch of days, looked up by day number: a gather instead of
    date arithmetic on every row. Days outside the stretch take its first or last value; each
    table below is built wide enough for that to be the value they would have."""

    first_day: int  # days since 1970-01-01 of the table's first day
    values: pl.Series  # Int32, one per day from first_day
    # tables worked out from this one (`first_period_reaching`), kept with it: the measures and drill-downs
    # over one grid ask for the same thresholds again and again
    derived: dict[tuple[object, ...], DayTable] = field(default_factory=dict, compare=False, repr=False)

    def at(self, date: pl.Expr) -> pl.Expr:
        """The table's value on `date` (null stays null)."""
        offset = date.cast(pl.Int32) - self.first_day
        return pl.lit(self.values).gather(offset.clip(0, self.values.len() - 1))

    @staticmethod
    def _over(first: dt.date, values: pl.Series) -> DayTable:
        return DayTable((first - EPOCH).days, values.cast(pl.Int32))

    @staticmethod
    def first_snapshot_on_or_after(snapshots: list[dt.date]) -> DayTable:
        """Per day: the index of the first period whose snapshot date is on or after it.

        `snapshots[k]` is the snapshot date of period index `k - 1` (the grid keeps one month
        either side), so values run from -1 (on or before the first snapshot) to
        `len(snapshots) - 1` (after the last one), the values of every day beyond the table."""
        first, last = snapshots[0] - dt.timedelta(days=1), snapshots[-1] + dt.timedelta(days=1)
        days = pl.date_range(first, last, eager=True)
        found = pl.Series(snapshots, dtype=pl.Date).search_sorted(days, side="left").cast(pl.Int32)
        return DayTable._over(first, found - 1)

    @staticmethod
    def month_index(first_month: int, count: int) -> DayTable:
        """Per day: its month minus `first_month`, from 13 months before the grid to 2 after it.
        A day before the table is given -13: any window of 12 months from it ends before the grid,
        as it does from any earlier month; a day after it is given `count + 1`, after the grid."""
        first = dt.date((first_month - 13) // 12, (first_month - 13) % 12 + 1, 1)
        end_month = first_month + count + 2
        last = dt.date(end_month // 12, end_month % 12 + 1, 1) - dt.timedelta(days=1)
        days = pl.date_range(first, last, eager=True)
        months = days.dt.year().cast(pl.Int32) * 12 + days.dt.month().cast(pl.Int32) - 1
        return DayTable._over(first, months - first_month)


# --------------------------------------------------------------------------------------
# Predicates in a measure's SQL
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Threshold:
    """`column >= at_least` and/or `column < below`, for a column that never decreases over periods."""

    derive: Derive
    at_least: int | None = None
    below: int | None = None


@dataclass(frozen=True)
class SplitPredicate:
    """A predicate as static SQL (or None: always true) and thresholds on period-dependent columns."""

    static: str | None
    thresholds: tuple[Threshold, ...] = ()


def top_level_conjuncts(sql: str) -> list[str] | None:
    """The parts of `sql` joined by a top-level AND, or None when that is not safe to say
    (unbalanced quotes or parentheses, a BETWEEN whose AND is not a conjunction)."""
    parts: list[str] = []
    depth, start, i, quote = 0, 0, 0, ""
    while i < len(sql):
        ch = sql[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and _word_at(sql, i, "AND"):
            parts.append(sql[start:i])
            start = i + 3
            i += 3
            continue
        elif _word_at(sql, i, "BETWEEN"):
            return None
        i += 1
    if quote or depth:
        return None
    parts.append(sql[start:])
    return [p.strip() for p in parts]


def _word_at(text: str, i: int, word: str) -> bool:
    end = i + len(word)
    if text[i:end].upper() != word:
        return False
    before = text[i - 1] if i > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_")


def monotone_derive(ds: Dataset, column: str) -> Derive | None:
    """The derive behind `column` when it is `years` or `days` from a static date column to a
    period's snapshot date or end: a whole number that never decreases from period to period."""
    for d in ds.period_derives:
        if d.name != column:
            continue
        if d.kind not in MONOTONE_KINDS or len(d.args) != 2:
            return None
        source, to = d.args
        if not isinstance(source, str) or source.startswith("@") or source in ds.period_dependent:
            return None
        return d if to in PERIOD_PARAMETERS else None
    return None


def _threshold(conjunct: str, ds: Dataset) -> Threshold | None:
    match = _COMPARISON.match(conjunct)
    if match is None:
        return None
    left, op, right = match["left"].strip('"'), match["op"], match["right"].strip('"')
    if _is_integer(left) and not _is_integer(right):
        left, op, right = right, _FLIPPED[op], left
    if _is_integer(left) or not _is_integer(right):
        return None
    derive = monotone_derive(ds, left)
    if derive is None:
        return None
    n = int(right)
    bounds = {"<": (None, n), "<=": (None, n + 1), ">": (n + 1, None), ">=": (n, None), "=": (n, n + 1)}[op]
    return Threshold(derive, *bounds)


def _is_integer(text: str) -> bool:
    return re.fullmatch(r"-?\d+", text) is not None


def split_predicate(sql: str | None, ds: Dataset) -> SplitPredicate | None:
    """`sql` as static SQL and thresholds, or None when a period-dependent part is not a threshold."""
    if sql is None:
        return SplitPredicate(None)
    if not sql_columns(sql) & ds.period_dependent:
        return SplitPredicate(sql)
    parts = top_level_conjuncts(sql)
    if parts is None or not all(parts):
        return None
    static: list[str] = []
    thresholds: list[Threshold] = []
    for part in parts:
        if not sql_columns(part) & ds.period_dependent:
            static.append(part)
            continue
        found = _threshold(part, ds)
        if found is None:
            return None
        thresholds.append(found)
    text = " AND ".join(f"({p})" for p in static) if static else None
    return SplitPredicate(text, tuple(thresholds))


# --------------------------------------------------------------------------------------
# Where a threshold is reached
# --------------------------------------------------------------------------------------
def reached_on(derive: Derive, n: int, source: pl.Expr | None = None) -> pl.Expr:
    """The first date on which `derive`'s value is at least `n` (null when its input is empty), from
    `source` (default: the derive's own column).

    `years`: the n-th anniversary; a 29 February date counts from 1 March in other years, as
    `derives.derive_expr` computes ages. `days`: the date n days on."""
    if source is None:
        source = pl.col(str(derive.args[0]))
    if derive.kind == "days":
        return source + pl.duration(days=n)
    year = source.dt.year().cast(pl.Int32) + n
    month, day = source.dt.month().cast(pl.Int8), source.dt.day().cast(pl.Int8)
    leap_year = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    moved = (month == 2) & (day == 29) & ~leap_year  # to 1 March
    return pl.date(year, pl.when(moved).then(3).otherwise(month), pl.when(moved).then(1).otherwise(day))


def _period_reaching(derive: Derive, n: int, lookup: DayTable, first_month: int, source: pl.Expr | None) -> pl.Expr:
    date = reached_on(derive, n, source)
    if derive.args[1] == "@snapshot":
        return lookup.at(date)
    return month_expr(date) - first_month  # a period end is on or after a date in its own month


def first_period_reaching(derive: Derive, n: int, lookup: DayTable, first_month: int,
                          days: tuple[int, int] | None = None) -> pl.Expr:
    """Index of the first period in which `derive`'s value is at least `n` (null: never).

    `days`, when given, are the first and last day number (days since 1970-01-01) the derive's source
    column holds: the index is then worked out once per day of that stretch and looked up per row (one
    gather, not date arithmetic on every row: a `years` anniversary builds a date from its parts)."""
    if days is None or days[1] - days[0] > _DAY_TABLE_MAX:
        return _period_reaching(derive, n, lookup, first_month, None)
    key = (derive.kind, tuple(derive.args), n, first_month, days)
    table = lookup.derived.get(key)
    if table is None:
        first, last = days
        day = pl.Series("d", range(first, last + 1), dtype=pl.Int32).cast(pl.Date)
        per_day = pl.DataFrame(day).select(_period_reaching(derive, n, lookup, first_month, pl.col("d")).cast(pl.Int32))
        table = lookup.derived[key] = DayTable(first, per_day.to_series())
    return table.at(pl.col(str(derive.args[0])))


def source_days(frame: pl.DataFrame, thresholds: tuple[Threshold, ...]) -> dict[str, tuple[int, int] | None]:
    """Per threshold's source column: its first and last day number in `frame` (None: no dates)."""
    names = sorted({str(t.derive.args[0]) for t in thresholds} & set(frame.columns))
    if not names:
        return {}
    ends = frame.select(*[pl.col(c).cast(pl.Date).to_physical().min().alias(f"lo{i}") for i, c in enumerate(names)],
                        *[pl.col(c).cast(pl.Date).to_physical().max().alias(f"hi{i}") for i, c in enumerate(names)]).row(0)
    out: dict[str, tuple[int, int] | None] = {}
    for i, c in enumerate(names):
        lo, hi = ends[i], ends[len(names) + i]
        out[c] = None if lo is None or hi is None else (int(lo), int(hi))
    return out


def clipped_range(lo: pl.Expr, hi: pl.Expr, thresholds: tuple[Threshold, ...], lookup: DayTable,
                  first_month: int, days: dict[str, tuple[int, int] | None] | None = None) -> tuple[pl.Expr, pl.Expr]:
    """`[lo, hi]` narrowed to the periods where every threshold holds (lo > hi: none). `days`: each
    source column's first and last day (`source_days`), for a per-day lookup instead of date arithmetic."""
    days = days or {}
    for t in thresholds:
        span = days.get(str(t.derive.args[0]))
        if t.at_least is not None:
            start = first_period_reaching(t.derive, t.at_least, lookup, first_month, span)
            lo = pl.max_horizontal(lo, start.fill_null(NEVER))
        if t.below is not None:
            stop = first_period_reaching(t.derive, t.below, lookup, first_month, span)
            hi = pl.min_horizontal(hi, (stop - 1).fill_null(-NEVER))
    return lo, hi
