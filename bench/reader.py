"""The reference reader: the floor any engine pays on a workload.

For every dataset a config declares it reads the same files (every column, CSV or Parquet) and
groups the rows by month of the dataset's own date (`date`, `start` or `period`; a `date` that is
a derived column falls back to the first declared date column), then prints the row counts. It
computes no measure.

    python bench/reader.py CONFIG
"""

from __future__ import annotations

import glob
import sys
from pathlib import Path
from typing import Any

import polars as pl
import tomli


def _files(data_dir: Path, pattern: str) -> list[Path]:
    return sorted(Path(p) for p in glob.glob(str(data_dir / pattern)))


def _month_column(ds: dict[str, Any]) -> tuple[str | None, bool]:
    """The column to group by, and whether it is a `YYYY-MM` period (not a date)."""
    columns: dict[str, str] = ds.get("columns", {})
    if ds.get("period") in columns:
        return ds["period"], True
    for key in ("date", "start"):
        if ds.get(key) in columns:
            return ds[key], False
    if "date" in ds:
        return next((c for c, t in columns.items() if t.rstrip("?") == "date"), None), False
    return None, False


def _read(path: Path) -> pl.DataFrame:
    if path.suffix.lower() == ".parquet":
        return pl.read_parquet(path)
    return pl.read_csv(path, infer_schema=False)


def _month(frame: pl.DataFrame, column: str, is_period: bool, date_format: str | None) -> pl.Expr:
    col = pl.col(column)
    if is_period:
        return col.cast(pl.String).str.slice(0, 7)
    if frame.schema[column] == pl.String:
        col = col.str.to_date(date_format or "%Y-%m-%d", strict=False)
    return col.dt.truncate("1mo")


def read_and_group(config_path: Path) -> dict[str, int]:
    """Rows per dataset, after reading every file and grouping by month."""
    config = tomli.loads(config_path.read_text(encoding="utf-8"))
    data_dir = config_path.parent / config.get("data", {}).get("dir", ".")
    counts: dict[str, int] = {}
    for name, ds in config.get("datasets", {}).items():
        column, is_period = _month_column(ds)
        files = _files(data_dir, ds["file"])
        if not files:
            continue
        frame = pl.concat([_read(p) for p in files], how="diagonal_relaxed")
        if column is None or column not in frame.columns:
            counts[name] = frame.height
            continue
        months = frame.group_by(_month(frame, column, is_period, ds.get("date_format")).alias("month")).len()
        counts[name] = int(months["len"].sum())
    return counts


def main(argv: list[str]) -> int:
    for name, rows in read_and_group(Path(argv[0])).items():
        print(f"{name}\t{rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
