"""Every measure in every period at once: the engine's computation of whole measures.

Each measure has its own plan (`measures.plan`), and most of them are difference arrays: a pass over
the rows of the measure's window that gives a few dozen steps, which are then summed per period. On a
small dataset the cost of a polars plan is its fixed cost, about a millisecond per operation whatever
the rows, not the rows (bench/README.md, `fuse`), so here:

* the steps of every measure of one small dataset are made and summed per period in one plan: measures
  of one window whose weights are counted over the window's rows as they are share one pass over them
  (one group-by of every measure's weights), and the others' step plans are put side by side;
* the steps, summed per period, are accumulated in Python (`steps.accumulate_rows`), not by a polars
  join, sort and cumulative sum;
* a large dataset's measures keep a plan each (collected by the streaming engine, which is the faster
  there, and never holding several measures' intermediate rows at once), accumulated in Python too,
  except that those counting their window's rows as they are share one streaming plan (one group-by of
  all their weights per window, which holds no more than one measure's);
* an event or snapshot dataset's rows are in the periods their own month's window reaches, so the
  measures counting them as they are, whatever their window, share one pass over the rows: their weights
  summed per month, each window's periods then taken from the few months (`_shared_steps`);
* the other paths (medians, value measures, rows expanded to periods) are collected as planned;
* the small datasets' plans are collected together (`pl.collect_all`: polars runs them side by side).

The figures are those of `measures.aggregate` for the same query (tests/test_batch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from .config_model import Measure
from .datasets import LoadedDataset
from .grid import HI, LO, P, PeriodGrid, Query, clipped, index_bounds, own_period
from .measures import collect_engine, plan
from .steps import Steps, accumulate_rows, range_steps

MONTH = "__own"  # a row's own period index
Rows = dict[int, dict[str, Any]]  # period index -> the aggregates of that period (the periods shown)


@dataclass
class _Planned:
    index: int
    query: Query
    data: LoadedDataset
    steps: Steps


def compute(queries: list[Query], datasets: dict[str, LoadedDataset], grid: PeriodGrid) -> list[Rows | pl.DataFrame]:
    """Per query (whole measures: no groups, no condition), its aggregates by period index, or the frame
    `measures.aggregate` gives for it where they are not counted with difference arrays."""
    out: list[Rows | pl.DataFrame | None] = [None] * len(queries)
    small: dict[str, list[_Planned]] = {}  # a small dataset's measures counted with difference arrays: one plan
    large: dict[str, list[_Planned]] = {}  # a large dataset's measures counting their window's rows as they are
    others: list[tuple[int, pl.LazyFrame]] = []  # small datasets' plans that are not difference arrays
    first: dict[tuple[str | None, ...], int] = {}  # what a plan reads of its measure -> the first query with it
    same: dict[int, int] = {}
    for i, q in enumerate(queries):
        assert not q.groups and q.condition is None
        key = planned_as(q.measure)
        if key in first:  # the same plan as an earlier measure's (a count and a rate of the same children)
            same[i] = first[key]
            continue
        first[key] = i
        data = datasets[q.measure.dataset]
        planned = plan(q, data, grid)
        engine = collect_engine(data)
        if engine == "in-memory":
            if isinstance(planned, Steps):
                small.setdefault(q.measure.dataset, []).append(_Planned(i, q, data, planned))
            else:
                others.append((i, planned))
        elif not isinstance(planned, Steps):
            out[i] = planned.collect(engine=engine)
        elif planned.window_rows:  # one plan for all the measures counting a large dataset's rows as they are
            large.setdefault(q.measure.dataset, []).append(_Planned(i, q, data, planned))
        else:
            summed = planned.summed().collect(engine=engine)
            out[i] = accumulate_rows(planned, summed, {n: n for n in planned.names}, grid.count)
    for members in large.values():
        summed, columns = _fused_plan(members, grid)
        _spread(members, columns, summed.collect(engine="streaming"), grid, out)
    # the small datasets' plans collected together: polars runs them side by side
    fused = [(members, *_fused_plan(members, grid)) for members in small.values()]
    frames = pl.collect_all([p for _, p in others] + [summed for _, summed, _ in fused], engine="in-memory")
    for (i, _), frame in zip(others, frames[:len(others)], strict=True):
        out[i] = frame
    for (members, _, columns), frame in zip(fused, frames[len(others):], strict=True):
        _spread(members, columns, frame, grid, out)
    for i, j in same.items():
        out[i] = out[j]
    assert all(o is not None for o in out)
    return out  # type: ignore[return-value]


def _shared_steps(data: LoadedDataset, shared: dict[str, tuple[pl.LazyFrame, list[pl.Expr]]],
                  grid: PeriodGrid) -> list[pl.LazyFrame]:
    """The steps of the weights each window's measures count over its rows as they are (`shared`: window ->
    its rows, and their weights). Where a row's periods follow from its own month (events, snapshots), the
    weights of every window are summed per month in one pass over the rows, and each window's periods
    are then those of the few months."""
    index = own_period(data.config, grid)
    if index is None or len(shared) < 2:
        return [s for rows, weights in shared.values() for s in range_steps(rows, LO, HI, [], weights)]
    every = [w for _, weights in shared.values() for w in weights]
    months = data.frame.lazy().select(index.alias(MONTH), *every).group_by(MONTH).agg(
        pl.col(w.meta.output_name()).sum() for w in every)
    steps: list[pl.LazyFrame] = []
    for window, (_, weights) in shared.items():
        lo, hi = clipped(*index_bounds(pl.col(MONTH), window, grid), grid)
        names = [w.meta.output_name() for w in weights]
        rows = months.select(lo.alias(LO), hi.alias(HI), *names).filter(pl.col(LO) <= pl.col(HI))
        steps += range_steps(rows, LO, HI, [], [pl.col(n) for n in names])
    return steps


def _spread(members: list[_Planned], columns: list[dict[str, str]], summed: pl.DataFrame, grid: PeriodGrid,
            out: list[Rows | pl.DataFrame | None]) -> None:
    """Each measure's aggregates from the steps of a plan several share."""
    for p, names in zip(members, columns, strict=True):
        out[p.index] = accumulate_rows(p.steps, summed, names, grid.count)


def planned_as(m: Measure) -> tuple[str | None, ...]:
    """What `measures.plan` reads of a measure: two measures alike in these have the same plan (a count, a
    percent and a rate count the same rows; a mean and a sum sum the same values)."""
    calc = m.calc if m.calc in ("median", "value") else "value_sum" if m.calc in ("mean", "sum") else "rows"
    return (m.dataset, m.window, calc, m.where, m.numerator, m.distinct, m.value)


def _fused_plan(members: list[_Planned], grid: PeriodGrid) -> tuple[pl.LazyFrame, list[dict[str, str]]]:
    """One plan for several measures of one dataset, and each one's columns in it: each measure's step
    columns renamed apart (`rows@3`), the steps side by side, summed per period once."""
    columns = [{n: f"{n}@{p.index}" for n in p.steps.names} for p in members]
    plans: list[pl.LazyFrame] = []
    # window -> its rows, and the weights of every measure counting them as they are
    shared: dict[str, tuple[pl.LazyFrame, list[pl.Expr]]] = {}
    for p, names in zip(members, columns, strict=True):
        if p.steps.window_rows and p.steps.counted is not None:
            rows, weights = p.steps.counted
            shared.setdefault(p.query.measure.window, (rows, []))[1].extend(
                w.alias(names[w.meta.output_name()]) for w in weights)
        else:
            plans += [s.rename(names, strict=False) for s in p.steps.plans]
    plans += _shared_steps(members[0].data, shared, grid)
    every = [c for names in columns for c in names.values()]
    return pl.concat(plans, how="diagonal").group_by(P).agg(pl.col(c).sum() for c in every), columns
