"""`data_stale` and `restated` alert routes (SPEC section 7) against the local Slack stand-in,
with SCORECARD_TODAY set so nothing depends on the clock."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run_cli
from tests.slack_stub import SlackStub, copy_fixture, run_alerts

DATA_ROUTES = """
[alerts]
stale_after_days = 60

[[alerts.routes]]
channel = "#analysts"
when = ["data_stale"]

[[alerts.routes]]
channel = "#performance"
when = "restated"
"""


RESTATED_ROUTE = """
[alerts]
[[alerts.routes]]
channel = "#performance"
when = "restated"
"""


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as s:
        for name in ("analysts", "performance"):
            if name not in s.channels:
                s.add_channel(name)
        yield s


def scorecard(config: Path, *args: str, today: str) -> subprocess.CompletedProcess[str]:
    env = {"SCORECARD_TODAY": today, "PATH": str(Path(sys.executable).parent)}
    return run_cli(*args, "--config", str(config), cwd=config.parent, env=env)


def test_restated_alert_sent_once(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path, RESTATED_ROUTE)
    today = "2017-06-10"
    assert scorecard(config, "publish", "--period", "2017-03", today=today).returncode == 0
    quiet = run_alerts("run", config, env=stub.env(SCORECARD_TODAY=today))
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert stub.channel_messages("performance") == []

    with (config.parent / "data" / "health.csv").open("a") as f:
        f.write("H99,2017-02-20,2017-04-28,false\n")  # a late March record: IHA-20WD 75.0% Amber -> 60.0% Red
    first = run_alerts("run", config, env=stub.env(SCORECARD_TODAY=today))
    assert first.returncode == 0, first.stdout + first.stderr
    (message,) = stub.channel_messages("performance")
    assert "Restated since publication (1)" in message["text"]
    assert ("% of initial health assessments within 20 working days (IHA-20WD), March 2017: published 75.0%, Amber; "
            "the data now gives 60.0%, Red") in message["text"]

    again = run_alerts("run", config, env=stub.env(SCORECARD_TODAY=today))
    assert again.returncode == 0 and "nothing to send" in again.stdout
    assert len(stub.channel_messages("performance")) == 1
    status = json.loads(run_alerts("status", config, "--format", "json").stdout)
    assert [(a["measure"], a["from"], a["to"], a["status"]) for a in status["alerts"]] == [
        ("IHA-20WD", "amber", "red", "delivered")]


def test_stale_and_missing_data_alerts_sent_once(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path, DATA_ROUTES)
    # latest rows: workforce April 2017 (30 April), health 23 May, returns 26 May, episodes and adoptions 31 May
    fresh = run_alerts("run", config, env=stub.env(SCORECARD_TODAY="2017-06-20"))
    assert fresh.returncode == 0 and stub.channel_messages("analysts") == []

    stale = run_alerts("run", config, env=stub.env(SCORECARD_TODAY="2017-07-10"))
    assert stale.returncode == 0, stale.stdout + stale.stderr
    (message,) = stub.channel_messages("analysts")
    assert "Data not up to date (1)" in message["text"]
    assert "workforce: data 71 days old, extract of 30 April 2017 (stale after 60 days)" in message["text"]
    assert "episodes" not in message["text"]

    run_alerts("run", config, env=stub.env(SCORECARD_TODAY="2017-07-11"))  # the same dates: nothing new
    assert len(stub.channel_messages("analysts")) == 1

    run_alerts("run", config, env=stub.env(SCORECARD_TODAY="2017-07-31"))
    assert len(stub.channel_messages("analysts")) == 2
    newest = stub.channel_messages("analysts")[-1]["text"]
    assert "episodes, adoptions: data 61 days old, extract of 31 May 2017" in newest and "workforce" not in newest

    (config.parent / "data" / "returns.csv").unlink()
    missing = run_alerts("run", config, env=stub.env(SCORECARD_TODAY="2017-08-01"))
    assert missing.returncode == 1  # a missing file is a data problem too
    assert "returns: file missing (found missing on 1 August 2017)" in stub.channel_messages("analysts")[-1]["text"]
    run_alerts("run", config, env=stub.env(SCORECARD_TODAY="2017-08-02"))
    assert len(stub.channel_messages("analysts")) == 3
