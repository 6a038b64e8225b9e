"""The outbox's tables in the state file: here, apart from `outbox.py`, because the state file's
migrations (`publish/state.py`) rebuild them too and `outbox.py` runs those migrations; and bringing
rows recorded by an older program to today's form (`one_spelling`)."""

from __future__ import annotations

import sqlite3
from typing import Any

from ..engine.names import channel_name

SCHEMA = """
CREATE TABLE IF NOT EXISTS alert_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    periods TEXT NOT NULL,          -- JSON: scorecard id -> period rated
    transitions INTEGER NOT NULL,   -- transitions found
    new_alerts INTEGER NOT NULL     -- outbox rows this run added
);
CREATE TABLE IF NOT EXISTS alert_outbox (
    id INTEGER PRIMARY KEY,
    route TEXT NOT NULL,            -- the route's channel: #name (lower case) or its id
    scorecard TEXT NOT NULL,
    measure TEXT NOT NULL,
    period TEXT NOT NULL,
    from_band TEXT NOT NULL,
    to_band TEXT NOT NULL,
    kinds TEXT NOT NULL,            -- comma-separated: turned_red, band_change
    alert_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,          -- JSON of the Transition: aggregates only
    run_id INTEGER NOT NULL REFERENCES alert_runs(id),
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    uncertain INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_error TEXT,
    slack_channel TEXT,
    slack_ts TEXT,
    delivered_at TEXT,
    found_in_history INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',  -- what else makes an alert on the data unique (a restated value)
    dropped_reason TEXT,            -- why a pending alert will not be sent (its route is gone)
    UNIQUE (route, scorecard, measure, period, from_band, to_band, detail)
);
CREATE INDEX IF NOT EXISTS alert_outbox_status ON alert_outbox (status, route);
CREATE TABLE IF NOT EXISTS alert_channels (
    name TEXT PRIMARY KEY,          -- a route's channel as configured (#name)
    channel_id TEXT NOT NULL        -- Slack's id for it, learnt from a reply
);
"""


_RANK = {"delivered": 0, "pending": 1, "dropped": 3}


def one_spelling(conn: sqlite3.Connection) -> None:
    """Rows recorded when a route's channel was kept as the config spelt it (`directors`, `#Directors`)
    take its one spelling (`engine.names.channel_name`), so a channel respelt in the config is the same
    channel: what was delivered there is not sent again. Where two rows become the same alert, the one
    that got furthest stands for it (delivered, then tried, then never tried): a never-tried duplicate
    is deleted; a pending one that a delivered one stands for is dropped with the reason; any other keeps
    its old spelling, as history. Inside the caller's transaction; nothing to do once every row has it."""
    odd = {r for (r,) in conn.execute("SELECT DISTINCT route FROM alert_outbox") if channel_name(r) != r}
    for name, channel_id in conn.execute("SELECT name, channel_id FROM alert_channels").fetchall():
        if channel_name(name) != name:
            conn.execute("DELETE FROM alert_channels WHERE name = ?", (name,))
            conn.execute("INSERT OR IGNORE INTO alert_channels (name, channel_id) VALUES (?, ?)",
                         (channel_name(name), channel_id))
    if not odd:
        return
    same = {channel_name(r) for r in odd}
    groups: dict[tuple[Any, ...], list[sqlite3.Row]] = {}
    for r in conn.execute("SELECT id, route, scorecard, measure, period, from_band, to_band, detail, status, attempts,"
                          " uncertain FROM alert_outbox ORDER BY id"):
        if r["route"] in odd or r["route"] in same:
            key = (channel_name(r["route"]), r["scorecard"], r["measure"], r["period"], r["from_band"], r["to_band"],
                   r["detail"])
            groups.setdefault(key, []).append(r)
    for key, rows in groups.items():
        route = key[0]
        rows.sort(key=lambda r: (_RANK.get(r["status"], 2) + (1 if r["status"] == "pending" and not r["attempts"]
                                                              and not r["uncertain"] else 0), r["id"]))
        first, rest = rows[0], rows[1:]
        kept = [first]
        for r in rest:
            if r["status"] == "pending" and not r["attempts"] and not r["uncertain"]:
                conn.execute("DELETE FROM alert_outbox WHERE id = ?", (r["id"],))
            else:
                kept.append(r)
        holder = next((r for r in kept if r["route"] == route), None)
        if holder is None:
            conn.execute("UPDATE alert_outbox SET route = ? WHERE id = ?", (route, first["id"]))
        elif holder is not first and holder["status"] == "pending" and first["status"] == "delivered":
            conn.execute("UPDATE alert_outbox SET status = 'dropped', dropped_reason = ? WHERE id = ?",
                         (f"already delivered to {route} (configured then as {first['route']})", holder["id"]))
