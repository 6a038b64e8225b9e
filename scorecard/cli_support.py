"""What every command of the command line shares, written once: loading the config (its problems
one line each, exit 1), printing data problems, usage errors (exit 2), JSON output, and turning what
an alerts command did into its lines and exit code."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .engine.errors import ConfigError, UsageError
from .engine.periods import PERIOD_FORM, is_period
from .present import problem_listing
from .statefile import StateFileError
from .store import Results

if TYPE_CHECKING:
    from .engine.config import Config
    from .notify.commands import Outcome

T = TypeVar("T")
CONFIG_HELP = "the config file (default ./config.toml)"
TREND_DEFAULT_LAST = 13  # a year on year: the table's periods without --last or --from
FORMAT = click.Choice(["table", "json"])


# -- the options many commands share, declared once ------------------------------------------------
config_option = click.option("--config", default="config.toml", help=CONFIG_HELP)
format_option = click.option("--format", "fmt", type=FORMAT, default="table")
LATEST = "YYYY-MM (default the latest with data)"


def scorecard_option(help: str = "scorecard id (default the first)") -> Callable[[T], T]:
    return click.option("--scorecard", "scorecard_id", default=None, help=help)


def period_argument(help: str = LATEST, name: str = "--period", dest: str | None = None) -> Callable[[T], T]:
    """A period option (`--period`, `--from`, `--since`...), checked before anything is read (`period_option`)."""
    return click.option(name, *([dest] if dest else []), default=None, help=help, callback=period_option)


def print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=1, ensure_ascii=False, allow_nan=False))


def config_or_exit(read: Callable[[], T]) -> T:
    """What `read` gives; config problems end the command with exit 1, one line each on stderr."""
    try:
        return read()
    except ConfigError as e:
        for line in e.problems:
            click.echo(line, err=True)
        sys.exit(1)
    except UsageError as e:  # SCORECARD_TODAY that is not a date
        usage_error(str(e))
        raise


def loaded_config(config: str) -> Config:
    from .engine.config import load_config

    return config_or_exit(lambda: load_config(Path(config)))


def results_or_exit(config: str) -> Results:
    """The engine's results for a config (kept between runs: scorecard/store/)."""
    return config_or_exit(lambda: Results.open(Path(config)))


def period_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A period given on the command line is checked before anything is read: a usage error (exit 2)."""
    if value is not None and not is_period(value):
        raise click.BadParameter(f"{value!r} is not a period ({PERIOD_FORM})")
    return value


def usage_error(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def check_order(engine: Results, from_period: str | None, to_period: str | None) -> None:
    """`changes`: a --from not before --to is a usage error (the bands would read the wrong way round)."""
    if from_period is None or to_period is None:
        return
    try:
        a, b = engine.resolve_period(from_period), engine.resolve_period(to_period)
    except UsageError as e:
        usage_error(str(e))
    if a >= b:
        usage_error(f"--from {a} must be before --to {b}")


def publication_unknown(e: StateFileError) -> bool:
    """A state file that cannot be read: the command goes on from the data, and says so."""
    click.echo(f"Warning: {e}. Whether these figures were published is unknown: they are the live figures.",
               err=True)
    return True


def print_problems(lines: list[str]) -> bool:
    """Data problems on stderr (the first 20: `check` lists them all); whether there were any."""
    if lines:
        for line in problem_listing(lines):
            click.echo(line, err=True)
    return bool(lines)


def problems_exit(engine: Results) -> None:
    """After printing results: list data problems on stderr and exit 1 when there were any."""
    if print_problems(engine.problem_lines() if engine.has_problems else []):
        sys.exit(1)


def finish(outcome: Outcome, engine: Results | None = None) -> None:
    """What an alerts command did: its lines, its refusals, the data problems; its exit code."""
    from .notify.commands import exit_code

    for line in outcome.lines:
        click.echo(line)
    for line in outcome.errors:
        click.echo(line, err=True)
    problems = print_problems(engine.problem_lines() if engine is not None and engine.has_problems else [])
    sys.exit(exit_code(outcome, problems))
