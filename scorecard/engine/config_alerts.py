"""The second pass over `[alerts]`: a cron schedule APScheduler reads the way cron does, routes
for alerts and scorecards that exist.

A schedule is checked by APScheduler itself (`CronTrigger.from_crontab`, as `alerts serve` reads it),
except one written only in the plain forms `plainly_valid` knows APScheduler accepts: importing
APScheduler's cron trigger imports asyncio and tzlocal (about 0.08 s of CPU), on every command that
reads a config with a schedule. Anything else (a name of a month, `last`, a step or value out of
range, ...) goes to APScheduler, which accepts it or says why not, as before.
"""

from __future__ import annotations

import re

from .config_model import ALERT_KINDS, Alerts
from .config_problems import Problems

_DOW_NUMBER = re.compile(r"\d")


def check_alerts(alerts: Alerts, scorecard_ids: set[str], problems: Problems) -> None:
    if alerts.schedule is not None:
        fields = alerts.schedule.split()
        if len(fields) != 5:
            problems.add("alerts.schedule", f"cron needs five fields (minute hour day month weekday), not {alerts.schedule!r}")
        elif _DOW_NUMBER.search(fields[4]):
            problems.add(
                "alerts.schedule",
                f"use day names for the day of the week (MON-FRI), not numbers: {fields[4]!r} "
                "(cron and APScheduler number days differently)",
            )
        elif not plainly_valid(fields):
            try:
                from apscheduler.triggers.cron import CronTrigger

                CronTrigger.from_crontab(alerts.schedule)
            except ValueError as e:
                problems.add("alerts.schedule", f"not a valid cron expression: {e}")
    for i, r in enumerate(alerts.routes):
        for w in r.when:
            if w not in ALERT_KINDS:
                problems.add(f"alerts.routes[{i}].when",
                             f"unknown alert {w!r}; use turned_red, band_change, data_stale or restated")
        for s in r.scorecards or []:
            if s not in scorecard_ids:
                problems.add(f"alerts.routes[{i}].scorecards", f"unknown scorecard {s!r}")


# The fields of a crontab line as APScheduler 3 reads them (`apscheduler.triggers.cron.fields`): name, lowest
# and highest value. The day of the week is written with names here (numbers are refused above).
_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day", 1, 31), ("month", 1, 12), ("day_of_week", 0, 6))
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_NUMBERS = re.compile(r"([0-9]+)(?:-([0-9]+))?(?:/([0-9]+))?")
_ALL = re.compile(r"\*(?:/([0-9]+))?")
_NAMES = re.compile(r"([a-z]+)(?:-([a-z]+))?", re.IGNORECASE)


def plainly_valid(fields: list[str]) -> bool:
    """True when every field of these five is a comma-separated list of `*`, `*/step`, `a`, `a-b`, `a/step`
    or `a-b/step` (ASCII digits; for the day of the week, a day's name or a range of two) that APScheduler's
    `CronTrigger.from_crontab` accepts, by its own rules (`expressions.AllExpression`, `RangeExpression`,
    `WeekdayRangeExpression`). False says nothing: the schedule is then checked by APScheduler."""
    return len(fields) == len(_FIELDS) and all(
        _plain_item(item, name, low, high) for field, (name, low, high) in zip(fields, _FIELDS, strict=True)
        for item in field.split(","))


def _plain_item(item: str, name: str, low: int, high: int) -> bool:
    if m := _ALL.fullmatch(item):
        step = m.group(1)
        return step is None or 0 < int(step) <= high - low
    if name == "day_of_week":
        m = _NAMES.fullmatch(item)
        if m is None or any(g is not None and g.lower() not in _WEEKDAYS for g in m.groups()):
            return False
        first = _WEEKDAYS.index(m.group(1).lower())
        return m.group(2) is None or first <= _WEEKDAYS.index(m.group(2).lower())
    m = _NUMBERS.fullmatch(item)
    if m is None:
        return False
    first, last, step = (int(g) if g is not None else None for g in m.groups())
    assert first is not None
    if last is None and step is None:
        last = first
    if step == 0 or (last is not None and first > last) or first < low or (last is not None and last > high):
        return False
    return step is None or step <= (last or high) - first  # `last or high`: as APScheduler works out the range
