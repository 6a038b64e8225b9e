"""`[alerts] schedule` in the config's check: a schedule in the plain forms `config_alerts.plainly_valid`
knows is accepted without importing APScheduler; anything else is checked by APScheduler as before."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.engine.config_alerts import check_alerts, plainly_valid
from scorecard.engine.config_model import Alerts
from scorecard.engine.config_problems import Problems

# items for the numeric fields and the day of the week, valid and not, in and out of range
NUMBER_ITEMS = ["*", "*/0", "*/1", "*/5", "*/23", "*/24", "*/59", "*/60", "*/99", "0", "1", "7", "12", "13",
                "23", "24", "31", "32", "59", "60", "00", "007", "0-0", "0-0/5", "0-0/60", "1-1/1", "1-5", "5-1",
                "0-59", "0-60", "1-31/2", "1-12/11", "1-12/12", "5/2", "5/0", "70/2", "58/1", "58/2", "3-3",
                "", "-1", "1-", "/5", "**", "a", "jan", "jan-mar", "last", "1,2", "L", "\u0663", "5-10/6"]
DOW_ITEMS = ["*", "*/1", "*/6", "*/7", "*/0", "mon", "MON", "Fri", "mon-fri", "MON-FRI", "fri-mon", "sat-sun",
             "sun", "mon-sun", "monday", "mon-", "mon-fri/2", "tues", "", "mon-fri-sat", "\u017fun", "xyz"]


def apscheduler_accepts(schedule: str) -> bool:
    try:
        CronTrigger.from_crontab(schedule, timezone="Europe/London")
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("position", range(4))
def test_a_plainly_valid_numeric_field_is_one_apscheduler_accepts(position: int) -> None:
    for item, other in itertools.product(NUMBER_ITEMS, ["*", "1"]):
        for value in (item, f"{item},{other}", f"{other},{item}"):
            fields = ["0", "7", "*", "*", "MON-FRI"]
            fields[position] = value
            if plainly_valid(fields):
                assert apscheduler_accepts(" ".join(fields)), fields


def test_a_plainly_valid_day_of_the_week_is_one_apscheduler_accepts() -> None:
    for a, b in itertools.product(DOW_ITEMS, repeat=2):
        for value in (a, f"{a},{b}"):
            fields = ["0", "7", "*", "*", value]
            if plainly_valid(fields):
                assert apscheduler_accepts(" ".join(fields)), fields


_ITEM = st.one_of(
    st.sampled_from(NUMBER_ITEMS + DOW_ITEMS),
    st.builds(lambda a, b, s: f"{a}-{b}/{s}", st.integers(0, 70), st.integers(0, 70), st.integers(0, 70)),
    st.builds(lambda a, s: f"{a}/{s}", st.integers(0, 70), st.integers(0, 70)),
    st.builds(lambda s: f"*/{s}", st.integers(0, 70)),
)
_FIELD = st.lists(_ITEM, min_size=1, max_size=3).map(",".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_FIELD, min_size=5, max_size=5))
def test_any_plainly_valid_schedule_is_one_apscheduler_accepts(fields: list[str]) -> None:
    if plainly_valid(fields):
        assert apscheduler_accepts(" ".join(fields)), fields


@pytest.mark.parametrize("schedule", ["0 7 * * MON-FRI", "30 6 * * mon", "*/15 8-18 * * MON-FRI", "0 9 1 * *",
                                      "0 9 1,15 1-12/3 SAT,SUN", "5 4 * * SUN"])
def test_everyday_schedules_are_plainly_valid(schedule: str) -> None:
    assert plainly_valid(schedule.split()) and apscheduler_accepts(schedule)


@pytest.mark.parametrize(("schedule", "message"), [
    ("0 25 * * MON", "not a valid cron expression: Error validating expression '25': the last value (25) is "
                     "higher than the maximum value (23)"),
    ("0 7 * * MON-FRY", 'not a valid cron expression: Invalid weekday name "FRY"'),
    ("*/0 7 * * MON", "not a valid cron expression: Increment must be higher than 0"),
    ("0 7 x * MON", 'not a valid cron expression: Unrecognized expression "x" for field "day"'),
])
def test_a_bad_schedule_is_reported_as_apscheduler_words_it(schedule: str, message: str) -> None:
    problems = Problems("config.toml")
    check_alerts(Alerts(schedule=schedule), set(), problems)
    assert problems.items == [f"config.toml: alerts.schedule: {message}"]


def test_checking_a_plain_schedule_imports_no_apscheduler(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    code = ("import sys; from scorecard.engine.config import load_config; "
            f"c = load_config({str(root / 'config.toml')!r}); assert c.alerts.schedule; "
            "print(sorted(m for m in sys.modules if m.startswith('apscheduler')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
