"""Plain values read from SIP2 replies: a patron answer, an item's facts, and the counts,
amounts and initials inside them, read without ever raising on what a system sends.

Split from ``library_system``, which decides with them; these only read.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from kiosk.outcomes import Identification
from sync.sip2.fields import (
    CHARGED_LIMIT,
    CIRCULATION_STATUS,
    CURRENT_LOCATION,
    DUE_DATE,
    FEE_AMOUNT,
    FEE_LIMIT,
    HOLD_QUEUE_LENGTH,
    OVERDUE_LIMIT,
    OWNER,
    PATRON_ID,
    PERMANENT_LOCATION,
    SCREEN_MESSAGE,
    TITLE,
    VALID_PATRON,
    parse_date,
)
from sync.sip2.messages import Message
from sync.sip2.refusals import ItemState, PatronState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PatronAnswer:
    """What the ACS said about a card: the kiosk's identification plus the ACS's own words."""

    identification: Identification
    flags: tuple[str, ...] = ()
    screen_messages: tuple[str, ...] = ()
    print_lines: tuple[str, ...] = ()
    holds: int | None = None
    holds_available: int | None = None
    overdue: int | None = None
    charged: int | None = None
    state: PatronState = field(default_factory=PatronState)


@dataclass(frozen=True)
class ItemFacts:
    """Item information (17/18): what the ACS knows about one item right now."""

    pii: str
    title: str
    circulation_status: str
    due_at: datetime | None
    hold_queue_length: int | None
    owner: str
    permanent_location: str
    current_location: str
    screen_messages: tuple[str, ...] = field(default_factory=tuple)
    patron: str = ""  # AA: some systems say who holds the item
    fee_cents: int | None = None  # BV

    def state(self) -> ItemState:
        return ItemState(self.circulation_status, self.hold_queue_length, self.patron)


#: A count or an amount as systems send them: ASCII digits only (``str.isdigit`` also takes
#: "²" and "٣", which ``int`` then refuses), short enough to be a real count or sum.
_COUNT = re.compile(r"[0-9]{1,9}")
_AMOUNT = re.compile(r"-?[0-9]{1,9}(?:[.,][0-9]{1,4})?")


def unreadable(kind: str, text: str) -> None:
    # counts and amounts are not personal data; the value helps the site's technician
    log.warning("sip2: unreadable %s %r in a reply; ignored", kind, text[:24])


def count(text: str | None) -> int | None:
    """A count from a reply; None when blank or unreadable (never an exception)."""
    text = (text or "").strip()
    if text and not _COUNT.fullmatch(text):
        unreadable("count", text)
    return int(text) if _COUNT.fullmatch(text) else None


def cents(text: str | None) -> int | None:
    """An amount in cents from a reply; None when blank or unreadable ("1e400", "½")."""
    text = (text or "").strip()
    if not _AMOUNT.fullmatch(text):
        if text:
            unreadable("amount", text)
        return None
    whole, _, fraction = text.replace(",", ".").partition(".")
    cents = abs(int(whole)) * 100 + int((fraction + "00")[:2])
    return -cents if whole.startswith("-") else cents


def initials(name: str | None) -> str:
    """Initials for a receipt; the name itself is neither kept nor logged."""
    words = (name or "").replace(",", " ").split()
    return "".join(w[0] for w in words)[:3].upper()


def patron_state(reply: Message, flags: tuple[str, ...], screens: tuple[str, ...]) -> PatronState:
    """The patron's standing as a patron status (24) or information (64) reply gives it."""
    valid = reply.get(VALID_PATRON)
    return PatronState(
        flags=flags,
        valid=None if valid is None else valid == "Y",
        fines_cents=cents(reply.get(FEE_AMOUNT)),
        fee_limit_cents=cents(reply.get(FEE_LIMIT)),
        charged=count(reply.fixed.get("charged_items_count")),
        charged_limit=count(reply.get(CHARGED_LIMIT)),
        overdue=count(reply.fixed.get("overdue_items_count")),
        overdue_limit=count(reply.get(OVERDUE_LIMIT)),
        screen_messages=screens,
    )


def item_facts(pii: str, reply: Message, tz: tzinfo) -> ItemFacts:
    """An item information reply (18) as facts."""
    code = reply.fixed.get("circulation_status", "01")
    return ItemFacts(
        pii=pii,
        title=reply.get(TITLE, "") or "",
        circulation_status=CIRCULATION_STATUS.get(code, "other"),
        due_at=parse_date(reply.get(DUE_DATE), tz),
        hold_queue_length=count(reply.get(HOLD_QUEUE_LENGTH)),
        owner=reply.get(OWNER, "") or "",
        permanent_location=reply.get(PERMANENT_LOCATION, "") or "",
        current_location=reply.get(CURRENT_LOCATION, "") or "",
        screen_messages=tuple(reply.all(SCREEN_MESSAGE)),
        patron=reply.get(PATRON_ID, "") or "",
        fee_cents=cents(reply.get(FEE_AMOUNT)),
    )


def hold_counts(reply: Message, hold_count_means: str) -> dict[str, Any]:
    """Holds, overdue and charged counts of a patron information reply (64); empty for 24.

    ``hold_count_means``: whether the dialect's hold count is holds placed or available.
    """
    extra: dict[str, Any] = {}
    if reply.command == "64":
        holds = count(reply.fixed.get("hold_items_count"))
        unavailable = count(reply.fixed.get("unavailable_holds_count"))
        available = holds if hold_count_means == "available" else None
        extra = {
            "holds": holds if hold_count_means == "placed" else None,
            "holds_available": available,
            "overdue": count(reply.fixed.get("overdue_items_count")),
            "charged": count(reply.fixed.get("charged_items_count")),
        }
        if unavailable is not None and extra["holds"] is not None and available is None:
            extra["holds_available"] = max(extra["holds"] - unavailable, 0)
    return extra
