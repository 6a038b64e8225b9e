"""Slack delivery: slack-sdk's WebClient (bot token) or WebhookClient (incoming webhook), with
retry handlers for rate limits (honouring Retry-After), server errors and connection errors,
all bounded by the run's deadline so a run gives up within a minute when Slack is down.

Credentials come from the environment only: `SLACK_BOT_TOKEN`, or `SLACK_WEBHOOK_URL`;
`SLACK_API_URL` replaces the Web API's base URL (a local stand-in server). The token and the
webhook URL (itself a secret) are redacted from every error and log line that leaves here.

Timings (seconds; production defaults in brackets) can be tuned through the environment:
`SCORECARD_ALERTS_DEADLINE` (50) for a whole run's delivery, `SCORECARD_SLACK_TIMEOUT` (10) per
request, `SCORECARD_SLACK_RETRIES` (3) per request and failure kind, `SCORECARD_SLACK_BACKOFF`
(1, doubling) between retries of server and connection errors.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.client import HTTPException, RemoteDisconnected
from typing import Any, Literal, Protocol
from urllib.error import URLError

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web import SlackResponse, WebClient
from slack_sdk.webhook import WebhookClient

from ..engine.names import CHANNEL_ID
from .secrets import Redactor, check_credentials

log = logging.getLogger("scorecard.alerts")

ErrorKind = Literal["unavailable", "auth", "rejected"]

AUTH_ERRORS = frozenset({
    "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "no_permission", "org_login_required", "ekm_access_denied", "team_access_not_granted",
})


class SlackError(Exception):
    """A delivery that did not succeed.

    kind: `unavailable` (Slack could not be reached or kept failing: stop this run, retry next),
    `auth` (the credentials are refused: stop), `rejected` (this request was refused, e.g.
    channel_not_found: other routes may still work).
    uncertain: the request may have reached Slack, so it may have been accepted.
    """

    def __init__(self, message: str, kind: ErrorKind, *, uncertain: bool = False, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.kind: ErrorKind = kind
        self.uncertain = uncertain
        self.code = code


@dataclass(frozen=True)
class SlackSettings:
    deadline: float = 50.0
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 1.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SlackSettings:
        env = os.environ if env is None else env
        base = cls()

        def num(name: str, default: float) -> float:
            raw = env.get(name)
            if raw is None or raw.strip() == "":
                return default
            try:
                value = float(raw)
            except ValueError:
                log.warning("ignoring %s=%r: not a number", name, raw)
                return default
            return value if math.isfinite(value) and value >= 0 else default

        return cls(
            deadline=num("SCORECARD_ALERTS_DEADLINE", base.deadline),
            timeout=max(num("SCORECARD_SLACK_TIMEOUT", base.timeout), 0.1),
            retries=int(num("SCORECARD_SLACK_RETRIES", base.retries)),
            backoff=num("SCORECARD_SLACK_BACKOFF", base.backoff),
        )


class Deadline:
    """A point in monotonic time after which a run stops talking to Slack."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0


class RedactingFilter(logging.Filter):
    def __init__(self, redact: Redactor):
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def guard_library_logs(redact: Redactor) -> None:
    """slack-sdk logs each failed request at ERROR and requests at DEBUG; ours says it better.
    Its loggers only pass warnings on, and a redacting filter sits on them in any case."""
    lib = logging.getLogger("slack_sdk")
    if not any(isinstance(f, RedactingFilter) for f in lib.filters):
        lib.addFilter(RedactingFilter(redact))
    for name in ("slack_sdk", "slack_sdk.web.base_client", "slack_sdk.webhook.client"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactingFilter) for f in logger.filters):
            logger.addFilter(RedactingFilter(redact))
        if logger.level == logging.NOTSET or logger.level < logging.CRITICAL:
            logger.setLevel(logging.CRITICAL)


# -- retry handlers ---------------------------------------------------------------------------
def _not_sent(error: BaseException | None) -> bool:
    """The request never left: nothing listens, the name does not resolve, no route."""
    reason: BaseException | None = error.reason if isinstance(error, URLError) else error  # type: ignore[assignment]
    return isinstance(reason, ConnectionRefusedError | socket.gaierror) or (
        isinstance(reason, OSError) and getattr(reason, "errno", None) in (101, 113)  # unreachable
    )


class _BoundedHandler(RetryHandler):
    def __init__(self, settings: SlackSettings, deadline: Deadline):
        super().__init__(max_retry_count=settings.retries)
        self.settings = settings
        self.deadline = deadline

    def _wait(self, state: RetryState) -> float:
        return self.settings.backoff * (2 ** state.current_attempt)

    def can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                  error: Exception | None = None) -> bool:
        if not super().can_retry(state=state, request=request, response=response, error=error):
            return False
        # a retry must fit in what is left of the run, with time for the request itself
        return self._pause(state, response) + 0.05 < self.deadline.remaining()

    def _pause(self, state: RetryState, response: HttpResponse | None) -> float:
        return self._wait(state)

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        pause = self._pause(state, response)
        log.info("Slack: retrying in %.1fs (%s)", pause, type(self).__name__)
        time.sleep(pause)
        state.next_attempt_requested = True
        state.increment_current_attempt()


class RateLimitRetry(_BoundedHandler):
    """429: wait as long as Retry-After says (1 s when it is missing), then try again."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return response is not None and response.status_code == 429

    def _pause(self, state: RetryState, response: HttpResponse | None) -> float:
        if response is not None:
            for k, v in response.headers.items():
                if k.lower() == "retry-after":
                    raw = v[0] if isinstance(v, list) else v
                    try:
                        return max(0.0, float(raw))
                    except (TypeError, ValueError):
                        break
        return 1.0


class ServerErrorRetry(_BoundedHandler):
    """5xx: Slack answered, so nothing was posted; back off and try again."""

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return response is not None and response.status_code >= 500


class ConnectionErrorRetry(_BoundedHandler):
    """Connection errors. A read (history, list) is retried after any of them; a post only when
    the request surely never reached Slack, since a dropped or timed-out post may have been
    accepted: that one is left to the outbox, which checks the channel before resending."""

    def __init__(self, settings: SlackSettings, deadline: Deadline, *, only_posts: bool):
        super().__init__(settings, deadline)
        self.only_posts = only_posts

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        if error is None or response is not None:
            return False
        if not isinstance(error, URLError | OSError | HTTPException):
            return False
        is_post = self.only_posts or "chat.postMessage" in request.url
        return _not_sent(error) or not is_post


def retry_handlers(settings: SlackSettings, deadline: Deadline, *, only_posts: bool) -> list[RetryHandler]:
    """`only_posts`: every request this client makes posts a message (a webhook)."""
    return [RateLimitRetry(settings, deadline), ServerErrorRetry(settings, deadline),
            ConnectionErrorRetry(settings, deadline, only_posts=only_posts)]


# -- clients ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Posted:
    channel: str  # Slack's channel id (or the route's channel for a webhook)
    ts: str | None  # the message's timestamp; a webhook does not say


class SlackClient(Protocol):
    kind: str
    can_check_history: bool

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]], metadata: dict[str, Any]) -> Posted: ...

    def history(self, channel_id: str, oldest: float, limit: int = 1000) -> list[dict[str, Any]]: ...

    def channel_id(self, name: str) -> str | None: ...

    def auth_test(self) -> dict[str, Any]: ...


def _transport_error(e: BaseException, redact: Redactor, *, post: bool) -> SlackError:
    sent = not _not_sent(e)
    if isinstance(e, TimeoutError | socket.timeout) or (isinstance(e, URLError) and isinstance(
            e.reason, TimeoutError | socket.timeout)):
        what = "Slack did not answer in time"
    elif isinstance(e, RemoteDisconnected | ConnectionResetError | HTTPException):
        what = "Slack closed the connection without an answer"
    else:
        what = "cannot reach Slack"
    detail = redact(str(getattr(e, "reason", e)) or type(e).__name__)
    uncertain = post and sent
    if uncertain:
        what += " (the message may have been accepted)"
    return SlackError(f"{what}: {detail}", "unavailable", uncertain=uncertain)


def _api_error(e: SlackApiError, redact: Redactor) -> SlackError:
    resp = e.response
    if isinstance(resp, dict):  # slack-sdk hands over its raw dict when the body is not JSON
        status, data = resp.get("status"), None
    else:
        status, data = getattr(resp, "status_code", None), getattr(resp, "data", None)
    code = data.get("error") if isinstance(data, dict) else None
    if status == 429:
        return SlackError("Slack is rate limiting (429) beyond this run's time", "unavailable", code="ratelimited")
    if status is not None and status >= 500:
        return SlackError(f"Slack server error {status}", "unavailable", code=str(status))
    if code in AUTH_ERRORS:
        return SlackError(f"Slack refused the credentials: {code}", "auth", code=code)
    if code in ("ratelimited", "service_unavailable", "fatal_error", "internal_error", "request_timeout"):
        return SlackError(f"Slack error: {code}", "unavailable", code=code)
    if code is None:
        return SlackError(redact(f"unexpected answer from Slack (HTTP {status})"), "unavailable")
    return SlackError(f"Slack error: {code}", "rejected", code=code)


class BotClient:
    """A bot token through slack-sdk's WebClient."""

    kind = "bot"
    can_check_history = True

    def __init__(self, token: str, base_url: str | None, settings: SlackSettings, deadline: Deadline):
        self._redact = Redactor([token])
        guard_library_logs(self._redact)
        if base_url and not base_url.endswith("/"):
            base_url += "/"
        self.settings = settings
        self.deadline = deadline
        self._client = WebClient(
            token=token,
            base_url=base_url or WebClient.BASE_URL,
            timeout=math.ceil(settings.timeout),
            retry_handlers=retry_handlers(settings, deadline, only_posts=False),
            logger=logging.getLogger("slack_sdk.web.base_client"),
        )

    def _call(self, request: Callable[[], SlackResponse], *, post: bool = False) -> dict[str, Any]:
        remaining = self.deadline.remaining()
        if remaining <= 0:
            raise SlackError("this run's time for Slack is used up", "unavailable")
        # no single request may outlive the run (urllib takes float timeouts)
        self._client.timeout = min(self.settings.timeout, max(remaining, 0.5))  # type: ignore[assignment]
        try:
            data = request().data
        except SlackApiError as e:
            raise _api_error(e, self._redact) from None
        except (URLError, OSError, HTTPException) as e:
            raise _transport_error(e, self._redact, post=post) from None
        except SlackClientError as e:
            raise SlackError(self._redact(f"Slack client error: {e}"), "unavailable", uncertain=post) from None
        if not isinstance(data, dict):
            raise SlackError("unexpected answer from Slack", "unavailable", uncertain=post)
        return data

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]], metadata: dict[str, Any]) -> Posted:
        data = self._call(lambda: self._client.chat_postMessage(
            channel=channel, text=text, blocks=blocks, metadata=metadata, unfurl_links=False, unfurl_media=False,
        ), post=True)
        return Posted(str(data.get("channel") or channel), data.get("ts"))

    def history(self, channel_id: str, oldest: float, limit: int = 1000) -> list[dict[str, Any]]:
        """Messages in the channel since `oldest` (Unix time), newest first, with their metadata."""
        out: list[dict[str, Any]] = []
        cursor: str | None = None
        while len(out) < limit:
            args: dict[str, Any] = {"channel": channel_id, "oldest": f"{oldest:.6f}", "limit": 200,
                                    "include_all_metadata": True}
            if cursor:
                args["cursor"] = cursor
            data = self._call(functools.partial(self._client.conversations_history, **args))
            out.extend(data.get("messages") or [])
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not data.get("has_more") or not cursor:
                break
        return out

    def channel_id(self, name: str) -> str | None:
        """Slack's id for a channel name (`#name` or `name`); an id is returned as it is."""
        bare = name.lstrip("#")
        if CHANNEL_ID.match(bare):
            return bare
        cursor: str | None = None
        for _ in range(50):
            args: dict[str, Any] = {"types": "public_channel,private_channel", "exclude_archived": True,
                                    "limit": 1000}
            if cursor:
                args["cursor"] = cursor
            data = self._call(functools.partial(self._client.conversations_list, **args))
            for c in data.get("channels") or []:
                if c.get("name") == bare:
                    return str(c["id"])
            cursor = (data.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return None

    def auth_test(self) -> dict[str, Any]:
        data = self._call(self._client.auth_test)
        return {k: data.get(k) for k in ("team", "user", "team_id", "user_id", "bot_id", "url")}


class WebhookPoster:
    """An incoming webhook: posts to the webhook's own channel. It cannot read history, so a
    crash between Slack accepting a message and the outbox recording it can repeat the message;
    a bot token avoids that."""

    kind = "webhook"
    can_check_history = False

    def __init__(self, url: str, settings: SlackSettings, deadline: Deadline):
        self._redact = Redactor([url])
        guard_library_logs(self._redact)
        self.settings = settings
        self.deadline = deadline
        self._client = WebhookClient(url=url, timeout=math.ceil(settings.timeout),
                                     retry_handlers=retry_handlers(settings, deadline, only_posts=True),
                                     logger=logging.getLogger("slack_sdk.webhook.client"))

    def post(self, channel: str, text: str, blocks: list[dict[str, Any]], metadata: dict[str, Any]) -> Posted:
        remaining = self.deadline.remaining()
        if remaining <= 0:
            raise SlackError("this run's time for Slack is used up", "unavailable")
        self._client.timeout = min(self.settings.timeout, max(remaining, 0.5))  # type: ignore[assignment]
        try:
            resp = self._client.send(text=text, blocks=blocks, unfurl_links=False, unfurl_media=False)
        except (URLError, OSError, HTTPException) as e:
            raise _transport_error(e, self._redact, post=True) from None
        if resp.status_code == 200:
            return Posted(channel, None)
        body = self._redact((resp.body or "").strip())[:200]
        if resp.status_code == 429 or resp.status_code >= 500:
            raise SlackError(f"Slack webhook answered {resp.status_code}: {body}", "unavailable")
        if body in ("invalid_token", "no_service", "no_team", "team_disabled", "action_prohibited"):
            raise SlackError(f"Slack refused the webhook: {body}", "auth", code=body)
        raise SlackError(f"Slack webhook answered {resp.status_code}: {body}", "rejected", code=body)

    def history(self, channel_id: str, oldest: float, limit: int = 1000) -> list[dict[str, Any]]:
        raise SlackError("an incoming webhook cannot read channel history", "rejected")

    def channel_id(self, name: str) -> str | None:
        return None

    def auth_test(self) -> dict[str, Any]:
        return {"webhook": True}


def client_from_env(settings: SlackSettings, deadline: Deadline,
                    env: Mapping[str, str] | None = None) -> SlackClient | None:
    """The configured client, or None when neither SLACK_BOT_TOKEN nor SLACK_WEBHOOK_URL is set.
    A bot token wins when both are. Raises CredentialsError (one line, no secret) when the token
    or a URL has a shape that cannot work (a line break, no https:// scheme...)."""
    env = os.environ if env is None else env
    kind = check_credentials(env)
    if kind == "bot":
        token = (env.get("SLACK_BOT_TOKEN") or "").strip()
        return BotClient(token, (env.get("SLACK_API_URL") or "").strip() or None, settings, deadline)
    if kind == "webhook":
        return WebhookPoster((env.get("SLACK_WEBHOOK_URL") or "").strip(), settings, deadline)
    return None

