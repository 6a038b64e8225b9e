"""The results store on disk: one SQLite file, `results.sqlite`, in the cache folder.

Where: `$SCORECARD_CACHE_DIR`, else `$XDG_CACHE_HOME/scorecard`, else `~/.cache/scorecard`.
`SCORECARD_CACHE=off` (or `0`, `no`, `false`) turns the store off. `scorecard cache clear` deletes it;
`scorecard cache info` says where it is and how big.

Three tables: `answers` (the engine's answers, pickled, under the key of `fingerprint.result_key`
and the question asked), `manifests` (which data files a config text names) and `files` (each data
file's content hash with the size, times and inode it had when hashed). Only the `KEEP_KEYS` most
recently used keys of each config are kept (older data, days or program versions are deleted when
a new one is stored), and only the `KEEP_CONFIGS` most recently used configs.

The store can only make a command faster: a store that cannot be opened, read or written (a
read-only home, a full disk, another process holding the lock too long) is treated as empty, and
the command computes its answers as if there were none; a file that is not a database (damaged) is
deleted and started again.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sqlite3
import time
from pathlib import Path
from typing import Any

KEEP_KEYS = 4
KEEP_CONFIGS = 32  # configs not used among the 32 most recent lose their answers
SCHEMA_VERSION = 1  # a store of another layout is emptied, not read
FILE_NAME = "results.sqlite"
OFF_WORDS = {"0", "off", "no", "false"}
SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT NOT NULL, question TEXT NOT NULL, config TEXT NOT NULL, value BLOB NOT NULL, used REAL NOT NULL,
    PRIMARY KEY (key, question));
CREATE INDEX IF NOT EXISTS answers_config ON answers (config, used);
CREATE TABLE IF NOT EXISTS manifests (
    config TEXT NOT NULL, config_sha TEXT NOT NULL, source TEXT NOT NULL, manifest TEXT NOT NULL, used REAL NOT NULL,
    PRIMARY KEY (config, config_sha, source));
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, stamp TEXT NOT NULL, digest TEXT NOT NULL, checked REAL NOT NULL);
"""


def cache_dir() -> Path:
    given = os.environ.get("SCORECARD_CACHE_DIR")
    if given:
        return Path(given).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "scorecard"


def store_path() -> Path:
    return cache_dir() / FILE_NAME


def enabled() -> bool:
    return os.environ.get("SCORECARD_CACHE", "").strip().lower() not in OFF_WORDS


class Store:
    """The open store; every method swallows the store's own failures (see the module's docstring)."""

    def __init__(self, path: Path):
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._broken = False

    @classmethod
    def open(cls) -> Store | None:
        return cls(store_path()) if enabled() else None

    def _conn(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            for attempt in (1, 2):
                try:
                    self._db = self._connect()
                    break
                except sqlite3.DatabaseError:
                    if attempt == 1:  # not a database (damaged): it is only a cache, start it again
                        with contextlib.suppress(OSError):
                            clear(self.path)
                            continue
                    self._broken = True
                except (sqlite3.Error, OSError):
                    self._broken = True
                    break
        return self._db

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
        try:
            # WAL with NORMAL sync: a write costs no fsync, and a crash loses at most the last answers, never the file
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            if db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                db.executescript("DROP TABLE IF EXISTS answers; DROP TABLE IF EXISTS manifests; DROP TABLE IF EXISTS files;")
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.executescript(SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        db = self._conn()
        if db is None:
            return []
        try:
            return db.execute(sql, args).fetchall()
        except sqlite3.Error:
            self._broken = True
            self._db = None
            with contextlib.suppress(sqlite3.Error):
                db.close()
            return []

    # -- files (fingerprint.DigestCache) ----------------------------------------------------------
    def file_digest(self, path: str) -> tuple[str, str, float] | None:
        rows = self._run("SELECT stamp, digest, checked FROM files WHERE path = ?", (path,))
        return rows[0] if rows else None  # type: ignore[return-value]

    def remember_file(self, path: str, stamp: str, digest: str, checked: float) -> None:
        self._run("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", (path, stamp, digest, checked))

    # -- manifests ----------------------------------------------------------------------------------
    def manifest(self, config: str, config_sha: str, source: str) -> str | None:
        rows = self._run("SELECT manifest FROM manifests WHERE config = ? AND config_sha = ? AND source = ?",
                         (config, config_sha, source))
        return rows[0][0] if rows else None

    def remember_manifest(self, config: str, config_sha: str, source: str, manifest: str) -> None:
        self._run("INSERT OR REPLACE INTO manifests VALUES (?, ?, ?, ?, ?)", (config, config_sha, source, manifest, time.time()))
        self._run("DELETE FROM manifests WHERE config = ? AND rowid NOT IN "
                  "(SELECT rowid FROM manifests WHERE config = ? ORDER BY used DESC LIMIT ?)", (config, config, KEEP_KEYS))

    # -- answers --------------------------------------------------------------------------------------
    def get(self, key: str, question: str) -> tuple[bool, Any]:
        """(found, value)."""
        rows = self._run("SELECT value FROM answers WHERE key = ? AND question = ?", (key, question))
        if not rows:
            return False, None
        try:
            return True, pickle.loads(rows[0][0])
        except Exception:  # a damaged or unreadable entry is a miss
            return False, None

    def touch(self, key: str) -> None:
        self._run("UPDATE answers SET used = ? WHERE key = ?", (time.time(), key))

    def put(self, key: str, question: str, config: str, value: Any) -> None:
        try:
            blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # not picklable: simply not kept
            return
        self._run("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)", (key, question, config, blob, time.time()))
        # keep the KEEP_KEYS most recently used keys of this config
        self._run("DELETE FROM answers WHERE config = ? AND key NOT IN (SELECT key FROM answers WHERE config = ? "
                  "GROUP BY key ORDER BY max(used) DESC LIMIT ?)", (config, config, KEEP_KEYS))
        self._run("DELETE FROM answers WHERE config NOT IN (SELECT config FROM answers GROUP BY config "
                  "ORDER BY max(used) DESC LIMIT ?)", (KEEP_CONFIGS,))

    # -- for `scorecard cache` ----------------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        rows = self._run("SELECT count(*), count(DISTINCT key), count(DISTINCT config), coalesce(sum(length(value)), 0) "
                         "FROM answers")
        answers, keys, configs, size = rows[0] if rows else (0, 0, 0, 0)
        return {"path": str(self.path), "exists": self.path.exists(),
                "bytes": self.path.stat().st_size if self.path.exists() else 0,
                "answers": answers, "keys": keys, "configs": configs, "answer_bytes": size,
                "readable": not self._broken}

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None


def clear(path: Path | None = None) -> tuple[Path, int]:
    """Delete the store (and SQLite's side files); the path and how many bytes were freed."""
    path = path or store_path()
    freed = 0
    for p in (path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal"),
              path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError):
            freed += p.stat().st_size
            p.unlink()
    return path, freed
