"""Difference arrays: +weight at the first period of a row's range, -weight after its last, summed
and accumulated over the grid's periods (DESIGN.md).

The plans that make the steps (`range_counts.py`, `measures.py`) end in a `Steps`; `accumulated` turns
it into the per-period aggregates as a polars plan (breakdowns, drill-downs), and `accumulate_rows`
does the same in Python from the steps summed per period, for the engine's whole-measure computation,
where the steps are a few dozen rows and a polars join, sort and cumulative sum would cost more in
fixed overhead than the work (bench/README.md, `fuse`). Both give the same figures: the weights are
whole numbers (counts, and sums of whole-number values), so the order they are added in cannot
change a sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from .grid import HI, LO, P, PeriodGrid


def range_steps(rows: pl.LazyFrame, lo: str, hi: str, groups: list[str], weights: list[pl.Expr]) -> list[pl.LazyFrame]:
    """+weight at each row's first period and -weight after its last, summed per period (and group).

    The rows are summed per range `[lo, hi]` (and group) first, in one pass: there are at most a few
    thousand ranges over the grid, so the steps are then taken from that small table (each range's
    +sum at `lo` and -sum at `hi + 1`) instead of grouping every row twice."""
    names = [w.meta.output_name() for w in weights]
    rows = rows.filter(pl.col(lo) <= pl.col(hi)).select(pl.col(lo), pl.col(hi), *[pl.col(g) for g in groups], *weights)
    ranges = rows.group_by([lo, hi, *groups]).agg(pl.col(n).sum() for n in names)
    steps = ranges.select(
        pl.concat_list(pl.col(lo).cast(pl.Int64), pl.col(hi).cast(pl.Int64) + 1).alias(P),
        *[pl.col(g) for g in groups],
        *[pl.concat_list(pl.col(n), -pl.col(n)).alias(n) for n in names],
    )
    return [steps.explode([P, *names])]



@dataclass(frozen=True)
class Steps:
    """Plans of steps (`P`, the groups, and some of `names`) whose sums over the periods up to each
    one are the aggregates; the periods (and groups) shown are those where one of `shown_if` is not 0,
    and `hidden` are left out of the result. The plans are those `made`, and the steps of `counted`'s
    weights over its rows' periods `[LO, HI]`; when those rows are the measure's window's as they are
    (`grid.windowed`: `window_rows`), several measures of one dataset and window can share one pass over
    them."""

    made: tuple[pl.LazyFrame, ...]
    names: list[str]
    groups: list[str]
    shown_if: tuple[str, ...] = ("rows",)
    hidden: tuple[str, ...] = ()
    counted: tuple[pl.LazyFrame, tuple[pl.Expr, ...]] | None = None  # rows whose weights step over [LO, HI]
    window_rows: bool = False  # `counted`'s rows are those of the measure's window as they are

    @property
    def plans(self) -> list[pl.LazyFrame]:
        if self.counted is None:
            return list(self.made)
        rows, weights = self.counted
        return [*self.made, *range_steps(rows, LO, HI, self.groups, list(weights))]

    def summed(self) -> pl.LazyFrame:
        """The steps summed per period (and group)."""
        return pl.concat(self.plans, how="diagonal").group_by([P, *self.groups]).agg(pl.col(n).sum() for n in self.names)


def shown_if(names: list[str]) -> tuple[str, ...]:
    """The periods with a row counted, or with a value summed."""
    return ("rows", "vcnt") if "vcnt" in names else ("rows",)


def accumulated(steps: Steps, grid: PeriodGrid) -> pl.LazyFrame:
    """Steps summed and accumulated over the grid's periods, per group; the rows shown."""
    names, groups = steps.names, steps.groups
    summed = steps.summed()
    periods = pl.LazyFrame({P: list(range(grid.count))}, schema={P: pl.Int64})
    if groups:
        periods = periods.join(summed.select(groups).unique(), how="cross")
    dense = periods.join(summed, on=[P, *groups], how="left", nulls_equal=True)
    dense = dense.with_columns(pl.col(n).fill_null(0) for n in names).sort([*groups, P])
    over = groups or None
    out = dense.with_columns((pl.col(n).cum_sum().over(over) if over else pl.col(n).cum_sum()) for n in names)
    shown = pl.any_horizontal(*[pl.col(n) != 0 for n in steps.shown_if])
    out = out.filter(shown)
    return out.drop(*steps.hidden) if steps.hidden else out


def accumulate_rows(steps: Steps, summed: pl.DataFrame, columns: dict[str, str],
                    count: int) -> dict[int, dict[str, Any]]:
    """`accumulated` in Python, for steps without groups: from the steps summed per period (`summed`:
    `P` and each of `steps.names` in the column `columns[name]`, another name when several measures'
    steps share the frame), the aggregates of each period index shown, by name."""
    assert not steps.groups
    periods = summed.get_column(P).to_list()
    totals: dict[str, list[Any]] = {}
    for name in steps.names:
        series = summed.get_column(columns[name])
        zero: int | float = 0.0 if series.dtype.is_float() else 0
        diff = [zero] * count
        for p, v in zip(periods, series.to_list(), strict=True):
            if v and p is not None and 0 <= p < count:
                diff[p] += v
        running, acc = zero, []
        for v in diff:
            running += v
            acc.append(running)
        totals[name] = acc
    out: dict[int, dict[str, Any]] = {}
    for i in range(count):
        if any(totals[n][i] != 0 for n in steps.shown_if):
            out[i] = {n: acc[i] for n, acc in totals.items() if n not in steps.hidden}
    return out
