"""The drill-down behind a measure's colour (SPEC section 5, `explain`).

Trend up to the period, breakdowns by each configured column (with low-base flags), the impact
of each cohort (the measure without it and on it alone), comparators, and an XmR chart. All the
breakdowns and cohorts of a measure are planned together and collected in one call, each
restricted to the rows in the period's window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .calendar import month_number, period_of
from .config_explain import BreakdownStyle
from .config_sql import sql_columns
from .engine import Engine
from .explain_movement import RollingMovement, YearEnd, check_since, rolling_movement, year_end
from .explain_timeliness import Outside, Thresholds, thresholds, why_outside
from .grid import Query
from .measures import aggregate, collect_engine
from .results import Band, PeriodResult, Published, change_between
from .spc import SpcResult, xmr


@dataclass(frozen=True)
class GroupValue:
    group: Any
    value: float | None
    numerator: int | float | None
    denominator: int | float | None
    rag: Band | None
    low_base: bool
    label: str | None = None  # the code's label ([breakdowns.COLUMN].labels), else the code as text
    base: int = 0  # rows (or children, or values) behind the value

    def to_json(self) -> dict[str, Any]:
        return {"group": self.group, "value": self.value, "numerator": self.numerator,
                "denominator": self.denominator, "rag": self.rag, "low_base": self.low_base, "label": self.label}


@dataclass(frozen=True)
class CohortImpact:
    id: str
    label: str
    excluding: PeriodResult
    only: PeriodResult
    excluding_base: int = 0  # rows (or children, or values) behind each half: for small-number suppression
    only_base: int = 0

    def to_json(self) -> dict[str, Any]:
        def part(r: PeriodResult) -> dict[str, Any]:
            return {"value": r.value, "numerator": r.numerator, "denominator": r.denominator, "rag": r.rag}

        return {"label": self.label, "excluding": part(self.excluding), "only": part(self.only)}


@dataclass(frozen=True)
class Explanation:
    id: str
    period: str
    title: str
    section: str
    definition: str | None
    owner: str | None
    notes: str | None
    unit: str | None
    polarity: str | None
    decimals: int
    window: str
    calc: str
    result: PeriodResult
    previous: PeriodResult | None
    warnings: list[str]
    trend: list[PeriodResult]
    breakdowns: dict[str, list[GroupValue]]
    cohorts: dict[str, CohortImpact]
    comparators: dict[str, float]
    spc: SpcResult | None
    # issue 16: the explanations a paper writes by hand
    since: str | None = None  # the last report's period (rolling movement)
    styles: dict[str, BreakdownStyle] = field(default_factory=dict)  # per breakdown and outside_by column
    thresholds: Thresholds | None = None
    outside: dict[str, Outside] = field(default_factory=dict)
    movement: RollingMovement | None = None
    year_end: YearEnd | None = None
    comparator_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    published: Published | None = None  # SPEC section 7: set by scorecard.publish when the period is published
    restated: bool | None = None

    @property
    def change(self) -> str | None:
        return change_between(self.previous.rag if self.previous else None, self.result.rag)

    def heading(self, column: str) -> str:
        """A breakdown column's heading, the same in every view ("age band", never `age_band`)."""
        return self.styles[column].heading if column in self.styles else column.replace("_", " ")

    def ordered(self, column: str) -> list[GroupValue]:
        """A breakdown's groups in the column's declared order (the JSON keeps them sorted by name)."""
        groups = self.breakdowns[column]
        if column not in self.styles:
            return list(groups)
        return sorted(groups, key=lambda g: self.styles[column].sort_key(g.group))

    def to_json(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": self.id, "period": self.period, "title": self.title, "section": self.section,
            "definition": self.definition, "owner": self.owner, "notes": self.notes, "unit": self.unit,
            "polarity": self.polarity, "window": self.window, "calc": self.calc,
            "value": r.value, "numerator": r.numerator, "denominator": r.denominator,
            "target": r.target, "floor": r.floor, "rag": r.rag, "warnings": list(self.warnings),
            "previous": ({"period": self.previous.period, "value": self.previous.value, "rag": self.previous.rag}
                         if self.previous else None),
            "change": self.change,
            "trend": [{"period": t.period, "value": t.value, "rag": t.rag} for t in self.trend],
            "breakdowns": {k: [g.to_json() for g in v] for k, v in self.breakdowns.items()},
            "cohorts": {k: c.to_json() for k, c in self.cohorts.items()},
            "comparators": dict(self.comparators),
            "spc": self.spc.to_json() if self.spc else None,
            "since": self.since,
            "thresholds": self.thresholds.to_json() if self.thresholds else None,
            "outside": {k: o.to_json() for k, o in self.outside.items()},
            "movement": self.movement.to_json() if self.movement else None,
            "year_end": self.year_end.to_json() if self.year_end else None,
            "comparator_details": {k: dict(v) for k, v in self.comparator_details.items()},
            "published": self.published.to_json() if self.published else None,
            "restated": self.restated,
        }


def explain(engine: Engine, measure_id: str, period: str | None = None, since: str | None = None) -> Explanation:
    """The drill-down; `since` (the last report's period, default the month before) for the rolling movement."""
    m = engine.measure(measure_id)
    period = engine.resolve_period(period)
    month = month_number(period)
    since_month = check_since(period, since) if since is not None else month - 1
    series = engine.series(m.id, month - 1, month)
    grid = engine.grid_for(month - 1, month)
    data = engine.datasets[m.dataset]

    first = data.first_month if data.first_month is not None else month
    trend = [series.at(mo) for mo in range(max(first, grid.first), month + 1) if m.active(mo)]
    while trend and trend[0].value is None:
        trend.pop(0)

    breakdowns: dict[str, list[GroupValue]] = {}
    cohorts: dict[str, CohortImpact] = {}
    queries: list[tuple[str, str, Query]] = []
    if engine.missing_reason(m) is None:
        queries += [("breakdown", b, Query(m, groups=(b,))) for b in m.breakdowns]
        for cid, cohort in engine.config.cohorts.items():
            if sql_columns(cohort.where) <= set(data.config.schema):
                queries.append(("excluding", cid, Query(m, condition=cohort.where, negate=True)))
                queries.append(("only", cid, Query(m, condition=cohort.where)))
    index = grid.index(month)
    plans = [aggregate(q, data, grid, at=index) for _, _, q in queries]
    frames = pl.collect_all(plans, engine=collect_engine(data)) if queries else []
    parts: dict[str, dict[str, PeriodResult]] = {}
    part_bases: dict[str, dict[str, int]] = {}
    low_base = engine.config.organisation.low_base
    for (kind, name, q), frame in zip(queries, frames, strict=True):
        if kind == "breakdown":
            found = engine.finish_at(q, frame, grid, index)
            groups = []
            style = engine.config.explain.style(name)
            for gkey, (r, base) in found.items():
                groups.append(GroupValue(gkey[0], r.value, r.numerator, r.denominator, r.rag,
                                         base < low_base, style.label(gkey[0]), base))
            groups = [g for g in groups if _has_rows(g)]
            groups.sort(key=lambda g: (g.group is None, "" if g.group is None else str(g.group)))
            breakdowns[name] = groups
        else:
            r, base = engine.finish_at(q, frame, grid, index, force_group=())[()]
            parts.setdefault(name, {})[kind] = r
            part_bases.setdefault(name, {})[kind] = base
    for cid, halves in parts.items():
        cohorts[cid] = CohortImpact(cid, engine.config.cohorts[cid].label, halves["excluding"], halves["only"],
                                    part_bases[cid]["excluding"], part_bases[cid]["only"])

    rated = series.at(month).target is not None
    spc = xmr([t.period for t in trend], [t.value for t in trend], m.polarity if rated else None,
              series.at(month).target, m.spc_screen_outliers)
    previous = series.at(month - 1) if m.active(month - 1) else None
    options = engine.config.explain.of(m.id)
    styles = {c: engine.config.explain.style(c) for c in dict.fromkeys([*m.breakdowns, *options.outside_by])}
    return Explanation(
        id=m.id, period=period, title=m.title, section=m.section, definition=m.definition, owner=m.owner,
        notes=m.notes, unit=m.unit, polarity=m.polarity, decimals=m.decimals, window=m.window, calc=m.calc,
        result=series.at(month), previous=previous, warnings=engine.period_warnings(series, month), trend=trend,
        breakdowns=breakdowns, cohorts=cohorts, comparators=engine.comparators.at(m.id, month), spc=spc,
        since=period_of(since_month), styles=styles,
        thresholds=thresholds(engine, m, month, options),
        outside=why_outside(engine, m, month, options, styles),
        movement=rolling_movement(engine, m, month, since_month),
        year_end=year_end(engine, m, month),
        comparator_details=engine.comparators.details_at(m.id, month),
    )


def _has_rows(g: GroupValue) -> bool:
    return not (g.value in (None, 0.0) and not g.numerator and not g.denominator)


__all__ = ["CohortImpact", "Explanation", "GroupValue", "explain", "period_of"]
