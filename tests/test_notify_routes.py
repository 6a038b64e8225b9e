"""Issue 13 item 10: a route is its channel. Pending alerts follow the config as it is now: those
of a channel no longer configured are dropped (never posted there), say so in `alerts run` and
`alerts status`, and go to whichever routes take them now. Against the local Slack stand-in."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scorecard.notify.evaluate import RoutedAlert
from scorecard.notify.outbox import Outbox
from tests.slack_stub import TWO_ROUTES, SlackStub, copy_fixture, run_alerts
from tests.test_notify_outbox import transition


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub(channels=("directors", "analysts", "leaders")) as s:
        yield s


def status(config: Path, stub: SlackStub) -> dict[str, Any]:
    r = run_alerts("status", config, "--format", "json", env=stub.env())
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def pending_while_slack_is_down(tmp_path: Path, stub: SlackStub) -> Path:
    config = copy_fixture(tmp_path)
    stub.stop()
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 1
    stub.start()
    assert status(config, stub)["summary"]["pending"] == 4
    return config


def test_a_renamed_channel_gets_the_pending_alerts_and_the_old_one_nothing(tmp_path: Path, stub: SlackStub) -> None:
    config = pending_while_slack_is_down(tmp_path, stub)
    config.write_text(config.read_text().replace('channel = "#directors"', 'channel = "#leaders"'))
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert stub.channel_messages("directors") == []
    (leaders,) = stub.channel_messages("leaders")
    assert "(CIC-RATE)" in leaders["text"]
    assert len(stub.channel_messages("analysts")) == 1
    assert ("#directors: 1 pending alert(s) dropped, not sent: #directors is no longer a configured channel"
            in r.stdout)
    st = status(config, stub)
    assert st["summary"] == {"pending": 0, "delivered": 4, "dropped": 1}
    (dropped,) = [a for a in st["alerts"] if a["status"] == "dropped"]
    assert dropped["route"] == "#directors" and "no longer a configured channel" in dropped["dropped_reason"]
    table = run_alerts("status", config, env=stub.env()).stdout
    assert "dropped, not sent: 1 alert(s) for #directors: #directors is no longer a configured channel" in table
    assert "1 dropped" in table.splitlines()[0]


def test_a_removed_route_drops_its_alerts(tmp_path: Path, stub: SlackStub) -> None:
    config = pending_while_slack_is_down(tmp_path, stub)
    text = config.read_text()
    analysts = TWO_ROUTES[TWO_ROUTES.index("[[alerts.routes]]\nchannel = \"#analysts\""):]
    config.write_text(text.replace(analysts, ""))
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert stub.channel_messages("analysts") == []
    assert len(stub.channel_messages("directors")) == 1
    assert "#analysts: 3 pending alert(s) dropped, not sent: #analysts is no longer a configured channel" in r.stdout
    assert status(config, stub)["summary"] == {"pending": 0, "delivered": 1, "dropped": 3}
    # a dry run after that shows nothing more to send
    dry = run_alerts("run", config, "--period", "2017-04", "--dry-run", env=stub.env())
    assert "no messages to send" in dry.stdout


def test_a_route_that_no_longer_takes_an_alert_drops_it(tmp_path: Path, stub: SlackStub) -> None:
    config = pending_while_slack_is_down(tmp_path, stub)
    config.write_text(config.read_text().replace('when = ["band_change"]', 'when = ["turned_red"]'))
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert r.returncode == 0, r.stdout + r.stderr
    (analysts,) = stub.channel_messages("analysts")
    assert "(CIC-RATE)" in analysts["text"] and "(IHA-20WD)" not in analysts["text"]
    assert "#analysts: 2 pending alert(s) dropped, not sent: the route to #analysts no longer takes this alert" \
        in r.stdout


def test_an_outbox_from_before_dropping_is_migrated(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    old_schema = Path(__file__).with_name("outbox_v1.sql").read_text()
    with sqlite3.connect(state) as conn:
        conn.executescript(old_schema)
    with Outbox.open(state) as box:
        (row,) = box.rows()
        assert (row.route, row.measure, row.status, row.dropped_reason) == ("#d", "A", "delivered", None)
        box.record([RoutedAlert("#d", transition("B"))], {"cic": "2017-04"}, 1)
        assert box.counts() == {"pending": 1, "delivered": 1, "dropped": 0}
    with sqlite3.connect(state) as conn:
        sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'alert_outbox'").fetchone()[0]
        assert "'dropped'" in sql
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'alert_outbox_v1'").fetchone()[0] == 0
