"""The alerts outbox: a table in the SQLite state file (which also keeps commentary).

One row per (route, scorecard, measure, period, from band, to band), inserted in the same
transaction as the record of the evaluation run that found it, so an alert is never lost
between finding it and sending it. A row is `pending` until Slack has accepted the message
carrying it, then `delivered` with Slack's channel and timestamp, and never sent again.

Before each send the rows are marked `uncertain` (and their attempt counted) in a committed
transaction; a send that ends in a clear refusal clears the mark, one whose fate is unknown
(the process died, the connection dropped after the request went out) leaves it, and the
next sender looks for the message in the channel's history before sending it again.

Only tables prefixed `alert_` belong to this module; nothing here touches other tables.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..publish.state import ensure_schema
from ..statefile import StateFileError, begin_write, connect, state_errors
from .evaluate import RoutedAlert, RouteLike, Transition, route_takes, route_transitions
from .outbox_schema import SCHEMA, one_spelling


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class OutboxRow:
    id: int
    route: str
    scorecard: str
    measure: str
    period: str
    from_band: str
    to_band: str
    kinds: tuple[str, ...]
    alert_key: str
    transition: Transition
    run_id: int
    created_at: str
    status: str
    attempts: int
    uncertain: bool
    last_attempt_at: str | None
    last_error: str | None
    slack_channel: str | None
    slack_ts: str | None
    delivered_at: str | None
    found_in_history: bool
    dropped_reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        t = self.transition
        return {
            "id": self.id,
            "route": self.route,
            "scorecard": self.scorecard,
            "measure": self.measure,
            "title": t.title,
            "period": self.period,
            "from": self.from_band,
            "to": self.to_band,
            "kinds": list(self.kinds),
            "value": t.value,
            "previous_value": t.previous_value,
            "status": self.status,
            "attempts": self.attempts,
            "uncertain": self.uncertain,
            "created_at": self.created_at,
            "last_attempt_at": self.last_attempt_at,
            "last_error": self.last_error,
            "delivered_at": self.delivered_at,
            "dropped_reason": self.dropped_reason,
            "slack": (
                {"channel": self.slack_channel, "ts": self.slack_ts, "found_in_history": self.found_in_history}
                if self.status == "delivered"
                else None
            ),
        }


@dataclass(frozen=True)
class Dropped:
    """Pending alerts of one route that the config no longer sends there."""

    route: str
    alerts: int
    reason: str
    rerouted: dict[str, int]  # channel -> alerts re-routed there (not already in its outbox)


@dataclass(frozen=True)
class Recorded:
    run_id: int
    transitions: int
    new_alerts: int
    dropped: list[Dropped] = field(default_factory=list)


_COLUMNS = (
    "id, route, scorecard, measure, period, from_band, to_band, kinds, alert_key, payload, run_id, "
    "created_at, status, attempts, uncertain, last_attempt_at, last_error, slack_channel, slack_ts, "
    "delivered_at, found_in_history, dropped_reason"
)


def _row(r: sqlite3.Row) -> OutboxRow:
    return OutboxRow(
        id=r["id"],
        route=r["route"],
        scorecard=r["scorecard"],
        measure=r["measure"],
        period=r["period"],
        from_band=r["from_band"],
        to_band=r["to_band"],
        kinds=tuple(k for k in r["kinds"].split(",") if k),
        alert_key=r["alert_key"],
        transition=Transition.from_json(json.loads(r["payload"])),
        run_id=r["run_id"],
        created_at=r["created_at"],
        status=r["status"],
        attempts=r["attempts"],
        uncertain=bool(r["uncertain"]),
        last_attempt_at=r["last_attempt_at"],
        last_error=r["last_error"],
        slack_channel=r["slack_channel"],
        slack_ts=r["slack_ts"],
        delivered_at=r["delivered_at"],
        found_in_history=bool(r["found_in_history"]),
        dropped_reason=r["dropped_reason"],
    )


class Outbox:
    """The outbox tables in one state file. Every method that writes commits before returning,
    except inside `preview()`, which rolls everything back (dry runs)."""

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self.conn = conn
        self.path = path
        self._previewing = False

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Outbox:
        """The state file's outbox. With `create=False` (a dry run) a state file that does not
        exist yet is stood in for by an empty one in memory: nothing is written to disk.
        Raises StateFileError (one line naming the file and what to do) when the file is a
        directory, damaged, read-only, kept locked, or from a newer program."""
        if create or path.exists() or path.is_symlink():
            conn = connect(path)
        else:
            conn = sqlite3.connect(":memory:", isolation_level=None)
            conn.row_factory = sqlite3.Row
        try:
            with state_errors(path):
                conn.execute("PRAGMA foreign_keys = ON")
            begin_write(conn, path)
            with state_errors(path):
                try:
                    _migrate(conn)
                    _create(conn)
                    ensure_schema(conn)  # publications; an outbox from before schema version 2
                    one_spelling(conn)  # routes recorded before channel names had one spelling
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        except RuntimeError as e:  # a state file from a newer program
            conn.close()
            raise StateFileError(path, str(e)) from None
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    @classmethod
    def open_existing(cls, path: Path) -> Outbox | None:
        """For readers (status): None when there is no state file yet; never creates one."""
        if not path.exists():
            return None
        return cls.open(path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._previewing:  # inside preview(): part of its transaction, undone at its end
            yield
            return
        begin_write(self.conn, self.path)
        try:
            with state_errors(self.path):
                yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        with state_errors(self.path):
            self.conn.execute("COMMIT")

    @contextmanager
    def preview(self) -> Iterator[None]:
        """Everything written inside is visible inside and rolled back at the end (dry runs)."""
        begin_write(self.conn, self.path)
        self._previewing = True
        try:
            yield
        finally:
            self._previewing = False
            self.conn.execute("ROLLBACK")

    # -- writing --------------------------------------------------------------------------
    def record(self, alerts: Sequence[RoutedAlert], periods: dict[str, str], transitions: int,
               now: dt.datetime | None = None, routes: Sequence[RouteLike] | None = None) -> Recorded:
        """Record an evaluation run and its alerts in one transaction. Alerts already in the
        outbox (pending or delivered) are left as they are. With `routes` (the config as it is
        now), pending alerts follow them: see `_follow_routes`."""
        stamp = _iso(now or utc_now())
        with self._transaction():
            cur = self.conn.execute(
                "INSERT INTO alert_runs (started_at, periods, transitions, new_alerts) VALUES (?, ?, ?, 0)",
                (stamp, json.dumps(periods, sort_keys=True), transitions),
            )
            run_id = int(cur.lastrowid or 0)
            new = 0
            for a in alerts:
                new += self._insert(a, run_id, stamp)
            dropped = self._follow_routes(routes, run_id, stamp) if routes is not None else []
            self.conn.execute("UPDATE alert_runs SET new_alerts = ? WHERE id = ?", (new, run_id))
        return Recorded(run_id, transitions, new, dropped)

    def _follow_routes(self, routes: Sequence[RouteLike], run_id: int, stamp: str) -> list[Dropped]:
        """A route is its channel. A pending alert whose channel no route names any more, or whose
        route no longer takes it (`when`, `scorecards`), is dropped (never sent there) with the
        reason; its transition goes to whichever routes take it now, unless already in their outbox."""
        channels = {r.channel for r in routes}
        out: dict[tuple[str, str], list[OutboxRow]] = {}
        for row in self.rows(status="pending"):
            if any(r.channel == row.route and route_takes(r, row.transition) for r in routes):
                continue
            reason = (f"{row.route} is no longer a configured channel" if row.route not in channels
                      else f"the route to {row.route} no longer takes this alert")
            out.setdefault((row.route, reason), []).append(row)
        dropped = []
        for (route, reason), rows in out.items():
            rerouted: dict[str, int] = {}
            for row in rows:
                self.conn.execute("UPDATE alert_outbox SET status = 'dropped', uncertain = 0, dropped_reason = ?"
                                  " WHERE id = ?", (reason, row.id))
                if not row.transition.scorecard:  # about a dataset: each run routes these afresh
                    continue
                for a in route_transitions([row.transition], routes):
                    if self._insert(a, run_id, stamp):
                        rerouted[a.route] = rerouted.get(a.route, 0) + 1
            dropped.append(Dropped(route, len(rows), reason, rerouted))
        return dropped

    def _insert(self, a: RoutedAlert, run_id: int, stamp: str) -> int:
        t = a.transition
        cur = self.conn.execute(
            "INSERT OR IGNORE INTO alert_outbox (route, scorecard, measure, period, from_band, to_band,"
            " kinds, alert_key, payload, run_id, created_at, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (a.route, t.scorecard, t.measure, t.period, t.from_band, t.to_band, ",".join(t.kinds),
             a.key, json.dumps(t.to_json(), sort_keys=True), run_id, stamp, t.detail),
        )
        return cur.rowcount

    def begin_attempt(self, ids: Sequence[int], now: dt.datetime | None = None) -> None:
        """Committed before the request goes out: if the process dies during the send, the rows
        stay marked uncertain and the next run checks Slack before resending."""
        with self._transaction():
            self.conn.executemany(
                "UPDATE alert_outbox SET attempts = attempts + 1, uncertain = 1, last_attempt_at = ?"
                " WHERE id = ? AND status = 'pending'",
                [(_iso(now or utc_now()), i) for i in ids],
            )

    def mark_delivered(self, ids: Sequence[int], channel: str, ts: str | None, *, found_in_history: bool = False,
                       now: dt.datetime | None = None) -> None:
        with self._transaction():
            self.conn.executemany(
                "UPDATE alert_outbox SET status = 'delivered', uncertain = 0, last_error = NULL,"
                " slack_channel = ?, slack_ts = ?, delivered_at = ?, found_in_history = ?"
                " WHERE id = ? AND status = 'pending'",
                [(channel, ts, _iso(now or utc_now()), int(found_in_history), i) for i in ids],
            )

    def mark_failed(self, ids: Sequence[int], error: str, *, uncertain: bool) -> None:
        """The rows stay pending with the error; `uncertain` when the message may have reached Slack."""
        with self._transaction():
            self.conn.executemany(
                "UPDATE alert_outbox SET last_error = ?, uncertain = ? WHERE id = ? AND status = 'pending'",
                [(error, int(uncertain), i) for i in ids],
            )

    def note_error(self, ids: Sequence[int], error: str) -> None:
        """Why the rows could not be sent yet, when no attempt was made (Slack could not be asked)."""
        with self._transaction():
            self.conn.executemany("UPDATE alert_outbox SET last_error = ? WHERE id = ? AND status = 'pending'",
                                  [(error, i) for i in ids])

    def remember_channel(self, name: str, channel_id: str) -> None:
        with self._transaction():
            self.conn.execute(
                "INSERT INTO alert_channels (name, channel_id) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET channel_id = excluded.channel_id",
                (name, channel_id),
            )

    # -- reading --------------------------------------------------------------------------
    def channel_id(self, name: str) -> str | None:
        with state_errors(self.path):
            r = self.conn.execute("SELECT channel_id FROM alert_channels WHERE name = ?", (name,)).fetchone()
        return r["channel_id"] if r else None

    def pending(self) -> list[OutboxRow]:
        return self.rows(status="pending")

    def rows(self, status: str | None = None) -> list[OutboxRow]:
        sql = f"SELECT {_COLUMNS} FROM alert_outbox"
        args: tuple[Any, ...] = ()
        if status is not None:
            sql += " WHERE status = ?"
            args = (status,)
        with state_errors(self.path):
            return [_row(r) for r in self.conn.execute(sql + " ORDER BY id", args).fetchall()]

    def counts(self) -> dict[str, int]:
        out = {"pending": 0, "delivered": 0, "dropped": 0}
        with state_errors(self.path):
            for r in self.conn.execute("SELECT status, COUNT(*) AS n FROM alert_outbox GROUP BY status").fetchall():
                out[r["status"]] = r["n"]
        return out

    def last_run(self) -> dict[str, Any] | None:
        with state_errors(self.path):
            r = self.conn.execute(
                "SELECT id, started_at, periods, transitions, new_alerts FROM alert_runs ORDER BY id DESC LIMIT 1"
            ).fetchone()
        if r is None:
            return None
        return {"id": r["id"], "started_at": r["started_at"], "periods": json.loads(r["periods"]),
                "transitions": r["transitions"], "new_alerts": r["new_alerts"]}


def _migrate(conn: sqlite3.Connection) -> None:
    """An outbox made before alerts could be dropped (no 'dropped' status, no dropped_reason):
    rebuilt with the current schema, every row kept. Inside the caller's transaction."""
    r = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'alert_outbox'").fetchone()
    if r is None or "dropped_reason" in r[0]:
        return
    conn.execute("ALTER TABLE alert_outbox RENAME TO alert_outbox_v1")
    conn.execute("DROP INDEX IF EXISTS alert_outbox_status")
    _create(conn)
    old = [r[1] for r in conn.execute("PRAGMA table_info(alert_outbox_v1)")]
    new = {r[1] for r in conn.execute("PRAGMA table_info(alert_outbox)")}
    columns = ", ".join(c for c in old if c in new)  # every column both have (others' additions too)
    conn.execute(f"INSERT INTO alert_outbox ({columns}) SELECT {columns} FROM alert_outbox_v1")
    conn.execute("DROP TABLE alert_outbox_v1")


def _create(conn: sqlite3.Connection) -> None:
    """The schema, statement by statement: `executescript` would commit the caller's transaction."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
