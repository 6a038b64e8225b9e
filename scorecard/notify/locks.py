"""File locks beside the state file (fcntl.flock: released by the kernel when the process dies).

`<state>.serve.lock`: held for the life of `scorecard alerts serve`; a second one refuses to start.
`<state>.run.lock`: held while a run evaluates and sends, so a manual `scorecard alerts run` and
the scheduler's run never send the same alert at the same time.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path

from ..statefile import StateFileError


class LockBusy(Exception):
    def __init__(self, path: Path, holder: str):
        super().__init__(f"{path} is held by {holder}")
        self.path = path
        self.holder = holder


class FileLock:
    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def _try(self) -> bool:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise StateFileError(self.path, f"cannot create this lock file beside the state file ({e.strerror}); "
                                            f"check that this user can create files in {self.path.parent}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            pid = ""
        return f"process {pid}" if pid else "another process"

    def acquire(self, wait: float = 0.0, poll: float = 0.05, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the lock, waiting up to `wait` seconds; LockBusy when another process keeps it.
        `on_wait(holder)` is called once when the lock is not free at once (to say so)."""
        end = time.monotonic() + wait
        if self._try():
            return
        if wait > 0 and on_wait is not None:
            on_wait(self.holder())
        while not self._try():
            if time.monotonic() >= end:
                raise LockBusy(self.path, self.holder())
            time.sleep(poll)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def serve_lock(state: Path) -> FileLock:
    return FileLock(state.with_name(state.name + ".serve.lock"))


def run_lock(state: Path) -> FileLock:
    return FileLock(state.with_name(state.name + ".run.lock"))
