"""The command palette's measures: typing an id (`CIC-RATE`, any case) or words of a title finds the
measure, and choosing it opens its drill-down at the period shown."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import Hit, Hits, Provider

if TYPE_CHECKING:
    from .application import ScorecardApp


def measure_score(measure_id: str, title: str, query: str) -> float:
    """How well a query names a measure, 0 (not at all) to 1 (its id): the id exactly, then the id's
    start, then every word of the query in the id or title (any order, any case); 0 otherwise."""
    q = query.strip().lower()
    if not q:
        return 0.0
    mid = measure_id.lower()
    if q == mid:
        return 1.0
    if mid.startswith(q):
        return 0.9
    haystack = f"{mid} {title.lower()}"
    words = q.split()
    if all(w in haystack for w in words):
        return 0.5 + 0.3 * sum(len(w) for w in words) / max(len(haystack), 1)
    return 0.0


class MeasureCommands(Provider):
    """Every measure in the config, found by id or title words; opens its drill-down."""

    async def search(self, query: str) -> Hits:
        app: ScorecardApp = self.app  # type: ignore[assignment]
        config = getattr(app, "config", None)
        if config is None:
            return
        matcher = self.matcher(query)
        for m in config.measures:
            score = measure_score(m.id, m.title, query)
            if score <= 0:
                continue
            text = f"{m.id}  {m.title}"
            yield Hit(score, matcher.highlight(text), partial(app.open_measure, m.id), text=text,
                      help=f"{m.section} · open its drill-down")
