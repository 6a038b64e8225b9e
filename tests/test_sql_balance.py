"""A long OR (or AND) chain from SQL is regrouped as a balanced tree (issue 13, item 11: a 3,000-term
`OR` took 25-29 s), with the same result, nulls included. Speed itself is measured in bench/, not here."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecard.engine.config import parse_sql


def depth(expr: pl.Expr) -> int:
    """How deeply the serialised expression nests."""
    deepest = level = 0
    for ch in expr.meta.serialize(format="json"):
        if ch in "{[":
            level += 1
            deepest = max(deepest, level)
        elif ch in "}]":
            level -= 1
    return deepest


def test_3000_term_or_is_shallow_and_equals_in() -> None:
    sql = " OR ".join(f"child_id = 'C{i}'" for i in range(3000))
    expr = parse_sql(sql)
    assert depth(expr) < 100
    frame = pl.DataFrame({"child_id": [f"C{i}" for i in range(0, 6000, 7)] + [None]})
    listed = ", ".join(f"'C{i}'" for i in range(3000))
    assert frame.select(expr.alias("x"))["x"].to_list() == frame.select(
        pl.sql_expr(f"child_id IN ({listed})").alias("x"))["x"].to_list()


def test_short_sql_is_left_as_parsed() -> None:
    sql = "a = 1 OR b = 2 AND c IS NULL"
    assert parse_sql(sql).meta.serialize(format="json") == pl.sql_expr(sql).meta.serialize(format="json")


@settings(max_examples=30, deadline=None)
@given(terms=st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["=", ">", "<>"]), st.integers(0, 3),
                                st.sampled_from(["OR", "AND"])), min_size=64, max_size=150))
def test_mixed_chains_give_the_same_three_valued_result(terms: list[tuple[str, str, int, str]]) -> None:
    sql = " ".join(f"{c} {op} {n} {joiner}" for c, op, n, joiner in terms[:-1]) + f" {terms[-1][0]} IS NULL"
    frame = pl.DataFrame({"a": [0, 1, 2, 3, None, 2], "b": [None, 3, 0, 1, 2, 2]})
    want = frame.select(pl.sql_expr(sql).alias("x"))["x"].to_list()
    assert frame.select(parse_sql(sql).alias("x"))["x"].to_list() == want, json.dumps(sql)


def test_each_text_is_parsed_once_and_bad_sql_is_refused_every_time() -> None:
    """parse_sql keeps each text's expression (the config's check and every measure's plan ask again); an
    expression cannot be changed in place, so one kept is one parsed again. SQL that does not parse is
    never kept: it raises every time."""
    sql = "placement IN ('U1', 'U2') AND age >= 16"
    assert parse_sql(sql) is parse_sql(sql)
    assert parse_sql(sql).meta.serialize(format="json") == pl.sql_expr(sql).meta.serialize(format="json")
    for _ in range(2):
        with pytest.raises(Exception):  # noqa: B017 - polars raises several SQL error types
            parse_sql("placement IN ('U1',")


def test_the_configs_check_of_sql_over_a_schema_is_unchanged_by_its_kept_columns() -> None:
    """`sql_problem` builds its empty frames from empty columns kept per (name, type): a column's type in one
    schema must not leak into another schema with a column of the same name and another type."""
    from scorecard.engine.config_sql import sql_problem

    assert sql_problem("x > 1", {"x": pl.Int64()}, boolean=True) == (pl.Boolean(), None)
    assert sql_problem("x", {"x": pl.String()}, boolean=False) == (pl.String(), None)
    assert sql_problem("x", {"x": pl.Date()}, boolean=False) == (pl.Date(), None)
    assert sql_problem("x", {"x": pl.Float64(), "y": pl.Int64()}, boolean=False) == (pl.Float64(), None)
