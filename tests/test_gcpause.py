"""The engine's pause of the garbage collector: off while held (by any thread), as it was after."""

import gc
import subprocess
import sys
import threading

from scorecard.engine.gcpause import collector_paused
from tests.helpers import BASIC


def test_collection_is_off_while_paused_and_on_again_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_collection_comes_back_when_the_last_thread_leaves() -> None:
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with collector_paused():
            inside.set()
            leave.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    inside.wait(5)
    with collector_paused():
        pass
    assert not gc.isenabled()  # the other thread still holds it
    leave.set()
    worker.join(5)
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_objects_are_frozen_at_exit_and_the_process_ends_cleanly() -> None:
    code = ("import atexit, gc\nfrom scorecard.engine.gcpause import freeze_at_exit\n"
            "atexit.register(lambda: print(gc.get_freeze_count() > 0))\n"  # exit handlers run last first: after the freeze
            "freeze_at_exit(); freeze_at_exit()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True" and out.stderr == ""


def test_the_scorecard_program_freezes_at_exit_and_the_engine_alone_does_not() -> None:
    """The process owner (`cli.run`, the console script) asks for the freeze at exit; a process that only
    uses the engine (a test, the benchmark's peer beside duckdb) keeps Python's own exit."""
    from importlib import metadata

    script = next(e for e in metadata.entry_points(group="console_scripts") if e.name == "scorecard")
    assert script.value == "scorecard.cli:run"
    probe = "atexit.register(lambda: print(gc.get_freeze_count() > 0, file=sys.stderr))\n"
    program = ("import atexit, gc, sys\nfrom scorecard.cli import run\n" + probe
               + "sys.argv = ['scorecard', '--help']\nrun()\n")
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert out.returncode == 0 and out.stderr.strip() == "True", out.stderr
    engine = ("import atexit, gc, sys\nfrom scorecard.engine.engine import Engine\n" + probe
              + f"Engine.load({str(BASIC / 'config.toml')!r})\n")
    out = subprocess.run([sys.executable, "-c", engine], capture_output=True, text=True)
    assert out.returncode == 0 and out.stderr.strip() == "False", out.stderr
