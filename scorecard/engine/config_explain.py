"""The config of the explanations a paper writes by hand (issue 16; docs/spec-extensions.md).

Kept apart from `config.py`: the measure keys read here (`thresholds`, `duration`, `duration_unit`,
`outside_by`, `parts`) are taken out of each `[[measures]]` table before the SPEC's keys are
validated, and checked here against the measure they belong to, with the same one-line problems
(`measures[3].thresholds (ADO-A2): ...`). The root tables `[breakdowns.COLUMN]` (headings, code
labels and group order) and `[report]` (classification, significance share) are read here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from .config_model import Dataset, Measure
    from .config_problems import Problems

MEASURE_KEYS = ("thresholds", "duration", "duration_unit", "outside_by", "parts")
EXPLAIN_ROOT_KEYS = ("breakdowns", "report")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class MeasureExplainModel(_Strict):
    thresholds: list[float] = Field(default_factory=list)
    duration: str | None = None
    duration_unit: str | None = None
    outside_by: list[str] = Field(default_factory=list)
    parts: list[str] = Field(default_factory=list)


class BreakdownModel(_Strict):
    heading: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    order: list[str] = Field(default_factory=list)


class ReportModel(_Strict):
    classification: Literal["Unrestricted", "Restricted"] = "Restricted"
    significant_share: float = Field(default=1.0, ge=0)


@dataclass(frozen=True)
class MeasureExplain:
    """A measure's explanation options (all empty: nothing beyond the SPEC's drill-down)."""

    thresholds: tuple[float, ...] = ()
    duration: str | None = None  # numeric SQL over the measure's dataset; empty: not yet done
    duration_unit: str | None = None
    outside_by: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()  # measure ids this (activity) total splits into


@dataclass(frozen=True)
class BreakdownStyle:
    """How a breakdown column reads: its heading, a label per code, and the order of its groups."""

    column: str
    heading: str
    labels: dict[str, str] = field(default_factory=dict)
    order: tuple[str, ...] = ()

    def label(self, code: Any) -> str | None:
        if code is None:
            return None
        text = _code_text(code)
        return self.labels.get(text, text)

    def sort_key(self, code: Any) -> tuple[int, int, str]:
        """Declared codes first in their order, then the rest by name, the empty group last."""
        if code is None:
            return (2, 0, "")
        text = _code_text(code)
        if text in self.order:
            return (0, self.order.index(text), "")
        return (1, 0, text)


def _code_text(code: Any) -> str:
    if isinstance(code, bool):
        return "true" if code else "false"
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


@dataclass(frozen=True)
class ExplainConfig:
    measures: dict[str, MeasureExplain] = field(default_factory=dict)
    breakdowns: dict[str, BreakdownStyle] = field(default_factory=dict)
    classification: str = "Restricted"
    significant_share: float = 1.0

    def of(self, measure_id: str) -> MeasureExplain:
        return self.measures.get(measure_id, MeasureExplain())

    def style(self, column: str) -> BreakdownStyle:
        """The column's style; without a `[breakdowns.COLUMN]` table, its name as words."""
        return self.breakdowns.get(column) or BreakdownStyle(column, column.replace("_", " "))

    @property
    def public(self) -> bool:
        return self.classification == "Unrestricted"


def take_measure_keys(raw: dict[str, Any]) -> list[tuple[Any, dict[str, Any]]]:
    """Each `[[measures]]` table's id and explanation keys, the keys taken out of `raw["measures"]`
    (a new list of new tables), so the SPEC's measure model never sees them."""
    taken: list[tuple[Any, dict[str, Any]]] = []
    measures = raw.get("measures")
    if not isinstance(measures, list):
        return taken
    kept = []
    for body in measures:
        if isinstance(body, dict):
            taken.append((body.get("id"), {k: body[k] for k in MEASURE_KEYS if k in body}))
            kept.append({k: v for k, v in body.items() if k not in MEASURE_KEYS})
        else:
            taken.append((None, {}))
            kept.append(body)
    raw["measures"] = kept
    return taken


def build_explain_config(raw: dict[str, Any], taken: list[tuple[Any, dict[str, Any]]], measures: list[Measure],
                         datasets: dict[str, Dataset | None], problems: Problems) -> ExplainConfig:
    """The second pass over the explanation keys, against the measures that passed theirs."""
    from .config_sql import sql_problem

    out: dict[str, MeasureExplain] = {}
    by_id = {m.id: m for m in measures}
    seen: set[Any] = set()
    for i, (mid, keys) in enumerate(taken):
        m = by_id.get(mid) if isinstance(mid, str) and mid not in seen else None
        seen.add(mid)
        if not keys or m is None:
            continue  # a measure with problems of its own (or a repeated id) has them reported already
        model = problems.validate(MeasureExplainModel, keys, ("measures", i), m.id)
        if model is None:
            continue
        ds = datasets.get(m.dataset)

        def bad(key: str, message: str, i: int = i, m: Measure = m) -> None:
            problems.add(f"measures[{i}].{key}", message, m.id)

        duration = model.duration
        if duration is None and m.calc in ("mean", "median") and model.thresholds:
            duration = m.value
        if model.thresholds and m.calc == "value":
            bad("thresholds", "a value measure reads one figure per period, with no rows to time: thresholds need "
                "a measure counted from rows")
        elif model.thresholds and duration is None:
            bad("thresholds", "thresholds need the measure's duration: give duration (a number of days, "
                "working days or months per row), or use them on a mean or median of durations")
        if duration is not None and ds is not None:
            dtype, err = sql_problem(duration, ds.schema, boolean=False)
            if err:
                bad("duration", err)
            elif dtype is not None and not dtype.is_numeric():
                bad("duration", f"duration must be a number, but gives {dtype}: {duration}")
        if model.duration is not None and not model.thresholds:
            bad("duration", "duration is read by thresholds; give thresholds = [...] too")
        if list(model.thresholds) != sorted(set(model.thresholds)):
            bad("thresholds", "thresholds must be in increasing order, each once")
        if model.outside_by and m.calc != "percent":
            bad("outside_by", f"outside_by breaks down the rows outside the numerator: it needs calc percent, not {m.calc}")
        for j, col in enumerate(model.outside_by):
            if ds is not None and col not in ds.schema:
                bad(f"outside_by[{j}]", f"unknown column {col!r} in dataset {ds.name!r}")
        for j, pid in enumerate(model.parts):
            part = by_id.get(pid)
            if part is None:
                bad(f"parts[{j}]", f"unknown measure {pid!r}")
            elif pid == m.id:
                bad(f"parts[{j}]", "a measure cannot be a part of itself")
            elif part.calc != "count" or m.calc != "count":
                bad(f"parts[{j}]", f"parts split a count into counts; {m.id} is {m.calc} and {pid} is {part.calc}")
        out[m.id] = MeasureExplain(tuple(model.thresholds), duration, model.duration_unit,
                                   tuple(model.outside_by), tuple(model.parts))

    styles: dict[str, BreakdownStyle] = {}
    table = raw.get("breakdowns", {})
    if not isinstance(table, dict):
        problems.add("breakdowns", f"must be a table of [breakdowns.COLUMN] tables, not {type(table).__name__}")
        table = {}
    broken_down = {b for m in measures for b in m.breakdowns} | {c for e in out.values() for c in e.outside_by}
    for column, body in table.items():
        model = problems.validate(BreakdownModel, body, ("breakdowns", column), column)
        if model is None:
            continue
        if column not in broken_down:
            problems.add(f"breakdowns.{column}", f"no measure breaks down by {column!r} (breakdowns or "
                         "outside_by), so its labels would show nowhere", column)
            continue
        if len(set(model.order)) != len(model.order):
            problems.add(f"breakdowns.{column}.order", "each code once", column)
        styles[column] = BreakdownStyle(column, model.heading or column.replace("_", " "), dict(model.labels),
                                        tuple(model.order))

    report = problems.validate(ReportModel, raw.get("report", {}), ("report",)) or ReportModel()
    return ExplainConfig(out, styles, report.classification, report.significant_share)
