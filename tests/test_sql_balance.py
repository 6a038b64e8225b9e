"""A long OR (or AND) chain from SQL is regrouped as a balanced tree (issue 13, item 11: a 3,000-term
`OR` took 25-29 s), with the same result, nulls included. Speed itself is measured in bench/, not here."""

from __future__ import annotations

import json

import polars as pl
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
