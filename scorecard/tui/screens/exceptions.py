"""The exception report: every Red measure with its detail, as the papers append it to the scorecard."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from ...commentary import ExceptionPage
from ...present import ASSURANCE_WORDS, VARIATION_WORDS, WINDOW_WORDS, change_words, figure, month_label, sparkline
from ..service import ScorecardView
from ..text import band_text
from ..widgets.footer import KeyFooter
from .base import EngineFailed, FollowsPeriod


def exception_text(item: ExceptionPage) -> Text:
    m, e = item.rating, item.explanation
    fmt = lambda v: figure(v, m.decimals, m.unit, with_unit=False)  # noqa: E731
    text = Text()
    text.append_text(band_text(m.rag))
    text.append(f"  {m.title}", style="bold")
    text.append(f"  ({m.id})", style="dim")
    text.append(f"\n{m.section} · {WINDOW_WORDS.get(e.window, e.window)}", style="dim")
    better = f"; {m.polarity} is better" if m.polarity else ""
    text.append(f"\nPerformance for {month_label(m.period)} was {figure(m.value, m.decimals, m.unit)}, "
                f"against a target of {fmt(m.target)} and a floor (minimum standard) of {fmt(m.floor)}{better}.")
    if m.previous is not None:
        text.append(f"\nPrevious: {fmt(m.previous.value)} in {month_label(m.previous.period)}  ")
        text.append_text(band_text(m.previous.rag))
        text.append(f"{'  ' + change_words(m.change) if m.change else ''}")
    if e.trend:
        recent = e.trend[-12:]
        text.append(f"\nTrend {recent[0].period} to {recent[-1].period}: ")
        text.append(sparkline([t.value for t in recent], target=m.target, floor=m.floor, decimals=m.decimals))
        text.append("   " + " ".join(fmt(t.value) for t in recent[-4:]), style="dim")
    if e.spc is not None:
        text.append(f"\nSPC: {VARIATION_WORDS[e.spc.variation]}; {ASSURANCE_WORDS[e.spc.assurance]}")
    if m.comparators:
        text.append("\nComparators: " + ", ".join(f"{k} {fmt(v)}" for k, v in m.comparators.items()))
    for name in e.breakdowns:  # the column's heading and labels, in its declared order, as every view
        red = [g for g in e.ordered(name) if g.rag == "red"]
        if red:
            text.append(f"\nRed by {e.heading(name)}: " + ", ".join(
                f"{'(empty)' if g.group is None else g.label} {fmt(g.value)}" + (" (low base)" if g.low_base else "")
                for g in red))
    for c in e.cohorts.values():
        text.append(f"\n{c.label}: excluding them {fmt(c.excluding.value)}, them only {fmt(c.only.value)}")
    text.append("\nCommentary: ", style="bold")
    if item.commentary is not None:
        text.append(item.commentary.text)
        text.append(f" — {item.commentary.author}", style="dim")
    else:
        text.append("none written yet (Enter, then w)", style="dim")
    return text


class ExceptionCard(Static, can_focus=True):
    """One Red measure; Enter opens its drill-down."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Drill-down", tooltip="Drill down into the measure")]

    def __init__(self, item: ExceptionPage):
        super().__init__(exception_text(item), classes="exception")
        self.measure_id = item.rating.id

    def action_open(self) -> None:
        self.screen.open_measure(self.measure_id)  # type: ignore[attr-defined]


class ExceptionsScreen(FollowsPeriod, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the previous screen"),
        Binding("left_square_bracket", "period(-1)", "Prev", key_display="[", tooltip="Previous period"),
        Binding("right_square_bracket", "period(1)", "Next", key_display="]", tooltip="Next period"),
        Binding("down,j", "next_card", "Next", show=False, tooltip="Next Red measure"),
        Binding("up,k", "previous_card", "Previous", show=False, tooltip="Previous Red measure"),
    ]

    def __init__(self, scorecard_id: str, period: str):
        super().__init__()
        self.scorecard_id = scorecard_id
        self.period = period
        self.seen_period: str | None = None  # the app's period when this screen last looked

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="exceptions-summary")
        yield VerticalScroll(id="exceptions")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.seen_period = self.sc.period
        self.title = self.sc.config.organisation.name
        self.load()

    def load(self) -> None:
        self.sub_title = f"Exception report · {month_label(self.period)}"
        self._load(self.scorecard_id, self.period)

    class Reported(Message):
        """The engine's exception report for a period."""

        def __init__(self, period: str, view: ScorecardView, items: list[ExceptionPage]) -> None:
            super().__init__()
            self.period, self.view, self.items = period, view, items

    def _load(self, scorecard_id: str, period: str) -> None:
        self.ask(lambda: self.sc.service.exceptions(scorecard_id, period),
                 lambda answer: self.Reported(period, *answer))

    @on(Reported)
    def _reported(self, message: Reported) -> None:
        self._show(message.period, message.view, message.items)

    @on(EngineFailed)
    def _failed(self, message: EngineFailed) -> None:
        self.app.notify(str(message.error), title="Exception report", severity="error")

    def _show(self, period: str, view: ScorecardView, items: list[ExceptionPage]) -> None:
        if period != self.period:
            return
        s = view.rating.summary
        lead = (f"Exception report for {month_label(period)}: {s.red} of {s.rated} rated measures "
                f"{'is' if s.red == 1 else 'are'} Red (performance below the minimum standard).")
        if not items:
            lead += " There is nothing to report."
        self.query_one("#exceptions-summary", Static).update(Text(lead, style="bold"))
        box = self.query_one("#exceptions", VerticalScroll)
        box.remove_children()
        box.mount_all([ExceptionCard(item) for item in items])
        if items:
            self.call_after_refresh(self._focus_first)

    def _focus_first(self) -> None:
        cards = list(self.query(ExceptionCard))
        if cards:
            cards[0].focus()

    def open_measure(self, measure_id: str) -> None:
        self.sc.open_drill(measure_id, self.period)

    def action_next_card(self) -> None:
        self.focus_next(ExceptionCard)

    def action_previous_card(self) -> None:
        self.focus_previous(ExceptionCard)

    def period_moved(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.app.pop_screen()
