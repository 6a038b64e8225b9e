"""The first screen: one scorecard for one period, grouped by section, as the committee papers lay it out."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from ...commentary import section_key
from ...engine.coverage import short_words
from ...format import summary_sentence
from ...present import month_label
from ..pickers import OptionPicker, sort_options
from ..service import ScorecardView
from ..table_model import Column, columns, grouped, rows_of
from ..text import band_text, ellipsis
from ..widgets.footer import KeyFooter
from ..widgets.measure_table import SECTION_PREFIX, ScorecardTable
from .base import AppAccess, CommentarySaved, EngineFailed, PeriodChanged

LOADING_DELAY = 0.25  # seconds before a loading indicator covers the table


class ScorecardScreen(AppAccess, Screen[None]):
    # In the order the footer shows them: on 80 columns it keeps the first nine (up to q Quit); the
    # rest show on wider terminals, and all of them in Help (?) and the command palette (Ctrl+P).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "drill", "Drill", tooltip="Drill down into the measure"),
        Binding("left_square_bracket", "period(-1)", "Prev", key_display="[", tooltip="Previous period"),
        Binding("right_square_bracket", "period(1)", "Next", key_display="]", tooltip="Next period"),
        Binding("b", "band_changes", "Changes", tooltip="Band changes between two periods"),
        Binding("e", "exceptions", "Exceptions", tooltip="Exception report: every Red measure"),
        Binding("w", "commentary", "Comment", tooltip="Write the commentary for the measure and period"),
        Binding("o", "overview", "Overview", show=False,
                tooltip="Write the overview of the highlighted measure's section (the paper shows it at the section's head)"),
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter measures by text"),
        Binding("question_mark", "app.help", "Help", key_display="?", tooltip="Help: every key"),
        Binding("q", "app.quit", "Quit", tooltip="Quit"),
        Binding("r", "only_red", "Red", tooltip="Only Red measures (again: all)"),
        Binding("c", "only_changed", "Changed", tooltip="Only measures that changed band (again: all)"),
        Binding("s", "sort", "Sort", tooltip="Sort each section by a column"),
        Binding("g", "switch_scorecard", "Scorecard", tooltip="Switch scorecard"),
        Binding("p", "choose_period", "Period", tooltip="Go to a period"),
        Binding("exclamation_mark", "problems", "Data problems", key_display="!", show=False,
                tooltip="Data problems found in the files"),
        Binding("escape", "clear", "Clear filters", show=False, tooltip="Clear the filters"),
        Binding("P", "publish", "Publish", key_display="P", show=False,
                tooltip="Publish the scorecard for the period (asks first, showing what is frozen)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: ScorecardView | None = None
        self.shown: tuple[str, str] | None = None
        self.wanted: tuple[str, str | None] | None = None
        self.filter_text = ""
        self.only_red = False
        self.only_changed = False
        self.sort_key: str | None = None
        self.sort_reverse = False
        self.cols: list[Column] = []
        self.opened_initial = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="summary")
        yield Static("", id="status")
        yield ScorecardTable(id="scorecard-table")
        yield Static("", id="detail")
        yield Input(placeholder="filter: part of a title, id, section or owner — Enter keeps it, Escape clears",
                    id="filter")
        yield KeyFooter(compact=True, show_command_palette=False)  # Ctrl+P still opens it; 80 columns need the room

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.query_one(ScorecardTable).focus()
        self.load()

    def on_screen_resume(self) -> None:
        app = self.sc
        if self.shown is not None and (app.scorecard_id, app.period) != self.shown:
            self.load()
        elif self.view is not None:
            self.load()  # commentary may have been written: cheap, the rating is cached

    # -- loading ----------------------------------------------------------------------------------
    def load(self) -> None:
        app = self.sc
        self.wanted = (app.scorecard_id, app.period)
        if self.view is None:
            # what the config already says, while the engine loads the data and rates the period
            organisation, title = app.heading()  # from the config, or before it is read from the results store
            self.title = organisation
            self.sub_title = title + (f" · {month_label(app.period)}" if app.period else "")
            self.query_one("#summary", Static).update(Text("Loading the data and rating the scorecard…", style="dim"))
            self.query_one(ScorecardTable).loading = True
        elif self.shown != self.wanted:
            # another period or scorecard: usually ready at once, so the indicator only if it is not
            self.set_timer(LOADING_DELAY, self._still_loading)
        self._load(*self.wanted)

    def _still_loading(self) -> None:
        if self.shown != self.wanted:
            self.query_one(ScorecardTable).loading = True

    class Rated(Message):
        """The engine's answer for a scorecard and period."""

        def __init__(self, scorecard_id: str, period: str, view: ScorecardView) -> None:
            super().__init__()
            self.scorecard_id, self.period, self.view = scorecard_id, period, view

    def _load(self, scorecard_id: str, period: str | None) -> None:
        service = self.sc.service

        def rate() -> tuple[str, ScorecardView]:
            shown = period or service.default_period()
            return shown, service.scorecard(scorecard_id, shown)

        self.ask(rate, lambda answer: self.Rated(scorecard_id, *answer))

    @on(Rated)
    def _rated(self, message: Rated) -> None:
        self._show(message.scorecard_id, message.period, message.view)

    @on(EngineFailed)
    def _failed(self, message: EngineFailed) -> None:
        error = message.error
        self.query_one(ScorecardTable).loading = False
        self.query_one("#summary", Static).update(Text(f"Could not rate the scorecard: {error}", style="bold"))
        self.app.notify(str(error), title="Scorecard", severity="error", markup=False)

    def _show(self, scorecard_id: str, period: str, view: ScorecardView) -> None:
        app = self.sc
        if self.wanted is not None and self.wanted[1] is None:
            app.period = period
            self.wanted = (scorecard_id, period)
        if (scorecard_id, period) != self.wanted:
            return
        if self.shown == (scorecard_id, period) and view == self.view:
            self.query_one(ScorecardTable).loading = False
            return  # back from another screen and nothing changed (no commentary written): no repaint
        self.view = view
        self.shown = (scorecard_id, period)
        app.data_periods = view.periods
        app.problem_lines = view.problems
        self.cols = columns(view.comparator_names)
        if self.sort_key not in {c.key for c in self.cols}:
            self.sort_key = None
        self.title = view.organisation
        self.sub_title = f"{view.rating.title} · {month_label(period)}"
        self.query_one(ScorecardTable).loading = False
        self.query_one("#summary", Static).update(self._summary(view))
        self.refresh_table()
        measure = self.current_measure()
        if measure is not None and self.opened_initial:
            # a period switch keeps the cursor where it was, so no highlight event prefetches: the rows
            # around the cursor are computed for the new period once it is on screen
            around = self.query_one(ScorecardTable).around(measure)
            self.call_after_refresh(lambda: app.prefetch(around, period, delay=0))
        if not self.opened_initial:
            self.opened_initial = True
            app.first_screen_shown()
            measure = app.initial_measure
            if measure:
                self.query_one(ScorecardTable).move_to_measure(measure)
                app.open_drill(measure)

    def _summary(self, view: ScorecardView) -> Text:
        r = view.rating
        text = Text(summary_sentence(r, month_label(r.period)), style="bold")
        if r.datasets:  # SPEC section 7: what the data covers, under the summary (the header is too narrow)
            words = short_words(r.datasets)
            text.append(f"\n{words[:1].upper()}{words[1:]}", style="dim")
        if view.problems:
            text.append(f"\n⚠ {len(view.problems)} data problem(s) found: press ! to list them", style="bold")
        restated = sum(1 for m in r.measures if m.restated)
        if restated:
            version = next(m.published.version for m in r.measures if m.published is not None)
            text.append(f"\n* {restated} figure(s) restated since publication (version {version}): Enter shows both",
                        style="bold")
        return text

    # -- the table ------------------------------------------------------------------------------
    def sort_column(self) -> Column | None:
        return next((c for c in self.cols if c.key == self.sort_key), None)

    def refresh_table(self) -> None:
        if self.view is None:
            return
        rows = rows_of(self.view)
        sections = grouped(rows, self.filter_text, self.only_red, self.only_changed, self.sort_column(), self.sort_reverse)
        table = self.query_one(ScorecardTable)
        table.populate(sections, self.cols, self.sort_key, self.sort_reverse, rows)
        self.query_one("#status", Static).update(self._status(sections))
        self._update_detail()

    def _status(self, sections: list) -> Text:
        assert self.view is not None
        shown = sum(len(rows) for _, rows in sections)
        total = len(self.view.rating.measures)
        parts = []
        if self.only_red:
            parts.append("only Red")
        if self.only_changed:
            parts.append("only measures that changed band")
        if self.filter_text:
            parts.append(f"filter “{self.filter_text}”")
        col = self.sort_column()
        if col is not None:
            parts.append(f"sorted by {col.label} {'descending' if self.sort_reverse else 'ascending'} within sections")
        if not parts:
            return Text(f"{total} measures · Enter drills down · ? for help", style="dim")
        lead = f"Showing {shown} of {total} measures: " + ", ".join(parts)
        if shown == 0:
            lead += " — none match (Escape clears)"
        return Text(lead, style="bold")

    def _update_detail(self) -> None:
        detail = self.query_one("#detail", Static)
        measure = self.query_one(ScorecardTable).current_measure()
        if self.view is None or measure is None:
            detail.update("")
            return
        m = next(r for r in self.view.rating.measures if r.id == measure)
        text = Text()
        text.append(m.id, style="bold")
        text.append(f"  {m.title}")
        if m.unit not in (None, "%") and not self.query_one(ScorecardTable).fitted.units:
            text.append(f"  (in {m.unit})", style="dim")  # the table's values are bare on a narrow terminal
        if m.polarity:
            text.append(f"  ({m.polarity} is better)", style="dim")
        if m.owner:
            text.append(f"  owner: {m.owner}", style="dim")
        note = self.view.commentary.get(m.id)
        if note:
            text.append("\n✎ ")
            text.append(ellipsis(note.text.splitlines()[0] if note.text else "", 200), style="italic")
        elif m.warnings:
            text.append("\n⚠ " + "; ".join(m.warnings), style="bold")
        overview = self.view.commentary.get(section_key(m.section))  # the section's, written with o
        if overview:
            text.append(f"\n§ {m.section}: ", style="bold")
            text.append(ellipsis(overview.text.splitlines()[0] if overview.text else "", 200), style="italic")
        detail.update(text)

    @on(DataTable.RowHighlighted, "#scorecard-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._update_detail()
        key = event.row_key.value
        if key and not key.startswith(SECTION_PREFIX) and self.shown:
            self.sc.prefetch(self.query_one(ScorecardTable).around(key), self.shown[1])

    @on(DataTable.RowSelected, "#scorecard-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_drill()

    @on(DataTable.HeaderSelected, "#scorecard-table")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    def sort_by(self, key: str | None, reverse: bool | None = None) -> None:
        if reverse is None:
            reverse = (not self.sort_reverse) if key == self.sort_key and key is not None else False
        self.sort_key, self.sort_reverse = key, reverse
        self.refresh_table()

    # -- actions --------------------------------------------------------------------------------
    def current_measure(self) -> str | None:
        return self.query_one(ScorecardTable).current_measure()

    def action_drill(self) -> None:
        measure = self.query_one(ScorecardTable).current_measure()
        if measure is not None and self.shown is not None:
            self.sc.open_drill(measure)

    def action_period(self, step: int) -> None:
        self.sc.shift_period(step)

    def on_period_changed(self, message: PeriodChanged) -> None:
        self.load()

    def on_commentary_saved(self, message: CommentarySaved) -> None:
        self.load()

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value.strip()
        self.refresh_table()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        box = self.query_one("#filter", Input)
        if not self.filter_text:
            box.display = False
        self.query_one(ScorecardTable).focus()

    def action_clear(self) -> None:
        box = self.query_one("#filter", Input)
        changed = bool(self.filter_text or self.only_red or self.only_changed)
        self.filter_text, self.only_red, self.only_changed = "", False, False
        box.value = ""
        box.display = False
        self.query_one(ScorecardTable).focus()
        if changed:
            self.refresh_table()

    def action_only_red(self) -> None:
        self.only_red = not self.only_red
        self.refresh_table()

    def action_only_changed(self) -> None:
        self.only_changed = not self.only_changed
        self.refresh_table()

    def action_sort(self) -> None:
        if not self.cols:
            return
        labels = [c.label for c in self.cols]
        index = next((i for i, c in enumerate(self.cols) if c.key == self.sort_key), None)

        def chosen(value: str | None) -> None:
            if value is not None:
                self.sort_by(None if value == "none" else self.cols[int(value)].key)

        self.app.push_screen(OptionPicker("Sort each section by", sort_options(labels, index, self.sort_reverse),
                                          current=None if index is None else str(index)), chosen)

    def action_switch_scorecard(self) -> None:
        self.sc.choose_scorecard()

    def action_choose_period(self) -> None:
        self.sc.choose_period()

    def action_band_changes(self) -> None:
        self.sc.open_changes()

    def action_exceptions(self) -> None:
        self.sc.open_exceptions()

    def action_problems(self) -> None:
        self.sc.open_problems()

    def action_publish(self) -> None:
        self.sc.publish_period()

    def action_commentary(self) -> None:
        measure = self.query_one(ScorecardTable).current_measure()
        if measure is not None:
            self.sc.write_commentary(measure)

    def action_overview(self) -> None:
        """The overview of the highlighted section (or the highlighted measure's): commentary kept under
        the section's key (commentary.section_key)."""
        table = self.query_one(ScorecardTable)
        key = table.cursor_key()
        if key is None:
            return
        section = key.removeprefix(SECTION_PREFIX) if key.startswith(SECTION_PREFIX) else self.sc.config.measure(key).section
        self.sc.write_commentary(section_key(section))

    def band_of(self, measure_id: str) -> Text:
        """The band shown for a measure (for tests and the help screen)."""
        assert self.view is not None
        m = next(r for r in self.view.rating.measures if r.id == measure_id)
        return band_text(m.rag, m.rated)
