"""Reading the data files a config names, typed and checked (SPEC sections 2 and 4).

Each dataset is read once. Every row that cannot be used (a value that does not parse, an empty
value in a column not marked `?`, a spell ending before it starts) is left out and recorded as a
`DataProblem` with file, row, column and value; a missing file or column is recorded against the
declared columns it takes away, so only the measures that need them lose their value.
"""

from __future__ import annotations

import datetime as dt
import glob as _glob
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .calendar import (
    FIRST_DATE,
    LAST_DATE,
    PERIOD_RE,
    Calendar,
    add_working_days,
    month_expr,
    month_start,
    working_days_between,
)
from .config_model import Config, Dataset, Derive
from .config_sql import PERIOD_END_COL, SNAPSHOT_COL, parse_sql
from .csvfile import CsvFile, UnreadableFile, check_regular, read_csv

ROW = "__row"
FILE = "__file"
BOOL_WORDS = {"true": True, "1": True, "y": True, "yes": True, "false": False, "0": False, "n": False, "no": False}
PROBLEM_DETAIL_LIMIT = 200  # problems listed one by one per dataset; the rest are counted


VALUE_SHOWN = 24  # characters of an offending value a problem shows: never a whole record


def cut(value: str, limit: int = VALUE_SHOWN) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


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
            where += f" {_line_word(self.file)} {self.row}"
        if self.column is not None:
            where += f", column {cut(self.column, 40)}"
        shown = f": {cut(self.value)!r}" if self.value is not None else ""
        return f"{where}: {self.message}{shown}"


@dataclass
class LoadedDataset:
    config: Dataset
    frame: pl.DataFrame  # usable rows: declared types, joins and period-independent derives
    problems: list[DataProblem] = field(default_factory=list)  # listed one by one (capped)
    left_out: dict[str, int] = field(default_factory=dict)  # reason -> rows left out
    missing: dict[tuple[str, str], str] = field(default_factory=dict)  # (dataset, column) -> why absent
    blank_lines: int = 0  # blank lines skipped in its CSV files (not rows, not problems)
    first_month: int | None = None  # months with a row dated in them
    last_month: int | None = None

    @property
    def rows_left_out(self) -> int:
        return sum(self.left_out.values())

    def left_out_warning(self) -> str | None:
        if not self.left_out:
            return None
        reasons = "; ".join(f"{n} {why}" for why, n in sorted(self.left_out.items()))
        return f"{self.rows_left_out} rows of {self.config.name} ({self.config.file}) left out: {reasons}"


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------
def display_path(path: Path, config: Config) -> str:
    try:
        return str(path.relative_to(config.path.parent))
    except ValueError:
        return str(path)


def dataset_files(config: Config, pattern: str) -> list[Path]:
    """The files a dataset's `file` names: that file when it exists (even with `[`, `*` or `?` in its
    name), else every file the glob matches, sorted by name."""
    full = config.data_dir / pattern
    if os.path.lexists(full):
        return [full]
    if any(ch in pattern for ch in "*?["):
        return sorted(config.data_dir / p for p in _glob.glob(pattern, root_dir=config.data_dir))
    return []


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


def read_file(path: Path, columns: list[str] | None = None) -> _Raw:
    """A data file's rows, each with its line (CSV) or row (Parquet) number in `__row`; of a Parquet
    file only `columns` (those present), when given. Raises `UnreadableFile` with a one-line reason."""
    if path.suffix.lower() != ".parquet":
        csv = read_csv(path, ROW, PROBLEM_DETAIL_LIMIT)
        return _Raw(csv.frame, csv)
    check_regular(path)
    try:
        if columns is not None:
            present = set(pl.read_parquet_schema(path))
            wanted = [c for c in dict.fromkeys(columns) if c in present]
            if wanted:  # with no column at all the row count would be lost
                frame = pl.read_parquet(path, columns=wanted)
                return _Raw(frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.UInt32)))
        frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError):
        raise UnreadableFile("cannot be read as a Parquet file") from None
    return _Raw(frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.UInt32)))


@dataclass
class _Raw:
    """A file as read: its columns (CSV: text) and `__row`, and for a CSV what reading it found."""

    frame: pl.DataFrame
    csv: CsvFile | None = None


# --------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------
def _whole(raw: pl.Expr) -> pl.Expr:
    """A float column as Int64 where it holds a whole number that fits; null elsewhere (never truncated)."""
    exact = raw.is_finite() & (raw == raw.floor()) & (raw.abs() < 2.0**63)
    return pl.when(exact).then(raw.cast(pl.Int64, strict=False))


def _parse(raw: pl.Expr, source: pl.DataType, type_: str, date_format: str | None) -> pl.Expr:
    """The declared type from a raw column; null where it does not parse, or where a typed (Parquet)
    value cannot be represented in the declared type without changing it (2.5 as a whole number,
    a number as a date)."""
    if source == pl.String:
        text = raw.str.strip_chars()
        text = pl.when(text == "").then(None).otherwise(text)
        if type_ == "str":
            return pl.when(raw.str.strip_chars() == "").then(None).otherwise(raw)
        if type_ == "int":
            return text.cast(pl.Int64, strict=False)
        if type_ == "float":
            return text.cast(pl.Float64, strict=False)
        if type_ == "bool":
            return text.str.to_lowercase().replace_strict(BOOL_WORDS, default=None, return_dtype=pl.Boolean)
        return text.str.to_date(date_format or "%Y-%m-%d", strict=False)
    if type_ == "str":
        return raw.cast(pl.String, strict=False)
    numeric = source.is_numeric()
    if type_ == "date":
        if source == pl.Date:
            return raw
        if isinstance(source, pl.Datetime):
            return raw.dt.date()
        return pl.lit(None, dtype=pl.Date)  # a number is not a date (nor days since 1970)
    if type_ == "int":
        if source.is_integer():
            return raw.cast(pl.Int64, strict=False)  # null when it does not fit
        if numeric:
            return _whole(raw.cast(pl.Float64))
        return pl.lit(None, dtype=pl.Int64)
    if type_ == "float":
        return raw.cast(pl.Float64, strict=False) if numeric else pl.lit(None, dtype=pl.Float64)
    if source == pl.Boolean:
        return raw
    if source.is_integer():  # 1 and 0, as in a CSV
        return pl.when(raw == 1).then(True).when(raw == 0).then(False).otherwise(None)
    return pl.lit(None, dtype=pl.Boolean)


def _columns_read(ds: Dataset) -> list[str]:
    """The columns of a dataset's files that loading reads: the declared ones and the period."""
    return [*ds.columns, *([ds.period] if ds.period else [])]


@dataclass
class _Reads:
    """The files one `load_datasets` reads, each read once however many datasets name it: every
    column any of them declares (Parquet), and which text columns may hold a blank value."""

    columns: dict[Path, list[str]] = field(default_factory=dict)
    frames: dict[Path, _Raw | UnreadableFile] = field(default_factory=dict)
    blank: dict[tuple[Path, str], bool] = field(default_factory=dict)

    def want(self, path: Path, columns: list[str]) -> None:
        self.columns[path] = list(dict.fromkeys([*self.columns.get(path, []), *columns]))

    def read(self, path: Path, columns: list[str]) -> _Raw:
        if path not in self.frames:
            try:
                self.frames[path] = read_file(path, self.columns.get(path, columns))
            except UnreadableFile as e:
                self.frames[path] = e
        got = self.frames[path]
        if isinstance(got, UnreadableFile):
            raise got
        if path.suffix.lower() != ".parquet":
            return got
        present = [c for c in dict.fromkeys(columns) if c in got.frame.columns]
        return _Raw(got.frame.select(ROW, *present)) if present else got

    def may_be_blank(self, path: Path, raw: pl.DataFrame, names: list[str]) -> set[str]:
        todo = [c for c in names if (path, c) not in self.blank]
        found = _may_be_blank(raw, todo)
        self.blank.update({(path, c): c in found for c in todo})
        return {c for c in names if self.blank[(path, c)]}


def _may_be_blank(raw: pl.DataFrame, names: list[str]) -> set[str]:
    """Which of these text columns may hold a blank value (empty or only whitespace: `_parse` makes
    it null, and the row is left out). A blank value is "" or starts with a character from U+0009 to
    U+0020 or from U+0085 up, so a column whose smallest value starts above U+0020 and whose largest
    starts below U+0085 holds none: two cheap passes instead of stripping every value."""
    if not names:
        return set()
    ends = raw.select(*[pl.col(c).min().alias(f"lo{i}") for i, c in enumerate(names)],
                      *[pl.col(c).max().alias(f"hi{i}") for i, c in enumerate(names)]).row(0)
    out: set[str] = set()
    for i, name in enumerate(names):
        lo, hi = ends[i], ends[len(names) + i]
        if lo is not None and (lo == "" or lo[0] <= " " or hi[0] >= "\x85"):
            out.add(name)
    return out


def _typed_file(
    ds: Dataset, path: Path, shown: str, loaded: LoadedDataset, file_dtype: pl.DataType | None = None,
    reads: _Reads | None = None, positive: frozenset[str] = frozenset(),
) -> tuple[pl.DataFrame, pl.Series | None]:
    """One file's rows in the declared types, and which rows are usable (None: all of them).

    A column that already has its declared type (a typed Parquet column) is kept as read: nothing
    in it can fail to parse, so only the empty-value check of a column not marked `?` remains, and
    only when the column holds a null. `__file` is one value per file (`file_dtype`, an Enum of the
    dataset's files) and `__row` the row's number in its file (UInt32, from 1).
    """
    reads = reads or _Reads()
    try:
        read = reads.read(path, _columns_read(ds))
    except UnreadableFile as e:
        loaded.problems.append(DataProblem(ds.name, shown, None, None, None, str(e)))
        for c in ds.columns:
            loaded.missing.setdefault((ds.name, c), f"{shown} {e}")
        return pl.DataFrame(), None
    raw = read.frame
    if read.csv is not None:
        _csv_problems(ds, shown, read.csv, loaded)
    exprs: list[pl.Expr] = [pl.lit(shown, dtype=file_dtype or pl.String).alias(FILE), pl.col(ROW).cast(pl.UInt32)]
    # (column, what marks a bad row: None for "does not parse", from the parsed column; shown value; message)
    checks: list[tuple[str, pl.Expr | pl.Series | None, pl.Expr, str]] = []
    may_be_blank = reads.may_be_blank(path, raw, [c for c, col in ds.columns.items()
                                                  if col.type == "str" and raw.schema.get(c) == pl.String])
    for name, col in ds.columns.items():
        if name not in raw.columns:
            twice = read.csv.duplicated.get(name) if read.csv is not None else None
            why = (f"column {name!r} appears {len(twice)} times in the header of {shown}" if twice
                   else f"column {name!r} is missing from {shown}")
            if (ds.name, name) not in loaded.missing:
                loaded.problems.append(DataProblem(
                    ds.name, shown, 1 if twice else None, name, None,
                    f"declared column appears {len(twice)} times in the header (columns "
                    f"{', '.join(map(str, twice))}), so which to use is unclear; measures that need it have no data"
                    if twice else "declared column is missing; measures that need it have no data"))
            loaded.missing.setdefault((ds.name, name), why)
            exprs.append(pl.lit(None, dtype=_dtype(col.type)).alias(name))
            continue
        source = raw.schema[name]
        if source == _dtype(col.type) and (col.type != "str" or name not in may_be_blank):
            exprs.append(pl.col(name))  # typed already, and not blank: nothing to parse
        else:
            exprs.append(_parse(pl.col(name), source, col.type, ds.date_format).alias(name))
            checks.append((name, None, pl.col(name), f"is not a {_word(col.type)}"))
        if not col.nullable and raw[name].null_count():
            checks.append((name, pl.col(name).is_null(), pl.col(name), "is empty (the column is not marked ?)"))
    if ds.period:
        p = pl.col(ds.period).cast(pl.String).str.strip_chars()
        checks.append((ds.period, p.is_not_null() & ~p.str.contains(PERIOD_RE.pattern), p,
                       "is not a period (YYYY-MM)"))
    parsed = raw.select(exprs)  # each column parsed once
    checks += _value_checks(ds, parsed, positive)
    if not checks:
        return parsed, None
    computed = raw.select([c[1].fill_null(False).alias(f"__bad{i}") for i, c in enumerate(checks)
                           if isinstance(c[1], pl.Expr)])
    flags: dict[int, pl.Series] = {}  # check -> its bad rows, for the checks that found any
    for i, (name, cond, _shown, _message) in enumerate(checks):
        if cond is None:  # a value that does not parse is null once parsed, and was not null before
            if parsed[name].null_count() > raw[name].null_count():
                flags[i] = raw[name].is_not_null() & parsed[name].is_null()
        elif isinstance(cond, pl.Series):  # found on the parsed values
            flags[i] = cond
        elif computed[f"__bad{i}"].any():
            flags[i] = computed[f"__bad{i}"]
    if not flags:
        return parsed, None
    for i, (name, _cond, rawcol, message) in enumerate(checks):
        room = PROBLEM_DETAIL_LIMIT - len(loaded.problems)
        if i in flags and room > 0:
            hits = raw.filter(flags[i])
            for row, value in hits.select(ROW, rawcol.cast(pl.String)).head(room).iter_rows():
                loaded.problems.append(DataProblem(ds.name, shown, row, name, value, message))
    # count each left-out row once, under its first reason
    reasons = [f"{c[0]} {c[3]}" for c in checks]
    first_reason = pl.DataFrame({f"__bad{i}": flags[i] for i in sorted(flags)}).select(
        pl.coalesce([pl.when(pl.col(f"__bad{i}")).then(pl.lit(reasons[i])) for i in sorted(flags)])
    ).to_series()
    counts = dict(first_reason.drop_nulls().value_counts().iter_rows())
    for reason in dict.fromkeys(reasons):
        if counts.get(reason):
            loaded.left_out[reason] = loaded.left_out.get(reason, 0) + counts[reason]
    return parsed, first_reason.is_null()


def _value_checks(ds: Dataset, parsed: pl.DataFrame, positive: frozenset[str]) -> list[tuple[str, pl.Series, pl.Expr, str]]:
    """Values that parse but cannot be used: a date outside the years the calendar covers, a number
    that is not finite (inf, NaN), a population that is not above 0. Each column is first checked
    in one cheap pass (min and max, or a sum), and its rows flagged only when that finds something."""
    out: list[tuple[str, pl.Series, pl.Expr, str]] = []
    for name, col in ds.columns.items():
        if name not in parsed.columns or parsed[name].null_count() == parsed.height:
            continue
        values = parsed[name]
        if col.type == "date":
            lo, hi = values.min(), values.max()
            if lo < FIRST_DATE or hi > LAST_DATE:  # type: ignore[operator]
                out.append((name, ((values < FIRST_DATE) | (values > LAST_DATE)).fill_null(False), pl.col(name),
                            f"is outside the years {FIRST_DATE.year} to {LAST_DATE.year}"))
        elif col.type == "float" and not math.isfinite(values.sum()):
            out.append((name, (~values.is_finite()).fill_null(False), pl.col(name), "is not a finite number"))
        if name in positive and col.type in ("int", "float") and values.min() <= 0:  # type: ignore[operator]
            out.append((name, (values <= 0).fill_null(False), pl.col(name), "is not above 0 (a population)"))
    return out


def _csv_problems(ds: Dataset, shown: str, csv: CsvFile, loaded: LoadedDataset) -> None:
    """What reading a CSV file found: its malformed lines (named, up to the limit, and counted)."""
    room = max(PROBLEM_DETAIL_LIMIT - len(loaded.problems), 0)
    for p in csv.problems[:room]:
        loaded.problems.append(DataProblem(ds.name, shown, p.line, p.column, p.value, p.message))
    for reason, n in csv.left_out.items():
        loaded.left_out[reason] = loaded.left_out.get(reason, 0) + n
    loaded.blank_lines += csv.blank_lines


def _dtype(type_: str) -> pl.DataType:
    return {"str": pl.String(), "int": pl.Int64(), "float": pl.Float64(), "bool": pl.Boolean(), "date": pl.Date()}[type_]


def _word(type_: str) -> str:
    return {"str": "text", "int": "whole number", "float": "number", "bool": "true/false value", "date": "date"}[type_]


# --------------------------------------------------------------------------------------
# Derived columns
# --------------------------------------------------------------------------------------
SNAPSHOT_PARAM, PERIOD_END_PARAM = "@snapshot", "@period_end"


def _arg(a: object) -> pl.Expr:
    if a == "@snapshot":
        return pl.col(SNAPSHOT_COL)
    if a == "@period_end":
        return pl.col(PERIOD_END_COL)
    return pl.col(str(a))


def _count(a: object) -> pl.Expr | int:
    return pl.col(a) if isinstance(a, str) else int(a)  # type: ignore[arg-type]


def derive_expr(d: Derive, holidays: list[dt.date]) -> pl.Expr:
    """The polars expression for one derived column."""
    if d.kind == "sql":
        assert d.sql is not None
        return parse_sql(d.sql).alias(d.name)
    a, b = d.args
    if d.kind == "days":
        out = (_arg(b) - _arg(a)).dt.total_days().cast(pl.Int32)
    elif d.kind == "working_days":
        out = working_days_between(_arg(a), _arg(b), holidays)
    elif d.kind == "years":
        start, end = _arg(a), _arg(b)
        day = lambda e: e.dt.month().cast(pl.Int32) * 100 + e.dt.day().cast(pl.Int32)  # noqa: E731
        out = (end.dt.year().cast(pl.Int32) - start.dt.year().cast(pl.Int32) - (day(end) < day(start)).cast(pl.Int32))
    elif d.kind == "add_days":
        n = _count(b)
        out = _arg(a) + (pl.duration(days=n) if isinstance(n, pl.Expr) else dt.timedelta(days=n))
    elif d.kind == "add_working_days":
        out = add_working_days(_arg(a), _count(b), holidays)
    elif d.kind == "add_months":
        n = _count(b)
        offset = pl.format("{}mo", n) if isinstance(n, pl.Expr) else f"{n}mo"
        out = _arg(a).dt.offset_by(offset)
    else:  # pragma: no cover - config validation allows only the kinds above
        raise ValueError(d.kind)
    return out.alias(d.name)


def holidays_around(calendar: Calendar, frame: pl.DataFrame, extra_years: tuple[int, int] | None = None) -> list[dt.date]:
    """Bank holidays for every year the frame's dates touch, with a year either side."""
    years: list[int] = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            lo, hi = frame[name].min(), frame[name].max()
            if isinstance(lo, dt.date) and isinstance(hi, dt.date):
                years += [max(lo.year, 1900), min(hi.year, 2200)]
    if extra_years:
        years += list(extra_years)
    if not years:
        return []
    return calendar.holidays_for(min(years) - 1, max(years) + 2)


# --------------------------------------------------------------------------------------
# Loading every dataset
# --------------------------------------------------------------------------------------
def load_datasets(config: Config, calendar: Calendar, today_month: int) -> dict[str, LoadedDataset]:
    loaded: dict[str, LoadedDataset] = {}
    reads = _Reads()
    for ds in config.datasets.values():
        for path in dataset_files(config, ds.file):
            reads.want(path, _columns_read(ds))
    populations = {m.population for m in config.measures if m.population}
    for name, ds in config.datasets.items():  # joined datasets come before those joining them
        positive = frozenset({"value"}) if name in populations else frozenset()
        loaded[name] = _load_dataset(config, ds, calendar, loaded, today_month, reads, positive)
    return loaded


def _empty(ds: Dataset) -> pl.DataFrame:
    return pl.DataFrame(schema={c: _dtype(col.type) for c, col in ds.columns.items()})


def _load_dataset(
    config: Config, ds: Dataset, calendar: Calendar, loaded: dict[str, LoadedDataset], today_month: int,
    reads: _Reads | None = None, positive: frozenset[str] = frozenset(),
) -> LoadedDataset:
    result = LoadedDataset(ds, _empty(ds))
    files = dataset_files(config, ds.file)
    if not files:
        shown = display_path(config.data_dir / ds.file, config)
        result.problems.append(DataProblem(ds.name, shown, None, None, None, "file not found"))
        for c in ds.columns:
            result.missing[(ds.name, c)] = f"{shown} not found"
    shown = [display_path(path, config) for path in files]
    file_dtype = pl.Enum(list(dict.fromkeys(shown)))  # `__file`: one small integer per row, not the name
    parts: list[pl.DataFrame] = []
    for path, name in zip(files, shown, strict=True):
        frame, usable = _typed_file(ds, path, name, result, file_dtype, reads, positive)
        if frame.width:
            parts.append(frame if usable is None else frame.filter(usable))
    frame = pl.concat(parts, how="vertical") if parts else _empty(ds).with_columns(
        pl.lit(None, file_dtype).alias(FILE), pl.lit(None, pl.UInt32).alias(ROW)
    )
    if ds.unique:
        frame = frame.unique(subset=ds.unique, keep="last", maintain_order=True)

    for j in ds.joins:
        other = loaded[j.dataset]
        for key, why in other.missing.items():
            result.missing.setdefault(key, why)
        right = other.frame.drop([c for c in (FILE, ROW) if c in other.frame.columns])
        dupes = right.group_by(j.right).len().filter(pl.col("len") > 1)
        if dupes.height:
            for key, n, file, rows in _repeats(other.frame, j.right, dupes.head(20)):
                result.problems.append(DataProblem(
                    j.dataset, file, rows[-1], j.right, str(key),
                    f"appears {n} times (also {_line_word(file)}{'s' if len(rows) > 2 else ''} "
                    f"{', '.join(map(str, rows[:-1]))}); "
                    "a joined table needs one row per key (the last is used)",
                ))
            right = right.unique(subset=[j.right], keep="last", maintain_order=True)
        right = right.with_columns(pl.col(j.right).cast(frame.schema[j.left]))
        frame = frame.join(right, left_on=j.left, right_on=j.right, how="left", coalesce=True)

    if ds.static_derives:
        hol = holidays_around(calendar, frame)
        for d in ds.static_derives:
            frame = frame.with_columns(derive_expr(d, hol))

    if ds.kind == "spell":
        assert ds.start and ds.end
        backwards = frame.filter(pl.col(ds.end) < pl.col(ds.start))
        if backwards.height:
            reason = f"spell ends ({ds.end}) before it starts ({ds.start})"
            result.left_out[reason] = result.left_out.get(reason, 0) + backwards.height
            room = max(PROBLEM_DETAIL_LIMIT - len(result.problems), 0)
            for f, row, s, e in backwards.select(FILE, ROW, ds.start, ds.end).head(room).iter_rows():
                result.problems.append(DataProblem(ds.name, f, row, ds.end, f"{e} < {s}", "spell ends before it starts"))
            frame = frame.filter((pl.col(ds.end) >= pl.col(ds.start)) | pl.col(ds.end).is_null())
    frame = _negative_ages(ds, frame, result)
    result.frame = frame
    result.first_month, result.last_month = _data_months(ds, frame, today_month)
    return result


def _line_word(file: str) -> str:
    """A place in a CSV file is a line (the header is line 1); in a Parquet file, a row."""
    return "row" if file.lower().endswith(".parquet") else "line"


def _repeats(frame: pl.DataFrame, key: str, dupes: pl.DataFrame) -> list[tuple[object, int, str, list[int]]]:
    """For repeated keys: the key, how often, the file of its last row and up to 4 lines it is on."""
    rows = (frame.filter(pl.col(key).is_in(dupes[key].implode()))
            .group_by(key, maintain_order=True)
            .agg(pl.len().alias("n"), pl.col(FILE).last().cast(pl.String), pl.col(ROW).tail(4)))
    return [(k, n, f, list(r)) for k, n, f, r in rows.iter_rows()]


def _negative_ages(ds: Dataset, frame: pl.DataFrame, result: LoadedDataset) -> pl.DataFrame:
    """Leave out rows whose `years` derive to `@snapshot`/`@period_end` (an age) could be negative: a
    date of birth after the date the row is about (the event's date, the spell's start, the end of
    the snapshot's period). Such a row is a recording error, and a negative age would count in
    `age < 16`."""
    for d in ds.derives:
        if d.kind != "years" or not isinstance(d.args[0], str) or frame.schema.get(d.args[0]) != pl.Date:
            continue
        born, to = d.args
        if to in (SNAPSHOT_PARAM, PERIOD_END_PARAM):
            if ds.kind == "event" and ds.date:
                anchor, what = pl.col(ds.date), f"the event's date ({ds.date})"
            elif ds.kind == "spell" and ds.start:
                anchor, what = pl.col(ds.start), f"the spell's start ({ds.start})"
            elif ds.kind == "snapshot" and ds.period:
                anchor = pl.col(ds.period).str.strip_chars().str.to_date("%Y-%m", strict=False).dt.month_end()
                what = f"the end of its period ({ds.period})"
            else:
                continue
        else:  # between two columns a negative number of years is an answer, as `days` may be negative
            continue
        bad = (pl.col(born) > anchor).fill_null(False)
        hits = frame.filter(bad)
        if not hits.height:
            continue
        reason = f"{born} after {what}: a negative {d.name}"
        result.left_out[reason] = result.left_out.get(reason, 0) + hits.height
        room = max(PROBLEM_DETAIL_LIMIT - len(result.problems), 0)
        for f, row, b, a in hits.select(FILE, ROW, born, anchor.alias("__anchor")).head(room).iter_rows():
            result.problems.append(DataProblem(ds.name, f, row, born, str(b),
                                               f"is after {what} {a}, so {d.name} would be negative"))
        frame = frame.filter(~bad)
    return frame


def _data_months(ds: Dataset, frame: pl.DataFrame, today_month: int) -> tuple[int | None, int | None]:
    """First and last month with a row dated in it, never after the current month: from each date
    column's earliest date and its latest before the first day of next month."""
    if ds.kind == "lookup" or frame.height == 0:
        return None, None
    if ds.kind == "snapshot":
        assert ds.period
        months = frame.select(
            (pl.col(ds.period).str.slice(0, 4).cast(pl.Int32) * 12 + pl.col(ds.period).str.slice(5, 2).cast(pl.Int32) - 1)
            .alias("m")
        )["m"].drop_nulls()
        months = months.filter(months <= today_month)
        if months.len() == 0:
            return None, None
        return int(months.min()), int(months.max())  # type: ignore[arg-type]
    cols = [c for c in (ds.date, ds.start, ds.end) if c]
    limit = pl.lit(month_start(today_month + 1))
    ends = frame.select(
        *[month_expr(pl.col(c).filter(pl.col(c) < limit).min()).alias(f"lo{i}") for i, c in enumerate(cols)],
        *[month_expr(pl.col(c).filter(pl.col(c) < limit).max()).alias(f"hi{i}") for i, c in enumerate(cols)],
    ).row(0)
    firsts = [m for m in ends[: len(cols)] if m is not None]
    lasts = [m for m in ends[len(cols):] if m is not None]
    if not firsts:
        return None, None
    return min(firsts), max(lasts)
