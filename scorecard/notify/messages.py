"""Slack messages for one route: the pending transitions grouped, Red first, as Block Kit with
a plain-text fallback, within Slack's limits.

Each transition shows the measure's title, its value with unit, the target and floor in force,
the previous value and band, and the period; the header line shows when the check ran in the
organisation's timezone. Figures are aggregates; data warnings are counted, never quoted (a
warning can name a row of a child's record).

Everything that comes from a config (titles, sections, units, names) is escaped for mrkdwn
(`&`, `<`, `>`), so a title like `<!channel>` prints as text and pings nobody.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..present import band_word, figure, local_time, month_label
from .evaluate import NO_BAND, Transition
from .outbox import OutboxRow

MAX_BLOCKS = 50  # Slack: at most 50 blocks a message
MAX_SECTION_TEXT = 3000  # Slack: at most 3,000 characters in a section's text
MAX_HEADER_TEXT = 150  # Slack: a header's plain text
MAX_FALLBACK_TEXT = 3900  # Slack truncates `text` long before its 40,000 limit in notifications
MAX_TITLE = 400  # a title longer than this is cut (before escaping) to keep a section in bounds
EVENT_TYPE = "scorecard_alert"

GROUPS: tuple[tuple[str, str, str], ...] = (
    ("turned_red", ":red_circle:", "Turned red"),
    ("declined", ":large_orange_circle:", "Declined"),
    ("recovered", ":large_green_circle:", "Recovered from red"),
    ("improved", ":large_green_circle:", "Improved"),
    ("restated", ":memo:", "Restated since publication"),
    ("data_stale", ":hourglass:", "Data not up to date"),
)
BAND_EMOJI = {"red": ":red_circle:", "amber": ":large_orange_circle:", "green": ":large_green_circle:",
              "no_data": ":white_circle:"}


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: the only three characters with control meaning."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def group_of(t: Transition) -> str:
    if "data_stale" in t.kinds:
        return "data_stale"
    if "restated" in t.kinds:
        return "restated"
    if t.to_band == "red":
        return "turned_red"
    if t.from_band == "red":
        return "recovered"
    return "declined" if t.change == "declined" else "improved"  # the engine's word, not worked out here


def period_label(period: str | None) -> str:
    return month_label(period) if period else "the period before"


def with_unit(x: float | None, decimals: int, unit: str | None) -> str:
    return figure(x, decimals, unit, missing="no value")


@dataclass
class Entry:
    """One transition as shown: rows for the same measure, period and bands on several
    scorecards of one route are shown once, naming each scorecard."""

    transition: Transition
    scorecards: list[str] = field(default_factory=list)  # titles
    row_ids: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)  # data_stale: the datasets with the same date, together

    @property
    def group(self) -> str:
        return group_of(self.transition)


def entries_for(rows: Sequence[OutboxRow]) -> list[Entry]:
    by: dict[tuple[str, str, str, str, str], Entry] = {}
    for r in sorted(rows, key=lambda r: r.id):
        stale = "data_stale" in r.transition.kinds
        ident = ("" if stale else r.measure, r.period, r.from_band, r.to_band, r.transition.detail)
        e = by.get(ident)
        if e is None:
            e = by[ident] = Entry(r.transition)
        if stale and r.measure not in e.datasets:
            e.datasets.append(r.measure)
        if r.transition.scorecard_title not in e.scorecards:
            e.scorecards.append(r.transition.scorecard_title)
        e.row_ids.append(r.id)
        e.keys.append(r.alert_key)
    order = {g[0]: i for i, g in enumerate(GROUPS)}
    return sorted(by.values(), key=lambda e: (order[e.group], e.transition.period, e.row_ids[0]))


def _before(t: Transition) -> str:
    if t.from_band == NO_BAND:
        if t.previous_period is None:
            return f"not on the scorecard in {period_label(t.previous_period)}"
        return f"not rated in {period_label(t.previous_period)}"
    if t.from_band == "no_data" or t.previous_value is None:
        return f"no data in {period_label(t.previous_period)}"
    value = with_unit(t.previous_value, t.decimals, t.unit)
    return f"{value}, {band_word(t.from_band)} in {period_label(t.previous_period)}"


def _standard(t: Transition) -> str:
    better = {"higher": "; higher is better", "lower": "; lower is better"}.get(t.polarity or "", "")
    return (f"target {with_unit(t.target, t.decimals, t.unit)}, "
            f"floor {with_unit(t.floor, t.decimals, t.unit)}{better}")


def _day(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def _band_name(band: str) -> str:
    return "unrated" if band == NO_BAND else band_word(band)


def data_sentence(t: Transition, datasets: Sequence[str] = ()) -> str:
    """What an alert on the data says, in plain words (no markup)."""
    if "data_stale" in t.kinds:
        names = ", ".join(datasets or [t.measure])
        if t.to_band == "missing":
            return (f"{names}: file missing (found missing on {_day(t.period)}); the measures that "
                    "read it have no data")
        return (f"{names}: data {figure(t.value, 0, None)} days old, extract of {_day(t.period)} "
                f"(stale after {figure(t.target, 0, None)} days)")
    published = with_unit(t.previous_value, t.decimals, t.unit)
    live = with_unit(t.value, t.decimals, t.unit)
    return (f"{t.title} ({t.measure}), {period_label(t.period)}: published {published}, "
            f"{_band_name(t.from_band)}; the data now gives {live}, {_band_name(t.to_band)}")


def entry_mrkdwn(e: Entry) -> str:
    t = e.transition
    if set(t.kinds) & {"data_stale", "restated"}:
        text = escape(_cut(data_sentence(t, e.datasets), MAX_TITLE * 2))
        if "restated" in t.kinds:
            text += f"\n_Scorecard: {escape(_cut(', '.join(e.scorecards), 300))}_"
        return _cut(text, MAX_SECTION_TEXT)
    lines = [
        f"*{escape(_cut(t.title, MAX_TITLE))}*  `{escape(t.measure)}`",
        f"{BAND_EMOJI.get(t.to_band, '')} *{escape(with_unit(t.value, t.decimals, t.unit))}*, "
        f"{band_word(t.to_band)} in {period_label(t.period)}: {escape(_standard(t))}",
        f"Before: {escape(_before(t))}",
        f"_Scorecard: {escape(_cut(', '.join(e.scorecards), 300))} · section: {escape(_cut(t.section, 200))}_",
    ]
    if t.warnings:
        lines.append(f":warning: {t.warnings} data warning(s): run `scorecard check`")
    return _cut("\n".join(lines), MAX_SECTION_TEXT)


def entry_text(e: Entry) -> str:
    t = e.transition
    if set(t.kinds) & {"data_stale", "restated"}:
        return escape(f"• {_cut(data_sentence(t, e.datasets), MAX_TITLE * 2)}")
    text = (f"• {_cut(t.title, MAX_TITLE)} ({t.measure}): {with_unit(t.value, t.decimals, t.unit)}, "
            f"{band_word(t.to_band)} in {period_label(t.period)} ({_standard(t)}); "
            f"before: {_before(t)}")
    return escape(text)


@dataclass(frozen=True)
class Message:
    route: str
    text: str  # plain-text fallback (notifications, clients without Block Kit)
    blocks: list[dict[str, Any]]
    alert_keys: tuple[str, ...]
    row_ids: tuple[int, ...]
    part: int
    parts: int
    # the lines shown: one a measure, period and band change, however many scorecards carry it;
    # one for the datasets stale since the same day
    entries: int

    @property
    def metadata(self) -> dict[str, Any]:
        """Travels with the message and comes back in conversations.history: how a sender that
        crashed mid-send recognises a message Slack already has."""
        # Slack's payload values are strings, numbers, booleans or objects: the keys go space-separated
        return {"event_type": EVENT_TYPE,
                "event_payload": {"alerts": " ".join(self.alert_keys), "part": self.part, "parts": self.parts}}


def metadata_keys(metadata: dict[str, Any] | None) -> list[str]:
    """The alert keys a message's metadata carries (none for other apps' messages)."""
    if not isinstance(metadata, dict) or metadata.get("event_type") != EVENT_TYPE:
        return []
    keys = (metadata.get("event_payload") or {}).get("alerts") or ""
    return keys.split() if isinstance(keys, str) else [str(k) for k in keys]


def _periods_line(entries: Sequence[Entry]) -> str:
    restated = sorted({e.transition.period for e in entries if e.group == "restated"})
    entries = [e for e in entries if e.group not in ("data_stale", "restated")]  # a stale alert's `period` is a day
    if not entries:
        return ("published " + ", ".join(period_label(p) for p in restated)) if restated else "the data"
    periods = sorted({e.transition.period for e in entries})
    if len(periods) == 1:
        before = next((e.transition.previous_period for e in entries if e.transition.previous_period), None)
        label = period_label(periods[0])
        return f"{label} compared with {period_label(before)}" if before else label
    return "periods " + ", ".join(period_label(p) for p in periods)


def _pack(entries: Sequence[Entry]) -> list[list[Entry]]:
    """Entries into messages of at most MAX_BLOCKS blocks: a header and a context block, then
    for each group a divider (not before the first), a heading, and one section per entry."""
    parts: list[list[Entry]] = []
    current: list[Entry] = []
    used = 2
    group: str | None = None
    for e in entries:
        need = 1 if e.group == group else (2 if group is None else 3)
        if current and used + need > MAX_BLOCKS:
            parts.append(current)
            current, used, group = [], 2, None
            need = 2
        current.append(e)
        used += need
        group = e.group
    if current:
        parts.append(current)
    return parts


def build_messages(route: str, rows: Sequence[OutboxRow], *, organisation: str, timezone: str,
                   now: dt.datetime) -> list[Message]:
    """The messages for one route: usually one; several when the transitions exceed 50 blocks."""
    entries = entries_for(rows)
    if not entries:
        return []
    parts = _pack(entries)
    titles = {g: (emoji, title) for g, emoji, title in GROUPS}
    checked = f"{local_time(now, timezone, weekday=True)} ({timezone})"
    messages: list[Message] = []
    for i, part in enumerate(parts, start=1):
        suffix = f" ({i} of {len(parts)})" if len(parts) > 1 else ""
        counts = {g: sum(1 for e in part if e.group == g) for g, _, _ in GROUPS}
        context = f"*{escape(_cut(organisation, 300))}* · {_periods_line(part)} · checked {escape(checked)}"
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": _cut("Scorecard alerts" + suffix,
                                                                          MAX_HEADER_TEXT)}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
        ]
        summary = ", ".join(f"{n} {titles[g][1].lower()}" for g, n in counts.items() if n)
        text_lines = [escape(f"Scorecard alerts{suffix}: {organisation}, {_periods_line(part)}: {summary}."),
                      escape(f"Checked {checked}.")]
        group: str | None = None
        for e in part:
            if e.group != group:
                if group is not None:
                    blocks.append({"type": "divider"})
                emoji, title = titles[e.group]
                more = " (continued)" if i > 1 and e is part[0] and _continues(parts, i, e.group) else ""
                blocks.append({"type": "section", "text": {
                    "type": "mrkdwn", "text": f"{emoji} *{title}{more}* ({counts[e.group]})"}})
                text_lines.append(f"{title}{more} ({counts[e.group]}):")
                group = e.group
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": entry_mrkdwn(e)}})
            text_lines.append(entry_text(e))
        text = "\n".join(text_lines)
        if len(text) > MAX_FALLBACK_TEXT:
            text = text[: MAX_FALLBACK_TEXT - 40].rsplit("\n", 1)[0] + "\n… (more in the message)"
        messages.append(Message(
            route=route, text=text, blocks=blocks,
            alert_keys=tuple(k for e in part for k in e.keys),
            row_ids=tuple(r for e in part for r in e.row_ids),
            part=i, parts=len(parts), entries=len(part),
        ))
    return messages


def _continues(parts: list[list[Entry]], i: int, group: str) -> bool:
    """Whether the previous part ended in `group` (the heading then says "continued")."""
    return i > 1 and parts[i - 2][-1].group == group


def contents(alerts: int, lines: int) -> str:
    """What a message carries, as a dry run and a sent message both say it: `27 alert(s) in 5 line(s)`.
    Alerts are the outbox's (what the run's summary and `alerts status` count); a line may carry several
    (a measure on two scorecards, the datasets stale since one day)."""
    return f"{alerts} alert(s) in {lines} line(s)"


def preview(message: Message) -> str:
    """A dry run's rendering of a message: where it would go and its plain text."""
    head = f"--- to {message.route}"
    if message.parts > 1:
        head += f" (message {message.part} of {message.parts})"
    head += f", {contents(len(message.row_ids), message.entries)}, {len(message.blocks)} blocks ---"
    return f"{head}\n{message.text}\n"
