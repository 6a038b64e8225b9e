"""Issue 13 item 11: a cron time that does not exist on the day clocks go forward runs once, an
hour later, also where the change happens at midnight (America/Santiago, Asia/Beirut), a day
APScheduler's own cron arithmetic used to skip."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scorecard.notify.scheduler import next_runs, parse_schedule


def runs(cron: str, zone: str, start: dt.datetime, n: int) -> list[str]:
    tz = ZoneInfo(zone)
    return [t.astimezone(dt.UTC).astimezone(tz).strftime("%a %d %b %H:%M %z")
            for t in next_runs(parse_schedule(cron, zone), start.replace(tzinfo=tz), n)]


@pytest.mark.parametrize(("zone", "start", "expected"), [
    # Chile: clocks go from 00:00 to 01:00 on Sunday 8 September 2024
    ("America/Santiago", dt.datetime(2024, 9, 6, 12),
     ["Sat 07 Sep 00:30 -0400", "Sun 08 Sep 01:30 -0300", "Mon 09 Sep 00:30 -0300"]),
    # Lebanon: clocks go from 00:00 to 01:00 on Sunday 31 March 2024
    ("Asia/Beirut", dt.datetime(2024, 3, 29, 12),
     ["Sat 30 Mar 00:30 +0200", "Sun 31 Mar 01:30 +0300", "Mon 01 Apr 00:30 +0300"]),
])
def test_half_past_midnight_on_a_midnight_change_runs_an_hour_later(zone: str, start: dt.datetime,
                                                                    expected: list[str]) -> None:
    assert runs("30 0 * * *", zone, start, 3) == expected


def test_midnight_itself_and_a_weekly_schedule_on_the_change_day() -> None:
    assert runs("0 0 * * *", "America/Santiago", dt.datetime(2024, 9, 7, 12), 2) == [
        "Sun 08 Sep 01:00 -0300", "Mon 09 Sep 00:00 -0300"]
    assert runs("30 0 * * SUN", "Asia/Beirut", dt.datetime(2024, 3, 25, 12), 2) == [
        "Sun 31 Mar 01:30 +0300", "Sun 07 Apr 00:30 +0300"]


def test_other_days_and_zones_are_unchanged() -> None:
    # London's 01:30 on its spring change day: once, at 02:30 BST; never twice
    assert runs("30 1 * * *", "Europe/London", dt.datetime(2024, 3, 30, 12), 3) == [
        "Sun 31 Mar 02:30 +0100", "Mon 01 Apr 01:30 +0100", "Tue 02 Apr 01:30 +0100"]
    # Santiago's autumn change (24:00 back to 23:00 on 6 April 2024): 00:30 runs once a day
    assert runs("30 0 * * *", "America/Santiago", dt.datetime(2024, 4, 5, 12), 3) == [
        "Sat 06 Apr 00:30 -0300", "Sun 07 Apr 00:30 -0400", "Mon 08 Apr 00:30 -0400"]
