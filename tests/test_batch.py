"""The engine's computation of every measure at once (batch.py: one plan per small dataset, steps
accumulated in Python) gives exactly what each measure's own plan (`measures.aggregate`) gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scorecard.engine import batch, measures
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
