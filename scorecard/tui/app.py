"""`scorecard` / `scorecard show`: the terminal UI.

This module is kept light on purpose: `run_app` starts the engine loading the data and rating the
first screen in a thread of its own, and only then imports Textual and the app (`application.py`),
so the engine's work and the UI's imports overlap (docs/tui.md). The command line loads the config
and checks the request (`request.py`) before it calls `run_app`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..engine.config_model import Config
from ..engine.names import find_id
from .request import default_scorecard

if TYPE_CHECKING:
    from .application import ScorecardApp
    from .service import EngineService


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


def run_app(config: Config, scorecard_id: str | None, period: str | None,
            measure: str | None) -> tuple[int, list[str]]:
    """Open the terminal UI (the command line has checked the request): Textual's return code (not 0
    when the app stopped on an error it has shown) and the data problems found. Raises the engine's
    `UsageError` for a period after the latest with data (SPEC section 7)."""
    if measure is not None:
        measure = find_id(measure, [m.id for m in config.measures])  # as the config spells it
    if period is not None:
        service = start_engine(config, scorecard_id, period, measure)
        service.check_period(period)
        from .application import ScorecardApp

        app: ScorecardApp = ScorecardApp(config, scorecard_id, period, measure, None, service=service)
    else:
        app = build_app(config, scorecard_id, period, measure)
    app.run()
    return app.return_code or 0, list(app.problem_lines)
