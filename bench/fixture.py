"""The public basic fixture's own data, typed and written as Parquet, beside a config pointing at it.

Its rows were chosen for the edge cases (Easter, a Saturday return, a leap day, a month-end on a
weekend), so the DuckDB peer is checked against the engine on them as well as on generated data.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import tomli

from .national import BASIC_CONFIG, parquet_config

TYPES = {"str": pl.String, "int": pl.Int64, "float": pl.Float64, "date": pl.Date}


def _typed(column: str, type_: str) -> pl.Expr:
    base = type_.rstrip("?")
    if base == "bool":
        return pl.col(column).str.to_lowercase().is_in(["true", "1", "y", "yes"]).alias(column)
    if base == "date":
        return pl.col(column).str.to_date("%Y-%m-%d").alias(column)
    return pl.col(column).cast(TYPES[base]).alias(column)


def basic_as_parquet(out: Path) -> Path:
    """Write `out/config.toml` and `out/data/*.parquet`; returns the config's path."""
    config = tomli.loads(BASIC_CONFIG.read_text(encoding="utf-8"))
    source = BASIC_CONFIG.parent / config["data"]["dir"]
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    for name, ds in config["datasets"].items():
        frame = pl.read_csv(source / ds["file"], infer_schema=False)
        frame.select(_typed(c, t) for c, t in ds["columns"].items()).write_parquet(data / f"{name}.parquet")
    shutil.copy(source / config["comparators"]["file"], data / config["comparators"]["file"])
    (out / "config.toml").write_text(parquet_config(BASIC_CONFIG.read_text(encoding="utf-8")), encoding="utf-8")
    return out / "config.toml"
