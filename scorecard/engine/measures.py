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

from dataclasses import replace
from typing import Literal

import polars as pl

from .config_model import Dataset, Measure
from .config_sql import parse_sql
from .datasets import LoadedDataset
from .derives import derive_expr, holidays_around
from .grid import HI, LO, P, PeriodGrid, Query, columns_used, condition_expr, period_columns_needed, windowed
from .range_counts import (
    difference_steps,
    differenced_ranges_steps,
    distinct_from_merged_ranges_steps,
    interval_plan,
    median_from_counts,
    with_predicate_ranges,
)
from .steps import Steps, accumulated


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
    involved = period_columns_needed(ds, columns_used(q))
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
    planned = plan(q, data, grid, at)
    return accumulated(planned, grid) if isinstance(planned, Steps) else planned


def plan(q: Query, data: LoadedDataset, grid: PeriodGrid, at: int | None = None) -> Steps | pl.LazyFrame:
    """`aggregate`'s plan, or, where it counts with difference arrays, the steps it accumulates."""
    ds, m = data.config, q.measure
    frame = windowed(data, m.window, grid, at)
    value_dtype = _value_dtype(q, ds)
    float_values = m.calc in ("mean", "sum") and value_dtype is not None and value_dtype.is_float()
    intervals = interval_plan(q, ds)
    if intervals is not None and m.calc != "value":
        ranged = with_predicate_ranges(frame, intervals, grid, data.frame)
        many = rows_span_periods(ds, m.window)
        if m.distinct and many:
            return distinct_from_merged_ranges_steps(q, intervals, ranged)
        if m.calc == "median" and value_dtype is not None and value_dtype.is_integer() and many and _few_values(m, data):
            return median_from_counts(q, intervals, ranged, grid)
        if intervals.narrows and not m.distinct and m.calc != "median" and not float_values:
            return differenced_ranges_steps(q, intervals, ranged)
    if not needs_expansion(q, ds, value_dtype):
        return replace(difference_steps(frame, difference_weights(q), list(q.groups)), window_rows=True)
    birthdays = birthday_columns(q, ds)
    if birthdays is not None and not float_values:
        return difference_steps(_split_at_birthdays(q, data, frame, grid, birthdays), difference_weights(q), list(q.groups))
    return _expanded(q, data, frame, grid)


# Below this many rows in a measure's dataset its plan is collected by polars' in-memory engine, at or
# above it by the streaming engine (polars' default). On small frames the streaming engine's set-up
# costs more than the work (demo at scale 1: the 70 plans 0.18 s of CPU in memory against 0.26 s
# streaming; the distinct-children plans 4 against 9 ms each); on a million spells it is the faster
# (national: 0.39 s against 0.59 s). bench/README.md, `fuse`.
IN_MEMORY_BELOW = 400_000


def collect_engine(data: LoadedDataset) -> Literal["in-memory", "streaming"]:
    """The polars engine that collects a plan over `data` fastest (`IN_MEMORY_BELOW`)."""
    return "in-memory" if data.frame.height < IN_MEMORY_BELOW else "streaming"


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



def _value_dtype(q: Query, ds: Dataset) -> pl.DataType | None:
    m = q.measure
    if m.calc == "value":
        return ds.schema.get(m.value) if m.value else None
    if m.value and m.calc in ("mean", "median", "sum"):
        return pl.LazyFrame(schema=ds.schema).select(parse_sql(m.value).alias("v")).collect_schema()["v"]
    return None



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
    period_cols = period_columns_needed(ds, needed)
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
    keep = condition_expr(m.where)
    if q.condition is not None:
        inside = condition_expr(q.condition)
        keep = keep & (~inside if q.negate else inside)
    flags = {"keep": keep, "num": keep & condition_expr(m.numerator) if m.numerator else keep}
    if m.value and m.calc in ("mean", "median", "sum"):
        flags["value"] = pl.when(keep).then(parse_sql(m.value).cast(pl.Float64))
    return flags


def _differenced(q: Query, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    return accumulated(difference_steps(frame, difference_weights(q), list(q.groups)), grid)


def difference_weights(q: Query) -> list[pl.Expr]:
    """Each row's weights in the difference arrays: counted, in the numerator, its value and whether it has one."""
    f = _flags(q)
    weights = [f["keep"].cast(pl.Int64).alias("rows"), f["num"].cast(pl.Int64).alias("num")]
    if "value" in f:
        weights += [f["value"].alias("vsum"), f["value"].is_not_null().cast(pl.Int64).alias("vcnt")]
    return weights


def _expanded(q: Query, data: LoadedDataset, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    ds, m = data.config, q.measure
    groups = list(q.groups)
    needed = columns_used(q)
    if m.calc == "value":
        needed |= {c for c in ("numerator", "denominator") if c in ds.schema}
    period_cols = period_columns_needed(ds, needed)
    inputs = {c for d in ds.period_derives if d.name in period_cols for c in d.inputs}
    keep_cols = [c for c in data.frame.columns if c in (needed | inputs) and c not in ds.period_dependent]
    rows = frame.select([*keep_cols, LO, HI])  # only what the query reads goes through the expansion
    if rows_span_periods(ds, m.window):
        rows = rows.with_columns(pl.int_ranges(pl.col(LO), pl.col(HI) + 1).alias(P)).explode(P)
    else:  # each row is in one period's window (`windowed` keeps LO <= HI, and here LO = HI): no expansion
        rows = rows.with_columns(pl.col(LO).cast(pl.Int64).alias(P))
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
        # the distinct values of the rows kept, as the values of every row with the others made null: distinct
        # non-null values per group are then the group's distinct count less one when it holds a null, with no
        # list of each group's kept values built first (a filter inside the aggregation does that)
        d = pl.col(m.distinct)
        rows = rows.with_columns(pl.when(f["keep"]).then(d).alias("__d_keep"))
        aggs = [_distinct_non_null("__d_keep").alias("rows")]
        if not m.numerator:  # the numerator is every row kept: the same count, not a second one
            return rows.group_by([P, *groups]).agg(aggs).with_columns(pl.col("rows").alias("num"))
        rows = rows.with_columns(pl.when(f["num"]).then(d).alias("__d_num"))
        aggs.append(_distinct_non_null("__d_num").alias("num"))
    else:
        aggs = [f["keep"].cast(pl.Int64).sum().alias("rows"), f["num"].cast(pl.Int64).sum().alias("num")]
        if "value" in f:
            aggs += [
                f["value"].sum().alias("vsum"),
                f["value"].count().cast(pl.Int64).alias("vcnt"),
                f["value"].median().alias("med"),
            ]
    return rows.group_by([P, *groups]).agg(aggs)


def _distinct_non_null(column: str) -> pl.Expr:
    """How many distinct values other than null the column holds (in a group)."""
    col = pl.col(column)
    return col.n_unique().cast(pl.Int64) - (col.null_count() > 0).cast(pl.Int64)
