"""The Textual app: what the analyst is looking at (scorecard and period), and the screens it opens.

The screens ask the engine, through `EngineService`, from worker threads. Nothing here computes a
measure. Only the first screen is imported with the app; every other screen is imported when it is
first opened (the drill-down's, with its chart library, in the background once the first screen is
up), so the first screen does not wait for them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import threading
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import get_current_worker

from ..commentary import SECTION_PREFIX, Commentary
from ..engine.errors import ConfigError
from ..engine.periods import month_number, shift_period
from ..present import month_label
from .collector import IdleCollector
from .pickers import OptionPicker
from .request import default_scorecard
from .screens.base import CommentarySaved, PeriodChanged
from .screens.scorecard import ScorecardScreen
from .service import EngineService, PublishPlan
from .widgets.measure_table import ScorecardTable

if TYPE_CHECKING:
    from ..engine.config import Config
    from .screens.drilldown import DrillDownScreen

DARK, LIGHT = "textual-dark", "textual-light"
PREFETCH_DELAY = 0.15  # seconds a row stays highlighted before its drill-down is computed in the background
OPEN_WAIT = 0.2  # seconds Enter waits for a drill-down not computed yet before opening it with a loading indicator
IMPORT_DELAY = 0.3  # seconds after the first screen is shown before the drill-down's code is imported


def _measure_commands() -> type:
    from .commands import MeasureCommands

    return MeasureCommands


class ScorecardApp(App[int]):
    CSS_PATH = "scorecard.tcss"
    TITLE = "Scorecard"
    COMMANDS: ClassVar = App.COMMANDS | {_measure_commands}  # the palette finds measures by id or title
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Quit"),
        Binding("question_mark", "help", "Help", key_display="?", tooltip="Help: every key"),
        Binding("t", "toggle_theme", "Theme", show=False, tooltip="Light or dark theme"),
    ]

    def __init__(self, config: Config | None, scorecard_id: str | None = None, period: str | None = None,
                 measure: str | None = None, today: dt.date | None = None, theme: str = DARK,
                 service: EngineService | None = None):
        """`service`: one already loading the data (`app.start_engine`, so the engine works while
        Textual is imported); without one, the app makes its own and starts it as it loads. `config`
        None: the service started from the results store (`app.open_app`) and reads it when first needed."""

        super().__init__()
        self._config = config
        self.service = service or EngineService(config, today)
        self.scorecard_id: str = scorecard_id or (default_scorecard(config, measure) if config is not None
                                                  else self.service.heading[1])
        self.config_problems: list[str] = []  # the config's, if read behind a first screen from the store
        self.period: str | None = period  # None until the engine says which is the latest with data
        self.initial_measure = measure
        self.data_periods: list[str] = []
        self.problem_lines: list[str] = []
        self._prefetch_timer: Timer | None = None
        self._first_painted = False  # the first screen's figures are on screen (see first_screen_shown)
        self._waiting_prefetch: tuple[list[str], str, float] | None = None
        self._drill_screen: DrillDownScreen | None = None
        self._opening: tuple[str, str] | None = None  # a drill-down asked for, opened when computed
        self._froze = False  # whether start-up's objects were moved out of the garbage collector's way
        self._unmounted = False
        self._freeze_lock = threading.Lock()
        self.collector = IdleCollector(ready=lambda: self._froze)  # full collections while the analyst reads
        self._initial_theme = theme

    @property
    def config(self) -> Config:
        """The config (read when first needed after a start from the results store: see `_import_drilldown`)."""
        return self._config if self._config is not None else self.service.config

    def heading(self) -> tuple[str, str]:
        """The organisation and the scorecard's title, for the header while the first screen loads."""
        if not self.service.config_read and self.scorecard_id == self.service.heading[1]:
            return self.service.heading[0], self.service.heading[2]
        return self.config.organisation.name, self.config.scorecard(self.scorecard_id).title

    def on_load(self) -> None:
        # from now on Python's long garbage collections wait for the analyst to pause (a full one fell in
        # the first screen's paint in about half the starts), and none before start-up's objects are frozen
        self.collector.start(self)
        if not self.service.preloading:
            self.service.preload(self.scorecard_id, self.period)  # the engine works while the UI starts up

    def get_default_screen(self) -> Screen:
        return ScorecardScreen()

    def on_mount(self) -> None:
        self.theme = self._initial_theme

    def on_unmount(self) -> None:
        self.collector.stop()
        with self._freeze_lock:
            self._unmounted = True
            if self._froze:
                gc.unfreeze()

    # -- state --------------------------------------------------------------------------------
    def shift_period(self, step: int, base: str | None = None) -> bool:
        """`[` and `]`: the period before or after (the app's, or a screen's own), within the periods
        with data; whether the app's period was set."""
        base = base or self.period
        if base is None:
            return False
        new = shift_period(base, step)
        if self.data_periods:
            first, last = month_number(self.data_periods[0]), month_number(self.data_periods[-1])
            m = month_number(new)
            if (m < first and step < 0) or (m > last and step > 0):
                edge = "earliest" if step < 0 else "latest"
                self.bell()
                self.notify(f"{month_label(base)} is the {edge} period with data.", timeout=3)
                return False
        self.set_period(new)
        return True

    def set_period(self, period: str) -> None:
        self.period = period
        self.screen.post_message(PeriodChanged(period))
        if self._opening is not None and self._opening[1] != period:
            # Enter was pressed and its drill-down is not open yet: it opens at the period now shown,
            # as an open drill-down follows a period switch, never at the one left behind
            self.open_drill(self._opening[0], period)

    def prefetch(self, measure_ids: list[str], period: str, delay: float = PREFETCH_DELAY) -> None:
        """Compute the drill-downs of a highlighted measure and of its neighbours (the measures below and
        above it) in the background, so Enter opens it at once, and Enter straight after moving too;
        `delay` seconds from now, so a cursor passing over rows does not start one for each. Not before
        the first screen is painted: a thread computing beside the first paint only delays it."""
        if not self._first_painted:
            self._waiting_prefetch = (list(measure_ids), period, delay)
            return
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
            self._prefetch_timer = None
        if delay <= 0:
            self._prefetch(list(measure_ids), period)
        else:
            self._prefetch_timer = self.set_timer(delay, partial(self._prefetch, list(measure_ids), period))

    @work(thread=True, group="prefetch", exclusive=True, exit_on_error=False)
    def _prefetch(self, measure_ids: list[str], period: str) -> None:
        worker = get_current_worker()
        for i, measure_id in enumerate(measure_ids):
            if worker.is_cancelled:  # the cursor moved on: its own prefetch follows
                return
            if i == 0 or self.service.cached_drill(measure_id, period) is None:  # the highlighted one: fresh commentary
                self.service.drill(measure_id, period)

    def prefetch_periods(self, measure_id: str, period: str) -> None:
        """A drill-down on screen: its measure at the periods either side (within the data), so `[` and
        `]` in it show at once."""
        periods = [shift_period(period, step) for step in (-1, 1)]
        if self.data_periods:
            first, last = month_number(self.data_periods[0]), month_number(self.data_periods[-1])
            periods = [p for p in periods if first <= month_number(p) <= last]
        self._prefetch_periods(measure_id, periods)

    @work(thread=True, group="prefetch-periods", exclusive=True, exit_on_error=False)
    def _prefetch_periods(self, measure_id: str, periods: list[str]) -> None:
        worker = get_current_worker()
        for period in periods:
            if worker.is_cancelled:
                return
            if self.service.cached_drill(measure_id, period) is None:
                self.service.drill(measure_id, period)

    # -- screens -------------------------------------------------------------------------------
    def first_screen_shown(self) -> None:
        """The first screen's figures are in its widgets; what is done in the background for later
        starts once they are painted (drawing them takes the UI thread about 0.2 s, and a thread beside
        it holding the interpreter would only delay them)."""
        self.screen.call_after_refresh(self._first_screen_painted)

    def _first_screen_painted(self) -> None:
        """The first screen is up. The highlighted measure's drill-down is computed, and shortly after,
        while the analyst reads it, the drill-down's code (Textual widgets, the chart library and numpy:
        about 0.1 s) is imported in a thread, so the first Enter does not wait for it. When the screen came
        from the results store, that thread then has the engine load the data."""
        self._first_painted = True
        if self._waiting_prefetch is not None:
            self.prefetch(*self._waiting_prefetch)
            self._waiting_prefetch = None
        self.set_timer(IMPORT_DELAY, lambda: threading.Thread(target=self._import_drilldown, name="import-drilldown",
                                                              daemon=True).start())

    def _import_drilldown(self) -> None:
        if not self.service.config_read:  # the first screen came from the store: the config is read now
            try:
                self.service.config  # noqa: B018
            except ConfigError as e:  # it cannot have problems (see app.py); if it did, stop and say so
                self.call_from_thread(self._config_failed, e.problems)
                return
        with contextlib.suppress(Exception):  # only a head start: opening a drill-down imports it anyway
            from .screens import drilldown  # noqa: F401

            self.post_message(self.DrillDownImported())
        # a first screen from the results store: the engine loads the data now, while the analyst reads
        self.service.get_ready(self.scorecard_id, self.period)
        # What is loaded by now (the engine and its answers, Textual, the screens) lives as long as the app:
        # out of the garbage collector's way, so that a full collection during a keypress scans only what
        # came since (on the demo: 0.1 s of CPU for the 110,000 objects there are at this point). Undone
        # when the app ends (`on_unmount`), for a process that goes on (the tests); never after it, when
        # the app ended while the engine was loading (the lock orders the two).
        with self._freeze_lock:
            if not self._unmounted:
                gc.freeze()
                self._froze = True

    def _config_failed(self, problems: list[str]) -> None:
        self.config_problems = problems
        self.exit(return_code=1)

    class DrillDownImported(Message):
        """The drill-down's code is imported: its screen can be built, off screen."""

    @on(DrillDownImported)
    def _build_drill_off_screen(self) -> None:
        """Build the drill-down screen for the highlighted measure while the analyst reads the first
        screen: composed, styled and laid out behind the scorecard (pushed and popped in one go, so it
        is never drawn), so the first Enter only fills and paints it, as every later one does."""
        if self.return_code is not None or not self.is_running or not self.screen_stack:
            return  # the app is ending (the analyst quit at once): nothing to build for
        board = self.screen
        if self._drill_screen is not None or not isinstance(board, ScorecardScreen) or self.period is None:
            return
        measure = board.current_measure()
        if measure is None:
            return
        self._drill_screen_for(measure, self.period)
        self.push_screen("drill-down")
        self.pop_screen()

    def _drill_screen_for(self, measure_id: str, period: str) -> DrillDownScreen:
        """The one drill-down screen, kept installed and reused (opening one repaints it, it is not
        rebuilt), pointed at the measure."""
        from .screens.drilldown import DrillDownScreen

        preloaded = self.service.cached_drill(measure_id, period)
        screen = self._drill_screen
        if screen is None:
            screen = self._drill_screen = DrillDownScreen(measure_id, period, preloaded, wide=self.size.width)
            self.install_screen(screen, "drill-down")
        else:
            screen.show_measure(measure_id, period, preloaded)
        return screen

    def open_drill(self, measure_id: str, period: str | None = None) -> None:
        """Show a measure's drill-down. When it is not computed yet, the engine is asked first and the
        screen opens with the answer, drawn once; only if the answer takes longer than OPEN_WAIT does
        the screen open before it, with a loading indicator."""
        period = period or self.period
        if period is None:
            return
        if self.service.cached_drill(measure_id, period) is not None:
            self._opening = None
            self._show_drill(measure_id, period)
            return
        self._opening = (measure_id, period)
        self.set_timer(OPEN_WAIT, partial(self._open_pending, measure_id, period))
        self._compute_drill(measure_id, period)

    class DrillComputed(Message):
        """A drill-down asked for by Enter is computed (or failed: the screen asks again and says why)."""

        def __init__(self, measure_id: str, period: str) -> None:
            super().__init__()
            self.measure_id, self.period = measure_id, period

    @work(thread=True, group="open-drill", exit_on_error=False)
    def _compute_drill(self, measure_id: str, period: str) -> None:
        with contextlib.suppress(Exception):
            self.service.drill(measure_id, period)
        self.post_message(self.DrillComputed(measure_id, period))

    @on(DrillComputed)
    def _drill_computed(self, message: DrillComputed) -> None:
        self._open_pending(message.measure_id, message.period)

    def _open_pending(self, measure_id: str, period: str) -> None:
        """The drill-down asked for is computed, or OPEN_WAIT has passed: whichever comes first opens it."""
        if self._opening == (measure_id, period):
            self._opening = None
            self._show_drill(measure_id, period)

    def _show_drill(self, measure_id: str, period: str) -> None:
        screen = self._drill_screen_for(measure_id, period)
        if screen not in self.screen_stack:
            self.push_screen(screen)

    def open_measure(self, measure_id: str) -> None:
        """From the command palette: the measure's drill-down at the period shown (the scorecard's
        cursor moves to it too, when the scorecard shows it, so Escape lands on it)."""
        board = next((s for s in self.screen_stack if isinstance(s, ScorecardScreen)), None)
        if board is not None:
            board.query_one(ScorecardTable).move_to_measure(measure_id)
        self.open_drill(measure_id)

    def open_changes(self) -> None:
        from .screens.changes import BandChangesScreen

        if self.period is not None:
            self.push_screen(BandChangesScreen(self.scorecard_id, shift_period(self.period, -1), self.period,
                                               self.data_periods))

    def open_exceptions(self) -> None:
        from .screens.exceptions import ExceptionsScreen

        if self.period is not None:
            self.push_screen(ExceptionsScreen(self.scorecard_id, self.period))

    def open_problems(self) -> None:
        from .screens.problems import ProblemsScreen

        self.push_screen(ProblemsScreen(self.config.organisation.name, self.problem_lines))

    def choose_scorecard(self) -> None:
        options = [(s.id, f"{s.title} ({s.id})") for s in self.config.scorecards]

        def chosen(value: str | None) -> None:
            if value is not None and value != self.scorecard_id:
                self.scorecard_id = value
                if isinstance(self.screen, ScorecardScreen):
                    self.screen.load()

        self.push_screen(OptionPicker("Switch scorecard", options, current=self.scorecard_id), chosen)

    def choose_period(self) -> None:
        periods = list(reversed(self.data_periods))
        if not periods:
            return
        options = [(p, month_label(p)) for p in periods]
        self.push_screen(OptionPicker("Go to period", options, current=self.period),
                         lambda value: self.set_period(value) if value else None)

    def write_commentary(self, measure_id: str, period: str | None = None) -> None:
        period = period or self.period
        if period is not None:
            self._open_commentary(measure_id, period)

    class CommentaryRead(Message):
        """The latest commentary on a measure for a period, read to be edited."""

        def __init__(self, measure_id: str, period: str, current: str) -> None:
            super().__init__()
            self.measure_id, self.period, self.current = measure_id, period, current

    @work(thread=True, group="commentary", exit_on_error=False)
    def _open_commentary(self, measure_id: str, period: str) -> None:
        latest = self.service.commentary.latest(measure_id, period)
        self.post_message(self.CommentaryRead(measure_id, period, latest.text if latest else ""))

    @on(CommentaryRead)
    def _push_commentary(self, message: CommentaryRead) -> None:
        from .screens.commentary import CommentaryScreen

        measure_id, period, current = message.measure_id, message.period, message.current

        title = (f"Overview of the section {measure_id.removeprefix(SECTION_PREFIX)}" if measure_id.startswith(SECTION_PREFIX)
                 else self.config.measure(measure_id).title)

        def done(saved: Commentary | None) -> None:
            if saved is None:
                return
            self.notify(f"Commentary saved for {measure_id}, {month_label(period)} ({saved.author}).", timeout=3,
                        markup=False)
            self.screen.post_message(CommentarySaved(measure_id, period))

        self.push_screen(CommentaryScreen(measure_id, title, period, current), done)

    def publish_period(self) -> None:
        """Ask to publish the scorecard for the period shown (SPEC section 7), showing what is frozen."""
        if self.period is not None:
            self._plan_publish(self.scorecard_id, self.period)

    class PublishPlanned(Message):
        """What publishing the period would freeze, or why it cannot be published."""

        def __init__(self, plan: PublishPlan | None, error: Exception | None = None) -> None:
            super().__init__()
            self.plan, self.error = plan, error

    @work(thread=True, group="publish", exit_on_error=False)
    def _plan_publish(self, scorecard_id: str, period: str) -> None:
        try:
            self.post_message(self.PublishPlanned(self.service.publish_plan(scorecard_id, period)))
        except Exception as e:
            self.post_message(self.PublishPlanned(None, e))

    @on(PublishPlanned)
    def _push_publish(self, message: PublishPlanned) -> None:
        from .screens.publish import PublishScreen

        if message.plan is None:
            self.notify(f"Cannot publish: {message.error}", severity="error", markup=False)
            return
        plan = message.plan

        def done(said: str | None) -> None:
            if said is None:
                return
            self.notify(said, title="Published", timeout=6, markup=False)
            if isinstance(self.screen, ScorecardScreen):
                self.screen.load()

        self.push_screen(PublishScreen(plan), done)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.input_seen()  # no full garbage collection while keys come
        await super().on_event(event)

    # -- app-wide actions ----------------------------------------------------------------------
    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: every action of the screen and the app, by name, then Textual's own."""
        seen: set[str] = set()
        found: list[tuple[DOMNode, Binding]] = [(a.node, a.binding) for a in screen.active_bindings.values()]
        found += [(screen, b) for b in screen.BINDINGS if isinstance(b, Binding)]
        found += [(self, b) for b in self.BINDINGS if isinstance(b, Binding)]
        for node, b in found:
            name = b.tooltip  # our actions all have one; Textual's own (cursor keys and so on) do not
            if not name or name in seen:
                continue
            seen.add(name)
            keys = b.key_display or b.key.replace("_", " ")
            yield SystemCommand(name, f"key: {keys}", partial(node.run_action, b.action))
        if isinstance(screen, ScorecardScreen):
            for col in screen.cols:
                yield SystemCommand(f"Sort by {col.label}", "sort each section by this column (again: reverse)",
                                    partial(screen.sort_by, col.key), discover=False)
            yield SystemCommand("Sort in config order", "the order of the config file", partial(screen.sort_by, None),
                                discover=False)
        yield SystemCommand("Light theme", "bands keep their colours", partial(setattr, self, "theme", LIGHT),
                            discover=False)
        yield SystemCommand("Dark theme", "bands keep their colours", partial(setattr, self, "theme", DARK),
                            discover=False)
        yield from super().get_system_commands(screen)
