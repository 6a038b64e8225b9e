"""Issue 13 item 2: no Slack secret in any output, log line, traceback or the state file, whatever
odd shape the token or webhook URL has. Every run's stdout and stderr (and the state file) is
scanned for a marker that is in every secret, in any form (escaped, percent-encoded, split)."""

from __future__ import annotations

import io
import logging
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scorecard.cli import ScorecardGroup
from scorecard.notify.commands import configure_logging
from scorecard.notify.secrets import CredentialsError, Redactor, check_credentials
from tests.slack_stub import SlackStub, alerts_command, copy_fixture, run_alerts

MARK = "Zq9SecretMark"
MARKS = (MARK, MARK.lower(), MARK.upper())


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as s:
        yield s


def assert_clean(text: str) -> None:
    for m in MARKS:
        assert m not in text, text


def bare_env(stub: SlackStub, **extra: str) -> dict[str, str]:
    env = stub.env(SCORECARD_LOG_LEVEL="DEBUG", **extra)
    del env["SLACK_BOT_TOKEN"]
    env.update(extra)
    return env


ODD_WEBHOOKS = [
    f"hooks.slack.com/services/T0/B0/{MARK}",  # no scheme
    f"ftp://hooks.slack.com/services/T0/B0/{MARK}",  # a bad scheme
    f"htps//hooks.slack.com/services/T0/B0/{MARK}",
    f"https://hooks.slack.com/services/T0/B0/{MARK} extra",  # a space
    f"https://hooks.slack.com/services/T0/B0/{MARK}\nsecond-line",  # a line break
    f"http://hooks.slack.com/services/T0/B0/{MARK}",  # plain http off this machine
    f"https://hooks.slack.com:port{MARK}/services/T0/B0/x",  # a port that is not a number
    f"https://[::1/services/T0/B0/{MARK}",  # an unclosed IPv6 host
    f"https://hooks.slack.com/services/T0/B0/{MARK}\u00e9",  # not ASCII
]
ODD_TOKENS = [
    f"xoxb-1234-{MARK}\nx",  # a line break inside (escaped text used to defeat the redactor)
    f"xoxb-1234-{MARK}\tx",
    f"xoxb-1234-{MARK} x",
    f"xoxb-1234-{MARK}\x1b[0m",  # a control character (an escape sequence)
    f"xoxb-1234-{MARK}\u00e9",
    f"Bearer xoxb-1234-{MARK}",
    f"{MARK}-not-a-token",
]


@pytest.mark.parametrize("url", ODD_WEBHOOKS)
def test_odd_webhook_url_is_one_line_without_the_secret(tmp_path: Path, stub: SlackStub, url: str) -> None:
    config = copy_fixture(tmp_path)
    for debug in ("", "1"):
        r = run_alerts("run", config, "--period", "2017-04", env=bare_env(stub, SLACK_WEBHOOK_URL=url,
                                                                               SCORECARD_DEBUG=debug))
        assert r.returncode == 1
        assert_clean(r.stdout + r.stderr)
        assert "Traceback" not in r.stderr
        assert r.stderr.count("\n") == 1 and "SLACK_WEBHOOK_URL" in r.stderr, r.stderr
    assert stub.calls == []


@pytest.mark.parametrize("token", ODD_TOKENS)
def test_odd_token_is_one_line_without_the_secret(tmp_path: Path, stub: SlackStub, token: str) -> None:
    config = copy_fixture(tmp_path)
    r = run_alerts("run", config, "--period", "2017-04", env=stub.env(SLACK_BOT_TOKEN=token, SCORECARD_DEBUG="1",
                                                                     SCORECARD_LOG_LEVEL="DEBUG"))
    assert r.returncode == 1
    assert_clean(r.stdout + r.stderr)
    assert "Traceback" not in r.stderr and r.stderr.count("\n") == 1 and "SLACK_BOT_TOKEN" in r.stderr
    assert stub.calls == []


def test_wrong_but_well_formed_secrets_never_leak(tmp_path: Path, stub: SlackStub) -> None:
    """Slack refuses a token and a webhook: the refusals are reported, the secrets are not; nor are
    they in `status` or the state file."""
    config = copy_fixture(tmp_path)
    outputs = []
    token = f"xoxb-1234-{MARK}"
    for env in (stub.env(SLACK_BOT_TOKEN=token, SCORECARD_LOG_LEVEL="DEBUG", SCORECARD_DEBUG="1"),
                bare_env(stub, SLACK_WEBHOOK_URL=f"http://127.0.0.1:{stub.port}/services/T0/B0/{MARK}")):
        r = run_alerts("run", config, "--period", "2017-04", env=env)
        assert r.returncode == 1
        outputs.append(r.stdout + r.stderr)
        for fmt in ("table", "json"):
            outputs.append(run_alerts("status", config, "--format", fmt, env=env).stdout)
    assert "invalid_auth" in outputs[0] and "no_service" in outputs[3]
    for out in outputs:
        assert_clean(out)
    state = config.parent / "data" / "state.db"
    for m in MARKS:
        assert m.encode() not in state.read_bytes()
    with sqlite3.connect(state) as c:
        assert_clean("\n".join(c.iterdump()))


def test_serve_refuses_an_odd_token_in_one_line(tmp_path: Path, stub: SlackStub) -> None:
    config = copy_fixture(tmp_path)
    r = run_alerts("serve", config, "--run-now", env=stub.env(SLACK_BOT_TOKEN=f"xoxb-1-{MARK}\nx"), timeout=30)
    assert r.returncode == 1 and "SLACK_BOT_TOKEN holds a line break" in r.stderr
    assert_clean(r.stdout + r.stderr)
    assert "Traceback" not in r.stderr


def test_serve_log_lines_hold_no_secret(tmp_path: Path, stub: SlackStub) -> None:
    """A scheduled run with a refused webhook: serve's log (every line) holds no secret."""
    config = copy_fixture(tmp_path)
    env = bare_env(stub, SLACK_WEBHOOK_URL=f"http://127.0.0.1:{stub.port}/services/T0/B0/{MARK}")
    proc = subprocess.Popen(alerts_command("serve", config, "--run-now"), env=env, cwd=config.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert stub.wait_for(lambda: any(c.method == "webhook" for c in stub.calls), timeout=30)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert "no_service" in out + err
    assert_clean(out + err)


def test_logged_traceback_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve` logs a failed run with its traceback: the traceback passes through the redactor too."""
    url = f"https://hooks.slack.com/services/T0/B0/{MARK}"
    monkeypatch.setenv("SLACK_WEBHOOK_URL", url)
    configure_logging(logging.INFO)
    handler = next(h for h in logging.getLogger("scorecard").handlers if getattr(h, "_scorecard_alerts", False))
    stream = io.StringIO()
    old = handler.setStream(stream)  # type: ignore[attr-defined]
    try:
        try:
            raise ValueError(f"unknown url type: {url!r}")
        except ValueError:
            logging.getLogger("scorecard.alerts").exception("alerts run failed")
        logging.getLogger("apscheduler.executors.default").error("Job raised %s", url, exc_info=False)
    finally:
        handler.setStream(old)  # type: ignore[attr-defined]
    text = stream.getvalue()
    assert "Traceback" in text and "alerts run failed" in text and "Job raised" in text
    assert_clean(text)


@pytest.mark.parametrize("debug", ["", "1"])
def test_unexpected_error_and_its_traceback_are_redacted(monkeypatch: pytest.MonkeyPatch, debug: str) -> None:
    token = f"xoxb-1234-{MARK}\nx"
    monkeypatch.setenv("SLACK_BOT_TOKEN", token)

    @click.group(cls=ScorecardGroup)
    def cli() -> None:
        pass

    @cli.command()
    def boom() -> None:
        raise ValueError(f"Invalid header value {('Bearer ' + token).encode()!r}")

    r = CliRunner().invoke(cli, ["boom"], env={"SCORECARD_DEBUG": debug})
    assert r.exit_code == 1
    assert ("Traceback" in r.output) == bool(debug)
    assert "ValueError" in r.output
    assert_clean(r.output)


def test_redactor_forms() -> None:
    redact = Redactor([f"https://hooks.slack.com/services/T0/B0/{MARK}", f"xoxb-1-{MARK}\nx"])
    for text in (f"b'Bearer xoxb-1-{MARK}\\nx'", f"https%3A%2F%2Fhooks.slack.com%2Fservices%2FT0%2FB0%2F{MARK}",
                 f"/services/T0/B0/{MARK}", f"line one xoxb-1-{MARK}"):
        assert_clean(redact(text))
    assert redact("an ordinary sentence") == "an ordinary sentence"


def test_check_credentials_shapes() -> None:
    assert check_credentials({}) is None
    assert check_credentials({"SLACK_BOT_TOKEN": "xoxb-1-abc-DEF\n"}) == "bot"  # a trailing newline is trimmed
    assert check_credentials({"SLACK_BOT_TOKEN": "xoxe.xoxb-1-abcdef"}) == "bot"  # a rotating token
    assert check_credentials({"SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/x"}) == "webhook"
    for bad in ({"SLACK_API_URL": "slack.com/api"}, {"SLACK_WEBHOOK_URL": "https://hooks.slack.com"}):
        with pytest.raises(CredentialsError):
            check_credentials(bad)
