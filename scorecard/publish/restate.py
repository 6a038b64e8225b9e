"""Restatements (SPEC section 7): published figures beside live ones.

A measure is restated when its live value, at the published decimals, differs from the published
value, or when the live value rated against the published target and floor falls in another band
than the published one. A live value that is missing because a file is missing or its data has a
problem is a warning, not a restatement: the published figure cannot be checked.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..engine.rating import band, round_half_away
from ..engine.results import MeasureRating, Published, ScorecardRating
from .store import Publication, PublicationStore

if TYPE_CHECKING:  # not imported: the terminal UI's first screen from the results store loads no engine
    from ..engine.engine import Engine
    from ..engine.explain import Explanation


def is_restated(published: Published, live: MeasureRating) -> bool:
    decimals = published.decimals if published.decimals is not None else live.decimals
    value = round_half_away(live.value, decimals)
    if value != published.value:
        return True
    if published.target is None or published.floor is None:
        return False
    return band(value, published.target, published.floor, live.polarity) != band(
        published.value, published.target, published.floor, live.polarity)


def unavailable_reason(engine: Engine, live: MeasureRating) -> str | None:
    """Why a live value is missing for a reason that is not the data changing: a missing file or
    column, or a data problem in the period."""
    if live.value is not None:
        return None
    m = engine.measure(live.id)
    reason = engine.missing_reason(m)
    if reason:
        return reason
    series = engine.series(m.id)
    notes = [n for n in series.data_notes if n.startswith(f"{live.period}:")]
    return notes[0] if notes else None


def annotate(engine: Engine, rating: ScorecardRating, publication: Publication | None) -> ScorecardRating:
    """The rating with each measure's `published` and `restated` set from the latest version."""
    if publication is None:
        return rating
    rows: list[MeasureRating] = []
    for r in rating.measures:
        pub = publication.published(r.id)
        if pub is None:
            rows.append(r)
            continue
        why = unavailable_reason(engine, r)
        if why is not None and pub.value is not None:
            warning = (f"the published figure (version {pub.version}) cannot be checked against the data: {why}")
            rows.append(dataclasses.replace(r, published=pub, restated=False, warnings=[*r.warnings, warning]))
        else:
            rows.append(dataclasses.replace(r, published=pub, restated=is_restated(pub, r)))
    return dataclasses.replace(rating, measures=rows)


def explain_with_publications(engine: Engine, store: PublicationStore, e: Explanation) -> Explanation:
    """An explanation with the measure's published figure for the period: from the first of its
    scorecards (config order) that published the period."""
    m = engine.measure(e.id)
    for sc in m.scorecards:
        pub = store.latest(sc, e.period)
        if pub is None or pub.published(m.id) is None:
            continue
        [row] = [r for r in annotate(engine, engine.rate(sc, e.period), pub).measures if r.id == m.id] or [None]
        if row is not None:
            extra = [w for w in row.warnings if w not in e.warnings]
            return dataclasses.replace(e, published=row.published, restated=row.restated,
                                       warnings=[*e.warnings, *extra])
    return e


def rate_with_publications(engine: Engine, store: PublicationStore, scorecard_id: str | None,
                           period: str | None) -> ScorecardRating:
    """`Engine.rate`, with the published figures of the period beside the live ones."""
    rating = engine.rate(scorecard_id, period)
    return annotate(engine, rating, store.latest(rating.scorecard, rating.period))


@dataclass(frozen=True)
class Restatement:
    scorecard: str
    period: str
    measure: str
    title: str
    decimals: int
    unit: str | None
    published: Published
    live_value: float | None
    live_rag: str | None

    def to_json(self) -> dict[str, Any]:
        return {"scorecard": self.scorecard, "period": self.period, "measure": self.measure,
                "published": self.published.to_json(), "live": {"value": self.live_value, "rag": self.live_rag}}


def restatements(engine: Engine, store: PublicationStore, scorecard_id: str | None = None) -> list[Restatement]:
    """Every published figure the live data no longer gives, by scorecard, period and config order."""
    if scorecard_id is not None:
        engine.scorecard(scorecard_id)  # an unknown scorecard is a usage error
    known = {s.id for s in engine.config.scorecards}
    out: list[Restatement] = []
    for pub in store.latest_versions(scorecard_id):
        if pub.scorecard not in known:
            continue
        out += period_restatements(engine, pub)
    return out


def period_restatements(engine: Engine, pub: Publication) -> list[Restatement]:
    rating = annotate(engine, engine.rate(pub.scorecard, pub.period), pub)
    return [Restatement(pub.scorecard, pub.period, r.id, r.title, r.decimals, r.unit, r.published, r.value, r.rag)
            for r in rating.measures if r.restated and r.published is not None]
