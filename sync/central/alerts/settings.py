"""The ``[alerts]`` section of the central's config: rules' thresholds, opening hours, channels.

Standard library only: the config loader (``sync.central.config``) checks the section when
the service or an admin command starts, so a typo stops at once with the setting named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any


class AlertSettingsError(ValueError):
    """A wrong ``[alerts]`` value; the message names it."""


@dataclass(frozen=True, slots=True)
class DingTalkRobot:
    url: str
    #: The robot's "加签" secret (SEC…); empty when the robot uses keywords or IPs instead.
    secret: str = ""


DEFAULT_SENDER = "shufang-central@localhost"


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int = 25
    #: STARTTLS on a plain connection (port 587), or TLS from the first byte (port 465, as
    #: many Chinese providers' SMTP servers take it); the server's certificate is checked.
    starttls: bool = False
    ssl: bool = False
    #: A CA file for a server whose certificate the system's CAs do not sign (a city's own).
    cafile: str = ""
    username: str = ""
    password_file: str = ""  # a file only the service user reads; never the password itself
    sender: str = DEFAULT_SENDER
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AlertSettings:
    #: When rooms are open (the city's local time); outside it nothing is sent and an offline
    #: kiosk is not a problem (rooms switch them off at night).
    opens: time = time(8, 0)
    closes: time = time(21, 0)
    offline_after: timedelta = timedelta(minutes=15)
    fault_after: timedelta = timedelta(minutes=30)
    out_of_service_after: timedelta = timedelta(minutes=60)
    backlog_rows: int = 500
    #: The kiosk's library-system/central link down this long: its outbox is this old.
    backlog_after: timedelta = timedelta(hours=6)
    #: Still not fixed after this long: say it again.
    remind_after: timedelta = timedelta(hours=4)
    wecom: tuple[str, ...] = ()
    dingtalk: tuple[DingTalkRobot, ...] = ()
    smtp: SmtpSettings | None = None
    #: Where the message links to (the fleet page's address as staff reach it).
    page_url: str = ""
    channels_timeout_s: float = 10.0

    @property
    def any_channel(self) -> bool:
        return bool(self.wecom or self.dingtalk or self.smtp)

    def is_open(self, local: time) -> bool:
        if self.opens <= self.closes:
            return self.opens <= local < self.closes
        return local >= self.opens or local < self.closes  # open past midnight


def _minutes(table: dict[str, Any], key: str, default: timedelta) -> timedelta:
    if key not in table:
        return default
    value = table[key]
    if type(value) is not int or value < 0:
        raise AlertSettingsError(f"alerts.{key} must be a whole number of minutes, not {value!r}")
    return timedelta(minutes=value)


def _clock(text: Any, key: str) -> time:
    try:
        hours, minutes = str(text).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise AlertSettingsError(f"alerts.{key} must be HH:MM-HH:MM, not {text!r}") from None


def parse(table: dict[str, Any]) -> AlertSettings:
    """The settings from the TOML table, every key checked."""
    known = {
        "opening_hours", "offline_minutes", "fault_minutes", "out_of_service_minutes",
        "backlog_rows", "backlog_minutes", "remind_minutes", "wecom_webhooks", "dingtalk",
        "smtp", "page_url",
    }  # fmt: skip
    unknown = sorted(set(table) - known)
    if unknown:
        raise AlertSettingsError(f"unknown setting alerts.{unknown[0]}")
    defaults = AlertSettings()
    opens, closes = defaults.opens, defaults.closes
    if "opening_hours" in table:
        text = str(table["opening_hours"])
        if "-" not in text:
            raise AlertSettingsError(f"alerts.opening_hours must be HH:MM-HH:MM, not {text!r}")
        first, last = text.split("-", 1)
        opens, closes = _clock(first, "opening_hours"), _clock(last, "opening_hours")
    rows = table.get("backlog_rows", defaults.backlog_rows)
    if type(rows) is not int or rows < 1:
        raise AlertSettingsError(f"alerts.backlog_rows must be a positive number, not {rows!r}")
    wecom = table.get("wecom_webhooks", [])
    if not isinstance(wecom, list) or not all(
        isinstance(u, str) and u.startswith(("https://", "http://")) for u in wecom
    ):
        raise AlertSettingsError("alerts.wecom_webhooks must be a list of http(s) URLs")
    robots = []
    for entry in table.get("dingtalk", []):
        if not isinstance(entry, dict) or not str(entry.get("url", "")).startswith("http"):
            raise AlertSettingsError('alerts.dingtalk entries need url = "https://…"')
        if set(entry) - {"url", "secret"}:
            raise AlertSettingsError(f"unknown setting in alerts.dingtalk: {sorted(entry)}")
        robots.append(DingTalkRobot(str(entry["url"]), str(entry.get("secret", ""))))
    smtp = None
    if "smtp" in table:
        raw = table["smtp"]
        allowed = {"host", "port", "starttls", "ssl", "cafile", "username", "password_file",
                   "sender", "to"}  # fmt: skip
        if not isinstance(raw, dict) or not raw.get("host") or set(raw) - allowed:
            raise AlertSettingsError(f"alerts.smtp takes {', '.join(sorted(allowed))}; host needed")
        if raw.get("starttls") and raw.get("ssl"):
            raise AlertSettingsError("alerts.smtp: starttls or ssl, not both")
        recipients = raw.get("to", [])
        if not recipients or not all(isinstance(r, str) and "@" in r for r in recipients):
            raise AlertSettingsError("alerts.smtp.to must list e-mail addresses")
        smtp = SmtpSettings(
            host=str(raw["host"]),
            port=int(raw.get("port", 25)),
            starttls=bool(raw.get("starttls", False)),
            ssl=bool(raw.get("ssl", False)),
            cafile=str(raw.get("cafile", "")),
            username=str(raw.get("username", "")),
            password_file=str(raw.get("password_file", "")),
            sender=str(raw.get("sender", DEFAULT_SENDER)),
            recipients=tuple(recipients),
        )
    return AlertSettings(
        opens=opens,
        closes=closes,
        offline_after=_minutes(table, "offline_minutes", defaults.offline_after),
        fault_after=_minutes(table, "fault_minutes", defaults.fault_after),
        out_of_service_after=_minutes(
            table, "out_of_service_minutes", defaults.out_of_service_after
        ),
        backlog_rows=rows,
        backlog_after=_minutes(table, "backlog_minutes", defaults.backlog_after),
        remind_after=_minutes(table, "remind_minutes", defaults.remind_after),
        wecom=tuple(wecom),
        dingtalk=tuple(robots),
        smtp=smtp,
        page_url=str(table.get("page_url", "")).rstrip("/"),
    )
