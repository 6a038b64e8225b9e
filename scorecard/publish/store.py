"""Publications in the state file (SPEC section 7). A published (scorecard, period) is never
overwritten: publishing it again makes version 2, 3, ..., and every version is kept.

All of this module's access to the state file goes through `PublicationStore`, so callers can
wrap it (a missing, locked or unreadable file) in one place.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.results import Published
from ..statefile import StateFileError, connect, state_errors
from .provenance import FileRecord, Provenance
from .state import ensure_schema


@dataclass(frozen=True)
class PublishedFigure:
    """One measure as published: what a restatement compares against."""

    value: float | None
    rag: str | None
    target: float | None
    floor: float | None
    decimals: int
    polarity: str | None
    title: str = ""
    unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "rag": self.rag, "target": self.target, "floor": self.floor,
                "decimals": self.decimals, "polarity": self.polarity, "title": self.title, "unit": self.unit}


@dataclass(frozen=True)
class Publication:
    id: int
    scorecard: str
    period: str
    version: int
    published_at: str
    published_by: str
    program_version: str
    config_path: str
    config_sha256: str
    forced: bool
    rating: dict[str, Any]
    figures: dict[str, PublishedFigure]
    commentary: list[dict[str, Any]]
    paper_md: str
    paper_html: str
    files: list[FileRecord]

    def published(self, measure_id: str) -> Published | None:
        f = self.figures.get(measure_id)
        if f is None:
            return None
        return Published(f.value, f.rag, self.version, self.published_at,  # type: ignore[arg-type]
                         f.target, f.floor, f.decimals)

    def list_json(self) -> dict[str, Any]:
        return {"scorecard": self.scorecard, "period": self.period, "version": self.version,
                "published_at": self.published_at, "published_by": self.published_by}

    def to_json(self) -> dict[str, Any]:
        return {**self.list_json(), "program_version": self.program_version, "config": self.config_path,
                "config_sha256": self.config_sha256, "forced": self.forced,
                "files": [f.to_json() for f in self.files]}


class AlreadyPublished(Exception):
    def __init__(self, latest: int):
        super().__init__(f"version {latest} exists")
        self.latest = latest


class PublicationStore:
    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def _connect(self, create: bool) -> Iterator[sqlite3.Connection | None]:
        """Any failure of the state file (damaged, a directory, read-only, locked, from a newer
        program) is a StateFileError: one line naming the file and what to do. A reader
        (`create=False`) of a file without publications yet gets None, and writes nothing."""
        if not create and not self.path.exists() and not self.path.is_symlink():
            yield None
            return
        conn = connect(self.path, create=create)
        try:
            with state_errors(self.path):
                if not create and conn.execute(
                        "SELECT 1 FROM sqlite_master WHERE name = 'publications'").fetchone() is None:
                    yield None
                    return
                try:
                    if create:
                        ensure_schema(conn)
                except RuntimeError as e:  # a state file from a newer program
                    raise StateFileError(self.path, str(e)) from None
                yield conn
        finally:
            conn.close()

    # -- writing --------------------------------------------------------------------------
    def publish(self, scorecard: str, period: str, rating: dict[str, Any], figures: dict[str, PublishedFigure],
                commentary: list[dict[str, Any]], paper_md: str, paper_html: str, provenance: Provenance, *,
                replace: bool, forced: bool) -> int:
        """Record a version; returns its number. Raises AlreadyPublished without `replace`."""
        with self._connect(create=True) as conn:
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            try:
                latest = conn.execute("SELECT MAX(version) FROM publications WHERE scorecard = ? AND period = ?",
                                      (scorecard, period)).fetchone()[0]
                if latest is not None and not replace:
                    raise AlreadyPublished(int(latest))
                version = int(latest or 0) + 1
                cur = conn.execute(
                    "INSERT INTO publications (scorecard, period, version, published_at, published_by,"
                    " program_version, config_path, config_sha256, forced, rating, figures, commentary, paper_md,"
                    " paper_html) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (scorecard, period, version, provenance.published_at, provenance.published_by,
                     provenance.program_version, provenance.config_path, provenance.config_sha256, int(forced),
                     json.dumps(rating, ensure_ascii=False),
                     json.dumps({k: f.to_json() for k, f in figures.items()}, ensure_ascii=False),
                     json.dumps(commentary, ensure_ascii=False), paper_md, paper_html),
                )
                pid = cur.lastrowid
                conn.executemany(
                    "INSERT INTO publication_files (publication_id, dataset, path, size, sha256, rows)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [(pid, f.dataset, f.path, f.size, f.sha256, f.rows) for f in provenance.files],
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return version

    # -- reading --------------------------------------------------------------------------
    def _read(self, where: str, args: tuple[Any, ...]) -> list[Publication]:
        with self._connect(create=False) as conn:
            if conn is None:
                return []
            conn.row_factory = sqlite3.Row
            rows = conn.execute(f"SELECT * FROM publications {where}", args).fetchall()
            out = []
            for r in rows:
                files = [FileRecord(f["dataset"], f["path"], f["size"], f["sha256"], f["rows"]) for f in conn.execute(
                    "SELECT * FROM publication_files WHERE publication_id = ? ORDER BY rowid", (r["id"],))]
                figures = {k: PublishedFigure(**v) for k, v in json.loads(r["figures"]).items()}
                out.append(Publication(
                    r["id"], r["scorecard"], r["period"], r["version"], r["published_at"], r["published_by"],
                    r["program_version"], r["config_path"], r["config_sha256"], bool(r["forced"]),
                    json.loads(r["rating"]), figures, json.loads(r["commentary"]), r["paper_md"], r["paper_html"],
                    files))
            return out

    def all(self) -> list[Publication]:
        """Every version, by scorecard, period and version."""
        return self._read("ORDER BY scorecard, period, version", ())

    def latest(self, scorecard: str, period: str) -> Publication | None:
        found = self._read("WHERE scorecard = ? AND period = ? ORDER BY version DESC LIMIT 1", (scorecard, period))
        return found[0] if found else None

    def latest_versions(self, scorecard: str | None = None) -> list[Publication]:
        """The latest version of every published (scorecard, period)."""
        where = ("WHERE version = (SELECT MAX(version) FROM publications q WHERE q.scorecard = publications.scorecard"
                 " AND q.period = publications.period)")
        args: tuple[Any, ...] = ()
        if scorecard is not None:
            where += " AND scorecard = ?"
            args = (scorecard,)
        return self._read(where + " ORDER BY scorecard, period", args)

    def latest_before(self, scorecard: str, period: str) -> Publication | None:
        """The latest version of the latest period published for the scorecard strictly before `period`."""
        found = self._read("WHERE scorecard = ? AND period < ? ORDER BY period DESC, version DESC LIMIT 1",
                           (scorecard, period))
        return found[0] if found else None
