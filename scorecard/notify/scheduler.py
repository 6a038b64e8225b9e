"""The alerts schedule: APScheduler 3.x, a BlockingScheduler with a cron trigger in the
organisation's timezone.

The cron's day-of-week must use names (`MON-FRI`): cron counts Sunday as 0, APScheduler 3
counts Monday as 0, so a number would silently run on the wrong day; numbers are refused.

Daylight saving: a time that does not exist on the spring change day (01:30 in London) runs an
hour later, once; a time that happens twice on the autumn change day runs once, the first time.
Runs are coalesced (a backlog after the machine slept becomes one run), one at a time, and a
run up to MISFIRE_GRACE late still happens.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

log = logging.getLogger("scorecard.alerts")

MISFIRE_GRACE = 6 * 60 * 60  # seconds: a run delayed by a sleeping machine still happens the same morning
JOB_ID = "scorecard-alerts"
_DIGIT = re.compile(r"\d")


class ScheduleError(ValueError):
    """A schedule that cannot be used, with the config key it is about."""


class WallClockCronTrigger(CronTrigger):
    """A cron trigger that fires once per wall-clock time: on the day clocks go back, the hour
    that happens twice is not run twice; on the day they go forward, a time in the missing hour
    runs once, an hour later, even where the change happens at midnight (America/Santiago,
    Asia/Beirut), a day APScheduler's own arithmetic skips."""

    def __init__(self, *, timezone: ZoneInfo, **fields: str):
        super().__init__(timezone=timezone, **fields)
        self._wall = CronTrigger(timezone=dt.UTC, **fields)  # the same cron on a clock with no changes

    def get_next_fire_time(self, previous_fire_time: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
        nxt = super().get_next_fire_time(previous_fire_time, now)
        while nxt is not None and _second_occurrence(nxt):
            nxt = super().get_next_fire_time(nxt, nxt)
        missed = self._in_a_gap(previous_fire_time, now, nxt)
        return missed if missed is not None else nxt

    def _in_a_gap(self, previous: dt.datetime | None, now: dt.datetime,
                  nxt: dt.datetime | None) -> dt.datetime | None:
        """The earliest fire time before `nxt` whose wall-clock time does not exist (clocks went
        forward over it), moved on by the gap; None when there is none."""
        tz = self.timezone
        utc = lambda t: t.astimezone(dt.UTC)  # noqa: E731  (same-zone comparisons would compare wall clocks)
        day = now.astimezone(tz).date()
        last = (nxt or now).astimezone(tz).date()
        best: dt.datetime | None = None
        for _ in range(400):
            if day > last:
                break
            if _springs_forward(day, tz):
                t = self._wall.get_next_fire_time(None, dt.datetime.combine(day, dt.time(), dt.UTC))
                while t is not None and t.date() == day:
                    wall = t.replace(tzinfo=None)
                    real = wall.replace(tzinfo=tz).astimezone(dt.UTC).astimezone(tz)
                    if (real.replace(tzinfo=None) != wall and utc(real) >= utc(now)
                            and (previous is None or utc(real) > utc(previous)) and (nxt is None or utc(real) < utc(nxt))):
                        best = real if best is None or utc(real) < utc(best) else best
                    t = self._wall.get_next_fire_time(t, t + dt.timedelta(seconds=1))
            day += dt.timedelta(days=1)
        return best


def _springs_forward(day: dt.date, tz: ZoneInfo) -> bool:
    """Whether clocks go forward on `day` (or in the evening before it) in `tz`."""
    before = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(12), tz).utcoffset()
    after = dt.datetime.combine(day, dt.time(23, 59), tz).utcoffset()
    return before is not None and after is not None and after > before


def _second_occurrence(t: dt.datetime) -> bool:
    """Whether `t` is the second time its wall-clock reading happens (after clocks went back)."""
    tz = t.tzinfo
    if tz is None:
        return False
    local = t.astimezone(tz)
    first = local.replace(fold=0)
    return local.fold == 1 and first.utcoffset() != local.utcoffset()


def parse_schedule(cron: str, timezone: str) -> WallClockCronTrigger:
    fields = cron.split()
    if len(fields) != 5:
        raise ScheduleError(f"alerts.schedule: cron needs five fields (minute hour day month weekday), not {cron!r}")
    if _DIGIT.search(fields[4]):
        raise ScheduleError(
            f"alerts.schedule: use day names for the day of the week (MON-FRI), not numbers: {fields[4]!r} "
            "(cron and APScheduler number days differently)"
        )
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleError(f"organisation.timezone: unknown timezone {timezone!r}") from None
    try:
        return WallClockCronTrigger(minute=fields[0], hour=fields[1], day=fields[2], month=fields[3],
                                    day_of_week=fields[4], timezone=tz)
    except ValueError as e:
        raise ScheduleError(f"alerts.schedule: not a valid cron expression {cron!r}: {e}") from None


def next_runs(trigger: CronTrigger, after: dt.datetime, count: int) -> list[dt.datetime]:
    """The next `count` fire times after `after`, as the scheduler computes them."""
    out: list[dt.datetime] = []
    previous: dt.datetime | None = None
    now = after
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        if nxt is None:
            break
        out.append(nxt)
        previous = now = nxt
    return out


def build_scheduler(job: Callable[[], object], trigger: CronTrigger, timezone: str,
                    run_now: bool = False) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=ZoneInfo(timezone))
    kwargs: dict[str, object] = {}
    if run_now:
        kwargs["next_run_time"] = dt.datetime.now(ZoneInfo(timezone))
    scheduler.add_job(job, trigger, id=JOB_ID, name="scorecard alerts run", misfire_grace_time=MISFIRE_GRACE,
                      coalesce=True, max_instances=1, replace_existing=True, **kwargs)

    def on_event(event: JobExecutionEvent) -> None:
        if event.code == EVENT_JOB_MISSED:
            log.warning("a scheduled run due at %s was missed (more than %d h late)",
                        event.scheduled_run_time, MISFIRE_GRACE // 3600)
        elif event.code == EVENT_JOB_ERROR:
            log.error("the scheduled run failed: %s", event.exception)

    scheduler.add_listener(on_event, EVENT_JOB_MISSED | EVENT_JOB_ERROR)
    return scheduler
