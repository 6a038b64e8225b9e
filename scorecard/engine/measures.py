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
from functools import cached_property

import polars as pl

from .calendar import Calendar, month_end, period_of
from .config_model import Dataset, Measure
from .config_sql import PERIOD_END_COL, SNAPSHOT_COL, parse_sql, sql_columns
from .datasets import LoadedDataset, derive_expr, holidays_around
from .intervals import DayTable, SplitPredicate, clipped_range, split_predicate

P = "__p"  # period index on the grid
LO, HI = "__lo", "__hi"
NUM_LO, NUM_HI = "__num_lo", "__num_hi"  # the numerator's periods when a predicate narrows them
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
def window_bounds(ds: Dataset, window: str, grid: PeriodGrid) -> tuple[pl.Expr, pl.Expr]:
    """`lo` and `hi`: the first and last period index whose window holds each row."""
    if ds.kind == "event":
        assert ds.date
        index = grid.month_lookup.at(pl.col(ds.date))
        return _extend(index, index + grid.first, window, grid)
    if ds.kind == "snapshot":
        assert ds.period
        text = pl.col(ds.period)
        month = text.str.slice(0, 4).cast(pl.Int32) * 12 + text.str.slice(5, 2).cast(pl.Int32) - 1
        return _extend(month - grid.first, month, window, grid)
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
    frame = windowed(data, m.window, grid, at)
    value_dtype = _value_dtype(q, ds)
    float_values = m.calc in ("mean", "sum") and value_dtype is not None and value_dtype.is_float()
    plan = interval_plan(q, ds)
    if plan is not None and m.calc != "value":
        ranged = _with_predicate_ranges(frame, plan, grid)
        many = rows_span_periods(ds, m.window)
        if m.distinct and many:
            return _distinct_from_merged_ranges(q, plan, ranged, grid)
        if m.calc == "median" and value_dtype is not None and value_dtype.is_integer() and many and _few_values(m, data):
            return _median_from_counts(q, plan, ranged, grid)
        if plan.narrows and not m.distinct and m.calc != "median" and not float_values:
            return _differenced_ranges(q, plan, ranged, grid)
    if not needs_expansion(q, ds, value_dtype):
        return _differenced(q, frame, grid)
    birthdays = birthday_columns(q, ds)
    if birthdays is not None and not float_values:
        return _differenced(q, _split_at_birthdays(q, data, frame, grid, birthdays), grid)
    return _expanded(q, data, frame, grid)


def rows_span_periods(ds: Dataset, window: str) -> bool:
    """True when a row can be in more than one period's window (a spell, or a window of months):
    then merging ranges and counting values beat expanding rows to periods; otherwise a row sits
    in one period and grouping by it is already cheap."""
    return ds.kind == "spell" or window in ("ytd", "rolling12")


def _few_values(m: Measure, data: LoadedDataset, rows_per_value: int = 4) -> bool:
    """True when a month's rows repeat their values often enough (on average `rows_per_value` rows
    per value and month) for counting values to spread fewer rows than the events themselves."""
    assert m.value
    months = (data.last_month - data.first_month + 1) if data.first_month is not None and data.last_month is not None else 1
    values = data.frame.select(parse_sql(m.value).n_unique()).item()
    return data.frame.height >= rows_per_value * max(months, 1) * max(values, 1)


def windowed(data: LoadedDataset, window: str, grid: PeriodGrid, at: int | None = None) -> pl.LazyFrame:
    """The dataset's rows in some period's window, with the range of periods `[LO, HI]` holding each."""
    lo, hi = window_bounds(data.config, window, grid)
    frame = data.frame.lazy().with_columns(lo.clip(0, BIG).alias(LO), hi.clip(-1, grid.count - 1).alias(HI))
    if at is None:
        return frame.filter(pl.col(LO) <= pl.col(HI))
    return frame.filter((pl.col(LO) <= at) & (pl.col(HI) >= at)).with_columns(
        pl.lit(at, pl.Int32).alias(LO), pl.lit(at, pl.Int32).alias(HI)
    )


def _value_dtype(q: Query, ds: Dataset) -> pl.DataType | None:
    m = q.measure
    if m.calc == "value":
        return ds.schema.get(m.value) if m.value else None
    if m.value and m.calc in ("mean", "median", "sum"):
        return pl.LazyFrame(schema=ds.schema).select(parse_sql(m.value).alias("v")).collect_schema()["v"]
    return None


# --------------------------------------------------------------------------------------
# Predicates that narrow a row's periods (intervals.py): no split, no expansion
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IntervalPlan:
    """A query whose period-dependent columns appear only in threshold predicates.

    `keep` is the measure's `where` with the cohort's condition; `numerator` applies on top of it.
    Their static SQL becomes row flags; their thresholds narrow each row's range of periods."""

    keep: SplitPredicate
    numerator: SplitPredicate
    negated_condition: str | None = None  # a static cohort condition the rows must not meet

    @property
    def narrows(self) -> bool:
        """True when a threshold narrows some row's periods (else the plain difference arrays do)."""
        return bool(self.keep.thresholds or self.numerator.thresholds)


def interval_plan(q: Query, ds: Dataset) -> IntervalPlan | None:
    """The query as static flags and narrowed ranges, or None when that cannot express it."""
    m = q.measure
    outputs = set(q.groups) | ({m.distinct} if m.distinct else set())
    if m.value:
        outputs |= {m.value} if m.calc == "value" else sql_columns(m.value)
    if outputs & ds.period_dependent:
        return None
    where = split_predicate(m.where, ds)
    numerator = split_predicate(m.numerator, ds)
    condition = split_predicate(q.condition, ds)
    if where is None or numerator is None or condition is None:
        return None
    if q.negate:
        if condition.thresholds:
            return None  # rows outside a stretch of periods are two stretches
        return IntervalPlan(where, numerator, q.condition)
    return IntervalPlan(_both(where, condition), numerator)


def _both(a: SplitPredicate, b: SplitPredicate) -> SplitPredicate:
    static = " AND ".join(f"({s})" for s in (a.static, b.static) if s is not None) or None
    return SplitPredicate(static, a.thresholds + b.thresholds)


def _plan_flags(plan: IntervalPlan) -> dict[str, pl.Expr]:
    """Row flags from the static parts: `keep` (counted) and `num` (also in the numerator)."""
    keep = _predicate(plan.keep.static)
    if plan.negated_condition is not None:
        keep = keep & ~_predicate(plan.negated_condition)
    num = keep & _predicate(plan.numerator.static) if plan.numerator.static else keep
    return {"keep": keep, "num": num}


def _with_predicate_ranges(frame: pl.LazyFrame, plan: IntervalPlan, grid: PeriodGrid) -> pl.LazyFrame:
    """`[LO, HI]` narrowed by the `keep` thresholds, `[NUM_LO, NUM_HI]` by the numerator's as well."""
    lookup = grid.snapshot_lookup
    lo, hi = clipped_range(pl.col(LO), pl.col(HI), plan.keep.thresholds, lookup, grid.first)
    frame = frame.with_columns(lo.alias(LO), hi.alias(HI))
    num_lo, num_hi = clipped_range(pl.col(LO), pl.col(HI), plan.numerator.thresholds, lookup, grid.first)
    return frame.with_columns(num_lo.alias(NUM_LO), num_hi.alias(NUM_HI))


def _range_steps(rows: pl.LazyFrame, lo: str, hi: str, groups: list[str], weights: list[pl.Expr]) -> list[pl.LazyFrame]:
    """+weight at each row's first period and -weight after its last, summed per period (and group)."""
    names = [w.meta.output_name() for w in weights]
    rows = rows.filter(pl.col(lo) <= pl.col(hi)).select(pl.col(lo), pl.col(hi), *[pl.col(g) for g in groups], *weights)
    starts = rows.group_by([pl.col(lo).cast(pl.Int64).alias(P), *groups]).agg(pl.col(n).sum() for n in names)
    ends = rows.group_by([(pl.col(hi).cast(pl.Int64) + 1).alias(P), *groups]).agg(-pl.col(n).sum() for n in names)
    return [starts, ends]


def _accumulated(steps: list[pl.LazyFrame], names: list[str], groups: list[str], grid: PeriodGrid,
                 shown: pl.Expr) -> pl.LazyFrame:
    """Steps summed and accumulated over the grid's periods, per group; the rows where `shown`."""
    summed = pl.concat(steps, how="diagonal").group_by([P, *groups]).agg(pl.col(n).sum() for n in names)
    periods = pl.LazyFrame({P: list(range(grid.count))}, schema={P: pl.Int64})
    if groups:
        periods = periods.join(summed.select(groups).unique(), how="cross")
    dense = periods.join(summed, on=[P, *groups], how="left", nulls_equal=True)
    dense = dense.with_columns(pl.col(n).fill_null(0) for n in names).sort([*groups, P])
    over = groups or None
    out = dense.with_columns((pl.col(n).cum_sum().over(over) if over else pl.col(n).cum_sum()) for n in names)
    return out.filter(shown)


def _counted(names: list[str]) -> pl.Expr:
    """The periods (and groups) with a row counted, or with a value summed."""
    counted = pl.col("rows") != 0
    return counted | (pl.col("vcnt") != 0) if "vcnt" in names else counted


def _differenced_ranges(q: Query, plan: IntervalPlan, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    """Additive calcs with difference arrays over the narrowed ranges."""
    m, groups = q.measure, list(q.groups)
    flags = _plan_flags(plan)
    kept = frame.filter(flags["keep"])
    weights = [pl.lit(1, pl.Int64).alias("rows")]
    if m.value and m.calc in ("mean", "sum"):
        value = parse_sql(m.value).cast(pl.Float64)
        weights += [value.alias("vsum"), value.is_not_null().cast(pl.Int64).alias("vcnt")]
    steps = _range_steps(kept, LO, HI, groups, weights)
    steps += _range_steps(kept.filter(flags["num"]), NUM_LO, NUM_HI, groups, [pl.lit(1, pl.Int64).alias("num")])
    names = [w.meta.output_name() for w in weights] + ["num"]
    return _accumulated(steps, names, groups, grid, _counted(names))


def _present_steps(frame: pl.LazyFrame, groups: list[str]) -> list[pl.LazyFrame]:
    """Rows of each group in the window, counted or not: a breakdown lists every group present,
    as the general path does."""
    return _range_steps(frame, LO, HI, groups, [pl.lit(1, pl.Int64).alias("__present")]) if groups else []


# --------------------------------------------------------------------------------------
# Distinct values (children) from each one's ranges merged
# --------------------------------------------------------------------------------------
def _merged_range_steps(rows: pl.LazyFrame, lo: str, hi: str, keys: list[str], groups: list[str],
                        name: str) -> list[pl.LazyFrame]:
    """+1 where each key's merged stretch of periods begins and -1 after it ends.

    A child is counted in a period when one of its rows' ranges holds it. Its ranges merged where
    they overlap or touch hold the same periods, and at most one holds any period, so counting the
    stretches counts children. Sorted by key and first period, `key number * 2^24 + last period`
    only grows from one key to the next, so one cumulative maximum over the whole column is each
    key's furthest reach so far (no window per key)."""
    shift = 2**24
    rows = rows.filter(pl.col(lo) <= pl.col(hi)).select(*keys, pl.col(lo).alias("__from"), pl.col(hi).alias("__to"))
    rows = rows.sort([*keys, "__from"])
    first_row = pl.int_range(pl.len()) == 0
    changed = pl.any_horizontal(*[pl.col(k).ne_missing(pl.col(k).shift(1)) for k in keys])
    holder = (first_row | changed).cum_sum().cast(pl.Int64)
    reach = (holder * shift + pl.col("__to").cast(pl.Int64)).cum_max()
    rows = rows.with_columns(holder.alias("__holder")).with_columns(reach.alias("__reach"))
    before = pl.col("__reach").shift(1)
    begins = first_row | (pl.col("__holder") != pl.col("__holder").shift(1)) | (pl.col("__from") > before % shift + 1)
    rows = rows.with_columns(begins.alias("__begins"))
    ends_here = pl.col("__begins").shift(-1).fill_null(True)
    starts = rows.filter(pl.col("__begins")).group_by([pl.col("__from").cast(pl.Int64).alias(P), *groups]).agg(
        pl.len().cast(pl.Int64).alias(name))
    ends = rows.filter(ends_here).group_by([(pl.col("__reach") % shift + 1).alias(P), *groups]).agg(
        -pl.len().cast(pl.Int64).alias(name))
    return [starts, ends]


def _distinct_from_merged_ranges(q: Query, plan: IntervalPlan, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    m, groups = q.measure, list(q.groups)
    assert m.distinct
    flags = _plan_flags(plan)
    keys = [*groups, m.distinct]
    kept = frame.filter(flags["keep"] & pl.col(m.distinct).is_not_null())
    steps = _merged_range_steps(kept, LO, HI, keys, groups, "rows")
    steps += _merged_range_steps(kept.filter(flags["num"]), NUM_LO, NUM_HI, keys, groups, "num")
    steps += _present_steps(frame, groups)
    names = ["rows", "num"] + (["__present"] if groups else [])
    shown = (pl.col("rows") != 0) | (pl.col("__present") != 0) if groups else pl.col("rows") != 0
    return _accumulated(steps, names, groups, grid, shown).drop("__present", strict=False)


# --------------------------------------------------------------------------------------
# A median of whole numbers from counts of each value
# --------------------------------------------------------------------------------------
def _median_from_counts(q: Query, plan: IntervalPlan, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    """Rows with the same range and value counted once, the counts spread over their periods and
    summed per (period, value); the median is read from the cumulative counts. Whole numbers have
    few distinct values, so this spreads far fewer rows than there are events."""
    m, groups = q.measure, list(q.groups)
    assert m.value
    flags = _plan_flags(plan)
    keep = flags["keep"].alias("__keep")
    value = pl.when(flags["keep"]).then(parse_sql(m.value)).alias("__v")
    # rows outside `where` are spread too, uncounted: a breakdown lists every group present
    rows = frame.filter(pl.col(LO) <= pl.col(HI)).select(LO, HI, *groups, keep, value)
    counted = rows.group_by([LO, HI, *groups, "__keep", "__v"]).agg(pl.len().cast(pl.Int64).alias("__n"))
    spread = counted.with_columns(pl.int_ranges(pl.col(LO), pl.col(HI) + 1).alias(P)).explode(P)
    per = spread.group_by([P, *groups, "__keep", "__v"]).agg(pl.col("__n").sum())
    valued = pl.col("__v").is_not_null()
    per = per.sort([*groups, P, "__v"], nulls_last=True).with_columns(
        pl.when(valued).then(pl.col("__n")).otherwise(0).cum_sum().over([P, *groups]).alias("__upto"))
    count = pl.col("__n").filter(valued).sum()

    def kth(k: pl.Expr) -> pl.Expr:  # the k-th smallest value, from 0
        return pl.col("__v").filter(valued & (pl.col("__upto") > k)).first().cast(pl.Float64)

    return per.group_by([P, *groups]).agg(
        pl.col("__n").filter(pl.col("__keep")).sum().alias("rows"),
        pl.col("__n").filter(pl.col("__keep")).sum().alias("num"),
        (pl.col("__v").cast(pl.Float64) * pl.col("__n")).filter(valued).sum().alias("vsum"),
        count.alias("vcnt"),
        ((kth((count - 1) // 2) + kth(count // 2)) / 2).alias("med"),
    )


# --------------------------------------------------------------------------------------
# The general paths
# --------------------------------------------------------------------------------------
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
    # after the explode a row's pieces are consecutive: the next row's start ends this piece
    same_row_next = pl.col("__piece_of").shift(-1) == pl.col("__piece_of")
    rows = rows.with_columns(
        pl.when(same_row_next).then(pl.col(P).shift(-1) - 1).otherwise(pl.col(HI)).alias(HI),
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
    names = [w.meta.output_name() for w in weights]
    return _accumulated(_range_steps(frame, LO, HI, groups, weights), names, groups, grid, _counted(names))


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
