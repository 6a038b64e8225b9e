"""What the engine answers with: plain dataclasses every view (CLI, TUI, report, alerts) reads.

Values are already rounded to the measure's `decimals` (SPEC section 3), so what a view
prints always agrees with the band.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .coverage import DatasetCoverage

Band = Literal["green", "amber", "red", "no_data"]
Change = Literal["improved", "declined", "unchanged"]

BAND_ORDER: dict[str, int] = {"red": 0, "amber": 1, "green": 2}
COLOURED = ("green", "amber", "red")


@dataclass(frozen=True)
class PeriodResult:
    """One measure in one period."""

    period: str
    value: float | None
    numerator: int | float | None
    denominator: int | float | None
    target: float | None
    floor: float | None
    rag: Band | None  # None: an unrated (activity) measure


@dataclass(frozen=True)
class Published:
    """A measure's figure as last published for the period (SPEC section 7)."""

    value: float | None
    rag: Band | None
    version: int
    published_at: str
    target: float | None = None  # in force when published: restatements compare against these
    floor: float | None = None
    decimals: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "rag": self.rag, "version": self.version, "published_at": self.published_at}


@dataclass(frozen=True)
class MeasureRating:
    """One row of a rated scorecard: the measure in the period, with the period before."""

    id: str
    title: str
    section: str
    unit: str | None
    polarity: str | None
    decimals: int
    owner: str | None
    definition: str | None
    period: str
    value: float | None
    numerator: int | float | None
    denominator: int | float | None
    target: float | None
    floor: float | None
    rag: Band | None
    previous: PeriodResult | None
    change: Change | None
    comparators: dict[str, float]
    warnings: list[str] = field(default_factory=list)
    published: Published | None = None  # SPEC section 7: set by scorecard.publish, None when never published
    restated: bool | None = None

    @property
    def rated(self) -> bool:
        return self.target is not None


@dataclass(frozen=True)
class Summary:
    measures: int
    rated: int
    green: int
    amber: int
    red: int
    no_data: int


@dataclass(frozen=True)
class ScorecardRating:
    scorecard: str
    title: str
    period: str
    summary: Summary
    measures: list[MeasureRating]
    datasets: list[DatasetCoverage] = field(default_factory=list)  # what the measures' data covers

    def to_json(self) -> dict[str, Any]:
        return {
            "scorecard": self.scorecard,
            "title": self.title,
            "period": self.period,
            "summary": asdict(self.summary),
            "datasets": [d.to_json() for d in self.datasets],
            "measures": [rating_json(m) for m in self.measures],
        }


def rating_json(m: MeasureRating) -> dict[str, Any]:
    return {
        "id": m.id,
        "title": m.title,
        "section": m.section,
        "warnings": list(m.warnings),
        "value": m.value,
        "numerator": m.numerator,
        "denominator": m.denominator,
        "unit": m.unit,
        "polarity": m.polarity,
        "target": m.target,
        "floor": m.floor,
        "rag": m.rag,
        "previous": (
            {"period": m.previous.period, "value": m.previous.value, "rag": m.previous.rag}
            if m.previous is not None
            else None
        ),
        "change": m.change,
        "comparators": dict(m.comparators),
        "published": m.published.to_json() if m.published is not None else None,
        "restated": m.restated,
    }


@dataclass(frozen=True)
class BandChange:
    id: str
    title: str
    section: str
    unit: str | None
    decimals: int
    from_rag: Band
    to_rag: Band
    from_value: float | None
    to_value: float | None
    target: float | None  # in force in the later period
    floor: float | None
    change: Change  # improved or declined: a band change is never unchanged


@dataclass(frozen=True)
class BandChanges:
    scorecard: str
    from_period: str
    to_period: str
    improved: list[BandChange]
    declined: list[BandChange]

    def to_json(self) -> dict[str, Any]:
        def entry(c: BandChange) -> dict[str, Any]:
            return {
                "id": c.id,
                "title": c.title,
                "from_rag": c.from_rag,
                "to_rag": c.to_rag,
                "from_value": c.from_value,
                "to_value": c.to_value,
            }

        return {
            "scorecard": self.scorecard,
            "from": self.from_period,
            "to": self.to_period,
            "improved": [entry(c) for c in self.improved],
            "declined": [entry(c) for c in self.declined],
        }


@dataclass(frozen=True)
class MeasureTrend:
    id: str
    title: str
    section: str
    values: list[float | None]
    rags: list[Band | None]
    decimals: int = 1
    unit: str | None = None


@dataclass(frozen=True)
class Trend:
    scorecard: str
    periods: list[str]
    measures: list[MeasureTrend]

    def to_json(self) -> dict[str, Any]:
        return {
            "scorecard": self.scorecard,
            "periods": list(self.periods),
            "measures": [
                {"id": m.id, "title": m.title, "values": list(m.values), "rags": list(m.rags)}
                for m in self.measures
            ],
        }


def change_between(before: Band | None, after: Band | None) -> Change | None:
    """`improved`, `declined` or `unchanged` when both periods have a colour, else None."""
    if before not in BAND_ORDER or after not in BAND_ORDER:
        return None
    a, b = BAND_ORDER[before], BAND_ORDER[after]
    return "improved" if b > a else "declined" if b < a else "unchanged"
