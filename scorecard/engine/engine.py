"""The engine's front door: load a config and its data once, then answer rate, changes and trend.

Views (command line, terminal UI, report, alerts) ask an `Engine` for results and never compute
measures themselves. All measures are computed together, for every period of the grid, the first
time anything is asked; switching period afterwards costs nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from . import batch
from .calendar import PERIOD_FORM, Calendar, month_number, month_of_date, period_of
from .comparators import Comparators, load_comparators
from .config import load_config
from .config_model import Config, Measure
from .config_sql import sql_columns
from .coverage import Coverage, DatasetCoverage, compute_coverage, day_words, measure_datasets, month_words
from .datasets import DataProblem, LoadedDataset, load_datasets, problem_lines
from .gcpause import collector_paused
from .grid import P, PeriodGrid, Query
from .lookup import UsageError as UsageError
from .lookup import measure_of, scorecard_of
from .rating import band, round_half_away
from .results import (
    COLOURED,
    BandChange,
    BandChanges,
    MeasureRating,
    MeasureTrend,
    PeriodResult,
    ScorecardRating,
    Summary,
    Trend,
    change_between,
)
from .today import TodayError, today_in

GroupKey = tuple[Any, ...]


@dataclass
class MeasureSeries:
    """A measure in every period of the grid."""

    measure: Measure
    first_month: int  # the grid's first month: results[i] is month first_month + i
    results: list[PeriodResult]
    base: list[int]  # rows (or values, or children) behind each value: for low-base flags
    warnings: list[str] = field(default_factory=list)
    data_notes: list[str] = field(default_factory=list)  # problems found while computing (also in warnings)

    def at(self, month: int) -> PeriodResult:
        return self.results[month - self.first_month]


class Engine:
    def __init__(self, config: Config, today: dt.date | None = None):
        self.config = config
        org = config.organisation
        self.calendar = Calendar(org.working_days, org.financial_year_start_month)
        if today is None:
            try:
                today = today_in(org.timezone)
            except TodayError as e:
                raise UsageError(str(e)) from None
        self.today = today
        self.today_month = month_of_date(self.today)
        # the years most data falls in (the last ten and the next two, as the grid's snapshot dates and a
        # working-days derive ask for them), worked out while the files are read
        with collector_paused():
            self.calendar.prefetch_holidays(today.year - 11, today.year + 2)
            self.datasets: dict[str, LoadedDataset] = load_datasets(
                config, self.calendar, self.today_month, keep_rows=False)
        self.comparators: Comparators = load_comparators(config)
        # SPEC section 7: what each measure dataset covers; the latest period with data is the latest
        # month any of them covers, never past an `as_at` nor today
        self.coverage: Coverage = compute_coverage(config, self.datasets, self.today)
        firsts = [d.first_month for d in self.datasets.values() if d.first_month is not None]
        self.first_month: int | None = min(firsts) if firsts else None
        self.last_month: int | None = self.coverage.latest_month
        if self.first_month is not None and self.last_month is not None and self.first_month > self.last_month:
            self.first_month = self.last_month
        self._gaps: dict[tuple[str, str, int], str | None] = {}
        self._grid: PeriodGrid | None = None
        self._series: dict[str, MeasureSeries] = {}
        self._population: dict[tuple[str, str | None], dict[GroupKey, list[float | None]]] = {}

    @classmethod
    def load(cls, path: Path | str, today: dt.date | None = None) -> Engine:
        return cls(load_config(path), today)

    # -- data problems ----------------------------------------------------------------------
    @property
    def problems(self) -> list[DataProblem]:
        out = [p for d in self.datasets.values() for p in d.problems]
        return out + self.comparators.problems

    @property
    def has_problems(self) -> bool:
        """Data problems in the files, or in what was computed from them so far (a value measure
        with two rows for one period)."""
        if self.problems or any(d.left_out or d.missing for d in self.datasets.values()):
            return True
        return any(s.data_notes for s in self._series.values())

    def problem_lines(self) -> list[str]:
        lines = problem_lines(self.problems)
        lines += [f"measure {s.measure.id}: {note}" for s in self._series.values() for note in s.data_notes]
        for d in self.datasets.values():
            listed = sum(1 for p in d.problems if p.row is not None)
            if d.rows_left_out > listed:
                lines.append(f"{d.left_out_warning()} (the first {listed} are listed above)")
        return lines

    # -- periods ------------------------------------------------------------------------------
    def latest_period(self) -> str | None:
        return period_of(self.last_month) if self.last_month is not None else None

    def first_period(self) -> str | None:
        return period_of(self.first_month) if self.first_month is not None else None

    def data_periods(self) -> list[str]:
        """Every period from the first to the last with any data."""
        if self.first_month is None or self.last_month is None:
            return []
        return [period_of(m) for m in range(self.first_month, self.last_month + 1)]

    @staticmethod
    def previous_period(period: str) -> str:
        return period_of(month_number(period) - 1)

    def resolve_period(self, period: str | None) -> str:
        if period is None:
            latest = self.latest_period()
            if latest is None:
                raise UsageError("no dataset has any data yet, so there is no latest period: give --period")
            return latest
        try:
            month = month_number(period)
        except ValueError:
            raise UsageError(f"{period!r} is not a period ({PERIOD_FORM})") from None
        if self.last_month is not None and month > self.last_month:
            extract = self.coverage.extract_date
            raise UsageError(f"{period} is after {month_words(self.last_month)}, the latest period with data"
                             + (f" (extract of {day_words(extract)})" if extract else ""))
        return period

    # -- coverage (SPEC section 7) ----------------------------------------------------------
    def dataset_coverage(self, scorecard_id: str | None = None) -> list[DatasetCoverage]:
        """The coverage of the datasets a scorecard's measures read (all measure datasets without one)."""
        if scorecard_id is None:
            names = measure_datasets(self.config)
        else:
            used = {m.dataset for m in self.scorecard_measures(scorecard_id)}
            names = [n for n in measure_datasets(self.config) if n in used]
        return [self.coverage.datasets[n] for n in names]

    def coverage_words(self, scorecard_id: str | None = None) -> str:
        """`episodes: April 2017 to March 2022, extract of 3 April 2022; ...`."""
        return "; ".join(c.describe() for c in self.dataset_coverage(scorecard_id))

    def coverage_gap(self, m: Measure, month: int) -> str | None:
        """Why the measure has no value in the month because its data does not cover it, or None."""
        key = (m.dataset, m.window, month)  # all that `Coverage.gap` reads of the measure
        if key not in self._gaps:
            self._gaps[key] = self.coverage.gap(m, month, self.calendar)
        return self._gaps[key]

    def period_warnings(self, series: MeasureSeries, month: int) -> list[str]:
        """The measure's warnings as they stand in one period: its data's, and a coverage gap."""
        gap = self.coverage_gap(series.measure, month)
        return [gap, *series.warnings] if gap else list(series.warnings)

    def scorecard_measures(self, scorecard_id: str | None, month: int | None = None) -> list[Measure]:
        sc = self.scorecard(scorecard_id)
        return [
            m for m in self.config.measures
            if sc.id in m.scorecards and (month is None or m.active(month))
        ]

    def scorecard(self, scorecard_id: str | None):
        return scorecard_of(self.config, scorecard_id)

    def measure(self, measure_id: str) -> Measure:
        """A measure by its id, without regard to case; an unknown id names the closest ones."""
        return measure_of(self.config, measure_id)

    # -- the grid -----------------------------------------------------------------------------
    def grid_for(self, *months: int) -> PeriodGrid:
        """The grid of periods computed, grown (and everything recomputed) to hold `months`."""
        wanted = [m for m in months if m is not None]
        base = [self.first_month, self.last_month] if self.first_month is not None else []
        lo = min(wanted + base) if wanted + base else self.today_month
        hi = max(wanted + base) if wanted + base else self.today_month
        g = self._grid
        if g is None or lo < g.first or hi > g.last:
            if g is not None:
                lo, hi = min(lo, g.first), max(hi, g.last)
            self._grid = PeriodGrid.build(lo, hi, self.calendar)
            self._series.clear()
            self._population.clear()
        assert self._grid is not None
        return self._grid

    # -- computing ----------------------------------------------------------------------------
    def series(self, measure_id: str, *months: int) -> MeasureSeries:
        grid = self.grid_for(*months)
        if measure_id not in self._series:
            self._compute([m for m in self.config.measures if m.id not in self._series], grid)
        return self._series[measure_id]

    def _compute(self, measures: list[Measure], grid: PeriodGrid) -> None:
        with collector_paused():  # the collector's scans of every object the imports left, out of the way
            self._compute_paused(measures, grid)

    def _compute_paused(self, measures: list[Measure], grid: PeriodGrid) -> None:
        todo: list[Measure] = []
        for m in measures:
            if self.missing_reason(m) is None:
                todo.append(m)
            else:
                self._series[m.id] = self._unavailable(m, grid)
        # Every measure's plan at once (batch.py: one plan per small dataset, one per measure of a large
        # one, collected in turn: polars already runs each on every core; bench/README.md)
        computed = batch.compute([Query(m) for m in todo], self.datasets, grid)
        for m, found in zip(todo, computed, strict=True):
            if isinstance(found, pl.DataFrame):
                results, base, notes = self.finish(Query(m), found, grid, force_group=())[()]
            else:
                results, base, notes = self.finish_rows(Query(m), {(): found}, grid)[()]
            self._series[m.id] = MeasureSeries(m, grid.first, results, base, self.warnings_for(m) + notes, notes)

    def _unavailable(self, m: Measure, grid: PeriodGrid) -> MeasureSeries:
        results = []
        for i in range(grid.count):
            target, floor = m.targets_at(grid.first + i)
            results.append(PeriodResult(period_of(grid.first + i), None, None, None, target, floor,
                                        band(None, target, floor, m.polarity)))
        reason = self.missing_reason(m)
        return MeasureSeries(m, grid.first, results, [0] * grid.count,
                             [f"no data: {reason}", *self.warnings_for(m)])

    def missing_reason(self, m: Measure) -> str | None:
        """Why a measure cannot be computed at all (a missing file or column it needs), or None."""
        data = self.datasets[m.dataset]
        ds = data.config
        used = set(ds.window_columns) | {j.left for j in ds.joins}
        for text in (m.where, m.numerator):
            used |= sql_columns(text) if text else set()
        if m.value:
            used |= {m.value} if m.calc == "value" else sql_columns(m.value)
        if m.distinct:
            used.add(m.distinct)
        for col in sorted(used):
            for source in sorted(ds.sources.get(col, set())):
                if source in data.missing:
                    return data.missing[source]
        if m.population:
            pop = self.datasets[m.population]
            for col in (pop.config.period, "value"):
                if col and (m.population, col) in pop.missing:
                    return pop.missing[(m.population, col)]
        return None

    def warnings_for(self, m: Measure) -> list[str]:
        names = [m.dataset] + [j.dataset for j in self.datasets[m.dataset].config.joins]
        if m.population:
            names.append(m.population)
        out = []
        for n in dict.fromkeys(names):
            w = self.datasets[n].left_out_warning()
            if w:
                out.append(w)
        comparator_warning = self.comparators.left_out_warning(m.id)
        if comparator_warning:
            out.append(comparator_warning)
        return out

    def population(self, name: str, group: str | None, grid: PeriodGrid) -> dict[GroupKey, list[float | None]]:
        """The population in force in each period (latest row at or before it), per group."""
        key = (name, group)
        if key not in self._population:
            data = self.datasets[name]
            ds = data.config
            assert ds.period
            groups = [group] if group else []
            totals = (
                data.frame.group_by([ds.period, *groups]).agg(pl.col("value").cast(pl.Float64).sum())
                .sort(ds.period)
            )
            found: dict[GroupKey, list[float | None]] = {}
            for row in totals.iter_rows(named=True):
                month = month_number(row[ds.period])
                gkey = tuple(row[g] for g in groups)
                values = found.setdefault(gkey, [None] * grid.count)
                start = max(month - grid.first, 0)
                for i in range(start, grid.count):
                    values[i] = row["value"]
            self._population[key] = found
        return self._population[key]

    def _population_for(self, q: Query, gkey: GroupKey, grid: PeriodGrid) -> list[float | None] | None:
        """For a rate: the population of each period for this group (None: no population applies).

        The whole measure and a cohort use the whole population; a breakdown group uses its own
        when the population dataset has the breakdown's column, and has none otherwise."""
        m = q.measure
        if m.calc != "rate" or not m.population:
            return None
        if not q.groups:
            return self.population(m.population, None, grid).get(())
        if q.groups[0] in self.datasets[m.population].config.schema:
            return self.population(m.population, q.groups[0], grid).get(gkey)
        return None

    def finish(
        self, q: Query, frame: pl.DataFrame, grid: PeriodGrid, force_group: GroupKey | None = None
    ) -> dict[GroupKey, tuple[list[PeriodResult], list[int], list[str]]]:
        """Raw aggregates -> rounded, rated results per group, for every period of the grid."""
        return self.finish_rows(q, _by_group(q, frame, force_group), grid)

    def finish_at(
        self, q: Query, frame: pl.DataFrame, grid: PeriodGrid, index: int, force_group: GroupKey | None = None
    ) -> dict[GroupKey, tuple[PeriodResult, int]]:
        """`finish` in one period (a drill-down's, by its index on the grid): per group, the result and the rows
        (or children, or values) behind it."""
        found = self.finish_rows(q, _by_group(q, frame, force_group), grid, only=index)
        return {gkey: (results[0], bases[0]) for gkey, (results, bases, _notes) in found.items()}

    def finish_rows(
        self, q: Query, raw: dict[GroupKey, dict[int, dict[str, Any]]], grid: PeriodGrid, only: int | None = None
    ) -> dict[GroupKey, tuple[list[PeriodResult], list[int], list[str]]]:
        """`finish` from the aggregates per group and period index; with `only`, of that period index alone."""
        m = q.measure
        out: dict[GroupKey, tuple[list[PeriodResult], list[int], list[str]]] = {}
        indices = range(grid.count) if only is None else range(only, only + 1)
        periods = grid.periods
        targets = {i: m.targets_at(grid.first + i) for i in indices}
        gaps = {i: bool(self.coverage_gap(m, grid.first + i)) for i in indices}
        for gkey, by_period in raw.items():
            results: list[PeriodResult] = []
            bases: list[int] = []
            notes: list[str] = []
            pop_values = self._population_for(q, gkey, grid)
            for i in indices:
                target, floor = targets[i]
                if gaps[i]:  # outside coverage: no value, never a 0
                    results.append(PeriodResult(periods[i], None, None, None, target, floor,
                                                band(None, target, floor, m.polarity)))
                    bases.append(0)
                    continue
                row = by_period.get(i, {})
                population = pop_values[i] if pop_values is not None else None
                value, num, den, base, note = _value(m, row, population)
                if note:
                    notes.append(f"{periods[i]}: {note}")
                value = round_half_away(value, m.decimals)
                results.append(PeriodResult(periods[i], value, num, den, target, floor,
                                            band(value, target, floor, m.polarity)))
                bases.append(base)
            out[gkey] = (results, bases, notes)
        return out

    # -- answers --------------------------------------------------------------------------------
    def result(self, measure_id: str, period: str) -> PeriodResult:
        month = month_number(period)
        return self.series(measure_id, month).at(month)

    def rate(self, scorecard_id: str | None = None, period: str | None = None) -> ScorecardRating:
        sc = self.scorecard(scorecard_id)
        period = self.resolve_period(period)
        month = month_number(period)
        self.grid_for(month - 1, month)
        rows: list[MeasureRating] = []
        for m in self.scorecard_measures(sc.id, month):
            series = self.series(m.id, month - 1, month)
            now = series.at(month)
            before = series.at(month - 1) if m.active(month - 1) else None
            rows.append(MeasureRating(
                id=m.id, title=m.title, section=m.section, unit=m.unit, polarity=m.polarity,
                decimals=m.decimals, owner=m.owner, definition=m.definition, period=period,
                value=now.value, numerator=now.numerator, denominator=now.denominator,
                target=now.target, floor=now.floor, rag=now.rag, previous=before,
                change=change_between(before.rag if before else None, now.rag),
                comparators=self.comparators.at(m.id, month),
                warnings=self.period_warnings(series, month),
            ))
        rated = [r for r in rows if r.target is not None]
        summary = Summary(
            measures=len(rows), rated=len(rated),
            green=sum(r.rag == "green" for r in rated), amber=sum(r.rag == "amber" for r in rated),
            red=sum(r.rag == "red" for r in rated), no_data=sum(r.rag == "no_data" for r in rated),
        )
        return ScorecardRating(sc.id, sc.title, period, summary, rows, self.dataset_coverage(sc.id))

    def changes(self, scorecard_id: str | None, from_period: str, to_period: str,
                published_before: dict[str, tuple[float | None, Any]] | None = None) -> BandChanges:
        """Band changes between two periods. `published_before`, when given, holds the earlier period's figures
        as published (measure id -> value, band; SPEC section 7) in place of the live ones: a measure
        it does not hold is left out."""
        sc = self.scorecard(scorecard_id)
        a, b = self.resolve_period(from_period), self.resolve_period(to_period)
        ma, mb = month_number(a), month_number(b)
        self.grid_for(ma, mb)
        improved: list[BandChange] = []
        declined: list[BandChange] = []
        for m in self.scorecard_measures(sc.id):
            if not (m.active(ma) and m.active(mb)):
                continue
            series = self.series(m.id, ma, mb)
            before, after = series.at(ma), series.at(mb)
            if published_before is not None:
                if m.id not in published_before:
                    continue
                value, rag = published_before[m.id]
                before = PeriodResult(a, value, None, None, None, None, rag)
            change = change_between(before.rag, after.rag)
            if change in (None, "unchanged"):
                continue
            assert before.rag in COLOURED and after.rag in COLOURED
            entry = BandChange(m.id, m.title, m.section, m.unit, m.decimals, before.rag, after.rag,
                               before.value, after.value, after.target, after.floor, change)
            (improved if change == "improved" else declined).append(entry)
        return BandChanges(sc.id, a, b, improved, declined)

    def trend(self, scorecard_id: str | None = None) -> Trend:
        sc = self.scorecard(scorecard_id)
        periods = self.data_periods()
        months = [month_number(p) for p in periods]
        self.grid_for(*months)
        out: list[MeasureTrend] = []
        for m in self.scorecard_measures(sc.id):
            series = self.series(m.id)
            values: list[float | None] = []
            rags: list[Any] = []
            for month in months:
                r = series.at(month)
                active = m.active(month)
                values.append(r.value if active else None)
                rags.append(r.rag if active else None)
            out.append(MeasureTrend(m.id, m.title, m.section, values, rags, m.decimals, m.unit))
        return Trend(sc.id, periods, out)


def _by_group(q: Query, frame: pl.DataFrame, force_group: GroupKey | None) -> dict[GroupKey, dict[int, dict[str, Any]]]:
    """A frame of aggregates as rows per group and period index (`force_group`: a group there even with no rows)."""
    groups = list(q.groups)
    raw: dict[GroupKey, dict[int, dict[str, Any]]] = {}
    for row in frame.iter_rows(named=True):
        raw.setdefault(tuple(row[g] for g in groups), {})[row[P]] = row
    if force_group is not None:
        raw.setdefault(force_group, {})
    return raw


def _number(x: float | None) -> int | float | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)


def _value(
    m: Measure, row: dict[str, Any], population: float | None
) -> tuple[float | None, int | float | None, int | float | None, int, str | None]:
    """value, numerator, denominator, rows behind it, and a note when the data is wrong."""
    rows = int(row.get("rows") or 0)
    num = int(row.get("num") or 0)
    vcnt = int(row.get("vcnt") or 0)
    if m.calc == "count":
        return float(rows), None, None, rows, None
    if m.calc == "percent":
        return (100.0 * num / rows if rows else None), num, rows, rows, None
    if m.calc in ("mean", "sum", "median"):
        if not vcnt:
            return None, None, 0, 0, None
        vsum = float(row.get("vsum") or 0.0)
        value = vsum / vcnt if m.calc == "mean" else vsum if m.calc == "sum" else row.get("med")
        return value, None, vcnt, vcnt, None
    if m.calc == "rate":
        assert m.per is not None
        if not population:
            return None, rows, _number(population), rows, None
        return rows * m.per / population, rows, _number(population), rows, None
    # value: the single row of the period
    if rows == 0:
        return None, None, None, 0, None
    if rows > 1:
        return None, None, None, rows, f"{rows} rows of {m.dataset} for this period after where; a value measure needs one"
    return row.get("vval"), _number(row.get("vnum")), _number(row.get("vden")), 1, None
