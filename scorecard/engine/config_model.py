"""The config (SPEC section 2), declared once: these pydantic models are what `config.toml` may
say AND what the engine reads.

The first pass (pydantic, `config.py`) checks structure: keys, types, allowed words. The second
pass (`config_datasets.py`, `config_measures.py`, `config_alerts.py`) checks the models against
each other: names that must exist, SQL, targets, dataset kinds. What the second pass works out
(a dataset's schema, where each column comes from) is kept on the model, read through properties.
What a model can work out from its own keys (a dataset's kind, a measure's default decimals and
unit, its target in a month) is a property or a default computed from the keys before it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator

from .calendar import WORKING_DAY_CALENDARS, is_period, month_number
from .config_explain import EXPLAIN_ROOT_KEYS, ExplainConfig
from .names import channel_name

WINDOWS = ("month", "snapshot", "ytd", "rolling12")
CALCS = ("count", "percent", "mean", "median", "sum", "rate", "value")
COLUMN_TYPES = ("str", "int", "float", "bool", "date")
DERIVE_KINDS = ("sql", "days", "working_days", "add_days", "add_working_days", "add_months", "years")
ALERT_KINDS = ("turned_red", "band_change", "data_stale", "restated")
PERIOD_PARAMS = ("@snapshot", "@period_end")
_JOIN_ON = re.compile(r"^\s*([A-Za-z_][\w]*)\s*=\s*([A-Za-z_][\w]*)\s*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


def _period(value: str | None) -> str | None:
    if value is not None and not is_period(value):
        raise ValueError(f"{value!r} is not a period (YYYY-MM)")
    return value


def _date_format(value: str | None) -> str | None:
    """A `date_format` must read back the dates it writes (2017-03-09, 2016-12-31): `%Q-%K`, or a
    format without day, month or year, would make every date in the file a bad one."""
    if value is None:
        return value
    samples = [dt.date(2017, 3, 9), dt.date(2016, 12, 31)]
    try:
        written = [d.strftime(value) for d in samples]
        read = pl.Series(written).str.to_date(value, strict=True).to_list()
    except Exception:
        read = None
    if read != samples:
        raise ValueError(f"{value!r} cannot read a date back (it needs day, month and year: "
                         "strftime codes such as %d/%m/%Y)")
    return value


def _day(value: str | None) -> str | None:
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


# -- organisation, data -------------------------------------------------------------------
class Organisation(Strict):
    name: str
    timezone: str = "Europe/London"
    financial_year_start_month: int = Field(default=4, ge=1, le=12)
    working_days: str = "england-and-wales"
    low_base: int = Field(default=5, ge=0)

    @field_validator("working_days")
    @classmethod
    def _known_calendar(cls, v: str) -> str:
        if v not in WORKING_DAY_CALENDARS:
            raise ValueError(
                f"unknown working-days calendar {v!r}; use one of " + ", ".join(WORKING_DAY_CALENDARS)
            )
        return v


class Data(Strict):
    dir: str = "."


class Comparators(Strict):
    file: str


# -- datasets -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str
    type: str  # one of COLUMN_TYPES once the second pass has passed the dataset
    nullable: bool


class Join(Strict):
    dataset: str
    on: str

    @property
    def sides(self) -> tuple[str, str] | None:
        """(this dataset's column, the joined dataset's column), or None when `on` is not `a = b`."""
        match = _JOIN_ON.match(self.on)
        return (match.group(1), match.group(2)) if match else None

    @property
    def left(self) -> str:
        sides = self.sides
        assert sides is not None, "a dataset with a malformed join does not pass the second pass"
        return sides[0]

    @property
    def right(self) -> str:
        sides = self.sides
        assert sides is not None, "a dataset with a malformed join does not pass the second pass"
        return sides[1]


class Derive(Strict):
    name: str
    sql: str | None = None
    days: list[str] | None = None
    working_days: list[str] | None = None
    add_days: list[str | int] | None = None
    add_working_days: list[str | int] | None = None
    add_months: list[str | int] | None = None
    years: list[str] | None = None

    @property
    def kinds(self) -> list[str]:
        """The kinds given: exactly one in a config that passes."""
        return [k for k in DERIVE_KINDS if getattr(self, k) is not None]

    @property
    def kind(self) -> str:
        return self.kinds[0]

    @property
    def args(self) -> tuple[Any, ...]:
        """The [from, to] / [from, n] pair; () for sql."""
        return () if self.kind == "sql" else tuple(getattr(self, self.kind))

    @property
    def inputs(self) -> tuple[str, ...]:
        """The columns it reads (no @ parameters)."""
        if self.kind == "sql":
            from .config_sql import sql_columns

            return tuple(sorted(sql_columns(self.sql or "")))
        return tuple(a for a in self.args if isinstance(a, str) and a not in PERIOD_PARAMS)


class Dataset(Strict):
    file: str
    date: str | None = None
    start: str | None = None
    end: str | None = None
    period: str | None = None
    declared_columns: dict[str, str] = Field(alias="columns")
    unique: list[str] = Field(default_factory=list)
    date_format: str | None = None
    joins: list[Join] = Field(default_factory=list, alias="join")
    derives: list[Derive] = Field(default_factory=list, alias="derive")
    # coverage (SPEC section 7): the first month its data is complete for; the day of its extract
    covers_from: str | None = None
    as_at: str | None = None
    stale_after_days: int | None = Field(default=None, ge=0)  # data_stale alerts; None: [alerts]'s

    _check_date_format = field_validator("date_format")(classmethod(lambda cls, v: _date_format(v)))

    _check_covers_from = field_validator("covers_from")(classmethod(lambda cls, v: _period(v)))
    _check_as_at = field_validator("as_at")(classmethod(lambda cls, v: _day(v)))
    _name: str = PrivateAttr(default="")
    _schema: dict[str, pl.DataType] = PrivateAttr(default_factory=dict)
    _sources: dict[str, set[tuple[str, str]]] = PrivateAttr(default_factory=dict)

    def named(self, name: str) -> Dataset:
        self._name = name
        return self

    def resolved(self, schema: dict[str, pl.DataType], sources: dict[str, set[tuple[str, str]]]) -> Dataset:
        """Record what the second pass worked out from the joins and derives."""
        self._schema, self._sources = schema, sources
        return self

    @property
    def name(self) -> str:
        return self._name

    @property
    def schema(self) -> dict[str, pl.DataType]:
        """Every column a measure can use: declared, joined and derived."""
        return self._schema

    @property
    def sources(self) -> dict[str, set[tuple[str, str]]]:
        """Column -> the (dataset, declared column) pairs it is made from."""
        return self._sources

    @cached_property
    def columns(self) -> dict[str, Column]:
        return {c: Column(c, t.removesuffix("?"), t.endswith("?")) for c, t in self.declared_columns.items()}

    @property
    def kind(self) -> str:
        """event | spell | snapshot | lookup"""
        if self.date:
            return "event"
        if self.start:
            return "spell"
        if self.period:
            return "snapshot"
        return "lookup"

    @property
    def window_columns(self) -> list[str]:
        return [c for c in (self.date, self.start, self.end, self.period) if c]

    @property
    def covers_from_month(self) -> int | None:
        """`covers_from` as an absolute month; None: no lower limit."""
        return month_number(self.covers_from) if self.covers_from else None

    @property
    def as_at_date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.as_at) if self.as_at else None

    @cached_property
    def period_dependent(self) -> set[str]:
        """Derived columns whose value depends on the period being rated (`@snapshot`, `@period_end`)."""
        out: set[str] = set()
        for d in self.derives:
            if d.kinds and (any(a in PERIOD_PARAMS for a in d.args if isinstance(a, str)) or set(d.inputs) & out):
                out.add(d.name)
        return out

    @property
    def static_derives(self) -> list[Derive]:
        return [d for d in self.derives if d.name not in self.period_dependent]

    @property
    def period_derives(self) -> list[Derive]:
        return [d for d in self.derives if d.name in self.period_dependent]


class Cohort(Strict):
    label: str
    where: str

    _id: str = PrivateAttr(default="")

    def named(self, cohort_id: str) -> Cohort:
        self._id = cohort_id
        return self

    @property
    def id(self) -> str:
        return self._id


# -- scorecards and measures ------------------------------------------------------------------
class ScorecardDef(Strict):
    id: str
    title: str
    description: str | None = None


class TargetStep(Strict):
    from_: str = Field(alias="from")
    target: float = Field(allow_inf_nan=False)
    floor: float = Field(allow_inf_nan=False)

    _check_from = field_validator("from_")(classmethod(lambda cls, v: _period(v)))

    @property
    def from_month(self) -> int:
        return month_number(self.from_)


class Measure(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    section: str
    scorecards: list[str]
    dataset: str
    window: Literal["month", "snapshot", "ytd", "rolling12"]
    calc: Literal["count", "percent", "mean", "median", "sum", "rate", "value"]
    where: str | None = None
    numerator: str | None = None
    # a value measure reads the column `value` unless told otherwise
    value: str | None = Field(default_factory=lambda keys: "value" if keys.get("calc") == "value" else None)
    per: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    population: str | None = None
    distinct: str | None = None
    polarity: Literal["higher", "lower"] | None = None
    target: float | None = Field(default=None, allow_inf_nan=False)  # inf or nan: a config error, not a band
    floor: float | None = Field(default=None, allow_inf_nan=False)
    targets: list[TargetStep] = Field(default_factory=list)
    decimals: int = Field(default_factory=lambda keys: 0 if keys.get("calc") == "count" else 1, ge=0)
    unit: str | None = Field(default_factory=lambda keys: "%" if keys.get("calc") == "percent" else None)
    breakdowns: list[str] = Field(default_factory=list)
    owner: str | None = None
    definition: str | None = None
    notes: str | None = None
    spc_screen_outliers: bool = False
    introduced: str | None = None
    retired: str | None = None

    _check_periods = field_validator("introduced", "retired")(classmethod(lambda cls, v: _period(v)))

    def targets_at(self, month: int) -> tuple[float | None, float | None]:
        """Target and floor in force in `month`: the measure's own, then each step from its month."""
        target, floor = self.target, self.floor
        for step in self.targets:
            if step.from_month <= month:
                target, floor = step.target, step.floor
        return target, floor

    @property
    def ever_rated(self) -> bool:
        return self.target is not None or any(s.target is not None for s in self.targets)

    @cached_property
    def span(self) -> tuple[int | None, int | None]:
        """The first and last months it is on the scorecard (None: no limit)."""
        return (month_number(self.introduced) if self.introduced else None,
                month_number(self.retired) if self.retired else None)

    def active(self, month: int) -> bool:
        introduced, retired = self.span
        if introduced is not None and month < introduced:
            return False
        return not (retired is not None and month > retired)


# -- alerts ---------------------------------------------------------------------------------
def _channel(value: str) -> str:
    if not value.strip().lstrip("#").strip():
        raise ValueError("is empty: name a Slack channel (#name, or its id)")
    return channel_name(value)  # one spelling, so that the outbox's history sees one channel


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Route(Strict):
    channel: str

    _check_channel = field_validator("channel")(classmethod(lambda cls, v: _channel(v)))
    when: Annotated[list[str], BeforeValidator(_one_or_many)]
    scorecards: list[str] | None = None


class Alerts(Strict):
    schedule: str | None = None
    state: str = "data/state.db"
    routes: list[Route] = Field(default_factory=list)
    stale_after_days: int = Field(default=45, ge=0)  # data_stale alerts (SPEC section 7)


# -- the whole file ---------------------------------------------------------------------------
@dataclass
class Config:
    """The parts of a config that passed both passes, with the paths resolved against its file."""

    path: Path
    organisation: Organisation
    data_dir: Path
    datasets: dict[str, Dataset]
    cohorts: dict[str, Cohort]
    comparators_file: str | None
    scorecards: list[ScorecardDef]
    measures: list[Measure]
    alerts: Alerts | None
    explain: ExplainConfig = field(default_factory=ExplainConfig)  # issue 16: config_explain.py

    @property
    def state_path(self) -> Path:
        state = self.alerts.state if self.alerts is not None else Alerts().state
        return (self.path.parent / state).resolve()

    def measure(self, measure_id: str) -> Measure:
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)

    def scorecard(self, scorecard_id: str | None) -> ScorecardDef:
        if scorecard_id is None:
            return self.scorecards[0]
        for s in self.scorecards:
            if s.id == scorecard_id:
                return s
        raise KeyError(scorecard_id)


# The root keys of config.toml, each validated on its own so one broken part hides no other.
ROOT_KEYS = ("organisation", "data", "datasets", "cohorts", "comparators", "scorecards", "measures", "alerts",
             *EXPLAIN_ROOT_KEYS)
