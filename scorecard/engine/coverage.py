"""What the data can speak for (SPEC section 7): each dataset's coverage, the extract date, and the
latest period with data.

A dataset a measure reads as its `dataset` covers the months from `covers_from` (or the beginning)
to the last month whose last day is on or before `as_at`; without `as_at`, a snapshot dataset covers
to its own latest period and any other dataset to the extract date's month. The extract date is the
latest date, not after today, among the `date`, `start` and `end` values (a snapshot's `period`
read as that month's last day) of those datasets. Populations, lookups and comparators have none.

A measure's value for a period is `no_data` when a month its window needs lies outside its
dataset's coverage: `gap` says so, in a sentence naming the dataset and its coverage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .periods import month_end, month_of_date, period_of

if TYPE_CHECKING:  # not imported: a rating read from the results store (which holds this module's
    # dataclasses) and the views' words need no polars, no config model and no data loading
    from .calendar import Calendar
    from .config import Config, Measure
    from .datasets import LoadedDataset


def month_words(month: int) -> str:
    """`March 2017`."""
    return f"{month_start_of(month):%B %Y}"


def month_start_of(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def day_words(d: dt.date) -> str:
    """`3 April 2022`."""
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class DatasetCoverage:
    """The months one dataset's data is complete for."""

    id: str
    covers_from: int | None  # absolute month; None: no lower limit
    covers_to: int | None  # absolute month; None: it covers nothing (no dated row, no as_at)
    as_at: dt.date | None  # the `as_at` key, or the extract date
    as_at_given: bool  # whether `as_at` is the dataset's own key
    latest_row: dt.date | None  # its own latest dated row, not after today
    missing: bool  # no file found, or none could be read

    def covers(self, month: int) -> bool:
        if self.covers_to is None or month > self.covers_to:
            return False
        return self.covers_from is None or month >= self.covers_from

    def range_words(self) -> str:
        """`April 2017 to March 2022`, `up to March 2022`, or `no month`."""
        if self.covers_to is None or (self.covers_from is not None and self.covers_from > self.covers_to):
            return "no month"
        if self.covers_from is None:
            return f"up to {month_words(self.covers_to)}"
        return f"{month_words(self.covers_from)} to {month_words(self.covers_to)}"

    def describe(self) -> str:
        """`episodes: April 2017 to March 2022, extract of 3 April 2022`."""
        text = f"{self.id}: {self.range_words()}"
        if self.as_at is not None:
            text += f", extract of {day_words(self.as_at)}"
        if self.missing:
            text += " (file missing)"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "covers_from": period_of(self.covers_from) if self.covers_from is not None else None,
            "covers_to": period_of(self.covers_to) if self.covers_to is not None else None,
            "as_at": self.as_at.isoformat() if self.as_at is not None else None,
        }


def describe_all(datasets: list[DatasetCoverage]) -> str:
    """Datasets with the same coverage together: `episodes, health: up to May 2017, extract of 31 May
    2017; workforce: up to April 2017, extract of 31 May 2017`."""
    groups: dict[str, list[str]] = {}
    for d in datasets:
        groups.setdefault(d.describe().removeprefix(f"{d.id}: "), []).append(d.id)
    if len(groups) == 1 and len(datasets) > 3:
        text = next(iter(groups))
        return f"all {len(datasets)} datasets: {text}"
    return "; ".join(f"{', '.join(names)}: {text}" for text, names in groups.items())


def short_words(datasets: list[DatasetCoverage]) -> str:
    """For a header: `data to March 2018, extract of 31 March 2018` (the measures' warnings name a
    dataset that ends earlier)."""
    ends = [d.covers_to for d in datasets if d.covers_to is not None]
    if not ends:
        return "no data"
    last = max(ends)
    dates = [d.as_at for d in datasets if d.as_at is not None]
    text = f"data to {month_words(last)}"
    if dates:
        text += f", extract of {day_words(max(dates))}"
    return text


@dataclass(frozen=True)
class Coverage:
    """Every measure dataset's coverage, the extract date and the latest period with data."""

    today: dt.date
    extract_date: dt.date | None
    datasets: dict[str, DatasetCoverage]

    @property
    def latest_month(self) -> int | None:
        """The latest month any measure dataset covers (never past the latest `as_at`, nor today)."""
        ends = [c.covers_to for c in self.datasets.values() if c.covers_to is not None]
        return max(ends) if ends else None

    def needed_months(self, m: Measure, month: int, calendar: Calendar) -> range:
        if m.window == "ytd":
            return range(calendar.financial_year_start(month), month + 1)
        if m.window == "rolling12":
            return range(month - 11, month + 1)
        return range(month, month + 1)

    def gap(self, m: Measure, month: int, calendar: Calendar) -> str | None:
        """Why the measure has no value for the month because its data does not cover it, or None."""
        c = self.datasets.get(m.dataset)
        if c is None:
            return None
        outside = [mo for mo in self.needed_months(m, month, calendar) if not c.covers(mo)]
        name = c.id
        if outside:
            span = month_words(outside[0])
            if len(outside) > 1:
                span += f" to {month_words(outside[-1])}"
            needs = "" if outside == [month] else f", which {_window_words(m.window, month)} needs"
            return f"no {name} data for {span}{needs} (it covers {c.range_words()})"
        if m.window == "snapshot" and c.as_at_given and c.as_at is not None:
            snap = calendar.snapshot_date(month)
            if snap > c.as_at:
                return (f"no {name} data for the snapshot date {day_words(snap)} "
                        f"(its extract is of {day_words(c.as_at)})")
        return None

    def to_json(self, names: list[str]) -> list[dict[str, Any]]:
        return [self.datasets[n].to_json() for n in names if n in self.datasets]


def _window_words(window: str, month: int) -> str:
    if window == "ytd":
        return f"the year to date to {month_words(month)}"
    return f"the 12 months to {month_words(month)}"


def measure_datasets(config: Config) -> list[str]:
    """The datasets some measure reads as its `dataset`, in config order."""
    used = {m.dataset for m in config.measures}
    return [n for n in config.datasets if n in used]


def latest_dated(data: LoadedDataset, today: dt.date) -> dt.date | None:
    """The dataset's latest date not after today: of its `date`, `start` and `end` values, or its
    latest `period` read as that month's last day."""
    import polars as pl

    ds = data.config
    frame = data.frame
    if frame.height == 0:
        return None
    if ds.kind == "snapshot":
        assert ds.period
        text = frame.get_column(ds.period).unique().cast(pl.String)  # a snapshot holds few distinct periods
        ok = text.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$").fill_null(False)
        periods = text.filter(ok)
        if periods.len() == 0:
            return None
        months = periods.str.slice(0, 4).cast(pl.Int32) * 12 + periods.str.slice(5, 2).cast(pl.Int32) - 1
        ends = [month_end(int(mo)) for mo in months.unique().to_list()]
        ends = [d for d in ends if d <= today]
        return max(ends) if ends else None
    cols = [c for c in (ds.date, ds.start, ds.end) if c and c in frame.columns]
    if not cols:
        return None
    found = frame.select(*[pl.col(c).filter(pl.col(c) <= pl.lit(today)).max().alias(c) for c in cols]).row(0)
    dates = [d for d in found if isinstance(d, dt.date)]
    return max(dates) if dates else None


def _latest_period(data: LoadedDataset, today_month: int) -> int | None:
    """A snapshot dataset's own latest period, not after the current month."""
    import polars as pl

    ds = data.config
    if ds.period is None or data.frame.height == 0:
        return None
    text = data.frame.get_column(ds.period).unique().cast(pl.String)  # a snapshot holds few distinct periods
    periods = text.filter(text.str.contains(r"^\d{4}-(0[1-9]|1[0-2])$").fill_null(False))
    if periods.len() == 0:
        return None
    months = periods.str.slice(0, 4).cast(pl.Int32) * 12 + periods.str.slice(5, 2).cast(pl.Int32) - 1
    months = months.filter(months <= today_month)
    return int(months.max()) if months.len() else None  # type: ignore[arg-type]


def last_month_by(day: dt.date) -> int:
    """The last month whose last day is on or before `day`."""
    month = month_of_date(day)
    return month if day == month_end(month) else month - 1


def compute_coverage(config: Config, datasets: dict[str, LoadedDataset], today: dt.date) -> Coverage:
    names = measure_datasets(config)
    latest = {n: latest_dated(datasets[n], today) for n in names}
    known = [d for d in latest.values() if d is not None]
    extract = max(known) if known else None
    today_month = month_of_date(today)
    out: dict[str, DatasetCoverage] = {}
    for n in names:
        data = datasets[n]
        ds = data.config
        missing = bool(data.problems) and data.frame.height == 0 and any(
            p.row is None and p.column is None for p in data.problems)
        if ds.as_at_date is not None:
            covers_to: int | None = last_month_by(ds.as_at_date)
            as_at: dt.date | None = ds.as_at_date
        elif ds.kind == "snapshot":
            covers_to = _latest_period(data, today_month)
            as_at = extract
        else:
            covers_to = month_of_date(extract) if extract is not None else None
            as_at = extract
        out[n] = DatasetCoverage(n, ds.covers_from_month, covers_to, as_at, ds.as_at is not None, latest[n], missing)
    return Coverage(today, extract, out)
