"""`scorecard alerts run | serve | status`, as plain functions the click CLI calls.

Exit codes (SPEC section 5): 0 success; 1 when alerts are left undelivered, or config or data
problems were found; 2 on a usage error (a period that is not YYYY-MM, no period with data).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import os
import signal
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TextIO

from ..engine.config import ConfigError, load_config
from ..engine.engine import Engine, UsageError
from ..format import table
from ..statefile import StateFileError
from ..store import Results
from .data_alerts import DATA_STALE, route_data_alerts
from .deliver import DeliveryReport, deliver
from .evaluate import BAND_CHANGE, TURNED_RED, Evaluation, RoutedAlert, RouteLike, evaluate
from .locks import LockBusy, run_lock, serve_lock
from .messages import build_messages, period_label, preview
from .outbox import Dropped, Outbox, OutboxRow, utc_now
from .scheduler import ScheduleError, build_scheduler, next_runs, parse_schedule
from .secrets import CredentialsError, RedactingFormatter, check_credentials
from .slack import Deadline, SlackError, SlackSettings, client_from_env

log = logging.getLogger("scorecard.alerts")


# -- logging -------------------------------------------------------------------------------------
def configure_logging(default: int) -> None:
    """Log lines to stderr with a timestamp; `SCORECARD_LOG_LEVEL` overrides the level.
    Secrets from the environment are redacted from every line, tracebacks included; the
    scheduler's (APScheduler's) own warnings go through the same handler."""
    level_name = os.environ.get("SCORECARD_LOG_LEVEL", "").upper()
    level = logging.getLevelName(level_name) if level_name else default
    if not isinstance(level, int):
        level = default
    root = logging.getLogger("scorecard")
    root.setLevel(level)
    if not any(getattr(h, "_scorecard_alerts", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(message)s"))
        handler._scorecard_alerts = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.propagate = False
        scheduler_log = logging.getLogger("apscheduler")
        scheduler_log.addHandler(handler)
        scheduler_log.setLevel(logging.WARNING)
        scheduler_log.propagate = False


# -- run -----------------------------------------------------------------------------------------
def _kinds_summary(ev: Evaluation) -> str:
    """Transitions are counted per scorecard; what turned red or changed band, per measure."""
    red = len({t.measure for t in ev.transitions if TURNED_RED in t.kinds})
    changed = len({t.measure for t in ev.transitions if BAND_CHANGE in t.kinds})
    return (f"{len(ev.transitions)} transition(s) on {len({t.scorecard for t in ev.transitions})} scorecard(s): "
            f"{red} measure(s) turned red, {changed} changed band")


def _data_summary(data: list[RoutedAlert]) -> str:
    """`, 1 alert(s) on the data (1 restated)` for the data_stale and restated routes."""
    if not data:
        return ""
    stale = sum(1 for a in data if DATA_STALE in a.transition.kinds)
    restated = len(data) - stale
    parts = [f"{n} {word}" for n, word in ((stale, "stale or missing"), (restated, "restated")) if n]
    return f"; {len(data)} alert(s) on the data ({', '.join(parts)})"


def _evaluation_lines(engine: Engine, ev: Evaluation) -> list[str]:
    lines = []
    for scorecard, period in ev.periods.items():
        found = sum(1 for t in ev.transitions if t.scorecard == scorecard)
        lines.append(f"{scorecard}: {period_label(period)} against {period_label(engine.previous_period(period))}: "
                     f"{found} transition(s)")
    if not ev.periods:
        lines.append("no route takes any scorecard: nothing to evaluate")
    return lines


def _report_lines(report: DeliveryReport) -> list[str]:
    lines = list(report.notes)
    for route, n in report.found_in_history.items():
        lines.append(f"{route}: {n} alert(s) were already in the channel (found in its history), not sent again")
    for s in report.sent:
        part = f" (message {s.part} of {s.parts})" if s.parts > 1 else ""
        lines.append(f"{s.route}: sent {s.alerts} alert(s){part}, ts {s.ts or '-'}")
    for route, error in report.failures:
        lines.append(f"{route}: not delivered: {error}")
    if report.stopped:
        lines.append(f"stopped sending: {report.stopped}")
    return lines


@dataclass(frozen=True)
class _Loaded:
    engine: Results
    state: Path


def _load(config_path: Path, err: TextIO) -> _Loaded | int:
    try:
        engine = Results.open(Path(config_path))
    except ConfigError as e:
        for line in e.problems:
            print(line, file=err)
        return 1
    except FileNotFoundError as e:
        print(f"Error: {e}", file=err)
        return 1
    alerts = engine.config.alerts
    if alerts is None or not alerts.routes:
        print(f"{engine.config.path}: alerts: no [[alerts.routes]] configured, so there is nothing to send", file=err)
        return 1
    return _Loaded(engine, engine.config.state_path)


def alerts_run(config_path: Path, period: str | None, dry_run: bool, out: TextIO) -> int:
    """Evaluate and deliver alerts once. With `dry_run`, print the messages that would be sent and
    leave the state file as it was. Exit 1 while any alert is undelivered."""
    configure_logging(logging.WARNING)
    return run_once(Path(config_path), period, dry_run, out, sys.stderr)


def run_once(config_path: Path, period: str | None, dry_run: bool, out: TextIO, err: TextIO) -> int:
    loaded = _load(config_path, err)
    if isinstance(loaded, int):
        return loaded
    engine, state = loaded.engine, loaded.state
    org = engine.config.organisation
    if not dry_run:
        try:
            check_credentials()
        except CredentialsError as e:
            print(f"Error: {e}", file=err)
            return 1
    settings = SlackSettings.from_env()
    lock = run_lock(state)
    if not dry_run:
        try:
            lock.acquire(wait=settings.deadline, on_wait=lambda holder: print(
                f"another alerts run ({holder}) holds {lock.path}; waiting up to {settings.deadline:g} s for it",
                file=err, flush=True))
        except LockBusy as e:
            print(f"another alerts run is in progress ({e.holder}, lock {e.path}); try again later", file=err)
            return 1
    try:
        try:
            ev = evaluate(engine, period)
        except UsageError as e:
            print(f"Error: {e}", file=err)
            return 2
        now = utc_now()
        with Outbox.open(state, create=not dry_run) as outbox:
            if dry_run:
                return _dry_run(engine, ev, outbox, now, out, err)
            data = route_data_alerts(engine, outbox.conn, engine.config.alerts.routes)  # type: ignore[union-attr]
            recorded = outbox.record([*ev.alerts, *data], ev.periods, len(ev.transitions), now, routes=_routes(engine))
            for line in _evaluation_lines(engine, ev):
                print(line, file=out)
            print(f"{org.name}: {_kinds_summary(ev)}{_data_summary(data)}; {recorded.new_alerts} new alert(s) "
                  "in the outbox", file=out)
            for line in _dropped_lines(recorded.dropped):
                print(line, file=out)
            deadline = Deadline(settings.deadline)
            client = client_from_env(settings, deadline)
            pending = outbox.counts()["pending"]
            if client is None:
                if pending:
                    print(f"{pending} alert(s) pending: set SLACK_BOT_TOKEN (or SLACK_WEBHOOK_URL) to deliver them",
                          file=out)
                code = 1 if pending else 0
            elif pending == 0:
                print("nothing to send", file=out)
                code = 0
            else:
                report = deliver(outbox, client, organisation=org.name, timezone=org.timezone, deadline=deadline,
                                 now=now)
                for line in _report_lines(report):
                    print(line, file=out)
                if report.pending:
                    print(f"{report.pending} alert(s) pending: they are retried on the next run "
                          "(`scorecard alerts status` lists them)", file=out)
                else:
                    print("all alerts delivered", file=out)
                code = 1 if report.pending else 0
        return max(code, _problems(engine, err))
    finally:
        lock.release()


def _dry_run(engine: Engine, ev: Evaluation, outbox: Outbox, now: dt.datetime, out: TextIO, err: TextIO) -> int:
    org = engine.config.organisation
    with outbox.preview():  # the run is recorded, read back and rolled back
        data = route_data_alerts(engine, outbox.conn, engine.config.alerts.routes)  # type: ignore[union-attr]
        recorded = outbox.record([*ev.alerts, *data], ev.periods, len(ev.transitions), now, routes=_routes(engine))
        pending = outbox.pending()
    for line in _evaluation_lines(engine, ev):
        print(line, file=out)
    print(f"{org.name}: {_kinds_summary(ev)}{_data_summary(data)}; {recorded.new_alerts} new alert(s) (dry run: "
          "nothing recorded, nothing sent)", file=out)
    for line in _dropped_lines(recorded.dropped):
        print(line, file=out)
    by_route: dict[str, list[OutboxRow]] = {}
    for r in pending:
        by_route.setdefault(r.route, []).append(r)
    if not by_route:
        print("no messages to send", file=out)
    for route, rows in by_route.items():
        for message in build_messages(route, rows, organisation=org.name, timezone=org.timezone, now=now):
            print(preview(message), file=out)
    return _problems(engine, err)


def _routes(engine: Engine) -> list[RouteLike]:
    alerts = engine.config.alerts
    return list(alerts.routes) if alerts is not None else []


def _dropped_lines(dropped: list[Dropped]) -> list[str]:
    lines = []
    for d in dropped:
        moved = "; " + ", ".join(f"{n} re-routed to {ch}" for ch, n in d.rerouted.items()) if d.rerouted else ""
        lines.append(f"{d.route}: {d.alerts} pending alert(s) dropped, not sent: {d.reason}{moved}")
    return lines


def _problems(engine: Engine, err: TextIO) -> int:
    if not engine.has_problems:
        return 0
    lines = engine.problem_lines()
    print(f"{len(lines)} data problem(s) found; `scorecard check` lists them", file=err)
    return 1


# -- serve ---------------------------------------------------------------------------------------
def _scheduled_run(config_path: Path) -> int:
    log.info("alerts run started")
    out, err = io.StringIO(), io.StringIO()
    failure = None
    try:
        code = run_once(config_path, None, False, out, err)
    except StateFileError as e:  # one line naming the file, as on the command line
        code, failure = 1, str(e)
    except Exception:  # the scheduler keeps going; the next run tries again
        _log_output(out, err)
        log.exception("alerts run failed")
        return 1
    _log_output(out, err)
    if failure:
        log.error("%s", failure)
    log.info("alerts run finished (exit %d)", code)
    return code


def _log_output(out: io.StringIO, err: io.StringIO) -> None:
    for line in out.getvalue().splitlines():
        log.info("%s", line)
    for line in err.getvalue().splitlines():
        log.warning("%s", line)


def alerts_serve(config_path: Path, run_now: bool = False) -> int:
    """Run the alerts on the config's schedule until stopped (SIGTERM, SIGINT). Refuses to start
    when another `serve` holds the state file's lock. `run_now` also runs once straight away."""
    configure_logging(logging.INFO)
    config_path = Path(config_path)
    try:
        config = load_config(config_path)
    except ConfigError as e:
        for line in e.problems:
            print(line, file=sys.stderr)
        return 1
    alerts = config.alerts
    if alerts is None or not alerts.routes:
        print(f"{config.path}: alerts: no [[alerts.routes]] configured, so there is nothing to send",
              file=sys.stderr)
        return 1
    if not alerts.schedule:
        print(f"{config.path}: alerts.schedule: no schedule, so `serve` has nothing to do "
              "(e.g. schedule = \"0 9 * * MON-FRI\")", file=sys.stderr)
        return 1
    timezone = config.organisation.timezone
    try:
        trigger = parse_schedule(alerts.schedule, timezone)
    except ScheduleError as e:
        print(f"{config.path}: {e}", file=sys.stderr)
        return 1
    try:
        check_credentials()
    except CredentialsError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    lock = serve_lock(config.state_path)
    try:
        lock.acquire()
    except LockBusy as e:
        print(f"another `scorecard alerts serve` is already running for {config.state_path} ({e.holder}; lock {e.path})",
              file=sys.stderr)
        return 1
    try:
        settings = SlackSettings.from_env()
        client = client_from_env(settings, Deadline(settings.deadline))
        if client is None:
            log.warning("neither SLACK_BOT_TOKEN nor SLACK_WEBHOOK_URL is set: alerts will wait in the outbox")
        else:
            try:
                who = client.auth_test()
                log.info("Slack: %s", ", ".join(f"{k} {v}" for k, v in who.items() if v))
            except SlackError as e:
                if e.kind == "auth":
                    print(f"Slack refused the credentials: {e.message}", file=sys.stderr)
                    return 1
                log.warning("Slack is not answering yet (%s); runs will retry", e.message)
        scheduler = build_scheduler(lambda: _scheduled_run(config_path), trigger, timezone, run_now=run_now)

        def stop(signum: int, frame: FrameType | None) -> None:
            log.info("stopping (signal %d)", signum)
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        upcoming = next_runs(trigger, dt.datetime.now(trigger.timezone), 1)
        log.info("serving alerts for %s: schedule %r (%s), next run %s%s; lock %s", config.organisation.name,
                 alerts.schedule, timezone, upcoming[0].isoformat() if upcoming else "never",
                 " (and one now)" if run_now else "", lock.path)
        scheduler.start()
        log.info("stopped")
        return 0
    finally:
        lock.release()


# -- status --------------------------------------------------------------------------------------
def alerts_status(config_path: Path, fmt: str, out: TextIO) -> int:
    """The outbox: every alert, pending first, as a table or (`fmt="json"`) one JSON object."""
    try:
        config = load_config(Path(config_path))
    except ConfigError as e:
        for line in e.problems:
            print(line, file=sys.stderr)
        return 1
    state = config.state_path
    box = Outbox.open_existing(state)
    if box is None:
        rows: list[OutboxRow] = []
        counts = {"pending": 0, "delivered": 0, "dropped": 0}
        last_run = None
    else:
        with box:
            rows, counts, last_run = box.rows(), box.counts(), box.last_run()
    order = {"pending": 0, "delivered": 1, "dropped": 2}
    rows.sort(key=lambda r: (order.get(r.status, 3), -r.id))
    credential, protection = _protection()
    if fmt == "json":
        print(json.dumps({"state": str(state), "summary": counts, "last_run": last_run,
                          "credential": credential, "history_check": credential == "bot",
                          "alerts": [r.to_json() for r in rows]}, indent=1, ensure_ascii=False), file=out)
        return 0
    head = f"Alerts outbox {state}: {counts['pending']} pending, {counts['delivered']} delivered"
    if counts["dropped"]:
        head += f", {counts['dropped']} dropped"
    if last_run:
        head += f"; last evaluated {last_run['started_at']}"
    print(head, file=out)
    print(protection, file=out)
    if not rows:
        print("no alerts yet", file=out)
        return 0
    lines = []
    for r in rows:
        if r.status == "delivered":
            detail = f"ts {r.slack_ts or '-'} at {r.delivered_at}" + (" (found in history)" if r.found_in_history
                                                                       else "")
        elif r.status == "dropped":
            detail = f"not sent: {r.dropped_reason or 'its route is gone'}"[:100]
        elif r.attempts or r.last_error:
            detail = (r.last_error or "sending (outcome unknown)")[:100]
        else:
            detail = "not tried yet"
        lines.append([str(r.id), r.status, r.route, r.scorecard, r.measure, r.period, f"{r.from_band} → {r.to_band}",
                      str(r.attempts), detail])
    print(table(["ID", "STATUS", "ROUTE", "SCORECARD", "MEASURE", "PERIOD", "CHANGE", "TRIES", "DETAIL"], lines,
                right=(0, 7)), file=out)
    by_route = Counter(r.route for r in rows if r.status == "pending")
    if by_route:
        print("pending by route: " + ", ".join(f"{k} {v}" for k, v in by_route.items()), file=out)
    dropped = Counter((r.route, r.dropped_reason) for r in rows if r.status == "dropped")
    for (route, reason), n in dropped.items():
        print(f"dropped, not sent: {n} alert(s) for {route}: {reason or 'its route is gone'}", file=out)
    return 0


def _protection() -> tuple[str | None, str]:
    """Which Slack credential is set, and a line saying whether a lost state file can resend alerts."""
    try:
        credential = check_credentials()
    except CredentialsError as e:
        return None, f"Slack credentials: {e}"
    if credential == "bot":
        return credential, ("Resending protection: on (bot token): before sending an alert the state file has no "
                            "record of sending, the channel's history is checked, so a lost state file sends nothing "
                            "twice")
    if credential == "webhook":
        return credential, ("Resending protection: OFF (SLACK_WEBHOOK_URL): a webhook cannot read the channel's "
                            "history, so if this state file is lost or damaged, delivered alerts are sent again; "
                            "a bot token (SLACK_BOT_TOKEN) avoids this")
    return None, "Slack credentials: none set (SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL): alerts wait in the outbox"
