"""A first start in two processes: the engine rates the first screen in a process of its own.

On a first start (the results store has no first screen for this config, data and day), the engine's
work before the first screen is mostly Python holding the interpreter: importing polars and pydantic,
reading and checking the config, loading the data, building each measure's plan; Textual's import and
first frame are too. In one process they take turns on one core. So `open_app` starts this module as a
child process, which reads the config, rates the first scorecard at the latest period and keeps the
answers in the results store, exactly as `scorecard rate` would; meanwhile the terminal UI imports
Textual and draws its frame on the other core, then shows the first screen from the store as a second
start does, and loads its own engine behind it for everything else.

The child says how far it got on its standard output, one line at a time: `heading` once the config is
read and checked (what the first screen shows of it is in the store), `ready` once the first screen's
answers are, and `done` once it has also kept what an analyst is likely to ask next (the drill-downs of
the highlighted row and the one below it, the previous period's scorecard), while the terminal UI
draws the first screen. Until it has ended, a question the store cannot answer waits for it and looks
again before the terminal UI loads its own engine (`Results.expect`). Anything else (a config with
problems, data that cannot be read, a child that cannot start) leaves the terminal UI to do that work
itself, in its own process, as it did before: what it reports, and how, is then the same as ever. The
child writes only to the results store, never to the terminal, and is stopped when the terminal UI
ends before it.

`SCORECARD_FIRST_START=in-process` turns this off (the engine then rates the first screen in a thread of
the terminal UI's own process).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import gc
import os
import select
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

HEADING = "heading"
READY = "ready"
DONE = "done"
NEXT_DRILLS = 2  # the drill-downs the child also keeps: the highlighted row's and the one below it
HEADING_TIMEOUT = 30.0  # seconds: reading and checking a config takes well under one
SWITCH = "SCORECARD_FIRST_START"
IN_PROCESS = {"in-process", "inprocess", "off", "0", "no", "false"}


def wanted() -> bool:
    """Whether a first start may use a child process (not when turned off, nor with fewer than two cores,
    where it would only add a second Python's start-up)."""
    if os.environ.get(SWITCH, "").strip().lower() in IN_PROCESS:
        return False
    return _usable_cores() >= 2


def _usable_cores() -> int:
    """The cores this process may run on (`taskset`, a container's cpuset), not the machine's count."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on every platform
        return os.cpu_count() or 1


class Forked:
    """A child made by `os.fork()`, with the part of `subprocess.Popen`'s interface used here: it starts
    with every module this process has imported, instead of a new interpreter importing them again."""

    def __init__(self, pid: int, stdout: IO[str]):
        self.pid = pid
        self.stdout: IO[str] | None = stdout
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # collected by another thread's `wait` meanwhile (as Popen.poll allows)
                return self._collected_elsewhere()
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            try:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            except ChildProcessError:
                return self._collected_elsewhere()
        return self.returncode

    def _collected_elsewhere(self) -> int:
        """The child has ended and was collected by another thread, which sets its code: never killed now (its
        process id may be another process's)."""
        if self.returncode is None:
            self.returncode = 2
        return self.returncode

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


def _readable(out: IO[str], timeout: float) -> bool:
    """Whether the pipe has something to read (or has ended) within `timeout` seconds."""
    try:
        return bool(select.select([out], [], [], timeout)[0])
    except (OSError, ValueError):
        return True  # let the read say what is wrong


def _one_thread() -> bool:
    """Whether this process has one thread, as the operating system counts them (Linux): a fork copies only
    the thread that forks, and a lock another thread held would stay held in the child for ever. Threads
    not started through `threading` (a test runner's, say) count too."""
    if sys.platform != "linux" or threading.active_count() != 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def _fork(args: list[str]) -> Forked:
    """Fork, and run `main(args)` in the child, which reports on a pipe and never returns."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write_end)
        return Forked(pid, os.fdopen(read_end, "r"))
    code = 2
    try:  # the child: nothing of its own on the terminal, nothing of the parent's run at its exit
        os.close(read_end)
        quiet = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(quiet, fd)
        sys.stdout = os.fdopen(write_end, "w")
        code = main(args)
        sys.stdout.flush()
    except BaseException:  # whatever happened, the terminal UI does the work itself
        code = 2
    finally:
        os._exit(code)


class FirstScreenChild:
    """The child process rating the first screen (see the module's docstring)."""

    def __init__(self, proc: subprocess.Popen[str] | Forked):
        self.proc = proc
        self.reached: str | None = None  # the last stage the child said it reached
        atexit.register(self.stop)

    @classmethod
    def start(cls, config_path: str | os.PathLike[str], today: dt.date | None = None) -> FirstScreenChild | None:
        """The child started on the config (and the day standing for today, when given, as the tests give it):
        forked where that is safe (Linux, with no other thread yet), else a new interpreter."""
        args = [str(Path(config_path))] + ([today.isoformat()] if today is not None else [])
        try:
            if _one_thread():
                return cls(_fork(args))
            proc = subprocess.Popen(
                [sys.executable, "-P", "-m", "scorecard.tui.firststart", *args],  # -P: not from the current folder
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            )
        except OSError:
            return None
        return cls(proc)

    def _next(self) -> str | None:
        out: IO[str] | None = self.proc.stdout
        if out is None:
            return None
        try:
            line = out.readline().strip()
        except (OSError, ValueError):
            return None
        if line:
            self.reached = line
        return line or None

    def heading_kept(self, timeout: float = HEADING_TIMEOUT) -> bool:
        """Wait until the child has read the config and kept what the first screen shows of it; False when
        it could not, or did not within `timeout` seconds (the child is then stopped, and the terminal UI
        reads the config itself, and reports its problems)."""
        out = self.proc.stdout
        if out is not None and not _readable(out, timeout):
            self.stop()
            return False
        if self._next() == HEADING:
            return True
        self.stop()
        return False

    def wait_ready(self) -> bool:
        """Wait until the child has kept the first screen's answers; False when it could not (it has then
        ended)."""
        if self.reached == HEADING:
            self._next()
        if self.reached in (READY, DONE):
            return True
        self.wait_done()
        return False

    def wait_done(self) -> None:
        """Wait until the child has ended (having kept what an analyst is likely to ask next, or not)."""
        while self.reached not in (DONE, None) and self._next() is not None:
            pass
        with contextlib.suppress(Exception):
            self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.proc.kill()
            with contextlib.suppress(Exception):
                self.proc.wait()
        if self.proc.stdout is not None:
            with contextlib.suppress(OSError):
                self.proc.stdout.close()


def _say(stage: str) -> None:
    sys.stdout.write(stage + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    """The child: read and check the config, keep its heading, rate the first screen into the store.
    `argv`: the config's path, and the day standing for today when one was given.

    The cyclic garbage collector is off for the child's whole life: it is short, and what it allocates before
    the engine (which pauses the collector itself while it loads and computes) is the imports' and the
    config's objects, which all live to its end; the 100 or so collections they set off took 30 to 50 ms of
    its CPU on the demo (bench/README.md, `startload`)."""
    gc.disable()
    from ..engine.gcpause import freeze_at_exit
    from ..store import Results
    from .service import EngineService

    freeze_at_exit()
    try:
        today = dt.date.fromisoformat(argv[1]) if len(argv) > 1 else None
        results = Results.open(argv[0], today)  # a config with problems: the terminal UI reads it and reports them
        service = EngineService(results.config, today, results=results)  # keeps the heading
    except Exception:
        return 2
    if results.key is None:  # nothing could be kept (the store cannot be written)
        return 2
    _say(HEADING)
    try:
        service.rate_first_screen()
    except Exception:
        return 2
    _say(READY)
    try:  # while the terminal UI draws the first screen: what the analyst is likely to ask next
        service.prepare_next_moves(NEXT_DRILLS)
    except Exception:
        return 2
    _say(DONE)
    return 0


if __name__ == "__main__":
    # Ended without the interpreter's teardown (as multiprocessing ends its workers): once it has said how far
    # it got, the child has nothing left to do, and tearing down its modules, threads and data took 40 to 170
    # ms that its parent waited for, or shared the machine with while painting the first screen. What it kept
    # in the results store is committed as each answer is written (the store's connection autocommits).
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
