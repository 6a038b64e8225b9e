"""Helpers for the terminal UI tests (no tests here): build the app on a copy of a fixture, let workers finish."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from scorecard.engine.config import load_config
from scorecard.tui.application import ScorecardApp
from scorecard.tui.widgets.measure_table import ScorecardTable

TODAY = dt.date(2017, 6, 15)  # a fixed "today": the latest period does not depend on the clock


def make_app(config_dir: Path, period: str | None = "2017-04", **kwargs) -> ScorecardApp:
    return ScorecardApp(load_config(config_dir / "config.toml"), period=period, today=TODAY, **kwargs)


async def settle(pilot: Pilot) -> None:
    """Until no worker is running and the screen has caught up with what they posted."""
    app = pilot.app
    for _ in range(20):
        await pilot.pause()
        try:
            await app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one: wait for that one instead
            continue
        await pilot.pause()
        if not any(w.is_running for w in app.workers) and not _loading(app):
            break
    await pilot.pause()


def _loading(app) -> bool:
    return any(getattr(w, "loading", False) for w in app.screen.query("*"))


def table_ids(app: ScorecardApp) -> list[str]:
    return app.screen.query_one(ScorecardTable).measure_ids()


def shown(widget) -> str:
    """The plain text a Static shows, whatever it was given (Text, a Rich table, a string)."""
    from rich.console import Console

    console = Console(width=200, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(widget.content)
    return console.export_text()


def screen_text(app) -> str:
    """What the terminal shows now, as plain lines (the screen on top, modals over what is below)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)
