"""Deterministic random numbers as polars expressions.

Every random draw is a pure function of (seed, stream name, row key): splitmix64 over the
key, computed by polars in wrapping 64-bit arithmetic. So a table is the same whatever order
it is built in, draws are vectorised (no Python loop over rows), and the numbers do not
depend on polars' internal hash, which may change between versions.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import polars as pl

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX_1 = 0xBF58476D1CE4E5B9
_MIX_2 = 0x94D049BB133111EB
_TWO_53 = float(1 << 53)


def _u64(value: int) -> pl.Expr:
    return pl.lit(value & _MASK, dtype=pl.UInt64)


def _splitmix64(z: pl.Expr) -> pl.Expr:
    """The splitmix64 finaliser, in polars' wrapping unsigned 64-bit arithmetic.

    `z` is used twice per step: build frames lazily so polars computes it once (common
    subexpression elimination), which keeps a draw at about 15 ns a row.
    """
    z = (z ^ (z // _u64(1 << 30))) * _u64(_MIX_1)
    z = (z ^ (z // _u64(1 << 27))) * _u64(_MIX_2)
    return z ^ (z // _u64(1 << 31))


class Rng:
    """Named random streams keyed by a row's unique integer key."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _stream(self, name: str) -> int:
        crc = zlib.crc32(name.encode("utf-8"))
        return ((crc << 32) ^ (self.seed * _GOLDEN)) & _MASK

    def uniform(self, name: str, key: str | pl.Expr = "key") -> pl.Expr:
        """A uniform number in [0, 1), one per row."""
        k = pl.col(key) if isinstance(key, str) else key
        z = k.cast(pl.UInt64) * _u64(_GOLDEN) + _u64(self._stream(name))
        return (_splitmix64(z) // _u64(1 << 11)).cast(pl.Float64) / _TWO_53

    def normal(self, name: str, key: str | pl.Expr = "key") -> pl.Expr:
        """A standard normal number per row (Box-Muller)."""
        u1 = 1.0 - self.uniform(name + ":1", key)
        u2 = self.uniform(name + ":2", key)
        return (-2.0 * u1.log()).sqrt() * (2.0 * math.pi * u2).cos()

    def exponential(self, name: str, mean: float | pl.Expr, key: str | pl.Expr = "key") -> pl.Expr:
        return -(1.0 - self.uniform(name, key)).log() * mean

    def lognormal(self, name: str, median: float | pl.Expr, sigma: float, key: str | pl.Expr = "key") -> pl.Expr:
        return (self.normal(name, key) * sigma).exp() * median

    def chance(self, name: str, probability: float | pl.Expr, key: str | pl.Expr = "key") -> pl.Expr:
        """True with the given probability."""
        return self.uniform(name, key) < probability

    def choice(self, name: str, options: Sequence[tuple[object, float]], key: str | pl.Expr = "key") -> pl.Expr:
        """One of the options, drawn with the given weights (need not sum to 1)."""
        return pick(self.uniform(name, key), options)


def pick(u: pl.Expr, options: Sequence[tuple[object, float]]) -> pl.Expr:
    """Map a uniform draw onto weighted options by their cumulative weights.

    The option's position is the number of cumulative weights the draw passes, looked up once
    (a when/then chain would build a full column per option).
    """
    total = sum(weight for _, weight in options)
    bounds, cumulative = [], 0.0
    for _, weight in options[:-1]:
        cumulative += weight / total
        bounds.append(cumulative)
    values = [value for value, _ in options]
    if not bounds:
        return pl.lit(values[0])
    position = pl.sum_horizontal([(u >= bound).cast(pl.Int8) for bound in bounds])
    return position.replace_strict(list(range(len(values))), values)


# Group-wise helpers for frames whose groups are contiguous runs of the same key (as `explode`
# and a sort by key leave them). They are an order of magnitude faster than `.over(key)` with
# millions of small groups.


def materialise(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Compute the plan so far before group-wise steps: polars would otherwise run the random
    draws feeding a running total again inside it, on one thread (ten times slower at scale 100)."""
    return frame.collect().lazy()


def group_start(key: str) -> pl.Expr:
    """True on the first row of each run of equal keys."""
    return (pl.col(key) != pl.col(key).shift(1)).fill_null(True)


def shift_in_group(expr: pl.Expr, key: str, n: int = 1) -> pl.Expr:
    """`expr.shift(n)` within each group: empty where the shifted row belongs to another group."""
    return pl.when(pl.col(key) == pl.col(key).shift(n)).then(expr.shift(n))


def cum_sum_in_group(expr: pl.Expr, key: str) -> pl.Expr:
    """The running total of `expr` within each group."""
    total = expr.cum_sum()
    return total - pl.when(group_start(key)).then(total - expr).forward_fill()


def index_in_group(key: str) -> pl.Expr:
    """0, 1, 2, ... within each group."""
    row = pl.int_range(pl.len(), dtype=pl.Int64)
    return row - pl.when(group_start(key)).then(row).forward_fill()
