"""Publishing from the terminal UI (SPEC section 7): a confirmation showing what will be frozen,
then the same `publish` as the command line."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from ...present import month_label
from ..service import PublishPlan
from .base import AppAccess, EngineFailed


def plan_text(plan: PublishPlan) -> Text:
    """The confirmation: what is frozen, and what publishing again or with problems means."""
    when = month_label(plan.period)
    out = Text(f"Publish {plan.title} ({plan.scorecard}), {when}?\n\n", style="bold")
    out.append("This freezes, in the state file:\n")
    out.append(f"  • the rating: {summary_sentence_of(plan)}\n")
    out.append(f"  • {plan.commentary} commentary note(s) in force for {when}\n")
    out.append("  • the committee paper, as Markdown and HTML\n")
    out.append(f"  • the provenance: the config's and {plan.files} data file(s)' SHA-256, sizes and rows, "
               "the program's version, your name and the time\n")
    if plan.version is not None:
        out.append(f"\n{when} is already published (version {plan.version}): this publishes version "
                   f"{plan.version + 1}; every earlier version is kept.\n", style="bold")
    if plan.problems:
        out.append(f"\n{plan.problems} data problem(s) were found: they are published with the figures "
                   "(as `publish --force`).\n", style="bold")
    out.append("\ny or Enter publishes · n or Escape cancels", style="dim")
    return out


def summary_sentence_of(plan: PublishPlan) -> str:
    s = plan.summary
    text = f"{plan.measures} measures ({s.rated} rated: {s.green} Green, {s.amber} Amber, {s.red} Red"
    return text + (f", {s.no_data} without data)" if s.no_data else ")")


class PublishScreen(AppAccess, ModalScreen[str | None]):
    """Dismissed with the sentence saying what was published, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y,enter", "publish", "Publish", tooltip="Publish the scorecard for the period"),
        Binding("n,escape", "cancel", "Cancel", tooltip="Cancel: nothing is recorded"),
    ]

    def __init__(self, plan: PublishPlan):
        super().__init__()
        self.plan = plan
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="publish-box"):
            yield Static(plan_text(self.plan), id="publish-plan")
            yield Static("", id="publish-hint")

    def action_publish(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one("#publish-hint", Static).update("Publishing…")
        self._publish()

    class Published(Message):
        """What the state file now holds, in a sentence."""

        def __init__(self, said: str) -> None:
            super().__init__()
            self.said = said

    def _publish(self) -> None:
        self.ask(lambda: self.sc.service.publish(self.plan), self.Published)

    @on(Published)
    def _published(self, message: Published) -> None:
        self.dismiss(message.said)

    @on(EngineFailed)
    def _failed(self, message: EngineFailed) -> None:
        error = message.error
        self.busy = False
        self.query_one("#publish-hint", Static).update(Text(f"Not published: {error}", style="bold"))
        self.app.notify(f"Not published: {error}", severity="error", markup=False)

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)


__all__ = ["PublishScreen", "plan_text"]
