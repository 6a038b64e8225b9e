"""What "today" is (SPEC section 7): the date in the organisation's timezone, or
`SCORECARD_TODAY=YYYY-MM-DD` when that is set (for tests, and for re-running a past month)."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo

TODAY_VARIABLE = "SCORECARD_TODAY"


class TodayError(ValueError):
    """`SCORECARD_TODAY` is set but is not a date."""


def today_in(timezone: str) -> dt.date:
    raw = os.environ.get(TODAY_VARIABLE, "").strip()
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise TodayError(f"{TODAY_VARIABLE}={raw!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.now(zoneinfo.ZoneInfo(timezone)).date()
