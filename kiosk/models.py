"""The library's nouns: items, patrons, loans, holds, journal transactions and device faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class ItemStatus(StrEnum):
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    NOT_FOR_LOAN = "not_for_loan"
    LOST = "lost"
    MISSING = "missing"
    IN_TRANSIT = "in_transit"


class CardKind(StrEnum):
    """How a card reached the kiosk: it decides which checks apply (a QR e-card is signed)."""

    BARCODE = "barcode"
    NFC = "nfc"
    QR = "qr"
    TYPED = "typed"
    # a resident ID card (身份证) on the NFC reader: the card id is its chip number, which
    # only the card itself gives (it is printed nowhere), so only a tap presents it
    RESIDENT_ID = "resident_id"


class PatronBlock(StrEnum):
    """Blocks set by the library system, replicated to the kiosk."""

    LOST_CARD = "lost_card"
    MANUAL = "manual"
    DEBT = "debt"


class TxnKind(StrEnum):
    CHECKOUT = "checkout"
    CHECKIN = "checkin"
    RENEW = "renew"
    CANCEL = "cancel"  # undoes a checkout or checkin whose tag-security write failed


class Decision(StrEnum):
    """Who decided a transaction: the upstream while online, or the kiosk alone while offline."""

    ONLINE = "online"
    OFFLINE = "offline"


class Security(StrEnum):
    """State of the tag-security write tied to a transaction (see DESIGN.md)."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    NOT_NEEDED = "not_needed"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"


@dataclass(frozen=True, slots=True)
class Item:
    pii: str
    title: str
    author: str = ""
    call_number: str = ""
    owner_isil: str = ""
    branch: str = ""
    item_class: str = "book"
    set_size: int = 1
    status: ItemStatus = ItemStatus.AVAILABLE
    #: where the cover picture comes from: an http(s) URL or a file:// URI; "" = none
    cover: str = ""


@dataclass(frozen=True, slots=True)
class Patron:
    card_id: str
    category: str = "adult"
    card_kind: CardKind = CardKind.BARCODE
    initials: str = ""
    pin_hash: str | None = None
    expires_on: date | None = None
    blocks: tuple[str, ...] = ()
    fines_cents: int = 0
    provisional: bool = False  # an unknown card admitted offline under the offline policy


@dataclass(frozen=True, slots=True)
class Loan:
    item_pii: str
    patron_card: str
    loaned_at: datetime
    due_at: datetime
    renewals: int = 0
    offline: bool = False
    txn_id: str = ""


@dataclass(frozen=True, slots=True)
class Hold:
    id: int
    item_pii: str
    patron_card: str
    placed_at: datetime


@dataclass(frozen=True, slots=True)
class Rotation:
    """A rotation plan moves this item to another room (``to_name`` is what readers call it)."""

    item_pii: str
    to_branch: str
    to_name: str = ""
    plan_id: int = 0

    @property
    def room(self) -> str:
        return self.to_name or self.to_branch


@dataclass(frozen=True, slots=True)
class Transaction:
    """One journal row: the outbox entry the sync daemon sends and the receiver dedupes on id."""

    id: str
    seq: int
    kind: TxnKind
    patron_card: str
    item_pii: str
    at: datetime
    due_at: datetime | None
    decision: Decision
    reason: str
    security: Security
    cancels: str | None = None
    acked_at: datetime | None = None
    upstream_status: str | None = None
    upstream_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Fault:
    device: str
    code: str
    severity: Severity
    message: str
    first_at: datetime
    last_at: datetime
    count: int = 1
    id: int = 0
    cleared_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PatronSummary:
    """What the circulation rules need to know about a patron's current account."""

    loans: int
    overdue: int
    loans_by_class: dict[str, int] = field(default_factory=dict)
    offline_loans: int = 0
