"""The state file's schema version and its migrations (SPEC section 7: publications live in the
same SQLite file as the alerts outbox and the commentary).

Version 0 is a file from before versions were kept (commentary and the outbox only). Version 2
adds the publication tables and lets the outbox hold alerts on the data (a `detail` column, part
of what makes an alert unique). Every store calls `ensure_schema` on the connections it opens;
a migration runs once, in one transaction, and leaves everything already there in place.
"""

from __future__ import annotations

import sqlite3

from ..notify.outbox_schema import SCHEMA as OUTBOX_SCHEMA

SCHEMA_VERSION = 2

PUBLICATIONS = """
CREATE TABLE IF NOT EXISTS publications (
    id INTEGER PRIMARY KEY,
    scorecard TEXT NOT NULL,
    period TEXT NOT NULL,
    version INTEGER NOT NULL,
    published_at TEXT NOT NULL,      -- ISO 8601, UTC
    published_by TEXT NOT NULL,
    program_version TEXT NOT NULL,
    config_path TEXT NOT NULL,
    config_sha256 TEXT NOT NULL,
    forced INTEGER NOT NULL DEFAULT 0,
    rating TEXT NOT NULL,            -- JSON: `rate --format json` as published
    figures TEXT NOT NULL,           -- JSON: measure -> value, rag, target, floor, decimals, polarity
    commentary TEXT NOT NULL,        -- JSON: the commentary in force
    paper_md TEXT NOT NULL,
    paper_html TEXT NOT NULL,
    UNIQUE (scorecard, period, version)
);
CREATE TABLE IF NOT EXISTS publication_files (
    publication_id INTEGER NOT NULL REFERENCES publications(id),
    dataset TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER
);
CREATE TABLE IF NOT EXISTS alert_missing_files (
    dataset TEXT PRIMARY KEY,        -- a measure dataset whose file is missing
    first_missing TEXT NOT NULL      -- the first day it was found missing (YYYY-MM-DD)
);
"""

_OUTBOX_COLUMNS = (
    "id, route, scorecard, measure, period, from_band, to_band, kinds, alert_key, payload, run_id, created_at, "
    "status, attempts, uncertain, last_attempt_at, last_error, slack_channel, slack_ts, delivered_at, "
    "found_in_history"
)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}


def _outbox_v2(conn: sqlite3.Connection) -> None:
    """Rebuild an outbox from before version 2 with the `detail` column in its uniqueness."""
    cols = _columns(conn, "alert_outbox")
    if not cols or "detail" in cols:
        return
    conn.execute("ALTER TABLE alert_outbox RENAME TO alert_outbox_v1")
    conn.execute("DROP INDEX IF EXISTS alert_outbox_status")
    for statement in OUTBOX_SCHEMA.split(";"):
        if "alert_outbox" in statement and "alert_outbox_v1" not in statement:
            conn.execute(statement)
    conn.execute(f"INSERT INTO alert_outbox ({_OUTBOX_COLUMNS}) SELECT {_OUTBOX_COLUMNS} FROM alert_outbox_v1")
    conn.execute("DROP TABLE alert_outbox_v1")


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Bring the state file to SCHEMA_VERSION (a no-op when it is there already).

    Raises RuntimeError for a file written by a newer version of the program."""
    version = schema_version(conn)
    if version == SCHEMA_VERSION:
        return
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"the state file is at schema version {version}, newer than this program's "
                           f"{SCHEMA_VERSION}: upgrade scorecard")
    in_transaction = conn.in_transaction
    if not in_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        if schema_version(conn) < SCHEMA_VERSION:  # another process may have migrated meanwhile
            for statement in PUBLICATIONS.split(";"):
                if statement.strip():
                    conn.execute(statement)
            _outbox_v2(conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        if not in_transaction:
            conn.execute("ROLLBACK")
        raise
    if not in_transaction:
        conn.execute("COMMIT")
