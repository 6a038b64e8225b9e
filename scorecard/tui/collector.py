"""Python's garbage collector kept out of the keypresses: the long collections made while the analyst reads.

Python collects its youngest objects every 700 allocations, the middle generation every 10 of those, and
everything (a full collection) every 10 of those. A full collection scans every object the collector
tracks (on the demo, about 110,000 once the app has been used a while: Textual's render caches, the
engine's answers) and holds the interpreter for 0.06 to 0.2 s; one fell inside about one interaction in
five. A middle collection took up to 0.05 s more of some.

`IdleCollector` leaves only the young collections automatic (every `YOUNG` allocations) while the app
runs, from its start (a full collection fell in the first screen's paint in about half the starts), and
makes the middle and full ones itself (one full collection) once no key has been pressed (nor the mouse
used) for `QUIET` seconds and something was allocated since the last; not before start-up's objects are
frozen out of the collector's way (`ready`), so that its first collection scans only what came since; or,
should keys never stop coming, once `LIMIT` young collections' worth has built up. Nothing is lost, only
collected later (what start-up left in cycles is frozen with the rest, as before).

On Python 3.14 and later the collector is incremental (no long pauses) and its second and third
thresholds mean something else; the idle collection is then only early.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from textual.app import App
from textual.timer import Timer

YOUNG = 2000  # allocations between young collections (Python's default: 700)
NEVER = 1 << 30  # as a threshold of the older generations: not automatically
QUIET = 1.0  # seconds without input before the app collects
CHECK = 0.5  # seconds between looks
ENOUGH = 10  # young collections since the last full one that make a full one worth its time (0.01 s or more)
LIMIT = 500  # young collections after which the app collects even while keys come (a million allocations)


class IdleCollector:
    """Middle and full garbage collections when the analyst is not waiting (see the module's docstring)."""

    def __init__(self, ready: Callable[[], bool] = lambda: True):
        """`ready`: whether collecting is wanted yet (the app's start-up objects are frozen out of the way
        first, so that the first collection scans only what came since)."""
        self.ready = ready
        self.last_input = time.monotonic()
        self._saved: tuple[int, int, int] | None = None
        self._timer: Timer | None = None
        self.collections = 0  # collections made (for tests)

    @property
    def running(self) -> bool:
        return self._saved is not None

    def start(self, app: App[object]) -> None:
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        gc.set_threshold(YOUNG, NEVER, NEVER)
        self._timer = app.set_interval(CHECK, self.check)

    def stop(self) -> None:
        """Python's thresholds back as they were, for a process that goes on (the tests)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None

    def input_seen(self) -> None:
        self.last_input = time.monotonic()

    def check(self) -> None:
        if self._saved is None:
            return
        pending = gc.get_count()[1]  # young collections since the last middle or full one
        quiet = time.monotonic() - self.last_input >= QUIET
        if (quiet and pending >= ENOUGH and self.ready()) or pending >= LIMIT:
            gc.collect()
            self.collections += 1
