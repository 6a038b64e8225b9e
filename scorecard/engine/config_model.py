"""The shape of `config.toml` (SPEC section 2), as pydantic models.

Only structure lives here: keys, types and allowed words. Whether names refer to things that
exist, and whether SQL parses, is checked in `config.py`, which turns these models into the
engine's `Config`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .calendar import WORKING_DAY_CALENDARS, is_period

WINDOWS = ("month", "snapshot", "ytd", "rolling12")
CALCS = ("count", "percent", "mean", "median", "sum", "rate", "value")
COLUMN_TYPES = ("str", "int", "float", "bool", "date")
DERIVE_KINDS = ("sql", "days", "working_days", "add_days", "add_working_days", "add_months", "years")
ALERT_KINDS = ("turned_red", "band_change", "data_stale", "restated")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


def _period(value: str | None) -> str | None:
    if value is not None and not is_period(value):
        raise ValueError(f"{value!r} is not a period (YYYY-MM)")
    return value


def _day(value: str | None) -> str | None:
    if value is not None:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return value


class OrganisationModel(Strict):
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


class DataModel(Strict):
    dir: str = "."


class JoinModel(Strict):
    dataset: str
    on: str


class DeriveModel(Strict):
    name: str
    sql: str | None = None
    days: list[str] | None = None
    working_days: list[str] | None = None
    add_days: list[str | int] | None = None
    add_working_days: list[str | int] | None = None
    add_months: list[str | int] | None = None
    years: list[str] | None = None


class DatasetModel(Strict):
    file: str
    date: str | None = None
    start: str | None = None
    end: str | None = None
    period: str | None = None
    columns: dict[str, str]
    unique: list[str] | None = None
    date_format: str | None = None
    join: list[JoinModel] = Field(default_factory=list)
    derive: list[DeriveModel] = Field(default_factory=list)
    # coverage (SPEC section 7): the first month the data is complete for, the day of the extract
    covers_from: str | None = None
    as_at: str | None = None
    stale_after_days: int | None = Field(default=None, ge=0)

    _check_covers_from = field_validator("covers_from")(classmethod(lambda cls, v: _period(v)))
    _check_as_at = field_validator("as_at")(classmethod(lambda cls, v: _day(v)))

    @field_validator("columns")
    @classmethod
    def _known_types(cls, v: dict[str, str]) -> dict[str, str]:
        bad = [f"{k} = {t!r}" for k, t in v.items() if t.removesuffix("?") not in COLUMN_TYPES]
        if bad:
            raise ValueError(
                "unknown column type in " + ", ".join(bad) + "; use str, int, float, bool or date "
                "(with ? when the value may be empty)"
            )
        return v


class CohortModel(Strict):
    label: str
    where: str


class ComparatorsModel(Strict):
    file: str


class ScorecardModel(Strict):
    id: str
    title: str
    description: str | None = None


class TargetStepModel(Strict):
    from_: str = Field(alias="from")
    target: float
    floor: float

    _check_from = field_validator("from_")(classmethod(lambda cls, v: _period(v)))


class MeasureModel(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    section: str
    scorecards: list[str]
    dataset: str
    window: Literal["month", "snapshot", "ytd", "rolling12"]
    calc: Literal["count", "percent", "mean", "median", "sum", "rate", "value"]
    where: str | None = None
    numerator: str | None = None
    value: str | None = None
    per: float | None = Field(default=None, gt=0)
    population: str | None = None
    distinct: str | None = None
    polarity: Literal["higher", "lower"] | None = None
    target: float | None = None
    floor: float | None = None
    targets: list[TargetStepModel] = Field(default_factory=list)
    decimals: int | None = Field(default=None, ge=0, le=6)
    unit: str | None = None
    breakdowns: list[str] = Field(default_factory=list)
    owner: str | None = None
    definition: str | None = None
    notes: str | None = None
    spc_screen_outliers: bool = False
    introduced: str | None = None
    retired: str | None = None

    _check_periods = field_validator("introduced", "retired")(classmethod(lambda cls, v: _period(v)))


class RouteModel(Strict):
    channel: str
    when: str | list[str]
    scorecards: list[str] | None = None


class AlertsModel(Strict):
    schedule: str | None = None
    state: str = "data/state.db"
    stale_after_days: int = Field(default=45, ge=0)
    routes: list[RouteModel] = Field(default_factory=list)
