"""Measured alternatives behind bench/README.md's recommendations, each checked against the engine.

    python bench/alternatives.py [CONFIG]      # default: the national workload

For each hot spot found by `bench/profile.py`: the engine's current code path, timed in this
process (best of 3), and a replacement written here in plain polars, timed the same way, with a
check that both give the same result on the workload. Nothing here changes the engine; it reaches
into its internals on purpose and breaks when those change.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "bench" / "results" / "national" / "config.toml"
FOSTER = ["U1", "U2", "U3", "U4", "U5", "U6"]
DTYPES = {"str": pl.String, "int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean, "date": pl.Date}


def best(label: str, f: Callable[[], Any], n: int = 3) -> Any:
    fastest, result = float("inf"), None
    for _ in range(n):
        start = time.perf_counter()
        result = f()
        fastest = min(fastest, time.perf_counter() - start)
    print(f"  {label:<72} {fastest:6.3f} s", flush=True)
    return result


def working_day_index(first: dt.date, last: dt.date, holidays: list[dt.date]) -> tuple[pl.Series, pl.Series]:
    """For every day from `first`: working days up to and including it; and the k-th working day."""
    days = pl.date_range(first, last, eager=True)
    working = (days.dt.weekday() <= 5) & ~days.is_in(holidays)
    return working.cast(pl.Int32).cum_sum(), days.filter(working)


def working_days(config: Path) -> None:
    from scorecard.engine.calendar import Calendar, add_working_days, working_days_between

    print("working days: datasets._load_dataset derives (calendar.working_days_between, add_working_days)")
    data = config.parent / "data"
    health = pl.read_parquet(data / "health.parquet")
    holidays = Calendar().holidays_for(2014, 2029)
    first = dt.date(2014, 1, 1)
    cum, nth = working_day_index(first, dt.date(2029, 12, 31), holidays)

    def day(col: str) -> pl.Expr:
        return (pl.col(col) - pl.lit(first)).dt.total_days()

    ours = best("working_days_between(entered_care, iha_date): business_day_count x 2",
                lambda: health.select(working_days_between(pl.col("entered_care"), pl.col("iha_date"), holidays)))
    theirs = best("running working-day count looked up by date (gather), one subtraction",
                  lambda: health.select((pl.lit(cum).gather(day("iha_date")) - pl.lit(cum).gather(day("entered_care")))
                                        .cast(pl.Int32)))
    print(f"    same result, nulls included: {ours.to_series().equals(theirs.to_series(), check_names=False)}")
    ours = best("add_working_days(entered_care, 20): add_business_days(roll=backward)",
                lambda: health.select(add_working_days(pl.col("entered_care"), 20, holidays)))
    theirs = best("k-th working day looked up: nth[count(entered_care) + 20 - 1]",
                  lambda: health.select(pl.lit(nth).gather(pl.lit(cum).gather(day("entered_care")) + 19)))
    print(f"    same result: {ours.to_series().equals(theirs.to_series(), check_names=False)}")


def typed_parquet(config: Path) -> None:
    from scorecard.engine.config import load_config
    from scorecard.engine.datasets import LoadedDataset, _typed_file

    print("loading: datasets._typed_file on Parquet whose columns already have the declared types")
    cfg = load_config(config)
    for name in ("episodes", "health", "returns"):
        ds = cfg.datasets[name]
        path = config.parent / "data" / f"{name}.parquet"
        best(f"{name}: _typed_file (parse every column, check every column, add __file, __row)",
             lambda ds=ds, path=path: _typed_file(ds, path, path.name, LoadedDataset(ds, pl.DataFrame())))

        def lean(ds: Any = ds, path: Path = path) -> pl.DataFrame:
            raw = pl.read_parquet(path, columns=list(ds.columns))
            assert all(raw.schema[c] == DTYPES[col.type] for c, col in ds.columns.items())
            empty = [pl.col(c).is_null() for c, col in ds.columns.items() if not col.nullable]
            bad = raw.select(pl.any_horizontal(empty).alias("b"))["b"] if empty else None
            return raw.filter(~bad) if bad is not None and bad.any() else raw

        best(f"{name}: types already right: read, empty-value check only", lean)


def data_months(config: Path) -> None:
    from scorecard.engine.calendar import month_of_date
    from scorecard.engine.datasets import _data_months
    from scorecard.engine.engine import Engine

    print("loading: datasets._data_months (first and last month with data)")
    engine = Engine.load(config)
    today = month_of_date(dt.date.today())
    spans = [(d.config, d.frame) for d in engine.datasets.values() if d.config.kind in ("event", "spell")]
    ours = best("month number of every date, concatenated, filtered, min and max",
                lambda: [_data_months(ds, frame, today) for ds, frame in spans])
    limit = dt.date(today // 12 + 1, 1, 1) if today % 12 == 11 else dt.date(today // 12, today % 12 + 2, 1)

    def minmax() -> list[tuple[int, int]]:
        out = []
        for ds, frame in spans:
            cols = [c for c in (ds.date, ds.start, ds.end) if c]
            row = frame.select(*[pl.col(c).filter(pl.col(c) < limit).min().alias(f"lo{c}") for c in cols],
                               *[pl.col(c).filter(pl.col(c) < limit).max().alias(f"hi{c}") for c in cols]).row(0)
            out.append((min(month_of_date(x) for x in row[:len(cols)] if x), max(month_of_date(x) for x in row[len(cols):] if x)))
        return out

    theirs = best("min and max of each date column below next month's first day", minmax)
    print(f"    same result: {ours == theirs}")


def under_16(config: Path) -> None:
    from scorecard.engine import measures as M
    from scorecard.engine.calendar import month_expr
    from scorecard.engine.engine import Engine

    print("measure CIC-FOSTER-U16 (where age < 16, age = years(dob, @snapshot)): measures.aggregate")
    engine = Engine.load(config)
    grid = engine.grid_for(engine.first_month, engine.last_month)  # type: ignore[arg-type]
    m = engine.config.measure("CIC-FOSTER-U16")
    data, q = engine.datasets["episodes"], M.Query(m)
    lo, hi = M.window_bounds(data.config, m.window, grid)
    frame = (data.frame.lazy().with_columns(lo.clip(0, M.BIG).alias(M.LO), hi.clip(-1, grid.count - 1).alias(M.HI))
             .filter(pl.col(M.LO) <= pl.col(M.HI)))
    bounds = frame.select(M.LO, M.HI).collect()
    print(f"    {bounds.height:,} spells in the grid, {int((bounds[M.HI] - bounds[M.LO] + 1).sum()):,} spell-periods open")
    pieces = M._split_at_birthdays(q, data, frame, grid, M.birthday_columns(q, data.config) or [])
    collected = best("_split_at_birthdays, collected", lambda: pieces.collect())
    print(f"    {collected.height:,} pieces, {collected.estimated_size() / 1e6:.0f} MB")
    ours = best("whole aggregate() (split, then difference arrays)", lambda: M.aggregate(q, data, grid).collect())

    def clipped() -> pl.DataFrame:
        dob = pl.col("dob")
        sixteen = dob.dt.offset_by("16y")  # 29 Feb -> 28 Feb in a common year; the SPEC counts from 1 March
        sixteen = pl.when((dob.dt.month() == 2) & (dob.dt.day() == 29) & (sixteen.dt.day() == 28)) \
            .then(sixteen + pl.duration(days=1)).otherwise(sixteen)
        j = month_expr(sixteen) - grid.first  # last snapshot before the 16th birthday, as for an `end`
        last = j - (sixteen.dt.day().cast(pl.Int32) <= grid.snapshot_day(j)).cast(pl.Int32)
        rows = (frame.with_columns(pl.min_horizontal(pl.col(M.HI), last.clip(-1, grid.count - 1)).alias(M.HI))
                .filter(pl.col(M.LO) <= pl.col(M.HI))
                .select(M.LO, M.HI, pl.lit(1, pl.Int64).alias("rows"),
                        pl.col("placement").is_in(FOSTER).cast(pl.Int64).alias("num")))
        starts = rows.group_by(pl.col(M.LO).cast(pl.Int64).alias(M.P)).agg(pl.col("rows").sum(), pl.col("num").sum())
        ends = rows.group_by((pl.col(M.HI) + 1).cast(pl.Int64).alias(M.P)).agg(-pl.col("rows").sum(), -pl.col("num").sum())
        steps = pl.concat([starts, ends]).group_by(M.P).agg(pl.col("rows").sum(), pl.col("num").sum()).sort(M.P)
        return steps.with_columns(pl.col("rows").cum_sum(), pl.col("num").cum_sum()) \
            .filter((pl.col(M.P) < grid.count) & (pl.col("rows") != 0)).collect()

    theirs = best("16th birthday as an extra end (clip hi), then difference arrays", clipped)
    a = ours.select(pl.col(M.P).cast(pl.Int64), "rows", "num").sort(M.P)
    print(f"    same rows and numerators in every period: {a.equals(theirs.select(M.P, 'rows', 'num'))}")

    print("  inside _split_at_birthdays:")
    lo64, hi64 = pl.col(M.LO).cast(pl.Int64), pl.col(M.HI).cast(pl.Int64)
    month = (pl.col("dob").dt.month().cast(pl.Int64) - 1).fill_null(0)
    cuts = [lo64] + [
        pl.int_ranges(lo64 + 1 + (((month + k) % 12) - (grid.first + lo64 + 1) % 12 + 12) % 12, hi64 + 1, step=12, dtype=pl.Int64)
        for k in (0, 1)
    ]
    rows = frame.select("placement", "dob", lo64.alias(M.LO), hi64.alias(M.HI)).with_row_index("__piece_of")
    listed = best("concat_list(cuts).list.unique().list.sort()",
                  lambda: rows.with_columns(pl.concat_list(cuts).list.unique().list.sort().alias(M.P)).collect())
    exploded = listed.explode(M.P)
    best("shift(-1).over('__piece_of')  (each piece's end = next piece's start - 1)",
         lambda: exploded.with_columns((pl.col(M.P).shift(-1).over("__piece_of") - 1).fill_null(pl.col(M.HI)).alias(M.HI)))
    best("shift(-1) where the next row is the same spell (rows are in order)",
         lambda: exploded.with_columns(pl.when(pl.col("__piece_of").shift(-1) == pl.col("__piece_of"))
                                       .then(pl.col(M.P).shift(-1) - 1).otherwise(pl.col(M.HI)).alias(M.HI)))
    best("join with grid.frame() for the snapshot date",
         lambda: exploded.lazy().join(grid.frame().lazy(), on=M.P, how="left").collect())


def retained_memory(config: Path) -> None:
    from scorecard.engine.engine import Engine

    print("memory: what the loaded datasets keep (estimated_size)")
    engine = Engine.load(config)
    for name, d in engine.datasets.items():
        if d.frame.height < 1000:
            continue
        extra = {c: round(d.frame[c].estimated_size() / 1e6, 1) for c in d.frame.columns if c.startswith("__")}
        print(f"  {name:<10} {d.frame.estimated_size() / 1e6:6.1f} MB, of which {extra}")


def main(argv: list[str]) -> int:
    config = Path(argv[0]) if argv else NATIONAL
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for step in (under_16, working_days, typed_parquet, data_months, retained_memory):
        step(config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
