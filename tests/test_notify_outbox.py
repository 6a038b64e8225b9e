"""The alerts outbox in the SQLite state file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scorecard.notify.evaluate import RoutedAlert, Transition
from scorecard.notify.outbox import Outbox


def transition(measure: str = "CIC-RATE", period: str = "2017-04", before: str = "amber", now: str = "red") -> Transition:
    return Transition(
        scorecard="cic", scorecard_title="Children in Care", measure=measure, title=f"{measure} title",
        section="Children in Care", unit="per 10,000", decimals=1, polarity="lower", period=period, value=12.5,
        target=9.0, floor=11.0, to_band=now, previous_period="2017-03", previous_value=10.0, from_band=before,
        kinds=("turned_red", "band_change"),
    )


def test_record_is_idempotent_and_keeps_commentary_tables(tmp_path: Path) -> None:
    state = tmp_path / "data" / "state.db"
    # someone else's table in the same state file (commentary) is left alone
    state.parent.mkdir(parents=True)
    with sqlite3.connect(state) as c:
        c.execute("CREATE TABLE commentary (id INTEGER PRIMARY KEY, text TEXT)")
        c.execute("INSERT INTO commentary (text) VALUES ('note')")
    alerts = [RoutedAlert("#directors", transition()), RoutedAlert("#analysts", transition())]
    with Outbox.open(state) as box:
        first = box.record(alerts, {"cic": "2017-04"}, 1)
        again = box.record(alerts, {"cic": "2017-04"}, 1)
        assert (first.new_alerts, again.new_alerts) == (2, 0)
        rows = box.pending()
        assert [(r.route, r.measure, r.from_band, r.to_band) for r in rows] == [
            ("#directors", "CIC-RATE", "amber", "red"), ("#analysts", "CIC-RATE", "amber", "red")]
        assert rows[0].transition == transition()
        assert box.last_run() is not None and box.last_run()["new_alerts"] == 0  # type: ignore[index]
    with sqlite3.connect(state) as c:
        assert c.execute("SELECT text FROM commentary").fetchall() == [("note",)]


def test_attempts_failures_and_delivery(tmp_path: Path) -> None:
    with Outbox.open(tmp_path / "state.db") as box:
        box.record([RoutedAlert("#d", transition())], {"cic": "2017-04"}, 1)
        (row,) = box.pending()
        box.begin_attempt([row.id])
        (row,) = box.pending()
        assert (row.attempts, row.uncertain) == (1, True)  # committed before the send
        box.mark_failed([row.id], "Slack server error 500", uncertain=False)
        (row,) = box.pending()
        assert (row.attempts, row.uncertain, row.last_error) == (1, False, "Slack server error 500")
        box.begin_attempt([row.id])
        box.mark_delivered([row.id], "C001", "123.000001")
        assert box.pending() == []
        (done,) = box.rows()
        assert (done.status, done.attempts, done.slack_channel, done.slack_ts, done.last_error) == (
            "delivered", 2, "C001", "123.000001", None)
        # delivered means never pending again, whatever happens later
        box.record([RoutedAlert("#d", transition())], {"cic": "2017-04"}, 1)
        box.mark_failed([row.id], "late failure", uncertain=True)
        assert box.pending() == [] and box.rows()[0].status == "delivered"
        assert box.counts() == {"pending": 0, "delivered": 1, "dropped": 0}


def test_evaluation_and_its_alerts_are_one_transaction(tmp_path: Path) -> None:
    """A failure while recording leaves neither the run nor any of its alerts."""
    state = tmp_path / "state.db"
    good = RoutedAlert("#d", transition("A"))
    bad = RoutedAlert("#d", transition("B"))  # a trigger makes this insert fail
    with Outbox.open(state) as box:
        box.conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON alert_outbox WHEN NEW.measure = 'B' "
                         "BEGIN SELECT RAISE(ABORT, 'refused'); END")
        try:
            box.record([good, bad], {"cic": "2017-04"}, 2)
        except sqlite3.IntegrityError:
            pass
        else:
            raise AssertionError("the trigger should have refused the insert")
        assert box.rows() == [] and box.last_run() is None


def test_preview_rolls_back(tmp_path: Path) -> None:
    with Outbox.open(tmp_path / "state.db") as box:
        with box.preview():
            box.record([RoutedAlert("#d", transition())], {"cic": "2017-04"}, 1)
            assert len(box.pending()) == 1
        assert box.pending() == [] and box.last_run() is None


def test_status_reader_does_not_create_state(tmp_path: Path) -> None:
    assert Outbox.open_existing(tmp_path / "nope.db") is None
    assert not (tmp_path / "nope.db").exists()
