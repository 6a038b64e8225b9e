"""Alerts on the data (SPEC section 7): `data_stale` and `restated` routes.

- `data_stale`: a measure dataset whose `as_at` (without the key: its own latest dated row) is
  more than `stale_after_days` days before today (the dataset's key, else `[alerts].stale_after_days`,
  default 45), or whose file is missing: one alert per (dataset, that date), or per (dataset, the
  first day it was found missing; kept in the state file's `alert_missing_files`).
- `restated`: a published measure whose `restated` is true: one alert per (scorecard, measure,
  period, published band, live band, live value).

Both travel as `Transition`s (kinds `data_stale` / `restated`) through the same outbox, so they are
delivered once per route, never lost and never repeated, exactly like band changes.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .evaluate import NO_BAND, RoutedAlert, RouteLike, Transition

if TYPE_CHECKING:
    from ..engine.engine import Engine

DATA_STALE = "data_stale"
RESTATED = "restated"
DATA_KINDS = (DATA_STALE, RESTATED)


def wanted(routes: Sequence[RouteLike], kind: str) -> list[RouteLike]:
    return [r for r in routes if kind in r.when]


# -- restated ------------------------------------------------------------------------------------
def restated_transitions(engine: Engine, scorecards: Sequence[str]) -> list[Transition]:
    """Every restated published figure on these scorecards, as a transition from the published band
    to the live one."""
    from ..publish.restate import period_restatements
    from ..publish.store import PublicationStore

    store = PublicationStore(engine.config.state_path)
    out: list[Transition] = []
    for sc_id in scorecards:
        title = engine.scorecard(sc_id).title
        for pub in store.latest_versions(sc_id):
            for r in period_restatements(engine, pub):
                m = engine.measure(r.measure)
                out.append(Transition(
                    scorecard=sc_id, scorecard_title=title, measure=m.id, title=m.title, section=m.section,
                    unit=m.unit, decimals=m.decimals, polarity=m.polarity, period=pub.period,
                    value=r.live_value, target=r.published.target, floor=r.published.floor,
                    to_band=r.live_rag or NO_BAND, previous_period=pub.period, previous_value=r.published.value,
                    from_band=r.published.rag or NO_BAND, kinds=(RESTATED,),
                    detail="none" if r.live_value is None else repr(r.live_value),
                ))
    return out


# -- data_stale ----------------------------------------------------------------------------------
def first_missing(conn: sqlite3.Connection, dataset: str, today: dt.date) -> dt.date:
    """The first day the dataset's file was found missing (recorded now when it is new)."""
    conn.execute("INSERT OR IGNORE INTO alert_missing_files (dataset, first_missing) VALUES (?, ?)",
                 (dataset, today.isoformat()))
    row = conn.execute("SELECT first_missing FROM alert_missing_files WHERE dataset = ?", (dataset,)).fetchone()
    return dt.date.fromisoformat(row[0])


def stale_transitions(engine: Engine, conn: sqlite3.Connection) -> list[Transition]:
    """The measure datasets that are stale or missing today. A dataset found again is forgotten
    (a later disappearance is a new alert)."""
    from ..store import Results

    if isinstance(engine, Results):  # the data must be loaded to know its dates
        engine = engine.engine
    alerts = engine.config.alerts
    default_days = alerts.stale_after_days if alerts is not None else 45
    today = engine.today
    out: list[Transition] = []
    for c in engine.dataset_coverage():
        ds = engine.config.datasets[c.id]
        days = ds.stale_after_days if ds.stale_after_days is not None else default_days
        if c.missing:
            since = first_missing(conn, c.id, today)
            out.append(_stale(c.id, since, "missing", (today - since).days, days))
            continue
        conn.execute("DELETE FROM alert_missing_files WHERE dataset = ?", (c.id,))
        dated = c.as_at if c.as_at_given else c.latest_row
        if dated is None:
            continue
        age = (today - dated).days
        if age > days:
            out.append(_stale(c.id, dated, "stale", age, days))
    return out


def _stale(dataset: str, day: dt.date, state: str, age: int, days: int) -> Transition:
    return Transition(
        scorecard="", scorecard_title="", measure=dataset, title=dataset, section="", unit="days", decimals=0,
        polarity=None, period=day.isoformat(), value=float(age), target=float(days), floor=None, to_band=state,
        previous_period=None, previous_value=None, from_band=NO_BAND, kinds=(DATA_STALE,),
    )


def dataset_scorecards(engine: Engine) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in engine.config.measures:
        out.setdefault(m.dataset, set()).update(m.scorecards)
    return out


def route_data_alerts(engine: Engine, conn: sqlite3.Connection, routes: Sequence[RouteLike]) -> list[RoutedAlert]:
    """The alerts on the data for the routes that take them, once per channel."""
    out: list[RoutedAlert] = []
    seen: set[str] = set()
    stale_routes = wanted(routes, DATA_STALE)
    if stale_routes:
        feeds = dataset_scorecards(engine)
        for t in stale_transitions(engine, conn):
            for r in stale_routes:
                if r.scorecards is not None and not feeds.get(t.measure, set()) & set(r.scorecards):
                    continue
                a = RoutedAlert(r.channel, t)
                if a.key not in seen:
                    seen.add(a.key)
                    out.append(a)
    restated_routes = wanted(routes, RESTATED)
    if restated_routes:
        ids = [s.id for s in engine.config.scorecards
               if any(r.scorecards is None or s.id in r.scorecards for r in restated_routes)]
        for t in restated_transitions(engine, ids):
            for r in restated_routes:
                if r.scorecards is not None and t.scorecard not in r.scorecards:
                    continue
                a = RoutedAlert(r.channel, t)
                if a.key not in seen:
                    seen.add(a.key)
                    out.append(a)
    return out
