"""Publication and restatements (SPEC section 7), on a copy of the basic acceptance fixture."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
from pathlib import Path

from scorecard.commentary import CommentaryStore
from scorecard.notify.outbox import Outbox
from scorecard.publish.state import SCHEMA_VERSION, schema_version
from scorecard.publish.store import PublicationStore

from .helpers import environ, run_cli

LATE_MARCH_HEALTH = "H99,2017-02-20,2017-04-28,false\n"  # due in March 2017, assessed late: IHA-20WD 75% -> 60%


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, cwd=cwd, env=environ(SCORECARD_TODAY="2017-06-15", USER="analyst"))


def rate_json(cwd: Path, period: str) -> dict[str, dict]:
    r = run(cwd, "rate", "--period", period, "--format", "json")
    assert r.returncode == 0, r.stderr
    return {m["id"]: m for m in json.loads(r.stdout)["measures"]}


def test_rate_after_latest_period_names_it(basic_copy: Path) -> None:
    r = run(basic_copy, "rate", "--period", "2017-09")
    assert r.returncode == 2
    assert "May 2017, the latest period with data" in r.stderr


def test_publish_change_data_rate_report_round_trip(basic_copy: Path) -> None:
    r = run(basic_copy, "publish", "--period", "2017-03")
    assert r.returncode == 0, r.stderr
    assert "version 1" in r.stdout
    before = rate_json(basic_copy, "2017-03")
    assert before["IHA-20WD"]["published"]["value"] == 75.0 and before["IHA-20WD"]["restated"] is False
    assert before["IHA-20WD"]["published"]["version"] == 1
    assert rate_json(basic_copy, "2017-04")["IHA-20WD"]["published"] is None  # never published
    assert rate_json(basic_copy, "2017-04")["IHA-20WD"]["restated"] is None

    with (basic_copy / "data" / "health.csv").open("a") as f:
        f.write(LATE_MARCH_HEALTH)
    after = rate_json(basic_copy, "2017-03")
    iha = after["IHA-20WD"]
    assert (iha["value"], iha["rag"]) == (60.0, "red")
    assert iha["restated"] is True
    assert {k: iha["published"][k] for k in ("value", "rag", "version")} == {"value": 75.0, "rag": "amber",
                                                                             "version": 1}
    assert [m for m, x in after.items() if x["restated"]] == ["IHA-20WD"]

    table = run(basic_copy, "rate", "--period", "2017-03").stdout
    assert "Published" in table and "75.0% Amber (v1)" in table

    paper = run(basic_copy, "report", "--period", "2017-03", "--format", "md")
    assert paper.returncode == 0, paper.stderr
    text = paper.stdout
    head, _, restated = text.partition("## Restated since publication")
    assert "(IHA-20WD). Performance improved from 66.7% to 75.0%" in head  # the paper as published
    assert "| % of initial health assessments within 20 working days (IHA-20WD) | 75.0% (Amber) | 60.0% (Red) |" \
        in restated
    live = run(basic_copy, "report", "--period", "2017-03", "--format", "md", "--live").stdout
    assert "Restated since publication" not in live and "(IHA-20WD). Performance improved" not in live

    html = run(basic_copy, "report", "--period", "2017-03", "--format", "html").stdout
    assert html.index('id="restated"') < html.index("</main>")

    found = json.loads(run(basic_copy, "restatements", "--format", "json").stdout)
    assert found == [{"scorecard": "cic", "period": "2017-03", "measure": "IHA-20WD",
                      "published": iha["published"], "live": {"value": 60.0, "rag": "red"}}]

    # since the last report: changes to May compare with March as published
    changes = json.loads(run(basic_copy, "changes", "--to", "2017-05", "--format", "json").stdout)
    assert changes["from"] == "2017-03" and changes["to"] == "2017-05"
    live_changes = json.loads(run(basic_copy, "changes", "--from", "2017-03", "--to", "2017-05", "--format",
                                  "json").stdout)
    iha_from = {c["id"]: c["from_value"] for c in changes["improved"] + changes["declined"]}
    live_from = {c["id"]: c["from_value"] for c in live_changes["improved"] + live_changes["declined"]}
    assert iha_from.get("IHA-20WD") != 60.0
    assert live_from.get("IHA-20WD") in (None, 60.0)
    default = json.loads(run(basic_copy, "changes", "--format", "json").stdout)
    assert (default["from"], default["to"]) == ("2017-03", "2017-05")


def test_provenance_is_computed(basic_copy: Path) -> None:
    assert run(basic_copy, "publish", "--period", "2017-04").returncode == 0
    store = PublicationStore(basic_copy / "data" / "state.db")
    [pub] = store.all()
    assert pub.config_sha256 == hashlib.sha256((basic_copy / "config.toml").read_bytes()).hexdigest()
    files = {f.path: f for f in pub.files}
    health = files["data/health.csv"]
    raw = (basic_copy / "data" / "health.csv").read_bytes()
    assert (health.size, health.sha256) == (len(raw), hashlib.sha256(raw).hexdigest())
    assert health.rows == raw.count(b"\n") - 1
    assert "data/comparators.csv" in files
    assert pub.published_by == "analyst" and pub.program_version not in ("", "unknown")
    assert pub.rating["period"] == "2017-04" and pub.paper_md.startswith("#")
    listed = json.loads(run(basic_copy, "publish", "--list", "--format", "json").stdout)
    assert listed == [{"scorecard": "cic", "period": "2017-04", "version": 1, "published_at": pub.published_at,
                       "published_by": "analyst"}]


def test_replace_keeps_every_version(basic_copy: Path) -> None:
    assert run(basic_copy, "publish", "--period", "2017-03").returncode == 0
    again = run(basic_copy, "publish", "--period", "2017-03")
    assert again.returncode == 2 and "already published (version 1" in again.stderr
    with (basic_copy / "data" / "health.csv").open("a") as f:
        f.write(LATE_MARCH_HEALTH)
    assert run(basic_copy, "publish", "--period", "2017-03", "--replace").returncode == 0
    listed = json.loads(run(basic_copy, "publish", "--list", "--format", "json").stdout)
    assert [(x["period"], x["version"]) for x in listed] == [("2017-03", 1), ("2017-03", 2)]
    iha = rate_json(basic_copy, "2017-03")["IHA-20WD"]
    assert iha["published"]["version"] == 2 and iha["published"]["value"] == 60.0 and iha["restated"] is False


def test_publish_with_data_problems_needs_force(basic_copy: Path) -> None:
    with (basic_copy / "data" / "health.csv").open("a") as f:
        f.write("H98,not a date,,false\n")
    r = run(basic_copy, "publish", "--period", "2017-03")
    assert r.returncode == 1 and "nothing was published" in r.stderr
    assert PublicationStore(basic_copy / "data" / "state.db").all() == []
    forced = run(basic_copy, "publish", "--period", "2017-03", "--force")
    assert forced.returncode == 0, forced.stderr
    [pub] = PublicationStore(basic_copy / "data" / "state.db").all()
    assert pub.forced


def test_missing_file_is_a_warning_not_a_restatement(basic_copy: Path) -> None:
    assert run(basic_copy, "publish", "--period", "2017-03").returncode == 0
    (basic_copy / "data" / "health.csv").unlink()
    iha = json.loads(run(basic_copy, "rate", "--period", "2017-03", "--format", "json").stdout)
    row = {m["id"]: m for m in iha["measures"]}["IHA-20WD"]
    assert row["restated"] is False and row["published"]["value"] == 75.0
    assert any("cannot be checked" in w for w in row["warnings"])


OLD_OUTBOX = """
CREATE TABLE alert_runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, periods TEXT NOT NULL,
    transitions INTEGER NOT NULL, new_alerts INTEGER NOT NULL);
CREATE TABLE alert_outbox (
    id INTEGER PRIMARY KEY, route TEXT NOT NULL, scorecard TEXT NOT NULL, measure TEXT NOT NULL,
    period TEXT NOT NULL, from_band TEXT NOT NULL, to_band TEXT NOT NULL, kinds TEXT NOT NULL,
    alert_key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL, run_id INTEGER NOT NULL REFERENCES alert_runs(id),
    created_at TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered')),
    attempts INTEGER NOT NULL DEFAULT 0, uncertain INTEGER NOT NULL DEFAULT 0, last_attempt_at TEXT,
    last_error TEXT, slack_channel TEXT, slack_ts TEXT, delivered_at TEXT,
    found_in_history INTEGER NOT NULL DEFAULT 0,
    UNIQUE (route, scorecard, measure, period, from_band, to_band));
CREATE INDEX alert_outbox_status ON alert_outbox (status, route);
CREATE TABLE alert_channels (name TEXT PRIMARY KEY, channel_id TEXT NOT NULL);
CREATE TABLE commentary (id INTEGER PRIMARY KEY AUTOINCREMENT, measure TEXT NOT NULL, period TEXT NOT NULL,
    text TEXT NOT NULL, author TEXT NOT NULL, written_at TEXT NOT NULL);
"""

PAYLOAD = {"scorecard": "cic", "scorecard_title": "Children in Care", "measure": "CIC-RATE", "title": "Rate",
           "section": "Children in Care", "unit": None, "decimals": 1, "polarity": "lower", "period": "2017-05",
           "value": 15.0, "target": 9.0, "floor": 11.0, "to_band": "red", "previous_period": "2017-04",
           "previous_value": 10.0, "from_band": "amber", "kinds": ["turned_red", "band_change"], "warnings": 0}


def old_state(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(OLD_OUTBOX)
    conn.execute("INSERT INTO alert_runs VALUES (1, '2017-06-01T09:00:00+00:00', '{}', 1, 1)")
    conn.execute(
        "INSERT INTO alert_outbox (id, route, scorecard, measure, period, from_band, to_band, kinds, alert_key,"
        " payload, run_id, created_at, status, slack_channel, slack_ts, delivered_at) VALUES (1, '#directors',"
        " 'cic', 'CIC-RATE', '2017-05', 'amber', 'red', 'turned_red,band_change', 'k1', ?, 1,"
        " '2017-06-01T09:00:00+00:00', 'delivered', 'C1', '1.0', '2017-06-01T09:00:01+00:00')",
        (json.dumps(PAYLOAD),))
    conn.execute("INSERT INTO commentary (measure, period, text, author, written_at) VALUES"
                 " ('CIC-RATE', '2017-05', 'Two sibling groups came into care.', 'ann', '2017-06-02T10:00:00+00:00')")
    conn.commit()
    conn.close()


def test_old_state_file_is_upgraded_with_outbox_and_commentary_intact(basic_copy: Path) -> None:
    state = basic_copy / "data" / "state.db"
    old_state(state)
    # publishing upgrades the file first
    assert run(basic_copy, "publish", "--period", "2017-03").returncode == 0
    conn = sqlite3.connect(state)
    assert schema_version(conn) == SCHEMA_VERSION
    conn.close()
    with Outbox.open(state) as box:
        [row] = box.rows()
        assert (row.status, row.slack_ts, row.measure, row.to_band) == ("delivered", "1.0", "CIC-RATE", "red")
        assert row.transition.previous_value == 10.0
    note = CommentaryStore(state).latest("CIC-RATE", "2017-05")
    assert note is not None and note.text == "Two sibling groups came into care." and note.author == "ann"
    assert len(PublicationStore(state).all()) == 1


def test_old_state_file_is_upgraded_by_the_outbox_too(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    old_state(state)
    with Outbox.open(state) as box:
        assert [r.alert_key for r in box.rows()] == ["k1"]
        assert box.counts() == {"pending": 0, "delivered": 1, "dropped": 0}
    assert CommentaryStore(state).history("CIC-RATE", "2017-05")[0].author == "ann"
