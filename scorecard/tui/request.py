"""What the command line asks the UI to open: the scorecard it starts on, and why a --scorecard,
--period or --measure cannot be shown. Light: no Textual, no engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.names import did_you_mean, find_id
from ..engine.periods import is_period

if TYPE_CHECKING:
    from ..engine.config_model import Config


def default_scorecard(config: Config, measure: str | None) -> str:
    """The first scorecard, or with --measure the first scorecard that shows the measure."""
    if measure:
        for m in config.measures:
            if m.id == measure and m.scorecards:
                return m.scorecards[0]
    return config.scorecards[0].id


def request_problem(config: Config, scorecard_id: str | None, period: str | None, measure: str | None) -> str | None:
    """Why the command line's --scorecard, --period or --measure cannot be shown, or None."""
    if scorecard_id is not None and scorecard_id not in {s.id for s in config.scorecards}:
        known = ", ".join(s.id for s in config.scorecards)
        return f"unknown scorecard {scorecard_id!r}; the config has {known}"
    if period is not None and not is_period(period):
        return f"{period!r} is not a period (YYYY-MM)"
    ids = [m.id for m in config.measures]
    if measure is not None and find_id(measure, ids) is None:
        return f"unknown measure {measure!r}{did_you_mean(measure, ids)} (`scorecard measures` lists them)"
    return None
