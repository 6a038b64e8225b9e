"""The national workload: the basic fixture's config over generated Parquet data.

Every authority's records for ten financial years (April 2016 to March 2026), at `size` = 1.0:
1 million care spells, 2.5 million health assessments, 2.5 million returns from missing episodes
and 0.5 million adoption matches, plus small workforce and population snapshot tables and a
comparators file. Columns are exactly those the basic config declares. Vectorised and seeded:
the same `size` and `seed` give the same files.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

BASIC_CONFIG = Path(__file__).resolve().parent.parent.parent / "shared" / "acceptance" / "basic" / "config.toml"
FIRST_DAY = dt.date(2016, 4, 1)
LAST_DAY = dt.date(2026, 3, 31)
FULL_SIZE = {"episodes": 1_000_000, "health": 2_500_000, "returns": 2_500_000, "adoptions": 500_000}
AUTHORITIES = 152  # upper-tier authorities in England
FOSTER = ["U1", "U2", "U3", "U4", "U5", "U6"]
OTHER_PLACEMENTS = ["K2", "R1", "P1", "H5", "S1", "Z1"]


@dataclass(frozen=True)
class Workload:
    config: Path
    data_dir: Path
    rows: dict[str, int]


def _days(rng: np.random.Generator, n: int, first: dt.date, last: dt.date) -> np.ndarray:
    """`n` dates uniform over [first, last], as numpy datetime64[D]."""
    span = (last - first).days + 1
    return np.datetime64(first, "D") + rng.integers(0, span, n).astype("timedelta64[D]")


def _child_id_values(rng: np.random.Generator, prefix: str, n: int, children: int) -> pl.Series:
    numbers = pl.Series("child_id", rng.integers(0, max(children, 1), n)).cast(pl.String)
    return (prefix + numbers).alias("child_id")


def episodes(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Care spells: start uniform over the ten years, length about two years (long right tail),
    still open when they run past March 2026; children aged 0 to 17 at the start."""
    start = _days(rng, n, FIRST_DAY, LAST_DAY)
    length = np.maximum(1, rng.gamma(0.8, 1050.0, n)).astype("timedelta64[D]")
    end = start + length
    age_days = rng.integers(0, 18 * 365, n).astype("timedelta64[D]")
    placement = np.where(rng.random(n) < 0.72, rng.choice(FOSTER, n), rng.choice(OTHER_PLACEMENTS, n))
    district = np.char.add("LA", np.char.zfill(rng.integers(1, AUTHORITIES + 1, n).astype(str), 3))
    return pl.DataFrame({
        "child_id": _child_id_values(rng, "C", n, int(n * 0.7)),
        "start": pl.Series(start).cast(pl.Date),
        "end": pl.Series(end).cast(pl.Date),
        "placement": placement,
        "district": district,
        "uasc": rng.random(n) < 0.06,
        "dob": pl.Series(start - age_days).cast(pl.Date),
    }).with_columns(pl.when(pl.col("end") > LAST_DAY).then(None).otherwise(pl.col("end")).alias("end"))


def health(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Initial health assessments: entry to care uniform (late enough for every due date to fall
    by March 2026), the assessment 5 to 60 days later, 3% not yet done."""
    entered = _days(rng, n, FIRST_DAY, LAST_DAY - dt.timedelta(days=35))
    iha = entered + rng.integers(5, 61, n).astype("timedelta64[D]")
    frame = pl.DataFrame({
        "child_id": _child_id_values(rng, "H", n, n),
        "entered_care": pl.Series(entered).cast(pl.Date),
        "iha_date": pl.Series(iha).cast(pl.Date),
        "uasc": rng.random(n) < 0.06,
    })
    missing = pl.Series(rng.random(n) < 0.03)
    return frame.with_columns(pl.when(missing).then(None).otherwise(pl.col("iha_date")).alias("iha_date"))


def returns(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Return interviews: 0 to 9 days after the return, 5% without an interview."""
    returned = _days(rng, n, FIRST_DAY, LAST_DAY)
    interview = returned + rng.integers(0, 10, n).astype("timedelta64[D]")
    frame = pl.DataFrame({
        "child_id": _child_id_values(rng, "R", n, n // 4),
        "returned": pl.Series(returned).cast(pl.Date),
        "interview": pl.Series(interview).cast(pl.Date),
    })
    missing = pl.Series(rng.random(n) < 0.05)
    return frame.with_columns(pl.when(missing).then(None).otherwise(pl.col("interview")).alias("interview"))


def adoptions(rng: np.random.Generator, n: int) -> pl.DataFrame:
    """Matches uniform over the ten years, court authority 20 to 400 days before."""
    matched = _days(rng, n, FIRST_DAY, LAST_DAY)
    authority = matched - rng.integers(20, 401, n).astype("timedelta64[D]")
    return pl.DataFrame({
        "child_id": _child_id_values(rng, "A", n, n),
        "authority": pl.Series(authority).cast(pl.Date),
        "matched": pl.Series(matched).cast(pl.Date),
    })


def _periods() -> list[str]:
    out = []
    y, m = FIRST_DAY.year, FIRST_DAY.month
    while (y, m) <= (LAST_DAY.year, LAST_DAY.month):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def workforce(rng: np.random.Generator) -> pl.DataFrame:
    """One WF1 row per period (with numerator and denominator in April only) and a WF2 row each quarter."""
    periods = _periods()
    n = len(periods)
    den = rng.integers(15_000, 17_000, n)
    value = np.round(rng.uniform(70.0, 95.0, n), 2)
    num = np.round(value * den / 100).astype(np.int64)
    april = np.array([p.endswith("-04") for p in periods])
    wf1 = pl.DataFrame({
        "period": periods, "measure": ["WF1"] * n, "value": value,
        "numerator": pl.Series(np.where(april, num, 0)).cast(pl.Int64),
        "denominator": pl.Series(np.where(april, den, 0)).cast(pl.Int64),
    }).with_columns(
        pl.when(pl.Series(april)).then(pl.col(c)).otherwise(None).alias(c) for c in ("numerator", "denominator")
    )
    quarters = periods[::3]
    wf2 = pl.DataFrame({
        "period": quarters, "measure": ["WF2"] * len(quarters), "value": np.round(rng.uniform(5, 20, len(quarters)), 1),
        "numerator": pl.Series([None] * len(quarters), dtype=pl.Int64),
        "denominator": pl.Series([None] * len(quarters), dtype=pl.Int64),
    })
    return pl.concat([wf1, wf2])


def population(rng: np.random.Generator, scale: float) -> pl.DataFrame:
    """Mid-year child population, one row a year (from June), 12 million at full size."""
    years = range(FIRST_DAY.year, LAST_DAY.year)
    base = 12_000_000 * scale
    values = [int(base * (1 + 0.004 * i + rng.uniform(0, 0.001))) for i, _ in enumerate(years)]
    return pl.DataFrame({"period": [f"{y}-06" for y in years], "value": values})


def comparators() -> pl.DataFrame:
    rows = [("CIC-RATE", "England", f"{y}-03", 60.0 + (y - 2016) * 0.7) for y in range(2016, 2027)]
    rows += [("IHA-20WD", "England", f"{y}-03", 80.0) for y in range(2017, 2027)]
    return pl.DataFrame(rows, schema=["measure", "comparator", "period", "value"], orient="row")


def parquet_config(text: str) -> str:
    """The basic config with its data files' names changed to .parquet (comparators stay CSV)."""
    def swap(m: re.Match[str]) -> str:
        name = m.group(2)
        return m.group(0) if name == "comparators" else f'{m.group(1)}"{name}.parquet"'

    return re.sub(r'^(file\s*=\s*)"([A-Za-z0-9_]+)\.csv"', swap, text, flags=re.MULTILINE)


def generate(out: Path, size: float = 1.0, seed: int = 8) -> Workload:
    """Write `out/config.toml` and `out/data/*.parquet` (+ comparators.csv); `size` scales the row counts."""
    rng = np.random.default_rng(seed)
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    rows = {name: max(1, round(n * size)) for name, n in FULL_SIZE.items()}
    frames = {
        "episodes": episodes(rng, rows["episodes"]),
        "health": health(rng, rows["health"]),
        "returns": returns(rng, rows["returns"]),
        "adoptions": adoptions(rng, rows["adoptions"]),
        "workforce": workforce(rng),
        "population": population(rng, size),
    }
    for name, frame in frames.items():
        frame.write_parquet(data / f"{name}.parquet")
        rows[name] = frame.height
    comparators().write_csv(data / "comparators.csv")
    (out / "config.toml").write_text(parquet_config(BASIC_CONFIG.read_text(encoding="utf-8")), encoding="utf-8")
    return Workload(out / "config.toml", data, rows)


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results" / "national"
    w = generate(target, float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
    print(w.config, w.rows)
