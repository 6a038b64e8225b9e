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
answers are. Anything else (a config with problems, data that cannot be read, a child that cannot
start) leaves the terminal UI to do that work itself, in its own process, as it did before: what it
reports, and how, is then the same as ever. The child writes only to the results store, never to the
terminal, and is stopped when the terminal UI ends before it.

`SCORECARD_FIRST_START=in-process` turns this off (the engine then rates the first screen in a thread of
the terminal UI's own process).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import gc
import os
import subprocess
import sys
from pathlib import Path
from typing import IO

HEADING = "heading"
READY = "ready"
SWITCH = "SCORECARD_FIRST_START"
IN_PROCESS = {"in-process", "inprocess", "off", "0", "no", "false"}


def wanted() -> bool:
    """Whether a first start may use a child process (not when turned off, nor with fewer than two cores,
    where it would only add a second Python's start-up)."""
    if os.environ.get(SWITCH, "").strip().lower() in IN_PROCESS:
        return False
    return (os.cpu_count() or 1) >= 2


class FirstScreenChild:
    """The child process rating the first screen (see the module's docstring)."""

    def __init__(self, proc: subprocess.Popen[str]):
        self.proc = proc
        self.reached: str | None = None  # the last stage the child said it reached
        atexit.register(self.stop)

    @classmethod
    def start(cls, config_path: str | os.PathLike[str], today: dt.date | None = None) -> FirstScreenChild | None:
        """The child started on the config (and the day standing for today, when given, as the tests give it)."""
        args = [str(Path(config_path))] + ([today.isoformat()] if today is not None else [])
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "scorecard.tui.firststart", *args],
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

    def heading_kept(self) -> bool:
        """Wait until the child has read the config and kept what the first screen shows of it; False when
        it could not (the terminal UI then reads the config itself, and reports its problems)."""
        if self._next() == HEADING:
            return True
        self.stop()
        return False

    def wait_ready(self) -> bool:
        """Wait until the child has kept the first screen's answers and ended; False when it could not."""
        ok = self.reached == HEADING and self._next() == READY
        with contextlib.suppress(Exception):
            self.proc.wait()
        return ok and self.proc.returncode == 0

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
    return 0


if __name__ == "__main__":
    # Ended without the interpreter's teardown (as multiprocessing ends its workers): once it has said how far
    # it got, the child has nothing left to do, and tearing down its modules, threads and data took 40 to 170
    # ms that its parent waited for, or shared the machine with while painting the first screen. What it kept
    # in the results store is committed as each answer is written (the store's connection autocommits).
    code = main(sys.argv[1:])
    sys.stdout.flush()
    os._exit(code)
