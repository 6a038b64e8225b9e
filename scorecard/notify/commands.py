"""`scorecard alerts run | serve | status`: each takes the config (or the engine) the command line
loaded and returns an `Outcome`, what happened, for the command line to print.

Exit codes (SPEC section 5, `exit_code`): 0 success; 1 when alerts are left undelivered, the
command refused, or data problems were found; 2 on a usage error (a period that is not YYYY-MM,
no period with data). Config problems never reach here: the command line reports them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType

from ..engine.config import ConfigError
from ..engine.config_model import Config
from ..engine.engine import Engine, UsageError
from ..format import table
from ..statefile import StateFileError
from ..store import Results
from .data_alerts import DATA_STALE, route_data_alerts
from .deliver import DeliveryReport, deliver
from .evaluate import BAND_CHANGE, TURNED_RED, Evaluation, RoutedAlert, RouteLike, evaluate
from .locks import LockBusy, run_lock, serve_lock
from .messages import build_messages, contents, period_label, preview
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
        lines.append(f"{s.route}: sent {contents(s.alerts, s.lines)}{part}, ts {s.ts or '-'}")
    for route, error in report.failures:
        lines.append(f"{route}: not delivered: {error}")
    if report.stopped:
        lines.append(f"stopped sending: {report.stopped}")
    return lines


@dataclass
class Outcome:
    """What an alerts command did, for the command line to print and to turn into an exit code."""

    lines: list[str] = field(default_factory=list)  # what happened (standard output)
    errors: list[str] = field(default_factory=list)  # why it stopped or refused (standard error)
    usage_error: bool = False  # the request itself was wrong
    pending: int = 0  # alerts left undelivered

    def say(self, line: str) -> None:
        self.lines.append(line)

    def refuse(self, line: str) -> Outcome:
        self.errors.append(line)
        return self


def _no_routes(config: Config) -> str | None:
    if config.alerts is None or not config.alerts.routes:
        return f"{config.path}: alerts: no [[alerts.routes]] configured, so there is nothing to send"
    return None


def run_once(engine: Results, period: str | None, dry_run: bool) -> Outcome:
    """Evaluate and deliver alerts once. With `dry_run`, show the messages that would be sent and
    leave the state file as it was (creating none)."""
    outcome = Outcome()
    refusal = _no_routes(engine.config)
    if refusal:
        return outcome.refuse(refusal)
    state = engine.config.state_path
    org = engine.config.organisation
    if not dry_run:
        try:
            check_credentials()
        except CredentialsError as e:
            return outcome.refuse(f"Error: {e}")
    settings = SlackSettings.from_env()
    lock = run_lock(state)
    if not dry_run:
        try:
            lock.acquire(wait=settings.deadline, on_wait=lambda holder: log.warning(  # said as it waits
                "another alerts run (%s) holds %s; waiting up to %g s for it", holder, lock.path, settings.deadline))
        except LockBusy as e:
            return outcome.refuse(f"another alerts run is in progress ({e.holder}, lock {e.path}); try again later")
    try:
        try:
            ev = evaluate(engine, period)
        except UsageError as e:
            outcome.usage_error = True
            return outcome.refuse(f"Error: {e}")
        now = utc_now()
        with Outbox.open(state, create=not dry_run) as outbox:
            if dry_run:
                return _dry_run(engine, ev, outbox, now, outcome)
            data = route_data_alerts(engine, outbox.conn, engine.config.alerts.routes)  # type: ignore[union-attr]
            recorded = outbox.record([*ev.alerts, *data], ev.periods, len(ev.transitions), now, routes=_routes(engine))
            outcome.lines += _evaluation_lines(engine, ev)
            outcome.say(f"{org.name}: {_kinds_summary(ev)}{_data_summary(data)}; {recorded.new_alerts} new alert(s) "
                        "in the outbox")
            outcome.lines += _dropped_lines(recorded.dropped)
            deadline = Deadline(settings.deadline)
            client = client_from_env(settings, deadline)
            pending = outbox.counts()["pending"]
            if client is None:
                if pending:
                    outcome.say(f"{pending} alert(s) pending: set SLACK_BOT_TOKEN (or SLACK_WEBHOOK_URL) to deliver them")
                outcome.pending = pending
            elif pending == 0:
                outcome.say("nothing to send")
            else:
                report = deliver(outbox, client, organisation=org.name, timezone=org.timezone, deadline=deadline,
                                 now=now)
                outcome.lines += _report_lines(report)
                if report.pending:
                    outcome.say(f"{report.pending} alert(s) pending: they are retried on the next run "
                                "(`scorecard alerts status` lists them)")
                else:
                    outcome.say("all alerts delivered")
                outcome.pending = report.pending
        return outcome
    finally:
        lock.release()


def _dry_run(engine: Results, ev: Evaluation, outbox: Outbox, now: dt.datetime, outcome: Outcome) -> Outcome:
    org = engine.config.organisation
    with outbox.preview():  # the run is recorded, read back and rolled back
        data = route_data_alerts(engine, outbox.conn, engine.config.alerts.routes)  # type: ignore[union-attr]
        recorded = outbox.record([*ev.alerts, *data], ev.periods, len(ev.transitions), now, routes=_routes(engine))
        pending = outbox.pending()
    outcome.lines += _evaluation_lines(engine, ev)
    outcome.say(f"{org.name}: {_kinds_summary(ev)}{_data_summary(data)}; {recorded.new_alerts} new alert(s) (dry run: "
                "nothing recorded, nothing sent)")
    outcome.lines += _dropped_lines(recorded.dropped)
    by_route: dict[str, list[OutboxRow]] = {}
    for r in pending:
        by_route.setdefault(r.route, []).append(r)
    if not by_route:
        outcome.say("no messages to send")
    for route, rows in by_route.items():
        for message in build_messages(route, rows, organisation=org.name, timezone=org.timezone, now=now):
            outcome.say(preview(message))
    return outcome


def _routes(engine: Results) -> list[RouteLike]:
    alerts = engine.config.alerts
    return list(alerts.routes) if alerts is not None else []


def _dropped_lines(dropped: list[Dropped]) -> list[str]:
    lines = []
    for d in dropped:
        moved = "; " + ", ".join(f"{n} re-routed to {ch}" for ch, n in d.rerouted.items()) if d.rerouted else ""
        lines.append(f"{d.route}: {d.alerts} pending alert(s) dropped, not sent: {d.reason}{moved}")
    return lines


# -- serve ---------------------------------------------------------------------------------------
def _scheduled_run(load: Callable[[], Results]) -> int:
    """One run of `serve`: the config and data read afresh, what happened logged; the exit code
    `alerts run` would give."""
    log.info("alerts run started")
    code = 1
    try:
        engine = load()
        outcome = run_once(engine, None, False)
    except ConfigError as e:
        for line in e.problems:
            log.warning("%s", line)
    except StateFileError as e:  # one line naming the file, as on the command line
        log.error("%s", e)
    except Exception:  # the scheduler keeps going; the next run tries again
        log.exception("alerts run failed")
    else:
        for line in outcome.lines:
            log.info("%s", line)
        for line in outcome.errors:
            log.warning("%s", line)
        if engine.has_problems:
            log.warning("%d data problem(s) found; `scorecard check` lists them", len(engine.problem_lines()))
        code = exit_code(outcome, engine.has_problems)
    log.info("alerts run finished (exit %d)", code)
    return code


def exit_code(outcome: Outcome, data_problems: bool) -> int:
    """SPEC section 5: 2 a usage error; 1 refused, alerts left undelivered, or data problems; else 0."""
    if outcome.usage_error:
        return 2
    return 1 if outcome.errors or outcome.pending or data_problems else 0


def alerts_serve(config: Config, load: Callable[[], Results], run_now: bool = False) -> Outcome:
    """Run the alerts on the config's schedule until stopped (SIGTERM, SIGINT); each run reads the
    config and data afresh with `load`. Refuses to start when another `serve` holds the state
    file's lock. `run_now` also runs once straight away."""
    configure_logging(logging.INFO)
    outcome = Outcome()
    refusal = _no_routes(config)
    if refusal:
        return outcome.refuse(refusal)
    alerts = config.alerts
    assert alerts is not None
    if not alerts.schedule:
        return outcome.refuse(f"{config.path}: alerts.schedule: no schedule, so `serve` has nothing to do "
                              "(e.g. schedule = \"0 9 * * MON-FRI\")")
    timezone = config.organisation.timezone
    try:
        trigger = parse_schedule(alerts.schedule, timezone)
    except ScheduleError as e:
        return outcome.refuse(f"{config.path}: {e}")
    try:
        check_credentials()
    except CredentialsError as e:
        return outcome.refuse(f"Error: {e}")
    lock = serve_lock(config.state_path)
    try:
        lock.acquire()
    except LockBusy as e:
        return outcome.refuse(f"another `scorecard alerts serve` is already running for {config.state_path} "
                              f"({e.holder}; lock {e.path})")
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
                    return outcome.refuse(f"Slack refused the credentials: {e.message}")
                log.warning("Slack is not answering yet (%s); runs will retry", e.message)
        scheduler = build_scheduler(lambda: _scheduled_run(load), trigger, timezone, run_now=run_now)

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
        return outcome
    finally:
        lock.release()


# -- status --------------------------------------------------------------------------------------
def alerts_status(config: Config, fmt: str) -> Outcome:
    """The outbox: every alert, pending first, as a table or (`fmt="json"`) one JSON object."""
    outcome = Outcome()
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
        outcome.say(json.dumps({"state": str(state), "summary": counts, "last_run": last_run,
                                "credential": credential, "history_check": credential == "bot",
                                "alerts": [r.to_json() for r in rows]}, indent=1, ensure_ascii=False))
        return outcome
    head = f"Alerts outbox {state}: {counts['pending']} pending, {counts['delivered']} delivered"
    if counts["dropped"]:
        head += f", {counts['dropped']} dropped"
    if last_run:
        head += f"; last evaluated {last_run['started_at']}"
    outcome.say(head)
    outcome.say(protection)
    if not rows:
        outcome.say("no alerts yet")
        return outcome
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
    outcome.say(table(["ID", "STATUS", "ROUTE", "SCORECARD", "MEASURE", "PERIOD", "CHANGE", "TRIES", "DETAIL"], lines,
                      right=(0, 7)))
    by_route = Counter(r.route for r in rows if r.status == "pending")
    if by_route:
        outcome.say("pending by route: " + ", ".join(f"{k} {v}" for k, v in by_route.items()))
    dropped = Counter((r.route, r.dropped_reason) for r in rows if r.status == "dropped")
    for (route, reason), n in dropped.items():
        outcome.say(f"dropped, not sent: {n} alert(s) for {route}: {reason or 'its route is gone'}")
    return outcome


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
