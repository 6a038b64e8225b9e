"""Within several thresholds, and why the rest were outside (issue 16).

* Thresholds: of the rows the measure counts (its denominator, or the rows with a value for a mean),
  how many had a duration within each threshold, cumulatively ("64 children (57.1%) within 4
  months; 89 (79.5%) within 6"), how many went beyond the last, and how many are still open (no
  duration yet).
* Why outside: the rows outside a percent measure's numerator, broken down by a reason column
  ("16 of the 120 outside timescale (13.3%) were refusals"). The groups sum to the outside count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config import Measure
from .config_explain import BreakdownStyle, MeasureExplain
from .engine import Engine
from .explain_query import at_period, counting, whole
from .rating import round_half_away


def _share(part: int | float | None, total: int | float | None) -> float | None:
    if part is None or not total:
        return None
    return round_half_away(100.0 * part / total, 1)


@dataclass(frozen=True)
class Within:
    threshold: float
    count: int
    percent: float | None  # of all the rows counted, cumulative

    def to_json(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "count": self.count, "percent": self.percent}


@dataclass(frozen=True)
class Thresholds:
    duration: str
    unit: str | None
    total: int  # the rows (or children) the measure counts in the period
    within: list[Within]  # cumulative, one per threshold, in increasing order
    beyond: int  # done, but over the last threshold
    open: int  # no duration yet: still open, not yet done

    def to_json(self) -> dict[str, Any]:
        return {"duration": self.duration, "unit": self.unit, "total": self.total,
                "within": [w.to_json() for w in self.within], "beyond": self.beyond, "open": self.open}


def thresholds(engine: Engine, m: Measure, month: int, options: MeasureExplain) -> Thresholds | None:
    if not options.thresholds or options.duration is None or engine.missing_reason(m) is not None:
        return None
    duration = f"({options.duration})"
    within: list[Within] = []
    total = 0
    for t in options.thresholds:
        cell = whole(engine, counting(m, f"{duration} <= {t:g}"), month)
        total = int(cell.result.denominator or 0)
        count = int(cell.result.numerator or 0)
        within.append(Within(t, count, _share(count, total)))
    opened = whole(engine, counting(m, f"{duration} IS NULL"), month)
    open_count = int(opened.result.numerator or 0)
    beyond = total - open_count - (within[-1].count if within else 0)
    return Thresholds(options.duration, options.duration_unit, total, within, beyond, open_count)


@dataclass(frozen=True)
class Reason:
    group: Any
    label: str | None
    count: int
    percent: float | None  # share of the rows outside

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "label": self.label, "count": self.count, "percent": self.percent}


@dataclass(frozen=True)
class Outside:
    column: str
    heading: str
    outside: int  # rows (or children) counted but outside the numerator
    total: int
    reasons: list[Reason]  # sorted by group name, the empty group last (JSON); `ordered` for views

    def ordered(self, style: BreakdownStyle) -> list[Reason]:
        return sorted(self.reasons, key=lambda r: style.sort_key(r.group))

    def to_json(self) -> dict[str, Any]:
        return {"heading": self.heading, "outside": self.outside, "total": self.total,
                "groups": [r.to_json() for r in self.reasons]}


def why_outside(engine: Engine, m: Measure, month: int, options: MeasureExplain,
                styles: dict[str, BreakdownStyle]) -> dict[str, Outside]:
    """For each `outside_by` column: the rows outside the numerator, by that column's groups."""
    if not options.outside_by or m.numerator is None or engine.missing_reason(m) is not None:
        return {}
    out: dict[str, Outside] = {}
    count_rows = counting(m)
    total_cell = whole(engine, count_rows, month)
    outside_total = int(whole(engine, count_rows, month, condition=m.numerator, negate=True).result.value or 0)
    for column in options.outside_by:
        style = styles[column]
        cells = at_period(engine, count_rows, month, condition=m.numerator, negate=True, groups=(column,))
        reasons = [Reason(key[0], style.label(key[0]), int(c.result.value or 0),
                          _share(int(c.result.value or 0), outside_total))
                   for key, c in cells.items() if c.result.value]
        reasons.sort(key=lambda r: (r.group is None, "" if r.group is None else str(r.group)))
        out[column] = Outside(column, style.heading, outside_total, int(total_cell.result.value or 0), reasons)
    return out
