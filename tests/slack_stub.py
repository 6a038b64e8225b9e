"""A local stand-in for Slack's Web API and incoming webhooks, for the alerts tests.

A real HTTP server (ThreadingHTTPServer on 127.0.0.1, a free port, in a thread) that behaves
like the parts of Slack the alerts use: `chat.postMessage` (checks the token, resolves channel
names to ids, checks Block Kit limits, stores each message with its metadata, answers with the
channel id and a ts), `conversations.history` (ids only, newest first, metadata only with
`include_all_metadata`, paginated), `conversations.list`, `auth.test`, and webhook posts under
`/services/...`.

Faults are injected per method, consumed one per matching request:
  "429"          answer 429 with Retry-After
  "500"          answer 500 with an HTML page
  "drop"         read the request, close the connection without answering (nothing stored)
  "accept_drop"  store the message, then close without answering
  "hold"         stop before storing; set `held`, wait for `release`, then close
  "accept_hold"  store the message; set `held`, wait for `release`, then close (the test kills
                 the client meanwhile: Slack accepted, the outbox never heard)
`stop()` / `start()` on the same port make Slack unreachable and reachable again.

Also here: helpers the alerts tests share (copying the acceptance fixture, running the command).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
HOLD_LIMIT = 30.0  # seconds a held request waits for release before giving up


@dataclass
class Fault:
    kind: str
    method: str
    times: int
    retry_after: int = 1


@dataclass(frozen=True)
class Call:
    method: str
    at: float  # time.monotonic()
    status: int  # HTTP status answered, 0 when the connection was dropped
    params: dict[str, Any] = field(default_factory=dict)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    stub: SlackStub


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.server.stub._handle(self)

    do_GET = do_POST


class SlackStub:
    def __init__(self, token: str = "xoxb-stub-0000-SECRET", channels: tuple[str, ...] = ("directors", "analysts")):
        self.token = token
        self.webhook_secret = "T0STUB/B0STUB/webhooksecretXYZ"
        self.channels: dict[str, str] = {}  # name -> id
        for name in channels:
            self.add_channel(name)
        self.webhook_channel = self.add_channel("webhook-channel")
        self.messages: list[dict[str, Any]] = []
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.held = threading.Event()
        self.release = threading.Event()
        self._cond = threading.Condition()
        self._last_ts = 0.0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> SlackStub:
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.stub = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Close the listening socket: connections are refused until start()."""
        self.release.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> SlackStub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/services/{self.webhook_secret}"

    def env(self, **extra: str) -> dict[str, str]:
        """An environment for a child process that talks to this stub with a bot token."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SLACK_", "SCORECARD_")) or k in ("SCORECARD_CACHE_DIR", "SCORECARD_CACHE")}
        env.update({"SLACK_BOT_TOKEN": self.token, "SLACK_API_URL": self.url, "SCORECARD_SLACK_BACKOFF": "0.01",
                    "SCORECARD_ALERTS_DEADLINE": "8"})
        env.update(extra)
        return env

    # -- knobs ----------------------------------------------------------------------------------
    def add_channel(self, name: str) -> str:
        cid = "C" + f"{len(self.channels) + 1:03d}" + name.upper().replace("-", "")[:8].ljust(6, "X")
        self.channels[name] = cid
        return cid

    def fail(self, kind: str, times: int = 1, method: str = "chat.postMessage", retry_after: int = 1) -> None:
        with self._cond:
            self.faults.append(Fault(kind, method, times, retry_after))

    # -- inspection -----------------------------------------------------------------------------
    def channel_messages(self, name: str) -> list[dict[str, Any]]:
        cid = self.channels[name]
        with self._cond:
            return [m for m in self.messages if m["channel"] == cid]

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        end = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    # -- HTTP -----------------------------------------------------------------------------------
    def _handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length) if length else b""
        params: dict[str, Any] = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        ctype = h.headers.get("Content-Type") or ""
        if raw and "json" in ctype:
            params.update(json.loads(raw.decode("utf-8")))
        elif raw:
            params.update({k: v[-1] for k, v in parse_qs(raw.decode("utf-8")).items()})
        if parts.path.startswith("/services/"):
            method = "webhook"
        elif parts.path.startswith("/api/"):
            method = parts.path[len("/api/"):]
        else:
            method = parts.path
        fault = self._take_fault(method)
        answer = self._answer(h, method, parts.path, params, fault)
        with self._cond:  # recorded before answering: a client that has its answer finds its call here
            self.calls.append(Call(method, time.monotonic(), answer[0] if answer else 0, params))
            self._cond.notify_all()
        if answer is None:
            h.close_connection = True  # close without a word: the client sees the connection dropped
        else:
            self._send(h, *answer)

    def _take_fault(self, method: str) -> Fault | None:
        with self._cond:
            for f in self.faults:
                if f.method == method and f.times > 0:
                    f.times -= 1
                    return f
        return None

    @staticmethod
    def _send(h: _Handler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
        h.send_response(status)
        h.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    Answer = tuple[int, Any, dict[str, str]]

    def _answer(self, h: _Handler, method: str, path: str, params: dict[str, Any],
                fault: Fault | None) -> Answer | None:
        """(status, body, headers), or None to drop the connection."""
        if fault is not None:
            if fault.kind == "429":
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault.retry_after)}
            if fault.kind == "500":
                return 500, "<html><body>500 Internal Server Error</body></html>", {}
            if fault.kind == "drop":
                return None
            if fault.kind == "hold":
                self._hold()
                return None
        if method == "webhook":
            status, body = self._webhook(path, params)
        else:
            status, body = 200, self._api(h, method, params)
        if fault is not None and fault.kind in ("accept_drop", "accept_hold"):
            if fault.kind == "accept_hold":
                self._hold()
            return None
        return status, body, {}

    def _hold(self) -> None:
        self.held.set()
        with self._cond:
            self._cond.notify_all()
        self.release.wait(HOLD_LIMIT)

    def _next_ts(self) -> str:
        with self._cond:
            ts = max(time.time(), self._last_ts + 0.000001)
            self._last_ts = ts
        return f"{ts:.6f}"

    def _channel(self, value: str, names: bool) -> str | None:
        if value in self.channels.values():
            return value
        if names:
            return self.channels.get(value.lstrip("#"))
        return None

    def _api(self, h: _Handler, method: str, p: dict[str, Any]) -> dict[str, Any]:
        auth = h.headers.get("Authorization") or ""
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else p.get("token")
        if not token:
            return {"ok": False, "error": "not_authed"}
        if token != self.token:
            return {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return {"ok": True, "url": "https://testshire.slack.com/", "team": "Testshire", "user": "scorecard",
                    "team_id": "T0STUB", "user_id": "U0STUB", "bot_id": "B0STUB"}
        if method == "chat.postMessage":
            return self._post(p)
        if method == "conversations.history":
            return self._history(p)
        if method == "conversations.list":
            return self._list(p)
        return {"ok": False, "error": "unknown_method"}

    @staticmethod
    def _decode(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value

    @staticmethod
    def _blocks_problem(blocks: Any) -> str | None:
        if blocks is None:
            return None
        if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
            return "invalid_blocks"
        for b in blocks:
            text = (b.get("text") or {}).get("text", "") if isinstance(b, dict) else ""
            if b.get("type") == "section" and len(text) > MAX_SECTION_TEXT:
                return "invalid_blocks"
            if b.get("type") == "header" and len(text) > MAX_HEADER_TEXT:
                return "invalid_blocks"
        return None

    def _post(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(p.get("channel") or ""), names=True)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        blocks = self._decode(p.get("blocks"))
        if self._blocks_problem(blocks):
            return {"ok": False, "error": "invalid_blocks"}
        if not p.get("text") and not blocks:
            return {"ok": False, "error": "no_text"}
        message = {"type": "message", "channel": channel, "ts": self._next_ts(), "text": p.get("text") or "",
                   "blocks": blocks, "metadata": self._decode(p.get("metadata")), "bot_id": "B0STUB",
                   "via": "api"}
        with self._cond:
            self.messages.append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"],
                "message": {k: v for k, v in message.items() if k not in ("channel", "via")}}

    def _history(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(str(p.get("channel") or ""), names=False)
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(p.get("oldest") or 0)
        limit = int(p.get("limit") or 100)
        start = int(p.get("cursor") or 0)
        with_meta = str(p.get("include_all_metadata")).lower() in ("1", "true")
        with self._cond:
            found = [m for m in reversed(self.messages) if m["channel"] == channel and float(m["ts"]) > oldest]
        page = found[start:start + limit]
        out = []
        for m in page:
            item = {k: v for k, v in m.items() if k not in ("channel", "via", "metadata")}
            if with_meta and m.get("metadata"):
                item["metadata"] = m["metadata"]
            out.append(item)
        more = start + limit < len(found)
        return {"ok": True, "messages": out, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _list(self, p: dict[str, Any]) -> dict[str, Any]:
        limit = int(p.get("limit") or 100)
        start = int(p.get("cursor") or 0)
        items = [{"id": cid, "name": name, "is_channel": True, "is_private": False, "is_archived": False}
                 for name, cid in self.channels.items()]
        more = start + limit < len(items)
        return {"ok": True, "channels": items[start:start + limit],
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _webhook(self, path: str, p: dict[str, Any]) -> tuple[int, str]:
        if path != f"/services/{self.webhook_secret}":
            return 404, "no_service"
        blocks = self._decode(p.get("blocks"))
        if self._blocks_problem(blocks):
            return 400, "invalid_blocks"
        if not p.get("text") and not blocks:
            return 400, "no_text"
        with self._cond:
            self.messages.append({"type": "message", "channel": self.webhook_channel, "ts": self._next_ts(),
                                  "text": p.get("text") or "", "blocks": blocks, "metadata": None, "via": "webhook"})
        return 200, "ok"


def free_port() -> int:
    """A port nothing listens on (connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- shared helpers for the alerts tests -----------------------------------------------------------
ACCEPTANCE = Path(__file__).resolve().parents[2] / "shared" / "acceptance"
if not ACCEPTANCE.exists():
    ACCEPTANCE = Path("/work/shared/acceptance")

TWO_ROUTES = """
[alerts]
schedule = "0 9 * * MON-FRI"

[[alerts.routes]]
channel = "#directors"
when = ["turned_red"]

[[alerts.routes]]
channel = "#analysts"
when = ["band_change"]
"""


def copy_fixture(tmp: Path, alerts: str = TWO_ROUTES, name: str = "basic",
                 edit: Callable[[str], str] | None = None) -> Path:
    """The acceptance fixture copied into `tmp`, with an [alerts] section appended; the config path."""
    dest = tmp / name
    shutil.copytree(ACCEPTANCE / name, dest)
    config = dest / "config.toml"
    text = config.read_text()
    if edit is not None:
        text = edit(text)
    config.write_text(text + "\n" + alerts)
    return config


SCORECARD = Path(sys.executable).parent / "scorecard"

def alerts_command(sub: str, config: Path, *args: str) -> list[str]:
    """`scorecard alerts SUB --config CONFIG ARGS` with the installed command."""
    return [str(SCORECARD), "alerts", sub, "--config", str(config), *args]


def run_alerts(sub: str, config: Path, *args: str, env: dict[str, str] | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`scorecard alerts SUB --config CONFIG ARGS` in the config's folder. `alerts serve` (a process that
    installs signal handlers and keeps running) is always a child process; the other subcommands run in
    this process as the child would (tests/helpers.py `invoke`) unless `process_alerts` is asked for."""
    if sub == "serve":
        return process_alerts(sub, config, *args, env=env, timeout=timeout)
    from tests.helpers import invoke

    return invoke([str(SCORECARD)], "scorecard", ["alerts", sub, "--config", str(config), *args], cwd=config.parent,
                  env=env, timeout=timeout)


def process_alerts(sub: str, config: Path, *args: str, env: dict[str, str] | None = None,
                   timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`scorecard alerts SUB ...` as a child process: for tests about the process itself."""
    return subprocess.run(alerts_command(sub, config, *args), capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=config.parent)


class LineReader:
    """Reads a child's stream in a thread so tests can wait for a line without blocking."""

    def __init__(self, stream: Any):
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream: Any) -> None:
        for line in stream:
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self.lines.append("")  # end of stream
            self._cond.notify_all()

    def wait_for(self, text: str, timeout: float = 20.0) -> bool:
        end = time.monotonic() + timeout
        with self._cond:
            while not any(text in line for line in self.lines):
                left = end - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1] == ""):
                    return any(text in line for line in self.lines)
                self._cond.wait(left)
            return True

    @property
    def text(self) -> str:
        with self._cond:
            return "".join(self.lines)
