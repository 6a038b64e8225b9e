"""The terminal UI's garbage collection (issue 18): no middle or full collection while keys come, one when
the analyst stops, and Python's own settings back when the app ends."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from scorecard.tui import collector
from scorecard.tui.collector import IdleCollector
from tests.test_tui_support import make_app, settle


class Timers:
    """What `IdleCollector.start` asks of the app: an interval timer (not run here; `check` is called)."""

    class Timer:
        stopped = False

        def stop(self) -> None:
            self.stopped = True

    def __init__(self) -> None:
        self.timer = self.Timer()

    def set_interval(self, interval, callback):
        return self.timer


def young_collections(n: int) -> list:
    """Allocate until `n` young collections have run since the last older one (objects kept alive)."""
    kept = []
    while gc.get_count()[1] < n:
        kept.append([[] for _ in range(100)])
    return kept


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch):
    before = gc.get_threshold()
    gc.collect()
    c = IdleCollector()
    timers = Timers()
    c.start(timers)  # type: ignore[arg-type]
    yield c
    c.stop()
    assert timers.timer.stopped and gc.get_threshold() == before


def test_only_young_collections_are_automatic_while_it_runs(running: IdleCollector):
    assert gc.get_threshold() == (collector.YOUNG, collector.NEVER, collector.NEVER)
    kept = young_collections(collector.ENOUGH + 2)
    assert gc.get_count()[1] >= collector.ENOUGH + 2  # no middle collection reset the count
    del kept


def test_it_collects_once_the_keys_stop_and_not_while_they_come(running: IdleCollector, monkeypatch):
    kept = young_collections(collector.ENOUGH)
    running.input_seen()
    running.check()
    assert running.collections == 0 and gc.get_count()[1] >= collector.ENOUGH
    monkeypatch.setattr(running, "last_input", running.last_input - collector.QUIET)
    running.check()
    assert running.collections == 1 and gc.get_count()[1] == 0
    running.check()  # nothing allocated since: nothing to do
    assert running.collections == 1
    del kept


def test_it_collects_while_keys_come_once_too_much_has_built_up(running: IdleCollector, monkeypatch):
    monkeypatch.setattr(collector, "LIMIT", collector.ENOUGH + 1)
    kept = young_collections(collector.ENOUGH + 1)
    running.input_seen()
    running.check()
    assert running.collections == 1 and gc.get_count()[1] == 0
    del kept


def test_it_waits_until_the_app_is_ready():
    c = IdleCollector(ready=lambda: False)
    c.start(Timers())  # type: ignore[arg-type]
    try:
        kept = young_collections(collector.ENOUGH)
        c.last_input -= collector.QUIET
        c.check()
        assert c.collections == 0
        del kept
    finally:
        c.stop()


async def test_the_app_runs_it_from_its_start_and_restores_python_s_thresholds(basic_copy: Path):
    before = gc.get_threshold()
    app = make_app(basic_copy)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        assert gc.get_threshold() == (collector.YOUNG, collector.NEVER, collector.NEVER)
        seen = app.collector.last_input
        await pilot.press("down")
        assert app.collector.last_input > seen  # a key counts as the analyst at work
    assert gc.get_threshold() == before
