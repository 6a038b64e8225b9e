"""The Slack client against the local stand-in server: retries, rate limits, outages, webhooks."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from scorecard.notify.slack import (
    BotClient,
    Deadline,
    SlackError,
    SlackSettings,
    WebhookPoster,
    client_from_env,
)
from tests.slack_stub import SlackStub, free_port

FAST = SlackSettings(deadline=8.0, timeout=5.0, retries=3, backoff=0.01)
BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}]
META = {"event_type": "scorecard_alert", "event_payload": {"alerts": "k1 k2"}}


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    with SlackStub() as s:
        yield s


def bot(stub: SlackStub, settings: SlackSettings = FAST, token: str | None = None) -> BotClient:
    return BotClient(token or stub.token, stub.url, settings, Deadline(settings.deadline))


def test_post_history_and_channel_lookup(stub: SlackStub) -> None:
    client = bot(stub)
    posted = client.post("#directors", "hello", BLOCKS, META)
    assert posted.channel == stub.channels["directors"] and posted.ts
    (stored,) = stub.channel_messages("directors")
    assert stored["metadata"] == META and stored["blocks"] == BLOCKS and stored["text"] == "hello"
    assert client.channel_id("#directors") == stub.channels["directors"]
    assert client.channel_id("#nowhere") is None
    history = client.history(posted.channel, time.time() - 60)
    assert [m["ts"] for m in history] == [posted.ts]
    assert history[0]["metadata"] == META
    assert client.auth_test()["team"] == "Testshire"


def test_429_waits_as_long_as_retry_after_says(stub: SlackStub) -> None:
    stub.fail("429", times=1, retry_after=1)
    bot(stub).post("#directors", "hello", BLOCKS, META)
    calls = stub.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0
    assert len(stub.messages) == 1


def test_429_longer_than_the_run_gives_up_without_waiting(stub: SlackStub) -> None:
    stub.fail("429", times=1, retry_after=120)
    started = time.monotonic()
    with pytest.raises(SlackError) as e:
        bot(stub).post("#directors", "hello", BLOCKS, META)
    assert time.monotonic() - started < 2
    assert e.value.kind == "unavailable" and not e.value.uncertain
    assert stub.messages == []


def test_500s_until_recovery(stub: SlackStub) -> None:
    stub.fail("500", times=2)
    bot(stub).post("#directors", "hello", BLOCKS, META)
    assert [c.status for c in stub.calls_to("chat.postMessage")] == [500, 500, 200]
    assert len(stub.messages) == 1


def test_500s_beyond_the_retries_leave_it_for_the_next_run(stub: SlackStub) -> None:
    stub.fail("500", times=10)
    with pytest.raises(SlackError) as e:
        bot(stub).post("#directors", "hello", BLOCKS, META)
    assert e.value.kind == "unavailable" and not e.value.uncertain  # Slack answered: nothing was posted
    assert len(stub.calls_to("chat.postMessage")) == 1 + FAST.retries
    assert stub.messages == []


def test_connection_refused_is_retried_then_reported_quickly() -> None:
    port = free_port()
    client = BotClient("xoxb-x-SECRET", f"http://127.0.0.1:{port}/api/", FAST, Deadline(FAST.deadline))
    started = time.monotonic()
    with pytest.raises(SlackError) as e:
        client.post("#directors", "hello", BLOCKS, META)
    assert time.monotonic() - started < 3
    assert e.value.kind == "unavailable"
    assert not e.value.uncertain  # refused: the request never left, so it cannot have been posted
    assert "xoxb-x-SECRET" not in e.value.message


def test_a_dropped_post_is_not_blindly_retried_but_a_dropped_read_is(stub: SlackStub) -> None:
    stub.fail("accept_drop", times=1)
    with pytest.raises(SlackError) as e:
        bot(stub).post("#directors", "hello", BLOCKS, META)
    assert e.value.uncertain  # it may have been accepted (here it was): the outbox checks history first
    assert len(stub.calls_to("chat.postMessage")) == 1
    assert len(stub.messages) == 1
    stub.fail("drop", times=1, method="conversations.history")
    assert len(bot(stub).history(stub.channels["directors"], 0)) == 1
    assert [c.status for c in stub.calls_to("conversations.history")] == [0, 200]


def test_no_request_outlives_the_run(stub: SlackStub) -> None:
    """Slack accepts the connection and never answers: the run's deadline cuts the wait short."""
    stub.fail("hold", times=5)
    settings = SlackSettings(deadline=1.0, timeout=30.0, retries=3, backoff=0.01)
    started = time.monotonic()
    with pytest.raises(SlackError) as e:
        bot(stub, settings).post("#directors", "hello", BLOCKS, META)
    assert time.monotonic() - started < 3
    assert e.value.kind == "unavailable" and e.value.uncertain


def test_refusals_are_sorted_by_kind(stub: SlackStub) -> None:
    with pytest.raises(SlackError) as e:
        bot(stub, token="xoxb-wrong-SECRET").post("#directors", "hello", BLOCKS, META)
    assert e.value.kind == "auth" and e.value.code == "invalid_auth"
    assert "xoxb-wrong-SECRET" not in str(e.value)
    with pytest.raises(SlackError) as e:
        bot(stub).post("#nowhere", "hello", BLOCKS, META)
    assert e.value.kind == "rejected" and e.value.code == "channel_not_found"
    with pytest.raises(SlackError) as e:
        bot(stub).history("#directors", 0)  # history wants the channel's id, as Slack does
    assert e.value.code == "channel_not_found"


def test_webhook(stub: SlackStub) -> None:
    hook = WebhookPoster(stub.webhook_url, FAST, Deadline(FAST.deadline))
    posted = hook.post("#anything", "hello", BLOCKS, META)
    assert posted.ts is None
    (m,) = stub.messages
    assert m["via"] == "webhook" and m["channel"] == stub.webhook_channel
    stub.fail("500", times=1 + FAST.retries, method="webhook")
    with pytest.raises(SlackError) as e:
        hook.post("#anything", "again", BLOCKS, META)
    assert e.value.kind == "unavailable"
    assert len(stub.messages) == 1
    bad = WebhookPoster(stub.webhook_url + "nope", FAST, Deadline(FAST.deadline))
    with pytest.raises(SlackError) as e:
        bad.post("#anything", "hello", BLOCKS, META)
    assert e.value.kind == "auth"
    assert stub.webhook_secret not in str(e.value)


def test_credentials_come_from_the_environment(stub: SlackStub) -> None:
    settings, deadline = FAST, Deadline(1)
    assert client_from_env(settings, deadline, {}) is None
    both = client_from_env(settings, deadline, {"SLACK_BOT_TOKEN": stub.token, "SLACK_API_URL": stub.url,
                                                 "SLACK_WEBHOOK_URL": stub.webhook_url})
    assert both is not None and both.kind == "bot"  # a bot token wins: it can check history
    hook = client_from_env(settings, deadline, {"SLACK_WEBHOOK_URL": stub.webhook_url})
    assert hook is not None and hook.kind == "webhook"


def test_settings_from_environment() -> None:
    assert SlackSettings.from_env({}) == SlackSettings()
    assert SlackSettings().deadline < 60  # a run gives up within a minute by default
    s = SlackSettings.from_env({"SCORECARD_ALERTS_DEADLINE": "3", "SCORECARD_SLACK_BACKOFF": "0.01",
                                "SCORECARD_SLACK_RETRIES": "1", "SCORECARD_SLACK_TIMEOUT": "nonsense"})
    assert (s.deadline, s.backoff, s.retries, s.timeout) == (3.0, 0.01, 1, SlackSettings().timeout)
