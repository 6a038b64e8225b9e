"""What moved a figure: since the last report, and since the end of the last financial year (issue 16).

* Rolling-12 movement: between the last report's period S and P, the months S+1..P entered a
  rolling 12-month window and the months S-11..P-12 (the same months a year earlier) left it. The
  measure over each set of months says what moved it ("the average for September to November 2017
  (145 days) against the same months of 2016 (102 days)").
* Year-end position: the value at the end of the last financial year before P, and the change since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .calendar import month_number, period_of
from .config import Measure
from .engine import Engine, UsageError
from .explain_query import months_condition, whole
from .rating import round_half_away
from .results import Band


@dataclass(frozen=True)
class Figure:
    period: str
    value: float | None
    rag: Band | None

    def to_json(self) -> dict[str, Any]:
        return {"period": self.period, "value": self.value, "rag": self.rag}


def _difference(a: float | None, b: float | None, decimals: int) -> float | None:
    if a is None or b is None:
        return None
    return round_half_away(a - b, decimals)


@dataclass(frozen=True)
class MonthsValue:
    """The measure over a run of months (not a whole window)."""

    first: str
    last: str
    value: float | None
    numerator: int | float | None
    denominator: int | float | None

    def to_json(self) -> dict[str, Any]:
        return {"from": self.first, "to": self.last, "value": self.value, "numerator": self.numerator,
                "denominator": self.denominator}


@dataclass(frozen=True)
class RollingMovement:
    since: Figure  # the window at the last report
    now: Figure
    change: float | None  # now - since, at the measure's decimals
    entered: MonthsValue  # the months since the last report, which entered the window
    left: MonthsValue  # the same months a year earlier, which left it

    def to_json(self) -> dict[str, Any]:
        return {"since": self.since.to_json(), "now": self.now.to_json(), "change": self.change,
                "entered": self.entered.to_json(), "left": self.left.to_json()}


def check_since(period: str, since: str) -> int:
    """The month number of `since`, which must be a period before `period`."""
    try:
        month = month_number(since)
    except ValueError:
        raise UsageError(f"{since!r} is not a period (YYYY-MM)") from None
    if month >= month_number(period):
        raise UsageError(f"--since {since} must be before the period {period}")
    return month


def rolling_movement(engine: Engine, m: Measure, month: int, since_month: int) -> RollingMovement | None:
    """None unless the measure is rolling12 and its data can be read. More than 12 months apart, every
    month of the window changed: the entered months are then the 12 of the window now."""
    if m.window != "rolling12" or engine.missing_reason(m) is not None:
        return None
    series = engine.series(m.id, month, since_month, month - 12)
    ds = engine.datasets[m.dataset].config
    first = max(since_month + 1, month - 11)

    def over(a: int, b: int) -> MonthsValue:
        cell = whole(engine, m, b, condition=months_condition(ds, a, b))
        r = cell.result
        return MonthsValue(period_of(a), period_of(b), r.value, r.numerator, r.denominator)

    now, before = series.at(month), series.at(since_month)
    return RollingMovement(
        since=Figure(before.period, before.value, before.rag), now=Figure(now.period, now.value, now.rag),
        change=_difference(now.value, before.value, m.decimals),
        entered=over(first, month), left=over(first - 12, month - 12),
    )


@dataclass(frozen=True)
class YearEnd:
    at: Figure  # the value at the end of the last financial year
    change: float | None  # now - then, at the measure's decimals

    def to_json(self) -> dict[str, Any]:
        return {**self.at.to_json(), "change": self.change}


def year_end_month(engine: Engine, month: int) -> int:
    """The last month of the financial year before the one holding `month`."""
    return engine.calendar.financial_year_start(month) - 1


def year_end(engine: Engine, m: Measure, month: int) -> YearEnd | None:
    """For a rated measure active at the year end: its value then and the change since."""
    end = year_end_month(engine, month)
    if not m.active(end):
        return None
    series = engine.series(m.id, month, end)
    if series.at(month).target is None and series.at(end).target is None:
        return None
    then, now = series.at(end), series.at(month)
    return YearEnd(Figure(then.period, then.value, then.rag), _difference(now.value, then.value, m.decimals))
