"""`scorecard` / `scorecard show`: the terminal UI.

This module is kept light on purpose: `run_app` starts the engine loading the data and rating the
first screen in a thread of its own, and only then imports Textual and the app (`application.py`),
so the engine's work and the UI's imports overlap (docs/tui.md). The command line checks the request
(`request.py`) before it calls `run_app`.

A second start on unchanged data (`open_app`, what `scorecard` with no options does) reads neither the
data nor the config before the first screen: the results store holds the first screen's answers and
what it shows of the config (`service.HEADING`) under a key made of the config's text, the data files,
today and the program. Those were kept by a start that read and checked this same config on this same
day, so it has no problems; it is read again behind the first screen, when first needed (and if it
ever had problems, the app would stop and print them as the command line does).
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from ..engine.errors import ConfigError
from ..engine.names import find_id
from .request import default_scorecard

if TYPE_CHECKING:
    from ..engine.config_model import Config
    from .application import ScorecardApp
    from .firststart import FirstScreenChild
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


def start_from_store(config_path: str | os.PathLike[str], today: dt.date | None = None,
                     child: FirstScreenChild | None = None) -> EngineService:
    """The engine service for the first scorecard at the latest period, already rating it in a thread: from
    the results store without reading the config when the store has what the first screen shows of it
    (`config_read` is then False); else with the config read and checked first (raises `ConfigError` as
    `load_config` does). `child`: a process that has kept the heading and is rating the first screen into
    the store (`firststart`); the service's thread waits for it."""
    from ..store import Results
    from .service import HEADING, EngineService

    results = Results.open(config_path, today, load=False)  # reads the config only if the store has never seen it
    found, heading = results.kept(HEADING)
    if found:
        service = EngineService(None, today, results=results, heading=heading, child=child)
    else:
        if child is not None:  # it said `heading`, but the store did not keep it (cannot be written): nobody
            child.stop()       # would read what it rates, so it is stopped, not left beside this process's work
        service = EngineService(results.config, today, results=results)
    service.preload(service.heading[1], None)
    return service


def first_start_child(config_path: str | os.PathLike[str], today: dt.date | None) -> FirstScreenChild | None:
    """On a first start (the results store has no first screen for this config, data and day), a child
    process rating the first screen into the store while this one imports Textual (`firststart`)."""
    from ..store.disk import enabled
    from . import firststart

    if not firststart.wanted() or not enabled():
        return None
    from ..store import Results

    known = Results.open_known(config_path, today)  # None: the store has never seen this config's text
    if known is not None:
        from .service import HEADING  # only here: the child starts sooner without the service's imports (16 ms)

        if known.kept(HEADING)[0]:
            return None
        known.release()  # no SQLite connection open across the fork
    return firststart.FirstScreenChild.start(config_path, today)


def open_app(config_path: str | os.PathLike[str], today: dt.date | None = None) -> ScorecardApp:
    """`scorecard` with no options: the first scorecard at the latest period, from the results store when it
    can (see above), else as `build_app`. Raises `ConfigError` for a config with problems."""
    child = first_start_child(config_path, today)
    if child is None:
        service = start_from_store(config_path, today)
        from .application import ScorecardApp
    else:  # Textual is imported while the child reads the config; then the first screen as a second start
        from .application import ScorecardApp

        service = start_from_store(config_path, today, child if child.heading_kept() else None)
    return ScorecardApp(service.config if service.config_read else None, None, None, None, today, service=service)


def run_app(config: Config | str | os.PathLike[str], scorecard_id: str | None, period: str | None,
            measure: str | None) -> tuple[int, list[str]]:
    """Open the terminal UI (the command line has checked the request): Textual's return code (not 0
    when the app stopped on an error it has shown) and the data problems found. `config`: the config
    read, or with no --scorecard, --period or --measure its path (`open_app`). Raises the engine's
    `UsageError` for a period after the latest with data (SPEC section 7), and `ConfigError` for a
    config with problems."""
    if isinstance(config, (str, os.PathLike)):
        app = open_app(config)
    else:
        if measure is not None:
            measure = find_id(measure, [m.id for m in config.measures])  # as the config spells it
        if period is not None:
            service = start_engine(config, scorecard_id, period, measure)
            service.check_period(period)
            from .application import ScorecardApp

            app = ScorecardApp(config, scorecard_id, period, measure, None, service=service)
        else:
            app = build_app(config, scorecard_id, period, measure)
    app.run()
    if app.config_problems:  # only if the config read behind a first screen from the store had problems
        raise ConfigError(app.config_problems)
    return app.return_code or 0, list(app.problem_lines)
