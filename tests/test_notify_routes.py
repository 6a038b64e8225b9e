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


def test_a_channel_respelt_in_the_config_is_the_same_channel(tmp_path: Path, stub: SlackStub) -> None:
    """`#directors`, `directors` and `#Directors` are one channel: respelling a route sends nothing again."""
    config = copy_fixture(tmp_path)
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 0
    posted = len(stub.calls_to("chat.postMessage"))
    config.write_text(config.read_text().replace('channel = "#directors"', 'channel = "directors"')
                      .replace('channel = "#analysts"', 'channel = " #Analysts"'))
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "nothing to send" in r.stdout and "dropped" not in r.stdout
    assert len(stub.calls_to("chat.postMessage")) == posted
    st = status(config, stub)
    assert st["summary"] == {"pending": 0, "delivered": 4, "dropped": 0}
    assert {a["route"] for a in st["alerts"]} == {"#directors", "#analysts"}


def test_rows_an_older_program_recorded_as_spelt_take_the_one_spelling(tmp_path: Path, stub: SlackStub) -> None:
    """A state file whose rows kept the config's spelling (`directors`): read as `#directors`, so the
    delivered alerts are not sent again."""
    config = copy_fixture(tmp_path)
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 0
    posted = len(stub.calls_to("chat.postMessage"))
    with sqlite3.connect(config.parent / "data" / "state.db") as db:  # as an older program wrote it
        db.execute("UPDATE alert_outbox SET route = 'directors' WHERE route = '#directors'")
        db.execute("UPDATE alert_channels SET name = 'directors' WHERE name = '#directors'")
    config.write_text(config.read_text().replace('channel = "#directors"', 'channel = "directors"'))
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "nothing to send" in r.stdout and len(stub.calls_to("chat.postMessage")) == posted
    st = status(config, stub)
    assert st["summary"] == {"pending": 0, "delivered": 4, "dropped": 0}
    assert {a["route"] for a in st["alerts"]} == {"#directors", "#analysts"}


def test_two_spellings_of_one_alert_become_one_row(tmp_path: Path) -> None:
    """An older state file may hold the same alert for `directors` (delivered) and `#directors` (pending,
    never tried): the delivered row stands for it, under the one spelling, and nothing is left to send."""
    state = tmp_path / "state.db"
    with Outbox.open(state) as box:
        box.record([RoutedAlert("#directors", transition())], {"cic": "2017-04"}, 1)
        (row,) = box.pending()
        box.mark_delivered([row.id], "C0DIRECTORS", "1.2")
        box.record([RoutedAlert("#directors", transition("CIC-FOSTER"))], {"cic": "2017-04"}, 1)
    with sqlite3.connect(state) as db:  # the delivered one as an older program spelt it, and a pending duplicate
        db.execute("UPDATE alert_outbox SET route = 'directors' WHERE measure = 'CIC-RATE'")
        db.execute("INSERT INTO alert_outbox (route, scorecard, measure, period, from_band, to_band, kinds, alert_key,"
                   " payload, run_id, created_at, detail) SELECT '#directors', scorecard, measure, period, from_band,"
                   " to_band, kinds, alert_key || 'x', payload, run_id, created_at, detail FROM alert_outbox"
                   " WHERE measure = 'CIC-RATE'")
        db.execute("UPDATE alert_outbox SET route = 'Directors' WHERE measure = 'CIC-FOSTER'")
        assert db.execute("SELECT count(*) FROM alert_outbox").fetchone() == (3,)
    with Outbox.open(state) as box:
        box.record([RoutedAlert("#directors", transition())], {"cic": "2017-04"}, 1)  # nothing new
        rows = box.rows()
    assert sorted((r.route, r.measure, r.status) for r in rows) == [("#directors", "CIC-FOSTER", "pending"),
                                                                    ("#directors", "CIC-RATE", "delivered")]


def test_a_lost_state_file_finds_what_was_sent_to_the_channel_spelt_without_a_hash(tmp_path: Path,
                                                                                   stub: SlackStub) -> None:
    """A program from before channel names had one spelling keyed a message to `directors` by that spelling;
    after the state file is lost, the history check still recognises it: nothing is sent twice."""
    from scorecard.notify.evaluate import alert_key

    config = copy_fixture(tmp_path)
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 0
    (row,) = [a for a in status(config, stub)["alerts"] if a["route"] == "#directors"]
    (message,) = stub.channel_messages("directors")
    old_key = alert_key("directors", row["scorecard"], row["measure"], row["period"], row["from"], row["to"])
    assert message["metadata"]["event_payload"]["alerts"] != old_key
    message["metadata"]["event_payload"]["alerts"] = old_key  # as the older program posted it
    (config.parent / "data" / "state.db").unlink()
    config.write_text(config.read_text().replace('channel = "#directors"', 'channel = "directors"'))
    again = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert again.returncode == 0, again.stdout + again.stderr
    assert "#directors: 1 alert(s) were already in the channel" in again.stdout
    assert len(stub.calls_to("chat.postMessage")) == 2  # the two of the first run only


def test_a_channel_name_in_capitals_is_a_name_not_an_id(tmp_path: Path, stub: SlackStub) -> None:
    """`#DIRECTORS` is the channel #directors (the `#` says it is a name), not the id `DIRECTORS`, which
    has the form of one (a capital C, G or D and six or more capitals or digits): it is delivered there."""
    from scorecard.engine.names import channel_name

    assert channel_name("#DIRECTORS") == channel_name("#Directors") == "#directors"
    assert channel_name("C0123ABCD") == "C0123ABCD"
    config = copy_fixture(tmp_path)
    config.write_text(config.read_text().replace('channel = "#directors"', 'channel = "#DIRECTORS"'))
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(stub.channel_messages("directors")) == 1
    assert {a["route"] for a in status(config, stub)["alerts"]} == {"#directors", "#analysts"}
