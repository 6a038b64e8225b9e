"""Measured alternatives behind bench/README.md's recommendations, each checked against the engine.

    python bench/alternatives.py [CONFIG [national|demo]]   # default: the national workload

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


def _engine_frame(config: Path, measure_id: str) -> tuple[Any, Any, Any, Any]:
    from scorecard.engine import measures as M
    from scorecard.engine.engine import Engine

    engine = Engine.load(config)
    grid = engine.grid_for(engine.first_month, engine.last_month)  # type: ignore[arg-type]
    m = engine.config.measure(measure_id)
    return engine, grid, m, M


def distinct_children(config: Path, measure_id: str = "CIC-COUNT") -> None:
    """A distinct count of children on spells, without expanding spells to periods."""
    engine, grid, m, M = _engine_frame(config, measure_id)
    print(f"measure {measure_id} (count, distinct = {m.distinct}, window snapshot): measures.aggregate -> _expanded")
    data, q = engine.datasets[m.dataset], M.Query(m)
    ds = data.config
    assert m.where is None and m.numerator is None and m.calc == "count" and ds.kind == "spell"
    ours = best("whole aggregate() (every spell exploded to its open periods, n_unique per period)",
                lambda: M.aggregate(q, data, grid).collect())
    lo, hi = M.window_bounds(ds, m.window, grid)
    child, start, end = pl.col(m.distinct), pl.col(ds.start), pl.col(ds.end)

    def islands() -> pl.DataFrame:
        # A child is in care on a snapshot date when one of its spells covers it; its spells merged into
        # continuous stretches ([start, end) pieces that overlap or touch) cover the same dates, and at most
        # one stretch covers any date, so counting stretches open on each snapshot counts children.
        # Sorted by child then start, `child * 2^32 + end day` only grows from one child to the next, so one
        # cumulative maximum over the whole column is each child's furthest end so far (no window per child).
        far = pl.lit(dt.date(9999, 12, 31))
        base = pl.lit(dt.date(1800, 1, 1))
        key = pl.col("__child").cast(pl.Int64) * 2**32 + (pl.col(ds.end) - base).dt.total_days()
        rows = (data.frame.lazy().select(child.rank("dense").alias("__child"), start, end.fill_null(far))
                .sort(["__child", ds.start]))
        reach = key.cum_max().shift(1)
        after = (pl.col(ds.start) - base).dt.total_days() > reach % 2**32
        new = reach.is_null() | (reach // 2**32 != pl.col("__child")) | after
        rows = rows.with_columns(new.cum_sum().alias("__island"))
        merged = rows.group_by("__island").agg(pl.col(ds.start).first(), pl.col(ds.end).max()).with_columns(
            pl.when(pl.col(ds.end) == far).then(None).otherwise(pl.col(ds.end)).alias(ds.end))
        bounds = merged.with_columns(lo.clip(0, M.BIG).alias(M.LO), hi.clip(-1, grid.count - 1).alias(M.HI)) \
            .filter(pl.col(M.LO) <= pl.col(M.HI)).select(M.LO, M.HI)
        starts = bounds.group_by(pl.col(M.LO).cast(pl.Int64).alias(M.P)).agg(pl.len().cast(pl.Int64).alias("rows"))
        ends = bounds.group_by((pl.col(M.HI) + 1).cast(pl.Int64).alias(M.P)).agg(-pl.len().cast(pl.Int64).alias("rows"))
        return pl.concat([starts, ends]).group_by(M.P).agg(pl.col("rows").sum()).sort(M.P) \
            .with_columns(pl.col("rows").cum_sum()).filter((pl.col(M.P) < grid.count) & (pl.col("rows") != 0)).collect()

    theirs = best("each child's spells merged into stretches, then difference arrays", islands)
    a = ours.select(pl.col(M.P).cast(pl.Int64), "rows").sort(M.P)
    print(f"    same count in every period: {a.equals(theirs)}")


def rolling_median(config: Path, measure_id: str = "ASS-MEDIAN-WD") -> None:
    """A rolling-12 median of a whole-number column from monthly histograms (which are additive)."""
    engine, grid, m, M = _engine_frame(config, measure_id)
    print(f"measure {measure_id} (median of {m.value}, window {m.window}): measures.aggregate -> _expanded")
    data, q = engine.datasets[m.dataset], M.Query(m)
    assert m.where is None and m.window == "rolling12"
    ours = best("whole aggregate() (every event copied into its 12 windows, median per period)",
                lambda: M.aggregate(q, data, grid).collect())
    lo, _ = M.window_bounds(data.config, m.window, grid)

    def histogram() -> pl.DataFrame:
        v = pl.col(m.value)
        monthly = data.frame.lazy().filter(v.is_not_null()).group_by(lo.alias(M.LO), v.alias("v")).agg(pl.len().alias("n"))
        windows = monthly.with_columns(pl.int_ranges(pl.col(M.LO), pl.col(M.LO) + 12).alias(M.P)).explode(M.P) \
            .filter((pl.col(M.P) >= 0) & (pl.col(M.P) < grid.count)) \
            .group_by(M.P, "v").agg(pl.col("n").sum()).sort(M.P, "v")
        ranked = windows.with_columns(pl.col("n").cum_sum().over(M.P).alias("upto"), pl.col("n").sum().over(M.P).alias("total"))

        def at(k: pl.Expr) -> pl.Expr:  # the k-th smallest value (from 0)
            return pl.col("v").filter(pl.col("upto") > k).first()

        k1, k2 = (pl.col("total") - 1) // 2, pl.col("total") // 2
        return ranked.group_by(M.P).agg(((at(k1.first()) + at(k2.first())) / 2).alias("med"),
                                        pl.col("total").first().alias("vcnt")).sort(M.P).collect()

    theirs = best("value counts per month, summed over 12 months, median from the counts", histogram)
    a = ours.select(pl.col(M.P).cast(pl.Int64), "med", "vcnt").sort(M.P)
    b = theirs.select(pl.col(M.P).cast(pl.Int64), "med", pl.col("vcnt").cast(pl.Int64))
    print(f"    same median and count in every period: {a.equals(b)}")


STEPS: dict[str, tuple[Callable[[Path], None], ...]] = {
    "national": (under_16, working_days, typed_parquet, data_months, retained_memory),
    "demo": (distinct_children, rolling_median),
}


def main(argv: list[str]) -> int:
    config = Path(argv[0]) if argv else NATIONAL
    kind = argv[1] if len(argv) > 1 else "national"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for step in STEPS[kind]:
        step(config)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
