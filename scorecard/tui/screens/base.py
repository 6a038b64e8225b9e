"""What the app's screens share: typed access to the app, the messages that tell a screen the
app's period moved or a commentary was saved, and following the app's period."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual import work
from textual.message import Message
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from ..application import ScorecardApp

T = TypeVar("T")


class PeriodChanged(Message):
    """The app's period moved (with `[` `]`, the period picker, or on another screen)."""

    def __init__(self, period: str) -> None:
        super().__init__()
        self.period = period


class CommentarySaved(Message):
    """An analyst saved commentary on a measure for a period."""

    def __init__(self, measure_id: str, period: str) -> None:
        super().__init__()
        self.measure_id = measure_id
        self.period = period


class EngineFailed(Message):
    """A worker's question to the engine failed: the screen says so, the analyst keeps the app."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class AppAccess:
    """Mixed into screens: `self.sc` is the running ScorecardApp; `ask` puts a question to its engine
    service in a worker thread (a new question cancels the screen's unanswered one)."""

    app: Any
    is_attached: bool
    post_message: Callable[[Message], bool]

    @property
    def sc(self) -> ScorecardApp:
        return cast("ScorecardApp", self.app)

    def app_ending(self) -> bool:
        """Whether the app is shutting down: a screen built off screen or resumed in that moment (its
        widgets may be gone already) does nothing."""
        return not (self.is_attached and self.app.is_running)

    @work(thread=True, exclusive=True, group="engine")
    def ask(self, question: Callable[[], T], answer: Callable[[T], Message | None]) -> None:
        """Post `answer(what the question returned)` to this screen (nothing when it is None), or
        `EngineFailed`; nothing once a newer question has cancelled this one."""
        worker = get_current_worker()
        try:
            result = question()
        except Exception as e:  # shown, not raised: the analyst keeps the app
            if not worker.is_cancelled:
                self.post_message(EngineFailed(e))
            return
        if not worker.is_cancelled and (message := answer(result)) is not None:
            self.post_message(message)


class FollowsPeriod(AppAccess):
    """Mixed into a screen opened at a period: it follows the app's period when that moves (here
    with `[` `]`, or on another screen while this one waited underneath), not when the screen was
    opened at a period of its own (a band change's later period). `period_moved` shows the new one."""

    period: str
    seen_period: str | None

    def period_moved(self) -> None:
        raise NotImplementedError

    def action_period(self, step: int) -> None:
        before, self.seen_period = self.seen_period, None  # follow whatever period the app moves to
        if not self.sc.shift_period(step, self.period):
            self.seen_period = before  # it did not move: at the edge of the data

    def on_screen_resume(self) -> None:
        self._follow()

    def on_period_changed(self, message: PeriodChanged) -> None:
        self._follow()

    def _follow(self) -> None:
        if self.app_ending():
            return
        if self.sc.period and self.sc.period != self.seen_period:
            self.seen_period = self.sc.period
            self.period = self.sc.period
            self.period_moved()

