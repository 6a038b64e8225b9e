"""Computing a measure for every period at once (SPEC sections 1 and 2, DESIGN.md).

Every row is given the range of period indices `[lo, hi]` whose window holds it: an event sits in
its own month (month), up to the end of its financial year (ytd) or the 11 months after
(rolling12); a spell in every period it is open in (found with the snapshot dates, never by
crossing spells with periods). Then:

* additive calcs over columns that do not depend on the period are counted with difference
  arrays: +1 at `lo`, -1 after `hi`, a cumulative sum over periods;
* everything else (median, distinct, and columns such as age at the snapshot date) expands each
  row to the periods in its range only, computes the period's columns there, and groups.

Either way it is one polars plan per measure (and per breakdown), never a loop over periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from .calendar import Calendar, month_end, month_expr, period_of
from .config import PERIOD_END_COL, SNAPSHOT_COL, Dataset, Measure, parse_sql, sql_columns
from .datasets import LoadedDataset, derive_expr, holidays_around

P = "__p"  # period index on the grid
LO, HI = "__lo", "__hi"
BIG = 10**7
AGG_COLUMNS = ("rows", "num", "vsum", "vcnt", "med", "vval", "vnum", "vden")


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

    @property
    def periods(self) -> list[str]:
        return [period_of(self.first + i) for i in range(self.count)]

    def index(self, month: int) -> int:
        return month - self.first

    def snapshot(self, month: int) -> dt.date:
        return self.snapshots[month - self.first + 1]

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

    def snapshot_day(self, index: pl.Expr) -> pl.Expr:
        """Day of the month of the snapshot date of period `index` (clipped to the grid +-1)."""
        old = list(range(-1, self.count + 1))
        new = [d.day for d in self.snapshots]
        return index.clip(-1, self.count).replace_strict(old, new, return_dtype=pl.Int32)

    def months_to_year_end(self, month: pl.Expr) -> pl.Expr:
        fsm = self.calendar.financial_year_start_month
        return 11 - ((month % 12 + 13 - fsm) % 12)


# --------------------------------------------------------------------------------------
# Windows
# --------------------------------------------------------------------------------------
def window_bounds(ds: Dataset, window: str, grid: PeriodGrid) -> tuple[pl.Expr, pl.Expr]:
    """`lo` and `hi`: the first and last period index whose window holds each row."""
    if ds.kind == "event":
        assert ds.date
        month = month_expr(pl.col(ds.date))
        return _extend(month - grid.first, month, window, grid)
    if ds.kind == "snapshot":
        assert ds.period
        text = pl.col(ds.period)
        month = text.str.slice(0, 4).cast(pl.Int32) * 12 + text.str.slice(5, 2).cast(pl.Int32) - 1
        return _extend(month - grid.first, month, window, grid)
    assert ds.start and ds.end
    start, end = pl.col(ds.start), pl.col(ds.end)
    s = month_expr(start) - grid.first
    if window == "snapshot":
        # open on the snapshot date S: start <= S and (end empty or end > S)
        lo = s + (start.dt.day().cast(pl.Int32) > grid.snapshot_day(s)).cast(pl.Int32)
        j = month_expr(end) - grid.first
        hi = j - (end.dt.day().cast(pl.Int32) <= grid.snapshot_day(j)).cast(pl.Int32)
        return lo, pl.when(end.is_null()).then(BIG).otherwise(hi)
    # open on some day of [window start, period end]: the spell's last open day is end - 1
    last_day = end - pl.duration(days=1)
    last_month = month_expr(last_day)
    _, hi = _extend(last_month - grid.first, last_month, window, grid)
    return s, pl.when(end.is_null()).then(BIG).otherwise(hi)


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


def _predicate(sql: str | None) -> pl.Expr:
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


def needs_expansion(q: Query, ds: Dataset, value_dtype: pl.DataType | None) -> bool:
    """True when rows must be expanded to periods; False when difference arrays will do."""
    m = q.measure
    if m.calc in ("median", "value") or m.distinct:
        return True
    if columns_used(q) & ds.period_dependent:
        return True
    return m.calc in ("mean", "sum") and value_dtype is not None and value_dtype.is_float()


def birthday_columns(q: Query, ds: Dataset) -> list[str] | None:
    """The date columns whose anniversaries are the only points where the query's period-dependent
    columns can change, or None when another kind of period-dependent column is involved.

    `years = [dob, @snapshot]` (age) changes once a year, in the birthday's month or the next
    (the snapshot date may fall before the birthday in its month); SQL over such columns changes
    no more often. Between those points a row's period columns are constant, so a row need only be
    split there, not expanded to every period.
    """
    m = q.measure
    if m.calc in ("median", "value") or m.distinct:
        return None
    involved = _period_columns_needed(ds, columns_used(q))
    columns: list[str] = []
    for d in ds.period_derives:
        if d.name not in involved:
            continue
        if d.kind == "sql":
            continue
        if d.kind != "years":
            return None
        static = [a for a in d.args if isinstance(a, str) and not a.startswith("@")]
        params = [a for a in d.args if isinstance(a, str) and a.startswith("@")]
        if len(static) != 1 or len(params) != 1 or static[0] in ds.period_dependent:
            return None
        columns.append(static[0])
    return columns or None


def aggregate(q: Query, data: LoadedDataset, grid: PeriodGrid, at: int | None = None) -> pl.LazyFrame:
    """Per period index (and group): the raw aggregates a calc turns into a value.

    With `at` (a period index) only the rows in that period's window are kept: a drill-down
    into one period does not pay for all of them.
    """
    ds, m = data.config, q.measure
    lo, hi = window_bounds(ds, m.window, grid)
    frame = data.frame.lazy().with_columns(lo.clip(0, BIG).alias(LO), hi.clip(-1, grid.count - 1).alias(HI))
    if at is None:
        frame = frame.filter(pl.col(LO) <= pl.col(HI))
    else:
        frame = frame.filter((pl.col(LO) <= at) & (pl.col(HI) >= at)).with_columns(
            pl.lit(at, pl.Int32).alias(LO), pl.lit(at, pl.Int32).alias(HI)
        )
    value_dtype = ds.schema.get(m.value) if m.calc == "value" else None
    if m.value and m.calc in ("mean", "median", "sum"):
        value_dtype = pl.LazyFrame(schema=ds.schema).select(parse_sql(m.value).alias("v")).collect_schema()["v"]
    if not needs_expansion(q, ds, value_dtype):
        return _differenced(q, frame, grid)
    birthdays = birthday_columns(q, ds)
    if birthdays is not None and not (m.calc in ("mean", "sum") and value_dtype is not None and value_dtype.is_float()):
        return _differenced(q, _split_at_birthdays(q, data, frame, grid, birthdays), grid)
    return _expanded(q, data, frame, grid)


def _split_at_birthdays(
    q: Query, data: LoadedDataset, frame: pl.LazyFrame, grid: PeriodGrid, birthdays: list[str]
) -> pl.LazyFrame:
    """Each row's period range cut where an anniversary of a `birthdays` column can fall (its month
    and the next, every year), with the period-dependent columns computed once per piece."""
    ds = data.config
    needed = columns_used(q)
    period_cols = _period_columns_needed(ds, needed)
    inputs = {c for d in ds.period_derives if d.name in period_cols for c in d.inputs}
    keep = [c for c in data.frame.columns if c in (needed | inputs) and c not in ds.period_dependent]
    lo, hi = pl.col(LO).cast(pl.Int64), pl.col(HI).cast(pl.Int64)
    cuts: list[pl.Expr] = [lo]
    for column in birthdays:
        month = (pl.col(column).dt.month().cast(pl.Int64) - 1).fill_null(0)
        for offset in (0, 1):
            target = (month + offset) % 12
            first_after = lo + 1 + (target - (grid.first + lo + 1) % 12 + 12) % 12
            cuts.append(pl.int_ranges(first_after, hi + 1, step=12, dtype=pl.Int64))
    rows = frame.select([*keep, lo.alias(LO), hi.alias(HI)]).with_row_index("__piece_of")
    rows = rows.with_columns(pl.concat_list(cuts).list.unique().list.sort().alias(P)).explode(P)
    rows = rows.with_columns(
        (pl.col(P).shift(-1).over("__piece_of") - 1).fill_null(pl.col(HI)).alias(HI),
        pl.col(P).alias(LO),
    )
    rows = rows.join(grid.frame().lazy(), on=P, how="left")
    hol = holidays_around(grid.calendar, data.frame, (grid.first // 12, grid.last // 12))
    for d in ds.period_derives:
        if d.name in period_cols:
            rows = rows.with_columns(derive_expr(d, hol))
    return rows


def _flags(q: Query) -> dict[str, pl.Expr]:
    m = q.measure
    keep = _predicate(m.where)
    if q.condition is not None:
        inside = _predicate(q.condition)
        keep = keep & (~inside if q.negate else inside)
    flags = {"keep": keep, "num": keep & _predicate(m.numerator) if m.numerator else keep}
    if m.value and m.calc in ("mean", "median", "sum"):
        flags["value"] = pl.when(keep).then(parse_sql(m.value).cast(pl.Float64))
    return flags


def _differenced(q: Query, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    groups = list(q.groups)
    f = _flags(q)
    weights = [f["keep"].cast(pl.Int64).alias("rows"), f["num"].cast(pl.Int64).alias("num")]
    if "value" in f:
        weights += [f["value"].alias("vsum"), f["value"].is_not_null().cast(pl.Int64).alias("vcnt")]
    rows = frame.select(pl.col(LO), pl.col(HI), *[pl.col(g) for g in groups], *weights)
    names = [w.meta.output_name() for w in weights]
    starts = rows.group_by([pl.col(LO).alias(P), *groups]).agg(pl.col(n).sum() for n in names)
    ends = rows.group_by([(pl.col(HI) + 1).alias(P), *groups]).agg(-pl.col(n).sum() for n in names)
    steps = pl.concat([starts, ends]).group_by([P, *groups]).agg(pl.col(n).sum() for n in names)
    periods = pl.LazyFrame({P: list(range(grid.count))}, schema={P: pl.Int64})
    if groups:
        periods = periods.join(starts.select(groups).unique(), how="cross")
    dense = periods.join(steps.with_columns(pl.col(P).cast(pl.Int64)), on=[P, *groups], how="left", nulls_equal=True)
    dense = dense.with_columns(pl.col(n).fill_null(0) for n in names).sort([*groups, P])
    over = groups or None
    out = dense.with_columns(
        (pl.col(n).cum_sum().over(over) if over else pl.col(n).cum_sum()) for n in names
    )
    return out.filter(pl.col("rows") != 0) if "vsum" not in names else out.filter(
        (pl.col("rows") != 0) | (pl.col("vcnt") != 0)
    )


def _expanded(q: Query, data: LoadedDataset, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    ds, m = data.config, q.measure
    groups = list(q.groups)
    needed = columns_used(q)
    if m.calc == "value":
        needed |= {c for c in ("numerator", "denominator") if c in ds.schema}
    period_cols = _period_columns_needed(ds, needed)
    inputs = {c for d in ds.period_derives if d.name in period_cols for c in d.inputs}
    keep_cols = [c for c in data.frame.columns if c in (needed | inputs) and c not in ds.period_dependent]
    rows = frame.select([*keep_cols, LO, HI])  # only what the query reads goes through the expansion
    rows = rows.with_columns(pl.int_ranges(pl.col(LO), pl.col(HI) + 1).alias(P)).explode(P)
    if period_cols:
        rows = rows.join(grid.frame().lazy(), on=P, how="left")
        hol = holidays_around(grid.calendar, data.frame, (grid.first // 12, grid.last // 12))
        for d in ds.period_derives:
            if d.name in period_cols:
                rows = rows.with_columns(derive_expr(d, hol))
    # Flags become columns first: a bare literal (no `where`) inside an aggregation would be one value,
    # not one per row.
    flagged = _flags(q)
    rows = rows.with_columns(flagged[k].alias(f"__{k}") for k in flagged)
    f = {k: pl.col(f"__{k}") for k in flagged}
    aggs: list[pl.Expr] = []
    if m.calc == "value":
        def carried(column: str) -> pl.Expr:
            if column not in ds.schema:
                return pl.lit(None, pl.Float64)
            return pl.col(column).filter(f["keep"]).first().cast(pl.Float64)

        aggs = [
            f["keep"].sum().cast(pl.Int64).alias("rows"),
            carried(m.value or "value").alias("vval"),
            carried("numerator").alias("vnum"),
            carried("denominator").alias("vden"),
        ]
    elif m.distinct:
        d = pl.col(m.distinct)
        aggs = [
            d.filter(f["keep"]).drop_nulls().n_unique().cast(pl.Int64).alias("rows"),
            d.filter(f["num"]).drop_nulls().n_unique().cast(pl.Int64).alias("num"),
        ]
    else:
        aggs = [f["keep"].cast(pl.Int64).sum().alias("rows"), f["num"].cast(pl.Int64).sum().alias("num")]
        if "value" in f:
            aggs += [
                f["value"].sum().alias("vsum"),
                f["value"].count().cast(pl.Int64).alias("vcnt"),
                f["value"].median().alias("med"),
            ]
    return rows.group_by([P, *groups]).agg(aggs)


def _period_columns_needed(ds: Dataset, needed: set[str]) -> set[str]:
    """Period-dependent derived columns the query reads, with those they are built from."""
    wanted = needed & ds.period_dependent
    for d in reversed(ds.period_derives):
        if d.name in wanted:
            wanted |= set(d.inputs) & ds.period_dependent
    return wanted


def window_start_month(m: Measure, month: int, grid: PeriodGrid) -> int:
    if m.window == "ytd":
        return grid.calendar.financial_year_start(month)
    if m.window == "rolling12":
        return month - 11
    return month
