"""Reading `config.toml` (SPEC section 2): `load_config` returns the `Config` or raises
`ConfigError` holding *every* problem found.

Two passes. The first validates each part on its own against the models that are the config
(`config_model.py`), so one broken measure does not hide another's mistakes. The second checks
the parts against each other (`config_datasets.py`, `config_measures.py`, `config_alerts.py`).
`read_config` returns the sound parts with the problems, for `scorecard check` to read what
data it can from a config with mistakes.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli

from .config_alerts import check_alerts
from .config_datasets import check_cohorts, check_datasets
from .config_explain import build_explain_config, take_measure_keys
from .config_measures import check_measures, check_scorecards
from .config_model import (
    ROOT_KEYS,
    Alerts,
    Cohort,
    Comparators,
    Config,
    Data,
    Dataset,
    Derive,
    Measure,
    Organisation,
    ScorecardDef,
)
from .config_problems import ConfigError, Problems
from .config_sql import PERIOD_END_COL, SNAPSHOT_COL, parse_sql, sql_columns, sql_problem
from .names import did_you_mean

__all__ = [
    "PERIOD_END_COL", "SNAPSHOT_COL", "Config", "ConfigError", "ConfigReading", "Dataset", "Derive", "Measure",
    "load_config", "parse_sql", "read_config", "sql_columns", "sql_problem",
]


@dataclass
class ConfigReading:
    """What a config file says: the parts with no problems, and the problems."""

    config: Config
    problems: list[str]


def load_config(path: Path | str) -> Config:
    reading = read_config(path)
    if reading.problems:
        raise ConfigError(reading.problems)
    return reading.config


def read_config(path: Path | str) -> ConfigReading:
    """Both passes over the file; raises `ConfigError` only when it cannot be read as TOML."""
    path = Path(path)
    try:
        raw = tomli.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: config file not found; give its path with --config FILE "
                           "(the demo's config.toml is at the repository's root)"]) from None
    except tomli.TOMLDecodeError as e:
        raise ConfigError([f"{path.name}: not valid TOML: {e}"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([f"{path}: cannot be read: {e}"]) from None
    problems = Problems(path.name)
    config = _read(path, raw, problems)
    return ConfigReading(config, _in_file_order(problems.items, path.name, raw))


def _in_file_order(problems: list[str], file_name: str, raw: dict[str, Any]) -> list[str]:
    """The problems in the order of the parts they are about in the file (a part's structure before
    how it fits the others, as they were found)."""
    roots = list(raw)

    def place(problem: str) -> tuple[int, int]:
        key = problem.removeprefix(f"{file_name}: ").split(" ", 1)[0].rstrip(":")
        root, _, rest = key.partition(".")
        root, bracket, index = root.partition("[")
        part = roots.index(root) if root in roots else len(roots)
        if bracket:
            return part, int(index.split("]")[0]) if index.split("]")[0].isdigit() else 0
        table = raw.get(root)
        name = rest.split(".")[0].split("[")[0]
        return part, list(table).index(name) if isinstance(table, dict) and name in table else 0

    return sorted(problems, key=place)


def _read(path: Path, raw: dict[str, Any], problems: Problems) -> Config:
    for key in raw:
        if key not in ROOT_KEYS:
            problems.add(key, "unknown key" + did_you_mean(key, ROOT_KEYS, "`", 1))
    org_raw = raw.get("organisation", {})
    org = problems.validate(Organisation, org_raw, ("organisation",))
    if org is not None:
        try:
            zoneinfo.ZoneInfo(org.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            problems.add("organisation.timezone", f"unknown timezone {org.timezone!r}")
    else:  # the declared defaults, so that `check` can still read the data
        org = Organisation.model_construct(name=str(org_raw.get("name", "")) if isinstance(org_raw, dict) else "")
    data = problems.validate(Data, raw.get("data", {}), ("data",)) or Data()

    # first pass: each part on its own
    declared_datasets = {
        name: _named(problems.validate(Dataset, body, ("datasets", name), name), name)
        for name, body in _table(raw.get("datasets", {}), "datasets", problems).items()
    }
    cohorts = {
        cid: _named(problems.validate(Cohort, body, ("cohorts", cid), cid), cid)
        for cid, body in _table(raw.get("cohorts", {}), "cohorts", problems).items()
    }
    comparators = problems.validate(Comparators, raw["comparators"], ("comparators",)) if "comparators" in raw else None
    explain_keys = take_measure_keys(raw)  # thresholds, outside_by, parts...: config_explain.py (issue 16)
    scorecards = [
        problems.validate(ScorecardDef, body, ("scorecards", i), _about(body))
        for i, body in enumerate(_array(raw.get("scorecards", []), "scorecards", problems))
    ]
    measures = [
        problems.validate(Measure, body, ("measures", i), _about(body))
        for i, body in enumerate(_array(raw.get("measures", []), "measures", problems))
    ]
    alerts = problems.validate(Alerts, raw["alerts"], ("alerts",)) if raw.get("alerts") is not None else None

    # second pass: the parts against each other
    datasets = check_datasets(declared_datasets, problems)
    sound_cohorts = check_cohorts({k: v for k, v in cohorts.items() if v is not None}, datasets, problems)
    sound_scorecards = check_scorecards(scorecards, problems)
    scorecard_ids = {s.id for s in sound_scorecards}
    kinds = {name: ds.kind for name, ds in declared_datasets.items() if ds is not None}
    sound_measures = check_measures(measures, datasets, kinds, scorecard_ids, problems)
    if alerts is not None:
        check_alerts(alerts, scorecard_ids, problems)
    explain = build_explain_config(raw, explain_keys, sound_measures, datasets, problems)
    if org is not None and org.timezone:
        check_as_at(datasets, org.timezone, problems)

    return Config(
        path=path.resolve(),
        organisation=org,
        data_dir=(path.parent / data.dir).resolve(),
        datasets={k: v for k, v in datasets.items() if v is not None},
        cohorts=sound_cohorts,
        comparators_file=comparators.file if comparators else None,
        scorecards=sound_scorecards,
        measures=sound_measures,
        alerts=alerts,
        explain=explain,
    )


def check_as_at(datasets: dict[str, Dataset | None], timezone: str, problems: Problems) -> None:
    """SPEC section 7: an `as_at` after today is a config error."""
    from .today import TodayError, today_in

    dated = {n: d for n, d in datasets.items() if d is not None and d.as_at_date is not None}
    if not dated:
        return
    try:
        today = today_in(timezone)
    except (TodayError, zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
        problems.add("datasets", str(e))
        return
    for name, d in dated.items():
        day = d.as_at_date
        if day is not None and day > today:
            problems.add(f"datasets.{name}.as_at", f"{day.isoformat()} is after today ({today.isoformat()}): "
                         "an extract cannot be taken in the future", name)


def _named(model: Any, name: str) -> Any:
    return model.named(name) if model is not None else None


def _about(body: Any) -> str | None:
    about = body.get("id") if isinstance(body, dict) else None
    return about if isinstance(about, str) else None


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
