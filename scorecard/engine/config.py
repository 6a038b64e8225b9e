"""Reading and validating `config.toml` (SPEC section 2).

`load_config` returns a `Config` or raises `ConfigError` holding *every* problem found, each a
one-line sentence that starts with the file and the TOML key path (indices from 0) and names
the measure's or dataset's id. Structure is checked by pydantic (`config_model.py`), one part
at a time so that one broken measure does not hide another's mistakes; names, SQL and targets
are checked here.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import tomli
from pydantic import BaseModel, ValidationError

from .calendar import month_number
from .config_explain import EXPLAIN_ROOT_KEYS, ExplainConfig, build_explain_config, take_measure_keys
from .config_model import (
    ALERT_KINDS,
    DERIVE_KINDS,
    AlertsModel,
    CohortModel,
    ComparatorsModel,
    DataModel,
    DatasetModel,
    DeriveModel,
    MeasureModel,
    OrganisationModel,
    ScorecardModel,
)

PERIOD_PARAMS = ("@snapshot", "@period_end")
SNAPSHOT_COL = "__snapshot"
PERIOD_END_COL = "__period_end"
TYPE_DTYPES: dict[str, pl.DataType] = {
    "str": pl.String(),
    "int": pl.Int64(),
    "float": pl.Float64(),
    "bool": pl.Boolean(),
    "date": pl.Date(),
}
ROOT_KEYS = ("organisation", "data", "datasets", "cohorts", "comparators", "scorecards", "measures", "alerts",
             *EXPLAIN_ROOT_KEYS)


class ConfigError(Exception):
    """Every problem found in a config, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# --------------------------------------------------------------------------------------
# The validated config
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    name: str
    type: str  # str | int | float | bool | date
    nullable: bool


@dataclass(frozen=True)
class Join:
    dataset: str
    left: str
    right: str


@dataclass(frozen=True)
class Derive:
    name: str
    kind: str  # one of DERIVE_KINDS
    args: tuple[Any, ...]  # the [from, to] / [from, n] pair; () for sql
    sql: str | None
    period_dependent: bool
    inputs: tuple[str, ...]  # columns it reads (no @ parameters)


@dataclass
class Dataset:
    name: str
    file: str
    kind: str  # event | spell | snapshot | lookup
    date: str | None
    start: str | None
    end: str | None
    period: str | None
    columns: dict[str, Column]
    unique: list[str]
    date_format: str | None
    joins: list[Join]
    derives: list[Derive]
    schema: dict[str, pl.DataType] = field(default_factory=dict)  # every column a measure can use
    period_dependent: set[str] = field(default_factory=set)
    sources: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # column -> declared columns

    @property
    def window_columns(self) -> list[str]:
        return [c for c in (self.date, self.start, self.end, self.period) if c]

    @property
    def static_derives(self) -> list[Derive]:
        return [d for d in self.derives if not d.period_dependent]

    @property
    def period_derives(self) -> list[Derive]:
        return [d for d in self.derives if d.period_dependent]


@dataclass(frozen=True)
class TargetStep:
    from_month: int  # absolute month number; the measure's own target/floor apply from -inf
    target: float | None
    floor: float | None


@dataclass
class Measure:
    id: str
    title: str
    section: str
    scorecards: list[str]
    dataset: str
    window: str
    calc: str
    where: str | None
    numerator: str | None
    value: str | None
    per: float | None
    population: str | None
    distinct: str | None
    polarity: str | None
    steps: list[TargetStep]
    decimals: int
    unit: str | None
    breakdowns: list[str]
    owner: str | None
    definition: str | None
    notes: str | None
    spc_screen_outliers: bool
    introduced: int | None
    retired: int | None
    index: int

    def targets_at(self, month: int) -> tuple[float | None, float | None]:
        target: float | None = None
        floor: float | None = None
        for step in self.steps:
            if step.from_month <= month:
                target, floor = step.target, step.floor
        return target, floor

    @property
    def ever_rated(self) -> bool:
        return any(s.target is not None for s in self.steps)

    def active(self, month: int) -> bool:
        if self.introduced is not None and month < self.introduced:
            return False
        return not (self.retired is not None and month > self.retired)


@dataclass(frozen=True)
class Cohort:
    id: str
    label: str
    where: str


@dataclass(frozen=True)
class ScorecardDef:
    id: str
    title: str
    description: str | None


@dataclass(frozen=True)
class Route:
    channel: str
    when: list[str]
    scorecards: list[str] | None


@dataclass(frozen=True)
class AlertsConfig:
    schedule: str | None
    state: Path
    routes: list[Route]


@dataclass(frozen=True)
class Organisation:
    name: str
    timezone: str
    financial_year_start_month: int
    working_days: str
    low_base: int


@dataclass
class Config:
    path: Path
    organisation: Organisation
    data_dir: Path
    datasets: dict[str, Dataset]
    cohorts: dict[str, Cohort]
    comparators_file: str | None
    scorecards: list[ScorecardDef]
    measures: list[Measure]
    alerts: AlertsConfig | None
    explain: ExplainConfig = field(default_factory=ExplainConfig)  # issue 16: config_explain.py

    @property
    def state_path(self) -> Path:
        if self.alerts is not None:
            return self.alerts.state
        return (self.path.parent / "data" / "state.db").resolve()

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


# --------------------------------------------------------------------------------------
# Problems, with the key path and the id of what they are about
# --------------------------------------------------------------------------------------
def key_path(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class Problems:
    def __init__(self, file_name: str):
        self.file_name = file_name
        self.items: list[str] = []

    def add(self, path: str, message: str, about: str | None = None) -> None:
        label = f" ({about})" if about else ""
        self.items.append(f"{self.file_name}: {path}{label}: {message}")

    def from_validation(self, prefix: tuple[Any, ...], error: ValidationError, about: str | None) -> None:
        """One problem per TOML key: pydantic's union-branch tags (`str`, `int`, `function-...`) are
        not keys, so they are dropped and the branches' messages joined with "or"."""
        by_path: dict[str, list[str]] = {}
        for e in error.errors():
            loc = prefix + tuple(p for p in e["loc"] if not _is_union_tag(p))
            kind = e["type"]
            if kind == "extra_forbidden":
                message = "unknown key"
            elif kind == "missing":
                message = "required key is missing"
            else:
                message = e["msg"].removeprefix("Value error, ")
            messages = by_path.setdefault(key_path(loc), [])
            if kind.endswith("_type") or kind in ("literal_error", "string_pattern_mismatch"):
                got = f" (got {e['input']!r})"
                if messages and messages[-1].endswith(got):
                    messages[-1] = messages[-1].removesuffix(got) + " or " + message.removeprefix("Input should be ") + got
                    continue
                message += got
            if message not in messages:
                messages.append(message)
        for path, messages in by_path.items():
            for message in messages:
                self.add(path, message, about)


_UNION_TAGS = {"str", "int", "float", "bool", "list", "dict", "date", "none"}


def _is_union_tag(part: Any) -> bool:
    """A part of pydantic's error location that names a branch of a union, not a key of the TOML."""
    return isinstance(part, str) and (part.startswith("function-") or part in _UNION_TAGS or "[" in part)


def _validate(model: type[BaseModel], raw: Any, loc: tuple[Any, ...], problems: Problems,
              about: str | None = None) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as e:
        problems.from_validation(loc, e, about)
        return None


# --------------------------------------------------------------------------------------
# SQL
# --------------------------------------------------------------------------------------
_MISSING_COLUMN = re.compile(r'unable to find column "([^"]+)"')


def parse_sql(text: str) -> pl.Expr:
    """SQL of the polars engine, parsed into an expression; never evaluated as Python."""
    return pl.sql_expr(text)


def sql_problem(text: str, schema: dict[str, pl.DataType], boolean: bool) -> tuple[pl.DataType | None, str | None]:
    """The type the SQL gives over `schema`, or a sentence saying why it cannot be used."""
    try:
        expr = parse_sql(text)
    except Exception:  # polars raises several SQL error types
        return None, f"SQL cannot be parsed: {text}"
    try:
        dtype = pl.LazyFrame(schema=schema).select(expr.alias("__x")).collect_schema()["__x"]
    except Exception as e:
        m = _MISSING_COLUMN.search(str(e))
        if m:
            return None, f"unknown column {m.group(1)!r} in SQL: {text}"
        return None, f"SQL cannot be used here: {str(e).splitlines()[0]}: {text}"
    if boolean and dtype != pl.Boolean:
        return dtype, f"SQL must be a condition (true or false), but gives {dtype}: {text}"
    return dtype, None


def sql_columns(text: str) -> set[str]:
    try:
        return set(parse_sql(text).meta.root_names())
    except Exception:
        return set()


# --------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------
def load_config(path: Path | str) -> Config:
    path = Path(path)
    problems = Problems(path.name)
    try:
        raw = tomli.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found"]) from None
    except tomli.TOMLDecodeError as e:
        raise ConfigError([f"{path.name}: not valid TOML: {e}"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([f"{path}: cannot be read: {e}"]) from None
    config = _build(path, raw, problems)
    if problems.items:
        raise ConfigError(problems.items)
    assert config is not None
    return config


def _build(path: Path, raw: dict[str, Any], problems: Problems) -> Config | None:
    for key in raw:
        if key not in ROOT_KEYS:
            problems.add(key, "unknown key")

    org = _validate(OrganisationModel, raw.get("organisation", {}), ("organisation",), problems)
    if org is not None:
        try:
            zoneinfo.ZoneInfo(org.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.add("organisation.timezone", f"unknown timezone {org.timezone!r}")
    data = _validate(DataModel, raw.get("data", {}), ("data",), problems)
    data_dir = (path.parent / (data.dir if data else ".")).resolve()

    datasets = _build_datasets(raw.get("datasets", {}), problems)
    cohorts = _build_cohorts(raw.get("cohorts", {}), problems)
    _check_cohorts_against_datasets(cohorts, datasets, problems)
    comparators = None
    if "comparators" in raw:
        comp = _validate(ComparatorsModel, raw["comparators"], ("comparators",), problems)
        comparators = comp.file if comp else None
    scorecards = _build_scorecards(raw.get("scorecards", []), problems)
    explain_keys = take_measure_keys(raw)  # thresholds, outside_by, parts...: config_explain.py
    measures = _build_measures(raw.get("measures", []), datasets, {s.id for s in scorecards}, problems)
    explain = build_explain_config(raw, explain_keys, measures, datasets, problems)
    alerts = _build_alerts(raw.get("alerts"), path, {s.id for s in scorecards}, problems)

    if org is None or problems.items:
        return None
    return Config(
        path=path.resolve(),
        organisation=Organisation(
            name=org.name,
            timezone=org.timezone,
            financial_year_start_month=org.financial_year_start_month,
            working_days=org.working_days,
            low_base=org.low_base,
        ),
        data_dir=data_dir,
        datasets={k: v for k, v in datasets.items() if v is not None},
        cohorts=cohorts,
        comparators_file=comparators,
        scorecards=scorecards,
        measures=measures,
        alerts=alerts,
        explain=explain,
    )


def _table(raw: Any, path: str, problems: Problems) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.add(path, f"must be a table, not {type(raw).__name__}")
        return {}
    return raw


def _array(raw: Any, path: str, problems: Problems) -> list[Any]:
    if not isinstance(raw, list):
        problems.add(path, f"must be an array of tables ([[{path}]]), not {type(raw).__name__}")
        return []
    return raw


# -- datasets --------------------------------------------------------------------------
def _build_datasets(raw: Any, problems: Problems) -> dict[str, Dataset | None]:
    """Every dataset by name; None for one whose own problems were reported already."""
    models: dict[str, DatasetModel] = {}
    broken: dict[str, Dataset | None] = {}
    for name, body in _table(raw, "datasets", problems).items():
        model = _validate(DatasetModel, body, ("datasets", name), problems, about=None)
        if model is not None:
            models[name] = model
        else:
            broken[name] = None
    datasets: dict[str, Dataset | None] = dict(broken)
    for name in _join_order(models, problems):
        datasets[name] = _build_dataset(name, models[name], datasets, problems)
    return datasets


def _join_order(models: dict[str, DatasetModel], problems: Problems) -> list[str]:
    """Datasets ordered so that every joined dataset comes before the one joining it."""
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            problems.add(f"datasets.{name}.join", "joins form a cycle: " + " -> ".join([*trail, name]))
            return
        state[name] = "visiting"
        for j in models[name].join:
            if j.dataset in models:
                visit(j.dataset, [*trail, name])
        state[name] = "done"
        order.append(name)

    for name in models:
        visit(name, [])
    return order


_JOIN_ON = re.compile(r"^\s*([A-Za-z_][\w]*)\s*=\s*([A-Za-z_][\w]*)\s*$")


def _build_dataset(
    name: str, m: DatasetModel, built: dict[str, Dataset | None], problems: Problems
) -> Dataset | None:
    base = f"datasets.{name}"
    before = len(problems.items)
    columns = {
        c: Column(c, t.removesuffix("?"), t.endswith("?")) for c, t in m.columns.items()
    }
    schema: dict[str, pl.DataType] = {c: TYPE_DTYPES[col.type] for c, col in columns.items()}
    sources: dict[str, set[tuple[str, str]]] = {c: {(name, c)} for c in columns}

    joins: list[Join] = []
    for i, j in enumerate(m.join):
        where = f"{base}.join[{i}]"
        if j.dataset not in built:
            problems.add(f"{where}.dataset", f"unknown dataset {j.dataset!r}", name)
            continue
        other = built[j.dataset]
        if other is None:  # its own problems are reported
            problems.add(f"{where}.dataset", f"dataset {j.dataset!r} has problems (above)", name)
            continue
        match = _JOIN_ON.match(j.on)
        if match is None:
            problems.add(f"{where}.on", f"must read 'this_column = that_column', not {j.on!r}", name)
            continue
        left, right = match.groups()
        if left not in schema:
            problems.add(f"{where}.on", f"unknown column {left!r} in dataset {name!r}", name)
            continue
        if right not in other.schema or right in {d.name for d in other.derives}:
            problems.add(f"{where}.on", f"unknown column {right!r} in dataset {j.dataset!r}", name)
            continue
        clash = sorted(
            c for c in other.schema if c != right and c in schema and c not in other.period_dependent
        )
        if clash:
            problems.add(
                f"{where}.dataset",
                f"columns {', '.join(clash)} are in both {name!r} and {j.dataset!r}; rename one side",
                name,
            )
            continue
        for c, t in other.schema.items():
            if c == right or c in other.period_dependent:
                continue
            schema[c] = t
            sources[c] = set(other.sources[c]) | sources[left]
        joins.append(Join(j.dataset, left, right))

    derives: list[Derive] = []
    period_dependent: set[str] = set()
    for i, d in enumerate(m.derive):
        derive = _build_derive(f"{base}.derive[{i}]", name, d, schema, period_dependent, problems)
        if derive is None:
            continue
        derives.append(derive)
        sources[derive.name] = set().union(*(sources[c] for c in derive.inputs)) if derive.inputs else set()
        if derive.period_dependent:
            period_dependent.add(derive.name)

    kind = _dataset_kind(base, name, m, schema, period_dependent, problems)
    for u in m.unique or []:
        if u not in columns:
            problems.add(f"{base}.unique", f"unknown column {u!r}", name)
    if len(problems.items) > before:
        return None
    return Dataset(
        name=name,
        file=m.file,
        kind=kind,
        date=m.date,
        start=m.start,
        end=m.end,
        period=m.period,
        columns=columns,
        unique=list(m.unique or []),
        date_format=m.date_format,
        joins=joins,
        derives=derives,
        schema=schema,
        period_dependent=period_dependent,
        sources=sources,
    )


def _dataset_kind(
    base: str, name: str, m: DatasetModel, schema: dict[str, pl.DataType], period_dependent: set[str],
    problems: Problems,
) -> str:
    given = [k for k in ("date", "start", "period") if getattr(m, k)]
    if len(given) > 1:
        problems.add(base, f"give one of date, start (with end) or period, not {' and '.join(given)}", name)
        return "lookup"
    if m.start and not m.end:
        problems.add(f"{base}.end", "a spell dataset (start) needs an end column", name)
    if m.end and not m.start:
        problems.add(f"{base}.start", "end needs a start column", name)
    for key in ("date", "start", "end", "period"):
        col = getattr(m, key)
        if not col:
            continue
        want = pl.String() if key == "period" else pl.Date()
        if col not in schema:
            problems.add(f"{base}.{key}", f"unknown column {col!r}", name)
        elif col in period_dependent:
            problems.add(f"{base}.{key}", f"column {col!r} depends on the period and cannot place rows in one", name)
        elif schema[col] != want:
            problems.add(f"{base}.{key}", f"column {col!r} must be {'str (YYYY-MM)' if key == 'period' else 'a date'}", name)
    if m.date:
        return "event"
    if m.start:
        return "spell"
    if m.period:
        return "snapshot"
    return "lookup"


def _build_derive(
    where: str, dataset: str, d: DeriveModel, schema: dict[str, pl.DataType], period_dependent: set[str],
    problems: Problems,
) -> Derive | None:
    if d.name in schema:
        problems.add(f"{where}.name", f"column {d.name!r} already exists", dataset)
        return None
    kinds = [k for k in DERIVE_KINDS if getattr(d, k) is not None]
    if len(kinds) != 1:
        problems.add(
            where,
            f"derive {d.name!r} needs exactly one of {', '.join(DERIVE_KINDS)}"
            + (f", not {' and '.join(kinds)}" if kinds else ""),
            dataset,
        )
        return None
    kind = kinds[0]
    if kind == "sql":
        assert d.sql is not None
        dtype, err = sql_problem(d.sql, schema, boolean=False)
        if err:
            problems.add(f"{where}.sql", err, dataset)
            return None
        inputs = tuple(sorted(sql_columns(d.sql)))
        schema_type = dtype
        args: tuple[Any, ...] = ()
    else:
        args = tuple(getattr(d, kind))
        if len(args) != 2:
            second_name = "to" if kind in ("days", "working_days", "years") else "n"
            problems.add(f"{where}.{kind}", f"needs two items, [from, {second_name}]", dataset)
            return None
        ok = True
        inputs_list: list[str] = []
        first, second = args
        if not _date_arg(first, schema, inputs_list):
            problems.add(f"{where}.{kind}[0]", _not_a_date(first, dataset), dataset)
            ok = False
        if kind in ("days", "working_days", "years"):
            if not _date_arg(second, schema, inputs_list):
                problems.add(f"{where}.{kind}[1]", _not_a_date(second, dataset), dataset)
                ok = False
            schema_type = pl.Int32()
        else:
            if isinstance(second, str):
                if schema.get(second) not in (pl.Int64(), pl.Int32()):
                    problems.add(f"{where}.{kind}[1]", f"{second!r} is not a whole number or an int column", dataset)
                    ok = False
                else:
                    inputs_list.append(second)
            schema_type = pl.Date()
        if not ok:
            return None
        inputs = tuple(inputs_list)
    uses_period = any(a in PERIOD_PARAMS for a in args if isinstance(a, str)) or any(
        c in period_dependent for c in inputs
    )
    schema[d.name] = schema_type
    return Derive(d.name, kind, args, d.sql, uses_period, inputs)


def _not_a_date(arg: Any, dataset: str) -> str:
    return f"{arg!r} is not a date column of {dataset!r}, @snapshot or @period_end"


def _date_arg(arg: Any, schema: dict[str, pl.DataType], inputs: list[str]) -> bool:
    if arg in PERIOD_PARAMS:
        return True
    if isinstance(arg, str) and schema.get(arg) == pl.Date():
        inputs.append(arg)
        return True
    return False


# -- cohorts, scorecards ----------------------------------------------------------------
def _build_cohorts(raw: Any, problems: Problems) -> dict[str, Cohort]:
    cohorts: dict[str, Cohort] = {}
    for cid, body in _table(raw, "cohorts", problems).items():
        model = _validate(CohortModel, body, ("cohorts", cid), problems)
        if model is None:
            continue
        try:
            parse_sql(model.where)
        except Exception:
            problems.add(f"cohorts.{cid}.where", f"SQL cannot be parsed: {model.where}", cid)
            continue
        cohorts[cid] = Cohort(cid, model.label, model.where)
    return cohorts


def _check_cohorts_against_datasets(cohorts: dict[str, Cohort], datasets: dict[str, Dataset | None],
                                    problems: Problems) -> None:
    """A cohort applies to every dataset that has its columns (SPEC 5): it must name columns some
    dataset has, and be a condition over each of them."""
    known = [ds for ds in datasets.values() if ds is not None]
    if len(known) < len(datasets):
        return  # a broken dataset might be the one the cohort is for: its own problems come first
    for cid, cohort in cohorts.items():
        columns = sql_columns(cohort.where)
        applies = [ds for ds in known if columns <= set(ds.schema)]
        if not applies:
            missing = sorted(columns - set().union(*(set(ds.schema) for ds in known))) or sorted(columns)
            names = ", ".join(repr(c) for c in missing)
            problems.add(f"cohorts.{cid}.where", f"no dataset has the column(s) {names}, so the cohort applies to "
                         f"no measure: {cohort.where}", cid)
            continue
        for ds in applies:
            _, err = sql_problem(cohort.where, ds.schema, boolean=True)
            if err:
                problems.add(f"cohorts.{cid}.where", f"{err} (in dataset {ds.name!r})", cid)
                break


def _build_scorecards(raw: Any, problems: Problems) -> list[ScorecardDef]:
    out: list[ScorecardDef] = []
    seen: set[str] = set()
    items = _array(raw, "scorecards", problems)
    if not items:
        problems.add("scorecards", "at least one [[scorecards]] is needed")
    for i, body in enumerate(items):
        about = body.get("id") if isinstance(body, dict) else None
        model = _validate(ScorecardModel, body, ("scorecards", i), problems, about)
        if model is None:
            continue
        if model.id in seen:
            problems.add(f"scorecards[{i}].id", f"duplicate scorecard id {model.id!r}", model.id)
            continue
        seen.add(model.id)
        out.append(ScorecardDef(model.id, model.title, model.description))
    return out


# -- measures ---------------------------------------------------------------------------
def _build_measures(
    raw: Any, datasets: dict[str, Dataset | None], scorecard_ids: set[str], problems: Problems
) -> list[Measure]:
    out: list[Measure] = []
    seen: set[str] = set()
    for i, body in enumerate(_array(raw, "measures", problems)):
        about = body.get("id") if isinstance(body, dict) else None
        model = _validate(MeasureModel, body, ("measures", i), problems, about if isinstance(about, str) else None)
        if model is None:
            continue
        if model.id in seen:
            problems.add(f"measures[{i}].id", f"duplicate measure id {model.id!r}", model.id)
            continue
        seen.add(model.id)
        measure = _build_measure(i, model, datasets, scorecard_ids, problems)
        if measure is not None:
            out.append(measure)
    return out


def _build_measure(
    i: int, m: MeasureModel, datasets: dict[str, Dataset | None], scorecard_ids: set[str], problems: Problems
) -> Measure | None:
    base = f"measures[{i}]"
    before = len(problems.items)

    def bad(key: str, message: str) -> None:
        problems.add(f"{base}.{key}" if key else base, message, m.id)

    for j, s in enumerate(m.scorecards):
        if s not in scorecard_ids:
            bad(f"scorecards[{j}]", f"unknown scorecard {s!r}")
    if not m.scorecards:
        bad("scorecards", "name at least one scorecard")

    # Targets first: they need no dataset.
    steps = _target_steps(base, m, problems)

    if m.dataset not in datasets:
        bad("dataset", f"unknown dataset {m.dataset!r}")
    elif (ds := datasets[m.dataset]) is not None:  # else its own problems are reported
        _check_measure_against_dataset(m, ds, datasets, bad)

    needs = {"percent": "numerator", "mean": "value", "median": "value", "sum": "value"}
    if m.calc in needs and getattr(m, needs[m.calc]) is None:
        bad("", f"calc {m.calc} needs a {needs[m.calc]}")
    if m.numerator is not None and m.calc != "percent":
        bad("numerator", f"numerator is for calc percent, not {m.calc}")
    if m.value is not None and m.calc not in ("mean", "median", "sum", "value"):
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

    if len(problems.items) > before:
        return None
    decimals = m.decimals if m.decimals is not None else (0 if m.calc == "count" else 1)
    unit = m.unit if m.unit is not None else ("%" if m.calc == "percent" else None)
    return Measure(
        id=m.id, title=m.title, section=m.section, scorecards=list(m.scorecards), dataset=m.dataset,
        window=m.window, calc=m.calc, where=m.where, numerator=m.numerator,
        value=m.value if m.calc != "value" else (m.value or "value"), per=m.per, population=m.population,
        distinct=m.distinct, polarity=m.polarity, steps=steps, decimals=decimals, unit=unit,
        breakdowns=list(m.breakdowns), owner=m.owner, definition=m.definition, notes=m.notes,
        spc_screen_outliers=m.spc_screen_outliers,
        introduced=month_number(m.introduced) if m.introduced else None,
        retired=month_number(m.retired) if m.retired else None,
        index=i,
    )


def _target_steps(base: str, m: MeasureModel, problems: Problems) -> list[TargetStep]:
    def bad(key: str, message: str) -> None:
        problems.add(f"{base}.{key}", message, m.id)

    if (m.target is None) != (m.floor is None):
        bad("floor" if m.floor is None else "target", "give both target and floor, or neither (an unrated measure)")
    pairs: list[tuple[str, float | None, float | None]] = [("", m.target, m.floor)]
    pairs += [(f"targets[{k}].", s.target, s.floor) for k, s in enumerate(m.targets)]
    rated = any(t is not None for _, t, _f in pairs)
    if rated and m.polarity is None:
        bad("polarity", "a rated measure needs polarity = \"higher\" or \"lower\"")
    for prefix, target, floor in pairs:
        if target is None or floor is None or m.polarity is None:
            continue
        if m.polarity == "higher" and floor > target:
            bad(f"{prefix}floor", f"floor {floor:g} is above target {target:g}, but higher is better")
        if m.polarity == "lower" and floor < target:
            bad(f"{prefix}floor", f"floor {floor:g} is below target {target:g}, but lower is better")
    steps = [TargetStep(-(10**9), m.target, m.floor)]
    months = [month_number(s.from_) for s in m.targets]
    if months != sorted(months) or len(set(months)) != len(months):
        bad("targets", "steps must be in order of from, each period once")
    steps += [TargetStep(mo, s.target, s.floor) for mo, s in zip(months, m.targets, strict=True)]
    return steps


def _check_measure_against_dataset(
    m: MeasureModel, ds: Dataset, datasets: dict[str, Dataset | None], bad: Any
) -> None:
    if ds.kind == "lookup":
        bad("dataset", f"dataset {ds.name!r} has no date, start or period: a lookup table can be joined, not counted")
        return
    if m.window == "snapshot" and ds.kind == "event":
        bad("window", f"window snapshot is not allowed on event dataset {ds.name!r}; use month, ytd or rolling12")
    if m.calc == "value" and ds.kind != "snapshot":
        bad("calc", f"calc value needs a snapshot dataset (period column); {ds.name!r} is an {ds.kind} dataset")
    for key, boolean in (("where", True), ("numerator", True), ("value", False)):
        text = getattr(m, key)
        if text is None:
            continue
        if m.calc == "value" and key == "value":
            if text not in ds.schema:
                bad(key, f"unknown column {text!r} in dataset {ds.name!r}")
            continue
        dtype, err = sql_problem(text, ds.schema, boolean)
        if err:
            bad(key, err)
        elif key == "value" and dtype is not None and not dtype.is_numeric() and dtype != pl.Boolean:
            bad(key, f"value must be a number, but gives {dtype}: {text}")
    if m.calc == "value" and m.value is None and "value" not in ds.schema:
        bad("dataset", f"calc value reads a column named value, which {ds.name!r} does not declare")
    if m.distinct is not None and m.distinct not in ds.schema:
        bad("distinct", f"unknown column {m.distinct!r} in dataset {ds.name!r}")
    for j, b in enumerate(m.breakdowns):
        if b not in ds.schema:
            bad(f"breakdowns[{j}]", f"unknown column {b!r} in dataset {ds.name!r}")
    if m.population is not None:
        pop = datasets.get(m.population)
        if m.population not in datasets:
            bad("population", f"unknown dataset {m.population!r}")
        elif (pop is not None and pop.kind != "snapshot") or "value" not in pop.schema:
            bad("population", f"population dataset {m.population!r} must be a snapshot dataset (period) with a value column")


# -- alerts -----------------------------------------------------------------------------
_DOW_NUMBER = re.compile(r"\d")


def _build_alerts(raw: Any, path: Path, scorecard_ids: set[str], problems: Problems) -> AlertsConfig | None:
    if raw is None:
        return None
    model = _validate(AlertsModel, raw, ("alerts",), problems)
    if model is None:
        return None
    if model.schedule is not None:
        fields = model.schedule.split()
        if len(fields) != 5:
            problems.add("alerts.schedule", f"cron needs five fields (minute hour day month weekday), not {model.schedule!r}")
        elif _DOW_NUMBER.search(fields[4]):
            problems.add(
                "alerts.schedule",
                f"use day names for the day of the week (MON-FRI), not numbers: {fields[4]!r} "
                "(cron and APScheduler number days differently)",
            )
        else:
            try:
                from apscheduler.triggers.cron import CronTrigger

                CronTrigger.from_crontab(model.schedule)
            except ValueError as e:
                problems.add("alerts.schedule", f"not a valid cron expression: {e}")
    routes: list[Route] = []
    for i, r in enumerate(model.routes):
        when = [r.when] if isinstance(r.when, str) else list(r.when)
        for w in when:
            if w not in ALERT_KINDS:
                problems.add(f"alerts.routes[{i}].when", f"unknown alert {w!r}; use turned_red or band_change")
        for s in r.scorecards or []:
            if s not in scorecard_ids:
                problems.add(f"alerts.routes[{i}].scorecards", f"unknown scorecard {s!r}")
        routes.append(Route(r.channel, when, r.scorecards))
    return AlertsConfig(model.schedule, (path.parent / model.state).resolve(), routes)
