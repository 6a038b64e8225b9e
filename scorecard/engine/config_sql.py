"""The config's SQL (polars' dialect): parsed, never evaluated as Python; its type over a schema."""

from __future__ import annotations

import functools
import re

import polars as pl

from .sql_balance import parse_balanced

SNAPSHOT_COL = "__snapshot"
PERIOD_END_COL = "__period_end"
TYPE_DTYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
}
_MISSING_COLUMN = re.compile(r'unable to find column "([^"]+)"')


def parse_sql(text: str) -> pl.Expr:
    """SQL of the polars engine, parsed into an expression; never evaluated as Python. Each text is parsed
    once per process: the config's check, its derives' inputs and every measure's plan ask for the same
    few texts again and again (about 500 times for 76 texts in a `trend` of the demo), and an expression
    is never changed once made (every method returns a new one)."""
    return _parsed(text)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> pl.Expr:
    return parse_balanced(text)  # long OR/AND chains regrouped: polars is slow on deep ones


_EMPTY: dict[tuple[tuple[str, pl.DataType], ...], pl.DataFrame] = {}  # schema -> a frame of no rows with it


def _empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A frame of no rows over `schema`, built once per schema: a config checks many SQL texts over the
    same few schemas, and building the frame is most of the cost of checking one."""
    key = tuple(schema.items())
    frame = _EMPTY.get(key)
    if frame is None:
        if len(_EMPTY) > 256:
            _EMPTY.clear()
        # from one empty column per (name, type), kept: a dataset's derives grow its schema one column at a
        # time, and building a frame's every column anew (`pl.DataFrame(schema=...)`) is ten times the cost
        frame = _EMPTY[key] = pl.DataFrame().hstack([_empty_column(name, dtype) for name, dtype in key])
    return frame


_COLUMNS: dict[tuple[str, pl.DataType], pl.Series] = {}


def _empty_column(name: str, dtype: pl.DataType) -> pl.Series:
    column = _COLUMNS.get((name, dtype))
    if column is None:
        if len(_COLUMNS) > 4096:
            _COLUMNS.clear()
        column = _COLUMNS[(name, dtype)] = pl.Series(name, [], dtype=dtype)
    return column


def sql_problem(text: str, schema: dict[str, pl.DataType], boolean: bool) -> tuple[pl.DataType | None, str | None]:
    """The type the SQL gives over `schema`, or a sentence saying why it cannot be used."""
    try:
        expr = parse_sql(text)
    except Exception:  # polars raises several SQL error types
        return None, f"SQL cannot be parsed: {text}"
    try:
        empty = _empty(schema)
        dtype = empty.lazy().select(expr.alias("__x")).collect_schema()["__x"]
    except Exception as e:
        m = _MISSING_COLUMN.search(str(e))
        if m:
            return None, f"unknown column {m.group(1)!r} in SQL: {text}"
        return None, f"SQL cannot be used here: {str(e).splitlines()[0]}: {text}"
    try:  # evaluating over no rows compiles what only evaluation checks: a regular expression
        empty.select(expr.alias("__x"))
    except Exception as e:
        lines = str(e).splitlines()
        if lines and "regex" in lines[0]:
            why = next((x.removeprefix("error: ") for x in lines if x.startswith("error:")), "it cannot be read")
            return None, f"SQL has an invalid regular expression ({why}): {text}"
        return None, f"SQL cannot be used here: {lines[0] if lines else type(e).__name__}: {text}"
    if boolean and dtype != pl.Boolean:
        return dtype, f"SQL must be a condition (true or false), but gives {dtype}: {text}"
    return dtype, None


def sql_columns(text: str) -> set[str]:
    try:
        return set(parse_sql(text).meta.root_names())
    except Exception:
        return set()
