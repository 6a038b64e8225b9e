"""The `scorecard` command: wires the engine and the views together, computes nothing itself.

Exit codes (SPEC section 5): 0 success, 1 data or config problems found, 2 usage error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from .engine.calendar import PERIOD_FORM, is_period
from .engine.config import ConfigError
from .engine.engine import UsageError
from .format import changes_table, rating_table, trend_table
from .statefile import StateFileError
from .store import Results
from .textfit import output_width

CONFIG_HELP = "the config file (default ./config.toml)"
TREND_DEFAULT_LAST = 13  # a year on year: the table's periods without --last or --from
FORMAT = click.Choice(["table", "json"])


def _print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=1, ensure_ascii=False, allow_nan=False))


def _load(config: str) -> Results:
    """The engine's results for a config (kept between runs: scorecard/store/); config problems end the
    command with exit 1, one line each."""
    try:
        return Results.open(Path(config))
    except ConfigError as e:
        for line in e.problems:
            click.echo(line, err=True)
        sys.exit(1)
    except UsageError as e:  # SCORECARD_TODAY that is not a date
        _usage(str(e))
        raise


def _period_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A period given on the command line is checked before anything is read: a usage error (exit 2)."""
    if value is not None and not is_period(value):
        raise click.BadParameter(f"{value!r} is not a period ({PERIOD_FORM})")
    return value


def _usage(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _check_order(engine: Results, from_period: str | None, to_period: str | None) -> None:
    """`changes`: a --from not before --to is a usage error (the bands would read the wrong way round)."""
    if from_period is None or to_period is None:
        return
    try:
        a, b = engine.resolve_period(from_period), engine.resolve_period(to_period)
    except UsageError as e:
        _usage(str(e))
    if a >= b:
        _usage(f"--from {a} must be before --to {b}")


def _publication_unknown(e: StateFileError) -> bool:
    """A state file that cannot be read: the command goes on from the data, and says so."""
    click.echo(f"Warning: {e}. Whether these figures were published is unknown: they are the live figures.",
               err=True)
    return True


def _problems_exit(engine: Results) -> None:
    """After printing results: list data problems on stderr and exit 1 when there were any."""
    if engine.has_problems:
        lines = engine.problem_lines()
        click.echo(f"{len(lines)} data problem(s) found; `scorecard check` lists them:", err=True)
        for line in lines[:20]:
            click.echo(f"  {line}", err=True)
        sys.exit(1)


class ScorecardGroup(click.Group):
    """Turns an unexpected failure into one line on stderr (no traceback) unless SCORECARD_DEBUG is set.
    A state file that cannot be used is one line naming it (exit 1). Output cut short by the reader
    (`| head`) ends quietly: the pipe error is left to click, which exits 1 without a traceback.
    `scorecard --period P` (options and no command) is `scorecard show --period P`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0].startswith("-") and args[0] not in ("--help", "-h"):
            args = ["show", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            try:
                return super().invoke(ctx)
            finally:
                sys.stdout.flush()  # here, not at exit, so a closed pipe is caught like any other
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit, KeyboardInterrupt,
                BrokenPipeError):
            raise
        except StateFileError as e:
            click.echo(f"Error: {e}", err=True)
            sys.exit(1)
        except Exception as e:
            from .notify.secrets import format_exception, redact_text

            if os.environ.get("SCORECARD_DEBUG"):  # the traceback, with any Slack secret removed
                click.echo(format_exception(e).rstrip("\n"), err=True)
                sys.exit(1)
            click.echo(redact_text(f"scorecard: unexpected error: {type(e).__name__}: {e} "
                                   "(set SCORECARD_DEBUG=1 for details)"), err=True)
            sys.exit(1)


@click.group(cls=ScorecardGroup, invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Performance scorecards: measures computed from record-level data and rated Red, Amber, Green.

    With no command, or with only `show`'s options (`scorecard --period 2017-11`), opens the terminal UI."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(show)


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--scorecard", "scorecard_id", default=None, help="scorecard id (default the first)")
@click.option("--period", default=None, help="YYYY-MM (default the latest with data)", callback=_period_option)
@click.option("--format", "fmt", type=FORMAT, default="table")
def rate(config: str, scorecard_id: str | None, period: str | None, fmt: str) -> None:
    """Rate a scorecard for a period."""
    from .publish.restate import rate_with_publications
    from .publish.store import PublicationStore

    engine = _load(config)
    unknown = False
    try:
        try:
            result = rate_with_publications(engine, PublicationStore(engine.config.state_path), scorecard_id, period)
        except StateFileError as e:  # rate all the same, saying what is not known
            unknown = _publication_unknown(e)
            result = engine.rate(scorecard_id, period)
    except UsageError as e:
        _usage(str(e))
    if fmt == "json":
        _print_json(result.to_json())
    else:
        click.echo(rating_table(result, engine.config.organisation.name, output_width()))
    _problems_exit(engine)
    sys.exit(1 if unknown else 0)


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--scorecard", "scorecard_id", default=None)
@click.option("--from", "from_period", default=None,
              help="YYYY-MM (default the last period published before --to, with its published figures; "
                   "else the month before)", callback=_period_option)
@click.option("--to", "to_period", default=None, help="YYYY-MM (default the latest with data)", callback=_period_option)
@click.option("--format", "fmt", type=FORMAT, default="table")
def changes(config: str, scorecard_id: str | None, from_period: str | None, to_period: str | None,
            fmt: str) -> None:
    """Band changes between two periods: improved, then declined."""
    from .publish.store import PublicationStore

    engine = _load(config)
    unknown = False
    try:
        to_period = engine.resolve_period(to_period)
        _check_order(engine, from_period, to_period)  # a --from given must be before --to (or the latest)
        published = None
        if from_period is None:  # SPEC section 7: since the last report
            sc = engine.scorecard(scorecard_id).id
            try:
                last = PublicationStore(engine.config.state_path).latest_before(sc, to_period)
            except StateFileError as e:  # since the month before, saying the last report is not known
                unknown, last = _publication_unknown(e), None
            from_period = last.period if last is not None else engine.previous_period(to_period)
            if last is not None:
                published = {k: (f.value, f.rag) for k, f in last.figures.items()}
        result = engine.changes(scorecard_id, from_period, to_period, published)
    except UsageError as e:
        _usage(str(e))
    if fmt == "json":
        _print_json(result.to_json())
    else:
        click.echo(changes_table(result, output_width()))
    _problems_exit(engine)
    sys.exit(1 if unknown else 0)


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--scorecard", "scorecard_id", default=None)
@click.option("--last", type=click.IntRange(min=1), default=None,
              help="the last N periods with data (the table's default: 13; JSON's: all)")
@click.option("--from", "from_period", default=None, help="YYYY-MM: from this period to the latest")
@click.option("--format", "fmt", type=FORMAT, default="table")
def trend(config: str, scorecard_id: str | None, last: int | None, from_period: str | None, fmt: str) -> None:
    """Every period with data, every measure: value and band per period."""
    if last is not None and from_period is not None:
        _usage("give --last or --from, not both")
    engine = _load(config)
    try:
        result = engine.trend(scorecard_id)
        first = _trend_start(engine, result.periods, last, from_period, fmt)
    except UsageError as e:
        _usage(str(e))
    if fmt == "json":
        _print_json(trend_json_from(result, first))
    else:
        click.echo(trend_table(result, first, output_width()))
    _problems_exit(engine)


def _trend_start(engine: Results, periods: list[str], last: int | None, from_period: str | None, fmt: str) -> int:
    """Index of the first period shown: --from's, the --last N's, else the table's last 13 (JSON: all)."""
    if from_period is not None:
        wanted = engine.resolve_period(from_period)
        if periods and wanted > periods[-1]:
            raise UsageError(f"--from {wanted} is after the latest period with data, {periods[-1]}")
        return next((i for i, p in enumerate(periods) if p >= wanted), 0)
    if last is None and fmt == "json":
        return 0
    return max(0, len(periods) - (last or TREND_DEFAULT_LAST))


def trend_json_from(result: Any, first: int) -> dict[str, Any]:
    obj = result.to_json()
    obj["periods"] = obj["periods"][first:]
    for m in obj["measures"]:
        m["values"], m["rags"] = m["values"][first:], m["rags"][first:]
    return obj


@main.command()
@click.argument("measure")
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--period", default=None, help="YYYY-MM (default the latest with data)", callback=_period_option)
@click.option("--format", "fmt", type=FORMAT, default="table")
def explain(measure: str, config: str, period: str | None, fmt: str) -> None:
    """One measure: trend, breakdowns, cohorts, comparators, SPC, definition."""
    from .explain_format import explanation_text
    from .publish.restate import explain_with_publications
    from .publish.store import PublicationStore

    engine = _load(config)
    unknown = False
    try:
        result = engine.explain(measure, period)
        try:
            result = explain_with_publications(engine, PublicationStore(engine.config.state_path), result)
        except StateFileError as e:
            unknown = _publication_unknown(e)
    except UsageError as e:
        _usage(str(e))
    if fmt == "json":
        _print_json(result.to_json())
    else:
        click.echo(explanation_text(result, engine.config.cohorts))
    _problems_exit(engine)
    sys.exit(1 if unknown else 0)


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--scorecard", "scorecard_id", default=None, help="only this scorecard's measures (default: all)")
@click.option("--format", "fmt", type=FORMAT, default="table")
def measures(config: str, scorecard_id: str | None, fmt: str) -> None:
    """Every measure: id, title, section, window, calculation, target and floor (from the config alone)."""
    from .engine.config import load_config
    from .measures_list import measures_json, measures_table

    try:
        cfg = load_config(Path(config))
    except ConfigError as e:
        for line in e.problems:
            click.echo(line, err=True)
        sys.exit(1)
    if scorecard_id is not None and scorecard_id not in {s.id for s in cfg.scorecards}:
        _usage(f"unknown scorecard {scorecard_id!r}; the config has " + ", ".join(s.id for s in cfg.scorecards))
    if fmt == "json":
        _print_json(measures_json(cfg, scorecard_id))
    else:
        click.echo(measures_table(cfg, scorecard_id, output_width()))


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--format", "fmt", type=FORMAT, default="table")
def check(config: str, fmt: str) -> None:
    """Validate the config and its data; list every problem."""
    from .engine.check import run_check

    report = run_check(Path(config))
    if fmt == "json":
        _print_json(report.to_json())
    else:
        click.echo(report.text())
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--scorecard", "scorecard_id", default=None)
@click.option("--period", default=None, callback=_period_option)
@click.option("--measure", default=None)
def show(config: str = "config.toml", scorecard_id: str | None = None, period: str | None = None,
         measure: str | None = None) -> None:
    """The terminal UI."""
    try:
        from .tui.app import run_app
    except ImportError as e:
        click.echo(f"The terminal UI is not available: {e}", err=True)
        sys.exit(1)
    sys.exit(run_app(Path(config), scorecard_id, period, measure))


@main.command("demo-data")
@click.option("--out", "out_dir", default="data/demo", show_default=True, help="folder to write the tables to")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              help="1 is a county of about 2,000 children in care")
@click.option("--seed", default=1, show_default=True, type=int, help="the same seed writes the same records")
@click.option("--force", is_flag=True, help="write over demo data already in the folder")
def demo_data(out_dir: str, scale: float, seed: int, force: bool) -> None:
    """Generate the demo county's record-level data (deterministic for a seed): Parquet tables and
    comparators.csv in the folder. Refuses to write over data already there without --force."""
    from .demo.generate import generate

    out = Path(out_dir)
    existing = sorted([*out.glob("*.parquet"), *out.glob("comparators.csv")]) if out.is_dir() else []
    if existing and not force:
        _usage(f"{out} already holds {len(existing)} data file(s) ({existing[0].name}, ...); "
               "--force writes over them, or give another --out")
    counts = generate(out, scale=scale, seed=seed)
    for table_name, rows in counts.items():
        click.echo(f"{table_name}: {rows:,} rows")
    click.echo(f"Written to {out}")


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--scorecard", "scorecard_id", default=None)
@click.option("--period", default=None, help="YYYY-MM (default the latest with data)", callback=_period_option)
@click.option("--since", default=None,
              help="band changes since this period (default the last period published before it, else the previous one)",
              callback=_period_option)
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md")
@click.option("--output", default=None, help="file to write (default standard output)")
@click.option("--force", is_flag=True, help="write over an existing --output file (never over the config or data)")
@click.option("--live", is_flag=True, help="for a published period: render from the data as it is now")
def report(config: str, scorecard_id: str | None, period: str | None, since: str | None, fmt: str,
           output: str | None, force: bool, live: bool) -> None:
    """The committee paper for a period, as Markdown or self-contained HTML."""
    from .report import write_report

    engine = _load(config)
    try:
        code = write_report(engine, period, scorecard_id, since, fmt, Path(output) if output else None, sys.stdout,
                            live=live, force=force)
    except UsageError as e:
        _usage(str(e))
    _problems_exit(engine)
    sys.exit(code)


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--scorecard", "scorecard_id", default=None, help="scorecard id (default the first)")
@click.option("--period", default=None, help="YYYY-MM (default the latest with data)", callback=_period_option)
@click.option("--replace", is_flag=True, help="publish a published period again, as its next version")
@click.option("--force", is_flag=True, help="publish although data problems were found")
@click.option("--list", "list_", is_flag=True, help="list what has been published")
@click.option("--format", "fmt", type=FORMAT, default="table")
def publish(config: str, scorecard_id: str | None, period: str | None, replace: bool, force: bool, list_: bool,
            fmt: str) -> None:
    """Record the rated scorecard, its commentary and paper, with their provenance, in the state file."""
    from .publish import commands

    engine = _load(config)
    if list_:
        rows = commands.publish_list(commands.store_of(engine), fmt, sys.stdout)
        if fmt == "json":
            _print_json(rows)
        return
    try:
        code = commands.publish(engine, scorecard_id, period, replace=replace, force=force, out=sys.stdout,
                                err=sys.stderr)
    except UsageError as e:
        _usage(str(e))
    sys.exit(code)


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--scorecard", "scorecard_id", default=None, help="one scorecard (default all)")
@click.option("--format", "fmt", type=FORMAT, default="table")
def restatements(config: str, scorecard_id: str | None, fmt: str) -> None:
    """Every published figure the data no longer gives: published and live."""
    from .publish import commands

    engine = _load(config)
    try:
        found = commands.restatements(engine, commands.store_of(engine), scorecard_id)
    except UsageError as e:
        _usage(str(e))
    if fmt == "json":
        _print_json([r.to_json() for r in found])
    else:
        click.echo(commands.restatements_text(found))
    _problems_exit(engine)


@main.command()
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@click.option("--scorecard", "scorecard_id", default=None, help="one scorecard (default: every scorecard)")
@click.option("--period", default=None, help="YYYY-MM (default the latest with data)", callback=_period_option)
@click.option("--output", default=None,
              help="the workbook, or for csv the folder (default scorecard-PERIOD.xlsx, scorecard-PERIOD-csv/)")
@click.option("--force", is_flag=True, help="write over an existing workbook or CSV files")
def export(config: str, fmt: str, scorecard_id: str | None, period: str | None, output: str | None,
           force: bool) -> None:
    """The scorecard for a period as an Excel workbook or CSV: a table per scorecard, the trend, the data notes."""
    from .export import csv_paths, export_tables, write_csv, write_xlsx

    engine = _load(config)
    try:
        tables = export_tables(engine, scorecard_id, period)
    except UsageError as e:
        _usage(str(e))
    shown = engine.resolve_period(period)
    target = Path(output) if output else Path(f"scorecard-{shown}" + (".xlsx" if fmt == "xlsx" else "-csv"))
    existing = [target] if fmt == "xlsx" and target.exists() else [p for p in csv_paths(tables, target) if p.exists()]
    if fmt == "csv" and target.exists() and not target.is_dir():
        _usage(f"{target} is a file: --output for csv names a folder")
    if existing and not force:
        _usage(f"{existing[0]} already exists; --force writes over it")
    if fmt == "xlsx":
        write_xlsx(tables, target)
        click.echo(f"Wrote {target}: sheets " + ", ".join(t.name for t in tables))
    else:
        paths = write_csv(tables, target)
        click.echo(f"Wrote {len(paths)} CSV files in {target}: " + ", ".join(p.name for p in paths))
    _problems_exit(engine)


@main.group()
def cache() -> None:
    """The results store: answers kept between runs so that unchanged data is not computed again."""


@cache.command("info")
@click.option("--format", "fmt", type=FORMAT, default="table")
def cache_info(fmt: str) -> None:
    """Where the results store is, how big, and whether it is on."""
    from .store import disk

    info = disk.Store(disk.store_path()).summary() if disk.enabled() else {"path": str(disk.store_path())}
    info["enabled"] = disk.enabled()
    if fmt == "json":
        _print_json(info)
        return
    state = "on" if info["enabled"] else "off (SCORECARD_CACHE)"
    click.echo(f"results store: {info['path']} ({state})")
    if info["enabled"]:
        click.echo(f"{info['bytes'] / 1e6:.1f} MB on disk: {info['answers']} answers for {info['keys']} data versions "
                   f"of {info['configs']} config(s)")


@cache.command("clear")
def cache_clear() -> None:
    """Delete the results store; the next run of each command computes from the data again."""
    from .store import disk

    path, freed = disk.clear()
    click.echo(f"cleared {path} ({freed / 1e6:.1f} MB)")


@main.group()
def alerts() -> None:
    """Slack alerts: evaluate and deliver once, run the scheduler, or show the outbox."""


@alerts.command("run")
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--period", default=None, help="YYYY-MM (default the latest with data)", callback=_period_option)
@click.option("--dry-run", is_flag=True, help="print the messages instead of sending them")
def alerts_run(config: str, period: str | None, dry_run: bool) -> None:
    """Evaluate transitions and deliver what is pending; exit 1 while anything is undelivered."""
    from .notify.commands import alerts_run as run

    sys.exit(run(Path(config), period, dry_run, sys.stdout))


@alerts.command("serve")
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--run-now", is_flag=True, help="evaluate and deliver once at start, then follow the schedule")
def alerts_serve(config: str, run_now: bool) -> None:
    """Run the alert schedule (cron in the organisation's timezone) until stopped."""
    from .notify.commands import alerts_serve as serve

    sys.exit(serve(Path(config), run_now))


@alerts.command("status")
@click.option("--config", default="config.toml", help=CONFIG_HELP)
@click.option("--format", "fmt", type=FORMAT, default="table")
def alerts_status(config: str, fmt: str) -> None:
    """The outbox: what was delivered, what is pending and why."""
    from .notify.commands import alerts_status as status

    sys.exit(status(Path(config), fmt, sys.stdout))


if __name__ == "__main__":
    main()
