"""One measure, or a variant of it, in one period: the building block of the explanations.

A variant is the measure with another calc or numerator (rows within a threshold, rows outside the
numerator), narrowed by a condition (rows dated in some months), or split into groups. It goes
through the engine's own `aggregate` and `finish`, so windows, distinct counting, rounding and
rating are those of the measure itself; nothing is counted twice over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .calendar import month_end, month_number, period_of
from .config import Dataset, Measure
from .engine import Engine
from .grid import Query
from .measures import aggregate, collect_engine
from .results import PeriodResult


@dataclass(frozen=True)
class Cell:
    """A variant's result in the period, and the rows (or children, or values) behind it."""

    result: PeriodResult
    base: int


def at_period(engine: Engine, m: Measure, month: int, condition: str | None = None, negate: bool = False,
              groups: tuple[str, ...] = ()) -> dict[tuple[Any, ...], Cell]:
    """The variant `m` in `month`, per group (the key `()` without groups)."""
    grid = engine.grid_for(month)
    data = engine.datasets[m.dataset]
    q = Query(m, groups=groups, condition=condition, negate=negate)
    index = grid.index(month)
    frame = aggregate(q, data, grid, at=index).collect(engine=collect_engine(data))
    found = engine.finish_at(q, frame, grid, index, force_group=None if groups else ())
    return {key: Cell(result, base) for key, (result, base) in found.items()}


def whole(engine: Engine, m: Measure, month: int, condition: str | None = None, negate: bool = False) -> Cell:
    return at_period(engine, m, month, condition, negate)[()]


def counting(m: Measure, numerator: str | None = None) -> Measure:
    """The measure as a count of its rows (or children) when `numerator` is None, else as the
    percent of them meeting `numerator`; same dataset, window, `where` and `distinct`."""
    return m.model_copy(update={"calc": "percent" if numerator else "count", "numerator": numerator, "value": None,
                                "per": None, "population": None, "decimals": 1 if numerator else 0, "target": None,
                                "floor": None, "targets": [], "polarity": None})


def quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def months_condition(ds: Dataset, first: int, last: int) -> str:
    """SQL keeping the rows that belong to the months `first`..`last` (absolute month numbers):
    an event dated in them, a spell open on some day of them, a snapshot row of one of them."""
    start = f"DATE '{period_of(first)}-01'"
    end = f"DATE '{month_end(last).isoformat()}'"
    if ds.kind == "event":
        assert ds.date
        return f"{quoted(ds.date)} >= {start} AND {quoted(ds.date)} <= {end}"
    if ds.kind == "spell":
        assert ds.start and ds.end
        return f"{quoted(ds.start)} <= {end} AND ({quoted(ds.end)} IS NULL OR {quoted(ds.end)} > {start})"
    assert ds.period
    return f"{quoted(ds.period)} >= '{period_of(first)}' AND {quoted(ds.period)} <= '{period_of(last)}'"


__all__ = ["Cell", "at_period", "counting", "month_number", "months_condition", "quoted", "whole"]
