"""`scorecard check`: every config mistake and data problem, in one run.

Config mistakes come first. The data is still checked when the config has mistakes: every
dataset whose own definition is sound is read, so a missing file is reported alongside a
misspelt key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli

from .calendar import Calendar, month_of_date
from .config import ConfigError, Problems, _build_datasets, load_config
from .datasets import DataProblem, files_outside, load_datasets


@dataclass
class CheckReport:
    config_problems: list[str] = field(default_factory=list)
    data_problems: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not problems: files outside the config's folder

    @property
    def ok(self) -> bool:
        return not self.config_problems and not self.data_problems

    def text(self) -> str:
        lines: list[str] = []
        if self.config_problems:
            lines.append(f"Config: {len(self.config_problems)} problem(s)")
            lines += [f"  {p}" for p in self.config_problems]
        if self.data_problems:
            lines.append(f"Data: {len(self.data_problems)} problem(s)")
            lines += [f"  {p}" for p in self.data_problems]
        lines += self.summary
        lines += [f"Note: {n}" for n in self.notes]
        if self.ok:
            lines.append("No problems found.")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "config": self.config_problems, "data": self.data_problems, "notes": self.notes}


def run_check(path: Path) -> CheckReport:
    report = CheckReport()
    try:
        config = load_config(path)
    except ConfigError as e:
        report.config_problems = list(e.problems)
        report.data_problems = _data_despite_config(path)
        return report
    from .engine import Engine

    engine = Engine(config)
    for m in config.measures:
        engine.series(m.id)  # computing finds problems such as two rows for one period of a value measure
    report.data_problems = engine.problem_lines()
    report.notes = files_outside(config)
    for name, data in engine.datasets.items():
        report.summary.append(
            f"{name}: {data.frame.height} rows used"
            + (f", {data.rows_left_out} left out" if data.rows_left_out else "")
            + (f", {data.blank_lines} blank line(s) skipped" if data.blank_lines else "")
        )
    return report


def _data_despite_config(path: Path) -> list[str]:
    """Read what datasets can be read from a config that has mistakes elsewhere."""
    try:
        raw = tomli.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomli.TOMLDecodeError, UnicodeDecodeError):
        return []
    from .config import Config, Organisation

    datasets = {k: v for k, v in _build_datasets(raw.get("datasets", {}), Problems(path.name)).items() if v}
    data_dir = (path.parent / str(raw.get("data", {}).get("dir", "."))).resolve()
    org = raw.get("organisation", {})
    working = org.get("working_days", "england-and-wales")
    try:
        calendar = Calendar(working, int(org.get("financial_year_start_month", 4)))
    except (ValueError, TypeError):
        calendar = Calendar()
    stub = Config(
        path=path.resolve(), organisation=Organisation("", "Europe/London", calendar.financial_year_start_month,
                                                       calendar.working_days, 5),
        data_dir=data_dir, datasets=datasets, cohorts={}, comparators_file=None, scorecards=[], measures=[],
        alerts=None,
    )
    import datetime as dt

    loaded = load_datasets(stub, calendar, month_of_date(dt.date.today()))
    problems: list[DataProblem] = [p for d in loaded.values() for p in d.problems]
    return [str(p) for p in problems]
