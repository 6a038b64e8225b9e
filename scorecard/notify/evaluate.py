"""Evaluation: which measures changed band between a period and the one before, and who hears of it.

SPEC section 6: a transition is the period's band against the period before it.
`turned_red` when the period is red and the one before was not (amber, green, no_data,
unrated or not yet introduced); `band_change` when both periods have a colour and they
differ. A move out of red is a band change that messages call a recovery.

This module only reads the engine's answers (`ScorecardRating`); it never touches data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..engine.results import COLOURED, MeasureRating, ScorecardRating

if TYPE_CHECKING:
    from ..engine.engine import Engine

TURNED_RED = "turned_red"
BAND_CHANGE = "band_change"
ALERT_KINDS = (TURNED_RED, BAND_CHANGE)

NO_BAND = "none"
"""`from_band` of a measure that had no band in the period before: not yet on the scorecard, or unrated."""


class RouteLike(Protocol):
    """What evaluation needs of a configured route (`scorecard.engine.config.Route`)."""

    channel: str
    when: list[str]
    scorecards: list[str] | None


@dataclass(frozen=True)
class Transition:
    """One measure on one scorecard whose band moved between two periods: aggregates only."""

    scorecard: str
    scorecard_title: str
    measure: str
    title: str
    section: str
    unit: str | None
    decimals: int
    polarity: str | None
    period: str
    value: float | None
    target: float | None
    floor: float | None
    to_band: str
    previous_period: str | None
    previous_value: float | None
    from_band: str  # red | amber | green | no_data | "none"
    kinds: tuple[str, ...]
    warnings: int = 0  # how many data warnings the measure carries (never their text: it can name a row)
    change: str | None = None  # the engine's word when both periods have a colour: improved, declined
    detail: str = ""  # alerts on the data (SPEC section 7): what else makes one unique (a restated value)

    @property
    def recovery(self) -> bool:
        return self.from_band == "red" and self.to_band != "red"

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["kinds"] = list(self.kinds)
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Transition:
        raw = dict(raw)
        raw["kinds"] = tuple(raw.get("kinds", ()))
        return cls(**raw)


@dataclass(frozen=True)
class RoutedAlert:
    """A transition addressed to a route. Routes are identified by their channel: two routes to
    the same channel never deliver the same transition twice."""

    route: str
    transition: Transition

    @property
    def key(self) -> str:
        return alert_key(
            self.route,
            self.transition.scorecard,
            self.transition.measure,
            self.transition.period,
            self.transition.from_band,
            self.transition.to_band,
            self.transition.detail,
        )


def alert_key(route: str, scorecard: str, measure: str, period: str, from_band: str, to_band: str,
              detail: str = "") -> str:
    """A short stable id for one (route, scorecard, measure, period, from, to): it travels in the
    Slack message's metadata so a message can be recognised in the channel's history."""
    parts = (route, scorecard, measure, period, from_band, to_band) + ((detail,) if detail else ())
    raw = "\x1f".join(parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def transition_kinds(to_band: str | None, from_band: str | None) -> tuple[str, ...]:
    kinds: list[str] = []
    if to_band == "red" and from_band != "red":
        kinds.append(TURNED_RED)
    if to_band in COLOURED and from_band in COLOURED and to_band != from_band:
        kinds.append(BAND_CHANGE)
    return tuple(kinds)


def measure_transition(m: MeasureRating, scorecard: str, scorecard_title: str) -> Transition | None:
    if m.rag is None:  # an unrated (activity) measure has no band to change
        return None
    before = m.previous.rag if m.previous is not None else None
    kinds = transition_kinds(m.rag, before)
    if not kinds:
        return None
    return Transition(
        scorecard=scorecard,
        scorecard_title=scorecard_title,
        measure=m.id,
        title=m.title,
        section=m.section,
        unit=m.unit,
        decimals=m.decimals,
        polarity=m.polarity,
        period=m.period,
        value=m.value,
        target=m.target,
        floor=m.floor,
        to_band=m.rag,
        previous_period=m.previous.period if m.previous is not None else None,
        previous_value=m.previous.value if m.previous is not None else None,
        from_band=before if before is not None else NO_BAND,
        kinds=kinds,
        warnings=len(m.warnings),
        change=m.change,
    )


def find_transitions(rating: ScorecardRating) -> list[Transition]:
    """The transitions on one rated scorecard, in config order."""
    out = []
    for m in rating.measures:
        t = measure_transition(m, rating.scorecard, rating.title)
        if t is not None:
            out.append(t)
    return out


def route_takes(route: RouteLike, t: Transition) -> bool:
    """Whether a route's `when` and `scorecards` take the transition. An alert about a dataset
    (`data_stale`: no scorecard) was matched to the route's scorecards through the measures the
    dataset feeds when it was routed; only its kind is checked here."""
    if route.scorecards is not None and t.scorecard and t.scorecard not in route.scorecards:
        return False
    return bool(set(t.kinds) & set(route.when))


def route_transitions(transitions: Iterable[Transition], routes: Sequence[RouteLike]) -> list[RoutedAlert]:
    """Each transition to every route whose `when` and `scorecards` take it, once per channel."""
    out: list[RoutedAlert] = []
    seen: set[tuple[str, str, str]] = set()
    for t in transitions:
        for r in routes:
            if not route_takes(r, t):
                continue
            ident = (r.channel, t.scorecard, t.measure, t.period, t.from_band, t.to_band, t.detail)
            if ident in seen:
                continue
            seen.add(ident)
            out.append(RoutedAlert(r.channel, t))
    return out


@dataclass(frozen=True)
class Evaluation:
    """What one run found: the period rated per scorecard, the transitions and their routing."""

    periods: dict[str, str]  # scorecard id -> period rated
    transitions: list[Transition]
    alerts: list[RoutedAlert]


def scorecards_routed(scorecard_ids: Sequence[str], routes: Sequence[RouteLike]) -> list[str]:
    """The scorecards at least one route listens to, in config order."""
    wanted: set[str] = set()
    for r in routes:
        wanted.update(scorecard_ids if r.scorecards is None else r.scorecards)
    return [s for s in scorecard_ids if s in wanted]


def evaluate(engine: Engine, period: str | None = None) -> Evaluation:
    """Rate every routed scorecard for `period` (default the latest with data) against the period
    before, and route the transitions. Raises the engine's UsageError for a bad period or no data."""
    alerts_config = engine.config.alerts
    routes: list[RouteLike] = list(alerts_config.routes) if alerts_config is not None else []
    period = engine.resolve_period(period)
    periods: dict[str, str] = {}
    transitions: list[Transition] = []
    for scorecard_id in scorecards_routed([s.id for s in engine.config.scorecards], routes):
        rating = engine.rate(scorecard_id, period)
        periods[scorecard_id] = rating.period
        transitions.extend(find_transitions(rating))
    return Evaluation(periods, transitions, route_transitions(transitions, routes))
