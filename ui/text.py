"""Turns core outcomes into reader-facing text through the catalogs (no strings in code)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from kiosk.outcomes import Identification, Outcome
from kiosk.reasons import Reason
from ui.i18n import Translator

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(t: Translator, when: datetime | date, tz: ZoneInfo) -> str:
    local = when.astimezone(tz) if isinstance(when, datetime) else when
    if t.language == "zh_CN":
        return f"{local.year}年{local.month}月{local.day}日"
    return f"{local.day} {MONTHS_EN[local.month - 1]} {local.year}"


def format_time(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).strftime("%H:%M")


def outcome_text(t: Translator, outcome: Outcome, tz: ZoneInfo | None = None) -> str:
    params = dict(outcome.details)
    if "missing" in params:
        params["missing"] = ", ".join(str(part) for part in params["missing"])
    if tz is not None:  # dates in the reader's words ("renew from 12月4日")
        for key, value in params.items():
            if isinstance(value, date):
                params[key] = format_date(t, value, tz)
    return t(outcome.message_key, **params)


def due_change_text(t: Translator, outcome: Outcome, tz: ZoneInfo) -> str:
    """After a renewal: the due date it had and the one it has now (old -> new)."""
    before, after = outcome.details.get("previous_due"), outcome.due_at
    if after is None:
        return t("account.renewed")
    if before is None or before == after:
        return t("account.renewed") + "  ·  " + t("item.due", date=format_date(t, after, tz))
    return t(
        "item.renewed_due",
        before=format_date(t, before, tz),
        after=format_date(t, after, tz),
    )


def identification_text(t: Translator, ident: Identification, tz: ZoneInfo) -> str:
    params: dict[str, object] = {}
    if ident.reason is Reason.PIN_WRONG:
        params["attempts"] = ident.attempts_left
    if ident.reason is Reason.PIN_LOCKED and ident.locked_until:
        params["time"] = format_time(ident.locked_until, tz)
    return t(ident.message_key, **params)
