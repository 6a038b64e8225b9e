"""Analysts' commentary per measure and period, kept in the SQLite state file (SPEC section 6:
`[alerts].state`, default `data/state.db` beside the config).

Every save is kept: the latest is the commentary shown, earlier ones are its history.
"""

from __future__ import annotations

import datetime as dt
import getpass
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engine.explain import Explanation
    from .engine.results import MeasureRating

from .publish.state import ensure_schema
from .statefile import StateFileError, begin_write, connect, state_errors

SCHEMA = """
CREATE TABLE IF NOT EXISTS commentary (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    measure TEXT NOT NULL,
    period TEXT NOT NULL,
    text TEXT NOT NULL,
    author TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS commentary_measure_period ON commentary (measure, period, id);
"""


SECTION_PREFIX = "section:"  # a section overview is kept as the commentary of "section:NAME"


def section_key(section: str) -> str:
    """The key a section's overview is kept under (measure ids cannot hold a colon or a space)."""
    return SECTION_PREFIX + section


@dataclass(frozen=True)
class Commentary:
    measure: str
    period: str
    text: str
    author: str
    written_at: str  # ISO 8601, UTC


@dataclass(frozen=True)
class ExceptionPage:
    """A Red measure as the exception report shows it (the paper's page, the UI's screen): its
    row, its drill-down and the analyst's commentary for the period."""

    rating: MeasureRating
    explanation: Explanation
    commentary: Commentary | None


def default_author() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class CommentaryStore:
    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection inside one transaction (committed at the end); any failure of the state
        file is a StateFileError naming it and what to do."""
        conn = connect(self.path)
        try:
            begin_write(conn, self.path)
            with state_errors(self.path):
                try:
                    for statement in SCHEMA.split(";"):
                        if statement.strip():
                            conn.execute(statement)
                    try:
                        ensure_schema(conn)  # the state file's schema version (publications live here too)
                    except RuntimeError as e:  # a state file from a newer program
                        raise StateFileError(self.path, str(e)) from None
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        finally:
            conn.close()

    def _select(self, sql: str, args: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Rows of a query; none when there is no state file or no commentary in it yet. The schema
        is not created here, so a read-only state file can still be read."""
        if not self.path.exists() and not self.path.is_symlink():
            return []
        conn = connect(self.path, create=False)
        try:
            with state_errors(self.path):
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'commentary'").fetchone() is None:
                    return []
                return [tuple(r) for r in conn.execute(sql, args).fetchall()]
        finally:
            conn.close()

    def save(self, measure: str, period: str, text: str, author: str | None = None) -> Commentary:
        entry = Commentary(measure, period, text, author or default_author(),
                           dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat())
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO commentary (measure, period, text, author, written_at) VALUES (?, ?, ?, ?, ?)",
                (entry.measure, entry.period, entry.text, entry.author, entry.written_at),
            )
        return entry

    def latest(self, measure: str, period: str) -> Commentary | None:
        rows = self._select("SELECT measure, period, text, author, written_at FROM commentary "
                            "WHERE measure = ? AND period = ? ORDER BY id DESC LIMIT 1", (measure, period))
        return Commentary(*rows[0]) if rows else None

    def for_period(self, period: str) -> dict[str, Commentary]:
        """The latest commentary of every measure that has one for the period."""
        rows = self._select(
            "SELECT measure, period, text, author, written_at FROM commentary c WHERE period = ? "
            "AND id = (SELECT MAX(id) FROM commentary d WHERE d.measure = c.measure AND d.period = c.period)",
            (period,))
        return {r[0]: Commentary(*r) for r in rows}

    def history(self, measure: str, period: str) -> list[Commentary]:
        rows = self._select("SELECT measure, period, text, author, written_at FROM commentary "
                            "WHERE measure = ? AND period = ? ORDER BY id", (measure, period))
        return [Commentary(*r) for r in rows]
