"""Alerts evaluation: transitions between a period and the one before, and their routing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scorecard.engine.engine import Engine
from scorecard.engine.results import MeasureRating, PeriodResult, ScorecardRating, Summary
from scorecard.notify.evaluate import (
    BAND_CHANGE,
    TURNED_RED,
    Transition,
    alert_key,
    evaluate,
    find_transitions,
    route_transitions,
    transition_kinds,
)
from tests.slack_stub import copy_fixture


def measure(mid: str, rag: str | None, before: str | None, *, introduced: bool = True, value: float = 1.0,
            target: float | None = 5.0) -> MeasureRating:
    previous = PeriodResult("2017-03", 2.0, None, None, target, 6.0, before) if introduced else None
    return MeasureRating(
        id=mid, title=f"Title of {mid}", section="S", unit="%", polarity="higher", decimals=1, owner=None,
        definition=None, period="2017-04", value=value, numerator=None, denominator=None, target=target,
        floor=6.0 if target is not None else None, rag=rag, previous=previous, change=None, comparators={},
        warnings=["episodes.csv row 7 child_id 'A123': bad date"],
    )


def rating(*measures: MeasureRating, scorecard: str = "cic") -> ScorecardRating:
    return ScorecardRating(scorecard, "Children in Care", "2017-04", Summary(len(measures), 0, 0, 0, 0, 0),
                           list(measures))


def test_kinds_follow_the_spec() -> None:
    assert transition_kinds("red", "amber") == (TURNED_RED, BAND_CHANGE)
    assert transition_kinds("red", "green") == (TURNED_RED, BAND_CHANGE)
    assert transition_kinds("red", "no_data") == (TURNED_RED,)
    assert transition_kinds("red", None) == (TURNED_RED,)  # not yet introduced, or unrated before
    assert transition_kinds("red", "red") == ()
    assert transition_kinds("amber", "red") == (BAND_CHANGE,)  # a recovery
    assert transition_kinds("green", "amber") == (BAND_CHANGE,)
    assert transition_kinds("amber", "amber") == ()
    assert transition_kinds("no_data", "green") == ()  # no colour now: no band change
    assert transition_kinds("green", "no_data") == ()


def test_find_transitions_in_config_order_with_aggregates_only() -> None:
    r = rating(
        measure("A", "red", "amber"),
        measure("B", "amber", "amber"),
        measure("C", "green", "red"),
        measure("D", "red", None, introduced=False),
        measure("E", None, None, target=None),  # unrated activity measure
        measure("F", "no_data", "green"),
    )
    found = find_transitions(r)
    assert [(t.measure, t.from_band, t.to_band, t.kinds) for t in found] == [
        ("A", "amber", "red", (TURNED_RED, BAND_CHANGE)),
        ("C", "red", "green", (BAND_CHANGE,)),
        ("D", "none", "red", (TURNED_RED,)),
    ]
    assert found[1].recovery and not found[0].recovery
    assert found[2].previous_period is None
    # warnings are counted, never carried: their text can name a child's row
    assert found[0].warnings == 1
    assert "A123" not in repr(found[0].to_json())
    assert Transition.from_json(found[0].to_json()) == found[0]


@dataclass
class R:
    channel: str
    when: list[str]
    scorecards: list[str] | None = None


def test_routing_by_when_and_scorecards_once_per_channel() -> None:
    r1 = find_transitions(rating(measure("A", "red", "amber"), measure("C", "green", "red")))
    r2 = find_transitions(rating(measure("A", "red", "amber"), scorecard="scs"))
    routes = [R("#dir", [TURNED_RED]), R("#an", [BAND_CHANGE], ["cic"]), R("#dir", [BAND_CHANGE])]
    routed = route_transitions(r1 + r2, routes)
    got = [(a.route, a.transition.scorecard, a.transition.measure) for a in routed]
    assert got == [
        ("#dir", "cic", "A"),  # matched by two routes to #dir: once
        ("#an", "cic", "A"),
        ("#an", "cic", "C"),
        ("#dir", "cic", "C"),
        ("#dir", "scs", "A"),  # #an takes only cic
    ]
    keys = {a.key for a in routed}
    assert len(keys) == len(routed)
    assert routed[0].key == alert_key("#dir", "cic", "A", "2017-04", "amber", "red")


def test_evaluate_the_acceptance_fixture(tmp_path: Path) -> None:
    engine = Engine.load(copy_fixture(tmp_path))
    ev = evaluate(engine, "2017-04")
    assert ev.periods == {"cic": "2017-04"}
    assert [(t.measure, t.from_band, t.to_band) for t in ev.transitions] == [
        ("CIC-RATE", "amber", "red"), ("IHA-20WD", "amber", "green"), ("RI-3WD", "amber", "green"),
    ]
    assert [(a.route, a.transition.measure) for a in ev.alerts] == [
        ("#directors", "CIC-RATE"), ("#analysts", "CIC-RATE"), ("#analysts", "IHA-20WD"), ("#analysts", "RI-3WD"),
    ]
    rate = ev.transitions[0]
    assert (rate.value, rate.target, rate.floor, rate.previous_value, rate.unit) == (12.5, 9.0, 11.0, 10.0,
                                                                                    "per 10,000")
    # the default period is the latest with data
    latest = evaluate(engine)
    assert latest.periods == {"cic": engine.latest_period()}
