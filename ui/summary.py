"""A session's closing summary in one sentence ("借书成功，共 3 本，请在 12月31日 前归还").

The receipt choice and goodbye screens show it, the idle timeout shows it briefly before home,
and spoken prompts say the same words: ``summary_sentence`` is the one place it is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from kiosk.outcomes import Outcome
from ui.i18n import catalog
from ui.session import Mode, Session
from ui.text import MONTHS_EN


@dataclass(frozen=True)
class SessionSummary:
    """How many books a session borrowed, returned and renewed, and the first due date of
    the books the reader takes home (in the library's time zone)."""

    borrowed: int = 0
    returned: int = 0
    renewed: int = 0
    earliest_due: date | None = None

    def __bool__(self) -> bool:
        return bool(self.borrowed or self.returned or self.renewed)

    @classmethod
    def of(cls, session: Session, tz: ZoneInfo) -> SessionSummary:
        renewed = [o for o in session.renewals.values() if o.ok]
        others = [o for o in session.accepted if o.pii not in session.renewals]
        borrowed = others if session.mode is Mode.BORROW else []
        returned = others if session.mode is Mode.RETURN else []
        return cls(len(borrowed), len(returned), len(renewed), _earliest(borrowed + renewed, tz))


def _earliest(outcomes: list[Outcome], tz: ZoneInfo) -> date | None:
    dues = [o.due_at.astimezone(tz).date() for o in outcomes if o.due_at is not None]
    return min(dues, default=None)


#: how a language joins the parts of the summary into one sentence, and ends it
PUNCTUATION = {"zh_CN": ("，", "。"), "en": (". ", ".")}


def day_text(day: date, language: str) -> str:
    """A due date as said aloud: 12月31日, 31 Dec (the year is plain from the month)."""
    if language == "zh_CN":
        return f"{day.month}月{day.day}日"
    return f"{day.day} {MONTHS_EN[day.month - 1]}"


def summary_parts(summary: SessionSummary, language: str) -> list[str]:
    """The summary's clauses (借书成功，共 3 本 / 请在12月31日前归还); none when the session
    changed nothing (no summary is better than "0 books")."""
    if not summary:
        return []
    words = catalog(language)
    parts = [
        words[key].format(count=count)
        for key, count in (
            ("summary.borrowed", summary.borrowed),
            ("summary.renewed", summary.renewed),
            ("summary.returned", summary.returned),
        )
        if count
    ]
    if summary.earliest_due is not None:
        parts.append(words["summary.due"].format(date=day_text(summary.earliest_due, language)))
    return parts


def summary_sentence(summary: SessionSummary, language: str) -> str:
    """The summary as one sentence in ``language``, as it is spoken; empty when the session
    changed nothing."""
    parts = summary_parts(summary, language)
    if not parts:
        return ""
    separator, end = PUNCTUATION.get(language, PUNCTUATION["en"])
    return separator.join(parts) + end


def summary_lines(summary: SessionSummary, language: str) -> str:
    """The summary as the screen shows it: one clause a line, so a date never breaks in two."""
    return "\n".join(summary_parts(summary, language))


def session_sentence(session: Session, language: str, tz: ZoneInfo) -> str:
    """The closing summary of ``session`` as one sentence (for screens and spoken prompts)."""
    return summary_sentence(SessionSummary.of(session, tz), language)
