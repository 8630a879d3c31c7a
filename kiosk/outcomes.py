"""What a circulation operation answers: a kind, a reason code and the facts the screen shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.models import Item, Loan, Patron
from kiosk.reasons import Reason


class OutcomeKind(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    OFFER = "offer"  # not an error: e.g. "you already have this book — renew it?"


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    reason: Reason
    pii: str = ""
    item: Item | None = None
    loan: Loan | None = None
    txn_id: str | None = None
    due_at: datetime | None = None
    offline: bool = False
    send_to_owner: bool = False
    hold_waiting: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.ACCEPTED

    @property
    def message_key(self) -> str:
        return self.reason.message_key


@dataclass(frozen=True)
class Identification:
    """Who is at the kiosk, or why not. ``borrow_block`` keeps a blocked reader able to return
    items and see their account while refusing new loans with a plain reason."""

    ok: bool
    reason: Reason
    patron: Patron | None = None
    borrow_block: Reason | None = None
    attempts_left: int | None = None
    locked_until: datetime | None = None

    @property
    def message_key(self) -> str:
        return self.reason.message_key
