"""The `scorecard` command: wires the engine and the views together, computes nothing itself.

Exit codes (SPEC section 5): 0 success, 1 data or config problems found, 2 usage error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from .cli_support import (
    TREND_DEFAULT_LAST,
    check_order,
    config_option,
    config_or_exit,
    format_option,
    loaded_config,
    period_argument,
    print_json,
    print_problems,
    problems_exit,
    publication_unknown,
    results_or_exit,
    scorecard_option,
    usage_error,
)
from .engine.gcpause import freeze_at_exit
from .engine.lookup import UsageError  # not engine.engine: that imports polars, which `scorecard` (the UI) need not wait for
from .format import changes_table, rating_table, trend_table
from .statefile import StateFileError
from .store import Results
from .textfit import output_width


def reader_gone(code: int | str | None) -> None:
    """The reader closed standard output (`scorecard alerts status | head -1`): what it did not read is
    thrown away and the command ends quietly with the exit code it had chosen, 0 if it had not chosen one
    yet (the reader stopping early is no failure: a script with `set -o pipefail` carries on)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit then has nowhere to fail
        os.close(devnull)
    except (OSError, ValueError):  # a standard output that is not a file: nothing is left to flush there
        pass
    sys.exit(code)


class ScorecardGroup(click.Group):
    """Turns an unexpected failure into one line on stderr (no traceback) unless SCORECARD_DEBUG is set.
    A state file that cannot be used is one line naming it (exit 1). Output cut short by the reader
    (`| head`) ends quietly with the command's own exit code (`reader_gone`).
    `scorecard --period P` (options and no command) is `scorecard show --period P`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0].startswith("-") and args[0] not in ("--help", "-h"):
            args = ["show", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        code: int | str | None = 0  # the exit code the command chose, if it chose one before the pipe closed
        try:
            try:
                return super().invoke(ctx)
            except SystemExit as e:
                code = e.code
                raise
            except click.exceptions.Exit as e:
                code = e.exit_code
                raise
            finally:
                sys.stdout.flush()  # here, not at exit, so a closed pipe is caught like any other
        except BrokenPipeError:
            reader_gone(code)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
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
@config_option
@scorecard_option()
@period_argument()
@format_option
def rate(config: str, scorecard_id: str | None, period: str | None, fmt: str) -> None:
    """Rate a scorecard for a period."""
    from .publish.restate import rate_with_publications
    from .publish.store import PublicationStore

    engine = results_or_exit(config)
    unknown = False
    try:
        try:
            result = rate_with_publications(engine, PublicationStore(engine.config.state_path), scorecard_id, period)
        except StateFileError as e:  # rate all the same, saying what is not known
            unknown = publication_unknown(e)
            result = engine.rate(scorecard_id, period)
    except UsageError as e:
        usage_error(str(e))
    if fmt == "json":
        print_json(result.to_json())
    else:
        click.echo(rating_table(result, engine.config.organisation.name, output_width()))
    problems_exit(engine)
    sys.exit(1 if unknown else 0)


@main.command()
@config_option
@scorecard_option()
@period_argument("YYYY-MM (default the last period published before --to, with its published figures; "
                 "else the month before)", name="--from", dest="from_period")
@period_argument(name="--to", dest="to_period")
@format_option
def changes(config: str, scorecard_id: str | None, from_period: str | None, to_period: str | None,
            fmt: str) -> None:
    """Band changes between two periods: improved, then declined."""
    from .publish.store import PublicationStore

    engine = results_or_exit(config)
    unknown = False
    try:
        to_period = engine.resolve_period(to_period)
        check_order(engine, from_period, to_period)  # a --from given must be before --to (or the latest)
        published = None
        if from_period is None:  # SPEC section 7: since the last report
            sc = engine.scorecard(scorecard_id).id
            try:
                last = PublicationStore(engine.config.state_path).latest_before(sc, to_period)
            except StateFileError as e:  # since the month before, saying the last report is not known
                unknown, last = publication_unknown(e), None
            from_period = last.period if last is not None else engine.previous_period(to_period)
            if last is not None:
                published = {k: (f.value, f.rag) for k, f in last.figures.items()}
        result = engine.changes(scorecard_id, from_period, to_period, published)
    except UsageError as e:
        usage_error(str(e))
    if fmt == "json":
        print_json(result.to_json())
    else:
        click.echo(changes_table(result, output_width()))
    problems_exit(engine)
    sys.exit(1 if unknown else 0)


@main.command()
@config_option
@scorecard_option()
@click.option("--last", type=click.IntRange(min=1), default=None,
              help="the last N periods with data (the table's default: 13; JSON's: all)")
@click.option("--from", "from_period", default=None, help="YYYY-MM: from this period to the latest")
@format_option
def trend(config: str, scorecard_id: str | None, last: int | None, from_period: str | None, fmt: str) -> None:
    """Every period with data, every measure: value and band per period."""
    if last is not None and from_period is not None:
        usage_error("give --last or --from, not both")
    engine = results_or_exit(config)
    try:
        result = engine.trend(scorecard_id)
        first = _trend_start(engine, result.periods, last, from_period, fmt)
    except UsageError as e:
        usage_error(str(e))
    if fmt == "json":
        print_json(trend_json_from(result, first))
    else:
        click.echo(trend_table(result, first, output_width()))
    problems_exit(engine)


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
@config_option
@period_argument()
@click.option("--since", default=None,
              help="the last report (YYYY-MM; default the last period published before --period, else the month before)")
@format_option
def explain(measure: str, config: str, period: str | None, since: str | None, fmt: str) -> None:
    """One measure: trend, breakdowns, cohorts, comparators, SPC, definition."""
    from .explain_format import explanation_text
    from .publish.restate import explain_with_publications
    from .publish.store import PublicationStore

    engine = results_or_exit(config)
    unknown = False
    try:
        store = PublicationStore(engine.config.state_path)
        if since is None:  # SPEC section 7: the last report, published before the period on the measure's scorecards
            period = engine.resolve_period(period)
            try:
                found = [last.period for sc in engine.measure(measure).scorecards
                         if (last := store.latest_before(sc, period)) is not None]
            except StateFileError as e:  # since the month before, saying the last report is not known
                unknown, found = publication_unknown(e), []
            since = max(found) if found else None  # else the month before
        result = engine.explain(measure, period, since=since)
        try:
            result = explain_with_publications(engine, store, result)
        except StateFileError as e:
            unknown = publication_unknown(e)
    except UsageError as e:
        usage_error(str(e))
    if fmt == "json":
        print_json(result.to_json())
    else:
        click.echo(explanation_text(result, engine.config.cohorts))
    problems_exit(engine)
    sys.exit(1 if unknown else 0)


@main.command()
@config_option
@scorecard_option("only this scorecard's measures (default: all)")
@format_option
def measures(config: str, scorecard_id: str | None, fmt: str) -> None:
    """Every measure: id, title, section, window, calculation, target and floor (from the config alone)."""
    from .measures_list import measures_json, measures_table

    cfg = loaded_config(config)
    if scorecard_id is not None and scorecard_id not in {s.id for s in cfg.scorecards}:
        usage_error(f"unknown scorecard {scorecard_id!r}; the config has " + ", ".join(s.id for s in cfg.scorecards))
    if fmt == "json":
        print_json(measures_json(cfg, scorecard_id))
    else:
        click.echo(measures_table(cfg, scorecard_id, output_width()))


@main.command()
@config_option
@format_option
def check(config: str, fmt: str) -> None:
    """Validate the config and its data; list every problem."""
    from .engine.check import run_check

    report = run_check(Path(config))
    if fmt == "json":
        print_json(report.to_json())
    else:
        click.echo(report.text())
    sys.exit(0 if report.ok else 1)


@main.command()
@config_option
@scorecard_option()
@period_argument()
@click.option("--measure", default=None)
def show(config: str = "config.toml", scorecard_id: str | None = None, period: str | None = None,
         measure: str | None = None) -> None:
    """The terminal UI."""
    from .tui.request import request_problem

    try:
        from .tui.app import run_app
    except ImportError as e:
        click.echo(f"The terminal UI is not available: {e}", err=True)
        sys.exit(1)
    if scorecard_id is None and period is None and measure is None:
        target: Any = config  # its path: a second start on unchanged data reads the config behind the first screen
    else:
        target = loaded_config(config)
        problem = request_problem(target, scorecard_id, period, measure)
        if problem:
            usage_error(problem)
    try:
        code, found = config_or_exit(lambda: run_app(target, scorecard_id, period, measure))
    except UsageError as e:  # SPEC section 7: a period after the latest with data
        usage_error(str(e))
    if code:  # the app stopped on an error (Textual has shown it)
        sys.exit(code)
    if print_problems(found):
        sys.exit(1)


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
        usage_error(f"{out} already holds {len(existing)} data file(s) ({existing[0].name}, ...); "
               "--force writes over them, or give another --out")
    counts = generate(out, scale=scale, seed=seed)
    for table_name, rows in counts.items():
        click.echo(f"{table_name}: {rows:,} rows")
    click.echo(f"Written to {out}")


@main.command()
@config_option
@scorecard_option()
@period_argument()
@period_argument("band changes since this period (default the last period published before it, else the previous "
                 "one)", name="--since")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default=None,
              help="md or html (default: html for an --output ending .html or .htm, else md)")
@click.option("--output", default=None, help="file to write (default standard output)")
@click.option("--force", is_flag=True, help="write over an existing --output file (never over the config or data)")
@click.option("--live", is_flag=True, help="for a published period: render from the data as it is now")
def report(config: str, scorecard_id: str | None, period: str | None, since: str | None, fmt: str | None,
           output: str | None, force: bool, live: bool) -> None:
    """The committee paper for a period, as Markdown or self-contained HTML."""
    from .report import write_report

    if fmt is None:  # the file's name says what it is: paper.html is the web page
        fmt = "html" if output and Path(output).suffix.lower() in (".html", ".htm") else "md"

    engine = results_or_exit(config)
    try:
        code = write_report(engine, period, scorecard_id, since, fmt, Path(output) if output else None, sys.stdout,
                            live=live, force=force)
    except UsageError as e:
        usage_error(str(e))
    problems_exit(engine)
    sys.exit(code)


@main.command()
@config_option
@scorecard_option()
@period_argument()
@click.option("--replace", is_flag=True, help="publish a published period again, as its next version")
@click.option("--force", is_flag=True, help="publish although data problems were found")
@click.option("--list", "list_", is_flag=True, help="list what has been published")
@format_option
def publish(config: str, scorecard_id: str | None, period: str | None, replace: bool, force: bool, list_: bool,
            fmt: str) -> None:
    """Record the rated scorecard, its commentary and paper, with their provenance, in the state file."""
    from .publish import commands

    engine = results_or_exit(config)
    if list_:
        rows = commands.publish_list(commands.store_of(engine), fmt, sys.stdout)
        if fmt == "json":
            print_json(rows)
        return
    try:
        code = commands.publish(engine, scorecard_id, period, replace=replace, force=force, out=sys.stdout,
                                err=sys.stderr)
    except UsageError as e:
        usage_error(str(e))
    sys.exit(code)


@main.command()
@config_option
@scorecard_option("one scorecard (default all)")
@format_option
def restatements(config: str, scorecard_id: str | None, fmt: str) -> None:
    """Every published figure the data no longer gives: published and live."""
    from .publish import commands

    engine = results_or_exit(config)
    try:
        found = commands.restatements(engine, commands.store_of(engine), scorecard_id)
    except UsageError as e:
        usage_error(str(e))
    if fmt == "json":
        print_json([r.to_json() for r in found])
    else:
        click.echo(commands.restatements_text(found))
    problems_exit(engine)


@main.command()
@config_option
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True)
@scorecard_option("one scorecard (default: every scorecard)")
@period_argument()
@click.option("--output", default=None,
              help="the workbook, or for csv the folder (default scorecard-PERIOD.xlsx, scorecard-PERIOD-csv/)")
@click.option("--force", is_flag=True, help="write over an existing workbook or CSV files")
def export(config: str, fmt: str, scorecard_id: str | None, period: str | None, output: str | None,
           force: bool) -> None:
    """The scorecard for a period as an Excel workbook or CSV: a table per scorecard, the trend, the data notes."""
    from .export import csv_paths, export_tables, write_csv, write_xlsx

    engine = results_or_exit(config)
    try:
        tables = export_tables(engine, scorecard_id, period)
    except UsageError as e:
        usage_error(str(e))
    shown = engine.resolve_period(period)
    target = Path(output) if output else Path(f"scorecard-{shown}" + (".xlsx" if fmt == "xlsx" else "-csv"))
    existing = [target] if fmt == "xlsx" and target.exists() else [p for p in csv_paths(tables, target) if p.exists()]
    if fmt == "csv" and target.exists() and not target.is_dir():
        usage_error(f"{target} is a file: --output for csv names a folder")
    if existing and not force:
        usage_error(f"{existing[0]} already exists; --force writes over it")
    if fmt == "xlsx":
        write_xlsx(tables, target)
        click.echo(f"Wrote {target}: sheets " + ", ".join(t.name for t in tables))
    else:
        paths = write_csv(tables, target)
        click.echo(f"Wrote {len(paths)} CSV files in {target}: " + ", ".join(p.name for p in paths))
    problems_exit(engine)


from .cli_groups import alerts, cache  # noqa: E402  (the groups' commands use main's helpers only)

main.add_command(cache)
main.add_command(alerts)


def run() -> None:
    """The `scorecard` program (its console script and `python -m scorecard.cli`): the command line,
    in a process that ends with it, so the interpreter's last collections over everything still alive
    are skipped (`gcpause.freeze_at_exit`). Tests call `main` in their own process instead."""
    freeze_at_exit()
    main()


if __name__ == "__main__":
    run()
