"""The terminal UI's only door to the engine.

Every method blocks and is called from worker threads, never from the UI thread. Answers come
through `Results` (scorecard/store/): kept in this process and between runs, per scorecard and
period and per measure and period, so going back to a screen costs nothing; `Results` keeps the
engine (which fills its caches as it is asked) to one caller at a time.
The UI computes no measure: every figure it shows comes from here, as the engine gave it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ..commentary import Commentary, CommentaryStore, ExceptionPage
from ..engine.periods import month_number, period_of
from ..engine.results import BandChanges, ScorecardRating, Summary
from ..publish.restate import annotate, explain_with_publications
from ..publish.store import PublicationStore
from ..statefile import StateFileError
from ..store import Results

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..engine.config import Config
    from ..engine.engine import Engine  # imported when the engine loads: a start from the results store never does
    from ..engine.explain import Explanation
    from .firststart import FirstScreenChild

SPARK_PERIODS = 12
T = TypeVar("T")
HEADING = "tui.heading"  # the store's question: what the first screen shows of the config (`Heading`)
Heading = tuple[str, str, str, str]  # organisation, first scorecard's id, its title, the state file


def heading_of(config: Config) -> Heading:
    first = config.scorecards[0] if config.scorecards else None
    return (config.organisation.name, first.id if first else "", first.title if first else "", str(config.state_path))


@dataclass(frozen=True)
class ScorecardView:
    """Everything the scorecard screen shows for one scorecard and period."""

    organisation: str
    rating: ScorecardRating
    spark_periods: list[str]  # the 12 periods ending with the period, oldest first
    sparks: dict[str, list[float | None]]  # measure id -> its values in spark_periods (None: no value)
    comparator_names: list[str]  # every comparator any measure has, in order of first appearance
    commentary: dict[str, Commentary]  # measure id -> its latest commentary for the period
    periods: list[str]  # every period with data
    problems: list[str]  # data problems found so far


@dataclass(frozen=True)
class PublishPlan:
    """What `publish` from the terminal UI would freeze, shown for confirmation."""

    scorecard: str
    title: str
    period: str
    summary: Summary
    measures: int
    commentary: int
    files: int
    version: int | None  # the latest version already published, or None
    problems: int  # data problems found: publishing records them (as --force)


@dataclass(frozen=True)
class DrillView:
    explanation: Explanation
    commentary: Commentary | None
    history: list[Commentary]


class EngineService:
    def __init__(self, config: Config | None, today: dt.date | None = None,
                 engine_factory: Callable[[Config, dt.date | None], Engine] | None = None, *,
                 results: Results | None = None, heading: Heading | None = None, child: FirstScreenChild | None = None):
        """`config`: the config, loaded; or None with `results` (not yet read its config) and the `heading`
        the store kept for it (`app.start_from_store`: the config is read when first needed, behind the
        first screen). `child`: a process rating the first screen into the results store (`firststart`):
        every question waits for it to end, then finds the first screen's answers in the store (or, if
        it failed, has them computed here)."""
        self._config = config
        self.today = today
        self._child = child
        self._child_lock = threading.Lock()
        # The engine's answers, kept between runs (scorecard/store/): on unchanged data the first screen
        # comes from the store and the engine loads behind it, for what the store does not hold.
        if results is None:
            assert config is not None
            results = Results.of_config(config, today, engine_factory)
        self._results = results
        if heading is None:
            assert config is not None
            heading = heading_of(config)
            if heading[1]:
                results.keep(HEADING, (), heading)  # the next start on this config, data and day needs no config
        self.heading = heading
        self._drill_views: dict[tuple[str, str], DrillView] = {}
        # a drill-down computed before a publication or a commentary changed it is not kept: each change
        # moves the epoch on, and a view is kept only when the epoch it started in is still the epoch
        self._views_lock = threading.Lock()
        self._views_epoch = 0
        self._preload: threading.Thread | None = None
        state = Path(heading[3])
        self.commentary = CommentaryStore(state)
        self.publications = PublicationStore(state)
        self.state_problem: str | None = None  # why the state file could not be read, last time it was

    @property
    def results(self) -> Results:
        """The engine's answers, once the first start's child process (if any) has kept the first screen's;
        until the child ends, what the store does not hold yet waits for it (`Results.expect`)."""
        if self._child is not None:
            with self._child_lock:  # one thread waits for it; the others wait for that one
                child = self._child
                if child is not None:
                    if child.wait_ready():
                        self._results.expect(child.wait_done)
                    self._child = None
        return self._results

    @property
    def config(self) -> Config:
        """The config: read (and checked) when first needed when the service started from the store."""
        return self._config if self._config is not None else self._results.config

    @property
    def config_read(self) -> bool:
        return self._config is not None or self._results.config_read

    # -- the engine --------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._results.loaded

    def engine(self) -> Engine:
        return self.results.engine

    def preload(self, scorecard_id: str, period: str | None) -> threading.Thread:
        """Start rating the first screen in a thread of its own, while the UI starts up; the screen's
        worker then finds the answer ready (or waits for it). Failures are left for that worker to meet
        and show."""

        def run() -> None:
            with contextlib.suppress(Exception):  # the worker asks again and shows the error
                self.scorecard(scorecard_id, period or self.default_period())

        thread = self._preload = threading.Thread(target=run, name="scorecard-preload", daemon=True)
        thread.start()
        return thread

    def get_ready(self, scorecard_id: str, period: str | None) -> None:
        """When the first screen came from the results store, load the data and compute every measure now,
        behind the screen, for what the store does not hold (other periods, most drill-downs). Blocks: call
        it from a thread."""
        if not self.results.loaded:
            with contextlib.suppress(Exception):  # only a head start: the screens ask again and show errors
                self.results.warm(lambda engine: engine.rate(scorecard_id, period))

    def rate_first_screen(self) -> None:
        """Compute what the first screen shows (the first scorecard at the latest period) and keep it in the
        results store: the first start's child process (`firststart`) does only this."""
        self._view(self.heading[1], self.default_period())

    def prepare_next_moves(self, drills: int) -> None:
        """After `rate_first_screen`, what an analyst is likely to ask next, kept in the results store too:
        the drill-downs of the first `drills` rows (the highlighted one and those below it) and the
        previous period's scorecard."""
        period = self.default_period()
        rating = self.results.rate(self.heading[1], period)
        sections = dict.fromkeys(m.section for m in rating.measures)  # rows by section, in the screen's order
        rows = [m.id for section in sections for m in rating.measures if m.section == section]
        for measure_id in rows[:drills]:
            self.results.explain(measure_id, period)
        periods = self.results.data_periods()
        if period in periods and periods.index(period) > 0:
            self._view(self.heading[1], periods[periods.index(period) - 1])

    @property
    def preloading(self) -> bool:
        """Whether `preload` was started (it may have finished)."""
        return self._preload is not None

    def default_period(self) -> str:
        return self.results.resolve_period(None)

    def check_period(self, period: str) -> str:
        """The period, or the engine's UsageError (not YYYY-MM, or after the latest with data)."""
        return self.results.resolve_period(period)

    def periods(self) -> list[str]:
        return self.results.data_periods()

    def problems(self) -> list[str]:
        return self.results.problem_lines() if self.results.has_problems else []

    # -- answers -----------------------------------------------------------------------------
    def scorecard(self, scorecard_id: str, period: str) -> ScorecardView:
        view = self._view(scorecard_id, period)
        # Commentary and what was published are read fresh every time (an analyst may just have written
        # or published), and never stored. A state file that cannot be read leaves the live figures
        # shown, and says so among the problems.
        published = self._read(lambda: self.publications.latest(view.rating.scorecard, period), None)
        rating = annotate(self.results, view.rating, published)
        notes = self._read(lambda: self.commentary.for_period(period), {})
        problems = view.problems + ([self.state_problem] if self.state_problem else [])
        return ScorecardView(**{**view.__dict__, "rating": rating, "commentary": notes, "problems": problems})

    def _read(self, read: Callable[[], T], default: T) -> T:
        try:
            value = read()
        except StateFileError as e:
            self.state_problem = (f"{e} (commentary cannot be shown or saved; whether the figures were "
                                  "published is unknown)")
            return default
        self.state_problem = None
        return value

    def _view(self, scorecard_id: str, period: str) -> ScorecardView:
        """The screen's figures from the engine's own answers (`rate`, `trend`, the periods), which the
        command line's `scorecard rate` and `trend` share through the results store; for a period before
        the first with data, from the engine's series."""
        results = self.results
        periods = results.data_periods()
        if not periods or month_number(period) < month_number(periods[0]):
            return results.memo("tui.scorecard", (scorecard_id, period),
                                lambda engine: _scorecard_view(engine, self.config.organisation.name, scorecard_id, period))
        rating = results.rate(scorecard_id, period)
        trend = results.trend(scorecard_id)
        month = month_number(period)
        spark_periods = [period_of(month - i) for i in range(SPARK_PERIODS - 1, -1, -1)]
        index = {p: i for i, p in enumerate(trend.periods)}
        values = {m.id: m.values for m in trend.measures}
        sparks = {row.id: [values[row.id][index[p]] if p in index else None for p in spark_periods]
                  for row in rating.measures}
        names: dict[str, None] = {}
        for row in rating.measures:
            names.update(dict.fromkeys(row.comparators))
        return ScorecardView(
            organisation=self.heading[0], rating=rating, spark_periods=spark_periods, sparks=sparks,
            comparator_names=list(names), commentary={}, periods=periods,
            problems=results.problem_lines() if results.has_problems else [],
        )

    def explanation(self, measure_id: str, period: str) -> Explanation:
        e = self.results.explain(measure_id, period)
        return self._read(lambda: explain_with_publications(self.results, self.publications, e), e)

    def drill(self, measure_id: str, period: str) -> DrillView:
        """The drill-down with the commentary as it is now (read fresh), kept for `cached_drill` unless a
        publication or a commentary changed what it shows while it was being computed."""
        epoch = self._views_epoch
        e = self.explanation(measure_id, period)
        view = DrillView(e, self._read(lambda: self.commentary.latest(measure_id, period), None),
                         self._read(lambda: self.commentary.history(measure_id, period), []))
        with self._views_lock:
            if epoch == self._views_epoch:
                self._drill_views[(measure_id, period)] = view
        return view

    def _forget_drills(self, keep: Callable[[tuple[str, str]], bool]) -> None:
        with self._views_lock:
            self._views_epoch += 1
            self._drill_views = {k: v for k, v in self._drill_views.items() if keep(k)}

    def cached_drill(self, measure_id: str, period: str) -> DrillView | None:
        """A drill-down already computed (by the prefetch, say): a dictionary look-up, safe on the UI thread."""
        return self._drill_views.get((measure_id, period))

    def changes(self, scorecard_id: str, from_period: str, to_period: str) -> BandChanges:
        return self.results.changes(scorecard_id, from_period, to_period)

    def exceptions(self, scorecard_id: str, period: str) -> tuple[ScorecardView, list[ExceptionPage]]:
        view = self.scorecard(scorecard_id, period)
        items = [
            ExceptionPage(row, self.explanation(row.id, period), view.commentary.get(row.id))
            for row in view.rating.measures
            if row.rag == "red"
        ]
        return view, items

    # -- publication (SPEC section 7) ------------------------------------------------------------
    def publish_plan(self, scorecard_id: str, period: str) -> PublishPlan:
        """What publishing the scorecard for the period would freeze."""
        from ..engine.datasets import dataset_files  # not at the top: the first screen from the store loads no engine

        view = self.scorecard(scorecard_id, period)
        existing = self.publications.latest(scorecard_id, period)
        paths = {p for ds in self.config.datasets.values() for p in dataset_files(self.config, ds.file)}
        comparators = self.config.comparators_file
        files = len(paths) + int(bool(comparators) and (self.config.data_dir / str(comparators)).exists())
        return PublishPlan(
            scorecard_id, view.rating.title, period, view.rating.summary, len(view.rating.measures),
            sum(1 for m in view.rating.measures if m.id in view.commentary), files,
            existing.version if existing is not None else None, len(view.problems),
        )

    def publish(self, plan: PublishPlan) -> str:
        """Publish as planned (the next version when already published, forced when the plan shows
        data problems); the sentence saying what was recorded. Raises the engine's UsageError."""
        from ..publish.commands import publish as publish_command

        out, err = io.StringIO(), io.StringIO()
        code = publish_command(self.results, plan.scorecard, plan.period, replace=plan.version is not None,
                               force=plan.problems > 0, out=out, err=err)
        self._forget_drills(lambda k: k[1] != plan.period)
        if code:
            raise RuntimeError(err.getvalue().strip().splitlines()[0] if err.getvalue() else "not published")
        return out.getvalue().strip()

    def save_commentary(self, measure_id: str, period: str, text: str, author: str | None = None) -> Commentary:
        saved = self.commentary.save(measure_id, period, text, author)
        self._forget_drills(lambda k: k != (measure_id, period))
        return saved



def _scorecard_view(engine: Engine, organisation: str, scorecard_id: str, period: str) -> ScorecardView:
    """The scorecard screen's figures (no commentary: that is read fresh each time)."""
    rating = engine.rate(scorecard_id, period)
    month = month_number(period)
    spark_periods = [period_of(month - i) for i in range(SPARK_PERIODS - 1, -1, -1)]
    sparks: dict[str, list[float | None]] = {}
    names: dict[str, None] = {}
    for row in rating.measures:
        series = engine.series(row.id, month)
        last = series.first_month + len(series.results) - 1
        sparks[row.id] = [
            series.at(mo).value if series.first_month <= mo <= last and series.measure.active(mo) else None
            for mo in range(month - SPARK_PERIODS + 1, month + 1)
        ]
        names.update(dict.fromkeys(row.comparators))
    return ScorecardView(
        organisation=organisation, rating=rating, spark_periods=spark_periods, sparks=sparks,
        comparator_names=list(names), commentary={}, periods=engine.data_periods(),
        problems=engine.problem_lines() if engine.has_problems else [],
    )
