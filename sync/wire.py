"""The JSON shapes kiosks exchange with the central service, as plain dataclasses.

Stdlib only, so the sync daemon on a kiosk can build requests and read replies with
:func:`to_json` and :func:`from_json` without the web stack; FastAPI validates the same
classes on the server, so there is one definition of the wire format. The staff API's
shapes (uploads, the fleet, conflicts, statistics, rotation plans) are in ``staff_wire``.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar

API_PREFIX = "/api/v1"

TxnKind = Literal["checkout", "checkin", "renew", "cancel"]
Decision = Literal["online", "offline"]
TxnStatus = Literal["accepted", "duplicate", "conflict"]
KioskState = Literal["in_service", "out_of_service"]
Severity = Literal["info", "warning", "error", "critical"]
Entity = Literal["policy", "item", "patron", "hold", "lockout", "rotation"]
ChangeOp = Literal["upsert", "delete"]
Resolution = Literal["apply", "dismiss"]
ItemStatus = Literal["available", "on_loan", "not_for_loan", "lost", "missing", "in_transit"]
CardKind = Literal["barcode", "nfc", "qr", "typed", "resident_id"]

# --- kiosk → central ---------------------------------------------------------------------


@dataclass(slots=True)
class TransactionIn:
    """One kiosk journal row; ``id`` is the kiosk's UUID the central dedupes on."""

    id: str
    seq: int
    kind: TxnKind
    patron_card: str
    item_pii: str
    at: datetime
    decision: Decision
    due_at: datetime | None = None
    cancels: str | None = None
    #: What the kiosk told the reader (its reason code, e.g. ``send_to_room``): not applied
    #: to the loans, only read where it says where a book went. Older kiosks leave it out.
    reason: str | None = None


@dataclass(slots=True)
class TransactionBatch:
    transactions: list[TransactionIn]


@dataclass(slots=True)
class TransactionResult:
    """``reason`` says why for a conflict (and what the first copy got, for a duplicate)."""

    id: str
    status: TxnStatus
    reason: str | None = None
    conflict_id: int | None = None


@dataclass(slots=True)
class BatchResult:
    results: list[TransactionResult]


@dataclass(slots=True)
class FaultReport:
    device: str
    code: str
    severity: Severity
    message: str
    first_at: datetime
    last_at: datetime
    count: int = 1
    cleared_at: datetime | None = None


@dataclass(slots=True)
class Heartbeat:
    state: KioskState
    outbox_depth: int
    software_version: str
    policy_version: str | None = None
    offline_since: datetime | None = None
    devices: dict[str, str] = field(default_factory=dict)
    faults: list[FaultReport] = field(default_factory=list)


@dataclass(slots=True)
class HeartbeatAck:
    """What the kiosk should fetch next: the latest policy version and change cursor."""

    received_at: datetime
    policy_version: str | None
    latest_cursor: int


# --- kiosk → central: PINs ----------------------------------------------------------------


@dataclass(slots=True)
class PinCheckIn:
    """A PIN a kiosk cannot check itself: it holds no hash for the reader (pin_hash_scope)."""

    card_id: str
    pin: str


PinVerdict = Literal["right", "wrong", "locked"]


@dataclass(slots=True)
class PinCheckReply:
    verdict: PinVerdict
    locked_until: datetime | None = None


@dataclass(slots=True)
class PinFailureRecord:
    """Wrong PINs typed at a kiosk since its last report, below its lockout: the central adds
    up a card's wrong PINs from every kiosk, so two here and one there lock it too."""

    card_id: str
    wrong: int


@dataclass(slots=True)
class PinLockoutBatch:
    """Lockouts a kiosk applied after wrong PINs, and wrong PINs not yet locking, for the
    city's other kiosks."""

    lockouts: list[PinLockoutRecord]
    failures: list[PinFailureRecord] = field(default_factory=list)


@dataclass(slots=True)
class PinLockoutReply:
    recorded: int  # lockouts that were new or longer than the central knew, or that the
    # reported wrong PINs caused


# --- central → kiosk: replicated data -----------------------------------------------------


@dataclass(slots=True)
class ItemRecord:
    pii: str
    title: str
    author: str = ""
    call_number: str = ""
    owner_isil: str = ""
    branch: str = ""
    item_class: str = "book"
    set_size: int = 1
    status: ItemStatus = "available"
    isbn: str = ""  # step 6 (issue #17), with clc_class: reports and rotation; kiosks ignore
    clc_class: str = ""  # 中图法 class, e.g. "I247.55"
    cover: str | None = None  # #13: http(s) URL, "" none, None: the record says nothing of it


@dataclass(slots=True)
class PatronRecord:
    """Only what a kiosk needs to decide offline: no names, addresses or phone numbers."""

    card_id: str
    category: str = "adult"
    card_kind: CardKind = "barcode"
    initials: str = ""
    pin_hash: str | None = None
    expires_on: date | None = None
    blocks: list[str] = field(default_factory=list)
    fines_cents: int = 0
    #: the branch whose kiosks get the PIN hash under ``pin_hash_scope = "branch"``
    home_branch: str = ""


@dataclass(slots=True)
class HoldRecord:
    item_pii: str
    patron_card: str


@dataclass(slots=True)
class RotationRecord:
    """An item a rotation plan moves to another room (issue #17): a kiosk that takes it back
    tells the reader to put it in the transfer box, naming the room; a kiosk of that room
    takes it in as arrived. Kiosks that do not know the entity ignore it."""

    item_pii: str
    to_branch: str
    to_name: str = ""  # the room's name readers know; the branch code when none is set
    plan_id: int = 0


@dataclass(slots=True)
class ECardKey:
    """An e-card key as kiosks and staff see it: the public half only (the central alone
    keeps the private key, so no kiosk can mint a card)."""

    key_id: str
    public_key: str  # raw 32-byte Ed25519 public key, base64url (kiosk.ecard.decode_key)


@dataclass(slots=True)
class ECardIn:
    """Issue a QR e-card for a patron the central knows, valid for ``days``."""

    card_id: str
    days: int = 30


@dataclass(slots=True)
class ECardOut:
    token: str
    key_id: str
    expires_at: datetime


@dataclass(slots=True)
class PolicyRecord:
    """The loan policy document and the e-card keys a kiosk verifies QR cards with."""

    version: str
    document: dict[str, Any]
    ecard_keys: list[ECardKey] = field(default_factory=list)
    revoked_key_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class PinLockoutRecord:
    """A reader locked out after wrong PINs (at any kiosk, or at the central's own check)
    until ``locked_until``: every kiosk of the city refuses the card until then."""

    card_id: str
    locked_until: datetime


@dataclass(slots=True)
class Change:
    """One delta; for an upsert exactly one record field is set, a delete names ``key``."""

    seq: int
    entity: Entity
    op: ChangeOp
    key: str
    policy: PolicyRecord | None = None
    item: ItemRecord | None = None
    patron: PatronRecord | None = None
    hold: HoldRecord | None = None
    lockout: PinLockoutRecord | None = None
    rotation: RotationRecord | None = None


@dataclass(slots=True)
class ChangesPage:
    """Resume by asking again with ``cursor=next_cursor`` until ``has_more`` is false."""

    changes: list[Change]
    next_cursor: int
    has_more: bool


# --- kiosk → central: refusals from the library system (SIP2 sites) ---------------------

UpstreamSource = Literal["sip2"]
UpstreamConflictStatus = Literal["recorded", "duplicate"]


@dataclass(slots=True)
class UpstreamConflictIn:
    """A journal row the library system refused when the kiosk replayed it.

    The row's facts as in ``TransactionIn``, plus who refused it (``source``), the kiosk's
    reason code read from the reply (``reason``, e.g. ``patron_blocked``) and what the
    library system said (``message``, its screen messages). ``id`` is deduplicated on.
    """

    id: str
    seq: int
    kind: TxnKind
    patron_card: str
    item_pii: str
    at: datetime
    decision: Decision
    source: UpstreamSource
    reason: str
    message: str = ""
    due_at: datetime | None = None
    cancels: str | None = None


@dataclass(slots=True)
class UpstreamConflictBatch:
    conflicts: list[UpstreamConflictIn]


@dataclass(slots=True)
class UpstreamConflictResult:
    """``recorded`` now, or ``duplicate`` (already received; ``reason`` says as what).
    ``conflict_id`` names the conflict staff see, either way, when there is one."""

    id: str
    status: UpstreamConflictStatus
    conflict_id: int | None = None
    reason: str | None = None


@dataclass(slots=True)
class UpstreamConflictReply:
    results: list[UpstreamConflictResult]


# --- encoding for the client side ---------------------------------------------------------

T = TypeVar("T")


def to_json(value: Any) -> Any:
    """A JSON-ready copy: dataclasses to dicts, datetimes to ISO 8601 UTC with ``Z``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("wire times must be aware UTC datetimes")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


def from_json(cls: type[T], data: Any) -> T:
    """Build ``cls`` from decoded JSON, converting nested dataclasses, dates and times."""
    return typing.cast(T, _decode(cls, data))


@functools.cache
def _field_hints(tp: type) -> dict[str, Any]:
    """A dataclass's field types, resolved once: resolving them per record cost ~78 µs."""
    hints = typing.get_type_hints(tp)
    return {f.name: hints[f.name] for f in dataclasses.fields(tp)}


def _decode(tp: Any, data: Any) -> Any:
    origin = typing.get_origin(tp)
    if data is None:
        return None
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if origin is list:
        (inner,) = typing.get_args(tp)
        return [_decode(inner, v) for v in data]
    if origin is dict:
        _, inner = typing.get_args(tp)
        return {k: _decode(inner, v) for k, v in data.items()}
    if origin is Literal or tp is Any:
        return data
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        hints = _field_hints(tp)
        return tp(**{k: _decode(hints[k], v) for k, v in data.items() if k in hints})
    if tp is datetime:
        value = datetime.fromisoformat(data.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if tp is date:
        return date.fromisoformat(data)
    return data
