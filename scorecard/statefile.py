"""Opening the SQLite state file (`[alerts].state`, default `data/state.db`): the alerts outbox,
commentary and publications live in it.

Every way it can fail becomes a `StateFileError`: one line naming the file and what to do
(a directory where the file should be, a file that is not a database or is damaged, a file or
folder that cannot be written, a lock another process keeps). A lock is waited for, but not in
silence: after a second the wait is announced on stderr, and it ends after `LOCK_WAIT` seconds.
"""

from __future__ import annotations

import math
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

LOCK_WAIT = 15.0  # seconds to wait for another process's lock in all (SCORECARD_STATE_WAIT)
QUIET_WAIT = 1.0  # of which this long before saying so


def lock_wait() -> float:
    """Seconds to wait for another process's lock on the state file: SCORECARD_STATE_WAIT or 15."""
    try:
        value = float(os.environ.get("SCORECARD_STATE_WAIT", ""))
    except ValueError:
        return LOCK_WAIT
    return value if math.isfinite(value) and value >= 0 else LOCK_WAIT


class StateFileError(Exception):
    """The state file cannot be used; the message is one line naming it and what to do."""

    def __init__(self, path: Path, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path


def _locked(e: BaseException) -> bool:
    text = str(e).lower()
    return "locked" in text or "busy" in text


def state_error(path: Path, e: BaseException) -> StateFileError:
    """The one-line explanation of a failure to use the state file at `path`."""
    if isinstance(e, StateFileError):
        return e
    text = str(e).lower()
    if path.is_dir():
        return StateFileError(path, "the state file is a directory; point [alerts].state at a file "
                                    "(e.g. data/state.db) or move the directory away")
    if _locked(e):
        return StateFileError(path, f"the state file is locked by another process (an alerts run, the UI saving "
                                    f"commentary, a sqlite3 shell) and stayed locked for {lock_wait():g} s; "
                                    "try again when it has finished")
    if "not a database" in text or "malformed" in text or "corrupt" in text or "file is encrypted" in text:
        return StateFileError(path, "the state file is damaged or is not a SQLite database; restore it from a "
                                    "backup, or move it aside to start a new one (it keeps commentary, publications "
                                    "and the alerts outbox; with a bot token, delivered alerts are not sent twice)")
    if "readonly" in text or "read-only" in text or isinstance(e, PermissionError):
        return StateFileError(path, f"the state file cannot be written (read-only); give this user write access "
                                    f"to it and to its folder {path.parent}")
    if "unable to open" in text or isinstance(e, OSError):
        if not path.parent.is_dir():
            return StateFileError(path, f"cannot create the state file: its folder {path.parent} cannot be made")
        return StateFileError(path, "cannot open or write the state file; check that this user can read and write "
                                    f"it and create files in its folder {path.parent} (SQLite keeps a journal there)")
    return StateFileError(path, f"the state file cannot be used ({type(e).__name__}: {str(e)[:120]})")


@contextmanager
def state_errors(path: Path) -> Iterator[None]:
    """Turns SQLite and file-system failures inside into a StateFileError for `path`."""
    try:
        yield
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise  # the statement's fault, not the file's
    except (sqlite3.Error, OSError) as e:
        raise state_error(path, e) from None


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """A connection to the state file, checked to be a database. `create=False` for readers that
    must not create it (call only when it exists)."""
    if path.is_dir():
        raise state_error(path, IsADirectoryError(str(path)))
    with state_errors(path):
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=QUIET_WAIT)
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(QUIET_WAIT * 1000)}")
        read(conn, path, lambda: conn.execute("SELECT count(*) FROM sqlite_master").fetchone())
    except BaseException:
        conn.close()
        raise
    return conn


def _say_waiting(path: Path) -> None:
    print(f"{path}: the state file is locked by another process; waiting up to {lock_wait():g} s for it",
          file=sys.stderr, flush=True)


def _patiently(conn: sqlite3.Connection, path: Path, step: Callable[[], T],
                  waiting: Callable[[Path], None]) -> T:
    try:
        return step()
    except sqlite3.OperationalError as e:
        if not _locked(e):
            raise state_error(path, e) from None
    except sqlite3.Error as e:
        raise state_error(path, e) from None
    rest = lock_wait() - QUIET_WAIT
    if rest <= 0:
        raise state_error(path, sqlite3.OperationalError("database is locked"))
    waiting(path)
    conn.execute(f"PRAGMA busy_timeout = {int(rest * 1000)}")
    try:
        return step()
    except sqlite3.Error as e:
        raise state_error(path, e) from None
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(QUIET_WAIT * 1000)}")


def read(conn: sqlite3.Connection, path: Path, step: Callable[[], T],
            waiting: Callable[[Path], None] = _say_waiting) -> T:
    """Run a read, waiting (and saying so) when another process has the file locked."""
    return _patiently(conn, path, step, waiting)


def begin_write(conn: sqlite3.Connection, path: Path, waiting: Callable[[Path], None] = _say_waiting) -> None:
    """BEGIN IMMEDIATE: take the write lock, waiting (and saying so) while another process has it."""
    _patiently(conn, path, lambda: conn.execute("BEGIN IMMEDIATE"), waiting)
