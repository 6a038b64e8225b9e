"""Loading typed Parquet (datasets._typed_file): the shortcuts give what SPEC section 4 asks for.

Columns that already have their declared type are kept as read, text columns are only checked for
blank values when their smallest or largest value could start one, `__file` is an Enum and `__row`
UInt32. On random files these must leave out exactly the rows a plain reading of the SPEC leaves
out (an empty value in a column not marked `?`, a blank text, a value that is not its type: a
fraction in an int column, a number in a date column), list them with file, row and column, and
keep every other row unchanged.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorecard.engine.calendar import Calendar, month_of_date
from scorecard.engine.config import load_config
from scorecard.engine.datasets import LoadedDataset, load_datasets
from scorecard.engine.engine import Engine

TODAY = dt.date(2026, 11, 22)


def loaded_with_rows(config_path: Path, name: str = "events") -> LoadedDataset:
    """A dataset as the engine loads it, with `__file` and `__row` kept (the engine drops them once loaded)."""
    config = load_config(config_path)
    org = config.organisation
    calendar = Calendar(org.working_days, org.financial_year_start_month)
    return load_datasets(config, calendar, month_of_date(TODAY), keep_rows=True)[name]
PROPS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# whitespace to Python's str.strip() and to polars' strip_chars() alike, and characters that are not
WHITE = " \t\n\r\x0b\x0c\x85\xa0\u1680\u2003\u2028\u3000"
TEXT = st.text(alphabet=WHITE + "aZ0-é\x7f\x84\x86\u2070", max_size=4)

CONFIG = """
[organisation]
name = "Typed County"

[data]
dir = "data"

[datasets.events]
file = "events-*.parquet"
date = "d"
[datasets.events.columns]
id = "str"
note = "str?"
d = "date"
n = "int"
x = "float?"
flag = "bool"

[[scorecards]]
id = "main"
title = "Main"

[[measures]]
id = "N"
title = "Events"
section = "S"
scorecards = ["main"]
dataset = "events"
window = "month"
calc = "count"
"""

Row = tuple[str | None, str | None, Any, Any, float | None, bool | None]


def reasons(row: Row, d_typed: bool, n_float: bool) -> list[tuple[str, str]]:
    """The SPEC's reading of one row: (column, message) for each problem, in column order."""
    ident, note, d, n, _x, flag = row
    out: list[tuple[str, str]] = []
    if ident is None:
        out.append(("id", "is empty (the column is not marked ?)"))
    elif ident.strip(WHITE) == "":
        out.append(("id", "is not a text"))
    if note is not None and note.strip(WHITE) == "":
        out.append(("note", "is not a text"))
    if d is None:
        out.append(("d", "is empty (the column is not marked ?)"))
    elif not d_typed:
        out.append(("d", "is not a date"))
    if n is None:
        out.append(("n", "is empty (the column is not marked ?)"))
    elif n_float and n != int(n):
        out.append(("n", "is not a whole number"))
    if flag is None:
        out.append(("flag", "is empty (the column is not marked ?)"))
    return out


day = st.dates(dt.date(2017, 1, 1), dt.date(2017, 12, 31))


@st.composite
def files(draw: st.DrawFn) -> tuple[list[list[Row]], bool, bool]:
    d_typed, n_float = draw(st.booleans()), draw(st.booleans())
    d_value = day if d_typed else st.integers(17000, 17500)
    n_value = st.sampled_from([0.0, 1.0, 2.5, -3.0, 1e3, 0.25]) if n_float else st.integers(-5, 5)
    row = st.tuples(st.one_of(TEXT, st.none()), st.one_of(TEXT, st.none()), st.one_of(d_value, st.none()),
                    st.one_of(n_value, st.none()), st.one_of(st.floats(-10, 10), st.none()),
                    st.one_of(st.booleans(), st.none()))
    return draw(st.lists(st.lists(row, min_size=0, max_size=12), min_size=1, max_size=3)), d_typed, n_float


def write(folder: Path, parts: list[list[Row]], d_typed: bool, n_float: bool) -> None:
    schema = {"id": pl.String, "note": pl.String, "d": pl.Date if d_typed else pl.Int64,
              "n": pl.Float64 if n_float else pl.Int64, "x": pl.Float64, "flag": pl.Boolean}
    (folder / "data").mkdir()
    for i, rows in enumerate(parts):
        pl.DataFrame(rows, schema=schema, orient="row").with_columns(pl.lit("ignored").alias("extra")) \
            .write_parquet(folder / "data" / f"events-{i}.parquet")
    (folder / "config.toml").write_text(CONFIG, encoding="utf-8")


@PROPS
@given(drawn=files())
def test_typed_parquet_rows_and_problems_follow_the_spec(drawn: tuple[list[list[Row]], bool, bool]) -> None:
    parts, d_typed, n_float = drawn
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp), parts, d_typed, n_float)
        engine = Engine.load(Path(tmp) / "config.toml", today=TODAY)
        loaded = loaded_with_rows(Path(tmp) / "config.toml")
    assert engine.datasets["events"].frame.equals(loaded.frame.drop("__file", "__row"))
    frame = loaded.frame
    assert frame.schema["__file"] == pl.Enum([f"data/events-{i}.parquet" for i in range(len(parts))])
    assert frame.schema["__row"] == pl.UInt32
    assert [frame.schema[c] for c in ("id", "note", "d", "n", "x", "flag")] == \
        [pl.String, pl.String, pl.Date, pl.Int64, pl.Float64, pl.Boolean]
    kept: list[tuple[str, int, Row]] = []
    problems: list[tuple[str, int, str, str]] = []
    for i, rows in enumerate(parts):
        for r, row in enumerate(rows, start=1):
            found = reasons(row, d_typed, n_float)
            problems += [(f"data/events-{i}.parquet", r, column, message) for column, message in found]
            if not found:
                kept.append((f"data/events-{i}.parquet", r, row))
    got = [(p.file, p.row, p.column, p.message) for p in loaded.problems if p.row is not None]
    assert sorted(got) == sorted(problems)
    assert frame.select("__file", "__row").rows() == [(f, r) for f, r, _ in kept]
    want = [(ident, note, d, None if n is None else int(n), x, flag) for _, _, (ident, note, d, n, x, flag) in kept]
    assert frame.select("id", "note", "d", "n", "x", "flag").rows() == want
    assert loaded.rows_left_out == sum(len(rows) for rows in parts) - len(kept)


def test_spell_ending_before_it_starts_names_its_file_and_row(tmp_path: Path) -> None:
    config = CONFIG.replace('date = "d"', 'start = "d"\nend = "e"').replace('flag = "bool"', 'flag = "bool"\ne = "date?"')
    (tmp_path / "data").mkdir()
    for i in range(2):
        pl.DataFrame({"id": ["A", "B"], "note": [None, None], "d": [dt.date(2017, 3, 5)] * 2,
                      "e": [dt.date(2017, 3, 9), dt.date(2017, 3, 1 + i)], "n": [1, 2], "x": [None, None],
                      "flag": [True, False]}).write_parquet(tmp_path / "data" / f"events-{i}.parquet")
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    loaded = loaded_with_rows(tmp_path / "config.toml")
    assert [(p.file, p.row, p.column, p.value) for p in loaded.problems] == [
        ("data/events-0.parquet", 2, "e", "2017-03-01 < 2017-03-05"),
        ("data/events-1.parquet", 2, "e", "2017-03-02 < 2017-03-05"),
    ]
    assert loaded.frame.select(pl.col("__file").cast(pl.String), "__row").rows() == \
        [("data/events-0.parquet", 1), ("data/events-1.parquet", 1)]


def test_no_file_gives_an_empty_frame_with_the_bookkeeping_columns(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    engine = Engine.load(tmp_path / "config.toml", today=TODAY)
    loaded = loaded_with_rows(tmp_path / "config.toml")
    assert loaded.frame.height == 0 and loaded.frame.schema["__row"] == pl.UInt32
    assert engine.datasets["events"].frame.height == 0
    assert engine.has_problems and (loaded.first_month, loaded.last_month) == (None, None)
