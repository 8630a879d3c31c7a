"""Where alerts go: WeCom (企业微信) and DingTalk (钉钉) group robots, and e-mail over SMTP.

Formats as the vendors document them: WeCom's robot takes ``{"msgtype": "markdown",
"markdown": {"content": …}}`` (content at most 4096 bytes) and answers ``{"errcode": 0}``;
DingTalk's takes ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`` and, with
"加签" security, ``&timestamp=<ms>&sign=<url-encoded base64 HMAC-SHA256 of
"<timestamp>\\n<secret>" keyed by the secret>`` on the URL. A non-zero ``errcode`` is a failed
delivery even with HTTP 200 (both answer that way for a wrong key or a blocked keyword).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import requests

from sync.central.alerts.settings import AlertSettings, DingTalkRobot, SmtpSettings

WECOM_MAX_BYTES = 4096
DINGTALK_MAX_BYTES = 18000  # DingTalk refuses bodies over 20,000 bytes


class DeliveryError(Exception):
    """The channel did not take the message; tried again at the next run."""


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    markdown: str
    text: str


class Channel(Protocol):
    #: Stable and secret-free: deliveries are recorded under it.
    name: str

    def send(self, message: Message) -> None: ...


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:8]


def _clip(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, cut between lines, saying how many alerts were left out
    (a morning after a storm can hold more than a robot takes in one message)."""
    if len(text.encode()) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    size = 0
    for number, line in enumerate(lines):
        left = sum(1 for rest in lines[number:] if rest.startswith("- "))
        tail = f"\n…另有 {left} 条未列出，请打开告警页查看 ({left} more on the alerts page)"
        if size + len(line.encode()) + 1 + len(tail.encode()) > limit:
            return "\n".join(kept) + tail
        kept.append(line)
        size += len(line.encode()) + 1
    return "\n".join(kept)  # not reached: the whole text was over the limit


def _check_answer(name: str, reply: requests.Response) -> None:
    if reply.status_code != 200:
        raise DeliveryError(f"{name}: HTTP {reply.status_code}")
    try:
        answer = reply.json()
    except ValueError:
        raise DeliveryError(f"{name}: the answer is not JSON") from None
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        code = answer.get("errcode") if isinstance(answer, dict) else None
        message = answer.get("errmsg") if isinstance(answer, dict) else None
        raise DeliveryError(f"{name}: errcode {code} {message or ''}".strip())


class WeComRobot:
    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout
        self.name = f"wecom:{_fingerprint(url)}"

    def send(self, message: Message) -> None:
        body: dict[str, Any] = {
            "msgtype": "markdown",
            "markdown": {"content": _clip(message.markdown, WECOM_MAX_BYTES)},
        }
        try:
            reply = requests.post(self.url, json=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise DeliveryError(f"{self.name}: {type(error).__name__}") from None
        _check_answer(self.name, reply)


def dingtalk_signature(secret: str, timestamp_ms: int) -> str:
    """The URL-encoded ``sign`` of DingTalk's "加签" option."""
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote(base64.b64encode(digest).decode(), safe="")


class DingTalkRobotChannel:
    def __init__(self, robot: DingTalkRobot, timeout: float = 10.0) -> None:
        self.robot = robot
        self.timeout = timeout
        self.name = f"dingtalk:{_fingerprint(robot.url)}"

    def signed_url(self, now_ms: int | None = None) -> str:
        if not self.robot.secret:
            return self.robot.url
        stamp = now_ms if now_ms is not None else int(time.time() * 1000)
        joiner = "&" if "?" in self.robot.url else "?"
        sign = dingtalk_signature(self.robot.secret, stamp)
        return f"{self.robot.url}{joiner}timestamp={stamp}&sign={sign}"

    def send(self, message: Message) -> None:
        body: dict[str, Any] = {
            "msgtype": "markdown",
            "markdown": {
                "title": message.subject,
                "text": _clip(message.markdown, DINGTALK_MAX_BYTES),
            },
        }
        try:
            reply = requests.post(self.signed_url(), json=body, timeout=self.timeout)
        except requests.RequestException as error:
            raise DeliveryError(f"{self.name}: {type(error).__name__}") from None
        _check_answer(self.name, reply)


class SmtpMailer:
    def __init__(self, settings: SmtpSettings, timeout: float = 10.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self.name = f"smtp:{settings.host}:{settings.port}"

    def send(self, message: Message) -> None:
        s = self.settings
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = s.sender
        mail["To"] = ", ".join(s.recipients)
        mail.set_content(message.text)  # UTF-8, so Chinese arrives as Chinese
        try:
            # smtplib's own default context does not check the certificate; this one does.
            context = ssl.create_default_context(cafile=s.cafile or None)
            connect = (
                functools.partial(smtplib.SMTP_SSL, context=context) if s.ssl else smtplib.SMTP
            )
            with connect(s.host, s.port, timeout=self.timeout) as server:
                if s.starttls:
                    server.starttls(context=context)
                if s.username:
                    password = (
                        Path(s.password_file).read_text(encoding="utf-8").strip()
                        if s.password_file
                        else ""
                    )
                    _login(server, s.username, password)
                server.send_message(mail)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryError(f"{self.name}: {type(error).__name__}: {error}") from None


def _login(server: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; a password beyond ASCII goes as AUTH PLAIN in UTF-8 (RFC 4616), which
    ``smtplib.login`` cannot send (it encodes the credentials as ASCII)."""
    if (username + password).isascii():
        server.login(username, password)
        return
    server.ehlo_or_helo_if_needed()
    token = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
    code, reply = server.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, reply)


def channels_for(settings: AlertSettings) -> list[Channel]:
    found: list[Channel] = [WeComRobot(u, settings.channels_timeout_s) for u in settings.wecom]
    found += [DingTalkRobotChannel(r, settings.channels_timeout_s) for r in settings.dingtalk]
    if settings.smtp is not None:
        found.append(SmtpMailer(settings.smtp, settings.channels_timeout_s))
    return found
