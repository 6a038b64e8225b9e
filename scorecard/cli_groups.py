"""`scorecard cache` and `scorecard alerts`: command groups of the command line."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from .cli_support import config_option, finish, format_option, loaded_config, period_argument, print_json, results_or_exit
from .store import Results


@click.group()
def cache() -> None:
    """The results store: answers kept between runs so that unchanged data is not computed again."""


@cache.command("info")
@format_option
def cache_info(fmt: str) -> None:
    """Where the results store is, how big, and whether it is on."""
    from .store import disk

    info = disk.Store(disk.store_path()).summary() if disk.enabled() else {"path": str(disk.store_path())}
    info["enabled"] = disk.enabled()
    if fmt == "json":
        print_json(info)
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


@click.group()
def alerts() -> None:
    """Slack alerts: evaluate and deliver once, run the scheduler, or show the outbox."""


@alerts.command("run")
@config_option
@period_argument()
@click.option("--dry-run", is_flag=True, help="print the messages instead of sending them")
def alerts_run(config: str, period: str | None, dry_run: bool) -> None:
    """Evaluate transitions and deliver what is pending; exit 1 while anything is undelivered."""
    from .notify.commands import configure_logging, run_once

    configure_logging(logging.WARNING)
    engine = results_or_exit(config)
    finish(run_once(engine, period, dry_run), engine)


@alerts.command("serve")
@config_option
@click.option("--run-now", is_flag=True, help="evaluate and deliver once at start, then follow the schedule")
def alerts_serve(config: str, run_now: bool) -> None:
    """Run the alert schedule (cron in the organisation's timezone) until stopped."""
    from .notify.commands import alerts_serve as serve

    finish(serve(loaded_config(config), lambda: Results.open(Path(config)), run_now))


@alerts.command("status")
@config_option
@format_option
def alerts_status(config: str, fmt: str) -> None:
    """The outbox: what was delivered, what is pending and why."""
    from .notify.commands import alerts_status as status

    finish(status(loaded_config(config), fmt))

