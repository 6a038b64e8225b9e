"""The data files a config names: where they are, and each read with its line (CSV) or row
(Parquet) numbers; and the data problem, the one line that names a place in a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .config_model import Config
from .csvfile import CsvFile, UnreadableFile, check_regular, read_csv
from .filenames import files_named

ROW = "__row"  # a row's line in its CSV file (the header is line 1), or its row (from 1) in a Parquet file
FILE = "__file"
PROBLEM_DETAIL_LIMIT = 200  # problems listed one by one per dataset; the rest are counted
VALUE_SHOWN = 24  # characters of an offending value a problem shows: never a whole record


def cut(value: str, limit: int = VALUE_SHOWN) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def line_word(file: str) -> str:
    """A place in a CSV file is a line (the header is line 1); in a Parquet file, a row."""
    return "row" if file.lower().endswith(".parquet") else "line"


@dataclass(frozen=True)
class DataProblem:
    """One data problem. `row` is the line number in a CSV file (the header is line 1, so the Nth
    data row is line N+1, the spreadsheet's row) and the row number (from 1) in a Parquet file."""

    dataset: str
    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" {line_word(self.file)} {self.row}"
        if self.column is not None:
            where += f", column {cut(self.column, 40)}"
        shown = f": {cut(self.value)!r}" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"


def display_path(path: Path, config: Config) -> str:
    try:
        return str(path.relative_to(config.path.parent))
    except ValueError:
        return str(path)


def dataset_files(config: Config, pattern: str) -> list[Path]:
    """The files a dataset's `file` names (`filenames.files_named`, under the data folder)."""
    return files_named(config.data_dir, pattern)


def files_outside(config: Config) -> list[str]:
    """A sentence for each data file outside the config's folder (an absolute path or `../`): they are
    read, and `check` says so, since such a config reads something its folder does not hold."""
    home = config.path.parent.resolve()
    named = [(f"dataset {name}", ds.file) for name, ds in config.datasets.items()]
    named += [("comparators", config.comparators_file)] if config.comparators_file else []
    out: list[str] = []
    for what, pattern in named:
        for path in dataset_files(config, pattern) or [config.data_dir / pattern]:
            if not path.resolve().is_relative_to(home):
                out.append(f"{what} reads {path.resolve()}, outside the config's folder ({home})")
    return out


def read_file(path: Path, columns: list[str] | None = None) -> RawFile:
    """A data file's rows, each with its line (CSV) or row (Parquet) number in `__row`; of a Parquet
    file only `columns` (those present), when given. Raises `UnreadableFile` with a one-line reason."""
    if path.suffix.lower() != ".parquet":
        csv = read_csv(path, ROW, PROBLEM_DETAIL_LIMIT)
        return RawFile(csv.frame, csv)
    check_regular(path)
    try:
        if columns is not None:
            present = set(pl.read_parquet_schema(path))
            wanted = [c for c in dict.fromkeys(columns) if c in present]
            if wanted:  # with no column at all the row count would be lost
                frame = pl.read_parquet(path, columns=wanted)
                return RawFile(frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.UInt32)))
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError):
        raise UnreadableFile("cannot be read as a Parquet file") from None
    return RawFile(frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.UInt32)))


@dataclass
class RawFile:
    """A file as read: its columns (CSV: text) and `__row`, and for a CSV what reading it found."""

    frame: pl.DataFrame
    csv: CsvFile | None = None
