"""The drill-down behind a measure's colour: what it is, how it is doing, why, and what the analyst says.

The screen opens at once with the header; the engine's explanation arrives from a worker (usually
already prefetched while the row was highlighted) and fills it.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Header, Static, TabbedContent, TabPane

from ...engine.explain import Explanation
from ...engine.suppression import suppress
from ...explain_words import comparator_text, why_lines
from ...present import (
    ASSURANCE_WORDS,
    RULE_WORDS,
    VARIATION_WORDS,
    WINDOW_WORDS,
    change_words,
    column_heading,
    count,
    figure,
    local_time,
    month_label,
)
from ..service import DrillView
from ..text import band_text
from ..widgets.footer import KeyFooter
from ..widgets.sortable_table import SortableTable, TableRow
from ..widgets.trend_chart import TrendChart, chart_key
from .base import CommentarySaved, EngineFailed, FollowsPeriod

WIDE = 120  # columns from which the figures and the chart sit side by side
LOADING_DELAY = 0.25  # seconds before another period's drill-down, not yet computed, shows a loading indicator


class DrillDownScreen(FollowsPeriod, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the previous screen"),
        Binding("left_square_bracket", "period(-1)", "Prev", key_display="[", tooltip="Previous period"),
        Binding("right_square_bracket", "period(1)", "Next", key_display="]", tooltip="Next period"),
        Binding("w", "commentary", "Comment", tooltip="Write the commentary for the measure and period"),
    ]

    def __init__(self, measure_id: str, period: str, preloaded: DrillView | None = None, wide: int = 0):
        """`wide`: the terminal's width, so the screen is styled for it from the start."""
        super().__init__(classes="-wide" if wide >= WIDE else None)
        self.measure_id = measure_id
        self.period = period
        self.preloaded = preloaded  # already computed (prefetched while the row was highlighted)
        self.seen_period: str | None = None  # the app's period when this screen last looked
        self.drill: DrillView | None = None
        # the breakdown tabs shown (their names) and their tables, kept and refilled while the next
        # measure has the same breakdowns: mounting tabs and tables is most of a drill-down's cost
        self._breakdown_names: list[str] | None = None
        self._breakdown_headings: list[str] | None = None
        self._breakdown_tables: list[SortableTable] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="drill"):
            yield Static(Text(f"{self.measure_id} · {month_label(self.period)}", style="bold"), id="drill-title")
            with Horizontal(id="drill-top"):
                yield Static("Loading…", id="drill-figures")
                with Vertical(id="drill-chart-box"):
                    yield TrendChart(id="chart")
                    yield Static("", id="chart-key")
            yield Static("", id="drill-spc")
            yield Static("", id="drill-why")
            yield Vertical(id="breakdowns-box")
            yield Static("", id="drill-cohorts")
            yield Static("", id="drill-commentary")
            yield Static("", id="drill-warnings")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.app_ending():
            return  # the analyst quit while the screen was being built off screen
        self.title = self.sc.config.organisation.name
        self._start()

    def show_measure(self, measure_id: str, period: str, preloaded: DrillView | None = None) -> None:
        """Point the screen at another measure: the app keeps one drill-down screen and reuses it,
        so opening a drill-down repaints it rather than building it again."""
        if (measure_id, period) == (self.measure_id, self.period) and preloaded is not None and preloaded is self.drill:
            self.preloaded = preloaded  # what the screen shows already (built off screen, or just shown)
        else:
            self.measure_id, self.period, self.preloaded, self.drill = measure_id, period, preloaded, None
        if self.is_mounted:
            self._start()

    def _start(self) -> None:
        self._set_wide(self.app.size.width)
        self.seen_period = self.sc.period
        self.sub_title = f"{self.measure_id} · {month_label(self.period)}"
        scroll = self.query_one("#drill", VerticalScroll)
        scroll.scroll_home(animate=False)
        scroll.focus()
        if self.preloaded is not None:
            if self.preloaded is not self.drill:
                self._show(self.measure_id, self.period, self.preloaded)
            else:
                self._prefetch_periods()  # what _show does for a drill-down it fills
            self._refresh_commentary(self.measure_id, self.period)  # someone may have written since
        else:
            self._clear()
            self.load()

    def _clear(self) -> None:
        self.query_one("#drill-title", Static).update(Text(f"{self.measure_id} · {month_label(self.period)}", style="bold"))
        self.query_one("#drill-figures", Static).update("Loading…")
        self.query_one(TrendChart).show_trend([])
        for part in ("#chart-key", "#drill-spc", "#drill-why", "#drill-cohorts", "#drill-commentary", "#drill-warnings"):
            self.query_one(part, Static).update("")
        self.query_one("#breakdowns-box").display = False  # until the new measure's breakdowns arrive

    def on_resize(self) -> None:
        self._set_wide(self.size.width)

    def _set_wide(self, width: int) -> None:
        """Figures and chart side by side from 120 columns. Set from the app's size before the screen
        is shown too, so showing it does not restyle and lay it out a second time."""
        wide = width >= WIDE
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")

    def load(self) -> None:
        self.query_one("#drill-figures", Static).loading = True
        self._load(self.measure_id, self.period)

    class Explained(Message):
        """The engine's drill-down of a measure in a period."""

        def __init__(self, measure_id: str, period: str, drill: DrillView) -> None:
            super().__init__()
            self.measure_id, self.period, self.drill = measure_id, period, drill

    def _load(self, measure_id: str, period: str) -> None:
        self.ask(lambda: self.sc.service.drill(measure_id, period),
                 lambda drill: self.Explained(measure_id, period, drill))

    def _refresh_commentary(self, measure_id: str, period: str) -> None:
        """The drill-down shown came from the cache: repaint it if its commentary has changed since."""
        shown = self.drill.commentary if self.drill else None
        self.ask(lambda: self.sc.service.drill(measure_id, period),
                 lambda fresh: self.Explained(measure_id, period, fresh) if fresh.commentary != shown else None)

    @on(Explained)
    def _explained(self, message: Explained) -> None:
        self._show(message.measure_id, message.period, message.drill)

    @on(EngineFailed)
    def _failed(self, message: EngineFailed) -> None:
        error = message.error
        self.query_one("#drill-figures", Static).loading = False
        self.query_one("#drill-figures", Static).update(Text(f"Could not explain {self.measure_id}: {error}"))
        self.app.notify(str(error), title="Drill-down", severity="error", markup=False)

    def _prefetch_periods(self) -> None:
        """Once this drill-down is on screen (not while it is built off screen): its measure at the
        periods either side, computed in the background."""
        measure_id, period = self.measure_id, self.period

        def prefetch() -> None:
            if self.is_current and (self.measure_id, self.period) == (measure_id, period):
                self.sc.prefetch_periods(measure_id, period)

        self.call_after_refresh(prefetch)

    def _show(self, measure_id: str, period: str, drill: DrillView) -> None:
        if (measure_id, period) != (self.measure_id, self.period):
            return
        if drill is not self.drill:
            self._prefetch_periods()
        self.drill = drill
        e = drill.explanation
        self.sub_title = f"{e.id} · {month_label(period)}"
        figures = self.query_one("#drill-figures", Static)
        figures.loading = False
        self.query_one("#drill-title", Static).update(title_text(e))
        figures.update(figures_text(e))
        chart = self.query_one(TrendChart)
        chart.show_trend(e.trend)
        self.query_one("#chart-key", Static).update(chart_key(e.trend) if e.trend else Text("No values to chart yet."))
        self.query_one("#drill-spc", Static).update(spc_text(e))
        self.query_one("#drill-why", Static).update(why_text(e))
        self._show_breakdowns(e)
        self.query_one("#drill-cohorts", Static).update(cohorts_renderable(e))
        self.query_one("#drill-commentary", Static).update(
            commentary_text(drill, period, self.sc.config.organisation.timezone))
        warnings = self.query_one("#drill-warnings", Static)
        warnings.update(Text("Warnings\n", style="bold").append("\n".join(f"⚠ {w}" for w in e.warnings))
                        if e.warnings else "")

    def _show_breakdowns(self, e: Explanation) -> None:
        self.query_one("#breakdowns-box").display = True
        names = list(e.breakdowns)
        public, low_base = self.sc.config.explain.public, self.sc.config.organisation.low_base
        headings = [e.heading(n) for n in names]
        if (names, headings) == (self._breakdown_names, self._breakdown_headings):
            # the same tabs: refill the tables (each keeps its sort)
            for table, name in zip(self._breakdown_tables, e.breakdowns, strict=True):
                table.set_rows(breakdown_rows(e, name, public, low_base))
            return
        self._breakdown_headings = headings
        self._breakdown_names = names
        if not e.breakdowns:
            self._breakdown_tables = []
            self.call_later(self._replace_breakdowns, [
                Static(Text("Breakdowns: none configured for this measure.", style="dim"), classes="heading")])
            return
        tabs = TabbedContent(classes="breakdowns")
        self._breakdown_tables = []
        for name in e.breakdowns:
            table = SortableTable([column_heading(e.heading(name)), "Value", "Band", "Numerator", "Denominator", "Base"],
                                  breakdown_rows(e, name, public, low_base), right=(1, 3, 4), classes="breakdown")
            self._breakdown_tables.append(table)
            tabs.compose_add_child(TabPane(Content(f"By {e.heading(name)}"), table))  # literal
        self.call_later(self._replace_breakdowns, [
            Static(Text("Breakdowns (Tab to reach them, s to sort)", style="bold"), classes="heading"), tabs])

    async def _replace_breakdowns(self, widgets: list[Widget]) -> None:
        """The old tables go before the new ones come (one at a time, in the order asked)."""
        if self.app_ending():
            return
        box = self.query_one("#breakdowns-box", Vertical)
        await box.remove_children()
        if widgets:
            await box.mount_all(widgets)

    # -- actions ----------------------------------------------------------------------------------
    def action_back(self) -> None:
        self.app.pop_screen()

    def period_moved(self) -> None:
        cached = self.sc.service.cached_drill(self.measure_id, self.period)
        if cached is not None:
            self._show(self.measure_id, self.period, cached)
            self._refresh_commentary(self.measure_id, self.period)
            return
        # the engine usually answers at once: the old figures stay until it does (one repaint,
        # no flicker), and they are cleared for a loading indicator only if it takes a while
        self.sub_title = f"{self.measure_id} · {month_label(self.period)}"
        self._load(self.measure_id, self.period)
        self.set_timer(LOADING_DELAY, partial(self._still_loading, self.measure_id, self.period))

    def _still_loading(self, measure_id: str, period: str) -> None:
        if (measure_id, period) != (self.measure_id, self.period):
            return
        e = self.drill.explanation if self.drill is not None else None
        if e is None or (e.id, e.period) != (measure_id, period):
            self._clear()
            self.query_one("#drill-figures", Static).loading = True

    def action_commentary(self) -> None:
        self.sc.write_commentary(self.measure_id, self.period)

    def on_commentary_saved(self, message: CommentarySaved) -> None:
        self.load()


# -- what the screen writes: pure functions of the engine's explanation --------------------------------
def title_text(e: Explanation) -> Text:
    text = Text()
    text.append(f"{e.id}  {e.title}", style="bold")
    text.append(f"\n{e.section} · {month_label(e.period)} · {WINDOW_WORDS.get(e.window, e.window)} · {e.calc}", style="dim")
    return text


def figures_text(e: Explanation) -> Table:
    """Value, numerator and denominator, target and floor, previous period, comparators, definition, owner."""
    r = e.result
    fmt = lambda v: figure(v, e.decimals, e.unit, with_unit=False)  # noqa: E731
    rows: list[tuple[str, Text]] = []
    value = Text(figure(r.value, e.decimals, e.unit) + "  ", style="bold")
    value.append_text(band_text(r.rag, r.target is not None))
    rows.append(("Value", value))
    if r.numerator is not None or r.denominator is not None:
        rows.append(("", Text(f"numerator {count(r.numerator)} · denominator {count(r.denominator)}")))
    if e.published is not None:  # SPEC section 7: both figures when the data no longer gives the published one
        p = e.published
        pub = Text(figure(p.value, e.decimals, e.unit, with_unit=True) + "  ")
        pub.append_text(band_text(p.rag, p.rag is not None))
        pub.append(f"  version {p.version} of {p.published_at[:10]}")
        pub.append("  · restated since publication" if e.restated else "  · as the data gives it",
                   style="bold" if e.restated else "dim")
        rows.append(("Published", pub))
    if r.target is not None:
        rows.append(("Target", Text(fmt(r.target)).append(f"  ({e.polarity} is better)", style="dim")))
        rows.append(("Floor", Text(fmt(r.floor)).append("  (minimum standard)", style="dim")))
    else:
        rows.append(("Target", Text("none: an activity measure, not rated", style="dim")))
    if e.previous is not None:
        p = e.previous
        prev = Text(f"{fmt(p.value)}  ")
        prev.append_text(band_text(p.rag, p.target is not None))
        prev.append(f"  in {month_label(p.period)}")
        rows.append(("Previous", prev))
        if e.change:
            rows.append(("Change", Text(change_words(e.change))))
    for i, name in enumerate(e.comparators):
        rows.append(("Compared" if i == 0 else "", Text(comparator_text(e, name))))
    if e.definition:
        rows.append(("Definition", Text(e.definition)))
    if e.owner:
        rows.append(("Owner", Text(e.owner)))
    if e.notes:
        rows.append(("Notes", Text(e.notes)))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    for label, content in rows:
        grid.add_row(label, content)
    return grid


def spc_text(e: Explanation) -> Text:
    text = Text("Statistical process control (XmR)  ", style="bold")
    s = e.spc
    if s is None:
        points = sum(t.value is not None for t in e.trend)
        text.append(f"needs 12 points, has {points}: no verdict yet", style="dim")
        return text
    d = e.decimals + 1
    text.append(VARIATION_WORDS[s.variation])
    text.append("; ")
    text.append(ASSURANCE_WORDS[s.assurance])
    text.append(f"\n  mean {s.mean:,.{d}f}, process limits {s.lower:,.{d}f} to {s.upper:,.{d}f}"
                f" over {sum(t.value is not None for t in e.trend)} points", style="dim")
    latest = [RULE_WORDS[sig.rule] for sig in s.signals if sig.period == e.period]
    if latest:
        text.append("\n  latest point: " + "; ".join(latest))
    return text


def why_text(e: Explanation) -> Text:
    """Thresholds, why outside, what moved a rolling figure, the year-end position (explain_words)."""
    lines = why_lines(e)
    if not lines:
        return Text("")
    text = Text("\n")
    text.append("Why\n", style="bold")
    text.append("\n".join(f"• {line}" for line in lines))
    return text


def breakdown_rows(e: Explanation, name: str, public: bool = False, low_base: int = 5) -> list[TableRow]:
    """A breakdown's groups in the column's declared order, labelled. The UI is for internal use: every
    value shows, and a cell a public paper would suppress says so."""
    rows = []
    rated = e.result.target is not None
    groups = e.ordered(name)
    marks = suppress([g.base for g in groups], low_base) if public else [None] * len(groups)
    for i, (g, mark) in enumerate(zip(groups, marks, strict=True)):
        name = "(empty)" if g.group is None else str(g.label)
        flag = "low base" if g.low_base else ""
        if mark == "primary":
            flag = "low base: x in the paper"
        elif mark == "secondary":
            flag = "x in the paper (secondary)"
        rows.append(TableRow(
            key=f"g{i}",
            cells=[Text(name), Text(figure(g.value, e.decimals, e.unit, with_unit=False), justify="right"),
                   band_text(g.rag, rated), Text(count(g.numerator), justify="right"),
                   Text(count(g.denominator), justify="right"),
                   Text(flag, style="italic")],
            sort_keys=[i, g.value, _rank(g.rag), g.numerator, g.denominator, int(g.low_base)],
        ))
    return rows


def _rank(rag: str | None) -> int | None:
    return {"red": 0, "amber": 1, "green": 2, "no_data": 3}.get(rag or "")


def cohorts_renderable(e: Explanation) -> Group | Text:
    if not e.cohorts:
        return Text("Cohort impact: no cohort applies to this measure's data.", style="dim")
    rated = e.result.target is not None
    table = Table(box=None, pad_edge=False)
    table.add_column("Cohort")
    table.add_column("All", justify="right")
    table.add_column("Excluding the cohort", justify="right")
    table.add_column("The cohort only", justify="right")
    fmt = lambda v: figure(v, e.decimals, e.unit, with_unit=False)  # noqa: E731
    for cid, c in e.cohorts.items():
        cells = []
        for r in (e.result, c.excluding, c.only):
            cell = Text(fmt(r.value) + " ")
            cell.append_text(band_text(r.rag, rated) if rated else Text(""))
            cells.append(cell)
        table.add_row(Text(f"{c.label} ({cid})"), *cells)  # Text: a label is never markup
    return Group(Text("Cohort impact", style="bold"), table)


def commentary_text(drill: DrillView, period: str, timezone: str) -> Text:
    text = Text(f"Commentary for {month_label(period)}\n", style="bold")
    c = drill.commentary
    if c is None:
        text.append("None written yet: press w to write it.", style="dim")
        return text
    text.append(c.text)
    text.append(f"\n— {c.author}, {local_time(c.written_at, timezone)}", style="dim")
    earlier = len(drill.history) - 1
    if earlier > 0:
        text.append(f" ({earlier} earlier version{'s' if earlier > 1 else ''} kept)", style="dim")
    return text
