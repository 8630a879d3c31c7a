"""The Jinja2 environment of the staff pages: autoescaping on, and the filters they share."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

from sync.central.web.labels import LABELS, label, period, plain, reason


@cache
def environment() -> Environment:
    """One environment per process: templates are read once, the environment holds no data."""
    env = Environment(
        loader=PackageLoader("sync.central.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(label=label, plain=plain, period=period, reason=reason, LABELS=LABELS)
    env.filters.update(hours=hours, local=local, ago=ago, local_text=local_text)
    return env


def render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


def local(when: datetime | None, tz: ZoneInfo, with_seconds: bool = False) -> str:
    """Library-local wall time; managers think in opening hours, not UTC."""
    if when is None:
        return "—"
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M")


#: An ISO 8601 time with its offset, as stored texts (a conflict's detail) carry them.
_ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})")


def local_text(text: str, tz: ZoneInfo) -> str:
    """A stored sentence with its UTC times shown in the city's local time."""

    def swap(match: re.Match[str]) -> str:
        try:
            return local(datetime.fromisoformat(match.group(0).replace("Z", "+00:00")), tz)
        except ValueError:
            return match.group(0)

    return _ISO_TIME.sub(swap, text)


def ago(when: datetime | None, now: datetime) -> str:
    """How long since, in both languages: "5 分钟前 · 5 min ago"."""
    if when is None:
        return ""
    seconds = max((now - when).total_seconds(), 0)
    if seconds < 60:
        return "刚刚 · just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} 分钟前 · {minutes} min ago"
    hours_ = int(minutes // 60)
    if hours_ < 48:
        return f"{hours_} 小时前 · {hours_} h ago"
    days = int(hours_ // 24)
    return f"{days} 天前 · {days} days ago"


def hours(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 3600:.1f}"
