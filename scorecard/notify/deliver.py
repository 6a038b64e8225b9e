"""The sender: delivers the outbox's pending alerts, one message per route (split when too big).

For each route, in the order its first pending alert was found:
1. alerts whose last send has an unknown outcome (the process died, the connection dropped),
   and alerts never sent from this state file (it may be new because the old one was lost),
   are looked for in the channel's recent history by the keys in the messages' metadata;
   those found are recorded as delivered with the message's timestamp and not sent again;
2. the rest are built into messages; each message's alerts are marked as being sent
   (committed), the message is posted, and Slack's channel and timestamp are recorded.

A failure is recorded on the alerts (error, attempt count) and they stay pending. When Slack
is unreachable, keeps failing or refuses the credentials, the run stops there: the remaining
alerts wait for the next run.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .evaluate import alert_key
from .messages import build_messages, metadata_keys
from .outbox import Outbox, OutboxRow, utc_now
from .slack import Deadline, SlackClient, SlackError

HISTORY_MARGIN = dt.timedelta(minutes=10)  # clock skew between this machine and Slack
LOOKBACK = dt.timedelta(days=400)  # how far back an alert never sent from this state file is looked for


@dataclass(frozen=True)
class Sent:
    route: str
    channel: str
    ts: str | None
    alerts: int  # outbox alerts the message delivered
    lines: int  # the lines it showed them in (a line may carry several alerts)
    part: int
    parts: int


@dataclass
class DeliveryReport:
    sent: list[Sent] = field(default_factory=list)
    found_in_history: dict[str, int] = field(default_factory=dict)  # route -> alerts not resent
    failures: list[tuple[str, str]] = field(default_factory=list)  # (route, error)
    notes: list[str] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped delivering early
    pending: int = 0  # alerts still pending afterwards


def _look_from(row: OutboxRow, now: dt.datetime) -> dt.datetime:
    """How far back the channel's history may hold the row's message: since its last attempt; for
    an alert never sent from this state file, since its period began (at most LOOKBACK ago)."""
    if row.uncertain and row.last_attempt_at:
        return dt.datetime.fromisoformat(row.last_attempt_at)
    if row.uncertain:
        return dt.datetime.fromisoformat(row.created_at)
    try:  # a period (YYYY-MM), or the day an alert on the data is about (YYYY-MM-DD)
        day = dt.date.fromisoformat(f"{row.period}-01" if len(row.period) == 7 else row.period)
    except ValueError:
        return now - LOOKBACK
    return max(dt.datetime.combine(day, dt.time(), dt.UTC), now - LOOKBACK)


def reconcile(outbox: Outbox, client: SlackClient, route: str, rows: list[OutboxRow],
              report: DeliveryReport, now: dt.datetime | None = None) -> list[OutboxRow]:
    """Record as delivered the alerts Slack already has, of those whose last send had an unknown
    outcome and those never sent from this state file (a lost state file must not mean sending
    everything again); return the rows still to send. Raises SlackError (unavailable, auth) when
    Slack cannot be asked."""
    now = now or utc_now()
    uncertain = [r for r in rows if r.uncertain]
    check = [r for r in rows if r.uncertain or r.attempts == 0]
    if not check:
        return rows
    again = "sending again" if uncertain else "sending"
    if not client.can_check_history:
        if uncertain:
            report.notes.append(
                f"{route}: {len(uncertain)} alert(s) may already have reached Slack, but a webhook cannot read the "
                "channel's history: sending again (a bot token avoids this)"
            )
        return rows
    try:
        channel = outbox.channel_id(route) or client.channel_id(route)
        if channel is None:
            report.notes.append(f"{route}: channel not found, so its history could not be checked: {again}")
            return rows
        outbox.remember_channel(route, channel)
        oldest = min(_look_from(r, now) for r in check) - HISTORY_MARGIN
        messages = client.history(channel, oldest.timestamp())
    except SlackError as e:
        if e.kind != "rejected":
            raise
        report.notes.append(f"{route}: could not check the channel's history ({e.message}): {again}")
        return rows
    seen: dict[str, str] = {}
    for m in messages:
        for key in metadata_keys(m.get("metadata")):
            seen.setdefault(key, str(m.get("ts")))
    by_ts: dict[str, list[int]] = defaultdict(list)
    for r in check:
        ts = next((seen[k] for k in _keys(r) if k in seen), None)
        if ts is not None:
            by_ts[ts].append(r.id)
    for ts, ids in by_ts.items():
        outbox.mark_delivered(ids, channel, ts, found_in_history=True)
    done = {i for ids in by_ts.values() for i in ids}
    if done:
        report.found_in_history[route] = report.found_in_history.get(route, 0) + len(done)
    return [r for r in rows if r.id not in done]


def _keys(row: OutboxRow) -> list[str]:
    """The keys a message carrying the row's alert may have: its own, and the one a program from before
    channel names had one spelling gave it when the config named the channel without `#` (`directors`
    for `#directors`), so a lost state file sends nothing twice across that change either."""
    keys = [row.alert_key]
    if row.route.startswith("#"):
        t = row.transition
        keys.append(alert_key(row.route[1:], t.scorecard, t.measure, t.period, t.from_band, t.to_band, t.detail))
    return keys


def deliver(outbox: Outbox, client: SlackClient, *, organisation: str, timezone: str, deadline: Deadline,
            now: dt.datetime | None = None) -> DeliveryReport:
    now = now or utc_now()
    report = DeliveryReport()
    by_route: dict[str, list[OutboxRow]] = {}
    for r in outbox.pending():
        by_route.setdefault(r.route, []).append(r)
    for route, rows in by_route.items():
        if deadline.expired:
            report.stopped = "this run's time for Slack is used up"
            break
        try:
            rows = reconcile(outbox, client, route, rows, report, now)
        except SlackError as e:
            outbox.note_error([r.id for r in rows], f"checking the channel's history: {e.message}")
            report.failures.append((route, f"checking the channel's history: {e.message}"))
            report.stopped = e.message
            break
        for message in build_messages(route, rows, organisation=organisation, timezone=timezone, now=now):
            if deadline.expired:
                report.stopped = "this run's time for Slack is used up"
                break
            outbox.begin_attempt(message.row_ids)
            try:
                posted = client.post(route, message.text, message.blocks, message.metadata)
            except SlackError as e:
                outbox.mark_failed(message.row_ids, e.message, uncertain=e.uncertain)
                report.failures.append((route, e.message))
                if e.kind != "rejected":
                    report.stopped = e.message
                break  # the route's other messages would meet the same refusal
            outbox.mark_delivered(message.row_ids, posted.channel, posted.ts)
            if client.can_check_history and posted.channel and posted.channel != route:
                outbox.remember_channel(route, posted.channel)
            report.sent.append(Sent(route, posted.channel, posted.ts, len(message.row_ids), message.entries,
                                    message.part, message.parts))
        if report.stopped:
            break
    report.pending = outbox.counts()["pending"]
    return report
