"""The committee paper as data: everything a report shows, asked of the engine, nothing computed here.

`build_paper` gathers, for one scorecard and period: the rating (the same `Engine.rate` the
`scorecard rate` command prints), band changes since the previous report (`Engine.changes`),
measures added or removed since then (the config's `introduced`/`retired`), an exception page
for every Red measure (`explain` and the period's commentary), the impact of each configured
cohort, and the full table by section with each measure's recent trend. The Markdown and HTML
writers only lay this out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..commentary import Commentary, CommentaryStore, ExceptionPage, section_key
from ..engine.calendar import month_number
from ..engine.config import Measure
from ..engine.coverage import DatasetCoverage
from ..engine.engine import Engine, UsageError
from ..engine.explain import CohortImpact, Explanation
from ..engine.explain_summary import Gap, Movement, activity_since, significantly_away
from ..engine.results import BandChange, MeasureRating, PeriodResult, Summary
from ..publish.store import PublicationStore
from ..store.answers import explain_of

TREND_POINTS = 13  # months in each table sparkline: this month and the same month a year ago
CHART_POINTS = 25  # months in an exception page's trend chart
TABLE_POINTS = 13  # months in an exception page's trend table
WINDOW_ORDER = ("snapshot", "month", "ytd", "rolling12")


@dataclass(frozen=True)
class MeasureRef:
    """A measure named in the summary (added or removed since the previous report)."""

    id: str
    title: str
    section: str


@dataclass(frozen=True)
class ChangeItem:
    """A measure whose band changed since the previous report, with the analyst's note if any."""

    change: BandChange
    commentary: Commentary | None
    explanation: Explanation | None = None  # what moved it (a rolling figure's months in and out)


@dataclass(frozen=True)
class CohortRow:
    rating: MeasureRating
    impact: CohortImpact


@dataclass(frozen=True)
class CohortPage:
    """One configured cohort: every measure on the scorecard whose data has the cohort's columns."""

    id: str
    label: str
    rows: list[CohortRow]


@dataclass(frozen=True)
class TableRow:
    rating: MeasureRating
    trend: list[PeriodResult]  # the last TREND_POINTS periods of the measure's trend, oldest first


@dataclass(frozen=True)
class Section:
    name: str
    rows: list[TableRow]
    overview: Commentary | None = None  # the lead officer's overview of the section (issue 16)


@dataclass(frozen=True)
class Paper:
    organisation: str
    scorecard_id: str
    scorecard_title: str
    scorecard_description: str | None
    period: str
    since: str  # the previous report's period: band changes and added/removed measures are since then
    previous_period: str  # the month before `period`: the table's "previous" column (as `scorecard rate`)
    financial_year_start_month: int
    windows: list[str]  # the windows the scorecard's measures use, in WINDOW_ORDER
    summary: Summary
    added: list[MeasureRef]
    removed: list[MeasureRef]
    improved: list[ChangeItem]
    declined: list[ChangeItem]
    exceptions: list[ExceptionPage]
    cohorts: list[CohortPage]
    sections: list[Section]
    warnings: list[tuple[str, str]]  # (measure id, warning) for the measures on the paper
    problems: list[str]  # data problems the engine found, one line each
    # issue 16: the explanations the papers write by hand
    activity: list[Movement] = field(default_factory=list)  # activity counts since the last report
    away: list[Gap] = field(default_factory=list)  # measures significantly away from target
    explanations: dict[str, Explanation] = field(default_factory=dict)  # every measure's, by id
    public: bool = False  # [report] classification "Unrestricted": small cells suppressed
    low_base: int = 5
    published_before: dict[str, tuple[float | None, str | None]] = field(default_factory=dict)  # the last report's, as published
    datasets: list[DatasetCoverage] = field(default_factory=list)  # what the data covers (SPEC section 7)

    @property
    def ratings(self) -> list[MeasureRating]:
        return [row.rating for s in self.sections for row in s.rows]


def build_paper(engine: Engine, period: str | None, scorecard_id: str | None, since: str | None) -> Paper:
    """The paper for a scorecard and period; `since` defaults to the period before.

    Raises `UsageError` for an unknown scorecard, a malformed period, or `since` not before `period`."""
    rating = engine.rate(scorecard_id, period)
    period = rating.period
    published_before = None
    if since is None:  # SPEC section 7: since the last report, with its figures as published
        last = PublicationStore(engine.config.state_path).latest_before(rating.scorecard, period)
        since = last.period if last is not None else engine.previous_period(period)
        if last is not None:
            published_before = {k: (f.value, f.rag) for k, f in last.figures.items()}
    else:
        since = engine.resolve_period(since)
    month, since_month = month_number(period), month_number(since)
    if since_month >= month:
        raise UsageError(f"--since {since} must be before the report's period {period}")

    changes = engine.changes(rating.scorecard, since, period, published_before)
    notes = CommentaryStore(engine.config.state_path).for_period(period)
    explained = {m.id: explain_of(engine, m.id, period, since=since) for m in rating.measures}
    measures = {m.id: m for m in engine.config.measures}

    on_card = engine.scorecard_measures(rating.scorecard)
    added = [_ref(m) for m in on_card if m.active(month) and not m.active(since_month)]
    removed = [_ref(m) for m in on_card if m.active(since_month) and not m.active(month)]

    used_windows = {measures[r.id].window for r in rating.measures}
    cohorts = []
    for cid, cohort in engine.config.cohorts.items():
        rows = [CohortRow(r, explained[r.id].cohorts[cid]) for r in rating.measures if cid in explained[r.id].cohorts]
        cohorts.append(CohortPage(cid, cohort.label, rows))

    sections: list[Section] = []
    by_name: dict[str, Section] = {}
    for r in rating.measures:
        if r.section not in by_name:
            by_name[r.section] = Section(r.section, [], notes.get(section_key(r.section)))
            sections.append(by_name[r.section])
        by_name[r.section].rows.append(TableRow(r, explained[r.id].trend[-TREND_POINTS:]))

    sc = engine.scorecard(rating.scorecard)
    return Paper(
        organisation=engine.config.organisation.name,
        scorecard_id=rating.scorecard,
        scorecard_title=rating.title,
        scorecard_description=sc.description,
        period=period,
        since=since,
        previous_period=engine.previous_period(period),
        financial_year_start_month=engine.config.organisation.financial_year_start_month,
        windows=[w for w in WINDOW_ORDER if w in used_windows],
        summary=rating.summary,
        added=added,
        removed=removed,
        improved=[ChangeItem(c, notes.get(c.id), explained.get(c.id)) for c in changes.improved],
        declined=[ChangeItem(c, notes.get(c.id), explained.get(c.id)) for c in changes.declined],
        exceptions=[ExceptionPage(r, explained[r.id], notes.get(r.id)) for r in rating.measures if r.rag == "red"],
        cohorts=cohorts,
        sections=sections,
        warnings=[(r.id, w) for r in rating.measures for w in r.warnings],
        problems=engine.problem_lines() if engine.has_problems else [],
        activity=activity_since(engine, rating, since, published_before),
        published_before=published_before or {},
        away=significantly_away(rating, engine.config.explain.significant_share),
        explanations=explained,
        public=engine.config.explain.public,
        low_base=engine.config.organisation.low_base,
        datasets=list(rating.datasets),
    )


def _ref(m: Measure) -> MeasureRef:
    return MeasureRef(m.id, m.title, m.section)
