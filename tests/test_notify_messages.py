"""Slack messages: grouping (Red first), content, escaping, Slack's limits, the timezone shown."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from scorecard.engine.results import change_between
from scorecard.notify.evaluate import RoutedAlert, Transition
from scorecard.notify.messages import MAX_BLOCKS, MAX_SECTION_TEXT, build_messages, escape, metadata_keys
from scorecard.notify.outbox import Outbox, OutboxRow

NOW = dt.datetime(2017, 5, 2, 8, 0, tzinfo=dt.UTC)


def t(measure: str, before: str, now: str, *, title: str | None = None, scorecard: str = "cic",
      period: str = "2017-04", unit: str | None = "%", decimals: int = 1) -> Transition:
    kinds = (("turned_red",) if now == "red" and before != "red" else ()) + (
        ("band_change",) if before in ("red", "amber", "green") and before != now else ())
    return Transition(
        scorecard=scorecard, scorecard_title={"cic": "Children in Care", "scs": "Specialist Children's Services"}[
            scorecard], measure=measure, title=title or f"Title {measure}", section="Health", unit=unit,
        decimals=decimals, polarity="higher", period=period, value=61.25, target=90.0, floor=70.0, to_band=now,
        previous_period="2017-03", previous_value=75.0 if before != "none" else None, from_band=before, kinds=kinds,
        change=change_between(before, now),  # type: ignore[arg-type]
    )


def rows_for(tmp_path: Path, *transitions: Transition, route: str = "#analysts") -> list[OutboxRow]:
    with Outbox.open(tmp_path / "state.db") as box:
        box.record([RoutedAlert(route, x) for x in transitions], {"cic": "2017-04"}, len(transitions))
        return box.pending()


def texts(blocks: list[dict]) -> list[str]:
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            out.append(e["text"])
    return out


def test_one_message_grouped_red_first(tmp_path: Path) -> None:
    rows = rows_for(tmp_path, t("UP", "amber", "green"), t("DOWN", "green", "amber"), t("REC", "red", "amber"),
                    t("RED", "amber", "red"), t("NEW", "none", "red"), t("GAP", "no_data", "red"))
    (m,) = build_messages("#analysts", rows, organisation="Testshire", timezone="Europe/London", now=NOW)
    joined = "\n".join(texts(m.blocks))
    order = [joined.index(f"`{x}`") for x in ("RED", "NEW", "GAP", "DOWN", "REC", "UP")]
    assert order == sorted(order)
    headings = [x for x in texts(m.blocks) if x.startswith(":") and "*" in x and "`" not in x]
    assert headings == [":red_circle: *Turned red* (3)", ":large_orange_circle: *Declined* (1)",
                        ":large_green_circle: *Recovered from red* (1)", ":large_green_circle: *Improved* (1)"]
    # every figure: value with unit, band, period, target, floor, previous value and band
    red = next(x for x in texts(m.blocks) if "`RED`" in x)
    for part in ("*61.2%*", "Red in April 2017", "target 90.0%", "floor 70.0%", "Before: 75.0%, Amber in March 2017"):
        assert part in red, part
    new = next(x for x in texts(m.blocks) if "`NEW`" in x)
    assert "not rated in March 2017" in new
    assert "Before: no data in March 2017" in next(x for x in texts(m.blocks) if "`GAP`" in x)
    assert "_Scorecard: Children in Care · section: Health_" in red
    assert "Before: 75.0%, Red in March 2017" in next(x for x in texts(m.blocks) if "`REC`" in x)
    # the plain-text fallback says the same, in the same order
    assert m.text.index("(RED)") < m.text.index("(DOWN)") < m.text.index("(REC)") < m.text.index("(UP)")
    assert "Checked Tue 2 May 2017 09:00 BST (Europe/London)" in m.text
    assert len(m.row_ids) == 6 and len(m.alert_keys) == 6
    assert m.metadata == {"event_type": "scorecard_alert",
                          "event_payload": {"alerts": " ".join(m.alert_keys), "part": 1, "parts": 1}}
    assert metadata_keys(m.metadata) == list(m.alert_keys)
    assert metadata_keys({"event_type": "someone_else", "event_payload": {"alerts": "x"}}) == []


def test_same_measure_on_two_scorecards_is_shown_once(tmp_path: Path) -> None:
    rows = rows_for(tmp_path, t("RED", "amber", "red"), t("RED", "amber", "red", scorecard="scs"))
    (m,) = build_messages("#analysts", rows, organisation="Testshire", timezone="Europe/London", now=NOW)
    entries = [x for x in texts(m.blocks) if "`RED`" in x]
    assert len(entries) == 1
    assert "Children in Care, Specialist Children's Services" in entries[0]
    assert len(m.alert_keys) == 2  # both rows travel with the message


def test_titles_are_escaped_so_nobody_is_pinged(tmp_path: Path) -> None:
    evil = "<!channel> & <!here> <@U123> <https://evil.example|click>"
    rows = rows_for(tmp_path, t("X", "amber", "red", title=evil))
    (m,) = build_messages("#d", rows, organisation="Test <!everyone> & Co", timezone="Europe/London", now=NOW)
    everything = json.dumps(m.blocks) + m.text
    assert "<!" not in everything and "<@" not in everything and "<http" not in everything
    assert escape(evil) in everything
    assert "&lt;!channel&gt; &amp; &lt;!here&gt;" in everything
    assert "Test &lt;!everyone&gt; &amp; Co" in everything


def test_many_transitions_split_within_slack_limits(tmp_path: Path) -> None:
    many = [t(f"M{i:03d}", "amber", "red" if i % 3 == 0 else "green", title="T" * 5000) for i in range(130)]
    rows = rows_for(tmp_path, *many)
    messages = build_messages("#d", rows, organisation="Testshire", timezone="Europe/London", now=NOW)
    assert len(messages) > 2
    assert [m.part for m in messages] == list(range(1, len(messages) + 1))
    assert all(m.parts == len(messages) for m in messages)
    seen: list[int] = []
    for m in messages:
        assert len(m.blocks) <= MAX_BLOCKS
        for b in m.blocks:
            if b["type"] == "section":
                assert len(b["text"]["text"]) <= MAX_SECTION_TEXT
            if b["type"] == "header":
                assert len(b["text"]["text"]) <= 150
        assert len(m.text) <= 4000
        assert m.blocks[0]["text"]["text"] == f"Scorecard alerts ({m.part} of {len(messages)})"
        seen.extend(m.row_ids)
    assert sorted(seen) == sorted(r.id for r in rows)  # every alert in exactly one message
    # Red first across the parts too
    reds = {r.id for r in rows if r.to_band == "red"}
    assert set(seen[: len(reds)]) == reds


def test_timezone_shown_either_side_of_the_clock_change(tmp_path: Path) -> None:
    rows = rows_for(tmp_path, t("RED", "amber", "red"))
    friday = dt.datetime(2017, 3, 24, 9, 0, tzinfo=dt.UTC)  # 09:00 GMT
    monday = dt.datetime(2017, 3, 27, 8, 0, tzinfo=dt.UTC)  # 09:00 BST
    (before,) = build_messages("#d", rows, organisation="T", timezone="Europe/London", now=friday)
    (after,) = build_messages("#d", rows, organisation="T", timezone="Europe/London", now=monday)
    assert "Checked Fri 24 Mar 2017 09:00 GMT (Europe/London)" in before.text
    assert "Checked Mon 27 Mar 2017 09:00 BST (Europe/London)" in after.text


def test_values_show_the_measures_decimals_and_unit_as_every_view_does(tmp_path: Path) -> None:
    rows = rows_for(tmp_path, t("DAYS", "amber", "red", unit="days", decimals=0),
                    t("COUNT", "green", "amber", unit=None, decimals=0))
    (m,) = build_messages("#d", rows, organisation="T", timezone="Europe/London", now=NOW)
    days = next(x for x in texts(m.blocks) if "`DAYS`" in x)
    assert "*61 days*" in days and "target 90 days" in days and "floor 70 days" in days
    count = next(x for x in texts(m.blocks) if "`COUNT`" in x)
    assert "target 90," in count and "Before: 75, Green in March 2017" in count


def test_no_rows_no_message() -> None:
    assert build_messages("#d", [], organisation="T", timezone="Europe/London", now=NOW) == []
