"""The second pass over `[[scorecards]]` and `[[measures]]`: ids once each, scorecards and
datasets that exist, keys that belong to the calc, SQL over the dataset's schema, targets on the
right side of their floors, windows and calcs the dataset's kind allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from .calendar import month_number
from .config_model import Dataset, Measure, ScorecardDef
from .config_problems import Problems
from .config_sql import sql_problem

Bad = Callable[[str, str], None]


def check_scorecards(declared: list[ScorecardDef | None], problems: Problems) -> list[ScorecardDef]:
    if not declared:
        problems.add("scorecards", "at least one [[scorecards]] is needed")
    return [s for _, s in _first_of_each_id("scorecards", "scorecard", declared, problems)]


def _first_of_each_id(key: str, noun: str, declared: list[Any], problems: Problems,
                      ignore_case: bool = False) -> list[tuple[int, Any]]:
    """(index, part) of the parts that passed the first pass, a duplicate id reported and left out.
    `ignore_case`: ids that differ only by case are the same id (measure ids are matched so)."""
    out: list[tuple[int, Any]] = []
    seen: dict[str, str] = {}
    for i, part in enumerate(declared):
        if part is None:
            continue
        folded = part.id.casefold() if ignore_case else part.id
        if folded in seen:
            other = seen[folded]
            same = "" if other == part.id else f" (ids are matched without regard to case: {other!r} is the same id)"
            problems.add(f"{key}[{i}].id", f"duplicate {noun} id {part.id!r}{same}", part.id)
            continue
        seen[folded] = part.id
        out.append((i, part))
    return out


def check_measures(declared: list[Measure | None], datasets: dict[str, Dataset | None],
                   dataset_kinds: dict[str, str], scorecard_ids: set[str], problems: Problems) -> list[Measure]:
    """The measures with no problems. `dataset_kinds` holds the kind of every dataset whose keys
    have the right types, even one with other problems: a window its kind does not allow is
    reported in the same run as the dataset's own problems."""
    out: list[Measure] = []
    for i, m in _first_of_each_id("measures", "measure", declared, problems, ignore_case=True):
        before = len(problems.items)
        _check_measure(i, m, datasets, dataset_kinds, scorecard_ids, problems)
        if len(problems.items) == before:
            out.append(m)
    return out


def _check_measure(i: int, m: Measure, datasets: dict[str, Dataset | None], dataset_kinds: dict[str, str],
                   scorecard_ids: set[str], problems: Problems) -> None:
    base = f"measures[{i}]"

    def bad(key: str, message: str) -> None:
        problems.add(f"{base}.{key}" if key else base, message, m.id)

    for j, s in enumerate(m.scorecards):
        if s not in scorecard_ids:
            bad(f"scorecards[{j}]", f"unknown scorecard {s!r}")
    if not m.scorecards:
        bad("scorecards", "name at least one scorecard")

    _check_targets(m, bad)  # they need no dataset

    if m.dataset not in datasets:
        bad("dataset", f"unknown dataset {m.dataset!r}")
    elif m.dataset in dataset_kinds:
        _check_against_kind(m, m.dataset, dataset_kinds[m.dataset], bad)
        if (ds := datasets[m.dataset]) is not None and ds.kind != "lookup":  # else its own problems are reported
            _check_against_schema(m, ds, datasets, bad)

    needs = {"percent": "numerator", "mean": "value", "median": "value", "sum": "value"}
    if m.calc in needs and getattr(m, needs[m.calc]) is None:
        bad("", f"calc {m.calc} needs a {needs[m.calc]}")
    if m.numerator is not None and m.calc != "percent":
        bad("numerator", f"numerator is for calc percent, not {m.calc}")
    if "value" in m.model_fields_set and m.calc not in ("mean", "median", "sum", "value"):
        bad("value", f"value is for calc mean, median, sum or value, not {m.calc}")
    if m.calc == "rate":
        if m.per is None:
            bad("", "calc rate needs per (e.g. per = 10000)")
        if m.population is None:
            bad("", "calc rate needs a population dataset")
    elif m.per is not None or m.population is not None:
        bad("per" if m.per is not None else "population", f"per and population are for calc rate, not {m.calc}")
    if m.distinct is not None and m.calc not in ("count", "percent", "rate"):
        bad("distinct", f"distinct is for calc count, percent or rate, not {m.calc}")
    if m.calc == "value" and m.window not in ("month", "snapshot"):
        bad("window", f"a value measure takes window month or snapshot, not {m.window}")
    if m.introduced and m.retired and month_number(m.introduced) > month_number(m.retired):
        bad("retired", f"retired {m.retired} is before introduced {m.introduced}")


def _check_targets(m: Measure, bad: Bad) -> None:
    if (m.target is None) != (m.floor is None):
        bad("floor" if m.floor is None else "target", "give both target and floor, or neither (an unrated measure)")
    pairs: list[tuple[str, float | None, float | None]] = [("", m.target, m.floor)]
    pairs += [(f"targets[{k}].", s.target, s.floor) for k, s in enumerate(m.targets)]
    if m.ever_rated and m.polarity is None:
        bad("polarity", "a rated measure needs polarity = \"higher\" or \"lower\"")
    for prefix, target, floor in pairs:
        if target is None or floor is None or m.polarity is None:
            continue
        if m.polarity == "higher" and floor > target:
            bad(f"{prefix}floor", f"floor {floor:g} is above target {target:g}, but higher is better")
        if m.polarity == "lower" and floor < target:
            bad(f"{prefix}floor", f"floor {floor:g} is below target {target:g}, but lower is better")
    months = [s.from_month for s in m.targets]
    if months != sorted(months) or len(set(months)) != len(months):
        bad("targets", "steps must be in order of from, each period once")


def _check_against_kind(m: Measure, name: str, kind: str, bad: Bad) -> None:
    if kind == "lookup":
        bad("dataset", f"dataset {name!r} has no date, start or period: a lookup table can be joined, not counted")
        return
    if m.window == "snapshot" and kind == "event":
        bad("window", f"window snapshot is not allowed on event dataset {name!r}; use month, ytd or rolling12")
    if m.calc == "value" and kind != "snapshot":
        bad("calc", f"calc value needs a snapshot dataset (period column); {name!r} is an {kind} dataset")


def _check_against_schema(m: Measure, ds: Dataset, datasets: dict[str, Dataset | None], bad: Bad) -> None:
    for key, boolean in (("where", True), ("numerator", True), ("value", False)):
        text = getattr(m, key)
        if text is None:
            continue
        if m.calc == "value" and key == "value":
            if "value" not in m.model_fields_set and text not in ds.schema:
                bad("dataset", f"calc value reads a column named value, which {ds.name!r} does not declare")
            elif text not in ds.schema:
                bad(key, f"unknown column {text!r} in dataset {ds.name!r}")
            continue
        dtype, err = sql_problem(text, ds.schema, boolean)
        if err:
            bad(key, err)
        elif key == "value" and dtype is not None and not dtype.is_numeric() and dtype != pl.Boolean:
            bad(key, f"value must be a number, but gives {dtype}: {text}")
    if m.distinct is not None and m.distinct not in ds.schema:
        bad("distinct", f"unknown column {m.distinct!r} in dataset {ds.name!r}")
    for j, b in enumerate(m.breakdowns):
        if b not in ds.schema:
            bad(f"breakdowns[{j}]", f"unknown column {b!r} in dataset {ds.name!r}")
    if m.population is not None:
        pop = datasets.get(m.population)
        if m.population not in datasets:
            bad("population", f"unknown dataset {m.population!r}")
        elif (pop is not None and pop.kind != "snapshot") or (pop is not None and "value" not in pop.schema):
            bad("population", f"population dataset {m.population!r} must be a snapshot dataset (period) with a value column")
