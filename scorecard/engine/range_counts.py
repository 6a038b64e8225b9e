"""Fast paths for measures whose rows span periods: each row's period range narrowed by the
measure's conditions, then counted with difference arrays, merged per distinct key, or counted
per value for a median (DESIGN.md). `measures.aggregate` picks them; each gives the same
aggregates as expanding rows to periods (tests/test_measures_fast_paths.py)."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from .config_model import Dataset
from .config_sql import parse_sql, sql_columns
from .grid import HI, LO, NUM_HI, NUM_LO, P, PeriodGrid, Query, condition_expr
from .intervals import SplitPredicate, clipped_range, source_days, split_predicate
from .steps import Steps, accumulated, range_steps, shown_if


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
    keep = condition_expr(plan.keep.static)
    if plan.negated_condition is not None:
        keep = keep & ~condition_expr(plan.negated_condition)
    num = keep & condition_expr(plan.numerator.static) if plan.numerator.static else keep
    return {"keep": keep, "num": num}


def with_predicate_ranges(frame: pl.LazyFrame, plan: IntervalPlan, grid: PeriodGrid,
                          data: pl.DataFrame | None = None) -> pl.LazyFrame:
    """`[LO, HI]` narrowed by the `keep` thresholds, `[NUM_LO, NUM_HI]` by the numerator's as well.
    `data`: the dataset's rows `frame` comes from, whose dates bound the per-day lookups."""
    lookup = grid.snapshot_lookup
    days = source_days(data, plan.keep.thresholds + plan.numerator.thresholds) if data is not None else None
    lo, hi = clipped_range(pl.col(LO), pl.col(HI), plan.keep.thresholds, lookup, grid.first, days)
    frame = frame.with_columns(lo.alias(LO), hi.alias(HI))
    num_lo, num_hi = clipped_range(pl.col(LO), pl.col(HI), plan.numerator.thresholds, lookup, grid.first, days)
    return frame.with_columns(num_lo.alias(NUM_LO), num_hi.alias(NUM_HI))


def difference_steps(frame: pl.LazyFrame, weights: list[pl.Expr], groups: list[str]) -> Steps:
    """The weights of every row summed over the periods `[LO, HI]` it is in, with difference arrays."""
    names = [w.meta.output_name() for w in weights]
    return Steps((), names, groups, shown_if(names), counted=(frame, tuple(weights)))


def difference_counts(frame: pl.LazyFrame, weights: list[pl.Expr], groups: list[str], grid: PeriodGrid) -> pl.LazyFrame:
    return accumulated(difference_steps(frame, weights, groups), grid)


def differenced_ranges(q: Query, plan: IntervalPlan, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    """Additive calcs with difference arrays over the narrowed ranges."""
    return accumulated(differenced_ranges_steps(q, plan, frame), grid)


def differenced_ranges_steps(q: Query, plan: IntervalPlan, frame: pl.LazyFrame) -> Steps:
    m, groups = q.measure, list(q.groups)
    flags = _plan_flags(plan)
    kept = frame.filter(flags["keep"])
    weights = [pl.lit(1, pl.Int64).alias("rows")]
    if m.value and m.calc in ("mean", "sum"):
        value = parse_sql(m.value).cast(pl.Float64)
        weights += [value.alias("vsum"), value.is_not_null().cast(pl.Int64).alias("vcnt")]
    if plan.numerator.static is None and not plan.numerator.thresholds:  # the numerator is every row kept
        steps = range_steps(kept, LO, HI, groups, [*weights, pl.lit(1, pl.Int64).alias("num")])
    else:
        steps = range_steps(kept, LO, HI, groups, weights)
        steps += range_steps(kept.filter(flags["num"]), NUM_LO, NUM_HI, groups, [pl.lit(1, pl.Int64).alias("num")])
    names = [w.meta.output_name() for w in weights] + ["num"]
    return Steps(tuple(steps), names, groups, shown_if(names))


def _present_steps(frame: pl.LazyFrame, groups: list[str]) -> list[pl.LazyFrame]:
    """Rows of each group in the window, counted or not: a breakdown lists every group present,
    as the general path does."""
    return range_steps(frame, LO, HI, groups, [pl.lit(1, pl.Int64).alias("__present")]) if groups else []


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


def distinct_from_merged_ranges(q: Query, plan: IntervalPlan, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
    return accumulated(distinct_from_merged_ranges_steps(q, plan, frame), grid)


def distinct_from_merged_ranges_steps(q: Query, plan: IntervalPlan, frame: pl.LazyFrame) -> Steps:
    m, groups = q.measure, list(q.groups)
    assert m.distinct
    flags = _plan_flags(plan)
    keys = [*groups, m.distinct]
    kept = frame.filter(flags["keep"] & pl.col(m.distinct).is_not_null())
    steps = _merged_range_steps(kept, LO, HI, keys, groups, "rows")
    if plan.numerator.static is None and not plan.numerator.thresholds:  # the numerator is every child counted
        steps = [s.with_columns(pl.col("rows").alias("num")) for s in steps]
    else:
        steps += _merged_range_steps(kept.filter(flags["num"]), NUM_LO, NUM_HI, keys, groups, "num")
    steps += _present_steps(frame, groups)
    if groups:
        return Steps(tuple(steps), ["rows", "num", "__present"], groups, ("rows", "__present"), ("__present",))
    return Steps(tuple(steps), ["rows", "num"], groups)


# --------------------------------------------------------------------------------------
# A median of whole numbers from counts of each value
# --------------------------------------------------------------------------------------
def median_from_counts(q: Query, plan: IntervalPlan, frame: pl.LazyFrame, grid: PeriodGrid) -> pl.LazyFrame:
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
