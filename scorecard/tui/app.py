"""`scorecard` / `scorecard show`: the terminal UI.

This module is kept light on purpose: `run_app` checks the config, starts the engine loading the
data and rating the first screen in a thread of its own, and only then imports Textual and the app
(`application.py`), so the engine's work and the UI's imports overlap. `ScorecardApp` is still
importable from here.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..engine.calendar import is_period
from ..engine.config import Config, ConfigError, load_config
from ..engine.names import did_you_mean, find_id

if TYPE_CHECKING:
    from .application import ScorecardApp
    from .service import EngineService


def __getattr__(name: str) -> Any:
    """`from scorecard.tui.app import ScorecardApp` (and its constants): imported when first asked for."""
    if name in {"ScorecardApp", "DARK", "LIGHT", "PREFETCH_DELAY"}:
        from . import application

        return getattr(application, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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


def start_engine(config: Config, scorecard_id: str | None = None, period: str | None = None,
                 measure: str | None = None, today: dt.date | None = None) -> EngineService:
    """The engine service, already loading the data and rating the first screen in a thread."""
    from .service import EngineService

    service = EngineService(config, today)
    service.preload(scorecard_id or default_scorecard(config, measure), period)
    return service


def build_app(config: Config, scorecard_id: str | None = None, period: str | None = None,
              measure: str | None = None, today: dt.date | None = None) -> ScorecardApp:
    """Start the engine first, then import the UI and build the app around that engine."""
    service = start_engine(config, scorecard_id, period, measure, today)
    from .application import ScorecardApp

    return ScorecardApp(config, scorecard_id, period, measure, today, service=service)


def run_app(config_path: Path, scorecard_id: str | None, period: str | None, measure: str | None) -> int:
    """Open the terminal UI; the exit code (1: config or data problems, 2: a usage error)."""
    try:
        config = load_config(config_path)
    except ConfigError as e:
        for line in e.problems:
            print(line, file=sys.stderr)
        return 1
    problem = request_problem(config, scorecard_id, period, measure)
    if problem:
        print(f"Error: {problem}", file=sys.stderr)
        return 2
    if measure is not None:
        measure = find_id(measure, [m.id for m in config.measures])  # as the config spells it
    if period is not None:  # SPEC section 7: a period after the latest with data is a usage error
        service = start_engine(config, scorecard_id, period, measure)
        try:
            service.check_period(period)
        except ValueError as e:  # the engine's UsageError
            print(f"Error: {e}", file=sys.stderr)
            return 2
        from .application import ScorecardApp

        app: ScorecardApp = ScorecardApp(config, scorecard_id, period, measure, None, service=service)
    else:
        app = build_app(config, scorecard_id, period, measure)
    app.run()
    if app.return_code:  # the app stopped on an error (Textual has shown it)
        return app.return_code
    if app.problem_lines:
        print(f"{len(app.problem_lines)} data problem(s) found; `scorecard check` lists them.", file=sys.stderr)
        return 1
    return 0
