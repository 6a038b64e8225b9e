"""The two errors every command meets, in a module with no imports: the command line and the results
store catch them without importing the engine (polars) or the config model (pydantic)."""

from __future__ import annotations


class UsageError(ValueError):
    """A request the config cannot answer (unknown measure, scorecard or period)."""


class ConfigError(Exception):
    """Every problem found in a config, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems
