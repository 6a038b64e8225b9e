"""Issue 13 items 8 and 9: the state file deleted, truncated, corrupt, a directory, read-only and
locked. Each failure is one line naming the file and what to do (exit 1, no traceback); losing
the file sends nothing twice when a bot token can read the channel's history; with a webhook,
`alerts status` says that protection is off. Against the local Slack stand-in."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scorecard.engine.config import load_config
from scorecard.tui.service import EngineService
from tests.helpers import invoke
from tests.slack_stub import SlackStub, copy_fixture, process_alerts, run_alerts
from tests.test_tui_support import TODAY


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as s:
        yield s


def state_of(config: Path) -> Path:
    return config.parent / "data" / "state.db"


def scorecard(config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`scorecard ARGS --config CONFIG` in the config's folder (in this process, as the command would run)."""
    from tests.slack_stub import SCORECARD as exe

    return invoke([str(exe)], "scorecard", [*args, "--config", str(config)], cwd=config.parent, env=env, timeout=90)


def one_line(r: subprocess.CompletedProcess[str], state: Path, *words: str) -> None:
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if str(state) in line]
    assert len(lines) == 1, r.stderr
    for w in words:
        assert w in lines[0], lines[0]


# -- losing the state file ---------------------------------------------------------------------
@pytest.mark.parametrize("how", ["deleted", "truncated"])
def test_losing_the_state_file_sends_nothing_twice(tmp_path: Path, stub: SlackStub, how: str) -> None:
    config = copy_fixture(tmp_path)
    first = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(stub.messages) == 2
    state = state_of(config)
    if how == "deleted":
        state.unlink()
    else:
        state.write_bytes(b"")
    again = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(stub.messages) == 2 and len(stub.calls_to("chat.postMessage")) == 2
    assert "#directors: 1 alert(s) were already in the channel" in again.stdout
    assert "#analysts: 3 alert(s) were already in the channel" in again.stdout
    st = json.loads(run_alerts("status", config, "--format", "json", env=stub.env()).stdout)
    assert st["summary"] == {"pending": 0, "delivered": 4, "dropped": 0}
    assert all(a["slack"]["found_in_history"] for a in st["alerts"])
    assert {a["slack"]["ts"] for a in st["alerts"]} == {m["ts"] for m in stub.messages}


def test_webhook_status_says_the_protection_is_off(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    hook = stub.env(SLACK_WEBHOOK_URL=stub.webhook_url)
    del hook["SLACK_BOT_TOKEN"]
    text = run_alerts("status", config, env=hook).stdout
    assert "Resending protection: OFF (SLACK_WEBHOOK_URL)" in text and "bot token" in text
    st = json.loads(run_alerts("status", config, "--format", "json", env=hook).stdout)
    assert st["credential"] == "webhook" and st["history_check"] is False
    assert "Resending protection: on (bot token)" in run_alerts("status", config, env=stub.env()).stdout
    st = json.loads(run_alerts("status", config, "--format", "json", env=stub.env()).stdout)
    assert st["credential"] == "bot" and st["history_check"] is True


# -- a state file that cannot be used ---------------------------------------------------------
def _corrupt(state: Path) -> None:
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(b"this is not a database, it is a note someone saved over the state file\n" * 20)


def _directory(state: Path) -> None:
    state.mkdir(parents=True)


@pytest.mark.parametrize(("damage", "words"), [(_corrupt, ("damaged", "backup", "move it aside")),
                                              (_directory, ("is a directory", "[alerts].state"))])
def test_unusable_state_file_is_one_line_for_every_command(tmp_path: Path, stub: SlackStub, damage, words) -> None:
    config = copy_fixture(tmp_path)
    state = state_of(config)
    damage(state)
    for args in (["alerts", "run", "--period", "2017-04"], ["alerts", "run", "--dry-run", "--period", "2017-04"],
                 ["alerts", "status", "--format", "json"], ["report", "--period", "2017-04"]):
        r = scorecard(config, *args, env=stub.env(SCORECARD_DEBUG=""))
        one_line(r, state, *words)
        if args[0] == "report":
            assert r.stdout == ""  # no paper printed as if nothing was recorded
    assert stub.calls == []


def test_the_ui_keeps_its_figures_and_names_the_state_file(tmp_path: Path) -> None:
    config = copy_fixture(tmp_path)
    _corrupt(state_of(config))
    service = EngineService(load_config(config), TODAY)
    view = service.scorecard("cic", "2017-04")
    assert view.rating.summary.red == 1  # the figures are there
    assert view.commentary == {}
    (line,) = [p for p in view.problems if str(state_of(config)) in p]
    assert "damaged" in line and "commentary cannot be shown" in line
    drill = service.drill("CIC-RATE", "2017-04")
    assert drill.commentary is None and drill.history == []


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """The file made read-only for this user: chmod, or for root (whom chmod does not stop) the
    immutable attribute; skipped where neither works."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root without the immutable attribute: a read-only file cannot be made")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def test_read_only_state_file(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    stub.stop()
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 1  # 4 pending
    state = state_of(config)
    with read_only(state):
        stub.start()
        r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
        one_line(r, state, "cannot be written (read-only)", "write access")
        assert stub.calls_to("chat.postMessage") == []
        # reading still works: status and the paper
        st = run_alerts("status", config, env=stub.env())
        assert st.returncode == 0 and "4 pending" in st.stdout
        assert scorecard(config, "report", "--period", "2017-04").returncode == 0


def test_locked_state_file_says_so_then_gives_up(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    state = state_of(config)
    state.parent.mkdir(parents=True, exist_ok=True)
    holder = sqlite3.connect(state, isolation_level=None)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN IMMEDIATE")  # another process writing, and taking its time
    try:
        started = time.monotonic()
        r = process_alerts("run", config, "--period", "2017-04", env=stub.env(SCORECARD_STATE_WAIT="2"))
        elapsed = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert elapsed < 20
    lines = [line for line in r.stderr.splitlines() if str(state) in line]
    assert "locked by another process; waiting up to 2 s" in lines[0]
    assert "stayed locked for 2 s" in lines[1] and "try again" in lines[1]
    assert r.returncode == 1 and "Traceback" not in r.stderr and len(lines) == 2
    assert stub.calls == []
    # once it is free, the run goes through
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 0
    assert len(stub.messages) == 2


def test_a_run_waiting_for_another_run_says_so(tmp_path: Path, stub: SlackStub) -> None:
    from scorecard.notify.locks import run_lock

    config = copy_fixture(tmp_path)
    lock = run_lock(state_of(config))
    lock.acquire()
    try:
        r = process_alerts("run", config, "--period", "2017-04", env=stub.env(SCORECARD_ALERTS_DEADLINE="1"))
    finally:
        lock.release()
    assert r.returncode == 1
    assert f"process {os.getpid()}" in r.stderr and "waiting up to 1 s" in r.stderr
    assert "another alerts run is in progress" in r.stderr


def test_serve_logs_a_damaged_state_file_in_one_line(tmp_path: Path, stub: SlackStub) -> None:
    import signal

    from tests.slack_stub import LineReader, alerts_command

    config = copy_fixture(tmp_path)
    state = state_of(config)
    _corrupt(state)
    proc = subprocess.Popen(alerts_command("serve", config, "--run-now"), env=stub.env(), cwd=config.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        reader = LineReader(proc.stderr)  # a thread reads: a run that never finishes fails, never hangs
        reader.wait_for("alerts run finished", timeout=60)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    reader.wait_for("\0never", timeout=10)  # the rest of the log, up to the end of the stream
    log = reader.text
    assert "alerts run finished (exit 1)" in log
    assert [line for line in log.splitlines() if str(state) in line and "damaged" in line]
    assert "Traceback" not in log
    assert stub.calls_to("chat.postMessage") == []


def test_a_folder_where_no_lock_file_can_be_made(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    state = state_of(config)
    (config.parent / "data" / "state.db.run.lock").mkdir()  # the lock file's name is taken by a folder
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "cannot create this lock file beside the state file" in r.stderr and str(state) in r.stderr


def test_rate_goes_on_when_publication_status_is_unknown(tmp_path: Path) -> None:
    """Publications live in the state file: `rate`, `explain` and `changes` still answer from the
    data, with one warning that whether the figures were published is unknown (exit 1); `report`
    of the period refuses rather than print live figures as if unpublished."""
    config = copy_fixture(tmp_path)
    state = state_of(config)
    _corrupt(state)
    rate = scorecard(config, "rate", "--period", "2017-04", "--format", "json")
    assert rate.returncode == 1 and "Traceback" not in rate.stderr
    assert json.loads(rate.stdout)["summary"]["red"] == 1
    (line,) = [x for x in rate.stderr.splitlines() if str(state) in x]
    assert line.startswith("Warning:") and "published is unknown" in line and "damaged" in line
    for args in (["explain", "CIC-RATE", "--period", "2017-04"], ["changes", "--to", "2017-04"]):
        r = scorecard(config, *args)
        assert r.returncode == 1 and r.stdout and "published is unknown" in r.stderr, r.stderr
    report = scorecard(config, "report", "--period", "2017-04")
    one_line(report, state, "damaged")
    assert report.stdout == ""
