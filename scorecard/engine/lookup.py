"""The config's scorecards and measures by id, raising the engine's `UsageError`: nothing here loads data
or imports polars, so the results store and the command line answer these without importing the engine
(`Engine.scorecard` and `Engine.measure` are these)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import UsageError as UsageError
from .names import did_you_mean, find_id

if TYPE_CHECKING:
    from .config_model import Config, Measure, ScorecardDef


def scorecard_of(config: Config, scorecard_id: str | None) -> ScorecardDef:
    try:
        return config.scorecard(scorecard_id)
    except KeyError:
        known = ", ".join(s.id for s in config.scorecards)
        raise UsageError(f"unknown scorecard {scorecard_id!r}; the config has {known}") from None


def measure_of(config: Config, measure_id: str) -> Measure:
    """A measure by its id, without regard to case; an unknown id names the closest ones."""
    ids = [m.id for m in config.measures]
    found = find_id(measure_id, ids)
    if found is None:
        raise UsageError(f"unknown measure {measure_id!r}{did_you_mean(measure_id, ids)} "
                         "(`scorecard measures` lists them)")
    return config.measure(found)
