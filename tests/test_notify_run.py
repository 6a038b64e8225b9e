"""`scorecard alerts run` and `status` end to end: a child process, the acceptance fixture copied
into a temporary folder with two routes, and the Slack stand-in server."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.slack_stub import SlackStub, alerts_command, copy_fixture, free_port, run_alerts

ANALYSTS = ("CIC-RATE", "IHA-20WD", "RI-3WD")
UNCHANGED = ("CIC-COUNT", "CIC-FOSTER", "CIC-FOSTER-U16", "ADOPT-A2", "WF-PERM")


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as s:
        yield s


def status(config: Path) -> dict[str, Any]:
    r = run_alerts("status", config, "--format", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def measures_in(message: dict[str, Any]) -> set[str]:
    text = json.dumps(message["blocks"]) + message["text"]
    return {m for m in (*ANALYSTS, *UNCHANGED) if f"({m})" in message["text"] or f"`{m}`" in text}


def assert_delivered_once(stub: SlackStub) -> None:
    (directors,) = stub.channel_messages("directors")
    (analysts,) = stub.channel_messages("analysts")
    assert measures_in(directors) == {"CIC-RATE"}
    assert measures_in(analysts) == set(ANALYSTS)
    # Red first
    assert analysts["text"].index("(CIC-RATE)") < analysts["text"].index("(IHA-20WD)")


def test_done_when_two_routes_rerun_outage_recovery(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    first = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert first.returncode == 0, first.stdout + first.stderr
    assert_delivered_once(stub)
    assert "#directors: sent 1 alert(s) in 1 line(s)" in first.stdout
    assert "#analysts: sent 3 alert(s) in 3 line(s)" in first.stdout
    (directors,) = stub.channel_messages("directors")
    assert directors["metadata"]["event_type"] == "scorecard_alert"
    assert "Testshire County Council" in directors["text"] and "(Europe/London)" in directors["text"]

    again = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert again.returncode == 0, again.stderr
    assert "nothing to send" in again.stdout
    assert len(stub.calls_to("chat.postMessage")) == 2
    st = status(config)
    assert st["summary"] == {"pending": 0, "delivered": 4, "dropped": 0}
    assert {a["slack"]["ts"] for a in st["alerts"]} == {m["ts"] for m in stub.messages}


def test_outage_keeps_everything_pending_then_recovery_delivers_once(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    stub.stop()  # Slack is down: connections refused
    down = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert down.returncode == 1
    assert "cannot reach Slack" in down.stdout and "4 alert(s) pending" in down.stdout
    st = status(config)
    assert st["summary"] == {"pending": 4, "delivered": 0, "dropped": 0}
    tried = [a for a in st["alerts"] if a["last_error"]]
    assert tried and all("cannot reach Slack" in a["last_error"] for a in tried)
    assert all(not a["uncertain"] for a in st["alerts"])  # refused: nothing can have been posted

    # still down next time: still pending, with the reason (Slack cannot even be asked whether it
    # already has them, so no send is attempted)
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 1
    st = status(config)
    assert st["summary"]["pending"] == 4 and all(a["attempts"] == 0 for a in st["alerts"])
    assert any("cannot reach Slack" in (a["last_error"] or "") for a in st["alerts"])

    stub.start()  # back, on the same port
    up = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert up.returncode == 0, up.stdout + up.stderr
    assert_delivered_once(stub)
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 0
    assert len(stub.messages) == 2
    assert status(config)["summary"] == {"pending": 0, "delivered": 4, "dropped": 0}


def test_500s_until_recovery_and_429(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    stub.fail("500", times=50)
    failing = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert failing.returncode == 1 and "Slack server error 500" in failing.stdout
    assert stub.messages == []
    stub.faults.clear()
    stub.fail("500", times=2)  # recovering: two more errors, then fine
    stub.fail("429", times=1, retry_after=1, method="chat.postMessage")
    ok = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert_delivered_once(stub)


def test_a_process_killed_after_slack_accepted_does_not_send_twice(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    stub.fail("accept_hold", times=1)  # the first post is stored, then Slack "hangs" until released
    child = subprocess.Popen(alerts_command("run", config, "--period", "2017-04"), env=stub.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=config.parent)
    try:
        assert stub.held.wait(30), "the child never reached Slack"
        child.send_signal(signal.SIGKILL)  # killed between Slack accepting and the outbox recording
        child.wait(10)
    finally:
        stub.release.set()
        child.kill()
        child.communicate()
    assert len(stub.channel_messages("directors")) == 1
    crashed = [a for a in status(config)["alerts"] if a["route"] == "#directors"]
    assert [(a["status"], a["attempts"], a["uncertain"]) for a in crashed] == [("pending", 1, True)]

    rerun = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "already in the channel" in rerun.stdout
    assert_delivered_once(stub)  # directors still has exactly one message
    st = status(config)
    (directors,) = [a for a in st["alerts"] if a["route"] == "#directors"]
    assert directors["slack"]["found_in_history"] is True
    assert directors["slack"]["ts"] == stub.channel_messages("directors")[0]["ts"]
    assert st["summary"] == {"pending": 0, "delivered": 4, "dropped": 0}


def test_a_process_killed_before_slack_accepted_sends_once(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    stub.fail("hold", times=1)  # Slack never gets to store the first post
    child = subprocess.Popen(alerts_command("run", config, "--period", "2017-04"), env=stub.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=config.parent)
    try:
        assert stub.held.wait(30)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        stub.release.set()
        child.kill()
        child.communicate()
    assert stub.messages == []
    rerun = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert_delivered_once(stub)
    # #directors looked before its first send (never sent from this state file) and before resending;
    # #analysts before its first send
    assert len(stub.calls_to("conversations.history")) == 3


def test_connection_dropped_after_accepting(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    stub.fail("accept_drop", times=1)
    first = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert first.returncode == 1
    assert "may have been accepted" in first.stdout
    second = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert second.returncode == 0, second.stdout
    assert_delivered_once(stub)


def test_slack_that_never_answers_gives_up_within_the_deadline(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    stub.fail("hold", times=10)  # every request is held until the test releases them
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env(SCORECARD_ALERTS_DEADLINE="1.5"))
    stub.release.set()  # the run came back while Slack still held its requests: it gave up on its own
    assert r.returncode == 1
    assert status(config)["summary"]["pending"] == 4


def test_title_with_channel_mention_is_escaped(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path, edit=lambda text: text.replace(
        'title = "Children in care per 10,000 child population"',
        'title = "<!channel> Children in care & <@U0BOSS> per 10,000"'))
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert r.returncode == 0, r.stdout + r.stderr
    for m in stub.messages:
        raw = json.dumps(m["blocks"]) + m["text"]
        assert "<!channel>" not in raw and "<@U0BOSS>" not in raw and "<!" not in raw
        assert "&lt;!channel&gt; Children in care &amp; &lt;@U0BOSS&gt;" in raw


def test_dry_run_prints_and_changes_nothing(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    r = run_alerts("run", config, "--period", "2017-04", "--dry-run", env=stub.env())
    assert r.returncode == 0, r.stderr
    assert "--- to #directors, 1 alert(s) in 1 line(s)" in r.stdout
    assert "--- to #analysts, 3 alert(s) in 3 line(s)" in r.stdout
    assert "(IHA-20WD)" in r.stdout and "dry run" in r.stdout
    assert stub.calls == []
    assert not (config.parent / "data" / "state.db").exists()  # a dry run creates no state file
    assert status(config)["summary"] == {"pending": 0, "delivered": 0, "dropped": 0}


def test_status_table_and_json(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    empty = run_alerts("status", config)
    assert empty.returncode == 0 and "no alerts yet" in empty.stdout
    assert not (config.parent / "data" / "state.db").exists()  # status never creates state
    stub.stop()
    run_alerts("run", config, "--period", "2017-04", env=stub.env())
    table = run_alerts("status", config)
    assert table.returncode == 0
    assert "4 pending, 0 delivered" in table.stdout
    assert "CIC-RATE" in table.stdout and "amber → red" in table.stdout
    st = status(config)
    assert st["state"] == str(config.parent / "data" / "state.db")
    first = st["alerts"][0]
    assert set(first) >= {"id", "route", "scorecard", "measure", "period", "from", "to", "status", "attempts",
                          "last_error", "slack"}


def test_no_credentials_keeps_alerts_pending(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    env = stub.env()
    del env["SLACK_BOT_TOKEN"]
    r = run_alerts("run", config, "--period", "2017-04", env=env)
    assert r.returncode == 1 and "set SLACK_BOT_TOKEN" in r.stdout
    assert status(config)["summary"]["pending"] == 4
    assert run_alerts("run", config, "--period", "2017-04", env=stub.env()).returncode == 0
    assert_delivered_once(stub)


def test_webhook_delivery(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    env = stub.env(SLACK_WEBHOOK_URL=stub.webhook_url)
    del env["SLACK_BOT_TOKEN"]
    r = run_alerts("run", config, "--period", "2017-04", env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(stub.messages) == 2 and all(m["via"] == "webhook" for m in stub.messages)
    assert run_alerts("run", config, "--period", "2017-04", env=env).returncode == 0
    assert len(stub.messages) == 2
    assert stub.webhook_secret not in r.stdout + r.stderr


def test_secrets_never_in_output_logs_or_state(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    secret = stub.token
    outputs = []
    debug = stub.env(SCORECARD_LOG_LEVEL="DEBUG")
    stub.fail("500", times=1)
    stub.fail("accept_drop", times=1, method="chat.postMessage")
    for env in (debug, stub.env(SLACK_BOT_TOKEN=secret + "-wrong", SCORECARD_LOG_LEVEL="DEBUG"), debug):
        r = run_alerts("run", config, "--period", "2017-04", env=env)
        outputs.append(r.stdout + r.stderr)
    refused = stub.env(SLACK_API_URL=f"http://127.0.0.1:{free_port()}/api/", SCORECARD_LOG_LEVEL="DEBUG")
    r = run_alerts("run", copy_fixture(tmp_path / "other"), "--period", "2017-04", env=refused)
    outputs.append(r.stdout + r.stderr)
    outputs.append(run_alerts("status", config).stdout)
    assert "invalid_auth" in outputs[1]
    for out in outputs:
        assert secret not in out
        assert "SECRET" not in out
    state = config.parent / "data" / "state.db"
    assert secret.encode() not in state.read_bytes()
    with sqlite3.connect(state) as c:
        dump = "\n".join(c.iterdump())
    assert "SECRET" not in dump


def test_bad_period_is_a_usage_error(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    r = run_alerts("run", config, "--period", "April", env=stub.env())
    assert r.returncode == 2 and "YYYY-MM" in r.stderr
    assert stub.calls == []


def test_sent_line_counts_alerts_as_the_summary_does(tmp_path: Path, stub: SlackStub) -> None:
    """Each measure on two scorecards: a message line carries two outbox alerts. The sent line, the dry
    run's header and the run's summary all count alerts (and say the lines they are shown in)."""
    def two_scorecards(text: str) -> str:
        text = text.replace('[[scorecards]]\nid = "cic"\ntitle = "Children in Care"\n',
                            '[[scorecards]]\nid = "cic"\ntitle = "Children in Care"\n\n'
                            '[[scorecards]]\nid = "all"\ntitle = "All measures"\n', 1)
        return text.replace('scorecards = ["cic"]', 'scorecards = ["cic", "all"]')

    config = copy_fixture(tmp_path, edit=two_scorecards)
    dry = run_alerts("run", config, "--period", "2017-04", "--dry-run", env=stub.env())
    assert dry.returncode == 0, dry.stderr
    assert "8 new alert(s)" in dry.stdout
    assert "--- to #directors, 2 alert(s) in 1 line(s)" in dry.stdout
    assert "--- to #analysts, 6 alert(s) in 3 line(s)" in dry.stdout
    sent = run_alerts("run", config, "--period", "2017-04", env=stub.env())
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "8 new alert(s) in the outbox" in sent.stdout
    assert "#directors: sent 2 alert(s) in 1 line(s), ts " in sent.stdout
    assert "#analysts: sent 6 alert(s) in 3 line(s), ts " in sent.stdout
    assert status(config)["summary"] == {"pending": 0, "delivered": 8, "dropped": 0}
