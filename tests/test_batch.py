"""The engine's computation of every measure at once (batch.py: one plan per small dataset, steps
accumulated in Python) gives exactly what each measure's own plan (`measures.aggregate`) gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scorecard.engine import batch, measures
from scorecard.engine.config_sql import sql_columns
from scorecard.engine.engine import Engine
from scorecard.engine.grid import Query
from scorecard.engine.measures import aggregate

from .helpers import BASIC, shipped_demo

TODAY = dt.date(2026, 12, 2)


def _both_ways(config: Path) -> None:
    engine = Engine.load(config, TODAY)
    grid = engine.grid_for(engine.first_month, engine.last_month)
    todo = [m for m in engine.config.measures if engine.missing_reason(m) is None]
    assert todo
    computed = batch.compute([Query(m) for m in todo], engine.datasets, grid)
    for m, found in zip(todo, computed, strict=True):
        q = Query(m)
        alone = engine.finish(q, aggregate(q, engine.datasets[m.dataset], grid).collect(), grid, force_group=())
        together = (engine.finish(q, found, grid, force_group=()) if not isinstance(found, dict)
                    else engine.finish_rows(q, {(): found}, grid))
        assert together == alone, m.id


@pytest.mark.parametrize("in_memory_below", [measures.IN_MEMORY_BELOW, 0, 10**12])
def test_every_demo_measure_is_computed_together_as_alone(monkeypatch: pytest.MonkeyPatch, in_memory_below: int) -> None:
    # the shipped demo's datasets are all small (one plan per dataset); 0: every dataset taken as large
    # (a plan per measure, streaming); 10**12: every one small
    monkeypatch.setattr(measures, "IN_MEMORY_BELOW", in_memory_below)
    _both_ways(shipped_demo().parent.parent / "config.toml")


def test_every_basic_measure_is_computed_together_as_alone() -> None:
    _both_ways(BASIC / "config.toml")


def test_one_period_is_finished_as_in_every_period() -> None:
    # a drill-down finishes only its period (Engine.finish_at): the same results and bases as finishing every
    # period of the grid, for every breakdown and cohort of every demo measure
    engine = Engine.load(shipped_demo().parent.parent / "config.toml", TODAY)
    month = engine.last_month
    assert month is not None
    grid = engine.grid_for(month - 1, month)
    index = grid.index(month)
    checked = 0
    for m in engine.config.measures:
        if engine.missing_reason(m) is not None:
            continue
        data = engine.datasets[m.dataset]
        queries = [Query(m, groups=(b,)) for b in m.breakdowns]
        queries += [Query(m, condition=c.where, negate=n) for c in engine.config.cohorts.values()
                    if sql_columns(c.where) <= set(data.config.schema) for n in (False, True)]
        for q in queries:
            frame = aggregate(q, data, grid, at=index).collect()
            force = None if q.groups else ()
            every = engine.finish(q, frame, grid, force_group=force)
            one = engine.finish_at(q, frame, grid, index, force_group=force)
            assert one == {g: (results[index], bases[index]) for g, (results, bases, _) in every.items()}, m.id
            checked += 1
    assert checked > 50
