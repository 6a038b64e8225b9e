"""Reading the data files a config names, typed and checked (SPEC sections 2 and 4).

Each dataset is read once (`datafiles`, `csvfile`). Every row that cannot be used (a malformed CSV
line, a value that does not parse, an empty value in a column not marked `?`, a value that parses
but cannot be used (`rowchecks`), a spell ending before it starts) is left out and recorded as a
`DataProblem` with file, line (a Parquet file: row), column and value; a missing file or column is
recorded against the declared columns it takes away, so only the measures that need them lose
their value.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .calendar import PERIOD_RE, Calendar, month_expr, month_start
from .config_model import Config, Dataset
from .csvfile import CsvFile, UnreadableFile
from .datafiles import FILE as FILE
from .datafiles import PROBLEM_DETAIL_LIMIT as PROBLEM_DETAIL_LIMIT
from .datafiles import ROW as ROW
from .datafiles import VALUE_SHOWN as VALUE_SHOWN
from .datafiles import DataProblem as DataProblem
from .datafiles import RawFile, line_word
from .datafiles import dataset_files as dataset_files
from .datafiles import display_path as display_path
from .datafiles import files_outside as files_outside
from .datafiles import read_file as read_file
from .derives import HOLIDAY_KINDS, derive_expr, holidays_around
from .rowchecks import negative_ages, repeats, value_checks

BOOL_WORDS = {"true": True, "1": True, "y": True, "yes": True, "false": False, "0": False, "n": False, "no": False}


def problem_lines(problems: list[DataProblem]) -> list[str]:
    """One line per problem: a file that several datasets read has its problem listed once, naming
    the datasets (a file one dataset reads is named by its path alone)."""
    by_line: dict[str, list[str]] = {}
    for p in problems:
        names = by_line.setdefault(str(p), [])
        if p.dataset not in names:
            names.append(p.dataset)
    out = []
    for line, names in by_line.items():
        where, _, what = line.partition(": ")
        datasets = [n for n in names if n != "comparators"]  # the comparators file is not a dataset
        if len(datasets) > 1:
            where += f" (datasets {', '.join(datasets)})"
        out.append(f"{where}: {what}")
    return out


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
    frames: dict[Path, RawFile | UnreadableFile] = field(default_factory=dict)
    blank: dict[tuple[Path, str], bool] = field(default_factory=dict)
    readers: dict[Path, int] = field(default_factory=dict)  # datasets yet to read each file
    locks: dict[Path, threading.Lock] = field(default_factory=dict)  # datasets load in parallel threads

    def want(self, path: Path, columns: list[str]) -> None:
        self.columns[path] = list(dict.fromkeys([*self.columns.get(path, []), *columns]))
        self.readers[path] = self.readers.get(path, 0) + 1
        self.locks.setdefault(path, threading.Lock())

    def read(self, path: Path, columns: list[str]) -> RawFile:
        with self.locks.setdefault(path, threading.Lock()):
            return self._read(path, columns)

    def _read(self, path: Path, columns: list[str]) -> RawFile:
        if path not in self.frames:
            try:
                self.frames[path] = read_file(path, self.columns.get(path, columns))
            except UnreadableFile as e:
                self.frames[path] = e
        got = self.frames[path]
        left = self.readers.get(path, 0) - 1
        self.readers[path] = left
        if left <= 0:  # the last dataset to read it: the file as read is let go once typed, not at the end of loading
            got = self.frames.pop(path)
        if isinstance(got, UnreadableFile):
            raise got
        if path.suffix.lower() != ".parquet":
            return got
        present = [c for c in dict.fromkeys(columns) if c in got.frame.columns]
        return RawFile(got.frame.select(ROW, *present)) if present else got

    def may_be_blank(self, path: Path, raw: pl.DataFrame, names: list[str]) -> set[str]:
        with self.locks.setdefault(path, threading.Lock()):
            return self._may_be_blank(path, raw, names)

    def _may_be_blank(self, path: Path, raw: pl.DataFrame, names: list[str]) -> set[str]:
        todo = [c for c in names if (path, c) not in self.blank]
        found = _may_be_blank(raw, todo)
        self.blank.update({(path, c): c in found for c in todo})
        return {c for c in names if self.blank[(path, c)]}


def _may_be_blank(raw: pl.DataFrame, names: list[str]) -> set[str]:
    """Which of these text columns may hold a blank value (empty or only whitespace: `_parse` makes
    it null, and the row is left out). A blank value is "" or starts with a character from U+0009 to
    U+0020 or from U+0085 up, so a column none of whose values sorts below "!" (empty, or a first
    character up to U+0020) or at or above U+0085 holds none: one comparison of each value with two
    constants (their first bytes, kept inline by polars) instead of stripping every value, or of
    sorting out the smallest and largest."""
    if not names:
        return set()
    hits = raw.select(*[((pl.col(c) < "!") | (pl.col(c) >= "\x85")).any().alias(f"b{i}")
                        for i, c in enumerate(names)]).row(0)
    return {name for name, hit in zip(names, hits, strict=True) if hit}


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
        # a snapshot holds few distinct periods: each is checked once, and only the rows holding a bad one flagged
        p = pl.col(ds.period).cast(pl.String).str.strip_chars()
        distinct = raw.select(pl.col(ds.period).unique())
        bad = distinct.filter(p.is_not_null() & ~p.str.contains(PERIOD_RE.pattern)).to_series()
        if bad.len():
            checks.append((ds.period, pl.col(ds.period).is_in(bad.implode()), p, "is not a period (YYYY-MM)"))
    parsed = raw.select(exprs)  # each column parsed once
    checks += value_checks(ds, parsed, positive)
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
# Loading every dataset
# --------------------------------------------------------------------------------------
LOAD_THREADS = 2  # datasets loaded at once (bench/README.md: the engine's wall time on 2 cores)


def load_datasets(config: Config, calendar: Calendar, today_month: int, keep_rows: bool = True) -> dict[str, LoadedDataset]:
    """Every dataset, typed and checked. Without `keep_rows` a dataset's `__file` and `__row` (where each row
    came from, for the data problems loading lists) are dropped once it is loaded and no later dataset joins
    it: the engine computes without them, and they are four bytes or more on every row."""
    reads = _Reads()
    for ds in config.datasets.values():
        for path in dataset_files(config, ds.file):
            reads.want(path, _columns_read(ds))
    populations = {m.population for m in config.measures if m.population}
    joined = {j.dataset for ds in config.datasets.values() for j in ds.joins}
    done: dict[str, Future[LoadedDataset]] = {}

    def load(name: str, ds: Dataset) -> LoadedDataset:
        before = {j.dataset: done[j.dataset].result() for j in ds.joins}  # submitted earlier: running or done
        positive = frozenset({"value"}) if name in populations else frozenset()
        result = _load_dataset(config, ds, calendar, before, today_month, reads, positive)
        if not keep_rows and name not in joined:
            _drop_rows(result)
        return result

    # Two datasets load at once (joined datasets are submitted before those joining them, and a pool takes
    # its tasks in order, so a task only waits for one already running): one's Python-side steps (types,
    # checks, working days) run while polars reads or computes the other's, which releases the interpreter.
    with ThreadPoolExecutor(max_workers=LOAD_THREADS, thread_name_prefix="load") as pool:
        for name, ds in config.datasets.items():  # joined datasets come before those joining them
            done[name] = pool.submit(load, name, ds)
        loaded = {name: future.result() for name, future in done.items()}
    if not keep_rows:
        for name in joined & set(loaded):
            _drop_rows(loaded[name])
    return loaded


def _drop_rows(data: LoadedDataset) -> None:
    data.frame = data.frame.drop([c for c in (FILE, ROW) if c in data.frame.columns])


def _empty(ds: Dataset) -> pl.DataFrame:
    return pl.DataFrame(schema={c: _dtype(col.type) for c, col in ds.columns.items()})


def _load_dataset(
    config: Config, ds: Dataset, calendar: Calendar, loaded: dict[str, LoadedDataset], today_month: int,
    reads: _Reads | None = None, positive: frozenset[str] = frozenset(),
) -> LoadedDataset:
    result = LoadedDataset(ds, pl.DataFrame())  # its frame is set below, once loaded
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
            for key, n, file, rows in repeats(other.frame, j.right, dupes.head(20)):
                result.problems.append(DataProblem(
                    j.dataset, file, rows[-1], j.right, str(key),
                    f"appears {n} times (also {line_word(file)}{'s' if len(rows) > 2 else ''} "
                    f"{', '.join(map(str, rows[:-1]))}); "
                    "a joined table needs one row per key (the last is used)",
                ))
            right = right.unique(subset=[j.right], keep="last", maintain_order=True)
        right = right.with_columns(pl.col(j.right).cast(frame.schema[j.left]))
        frame = _joined(frame, right, j.left, j.right)

    if ds.static_derives:
        needs_holidays = any(d.kind in HOLIDAY_KINDS for d in ds.static_derives)
        hol = holidays_around(calendar, frame) if needs_holidays else []
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
    frame = negative_ages(ds, frame, result.left_out, result.problems)
    result.frame = frame
    result.first_month, result.last_month = _data_months(ds, frame, today_month)
    return result


def _joined(frame: pl.DataFrame, right: pl.DataFrame, left_on: str, right_on: str) -> pl.DataFrame:
    """A left join to a table with one row per key (`right_on`, of `left_on`'s type): the right table's other
    columns looked up per row by key (null where no key matches; a null key never matches), added to the
    frame's columns as they are. The same columns, rows and order as polars' left join with `coalesce`,
    without gathering a copy of every column of the frame (a lookup table of districts joined to 15 million
    visits would otherwise hold the visits twice while joining)."""
    added = [c for c in right.columns if c != right_on]
    if any(c in frame.columns for c in added):  # polars' join renames a clash with a suffix: leave that to it
        return frame.join(right, left_on=left_on, right_on=right_on, how="left", coalesce=True)
    keys = right.filter(pl.col(right_on).is_not_null())
    return frame.with_columns(
        pl.col(left_on).replace_strict(keys[right_on], keys[c], default=None, return_dtype=right.schema[c]).alias(c)
        for c in added
    )


def _data_months(ds: Dataset, frame: pl.DataFrame, today_month: int) -> tuple[int | None, int | None]:
    """First and last month with a row dated in it, never after the current month: from each date
    column's earliest date and its latest before the first day of next month."""
    if ds.kind == "lookup" or frame.height == 0:
        return None, None
    if ds.kind == "snapshot":
        assert ds.period
        months = frame.select(pl.col(ds.period).unique()).select(  # few distinct periods
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
