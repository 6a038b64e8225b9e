"""The terminal UI's first start in two processes (issue 18, `scorecard/tui/firststart.py`): with an empty
results store, a child process reads the config and rates the first screen into the store while the UI
imports Textual; the UI then shows exactly the first screen it would have computed itself. A config with
problems, or a child that fails, leaves the work to the UI's own process, with the same outcome as ever."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scorecard.cli import main
from scorecard.engine import config as config_module
from scorecard.store import Results
from scorecard.tui import firststart
from scorecard.tui.app import first_start_child, open_app, start_from_store
from scorecard.tui.screens.scorecard import ScorecardScreen
from scorecard.tui.service import HEADING, EngineService, heading_of
from tests.test_tui_support import TODAY, settle

SIZE = (120, 40)


@pytest.fixture
def with_child(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(firststart.SWITCH, raising=False)  # conftest turns the child off for the other tests


async def shown_first(config: Path, counted: dict[str, int]) -> tuple[Any, ...]:
    """The first screen (title, summary, measures, view), and what this process had read when it showed."""
    app = open_app(config, today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        while not (isinstance(screen, ScorecardScreen) and screen.view is not None):
            await pilot.pause(0.01)
            screen = app.screen
        read_before = dict(counted)
        summary = str(screen.query_one("#summary").render())
        shown = (screen.title, screen.sub_title, summary, [r.id for r in screen.view.rating.measures], screen.view)
        await settle(pilot)
        app.exit(0)
    return shown, read_before


async def test_a_first_start_shows_the_first_screen_a_child_process_rated(
        basic_copy: Path, counted: dict[str, int], with_child: None, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    config = basic_copy / "config.toml"
    shown, read_before = await shown_first(config, counted)
    assert read_before == {"config": 0, "engine": 0}  # the child read the config and rated the screen

    monkeypatch.setenv(firststart.SWITCH, "in-process")  # the same first start, rated in this process
    monkeypatch.setenv("SCORECARD_CACHE_DIR", str(tmp_path / "another-store"))
    counted.update(config=0, engine=0)
    alone, read_alone = await shown_first(config, counted)
    assert read_alone == {"config": 1, "engine": 1}
    assert shown == alone  # the same header, summary, measures and figures


def test_a_second_start_starts_no_child(basic_copy: Path, with_child: None) -> None:
    config = basic_copy / "config.toml"
    EngineService(config_module.load_config(config), TODAY)  # a start that read the config kept its heading
    assert first_start_child(config, TODAY) is None


def test_no_child_with_the_store_or_the_child_turned_off(basic_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = basic_copy / "config.toml"
    assert first_start_child(config, TODAY) is None  # conftest: SCORECARD_FIRST_START=in-process
    monkeypatch.delenv(firststart.SWITCH)
    monkeypatch.setenv("SCORECARD_CACHE", "off")
    assert first_start_child(config, TODAY) is None


@pytest.mark.parametrize("switch", ["child", "in-process"])
def test_a_config_with_problems_ends_scorecard_with_them_either_way(
        basic_copy: Path, monkeypatch: pytest.MonkeyPatch, switch: str) -> None:
    monkeypatch.setenv(firststart.SWITCH, switch)
    config = basic_copy / "config.toml"
    config.write_text(config.read_text() + "\n[nonsense]\n")
    r = CliRunner().invoke(main, ["--config", str(config)])
    assert r.exit_code == 1 and "nonsense: unknown key" in r.stderr
    assert "Traceback" not in r.output


def test_a_child_that_fails_after_the_heading_leaves_the_rating_to_this_process(
        basic_copy: Path, counted: dict[str, int], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = basic_copy / "config.toml"
    loaded = config_module.load_config(config)
    Results.open(config, TODAY).keep(HEADING, (), heading_of(loaded))  # the heading only, as a child keeps it first
    failing = subprocess.Popen([sys.executable, "-c", "print('heading', flush=True); raise SystemExit(3)"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    child = firststart.FirstScreenChild(failing)
    assert child.heading_kept()
    counted.update(config=0, engine=0)
    service = start_from_store(config, TODAY, child)
    view = service.scorecard(service.heading[1], service.default_period())
    assert failing.returncode == 3 and counted["engine"] == 1  # rated here, after the child ended

    monkeypatch.setenv("SCORECARD_CACHE_DIR", str(tmp_path / "another-store"))
    alone = EngineService(loaded, TODAY)
    assert view == alone.scorecard(alone.heading[1], alone.default_period())


def test_a_child_that_never_keeps_the_heading_is_stopped() -> None:
    silent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    child = firststart.FirstScreenChild(silent)
    silent.stdout.close()  # type: ignore[union-attr]  # as if it had ended without a word
    assert not child.heading_kept()
    assert silent.poll() is not None  # stopped, not left running


def test_the_child_alone_keeps_the_heading_then_the_first_screen(basic_copy: Path) -> None:
    config = basic_copy / "config.toml"
    done = subprocess.run([sys.executable, "-m", "scorecard.tui.firststart", str(config), TODAY.isoformat()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["heading", "ready", "done"] and done.stderr == ""
    results = Results.open(config, TODAY, load=False)
    found, heading = results.kept(HEADING)
    assert found and heading[1] == "cic"
    service = EngineService(None, TODAY, results=results, heading=heading)
    period = service.default_period()
    view = service.scorecard(heading[1], period)
    assert results.computed == 0 and results.served > 0  # every answer of the first screen from the store
    # and what an analyst asks next: the first two rows' drill-downs, the period before
    first_rows = [m.id for m in view.rating.measures if m.section == view.rating.measures[0].section][:2]
    assert len(first_rows) == 2
    for measure_id in first_rows:
        service.drill(measure_id, period)
    service.scorecard(heading[1], view.periods[view.periods.index(period) - 1])
    assert results.computed == 0 and not results.loaded


@pytest.mark.parametrize("store", ["empty", "knows the config"])
def test_the_child_is_forked_when_this_process_has_one_thread(basic_copy: Path, store: str) -> None:
    """A process with no other thread (as `scorecard` is when it starts the child) forks it rather than start a
    new interpreter; the forked child says the same, and this process then finds the child's answers in the
    store: no SQLite connection is carried across the fork (one was, from an empty store's look-up, and this
    process then never saw what the child wrote). Run in a fresh interpreter: the test process has other
    threads (pytest-xdist's)."""
    config = basic_copy / "config.toml"
    if store != "empty":
        Results.open(config, TODAY)  # the store knows this config: its look-up opens the store before the fork
    script = (
        "import datetime as dt, sys, threading\n"
        "from scorecard.store import Results\n"
        "from scorecard.tui import app, firststart\n"
        "from scorecard.tui.service import HEADING, EngineService\n"
        f"today = dt.date.fromisoformat({TODAY.isoformat()!r})\n"
        f"child = app.first_start_child({str(config)!r}, today)\n"
        "assert threading.active_count() == 1 and isinstance(child.proc, firststart.Forked)\n"
        "print(child.heading_kept())\n"
        "import gc; gc.collect()\n"  # as Textual's import does: anything left of the look-up is collected
        f"results = Results.open({str(config)!r}, today, load=False)\n"
        "print(child.wait_ready())\n"
        "service = EngineService(None, today, results=results, heading=results.kept(HEADING)[1])\n"
        "service.scorecard(service.heading[1], service.default_period())\n"
        "child.wait_done()\n"
        "print(child.reached, child.proc.returncode, results.computed, results.loaded)\n"
    )
    env = {**os.environ}
    env.pop(firststart.SWITCH, None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "done", "0", "0", "False"]  # nothing computed here


def test_the_child_runs_without_the_cyclic_collector(basic_copy: Path) -> None:
    """The child's imports and config set off about a hundred collections of objects that live to its end: it
    runs with the collector off (bench/README.md, `startload`), and still rates the first screen."""
    code = ("import gc, sys; from scorecard.tui import firststart; "
            "rc = firststart.main(sys.argv[1:]); print(rc, gc.isenabled(), gc.get_stats()[0]['collections'])")
    config = basic_copy / "config.toml"
    done = subprocess.run([sys.executable, "-c", code, str(config), TODAY.isoformat()],
                          capture_output=True, text=True, timeout=120)
    said = done.stdout.split()
    assert said[:3] == ["heading", "ready", "done"] and said[3:5] == ["0", "False"], done.stdout + done.stderr
    assert int(said[5]) < 50  # those before it started (about 20; with the collector on, over 100)


def test_a_first_start_starts_its_child_before_importing_what_the_child_does_not_wait_for(
        basic_copy: Path, tmp_path: Path) -> None:
    """The child is started as soon as the store says this config is new to it: not after importing the
    terminal UI's service nor `importlib.metadata` (about 35 ms the child's first screen would wait for)."""
    code = (
        "import sys, subprocess\n"
        "from scorecard.tui import app, firststart\n"
        "seen = []\n"
        "start = firststart.FirstScreenChild.start\n"
        "def spy(*a, **k):\n"
        "    seen.append(sorted(m for m in ('importlib.metadata', 'scorecard.tui.service') if m in sys.modules))\n"
        "    return start(*a, **k)\n"
        "firststart.FirstScreenChild.start = spy\n"
        "child = app.first_start_child(sys.argv[1], None)\n"
        "assert child is not None\n"
        "child.stop()\n"
        "print(seen)\n"
    )
    env = {**os.environ, "SCORECARD_CACHE_DIR": str(tmp_path / "store")}
    env.pop(firststart.SWITCH, None)
    done = subprocess.run([sys.executable, "-c", code, str(basic_copy / "config.toml")], capture_output=True,
                          text=True, timeout=120, env=env)
    assert done.stdout.strip() == "[[]]", done.stdout + done.stderr


def test_the_child_run_as_a_program_ends_with_what_main_returns(basic_copy: Path, tmp_path: Path) -> None:
    """The child ends without the interpreter's teardown (`os._exit`): its exit code is still main's, and what it
    said is flushed first."""
    config = basic_copy / "config.toml"
    done = subprocess.run([sys.executable, "-m", "scorecard.tui.firststart", str(config), TODAY.isoformat()],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.split()) == (0, ["heading", "ready", "done"])
    bad = tmp_path / "bad.toml"
    bad.write_text(config.read_text().replace("[[measures]]", "[[measures]]\ntarjet = 1", 1))
    done = subprocess.run([sys.executable, "-m", "scorecard.tui.firststart", str(bad), TODAY.isoformat()],
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (2, "")


def test_a_child_that_says_nothing_in_time_is_stopped() -> None:
    """A child that hangs before keeping the heading (it never should) is stopped, and the terminal UI reads the
    config itself."""
    silent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True)
    child = firststart.FirstScreenChild(silent)
    assert not child.heading_kept(timeout=0.2)
    assert silent.poll() is not None


def test_a_process_with_another_thread_does_not_fork() -> None:
    """Threads started without `threading` (as a test runner's are) count: a fork would copy only the forking
    thread, and a lock another held would stay held in the child."""
    script = ("import _thread, time\n"
              "from scorecard.tui import firststart\n"
              "started = _thread.allocate_lock()\n"
              "started.acquire()\n"
              "def run():\n"
              "    started.release()\n"
              "    time.sleep(5)\n"
              "_thread.start_new_thread(run, ())\n"
              "started.acquire()  # the thread is running\n"
              "print(firststart._one_thread())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["False"], done.stderr
    alone = subprocess.run([sys.executable, "-c", "from scorecard.tui import firststart; print(firststart._one_thread())"],
                           capture_output=True, text=True, timeout=60)
    assert alone.stdout.split() == [str(sys.platform == "linux")], alone.stderr


def test_a_child_whose_heading_the_store_did_not_keep_is_stopped(
        basic_copy: Path, with_child: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A store that cannot be written (its folder cannot be made, say): the child reads the config and says
    `heading`, but nothing was kept, so this process rates the first screen itself; the child, whose work
    nobody will read, is stopped there and then, not left rating beside the terminal UI and, once ended,
    a zombie until the UI quits."""
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("SCORECARD_CACHE_DIR", str(tmp_path / "a-file" / "store"))
    config = basic_copy / "config.toml"
    child = first_start_child(config, TODAY)
    assert child is not None and child.heading_kept()
    service = start_from_store(config, TODAY, child)
    assert service.config_read  # the store had no heading: this process read the config
    assert child.proc.returncode is not None  # stopped and collected


def test_no_child_on_one_usable_core(basic_copy: Path, with_child: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cores this process may use count (`taskset -c 0 scorecard`, a container's cpuset), not the machine's:
    on one, the child would only add a second Python's start-up."""
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)  # not on every platform
    assert not firststart.wanted()
    assert first_start_child(basic_copy / "config.toml", TODAY) is None
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    assert firststart.wanted()


def test_a_forked_child_collected_by_another_thread_is_not_waited_for_again() -> None:
    """At exit the UI's `stop` (atexit) and a thread in `wait_done` may both wait for a forked child that has just
    ended: the one that loses must not raise (an atexit traceback on the terminal), nor kill the process id."""
    pid = subprocess.Popen([sys.executable, "-c", "pass"], stdin=subprocess.DEVNULL).pid  # a child of this process
    os.waitpid(pid, 0)  # collected by "another thread"
    read_end, write_end = os.pipe()
    os.close(write_end)
    forked = firststart.Forked(pid, os.fdopen(read_end, "r"))
    child = firststart.FirstScreenChild(forked)
    child.stop()  # raised ChildProcessError before
    assert forked.poll() is not None and forked.wait() is not None


def test_data_rewritten_after_the_heading_was_kept_is_not_kept_under_the_old_key(
        basic_copy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The child keeps the heading before its engine reads the data: a data file rewritten in between (an extract
    landing) must not have the figures of the new file kept under the key made from the old one, where a later
    start on the old data would be served them."""
    config = basic_copy / "config.toml"
    service = EngineService(config_module.load_config(config), TODAY)  # keeps the heading first, as the child does
    path = basic_copy / "data" / "health.csv"
    original, st = path.read_bytes(), path.stat()
    lines = original.decode().splitlines(keepends=True)
    path.write_text("".join(lines[: 1 + len(lines) // 2]))  # rewritten before the engine reads it
    service.rate_first_screen()  # the rewritten file's figures
    path.write_bytes(original)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the data the key was made from, again
    again = Results.open(config, TODAY)
    monkeypatch.setenv("SCORECARD_CACHE_DIR", str(tmp_path / "another-store"))
    clean = Results.open(config, TODAY)
    assert again.rate() == clean.rate()


def test_a_spawned_child_does_not_import_from_the_current_folder(
        basic_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where it cannot fork (here: pytest-xdist's threads), the child is a new interpreter: it imports this
    program, not a `scorecard` folder that happens to be where the analyst runs it."""
    decoy = tmp_path / "here" / "scorecard"
    decoy.mkdir(parents=True)
    (decoy / "__init__.py").write_text("raise SystemExit(9)\n")
    monkeypatch.chdir(decoy.parent)
    child = firststart.FirstScreenChild.start(basic_copy / "config.toml", TODAY)
    assert child is not None and not isinstance(child.proc, firststart.Forked)
    assert child.heading_kept() and child.wait_ready()
    child.wait_done()
    assert child.proc.returncode == 0
