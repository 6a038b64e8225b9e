"""The alerts schedule and `scorecard alerts serve`: cron in the organisation's timezone across
clock changes, APScheduler's settings, the serve lock, and the run lock."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scorecard.notify.locks import FileLock, run_lock, serve_lock
from scorecard.notify.scheduler import (
    JOB_ID,
    MISFIRE_GRACE,
    ScheduleError,
    build_scheduler,
    next_runs,
    parse_schedule,
)
from tests.slack_stub import TWO_ROUTES, LineReader, SlackStub, alerts_command, copy_fixture, process_alerts, run_alerts

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as s:
        yield s


def local(times: list[dt.datetime]) -> list[str]:
    return [t.astimezone(LONDON).strftime("%a %d %H:%M %Z") for t in times]


def test_day_numbers_are_refused() -> None:
    for cron in ("0 9 * * 1-5", "0 9 * * 0", "0 9 * * MON,3"):
        with pytest.raises(ScheduleError, match="day names"):
            parse_schedule(cron, "Europe/London")
    with pytest.raises(ScheduleError, match="five fields"):
        parse_schedule("0 9 * *", "Europe/London")
    with pytest.raises(ScheduleError, match="not a valid cron"):
        parse_schedule("0 25 * * MON", "Europe/London")
    with pytest.raises(ScheduleError, match="timezone"):
        parse_schedule("0 9 * * MON", "Europe/Nowhere")


def test_weekday_mornings_in_the_spring_clock_change_week() -> None:
    trigger = parse_schedule("0 9 * * MON-FRI", "Europe/London")
    runs = next_runs(trigger, dt.datetime(2017, 3, 23, 12, tzinfo=LONDON), 5)
    assert local(runs) == ["Fri 24 09:00 GMT", "Mon 27 09:00 BST", "Tue 28 09:00 BST", "Wed 29 09:00 BST",
                           "Thu 30 09:00 BST"]
    assert runs[0].astimezone(dt.UTC).hour == 9 and runs[1].astimezone(dt.UTC).hour == 8


def test_weekday_mornings_in_the_autumn_clock_change_week() -> None:
    trigger = parse_schedule("0 9 * * MON-FRI", "Europe/London")
    runs = next_runs(trigger, dt.datetime(2017, 10, 26, 12, tzinfo=LONDON), 3)
    assert local(runs) == ["Fri 27 09:00 BST", "Mon 30 09:00 GMT", "Tue 31 09:00 GMT"]


def test_a_time_inside_the_changing_hour_runs_once_a_day() -> None:
    trigger = parse_schedule("30 1 * * *", "Europe/London")
    spring = next_runs(trigger, dt.datetime(2017, 3, 25, 12, tzinfo=LONDON), 2)
    # 01:30 does not exist on 26 March: it runs once, at 02:30 BST (01:30 UTC)
    assert [t.astimezone(dt.UTC).strftime("%d %H:%M") for t in spring] == ["26 01:30", "27 00:30"]
    autumn = next_runs(trigger, dt.datetime(2017, 10, 28, 12, tzinfo=LONDON), 3)
    # 01:30 happens twice on 29 October: it runs the first time only
    assert local(autumn) == ["Sun 29 01:30 BST", "Mon 30 01:30 GMT", "Tue 31 01:30 GMT"]


def test_scheduler_settings_and_a_real_run() -> None:
    ran: list[dt.datetime] = []
    trigger = parse_schedule("0 9 * * MON-FRI", "Europe/London")

    def job() -> None:
        ran.append(dt.datetime.now(dt.UTC))
        scheduler.shutdown(wait=False)

    scheduler = build_scheduler(job, trigger, "Europe/London", run_now=True)
    job_def = scheduler.get_job(JOB_ID)
    assert job_def is not None
    assert job_def.misfire_grace_time == MISFIRE_GRACE >= 3600
    assert job_def.coalesce is True and job_def.max_instances == 1
    assert str(scheduler.timezone) == "Europe/London"
    scheduler.start()  # blocks until the job stops it
    assert len(ran) == 1


def test_serve_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    state = tmp_path / "data" / "state.db"
    first = serve_lock(state)
    first.acquire()
    try:
        assert first.path == tmp_path / "data" / "state.db.serve.lock"
        with pytest.raises(Exception, match="held by process"):
            FileLock(first.path).acquire()
    finally:
        first.release()
    FileLock(first.path).acquire()  # free again once released


def test_two_serve_processes(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    first = subprocess.Popen(alerts_command("serve", config, "--run-now"), env=stub.env(), cwd=config.parent,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = LineReader(first.stderr)
    try:
        assert log.wait_for("alerts run finished"), log.text
        # the latest period with data, 2017-05: two band changes, nothing turned red
        assert stub.channel_messages("directors") == []
        (analysts,) = stub.channel_messages("analysts")
        assert "(IHA-20WD)" in analysts["text"] and "(CIC-FOSTER-U16)" in analysts["text"]
        assert "serving alerts for Testshire County Council" in log.text
        assert "Slack: team Testshire" in log.text
        second = run_alerts("serve", config, env=stub.env(), timeout=30)
        assert second.returncode == 1
        assert "already running" in second.stderr
        assert first.poll() is None  # the first one carries on
    finally:
        first.send_signal(signal.SIGTERM)
        code = first.wait(20)
    assert code == 0
    assert log.wait_for("stopped")
    assert stub.token not in log.text
    # each scheduled run is logged with what it did
    assert "#analysts: sent 2 alert(s) in 2 line(s)" in log.text


def test_serve_refuses_day_numbers_and_missing_schedule(tmp_path: Path, stub: SlackStub) -> None:
    numbers = copy_fixture(tmp_path / "a", alerts=TWO_ROUTES.replace("MON-FRI", "1-5"))
    r = run_alerts("serve", numbers, env=stub.env(), timeout=30)
    assert r.returncode == 1
    assert "alerts.schedule" in r.stderr and "day names" in r.stderr
    none = copy_fixture(tmp_path / "b", alerts=TWO_ROUTES.replace('schedule = "0 9 * * MON-FRI"', ""))
    r = run_alerts("serve", none, env=stub.env(), timeout=30)
    assert r.returncode == 1 and "alerts.schedule" in r.stderr


def test_a_run_waits_for_another_run(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    lock = run_lock(config.parent / "data" / "state.db")
    lock.acquire()
    try:
        r = process_alerts("run", config, "--period", "2017-04", env=stub.env(SCORECARD_ALERTS_DEADLINE="0.5"))
    finally:
        lock.release()
    assert r.returncode == 1 and "another alerts run is in progress" in r.stderr
    assert stub.calls == []
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 0
