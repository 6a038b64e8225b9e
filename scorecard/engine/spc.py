"""XmR (individuals) statistical process control, as NHS England's "Making Data Count" draws it.

The arithmetic follows the R package NHSRplotthedots (the reference implementation):

* the points are the values that are not None, in order, each keeping its period; fewer than
  `MIN_POINTS` points and there is no chart (`xmr` returns None);
* the centre line is the mean of the points;
* the moving ranges are |x[i] - x[i-1]|; the process limits sit at mean ± 2.66 × the mean
  moving range;
* outlier screening (only when asked for): moving ranges of 3.267 × the mean moving range or
  more are left out, and the mean of the remaining moving ranges is used instead.

Four rules flag points (every comparison is strict, as in NHSRplotthedots):

* ``outside_limits``: a point above the upper or below the lower process limit;
* ``shift``: 7 or more points in a row on the same side of the mean; a point exactly on the
  mean belongs to neither side and breaks the run;
* ``trend``: 7 or more points in a row each higher (or each lower) than the one before; an
  equal value breaks the run;
* ``two_of_three``: in 3 points in a row that are all on the same side of the mean, 2 or more
  lie beyond two-thirds of the way from the mean to that side's limit; the points beyond are
  flagged, the third is not.  A point beyond the process limit itself counts as beyond two-thirds
  (the SPEC's wording, and Making Data Count's own rule since its late-2023 tools update);
  NHSRplotthedots still counts only points between two-thirds and the limit.

The variation verdict is the last point's: special cause when any rule flags it, read as
improvement or concern by the measure's polarity and the side of the mean the point lies on.
(Only a trend can flag a point lying exactly on the mean; the trend's direction decides then.)

Assurance compares the target with the process limits: the process will consistently pass
when the target lies on the unfavourable side of both limits, consistently fail when it lies
on the favourable side of both, and is hit and miss otherwise, including a target exactly on
a limit (NHSRplotthedots also compares strictly).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Literal

Rule = Literal["outside_limits", "shift", "trend", "two_of_three"]
Variation = Literal["improvement", "concern", "special_cause", "common_cause"]
Assurance = Literal["pass", "fail", "hit_and_miss"]

MIN_POINTS = 12
LIMIT_FACTOR = 2.66
NEAR_FACTOR = LIMIT_FACTOR * 2 / 3
SCREEN_FACTOR = 3.267
RUN_LENGTH = 7

RULES: tuple[Rule, ...] = ("outside_limits", "shift", "trend", "two_of_three")
POLARITIES = ("higher", "lower")


@dataclass(frozen=True)
class SpcSignal:
    """One point flagged by one rule."""

    period: str
    rule: str  # one of RULES


@dataclass(frozen=True)
class SpcResult:
    """An XmR chart's centre line, process limits, signals and verdicts."""

    mean: float
    lower: float  # lower process limit
    upper: float  # upper process limit
    variation: str  # "improvement" | "concern" | "special_cause" | "common_cause"
    assurance: str | None  # "pass" | "fail" | "hit_and_miss"; None without target or polarity
    signals: list[SpcSignal]  # every (point, rule) flagged, in period order

    def to_json(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "lower": self.lower,
            "upper": self.upper,
            "variation": self.variation,
            "assurance": self.assurance,
            "signals": [{"period": s.period, "rule": s.rule} for s in self.signals],
        }


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _mean_moving_range(points: Sequence[float], screen_outliers: bool) -> float:
    ranges = [abs(b - a) for a, b in pairwise(points)]
    amr = math.fsum(ranges) / len(ranges)
    if screen_outliers:
        kept = [r for r in ranges if r < SCREEN_FACTOR * amr]
        # All moving ranges are zero (amr == 0) is the only way to keep none: amr stays 0.
        if kept:
            amr = math.fsum(kept) / len(kept)
    return amr


def _runs(keys: Sequence[int], min_length: int) -> set[int]:
    """Indices in runs of at least `min_length` equal, non-zero keys in a row."""
    flagged: set[int] = set()
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] != 0 and i - start >= min_length:
                flagged.update(range(start, i))
            start = i
    return flagged


def _shift(sides: Sequence[int]) -> set[int]:
    return _runs(sides, RUN_LENGTH)


def _trend(points: Sequence[float]) -> tuple[set[int], dict[int, int]]:
    """Points in a run of RUN_LENGTH - 1 or more strict rises (or falls) in a row.

    Also returns, for each flagged point, the run's direction (+1 rising, -1 falling).
    """
    steps = [_sign(b - a) for a, b in pairwise(points)]
    flagged: set[int] = set()
    direction: dict[int, int] = {}
    # Step j joins point j to point j + 1, so a run of steps [s, e) covers points s..e.
    for j in sorted(_runs(steps, RUN_LENGTH - 1)):
        for i in (j, j + 1):
            flagged.add(i)
            direction[i] = steps[j]
    return flagged, direction


def _two_of_three(points: Sequence[float], sides: Sequence[int], mean: float, amr: float) -> set[int]:
    near_upper = mean + NEAR_FACTOR * amr
    near_lower = mean - NEAR_FACTOR * amr
    beyond = [1 if x > near_upper else -1 if x < near_lower else 0 for x in points]
    flagged: set[int] = set()
    for start in range(len(points) - 2):
        window = range(start, start + 3)
        side = sides[start]
        if side == 0 or any(sides[i] != side for i in window):
            continue
        far = [i for i in window if beyond[i] == side]
        if len(far) >= 2:
            flagged.update(far)
    return flagged


def xmr(
    periods: list[str],
    values: list[float | None],
    polarity: str | None,
    target: float | None,
    screen_outliers: bool = False,
) -> SpcResult | None:
    """The XmR chart of `values` (None values skipped), or None with fewer than 12 points.

    `polarity` is "higher" or "lower" (which direction is better) or None for an unrated
    measure; `target` feeds the assurance verdict.
    """
    if len(periods) != len(values):
        raise ValueError(f"{len(periods)} periods but {len(values)} values")
    if polarity is not None and polarity not in POLARITIES:
        raise ValueError(f"polarity must be 'higher', 'lower' or None, not {polarity!r}")

    kept = [(p, float(v)) for p, v in zip(periods, values, strict=True) if v is not None]
    if len(kept) < MIN_POINTS:
        return None
    labels = [p for p, _ in kept]
    points = [v for _, v in kept]

    mean = math.fsum(points) / len(points)
    amr = _mean_moving_range(points, screen_outliers)
    lower = mean - LIMIT_FACTOR * amr
    upper = mean + LIMIT_FACTOR * amr

    sides = [_sign(x - mean) for x in points]
    trend, trend_direction = _trend(points)
    flags: dict[Rule, set[int]] = {
        "outside_limits": {i for i, x in enumerate(points) if x > upper or x < lower},
        "shift": _shift(sides),
        "trend": trend,
        "two_of_three": _two_of_three(points, sides, mean, amr),
    }
    signals = [SpcSignal(labels[i], rule) for i in range(len(points)) for rule in RULES if i in flags[rule]]

    last = len(points) - 1
    variation: Variation
    if not any(last in flagged for flagged in flags.values()):
        variation = "common_cause"
    elif polarity is None:
        variation = "special_cause"
    else:
        side = sides[last] or trend_direction[last]
        better = 1 if polarity == "higher" else -1
        variation = "improvement" if side == better else "concern"

    return SpcResult(
        mean=mean,
        lower=lower,
        upper=upper,
        variation=variation,
        assurance=_assurance(polarity, target, lower, upper),
        signals=signals,
    )


def _assurance(polarity: str | None, target: float | None, lower: float, upper: float) -> Assurance | None:
    if target is None or polarity is None:
        return None
    if target < lower:  # every point expected above the target
        return "pass" if polarity == "higher" else "fail"
    if target > upper:  # every point expected below the target
        return "fail" if polarity == "higher" else "pass"
    return "hit_and_miss"
