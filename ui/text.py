"""Turns core outcomes into reader-facing text through the catalogs (no strings in code)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.outcomes import Identification, Outcome
from kiosk.reasons import Reason
from ui.i18n import Translator

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(t: Translator, when: datetime, tz: ZoneInfo) -> str:
    local = when.astimezone(tz)
    if t.language == "zh_CN":
        return f"{local.year}年{local.month}月{local.day}日"
    return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}"


def format_time(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def outcome_text(t: Translator, outcome: Outcome) -> str:
    params = dict(outcome.details)
    if "missing" in params:
        params["missing"] = ", ".join(str(part) for part in params["missing"])
    return t.t(outcome.message_key, **params)


def identification_text(t: Translator, ident: Identification, tz: ZoneInfo) -> str:
    params: dict[str, object] = {}
    if ident.reason is Reason.PIN_WRONG:
        params["attempts"] = ident.attempts_left
    if ident.reason is Reason.PIN_LOCKED and ident.locked_until:
        params["time"] = format_time(ident.locked_until, tz)
    return t.t(ident.message_key, **params)
