"""The second pass over `[alerts]`: a cron schedule APScheduler reads the way cron does, routes
for alerts and scorecards that exist."""

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
        else:
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
