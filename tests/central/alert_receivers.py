"""Receivers for the alert tests, on 127.0.0.1: group-robot webhooks and an SMTP server.

The webhook server answers as WeCom's and DingTalk's group robots do, from their documents
and from other projects' clients (facts, not code):

- WeCom group robot, developer.work.weixin.qq.com/document/path/91770 (also restated by
  docs.zhuonian.xyz/api/wecom-webhook.html and gort.rayainfo.cn/channel/08-channel-wecom):
  POST JSON to ``/cgi-bin/webhook/send?key=…``; ``msgtype`` text (``text.content`` at most
  2048 bytes) or markdown (``markdown.content`` at most 4096 bytes, UTF-8); the answer is
  ``{"errcode": 0, "errmsg": "ok"}``, any other errcode a refusal even with HTTP 200.
- DingTalk custom robot, open.dingtalk.com/document/robots/custom-robot-access and
  …/customize-robot-security-settings: POST JSON to ``/robot/send?access_token=…``;
  ``msgtype`` text (``text.content``) or markdown (``markdown.title`` and ``markdown.text``);
  with "加签" the URL also carries ``timestamp`` (ms, within an hour of DingTalk's clock) and
  ``sign`` = urlencode(base64(HMAC-SHA256(key=secret, "<timestamp>\\n<secret>"))); a wrong
  sign is answered ``{"errcode": 310000, "errmsg": "sign not match…"}``.

The signature is checked here with OpenSSL (``openssl dgst -hmac``), not with our code.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

WECOM_PATH = "/cgi-bin/webhook/send"
DINGTALK_PATH = "/robot/send"


def openssl_sign(secret: str, timestamp: str) -> str:
    """DingTalk's signature computed by OpenSSL, an implementation we did not write."""
    done = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret, "-binary"],
        input=f"{timestamp}\n{secret}".encode(),
        capture_output=True,
        check=True,
    )
    return base64.b64encode(done.stdout).decode()


def format_problems(path: str, body: Any) -> list[str]:
    """What the vendor would refuse in ``body``, from the documented formats above."""
    if not isinstance(body, dict):
        return ["body is not a JSON object"]
    kind = body.get("msgtype")
    part = body.get(kind) if isinstance(kind, str) else None
    if kind not in ("text", "markdown") or not isinstance(part, dict):
        return [f"msgtype {kind!r} without its {kind} object"]
    if path == WECOM_PATH:
        content = part.get("content")
        limit = 2048 if kind == "text" else 4096
        if not isinstance(content, str) or not content:
            return [f"{kind}.content missing"]
        if len(content.encode()) > limit:
            return [f"{kind}.content over {limit} bytes"]
        return []
    if kind == "text":
        return [] if isinstance(part.get("content"), str) else ["text.content missing"]
    missing = [k for k in ("title", "text") if not isinstance(part.get(k), str) or not part[k]]
    return [f"markdown.{k} missing" for k in missing]


class Receiver:
    """A robot webhook server that records each request and answers as told.

    With ``dingtalk_secret`` set it checks every DingTalk request's signature the way
    DingTalk does and refuses a wrong one with errcode 310000.
    """

    def __init__(self, dingtalk_secret: str = "", port: int = 0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answer: dict[str, Any] | None = {"errcode": 0, "errmsg": "ok"}
        self.status = 200
        self.dingtalk_secret = dingtalk_secret
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                parts = urlsplit(self.path)
                body = json.loads(raw)
                record = {
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "raw_query": parts.query,
                    "content_type": self.headers.get("Content-Type", ""),
                    "body": body,
                    "problems": format_problems(parts.path, body),
                    "sign_ok": None,
                }
                answer, status = receiver.answer, receiver.status
                if parts.path == DINGTALK_PATH and receiver.dingtalk_secret:
                    record["sign_ok"] = receiver.check_sign(parts.query)
                    if not record["sign_ok"]:
                        answer, status = {"errcode": 310000, "errmsg": "sign not match"}, 200
                receiver.requests.append(record)
                out = b"<html>bad gateway</html>" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def check_sign(self, raw_query: str) -> bool:
        fields = dict(p.split("=", 1) for p in raw_query.split("&") if "=" in p)
        stamp, sign = fields.get("timestamp", ""), fields.get("sign", "")
        if not stamp.isdigit() or abs(int(stamp) - time.time() * 1000) > 3_600_000:
            return False
        # The sign arrives URL-encoded once (base64 has + / =): decode it once and compare.
        return unquote(sign) == openssl_sign(self.dingtalk_secret, stamp)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def wecom(self) -> list[str]:
        """The markdown texts WeCom was sent, oldest first."""
        return [r["body"]["markdown"]["content"] for r in self.requests if r["path"] == WECOM_PATH]

    def dingtalk(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == DINGTALK_PATH]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robots() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


class Mailbox:
    """aiosmtpd's handler: keeps each message as sent and as the standard library parses it;
    with ``refuse`` set it answers DATA with that reply instead (like "554 …")."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.raw: list[bytes] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.raw.append(envelope.original_content)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    from sync.central.server import free_port

    box = Mailbox()
    port = free_port("127.0.0.1")
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()
