"""`scorecard check`: every config mistake and data problem, in one run.

Config mistakes come first. The data is still checked when the config has mistakes: every
dataset whose own definition is sound is read, so a missing file is reported alongside a
misspelt key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .calendar import Calendar, month_of_date
from .config import Config, ConfigError, read_config
from .datasets import files_outside, load_datasets, problem_lines


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
        reading = read_config(path)
    except ConfigError as e:  # not TOML, or not readable: nothing more to check
        report.config_problems = list(e.problems)
        return report
    if reading.problems:
        report.config_problems = reading.problems
        report.data_problems = _data_of_sound_datasets(reading.config)
        return report
    from .engine import Engine

    engine = Engine(reading.config)
    for m in reading.config.measures:
        engine.series(m.id)  # computing finds problems such as two rows for one period of a value measure
    report.data_problems = engine.problem_lines()
    report.notes = files_outside(reading.config)
    for name, data in engine.datasets.items():
        report.summary.append(
            f"{name}: {data.frame.height} rows used"
            + (f", {data.rows_left_out} left out" if data.rows_left_out else "")
            + (f", {data.blank_lines} blank line(s) skipped" if data.blank_lines else "")
        )
    return report


def _data_of_sound_datasets(config: Config) -> list[str]:
    """Read the datasets whose own definition is sound, from a config with mistakes elsewhere."""
    org = config.organisation
    calendar = Calendar(org.working_days, org.financial_year_start_month)
    loaded = load_datasets(config, calendar, month_of_date(dt.date.today()))
    return problem_lines([p for d in loaded.values() for p in d.problems])
