"""What a paper's summary states about the scorecard as a whole (issue 16).

* Activity since the last report: how each activity count (an unrated measure) moved between the
  last report's period and this one; a total that declares `parts` (citizen children in care + UASC)
  is stated through its parts and its net change, and its parts are not stated again.
* Significantly away from target: the rated measures whose gap to target, on the wrong side, is
  larger than `[report].significant_share` of the target-floor span (default 1: beyond the floor,
  the Red ones; a smaller share takes in Amber measures too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .calendar import month_number
from .engine import Engine
from .rating import round_half_away
from .results import MeasureRating, ScorecardRating


@dataclass(frozen=True)
class Movement:
    id: str
    title: str
    unit: str | None
    decimals: int
    since: float | None
    now: float | None
    change: float | None  # now - since, at the measure's decimals
    parts: list[Movement] = field(default_factory=list)  # for a total split into parts


def _move(engine: Engine, measure_id: str, month: int, since_month: int,
          published: dict[str, tuple[float | None, Any]]) -> Movement:
    m = engine.measure(measure_id)
    series = engine.series(m.id, month, since_month)
    now = series.at(month).value if m.active(month) else None
    before = series.at(since_month).value if m.active(since_month) else None
    if m.id in published:  # SPEC section 7: the last report's figures are those it published
        before = published[m.id][0]
    change = round_half_away(now - before, m.decimals) if now is not None and before is not None else None
    return Movement(m.id, m.title, m.unit, m.decimals, before, now, change)


def activity_since(engine: Engine, rating: ScorecardRating, since: str,
                   published: dict[str, tuple[float | None, Any]] | None = None) -> list[Movement]:
    """Each activity measure on the scorecard, in config order, with the totals' parts; the figures at
    `since` are `published` ones (measure id -> (value, band)) where given."""
    published = published or {}
    month, since_month = month_number(rating.period), month_number(since)
    options = engine.config.explain
    on_card = {r.id for r in rating.measures}
    unrated = [r for r in rating.measures if not r.rated]
    parted = {p for r in unrated for p in options.of(r.id).parts if p in on_card}
    out: list[Movement] = []
    for r in unrated:
        if r.id in parted:
            continue
        total = _move(engine, r.id, month, since_month, published)
        parts = [_move(engine, p, month, since_month, published) for p in options.of(r.id).parts if p in on_card]
        out.append(Movement(**{**total.__dict__, "parts": parts}))
    return out


@dataclass(frozen=True)
class Gap:
    rating: MeasureRating
    gap: float  # how far the value is from the target, on the wrong side, at the measure's decimals
    span: float  # |target - floor|


def significantly_away(rating: ScorecardRating, share: float) -> list[Gap]:
    """Rated measures with a value whose shortfall against target is more than `share` of the span."""
    out: list[Gap] = []
    for r in rating.measures:
        if r.target is None or r.floor is None or r.value is None:
            continue
        short = (r.target - r.value) if r.polarity == "higher" else (r.value - r.target)
        span = abs(r.target - r.floor)
        gap = round_half_away(short, r.decimals)
        if gap is not None and gap > 0 and gap > share * span + 1e-9:
            out.append(Gap(r, gap, span))
    return out
