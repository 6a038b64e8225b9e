"""The Slack secrets (the bot token, the incoming webhook URL): their shape checked before use,
and removed from every text that leaves the program (messages, log lines, tracebacks).

A secret can reach text in other forms than its own: escaped (`b'Bearer xoxb-...\\nx'` in an
"Invalid header value" error), percent-encoded in a URL, or one line of it when it holds a line
break. The redactor removes each of those forms. Imports nothing from Slack's SDK, so the CLI's
last-resort error handler can use it.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import traceback
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

MIN_SECRET = 8  # shorter fragments are not redacted on their own (they would eat ordinary words)
TOKEN_SHAPE = re.compile(r"^xox[0-9A-Za-z.]*-[0-9A-Za-z._-]+$")
REDACTED = "[redacted]"


class CredentialsError(ValueError):
    """A token or webhook URL that cannot be used as it is; the message never holds the value."""


def _forms(secret: str) -> set[str]:
    """The ways a secret can appear in text: as it is, escaped, percent-encoded, line by line."""
    forms = {secret, secret.encode("unicode_escape").decode("ascii"), repr(secret)[1:-1],
             secret.encode("utf-8", "backslashreplace").decode("latin-1"),
             quote(secret, safe=""), quote(secret, safe="/:"), str(secret.encode("utf-8", "replace"))[2:-1]}
    forms.update(part for part in re.split(r"[\s\x00-\x1f\x7f]+", secret))
    if "/services/" in secret:  # a webhook: its path is the secret part
        tail = secret.split("/services/", 1)[1]
        forms.update({tail, quote(tail, safe=""), quote(tail, safe="/")})
        forms.update(tail.split("/"))
    return {f for f in forms if len(f) >= MIN_SECRET}


class Redactor:
    """Removes secrets (the token, the webhook URL and its path), in every form, from text."""

    def __init__(self, secrets: list[str]):
        found: set[str] = set()
        for s in secrets:
            if s and len(s.strip()) >= MIN_SECRET:
                found.update(_forms(s))
                found.update(_forms(s.strip()))
        self.secrets = sorted(found, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for s in self.secrets:
            if s in text:
                text = text.replace(s, REDACTED)
        return text


def secrets_from_env(env: Mapping[str, str] | None = None) -> Redactor:
    env = os.environ if env is None else env
    return Redactor([env.get("SLACK_BOT_TOKEN") or "", env.get("SLACK_WEBHOOK_URL") or ""])


def redact_text(text: str) -> str:
    return secrets_from_env()(text)


def format_exception(e: BaseException) -> str:
    """A traceback (with its causes) with every secret in the environment removed."""
    return redact_text("".join(traceback.format_exception(e)))


class RedactingFormatter(logging.Formatter):
    """A log formatter whose whole output (message, traceback, stack) passes through the redactor:
    a filter on the message alone leaves a logged exception's traceback untouched."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


# -- shapes ----------------------------------------------------------------------------------------
def _odd_characters(value: str) -> str | None:
    if any(c in "\r\n" for c in value):
        return "a line break"
    if any(c.isspace() for c in value):
        return "a space"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "a control character"
    if not value.isascii():
        return "a character that is not plain ASCII"
    return None


def check_token(token: str) -> None:
    """Raises CredentialsError (never quoting the token) when it cannot be a Slack token."""
    odd = _odd_characters(token)
    if odd:
        raise CredentialsError(f"SLACK_BOT_TOKEN holds {odd}: a Slack token is one word (xoxb-...); "
                               "copy it again from the app's OAuth & Permissions page (the value is not shown)")
    if not TOKEN_SHAPE.match(token):
        raise CredentialsError("SLACK_BOT_TOKEN does not look like a Slack token (it should start xoxb-); "
                               "copy the Bot User OAuth Token again (the value is not shown)")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(name: str, url: str, *, secret: bool) -> None:
    """Raises CredentialsError when `url` is not an absolute https URL (http only to this machine,
    e.g. a local stand-in); a secret URL is never quoted."""
    shown = "" if secret else f" ({url!r})"
    hidden = " (the value is not shown: it is a secret)" if secret else ""
    example = "https://hooks.slack.com/services/..." if secret else "https://slack.com/api/"
    odd = _odd_characters(url)
    if odd:
        raise CredentialsError(f"{name} holds {odd}: a URL is one word like {example}{shown}{hidden}")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (a port that is not a number raises here)
    except ValueError:
        raise CredentialsError(f"{name} is not a valid URL: it should look like {example}{shown}{hidden}") from None
    if parts.scheme not in ("https", "http") or not host:
        raise CredentialsError(f"{name} must start with https:// (like {example}){shown}{hidden}")
    if parts.scheme == "http" and not _loopback(host):
        raise CredentialsError(f"{name} must use https:// (plain http only to this machine){shown}{hidden}")
    if secret and not parts.path.strip("/"):
        raise CredentialsError(f"{name} has no path: a webhook URL looks like {example}{hidden}")


def check_credentials(env: Mapping[str, str] | None = None) -> str | None:
    """Which credential will be used (`bot`, `webhook` or None) after checking its shape, and
    SLACK_API_URL's. Raises CredentialsError with one line that holds no secret."""
    env = os.environ if env is None else env
    token = (env.get("SLACK_BOT_TOKEN") or "").strip()
    api = (env.get("SLACK_API_URL") or "").strip()
    if api:
        check_url("SLACK_API_URL", api, secret=False)
    if token:
        check_token(token)
        return "bot"
    webhook = (env.get("SLACK_WEBHOOK_URL") or "").strip()
    if webhook:
        check_url("SLACK_WEBHOOK_URL", webhook, secret=True)
        return "webhook"
    return None
