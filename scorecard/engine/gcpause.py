"""Python's cyclic garbage collector kept out of the engine's way.

While the engine loads and computes it allocates few objects that live in cycles, but the `holidays`
package's import beside it (in its own thread) and polars' Python-side wrappers allocate enough to set off
dozens of collections, each of which scans every object the imports left (polars, pydantic, the config's
models) while holding the interpreter: 0.06 to 0.08 s of the national workload's load (bench/README.md).
`collector_paused` turns automatic collection off for its extent (threads may nest it; collection is on
again when the last leaves, if it was on before the first came). Nothing is lost: what became garbage
meanwhile is found by the next collection.

At the end of a process the interpreter collects again over everything still alive before it frees it
(about 0.1 s after a national `trend`); `freeze_at_exit` has every object moved out of the collector's
reach once the program is done (`gc.freeze` at exit), so that the modules and data are freed by their
reference counts only. Python never promised to collect cycles at exit. The `scorecard` program
(`cli.run`) asks for it, as the owner of its process; the engine, a library, does not."""

from __future__ import annotations

import atexit
import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_turned_off = False
_at_exit = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Automatic garbage collection off while this runs (in any thread), back on after, as it was."""
    global _holders, _turned_off
    with _lock:
        if _holders == 0:
            _turned_off = gc.isenabled()
            if _turned_off:
                gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _turned_off:
                gc.enable()
                _turned_off = False


def freeze_at_exit() -> None:
    """Skip the interpreter's last collections over what is still alive when the process ends (once)."""
    global _at_exit
    with _lock:
        if not _at_exit:
            atexit.register(gc.freeze)
            _at_exit = True
